#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Set-SriovConfiguration on copied i350-4port trees: the plan's order under -WhatIf with the MACs "auto"
# gives, refusals of the kernel's steps when confirmed, the udev rules and boot files the tree takes,
# and the pipeline of its help. Get, Test and the input forms: Get-SriovConfiguration.Tests.ps1; bad
# documents: Test-SriovConfiguration.Tests.ps1.

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    . (Join-Path $PSScriptRoot 'ConfigurationFixtures.ps1')
    $script:I350 = New-SriovTestHost -Fixture 'i350-4port'
    $script:Command = 'SriovPS.Commands.SetSriovConfigurationCommand'
    $script:Rules = '/etc/udev/rules.d/70-sriovps.rules'
    $script:Grub = '/etc/default/grub'
    $script:Vfio = '/etc/modules-load.d/vfio.conf'
    $script:VfioText = "# vfio for VFs given to guests (vfio-pci), loaded at boot; written by Enable-SriovIommu.`nvfio`nvfio_iommu_type1`nvfio_pci`n"
    # A copied tree warns that it cannot apply; tests that look at warnings collect them with -WarningVariable.
    $PSDefaultParameterValues = @{ '*-Sriov*:WarningAction' = 'SilentlyContinue' }

    # What -WhatIf shows for one step.
    function Get-StepWhatIf {
        param([string] $Action, [string] $Target)
        "What if: Performing the operation `"$Action`" on target `"$Target`"."
    }

    # A fresh i350-4port tree for a test that writes to it, with an Intel CPU and GRUB's defaults
    # unless -NoGrub; SRIOVPS_HOST_ROOT names it.
    function New-BootTestHost {
        param([switch] $NoGrub)
        $root = New-SriovTestHost -Fixture 'i350-4port'
        Set-SriovTestHostFile $root '/proc/cpuinfo' "processor`t: 0`nvendor_id`t: GenuineIntel`ncpu family`t: 6`n"
        if (-not $NoGrub) {
            Set-SriovTestHostFile $root $script:Grub "GRUB_DEFAULT=0`nGRUB_CMDLINE_LINUX_DEFAULT=`"quiet splash`"`nGRUB_CMDLINE_LINUX=`"`"`n"
        }
        $env:SRIOVPS_HOST_ROOT = $root
        $root
    }
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    Remove-SriovTestHost $script:I350
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Set-SriovConfiguration' -Tag 'CI' {
    BeforeEach {
        $env:SRIOVPS_HOST_ROOT = $script:I350
        $script:Tree = $null
    }

    AfterEach {
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
        if ($script:Tree) { Remove-SriovTestHost $script:Tree }
    }

    Context 'the full document on i350-4port, without pools and boot' {
        BeforeAll {
            $script:Document = Get-TestFullDocument -WithoutPoolsAndBoot
            $script:Eno49Mac = (Get-SriovTestHostText $script:I350 '/sys/class/net/eno49/address').Trim()
        }

        It '-WhatIf shows, in order: eswitch mode, count re-creation with its udev line, drivers, VF settings with the auto MACs, link' {
            $before = Get-SriovTestTreeState $script:I350
            $pf = '0000:04:00.0 (eno49)'
            $mac2 = Get-TestAutoMac $script:Eno49Mac 2
            $mac3 = Get-TestAutoMac $script:Eno49Mac 3
            $settings = { param($Mac) "vlan 10 qos 3 proto 802.1Q mac $Mac min_tx_rate 0 max_tx_rate 0 spoofchk on trust on state auto" }

            $whatIf = Get-SriovTestWhatIf { $script:Document | Set-SriovConfiguration -WhatIf -ErrorAction Stop }

            $whatIf | Should -Be @(
                Get-StepWhatIf 'devlink dev eswitch set pci/0000:04:00.0 mode legacy' $pf
                Get-StepWhatIf 'set sriov_drivers_autoprobe to 0, then re-create its VFs, 7 → 4 (all 7 present VFs are destroyed first)' $pf
                Get-StepWhatIf 'create 4 VFs on eno49 (0000:04:00.0) at boot: ACTION=="add", SUBSYSTEM=="net", KERNELS=="0000:04:00.0", ATTR{device/sriov_drivers_autoprobe}="0", ATTR{device/sriov_numvfs}="4"' $script:Rules
                Get-StepWhatIf "bind the new VFs of eno49 to their drivers, kept at boot:`n  vf 1 → vfio-pci" $pf
                Get-StepWhatIf "set 2 VFs of eno49:`n  ip link set eno49 vf 2 $(& $settings $mac2)`n  ip link set eno49 vf 3 $(& $settings $mac3)" $pf
                Get-StepWhatIf 'ip link set eno49 mtu 9000 up' $pf
            )
            Get-SriovTestTreeState $script:I350 | Should -Be $before
        }

        It 'gives "auto" MACs that follow the rule, are unicast, locally administered, unique, and the same on a second run' {
            $json = '{"pfs":[{"match":{"driver":"igb"},"vfs":[{"index":"0-6","mac":"auto"}]}]}'

            $first = Get-TestWhatIfMac (Get-SriovTestWhatIf { $json | Set-SriovConfiguration -WhatIf -ErrorAction Stop })
            $second = Get-TestWhatIfMac (Get-SriovTestWhatIf { $json | Set-SriovConfiguration -WhatIf -ErrorAction Stop })

            $first.Count | Should -Be 28
            foreach ($name in 'eno49', 'eno50', 'eno51', 'eno52') {
                $pfMac = (Get-SriovTestHostText $script:I350 "/sys/class/net/$name/address").Trim()
                foreach ($index in 0..6) {
                    $first["$name vf $index"] | Should -BeExactly (Get-TestAutoMac $pfMac $index)
                }
            }
            foreach ($mac in $first.Values) {
                $octet = [Convert]::ToByte($mac.Substring(0, 2), 16)
                $octet -band 1 | Should -Be 0 -Because "$mac is unicast"
                $octet -band 2 | Should -Be 2 -Because "$mac is locally administered"
            }
            @($first.Values | Select-Object -Unique).Count | Should -Be 28
            @($second.Keys) | Should -Be @($first.Keys)
            @($second.Values) | Should -Be @($first.Values)
        }

        It 'refuses "auto" on PFs whose MACs would give two VFs one MAC, before anything is shown' {
            # eno50 given a MAC that differs from eno49's only in bits the rule folds away.
            $script:Tree = New-SriovTestHost -Fixture 'i350-4port'
            $env:SRIOVPS_HOST_ROOT = $script:Tree
            Set-SriovTestHostFile $script:Tree '/sys/class/net/eno50/address' "9d:dc:71:5e:0f:a0`n"
            $json = '{"pfs":[{"match":{"name":"eno49"},"vfs":[{"index":0,"mac":"auto"}]},{"match":{"name":"eno50"},"vfs":[{"index":0,"mac":"auto"}]}]}'

            $whatIf = Get-SriovTestWhatIf { $json | Set-SriovConfiguration -WhatIf -ErrorAction SilentlyContinue }
            $null = $json | Set-SriovConfiguration -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue

            $whatIf | Should -BeNullOrEmpty
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "InvalidConfiguration,$script:Command"
            $errors[0].TargetObject | Should -Be 'pfs[1].vfs[0].mac'
            $errors[0].Exception.Message | Should -BeExactly "pfs[1].vfs[0].mac: eno50 vf 0 would get $(Get-TestAutoMac '9c:dc:71:5e:0f:a0' 0), which eno49 vf 0 gets too: their PFs' MACs derive the same addresses. Give these VFs their MACs in full."
        }

        It 'confirmed with -Force, refuses the kernel''s steps with one LiveHostRequired at the end, listing them, and changes nothing' {
            $before = Get-SriovTestTreeState $script:I350

            $output = @($script:Document | Set-SriovConfiguration -Force -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue)

            $output.Count | Should -Be 0
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "LiveHostRequired,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            $errors[0].TargetObject | Should -Be $script:I350
            $message = $errors[0].Exception.Message
            $message | Should -Match 'has no running kernel, so \d+ step\(s\) were not made: '
            foreach ($step in 'devlink dev eswitch set pci/0000:04:00.0 mode legacy', 'set sriov_drivers_autoprobe to 0, then re-create its VFs, 7 → 4', 'ip link set eno49 mtu 9000 up') {
                $message | Should -BeLike "*0000:04:00.0 (eno49): $step*"
            }
            # The step lists stay one line each; nothing was written, so no file is named.
            $message | Should -Not -Match "`n"
            $message | Should -Match 'Nothing was written in the tree\.$'
            Get-SriovTestTreeState $script:I350 | Should -Be $before
        }

        It 'confirmed without -Force where nothing can ask, makes nothing and says the VFs'' re-creation needs an answer' {
            $before = Get-SriovTestTreeState $script:I350

            $null = $script:Document | Set-SriovConfiguration -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors[0].FullyQualifiedErrorId | Should -Be "ConfirmationUnavailable,$script:Command"
            $errors[0].TargetObject | Should -Be '0000:04:00.0 (eno49)'
            Get-SriovTestTreeState $script:I350 | Should -Be $before
        }

        It '-PassThru outputs the drift a refused step leaves' {
            $drifts = @('{"pfs":[{"match":{"name":"eno49"},"mtu":9000}]}' |
                    Set-SriovConfiguration -PassThru -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue)

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "LiveHostRequired,$script:Command"
            @($drifts | Format-TestDrift) | Should -Be @('eno49|Mtu|9000|1500|Set-SriovPf -Name eno49 -Mtu 9000|pfs[0].mtu')
        }
    }

    Context 'persist on a copied tree' {
        BeforeAll {
            $script:Persist = '{"pfs":[{"match":{"name":"eno49"},"numVfs":7,"persist":true}]}'
            $script:RulesLine = 'ACTION=="add", SUBSYSTEM=="net", KERNELS=="0000:04:00.0", ATTR{device/sriov_numvfs}="7"'
        }

        It '-WhatIf shows only the udev line for the count the PF already has, and writes nothing' {
            $before = Get-SriovTestTreeState $script:I350

            $whatIf = Get-SriovTestWhatIf { $script:Persist | Set-SriovConfiguration -WhatIf -ErrorAction Stop }

            $whatIf | Should -Be @(Get-StepWhatIf "create 7 VFs on eno49 (0000:04:00.0) at boot: $script:RulesLine" $script:Rules)
            Get-SriovTestTreeState $script:I350 | Should -Be $before
        }

        It 'confirmed, writes the count line into the tree''s udev rules, after which Test shows no drift' {
            $script:Tree = New-SriovTestHost -Fixture 'i350-4port'
            $env:SRIOVPS_HOST_ROOT = $script:Tree
            @($script:Persist | Test-SriovConfiguration -ErrorAction Stop).Property | Should -Be @('PersistedNumVfs')

            $null = $script:Persist | Set-SriovConfiguration -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 0
            $script:Tree + $script:Rules | Should -Exist
            (Get-SriovTestHostText $script:Tree $script:Rules) -split "`n" | Should -Contain $script:RulesLine
            $script:Persist | Test-SriovConfiguration -Quiet -ErrorAction Stop | Should -BeExactly $true
        }

        It 'a second run writes nothing and shows nothing' {
            $script:Tree = New-SriovTestHost -Fixture 'i350-4port'
            $env:SRIOVPS_HOST_ROOT = $script:Tree
            $null = $script:Persist | Set-SriovConfiguration -Confirm:$false -ErrorAction SilentlyContinue
            $before = Get-SriovTestTreeState $script:Tree

            $whatIf = Get-SriovTestWhatIf { $script:Persist | Set-SriovConfiguration -WhatIf -ErrorAction Stop }
            $null = $script:Persist | Set-SriovConfiguration -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue

            $whatIf | Should -BeNullOrEmpty
            $errors.Count | Should -Be 0
            Get-SriovTestTreeState $script:Tree | Should -Be $before
        }
    }

    Context 'boot on a copied tree' {
        BeforeAll {
            $script:Boot = '{"boot":{"iommu":true,"vfioModules":true}}'
        }

        It '-WhatIf shows the GRUB edit, then the modules-load file, and writes neither' {
            $script:Tree = New-BootTestHost
            $before = Get-SriovTestTreeState $script:Tree

            $whatIf = Get-SriovTestWhatIf { $script:Boot | Set-SriovConfiguration -WhatIf -ErrorAction Stop }

            $whatIf | Should -Be @(
                Get-StepWhatIf "add intel_iommu=on iommu=pt to GRUB_CMDLINE_LINUX_DEFAULT`nline 2:`n- GRUB_CMDLINE_LINUX_DEFAULT=`"quiet splash`"`n+ GRUB_CMDLINE_LINUX_DEFAULT=`"quiet splash intel_iommu=on iommu=pt`"" $script:Grub
                Get-StepWhatIf "create: load vfio vfio_iommu_type1 vfio_pci at boot (or now: modprobe vfio-pci)`nline 1:`n+ # vfio for VFs given to guests (vfio-pci), loaded at boot; written by Enable-SriovIommu.`n+ vfio`n+ vfio_iommu_type1`n+ vfio_pci" $script:Vfio
            )
            Get-SriovTestTreeState $script:Tree | Should -Be $before
        }

        It 'confirmed, writes both files in the tree, warns that GRUB is not regenerated, and Test then finds no drift' {
            $script:Tree = New-BootTestHost
            @($script:Boot | Test-SriovConfiguration -ErrorAction Stop).Property | Should -Be @('KernelCommandLine', 'VfioModules')

            $null = $script:Boot | Set-SriovConfiguration -Confirm:$false -WarningVariable warnings -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 0
            (Get-SriovTestHostText $script:Tree $script:Grub) -split "`n" | Should -Contain 'GRUB_CMDLINE_LINUX_DEFAULT="quiet splash intel_iommu=on iommu=pt"'
            Get-SriovTestHostText $script:Tree $script:Vfio | Should -BeExactly $script:VfioText
            @($warnings | Where-Object Message -Match 'GRUB configuration of the copied host tree .* is not regenerated').Count | Should -Be 1
            @($script:Boot | Test-SriovConfiguration -ErrorAction Stop).Count | Should -Be 0
            $boot = (Get-SriovConfiguration -ErrorAction Stop).boot
            $boot.iommu | Should -BeTrue
            $boot.vfioModules | Should -BeTrue
        }

        It 'a second run makes no step, says so, and changes nothing' {
            $script:Tree = New-BootTestHost
            $null = $script:Boot | Set-SriovConfiguration -Confirm:$false -ErrorAction SilentlyContinue
            $before = Get-SriovTestTreeState $script:Tree

            $verbose = $script:Boot | Set-SriovConfiguration -Confirm:$false -Verbose -ErrorAction Stop 4>&1

            @($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message[-1] |
                Should -Be 'The host is already as the document asks: no step was made.'
            Get-SriovTestTreeState $script:Tree | Should -Be $before
        }

        It 'without /etc/default/grub, Test says boot.iommu is not compared, and Set refuses it with GrubDefaultsNotFound' {
            # i350-4port's kernel already runs with intel_iommu=on iommu=pt, and the tree has no GRUB defaults.
            $script:Tree = New-BootTestHost -NoGrub
            $before = Get-SriovTestTreeState $script:Tree
            $json = '{"boot":{"iommu":true}}'

            $drifts = @($json | Test-SriovConfiguration -WarningVariable warnings -ErrorAction Stop)
            $null = $json | Set-SriovConfiguration -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue

            $drifts.Count | Should -Be 0
            @($warnings.Message | Where-Object { $_ -like 'Not compared: the boot settings: There is no /etc/default/grub: *' }).Count | Should -Be 1
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "GrubDefaultsNotFound,$script:Command"
            Get-SriovTestTreeState $script:Tree | Should -Be $before
        }

        It 'warns that boot.appArmor is not planned on a copied tree, still makes the other boot steps, and gives no error' {
            $script:Tree = New-BootTestHost
            $json = '{"boot":{"appArmor":true,"vfioModules":true}}'

            $null = $json | Set-SriovConfiguration -Confirm:$false -WarningVariable warnings -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 0
            $warnings.Message | Should -Contain 'boot.appArmor is not planned: the rules are for the VFs this machine''s pools hand out, and libvirt is not read for a copied host tree.'
            Get-SriovTestHostText $script:Tree $script:Vfio | Should -BeExactly $script:VfioText
        }

        It 'warns that a pool is not planned on a copied tree, which Test leaves "Not compared", and still shows the other steps' {
            $before = Get-SriovTestTreeState $script:I350
            $json = '{"pfs":[{"match":{"name":"eno49"},"mtu":9000}],"pools":[{"name":"sriov-net","pfs":["eno49"],"autostart":true}]}'

            $drifts = @($json | Test-SriovConfiguration -WarningVariable testWarnings -ErrorAction Stop)
            $whatIf = Get-SriovTestWhatIf { $json | Set-SriovConfiguration -WhatIf -ErrorAction Stop }
            $null = $json | Set-SriovConfiguration -WhatIf -WarningVariable warnings -ErrorVariable errors -ErrorAction SilentlyContinue

            @($drifts | Format-TestDrift) | Should -Be @('eno49|Mtu|9000|1500|Set-SriovPf -Name eno49 -Mtu 9000|pfs[0].mtu')
            $testWarnings.Message | Should -Contain 'Not compared: the pools: libvirt is not read for a copied host tree.'
            $errors.Count | Should -Be 0
            $warnings.Message | Should -Contain 'The pool ''sriov-net'' (pools[0]) is not planned: libvirt is not read for a copied host tree.'
            $whatIf | Should -Be @(Get-StepWhatIf 'ip link set eno49 mtu 9000' '0000:04:00.0 (eno49)')
            Get-SriovTestTreeState $script:I350 | Should -Be $before
        }
    }

    Context 'a copied tree''s own files, beside the kernel''s steps' {
        It 'writes the tree''s files, even those after a refused kernel step, and refuses the kernel''s steps once at the end' {
            $script:Tree = New-BootTestHost
            Set-SriovTestHostFile $script:Tree '/usr/lib/systemd/systemd-networkd' ''
            Set-SriovTestHostFile $script:Tree '/etc/systemd/system/multi-user.target.wants/systemd-networkd.service' ''
            $network = '/etc/systemd/network/10-sriovps-eno49.network'
            $json = '{"pfs":[{"match":{"name":"eno49"},"mtu":9000,"persist":true}],"boot":{"vfioModules":true}}'
            @($json | Test-SriovConfiguration -ErrorAction Stop).Property | Should -Be @('Mtu', 'PersistedLink', 'VfioModules')

            $null = $json | Set-SriovConfiguration -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "LiveHostRequired,$script:Command"
            $errors[0].Exception.Message | Should -BeLike "The copied host tree '*' has no running kernel, so 1 step(s) were not made: 0000:04:00.0 (eno49): ip link set eno49 mtu 9000. Written in the tree: $network, $script:Vfio."
            Get-SriovTestHostText $script:Tree $network | Should -Match '(?m)^MTUBytes=9000$'
            Get-SriovTestHostText $script:Tree $script:Vfio | Should -BeExactly $script:VfioText
            # Only the running MTU is left, which the tree has no kernel to take.
            @($json | Test-SriovConfiguration -ErrorAction Stop).Property | Should -Be @('Mtu')
        }
    }

    Context 'the pipeline of its help' {
        It 'binds Get-SriovConfiguration -PfName eno49 | Set-SriovConfiguration -WhatIf, which has nothing to do' {
            $before = Get-SriovTestTreeState $script:I350

            $whatIf = Get-SriovTestWhatIf { Get-SriovConfiguration -PfName eno49 | Set-SriovConfiguration -WhatIf -ErrorAction Stop }

            $whatIf | Should -BeNullOrEmpty
            Get-SriovTestTreeState $script:I350 | Should -Be $before
        }

        It 'binds an edited Get-SriovConfiguration object, and shows the changes it asks' {
            $document = Get-SriovConfiguration -PfName eno49 -ErrorAction Stop
            $document.pfs[0].numVfs = 4
            $document.pfs[0].vfs[0].index = '0-3'

            $whatIf = Get-SriovTestWhatIf { $document | Set-SriovConfiguration -WhatIf -ErrorAction Stop }

            $whatIf | Should -Be @(
                Get-StepWhatIf 're-create its VFs, 7 → 4 (all 7 present VFs are destroyed first)' '0000:04:00.0 (eno49)'
                Get-StepWhatIf "bind the new VFs of eno49 to their drivers:`n  vf 0-3 → its default driver" '0000:04:00.0 (eno49)'
            )
        }
    }
}
