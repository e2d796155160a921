#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $script:I350 = New-SriovTestHost -Fixture 'i350-4port'
    $script:Command = 'SriovPS.Commands.SetSriovVfDriverCommand'
    $script:RulesPath = 'etc/udev/rules.d/70-sriovps.rules'

    # Adds the PCI function at $Device to IOMMU group $Group of a host tree, as a switch without ACS would.
    function Add-IommuGroupMember {
        param([string] $Root, [int] $Group, [string] $Device)
        $link = Join-Path $Root "sys/kernel/iommu_groups/$Group/devices/$Device"
        $parent = if ($Device.StartsWith('0000:04:')) { '0000:00:02.2/' } else { '' }
        $null = New-Item -ItemType SymbolicLink -Path $link -Target "../../../../devices/pci0000:00/$parent$Device"
    }

    # VF 0 of eno49 (0000:04:10.0, IOMMU group 39) on vfio-pci, its group held by a QEMU as /proc shows it.
    function Add-VfioHolder {
        param([string] $Root)
        $vf = Join-Path $Root 'sys/devices/pci0000:00/0000:00:02.2/0000:04:10.0'
        [System.IO.File]::Delete((Join-Path $vf 'driver'))
        [System.IO.File]::CreateSymbolicLink((Join-Path $vf 'driver'), '../../../../bus/pci/drivers/vfio-pci') | Out-Null
        # The class link first, while its target exists; .NET removes a link itself, never what it points at.
        [System.IO.File]::Delete((Join-Path $Root 'sys/class/net/enp4s16f0'))
        [System.IO.Directory]::Delete((Join-Path $vf 'net'), $true)
        $process = Join-Path $Root 'proc/4242'
        $null = New-Item -ItemType Directory -Path (Join-Path $process 'fd') -Force
        [System.IO.File]::WriteAllText((Join-Path $process 'cmdline'), "qemu-system-x86_64`0-name`0guest=vm1`0")
        [System.IO.File]::CreateSymbolicLink((Join-Path $process 'fd/23'), '/dev/vfio/39') | Out-Null
    }

    # The What-if message of binding the VF $Target ('0000:04:10.4 (eno49 vf 1)'), now on igbvf, to $Driver.
    function Get-BindWhatIf {
        param([string] $Driver, [string] $Target)
        "What if: Performing the operation `"bind to $Driver (now igbvf): driver_override=$Driver, unbind from igbvf, drivers_probe`" on target `"$Target`"."
    }
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    Remove-SriovTestHost $script:I350
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Set-SriovVfDriver' -Tag 'CI' {
    BeforeEach {
        $env:SRIOVPS_HOST_ROOT = $script:I350
    }

    AfterEach {
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
    }

    Context 'validation, before anything is written' {
        It 'ends the command with InvalidDriverName for <Driver>, which is no driver name' -ForEach @(
            @{ Driver = '../x' }
            @{ Driver = 'vfio-pci/../../igb' }
            @{ Driver = 'vfio pci' }
        ) {
            $before = Get-SriovTestTreeState $script:I350

            { Set-SriovVfDriver eno49 -Index 0 -Driver $Driver -WarningAction SilentlyContinue } |
                Should -Throw -ErrorId "InvalidDriverName,$script:Command"
            Get-SriovTestTreeState $script:I350 | Should -Be $before
        }

        It 'refuses a negative VF number at parameter binding' {
            { Set-SriovVfDriver eno49 -Index -1 -Driver vfio-pci -WarningAction SilentlyContinue } |
                Should -Throw -ErrorId "ParameterArgumentValidationError,$script:Command"
        }

        It 'reports a VF number past the PF''s VFs as SriovVfNotFound' {
            Set-SriovVfDriver eno49 -Index 9 -Driver vfio-pci -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "SriovVfNotFound,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $errors[0].Exception.Message | Should -Be 'eno49 has 7 VFs (0–6): there is no VF 9.'
        }

        It 'throws SriovVfNotFound with -ErrorAction Stop' {
            { Set-SriovVfDriver eno49 -Index 9 -Driver vfio-pci -WhatIf -ErrorAction Stop -WarningAction SilentlyContinue } |
                Should -Throw -ErrorId "SriovVfNotFound,$script:Command"
        }

        It 'reports a PF that does not exist as SriovPfNotFound' {
            Set-SriovVfDriver nosuch -Driver vfio-pci -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "SriovPfNotFound,$script:Command"
        }
    }

    Context 'on a copied host tree' {
        It 'changes nothing with -WhatIf, -Persist included, writes no error and warns once that it cannot apply' {
            # A tree of its own: the warning is given once per command line and tree.
            $tree = New-SriovTestHost -Fixture 'i350-4port'
            $env:SRIOVPS_HOST_ROOT = $tree
            $before = Get-SriovTestTreeState $tree

            $output = Set-SriovVfDriver eno49 -Index 0, 1 -Driver vfio-pci -Persist -WhatIf `
                -WarningVariable warnings -WarningAction SilentlyContinue -ErrorVariable errors -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 0
            ($warnings | Where-Object Message -Match 'kernel are shown \(-WhatIf\) but not made').Count | Should -Be 1
            Get-SriovTestTreeState $tree | Should -Be $before
            Join-Path $tree $script:RulesPath | Should -Not -Exist
            Remove-SriovTestHost $tree
        }

        It 'changes nothing with -WhatIf for every VF of a PF when -Index is left out' {
            $before = Get-SriovTestTreeState $script:I350

            $whatIf = Get-SriovTestWhatIf {
                Set-SriovVfDriver eno50 -Driver vfio-pci -Persist -WhatIf -WarningAction SilentlyContinue -ErrorAction Stop
            }

            $whatIf | Should -HaveCount 8
            $whatIf[0..6] | Should -Be @(
                Get-BindWhatIf vfio-pci '0000:04:10.1 (eno50 vf 0)'
                Get-BindWhatIf vfio-pci '0000:04:10.5 (eno50 vf 1)'
                Get-BindWhatIf vfio-pci '0000:04:11.1 (eno50 vf 2)'
                Get-BindWhatIf vfio-pci '0000:04:11.5 (eno50 vf 3)'
                Get-BindWhatIf vfio-pci '0000:04:12.1 (eno50 vf 4)'
                Get-BindWhatIf vfio-pci '0000:04:12.5 (eno50 vf 5)'
                Get-BindWhatIf vfio-pci '0000:04:13.1 (eno50 vf 6)')
            $whatIf[7] | Should -Match ([regex]::Escape("vf 0 → vfio-pci, vf 1 → vfio-pci, vf 2 → vfio-pci, vf 3 → vfio-pci, vf 4 → vfio-pci, vf 5 → vfio-pci, vf 6 → vfio-pci), with sriov_drivers_autoprobe 0 on eno50`" on target `"/etc/udev/rules.d/70-sriovps.rules`"."))
            Get-SriovTestTreeState $script:I350 | Should -Be $before
        }

        It 'says LiveHostRequired when confirmed, and changes nothing, the rules file included' {
            $before = Get-SriovTestTreeState $script:I350

            Set-SriovVfDriver eno49 -Index 0 -Driver vfio-pci -Persist -Confirm:$false `
                -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "LiveHostRequired,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            $errors[0].Exception.Message | Should -Match 'eno49 vf 0'
            Get-SriovTestTreeState $script:I350 | Should -Be $before
            Join-Path $script:I350 $script:RulesPath | Should -Not -Exist
        }

        It 'writes nothing for Default on a VF already on its own driver, says so, and passes the VF through' {
            $result = Set-SriovVfDriver eno49 -Index 0 -Driver default -PassThru -Verbose -Confirm:$false `
                -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue 4>&1

            $errors.Count | Should -Be 0
            ($result | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message |
                Should -Contain 'eno49 vf 0 is already on igbvf with driver_override (null): nothing written.'
            $vf = @($result | Where-Object { $_ -is [SriovPS.SriovVf] })
            $vf.Count | Should -Be 1
            $vf[0].PciAddress | Should -Be '0000:04:10.0'
            $vf[0].Driver | Should -Be 'igbvf'
        }
    }

    Context 'IOMMU groups' {
        BeforeAll {
            # VF 1 of eno49 (0000:04:10.4) also in VF 0's group 39, and the root port in VF 1's group 40.
            $script:Shared = New-SriovTestHost -Fixture 'i350-4port'
            Add-IommuGroupMember -Root $script:Shared -Group 39 -Device '0000:04:10.4'
            Add-IommuGroupMember -Root $script:Shared -Group 40 -Device '0000:00:02.2'
        }

        AfterAll {
            Remove-SriovTestHost $script:Shared
        }

        BeforeEach {
            $env:SRIOVPS_HOST_ROOT = $script:Shared
        }

        It 'refuses to move VF 0 alone to vfio-pci with IommuGroupShared, naming the device that stays' {
            $before = Get-SriovTestTreeState $script:Shared

            Set-SriovVfDriver eno49 -Index 0 -Driver vfio-pci -WhatIf `
                -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "IommuGroupShared,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            $errors[0].Exception.Message | Should -Match '^eno49 vf 0 shares IOMMU group 39 with 0000:04:10\.4 \(igbvf, enp4s16f4\)'
            Get-SriovTestTreeState $script:Shared | Should -Be $before
        }

        It 'refuses it also when confirmed, leaving nothing to apply' {
            Set-SriovVfDriver eno49 -Index 0 -Driver vfio-pci -Confirm:$false `
                -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "IommuGroupShared,$script:Command"
        }

        It 'judges VF 0 and VF 1 together when both arrive through the pipeline' {
            $before = Get-SriovTestTreeState $script:Shared

            $whatIf = Get-SriovTestWhatIf {
                Get-SriovVf eno49 -Index 0, 1 -WarningAction SilentlyContinue |
                    Set-SriovVfDriver -Driver vfio-pci -WhatIf -ErrorAction Stop -WarningAction SilentlyContinue
            }

            $whatIf | Should -Be @(
                Get-BindWhatIf vfio-pci '0000:04:10.0 (eno49 vf 0)'
                Get-BindWhatIf vfio-pci '0000:04:10.4 (eno49 vf 1)')
            Get-SriovTestTreeState $script:Shared | Should -Be $before
        }

        It 'lets a bridge share a group: VF 1 moves alone' {
            $before = Get-SriovTestTreeState $script:Shared

            $whatIf = Get-SriovTestWhatIf {
                Set-SriovVfDriver eno49 -Index 1 -Driver vfio-pci -WhatIf -ErrorAction Stop -WarningAction SilentlyContinue
            }

            $whatIf | Should -Be @(Get-BindWhatIf vfio-pci '0000:04:10.4 (eno49 vf 1)')
            Get-SriovTestTreeState $script:Shared | Should -Be $before
        }

        It 'does not check groups for a driver that is not vfio' {
            $before = Get-SriovTestTreeState $script:Shared

            $whatIf = Get-SriovTestWhatIf {
                Set-SriovVfDriver eno49 -Index 0 -Driver pci-stub -WhatIf -ErrorAction Stop -WarningAction SilentlyContinue
            }

            $whatIf | Should -Be @(Get-BindWhatIf pci-stub '0000:04:10.0 (eno49 vf 0)')
            Get-SriovTestTreeState $script:Shared | Should -Be $before
        }

        It 'lets VF 0 move alone once the other device of its group is on vfio-pci' {
            $tree = New-SriovTestHost -Fixture 'i350-4port'
            try {
                Add-IommuGroupMember -Root $tree -Group 39 -Device '0000:04:10.4'
                $driver = Join-Path $tree 'sys/devices/pci0000:00/0000:00:02.2/0000:04:10.4/driver'
                [System.IO.File]::Delete($driver)
                [System.IO.File]::CreateSymbolicLink($driver, '../../../../bus/pci/drivers/vfio-pci') | Out-Null
                $env:SRIOVPS_HOST_ROOT = $tree
                $before = Get-SriovTestTreeState $tree

                $whatIf = Get-SriovTestWhatIf {
                    Set-SriovVfDriver eno49 -Index 0 -Driver vfio-pci -WhatIf -ErrorAction Stop -WarningAction SilentlyContinue
                }

                $whatIf | Should -Be @(Get-BindWhatIf vfio-pci '0000:04:10.0 (eno49 vf 0)')
                Get-SriovTestTreeState $tree | Should -Be $before
            }
            finally {
                $env:SRIOVPS_HOST_ROOT = $script:Shared
                Remove-SriovTestHost $tree
            }
        }
    }

    Context 'without an IOMMU' {
        BeforeAll {
            $script:NoIommu = New-SriovTestHost -Fixture 'iommu-off'
        }

        AfterAll {
            Remove-SriovTestHost $script:NoIommu
        }

        It 'refuses vfio-pci with VfioRequiresIommu, and changes nothing' {
            $env:SRIOVPS_HOST_ROOT = $script:NoIommu
            $before = Get-SriovTestTreeState $script:NoIommu

            Set-SriovVfDriver eno1 -Index 0 -Driver vfio-pci -Confirm:$false `
                -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "VfioRequiresIommu,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            $errors[0].Exception.Message | Should -Match '^eno1 vf 0 has no IOMMU group'
            Get-SriovTestTreeState $script:NoIommu | Should -Be $before
        }
    }

    Context 'holders' {
        BeforeAll {
            $script:Held = New-SriovTestHost -Fixture 'i350-4port'
            Add-VfioHolder $script:Held
        }

        AfterAll {
            Remove-SriovTestHost $script:Held
        }

        It 'refuses to take a VF from vfio-pci while a process has its group open, naming the process' {
            $env:SRIOVPS_HOST_ROOT = $script:Held
            $before = Get-SriovTestTreeState $script:Held

            Set-SriovVfDriver eno49 -Index 0 -Driver Default -Confirm:$false `
                -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "VfsInUse,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'ResourceBusy'
            $errors[0].Exception.Message | Should -Match '^eno49 vf 0 cannot leave vfio-pci while it is in use'
            $errors[0].Exception.Message | Should -Match 'PID 4242 \(qemu-system-x86_64 -name guest=vm1\) has /dev/vfio/39 open'
            Get-SriovTestTreeState $script:Held | Should -Be $before
        }
    }

    Context 'the command' {
        It 'has the sets ByPfName (default) and ByInputObject, and no -Force' {
            $command = Get-Command Set-SriovVfDriver

            $command.ParameterSets.Name | Sort-Object | Should -Be @('ByInputObject', 'ByPfName')
            $command.DefaultParameterSet | Should -Be 'ByPfName'
            $command.Parameters['PfName'].Aliases | Should -Contain 'Name'
            $command.Parameters['PfName'].ParameterSets['ByPfName'].Position | Should -Be 0
            $command.Parameters['PfName'].ParameterSets['ByPfName'].IsMandatory | Should -BeTrue
            $command.Parameters['PfName'].ParameterSets['ByPfName'].ValueFromPipelineByPropertyName | Should -BeTrue
            @($command.Parameters['Index'].ParameterSets.Keys) | Should -Be @('ByPfName')
            $command.Parameters['Index'].ParameterSets['ByPfName'].IsMandatory | Should -BeFalse
            $command.Parameters['InputObject'].ParameterType | Should -Be ([SriovPS.SriovVf[]])
            $command.Parameters['InputObject'].ParameterSets['ByInputObject'].ValueFromPipeline | Should -BeTrue
            $command.Parameters['Driver'].ParameterSets['__AllParameterSets'].IsMandatory | Should -BeTrue
            $command.Parameters.ContainsKey('Force') | Should -BeFalse
            $command.OutputType.Name | Should -Contain 'SriovPS.SriovVf'
        }

        It 'asks unless told otherwise: its ConfirmImpact is Medium' {
            (Get-Command Set-SriovVfDriver).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact |
                Should -Be 'Medium'
        }

        It 'documents the IOMMU-group rule and -Persist' {
            $help = Get-Help Set-SriovVfDriver -Full

            ($help.Examples.Example | Measure-Object).Count | Should -BeGreaterOrEqual 2
            ($help.Parameters.Parameter | Where-Object Name -EQ 'Persist').Description.Text | Should -Match '70-sriovps.rules'
        }
    }
}
