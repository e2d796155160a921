#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Each test edits a fresh copy of the I350 host tree (SRIOVPS_HOST_ROOT), every function in its own IOMMU
# group (eno49's VFs 0000:04:10.0 to 0000:04:13.0 in groups 39 to 45), with libvirt's AppArmor abstraction
# written into it. Running guests' profiles are only reloaded on the live host.

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $script:Command = 'SriovPS.Commands.RepairVfioAppArmorCommand'
    $script:Abstraction = '/etc/apparmor.d/abstractions/libvirt-qemu'
    $script:Local = '/etc/apparmor.d/local/abstractions/libvirt-qemu'
    $script:Header = '# Site-specific additions for libvirt-qemu (QEMU processes started by libvirt).'
    $script:AllGroupsRule = '/dev/vfio/* rw,  # SriovPS: every vfio group (Repair-VfioAppArmor -AllGroups)'

    # libvirt's abstraction (an excerpt of Ubuntu's), without its include of the local file.
    $script:AbstractionBody = (@(
            '# vim:syntax=apparmor'
            '# Last Modified: Fri Mar  9 14:43:22 2012'
            ''
            '  #include <abstractions/base>'
            '  #include <abstractions/consoles>'
            '  #include <abstractions/nameservice>'
            ''
            '  # required for reading disk images'
            '  capability dac_override,'
            '  capability dac_read_search,'
            '  capability chown,'
            ''
            '  network inet stream,'
            '  network inet6 stream,'
            ''
            '  /dev/net/tun rw,'
            '  /dev/kvm rw,'
            '  /dev/ptmx rw,'
            '  /dev/vfio/vfio rw,'
            '  @{PROC}/*/status r,'
        ) -join "`n") + "`n"
    $script:IncludeLines = "`n  # Site-specific additions and overrides. See local/README for details.`n  #include <local/abstractions/libvirt-qemu>`n"

    # A local file as the apparmor package ships it, with a rule of the site's own.
    $script:SiteLocal = "# Site-specific additions and overrides for 'abstractions/libvirt-qemu'.`n" +
        "# For more details, please see /etc/apparmor.d/local/README.`n" +
        "  /srv/vm-images/** rwk,`n" +
        "  owner /var/lib/libvirt/swtpm/** rw,`n"

    # The rule Repair-VfioAppArmor -IommuGroup writes for a group holding one device.
    function Get-GroupRule {
        param([int] $Group, [string] $Device)
        "/dev/vfio/$Group rw,  # SriovPS group of ${Device}: IOMMU group $Group given to Repair-VfioAppArmor, holding $Device"
    }

    # A fresh I350 tree with AppArmor enabled ($Enabled), the abstraction (plus $Extra, and its include of
    # the local file unless -WithoutInclude) and, when given, the local file; SRIOVPS_HOST_ROOT names it.
    function New-AppArmorTestHost {
        param([switch] $WithoutInclude, [string] $Enabled = 'Y', [string] $Extra = '', [string] $Local, [switch] $NoAbstraction)
        $root = New-SriovTestHost -Fixture 'i350-4port'
        Set-SriovTestHostFile $root '/sys/module/apparmor/parameters/enabled' "$Enabled`n"
        if (-not $NoAbstraction) {
            Set-SriovTestHostFile $root $script:Abstraction ($script:AbstractionBody + $Extra + $(if (-not $WithoutInclude) { $script:IncludeLines }))
        }
        if ($PSBoundParameters.ContainsKey('Local')) {
            Set-SriovTestHostFile $root $script:Local $Local
        }
        $env:SRIOVPS_HOST_ROOT = $root
        $root
    }
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Repair-VfioAppArmor' -Tag 'CI' {
    BeforeEach {
        $script:Root = $null
    }

    AfterEach {
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
        if ($script:Root) { Remove-SriovTestHost $script:Root }
    }

    Context 'an abstraction that includes the local file' {
        It 'writes the header and the rule for -IommuGroup 39 into a new local file, and warns that group numbers change' {
            $script:Root = New-AppArmorTestHost
            $abstraction = Get-SriovTestHostText $script:Root $script:Abstraction

            $changes = @(Repair-VfioAppArmor -IommuGroup 39 -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue `
                    -ErrorVariable errors -ErrorAction SilentlyContinue)

            $errors.Count | Should -Be 0
            Get-SriovTestHostText $script:Root $script:Local | Should -BeExactly ("$script:Header`n" + (Get-GroupRule 39 '0000:04:10.0') + "`n")
            Get-SriovTestHostText $script:Root $script:Abstraction | Should -BeExactly $abstraction
            $changes.Count | Should -Be 1
            $changes[0] | Should -BeOfType 'SriovPS.SriovHostChange'
            $changes[0].Path | Should -Be $script:Local
            $changes[0].Changed | Should -BeTrue
            $changes[0].RebootRequired | Should -BeFalse
            $changes[0].BackupPath | Should -BeNullOrEmpty
            $changes[0].Summary | Should -BeExactly 'allow QEMU to open /dev/vfio/39'
            @($warnings | Where-Object Message -Match '^IOMMU group numbers can change').Count | Should -Be 1
            @($warnings | Where-Object Message -Match 'not in use').Count | Should -Be 0
        }

        It 'keeps the site''s rules of an existing local file byte for byte, appending the rules' {
            $script:Root = New-AppArmorTestHost -Local $script:SiteLocal

            $changes = @(Repair-VfioAppArmor -IommuGroup 40, 39 -Confirm:$false -WarningAction SilentlyContinue)

            Get-SriovTestHostText $script:Root $script:Local |
                Should -BeExactly ($script:SiteLocal + (Get-GroupRule 39 '0000:04:10.0') + "`n" + (Get-GroupRule 40 '0000:04:10.4') + "`n")
            $changes[0].BackupPath | Should -Be "$script:Local.sriovps.bak"
            $changes[0].Summary | Should -BeExactly 'allow QEMU to open /dev/vfio/39 and /dev/vfio/40'
            Get-SriovTestHostText $script:Root "$script:Local.sriovps.bak" | Should -BeExactly $script:SiteLocal
        }

        It 'changes nothing for a group a rule already allows' {
            $local = $script:SiteLocal + "  /dev/vfio/39 rw,`n"
            $script:Root = New-AppArmorTestHost -Local $local
            $before = Get-SriovTestTreeState $script:Root

            $changes = @(Repair-VfioAppArmor -IommuGroup 39 -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue)

            Get-SriovTestTreeState $script:Root | Should -Be $before
            $changes.Count | Should -Be 1
            $changes[0].Path | Should -Be $script:Local
            $changes[0].Changed | Should -BeFalse
            $changes[0].Summary | Should -BeExactly 'every vfio group asked for is already allowed'
            @($warnings | Where-Object Message -Match '^IOMMU group numbers can change').Count | Should -Be 0
        }

        It 'creates no local file when the abstraction already allows every vfio group' {
            $script:Root = New-AppArmorTestHost -Extra "  /dev/vfio/* rw,`n"
            $before = Get-SriovTestTreeState $script:Root

            $changes = @(Repair-VfioAppArmor -IommuGroup 39 -Confirm:$false -WarningAction SilentlyContinue)

            Get-SriovTestTreeState $script:Root | Should -Be $before
            Join-Path $script:Root 'etc/apparmor.d/local/abstractions/libvirt-qemu' | Should -Not -Exist
            $changes.Changed | Should -Be @($false)
        }

        It 'leaves the files byte for byte as they are on a second run, reporting Changed $false' {
            $script:Root = New-AppArmorTestHost -Local $script:SiteLocal
            $null = Repair-VfioAppArmor -IommuGroup 39, 40 -Confirm:$false -WarningAction SilentlyContinue
            $before = Get-SriovTestTreeState $script:Root

            $changes = @(Repair-VfioAppArmor -IommuGroup 39, 40 -Confirm:$false -WarningAction SilentlyContinue -ErrorVariable errors -ErrorAction SilentlyContinue)

            $errors.Count | Should -Be 0
            Get-SriovTestTreeState $script:Root | Should -Be $before
            $changes.Count | Should -Be 1
            $changes[0].Path | Should -Be $script:Local
            $changes[0].Changed | Should -BeFalse
            $changes[0].BackupPath | Should -BeNullOrEmpty
        }

        It 'writes the broad rule for -AllGroups, dropping the single-group rules it wrote before' {
            $script:Root = New-AppArmorTestHost -Local $script:SiteLocal
            $null = Repair-VfioAppArmor -IommuGroup 39 -Confirm:$false -WarningAction SilentlyContinue

            $changes = @(Repair-VfioAppArmor -AllGroups -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue)

            Get-SriovTestHostText $script:Root $script:Local | Should -BeExactly ($script:SiteLocal + "$script:AllGroupsRule`n")
            $changes[0].Summary | Should -BeExactly 'allow QEMU to open /dev/vfio/*; drop 1 rule on single groups written by SriovPS, which /dev/vfio/* covers'
            @($warnings | Where-Object Message -Match '^IOMMU group numbers can change').Count | Should -Be 0
        }

        It 'tells stale rules from covered ones in the -AllGroups summary' {
            $stale = "/dev/vfio/39 rw,  # SriovPS group of 0000:ff:1f.7: VF 0 of eno49 in pool 'eno49-sr-iov'"
            $script:Root = New-AppArmorTestHost -Local ($script:SiteLocal + "$stale`n" + (Get-GroupRule 40 '0000:04:10.4') + "`n" + (Get-GroupRule 41 '0000:04:11.0') + "`n")

            $changes = @(Repair-VfioAppArmor -AllGroups -Confirm:$false -WarningAction SilentlyContinue)

            Get-SriovTestHostText $script:Root $script:Local | Should -BeExactly ($script:SiteLocal + "$script:AllGroupsRule`n")
            $changes[0].Summary |
                Should -BeExactly 'allow QEMU to open /dev/vfio/*; drop 1 stale rule written by SriovPS; drop 2 rules on single groups written by SriovPS, which /dev/vfio/* covers'
        }

        It 'writes only the header and the broad rule for -AllGroups into a new local file' {
            $script:Root = New-AppArmorTestHost

            $null = Repair-VfioAppArmor -AllGroups -Confirm:$false -WarningAction SilentlyContinue

            Get-SriovTestHostText $script:Root $script:Local | Should -BeExactly "$script:Header`n$script:AllGroupsRule`n"
        }

        It 'drops a rule it wrote for a device its group no longer holds, keeping every other line' {
            $stale = "/dev/vfio/39 rw,  # SriovPS group of 0000:ff:1f.7: VF 0 of eno49 in pool 'eno49-sr-iov'"
            $script:Root = New-AppArmorTestHost -Local ($script:SiteLocal + "$stale`n  /dev/vfio/40 rw,`n")

            $output = Repair-VfioAppArmor -IommuGroup 41 -Confirm:$false -Verbose -WarningAction SilentlyContinue 4>&1

            Get-SriovTestHostText $script:Root $script:Local |
                Should -BeExactly ($script:SiteLocal + "  /dev/vfio/40 rw,`n" + (Get-GroupRule 41 '0000:04:11.0') + "`n")
            @($output | Where-Object { $_ -is [SriovPS.SriovHostChange] })[0].Summary |
                Should -BeExactly 'allow QEMU to open /dev/vfio/41; drop 1 stale rule written by SriovPS'
            $dropping = @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | Where-Object Message -Like 'Dropping *')
            $dropping.Count | Should -Be 1
            $dropping[0].Message | Should -Match ([regex]::Escape('IOMMU group 39 now holds 0000:04:10.0, not 0000:ff:1f.7'))
        }
    }

    Context 'an abstraction without the include' {
        It 'appends #include `<local/abstractions/libvirt-qemu`> to it, and reports it first' {
            $script:Root = New-AppArmorTestHost -WithoutInclude

            $changes = @(Repair-VfioAppArmor -IommuGroup 39 -Confirm:$false -WarningAction SilentlyContinue)

            Get-SriovTestHostText $script:Root $script:Abstraction | Should -BeExactly (
                $script:AbstractionBody + "`n  # Site-specific additions and overrides (added by Repair-VfioAppArmor).`n  #include <local/abstractions/libvirt-qemu>`n")
            $changes.Path | Should -Be @($script:Abstraction, $script:Local)
            $changes[0].Changed | Should -BeTrue
            $changes[0].RebootRequired | Should -BeFalse
            $changes[0].BackupPath | Should -Be "$script:Abstraction.sriovps.bak"
            $changes[0].Summary | Should -BeExactly 'include /etc/apparmor.d/local/abstractions/libvirt-qemu (#include <local/abstractions/libvirt-qemu>)'
            Get-SriovTestHostText $script:Root $script:Local | Should -BeExactly ("$script:Header`n" + (Get-GroupRule 39 '0000:04:10.0') + "`n")
        }

        It 'writes include if exists when the release''s abstractions use it' {
            $script:Root = New-AppArmorTestHost -WithoutInclude
            Set-SriovTestHostFile $script:Root '/etc/apparmor.d/abstractions/base' "  include if exists <abstractions/base.d>`n"

            $null = Repair-VfioAppArmor -IommuGroup 39 -Confirm:$false -WarningAction SilentlyContinue

            Get-SriovTestHostText $script:Root $script:Abstraction |
                Should -BeExactly ($script:AbstractionBody + "`n  # Site-specific additions and overrides (added by Repair-VfioAppArmor).`n  include if exists <local/abstractions/libvirt-qemu>`n")
        }

        It 'does not append the include again on a second run' {
            $script:Root = New-AppArmorTestHost -WithoutInclude
            $null = Repair-VfioAppArmor -IommuGroup 39 -Confirm:$false -WarningAction SilentlyContinue
            $before = Get-SriovTestTreeState $script:Root

            $changes = @(Repair-VfioAppArmor -IommuGroup 39 -Confirm:$false -WarningAction SilentlyContinue)

            Get-SriovTestTreeState $script:Root | Should -Be $before
            $changes.Path | Should -Be @($script:Local)
            $changes[0].Changed | Should -BeFalse
        }

        It 'leaves both files untouched with -WhatIf, creates no local file, and outputs nothing when both need a change' {
            $script:Root = New-AppArmorTestHost -WithoutInclude
            $before = Get-SriovTestTreeState $script:Root

            $output = Repair-VfioAppArmor -IommuGroup 39, 40 -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 0
            Get-SriovTestTreeState $script:Root | Should -Be $before
            Join-Path $script:Root 'etc/apparmor.d/local/abstractions/libvirt-qemu' | Should -Not -Exist
        }

        It 'outputs under -WhatIf only the local file that needs no change, not the abstraction''s change' {
            $script:Root = New-AppArmorTestHost -WithoutInclude -Local ($script:SiteLocal + "  /dev/vfio/39 rw,`n")
            $before = Get-SriovTestTreeState $script:Root

            $output = @(Repair-VfioAppArmor -IommuGroup 39 -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)

            $errors.Count | Should -Be 0
            Get-SriovTestTreeState $script:Root | Should -Be $before
            $output.Count | Should -Be 1
            $output[0].Path | Should -Be $script:Local
            $output[0].Changed | Should -BeFalse
            $output[0].Summary | Should -BeExactly 'every vfio group asked for is already allowed'
        }
    }

    Context 'refusals and warnings' {
        It 'ends the command with IommuGroupNotFound for a group that does not exist, writing nothing' {
            $script:Root = New-AppArmorTestHost -WithoutInclude
            $before = Get-SriovTestTreeState $script:Root

            $record = { Repair-VfioAppArmor -IommuGroup 39, 999 -Confirm:$false -WarningAction SilentlyContinue } |
                Should -Throw -ErrorId "IommuGroupNotFound,$script:Command" -PassThru

            $record.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $record.Exception.Message | Should -Match '^There is no IOMMU group 999 with devices'
            Get-SriovTestTreeState $script:Root | Should -Be $before
        }

        It 'ends the command with LiveHostRequired for the pools'' groups (no parameters, no pipeline input) on a copied tree' {
            $script:Root = New-AppArmorTestHost
            $before = Get-SriovTestTreeState $script:Root

            $record = { Repair-VfioAppArmor -Confirm:$false -WarningAction SilentlyContinue } |
                Should -Throw -ErrorId "LiveHostRequired,$script:Command" -PassThru

            $record.CategoryInfo.Category | Should -Be 'InvalidOperation'
            $record.Exception.Message | Should -Match 'Give -IommuGroup or -AllGroups'
            Get-SriovTestTreeState $script:Root | Should -Be $before
        }

        It 'recommends -WhatIf in LiveHostRequired only to a run without it' {
            $script:Root = New-AppArmorTestHost

            $plain = { Repair-VfioAppArmor -Confirm:$false -WarningAction SilentlyContinue } | Should -Throw -PassThru
            $whatIf = { Repair-VfioAppArmor -WhatIf -WarningAction SilentlyContinue } | Should -Throw -PassThru

            $plain.ErrorDetails.RecommendedAction | Should -Match 'or use -WhatIf'
            $whatIf.FullyQualifiedErrorId | Should -Be "LiveHostRequired,$script:Command"
            $whatIf.ErrorDetails.RecommendedAction | Should -BeExactly 'Leave out -HostRoot and $env:SRIOVPS_HOST_ROOT to work on this machine.'
        }

        It 'warns that there is nothing to repair without libvirt''s abstraction, and outputs nothing' {
            $script:Root = New-AppArmorTestHost -NoAbstraction
            $before = Get-SriovTestTreeState $script:Root

            $output = Repair-VfioAppArmor -IommuGroup 39 -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue `
                -ErrorVariable errors -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 0
            @($warnings | Where-Object Message -Match '^Nothing to repair: there is no /etc/apparmor\.d/abstractions/libvirt-qemu').Count | Should -Be 1
            Get-SriovTestTreeState $script:Root | Should -Be $before
        }

        It 'warns that AppArmor is not in use for QEMU when <Why>, and still writes the rules' -ForEach @(
            @{ Why = 'it is not enabled in the kernel'; Enabled = 'N'; QemuConf = $null; Fragment = 'enabled is N' }
            @{ Why = 'qemu.conf turns its security driver off'; Enabled = 'Y'; QemuConf = "security_driver = `"none`"`n"; Fragment = 'security_driver in /etc/libvirt/qemu.conf is none' }
        ) {
            $script:Root = New-AppArmorTestHost -Enabled $Enabled
            if ($QemuConf) { Set-SriovTestHostFile $script:Root '/etc/libvirt/qemu.conf' $QemuConf }

            $changes = @(Repair-VfioAppArmor -IommuGroup 39 -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue)

            $notInUse = @($warnings | Where-Object Message -Match '^AppArmor is not in use for QEMU here: ')
            $notInUse.Count | Should -Be 1
            $notInUse[0].Message | Should -Match ([regex]::Escape($Fragment))
            $notInUse[0].Message | Should -Match 'The rules are written for when it is\.$'
            $changes[0].Changed | Should -BeTrue
            Get-SriovTestHostText $script:Root $script:Local | Should -BeExactly ("$script:Header`n" + (Get-GroupRule 39 '0000:04:10.0') + "`n")
        }
    }

    Context 'groups from the pipeline' {
        It 'takes the IOMMU groups of eno49''s VFs from Get-SriovVf, changing nothing with -WhatIf' {
            $script:Root = New-AppArmorTestHost
            $before = Get-SriovTestTreeState $script:Root

            $output = Get-SriovVf -PfName eno49 -WarningAction SilentlyContinue |
                Repair-VfioAppArmor -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            $errors.Count | Should -Be 0
            $output | Should -BeNullOrEmpty
            Get-SriovTestTreeState $script:Root | Should -Be $before
        }

        It 'allows no group for a pipeline that yields none, only dropping its own stale rules, without reading the pools' {
            $stale = "/dev/vfio/39 rw,  # SriovPS group of 0000:ff:1f.7: VF 0 of eno49 in pool 'eno49-sr-iov'"
            $script:Root = New-AppArmorTestHost -Local ($script:SiteLocal + "$stale`n")

            $changes = @(Get-SriovVf -PfName eno49 -WarningAction SilentlyContinue | Where-Object IommuGroup -EQ 999 |
                    Repair-VfioAppArmor -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningVariable warnings -WarningAction SilentlyContinue)

            $errors.Count | Should -Be 0
            Get-SriovTestHostText $script:Root $script:Local | Should -BeExactly $script:SiteLocal
            $changes.Count | Should -Be 1
            $changes[0].Path | Should -Be $script:Local
            $changes[0].Changed | Should -BeTrue
            $changes[0].Summary | Should -BeExactly 'drop 1 stale rule written by SriovPS'
            @($warnings | Where-Object Message -Match '^IOMMU group numbers can change').Count | Should -Be 0
        }

        It 'changes nothing for a pipeline that yields no group when no rule is stale, reporting Changed $false' {
            $script:Root = New-AppArmorTestHost -Local $script:SiteLocal
            $before = Get-SriovTestTreeState $script:Root

            $changes = @(Get-SriovVf -PfName eno49 -WarningAction SilentlyContinue | Where-Object IommuGroup -EQ 999 |
                    Repair-VfioAppArmor -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)

            $errors.Count | Should -Be 0
            Get-SriovTestTreeState $script:Root | Should -Be $before
            $changes.Count | Should -Be 1
            $changes[0].Changed | Should -BeFalse
            $changes[0].Summary | Should -BeExactly 'no vfio group needs a rule'
        }

        It 'writes one rule for each of eno49''s seven VFs, in group order' {
            $script:Root = New-AppArmorTestHost

            $changes = @(Get-SriovVf -PfName eno49 -WarningAction SilentlyContinue |
                    Repair-VfioAppArmor -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)

            $errors.Count | Should -Be 0
            $changes.Count | Should -Be 1
            $devices = '0000:04:10.0', '0000:04:10.4', '0000:04:11.0', '0000:04:11.4', '0000:04:12.0', '0000:04:12.4', '0000:04:13.0'
            $rules = for ($i = 0; $i -lt 7; $i++) { Get-GroupRule (39 + $i) $devices[$i] }
            Get-SriovTestHostText $script:Root $script:Local | Should -BeExactly (((@($script:Header) + $rules) -join "`n") + "`n")
        }
    }

    Context 'the command' {
        It 'has the sets ByGroup (default, -IommuGroup optional) and AllGroups, supports -WhatIf and asks at ConfirmImpact Medium' {
            $command = Get-Command Repair-VfioAppArmor

            $command.ParameterSets.Name | Sort-Object | Should -Be @('AllGroups', 'ByGroup')
            $command.DefaultParameterSet | Should -Be 'ByGroup'
            $command.Parameters['IommuGroup'].ParameterType | Should -Be ([int[]])
            $command.Parameters['IommuGroup'].ParameterSets.Keys | Should -Be @('ByGroup')
            $command.Parameters['IommuGroup'].ParameterSets['ByGroup'].Position | Should -Be 0
            $command.Parameters['IommuGroup'].ParameterSets['ByGroup'].IsMandatory | Should -BeFalse
            $command.Parameters['IommuGroup'].ParameterSets['ByGroup'].ValueFromPipelineByPropertyName | Should -BeTrue
            $command.Parameters['AllGroups'].ParameterSets['AllGroups'].IsMandatory | Should -BeTrue
            $command.Parameters.ContainsKey('WhatIf') | Should -BeTrue
            $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact |
                Should -Be 'Medium'
            $command.OutputType.Name | Should -Contain 'SriovPS.SriovHostChange'
        }
    }
}
