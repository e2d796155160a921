#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Each test edits a fresh copy of a host tree (SRIOVPS_HOST_ROOT) holding the /proc/cpuinfo and
# /etc/default/grub it writes; GRUB's configuration of a copied tree is never regenerated.

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $script:Command = 'SriovPS.Commands.EnableSriovIommuCommand'
    $script:Grub = '/etc/default/grub'
    $script:Vfio = '/etc/modules-load.d/vfio.conf'
    $script:VfioText = "# vfio for VFs given to guests (vfio-pci), loaded at boot; written by Enable-SriovIommu.`nvfio`nvfio_iommu_type1`nvfio_pci`n"
    $script:QuietSplash = @('GRUB_CMDLINE_LINUX_DEFAULT="quiet splash"', 'GRUB_CMDLINE_LINUX=""')

    function Get-TreeHash {
        param([string] $Root, [string] $Path)
        (Get-FileHash -LiteralPath ($Root + $Path) -Algorithm SHA256).Hash
    }

    # /etc/default/grub as Ubuntu ships it, with the lines $CmdLine where it sets the kernel command line (line 10 on).
    function Get-GrubText {
        param([string[]] $CmdLine)
        $lines = @(
            "# If you change this file, run 'update-grub' afterwards to update"
            '# /boot/grub/grub.cfg.'
            '# For full documentation of the options in this file, see:'
            "#   info -f grub -n 'Simple configuration'"
            ''
            'GRUB_DEFAULT=0'
            'GRUB_TIMEOUT_STYLE=hidden'
            'GRUB_TIMEOUT=0'
            'GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`'
        ) + $CmdLine + @(
            ''
            '# Uncomment to enable BadRAM filtering, modify to suit your needs'
            '#GRUB_BADRAM="0x01234567,0xfefefefe,0x89abcdef,0xefefefef"'
            ''
            '# Uncomment to disable graphical terminal (grub-pc only)'
            '#GRUB_TERMINAL=console'
        )
        ($lines -join "`n") + "`n"
    }

    # A fresh copy of $Fixture whose CPU is $Vendor's (none: no /proc/cpuinfo) and whose /etc/default/grub
    # sets the kernel command line with $CmdLine (-NoGrub: no such file); SRIOVPS_HOST_ROOT names it.
    function New-IommuTestHost {
        param(
            [string] $Fixture = 'iommu-off',
            [string] $Vendor = 'GenuineIntel',
            [string[]] $CmdLine = $script:QuietSplash,
            [switch] $NoGrub
        )
        $root = New-SriovTestHost -Fixture $Fixture
        if ($Vendor) {
            Set-SriovTestHostFile $root '/proc/cpuinfo' "processor`t: 0`nvendor_id`t: $Vendor`ncpu family`t: 6`n"
        }
        if (-not $NoGrub) {
            Set-SriovTestHostFile $root $script:Grub (Get-GrubText $CmdLine)
        }
        $env:SRIOVPS_HOST_ROOT = $root
        $root
    }
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Enable-SriovIommu' -Tag 'CI' {
    BeforeEach {
        $script:Root = $null
    }

    AfterEach {
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
        if ($script:Root) { Remove-SriovTestHost $script:Root }
    }

    Context 'the kernel command line in /etc/default/grub' {
        It 'adds intel_iommu=on iommu=pt inside the double quotes on an Intel host, every other line kept byte for byte' {
            $script:Root = New-IommuTestHost

            $changes = @(Enable-SriovIommu -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)

            $errors.Count | Should -Be 0
            Get-SriovTestHostText $script:Root $script:Grub |
                Should -BeExactly (Get-GrubText 'GRUB_CMDLINE_LINUX_DEFAULT="quiet splash intel_iommu=on iommu=pt"', 'GRUB_CMDLINE_LINUX=""')
            $changes[0].Path | Should -Be $script:Grub
            $changes[0].Summary | Should -BeExactly 'add intel_iommu=on iommu=pt to GRUB_CMDLINE_LINUX_DEFAULT'
            $changes[0].Before.Count | Should -Be 1
            $changes[0].Before[0] | Should -BeExactly 'GRUB_CMDLINE_LINUX_DEFAULT="quiet splash"'
            $changes[0].After.Count | Should -Be 1
            $changes[0].After[0] | Should -BeExactly 'GRUB_CMDLINE_LINUX_DEFAULT="quiet splash intel_iommu=on iommu=pt"'
        }

        It 'keeps single quotes, and drops intel_iommu=off, saying why in -Verbose' {
            $script:Root = New-IommuTestHost -CmdLine "GRUB_CMDLINE_LINUX_DEFAULT='quiet intel_iommu=off'", 'GRUB_CMDLINE_LINUX=""'

            $output = Enable-SriovIommu -Confirm:$false -Verbose -WarningAction SilentlyContinue 4>&1

            Get-SriovTestHostText $script:Root $script:Grub |
                Should -BeExactly (Get-GrubText "GRUB_CMDLINE_LINUX_DEFAULT='quiet intel_iommu=on iommu=pt'", 'GRUB_CMDLINE_LINUX=""')
            @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message |
                Should -Contain 'Dropping intel_iommu=off (GRUB_CMDLINE_LINUX_DEFAULT, line 10: it turns VT-d off).'
            $grub = @($output | Where-Object { $_ -is [SriovPS.SriovHostChange] })[0]
            $grub.Summary | Should -BeExactly 'add intel_iommu=on iommu=pt to GRUB_CMDLINE_LINUX_DEFAULT; remove intel_iommu=off (GRUB_CMDLINE_LINUX_DEFAULT, line 10: it turns VT-d off)'
        }

        It 'drops intel_iommu=off from GRUB_CMDLINE_LINUX too, and does not add iommu=pt again when GRUB_CMDLINE_LINUX has it' {
            $script:Root = New-IommuTestHost -CmdLine 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"', 'GRUB_CMDLINE_LINUX="iommu=pt intel_iommu=off"'

            $changes = @(Enable-SriovIommu -Confirm:$false -WarningAction SilentlyContinue)

            Get-SriovTestHostText $script:Root $script:Grub |
                Should -BeExactly (Get-GrubText 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on"', 'GRUB_CMDLINE_LINUX="iommu=pt"')
            $changes[0].Summary | Should -BeExactly 'add intel_iommu=on to GRUB_CMDLINE_LINUX_DEFAULT; remove intel_iommu=off (GRUB_CMDLINE_LINUX, line 11: it turns VT-d off)'
        }

        It 'adds only iommu=pt on an AMD host, whose IOMMU is on by default' {
            $script:Root = New-IommuTestHost -Vendor 'AuthenticAMD'

            $output = Enable-SriovIommu -Confirm:$false -Verbose -WarningAction SilentlyContinue 4>&1

            Get-SriovTestHostText $script:Root $script:Grub |
                Should -BeExactly (Get-GrubText 'GRUB_CMDLINE_LINUX_DEFAULT="quiet splash iommu=pt"', 'GRUB_CMDLINE_LINUX=""')
            @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message |
                Should -Contain "The IOMMU is AMD's (the CPU is an AMD one): it is on by default, so only iommu=pt is added."
            @($output | Where-Object { $_ -is [SriovPS.SriovHostChange] })[0].Summary | Should -BeExactly 'add iommu=pt to GRUB_CMDLINE_LINUX_DEFAULT'
        }

        It 'judges the vendor by the firmware''s DMAR table before the CPU' {
            $script:Root = New-IommuTestHost -Vendor 'AuthenticAMD'
            Set-SriovTestHostFile $script:Root '/sys/firmware/acpi/tables/DMAR' ''

            $null = Enable-SriovIommu -Confirm:$false -WarningAction SilentlyContinue

            Get-SriovTestHostText $script:Root $script:Grub |
                Should -BeExactly (Get-GrubText 'GRUB_CMDLINE_LINUX_DEFAULT="quiet splash intel_iommu=on iommu=pt"', 'GRUB_CMDLINE_LINUX=""')
        }

        It 'writes a new GRUB_CMDLINE_LINUX_DEFAULT line right after GRUB_CMDLINE_LINUX when the file has none' {
            $script:Root = New-IommuTestHost -CmdLine 'GRUB_CMDLINE_LINUX=""'

            $null = Enable-SriovIommu -Confirm:$false -WarningAction SilentlyContinue

            Get-SriovTestHostText $script:Root $script:Grub |
                Should -BeExactly (Get-GrubText 'GRUB_CMDLINE_LINUX=""', 'GRUB_CMDLINE_LINUX_DEFAULT="intel_iommu=on iommu=pt"')
        }

        It 'adds igb.max_vfs=7 for -MaxVfs igb=7, and drops another igb.max_vfs' {
            $script:Root = New-IommuTestHost -CmdLine 'GRUB_CMDLINE_LINUX_DEFAULT="quiet splash"', 'GRUB_CMDLINE_LINUX="igb.max_vfs=4"'

            $changes = @(Enable-SriovIommu -MaxVfs 'igb=7' -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)

            $errors.Count | Should -Be 0
            Get-SriovTestHostText $script:Root $script:Grub |
                Should -BeExactly (Get-GrubText 'GRUB_CMDLINE_LINUX_DEFAULT="quiet splash intel_iommu=on iommu=pt igb.max_vfs=7"', 'GRUB_CMDLINE_LINUX=""')
            $changes[0].Summary | Should -Match ([regex]::Escape('remove igb.max_vfs=4 (GRUB_CMDLINE_LINUX, line 11: igb.max_vfs=7 replaces it)'))
        }

        It 'keeps a per-port list with the same count, igb.max_vfs=7,7,7,7, for -MaxVfs igb=7' {
            $script:Root = New-IommuTestHost -CmdLine 'GRUB_CMDLINE_LINUX_DEFAULT="quiet splash"', 'GRUB_CMDLINE_LINUX="igb.max_vfs=7,7,7,7"'

            $changes = @(Enable-SriovIommu -MaxVfs 'igb=7' -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)

            $errors.Count | Should -Be 0
            Get-SriovTestHostText $script:Root $script:Grub |
                Should -BeExactly (Get-GrubText 'GRUB_CMDLINE_LINUX_DEFAULT="quiet splash intel_iommu=on iommu=pt"', 'GRUB_CMDLINE_LINUX="igb.max_vfs=7,7,7,7"')
            $changes[0].Summary | Should -BeExactly 'add intel_iommu=on iommu=pt to GRUB_CMDLINE_LINUX_DEFAULT'
        }

        It 'replaces a per-port list with another count in it by igb.max_vfs=7' {
            $script:Root = New-IommuTestHost -CmdLine 'GRUB_CMDLINE_LINUX_DEFAULT="quiet splash"', 'GRUB_CMDLINE_LINUX="igb.max_vfs=7,4"'

            $changes = @(Enable-SriovIommu -MaxVfs 'igb=7' -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)

            $errors.Count | Should -Be 0
            Get-SriovTestHostText $script:Root $script:Grub |
                Should -BeExactly (Get-GrubText 'GRUB_CMDLINE_LINUX_DEFAULT="quiet splash intel_iommu=on iommu=pt igb.max_vfs=7"', 'GRUB_CMDLINE_LINUX=""')
            $changes[0].Summary |
                Should -BeExactly 'add intel_iommu=on iommu=pt igb.max_vfs=7 to GRUB_CMDLINE_LINUX_DEFAULT; remove igb.max_vfs=7,4 (GRUB_CMDLINE_LINUX, line 11: igb.max_vfs=7 replaces it)'
        }
    }

    Context '/etc/modules-load.d/vfio.conf' {
        It 'creates it with vfio, vfio_iommu_type1 and vfio_pci under its header' {
            $script:Root = New-IommuTestHost

            $changes = @(Enable-SriovIommu -Confirm:$false -WarningAction SilentlyContinue)

            Get-SriovTestHostText $script:Root $script:Vfio | Should -BeExactly $script:VfioText
            $vfio = $changes | Where-Object Path -EQ $script:Vfio
            $vfio.Changed | Should -BeTrue
            $vfio.BackupPath | Should -BeNullOrEmpty
            $vfio.RebootRequired | Should -BeTrue
            $vfio.Summary | Should -BeExactly 'load vfio vfio_iommu_type1 vfio_pci at boot (or now: modprobe vfio-pci)'
        }

        It 'keeps the lines of an existing one and appends only the modules it lacks (vfio-pci counts as vfio_pci)' {
            $script:Root = New-IommuTestHost
            $old = "# Modules for the guests of this host`nkvm_intel`nvfio-pci`n"
            Set-SriovTestHostFile $script:Root $script:Vfio $old

            $changes = @(Enable-SriovIommu -Confirm:$false -WarningAction SilentlyContinue)

            Get-SriovTestHostText $script:Root $script:Vfio | Should -BeExactly ($old + "vfio`nvfio_iommu_type1`n")
            $vfio = $changes | Where-Object Path -EQ $script:Vfio
            $vfio.Summary | Should -Match '^load vfio vfio_iommu_type1 at boot'
            $vfio.BackupPath | Should -Be "$script:Vfio.sriovps.bak"
            Get-SriovTestHostText $script:Root "$script:Vfio.sriovps.bak" | Should -BeExactly $old
        }
    }

    Context 'output and a second run' {
        It 'returns SriovPS.SriovHostChange objects for /etc/default/grub, then vfio.conf' {
            $script:Root = New-IommuTestHost
            $original = Get-SriovTestHostText $script:Root $script:Grub

            $changes = @(Enable-SriovIommu -Confirm:$false -WarningAction SilentlyContinue)

            $changes.Count | Should -Be 2
            foreach ($change in $changes) {
                $change | Should -BeOfType 'SriovPS.SriovHostChange'
                $change.Changed | Should -BeTrue
                $change.RebootRequired | Should -BeTrue
            }
            $changes[0].Path | Should -Be $script:Grub
            $changes[0].BackupPath | Should -Be "$script:Grub.sriovps.bak"
            Get-SriovTestHostText $script:Root "$script:Grub.sriovps.bak" | Should -BeExactly $original
            $changes[1].Path | Should -Be $script:Vfio
            $changes[1].BackupPath | Should -BeNullOrEmpty
        }

        It 'leaves both files byte for byte as they are on a second run, reporting Changed $false' {
            $script:Root = New-IommuTestHost
            $null = Enable-SriovIommu -Confirm:$false -WarningAction SilentlyContinue
            $before = Get-SriovTestTreeState $script:Root

            $changes = @(Enable-SriovIommu -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue -ErrorVariable errors -ErrorAction SilentlyContinue)

            $errors.Count | Should -Be 0
            Get-SriovTestTreeState $script:Root | Should -Be $before
            $changes.Count | Should -Be 2
            $changes.Path | Should -Be @($script:Grub, $script:Vfio)
            $changes.Changed | Should -Be @($false, $false)
            $changes[0].Summary | Should -BeExactly 'the kernel command line already has intel_iommu=on iommu=pt; the running kernel was booted without them'
            $changes[0].RebootRequired | Should -BeTrue
            $changes[1].Summary | Should -BeExactly 'already loads vfio, vfio_iommu_type1 and vfio_pci at boot'
            $changes[0].Before.Count | Should -Be 0
            $changes[0].BackupPath | Should -BeNullOrEmpty
            @($warnings | Where-Object Message -Match 'copied host tree').Count | Should -Be 0
        }
    }

    Context '-WhatIf and the copied tree''s GRUB configuration' {
        It 'leaves both files untouched with -WhatIf, creates no vfio.conf, and outputs nothing when both need a change' {
            $script:Root = New-IommuTestHost
            $grubHash = Get-TreeHash $script:Root $script:Grub
            $before = Get-SriovTestTreeState $script:Root

            $output = Enable-SriovIommu -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 0
            Get-TreeHash $script:Root $script:Grub | Should -Be $grubHash
            Join-Path $script:Root 'etc/modules-load.d/vfio.conf' | Should -Not -Exist
            Get-SriovTestTreeState $script:Root | Should -Be $before
        }

        It 'outputs under -WhatIf only the file that needs no change, vfio.conf with Changed $false' {
            $script:Root = New-IommuTestHost
            Set-SriovTestHostFile $script:Root $script:Vfio $script:VfioText
            $before = Get-SriovTestTreeState $script:Root

            $output = @(Enable-SriovIommu -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)

            $errors.Count | Should -Be 0
            Get-SriovTestTreeState $script:Root | Should -Be $before
            $output.Count | Should -Be 1
            $output[0].Path | Should -Be $script:Vfio
            $output[0].Changed | Should -BeFalse
            $output[0].Summary | Should -BeExactly 'already loads vfio, vfio_iommu_type1 and vfio_pci at boot'
        }

        It 'warns once that the copied tree''s GRUB configuration is not regenerated here' {
            $script:Root = New-IommuTestHost

            $null = Enable-SriovIommu -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue

            $regenerate = @($warnings | Where-Object Message -Match 'copied host tree')
            $regenerate.Count | Should -Be 1
            $regenerate[0].Message | Should -Match '^The GRUB configuration of the copied host tree '
            $regenerate[0].Message | Should -Match 'is not regenerated from its /etc/default/grub here: run .+ on that system\.$'
        }

        It 'does not warn with -NoRegenerate, and says so in -Verbose' {
            $script:Root = New-IommuTestHost

            $output = Enable-SriovIommu -NoRegenerate -Confirm:$false -Verbose -WarningVariable warnings -WarningAction SilentlyContinue 4>&1

            @($warnings | Where-Object Message -Match 'regenerat').Count | Should -Be 0
            @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | Where-Object Message -Match '^-NoRegenerate: GRUB''s configuration is not regenerated').Count |
                Should -Be 1
            @($output | Where-Object { $_ -is [SriovPS.SriovHostChange] }).Count | Should -Be 2
        }
    }

    Context '-MaxVfs refused before anything is written' {
        BeforeAll {
            $script:I350 = New-IommuTestHost -Fixture 'i350-4port'
        }

        AfterAll {
            Remove-SriovTestHost $script:I350
        }

        It 'ends the command with InvalidMaxVfs for <Name>' -ForEach @(
            @{ Name = 'igb (no count)'; MaxVfs = @('igb'); Message = 'is not DRIVER=COUNT' }
            @{ Name = 'igb=x'; MaxVfs = @('igb=x'); Message = 'is not DRIVER=COUNT' }
            @{ Name = 'igb=70000'; MaxVfs = @('igb=70000'); Message = 'is not DRIVER=COUNT' }
            @{ Name = 'igb twice'; MaxVfs = @('igb=7', 'igb=6'); Message = 'names igb more than once' }
            @{ Name = 'igb=8 where the igb PFs have sriov_totalvfs 7'; MaxVfs = @('igb=8'); Message = 'is more than the igb PFs here support' }
        ) {
            $env:SRIOVPS_HOST_ROOT = $script:I350
            $before = Get-SriovTestTreeState $script:I350

            $record = { Enable-SriovIommu -MaxVfs $MaxVfs -Confirm:$false -WarningAction SilentlyContinue } |
                Should -Throw -ErrorId "InvalidMaxVfs,$script:Command" -PassThru

            $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $record.Exception.Message | Should -Match $Message
            Get-SriovTestTreeState $script:I350 | Should -Be $before
            Join-Path $script:I350 'etc/modules-load.d/vfio.conf' | Should -Not -Exist
        }

        It 'accepts igb=7, the igb PFs'' sriov_totalvfs, under -WhatIf' {
            $env:SRIOVPS_HOST_ROOT = $script:I350

            Enable-SriovIommu -MaxVfs 'igb=7' -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            $errors.Count | Should -Be 0
        }
    }

    Context 'one part failing, the other still done' {
        It 'reports IommuVendorUnknown without /proc/cpuinfo or a DMAR table, leaves /etc/default/grub, and still writes vfio.conf' {
            $script:Root = New-IommuTestHost -Vendor ''
            $grubHash = Get-TreeHash $script:Root $script:Grub

            $changes = @(Enable-SriovIommu -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "IommuVendorUnknown,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            Get-TreeHash $script:Root $script:Grub | Should -Be $grubHash
            Get-SriovTestHostText $script:Root $script:Vfio | Should -BeExactly $script:VfioText
            $changes.Path | Should -Be @($script:Vfio)
        }

        It 'reports GrubDefaultsNotFound without /etc/default/grub, and still writes vfio.conf' {
            $script:Root = New-IommuTestHost -NoGrub

            $changes = @(Enable-SriovIommu -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "GrubDefaultsNotFound,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            Join-Path $script:Root 'etc/default/grub' | Should -Not -Exist
            Get-SriovTestHostText $script:Root $script:Vfio | Should -BeExactly $script:VfioText
            $changes.Path | Should -Be @($script:Vfio)
        }

        It 'reports ConfigFileReadOnly for a read-only /etc/default/grub, leaves it intact, and still writes vfio.conf' {
            $script:Root = New-IommuTestHost
            $grubFile = $script:Root + $script:Grub
            [System.IO.File]::SetUnixFileMode($grubFile, [System.IO.UnixFileMode]'UserRead, GroupRead, OtherRead')
            $grubHash = Get-TreeHash $script:Root $script:Grub

            $changes = @(Enable-SriovIommu -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "ConfigFileReadOnly,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'WriteError'
            $errors[0].Exception.Message | Should -Match '^/etc/default/grub is read-only \(mode 444\)'
            Get-TreeHash $script:Root $script:Grub | Should -Be $grubHash
            [System.IO.File]::GetUnixFileMode($grubFile) | Should -Be ([System.IO.UnixFileMode]'UserRead, GroupRead, OtherRead')
            Join-Path $script:Root 'etc/default/grub.sriovps.bak' | Should -Not -Exist
            Get-SriovTestHostText $script:Root $script:Vfio | Should -BeExactly $script:VfioText
            $changes.Path | Should -Be @($script:Vfio)
        }

        It 'reports ConfigFileReadOnly for a read-only /etc/default/grub, and still outputs a complete vfio.conf with Changed $false' {
            $script:Root = New-IommuTestHost
            Set-SriovTestHostFile $script:Root $script:Vfio $script:VfioText
            [System.IO.File]::SetUnixFileMode($script:Root + $script:Grub, [System.IO.UnixFileMode]'UserRead, GroupRead, OtherRead')
            $grubHash = Get-TreeHash $script:Root $script:Grub
            $vfioHash = Get-TreeHash $script:Root $script:Vfio

            $changes = @(Enable-SriovIommu -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "ConfigFileReadOnly,$script:Command"
            Get-TreeHash $script:Root $script:Grub | Should -Be $grubHash
            Get-TreeHash $script:Root $script:Vfio | Should -Be $vfioHash
            Join-Path $script:Root 'etc/modules-load.d/vfio.conf.sriovps.bak' | Should -Not -Exist
            $changes.Count | Should -Be 1
            $changes[0].Path | Should -Be $script:Vfio
            $changes[0].Changed | Should -BeFalse
        }

        It 'reports GrubDefaultsUneditable for a quote never closed, and changes nothing in the file' {
            $script:Root = New-IommuTestHost -CmdLine 'GRUB_CMDLINE_LINUX_DEFAULT="quiet splash', 'GRUB_CMDLINE_LINUX=""'
            $grubHash = Get-TreeHash $script:Root $script:Grub

            $null = Enable-SriovIommu -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "GrubDefaultsUneditable,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidData'
            Get-TreeHash $script:Root $script:Grub | Should -Be $grubHash
            Get-SriovTestHostText $script:Root $script:Vfio | Should -BeExactly $script:VfioText
        }
    }

    Context 'the command' {
        It 'takes -MaxVfs and -NoRegenerate, supports -WhatIf, asks at ConfirmImpact Medium and outputs SriovPS.SriovHostChange' {
            $command = Get-Command Enable-SriovIommu

            $command.Parameters['MaxVfs'].ParameterType | Should -Be ([string[]])
            $command.Parameters['NoRegenerate'].SwitchParameter | Should -BeTrue
            $command.Parameters.ContainsKey('WhatIf') | Should -BeTrue
            $command.Parameters.ContainsKey('Confirm') | Should -BeTrue
            $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact |
                Should -Be 'Medium'
            $command.OutputType.Name | Should -Contain 'SriovPS.SriovHostChange'
        }
    }
}
