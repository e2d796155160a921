#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $script:I350 = New-SriovTestHost -Fixture 'i350-4port'
    $script:Command = 'SriovPS.Commands.SetSriovVfCommand'
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    Remove-SriovTestHost $script:I350
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Set-SriovVf' -Tag 'CI' {
    BeforeEach {
        $env:SRIOVPS_HOST_ROOT = $script:I350
    }

    AfterEach {
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
    }

    Context 'validation, before anything is read or sent' {
        It 'refuses a <Case> MAC with InvalidMacAddress' -ForEach @(
            @{ Case = 'multicast'; Mac = '01:00:5e:00:00:01' }
            @{ Case = 'broadcast'; Mac = 'ff:ff:ff:ff:ff:ff' }
            @{ Case = 'all-zeros'; Mac = '00:00:00:00:00:00' }
            @{ Case = 'malformed'; Mac = '02:53:52:00:00' }
        ) {
            { Set-SriovVf eno49 0 -MacAddress $Mac -WarningAction SilentlyContinue } |
                Should -Throw -ErrorId "InvalidMacAddress,$script:Command"
        }

        It 'refuses <Case> with InvalidVfSetting' -ForEach @(
            @{ Case = 'a MAC and -ClearMacAddress together'; Splat = @{ MacAddress = '02:53:52:00:00:10'; ClearMacAddress = $true } }
            @{ Case = 'QoS with VLAN 0'; Splat = @{ Vlan = 0; Qos = 3 } }
            @{ Case = '802.1ad with VLAN 0'; Splat = @{ Vlan = 0; VlanProtocol = '802.1ad' } }
            @{ Case = 'a minimum rate above the maximum'; Splat = @{ MinTxRate = 100; MaxTxRate = 10 } }
            @{ Case = 'no setting at all'; Splat = @{} }
        ) {
            { Set-SriovVf eno49 0 @Splat -WarningAction SilentlyContinue } |
                Should -Throw -ErrorId "InvalidVfSetting,$script:Command"
        }

        It 'accepts a minimum rate with no maximum limit (0) when only -WhatIf is asked' {
            $before = Get-SriovTestTreeState $script:I350

            $whatIf = Get-SriovTestWhatIf {
                Set-SriovVf eno49 0 -MinTxRate 100 -MaxTxRate 0 -WhatIf -WarningAction SilentlyContinue -ErrorAction Stop
            }

            $whatIf | Should -Be @('What if: Performing the operation "ip link set eno49 vf 0 min_tx_rate 100 max_tx_rate 0" on target "0000:04:10.0 (eno49 vf 0)".')
            Get-SriovTestTreeState $script:I350 | Should -Be $before
        }

        It 'refuses <Case> at parameter binding' -ForEach @(
            @{ Case = 'VLAN 4096'; Splat = @{ Vlan = 4096 } }
            @{ Case = 'VLAN -1'; Splat = @{ Vlan = -1 } }
            @{ Case = 'QoS 8'; Splat = @{ Vlan = 1; Qos = 8 } }
            @{ Case = 'an unknown VLAN protocol'; Splat = @{ Vlan = 1; VlanProtocol = '802.1x' } }
            @{ Case = 'a negative rate'; Splat = @{ MaxTxRate = -1 } }
            @{ Case = 'a negative VF number'; Splat = @{ Index = -1; Trust = $true } }
        ) {
            $arguments = @{ PfName = 'eno49'; Index = 0 }
            foreach ($key in $Splat.Keys) { $arguments[$key] = $Splat[$key] }
            { Set-SriovVf @arguments -WarningAction SilentlyContinue } |
                Should -Throw -ErrorId "ParameterArgumentValidationError,$script:Command"
        }

        It 'reports a VF number past the PF''s VFs as SriovVfNotFound and goes on with the next' {
            Set-SriovVf eno49 7, 5 -Trust $true -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            $errors.Count | Should -Be 2
            $errors[0].FullyQualifiedErrorId | Should -Be "SriovVfNotFound,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $errors[0].Exception.Message | Should -Be 'eno49 has 7 VFs (0–6): there is no VF 7.'
            $errors[1].FullyQualifiedErrorId | Should -Be "LiveHostRequired,$script:Command"
            $errors[1].Exception.Message | Should -Match 'eno49 vf 5'
        }

        It 'refuses one MAC for several VFs before anything is sent' {
            Set-SriovVf eno49 0, 1 -MacAddress 02:53:52:00:00:10 -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "InvalidVfSetting,$script:Command"
            $errors[0].Exception.Message | Should -Match 'names 2 VFs'
        }

        It 'reports a PF that does not exist as SriovPfNotFound' {
            Set-SriovVf nosuch 0 -Trust $true -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            $errors[0].FullyQualifiedErrorId | Should -Be "SriovPfNotFound,$script:Command"
        }
    }

    Context 'on a copied host tree' {
        It 'warns once that it cannot apply, and -WhatIf changes nothing, not even a rebind' {
            # A tree of its own: the warning is given once per command line and tree.
            $tree = New-SriovTestHost -Fixture 'i350-4port'
            $env:SRIOVPS_HOST_ROOT = $tree
            # Driver bind files in the copied tree, and VF 0's interface down so a rebind is due:
            # a rebind that ignored -WhatIf would write them.
            $drivers = Join-Path $tree 'sys/bus/pci/drivers/igbvf'
            $null = New-Item -ItemType Directory -Path $drivers -Force
            Set-Content -LiteralPath (Join-Path $drivers 'bind'), (Join-Path $drivers 'unbind') -Value '' -NoNewline
            Set-Content -LiteralPath (Join-Path $tree 'sys/class/net/enp4s16f0/flags') -Value '0x1002'
            $before = Get-SriovTestTreeState $tree

            $output = Set-SriovVf eno49 0 -MacAddress 02:53:52:00:00:10 -Vlan 42 -Qos 3 -SpoofCheck $true -Trust $true -Rebind -WhatIf `
                -WarningVariable warnings -WarningAction SilentlyContinue -ErrorVariable errors -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 0
            $warnings.Count | Should -Be 1
            $warnings[0].Message | Should -Match 'kernel are shown \(-WhatIf\) but not made'
            Get-SriovTestTreeState $tree | Should -Be $before
            Remove-SriovTestHost $tree
        }

        It 'never rebinds a VF whose interface is up, and says why' {
            $null = Set-SriovVf eno49 1 -MacAddress 02:53:52:00:00:11 -Rebind -WhatIf `
                -WarningVariable warnings -WarningAction SilentlyContinue -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 0
            $own = @($warnings | Where-Object Message -NotMatch 'is a copied host tree')
            $own.Count | Should -Be 1
            $own[0].Message | Should -Match 'is not rebound: its interface enp4s16f4 is up'
        }

        It 'says LiveHostRequired for each VF without -WhatIf, the pipeline going on, and changes nothing' {
            $before = Get-SriovTestTreeState $script:I350

            Get-SriovVf eno49 -Index 0, 1 -WarningAction SilentlyContinue |
                Set-SriovVf -Trust $true -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            $errors.Count | Should -Be 2
            $errors | ForEach-Object { $_.FullyQualifiedErrorId } | Select-Object -Unique | Should -Be "LiveHostRequired,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            $errors[0].Exception.Message | Should -Match 'eno49 vf 0'
            Get-SriovTestTreeState $script:I350 | Should -Be $before
        }

        It 'takes PFs from Get-SriovPf by name with -Index' {
            Get-SriovPf eno49, eno50 -WarningAction SilentlyContinue | Set-SriovVf -Index 6 -Trust $true -Confirm:$false `
                -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            $errors.Count | Should -Be 2
            $errors | ForEach-Object { $_.FullyQualifiedErrorId } | Select-Object -Unique | Should -Be "LiveHostRequired,$script:Command"
            $errors[0].Exception.Message | Should -Match 'eno49 vf 6'
            $errors[1].Exception.Message | Should -Match 'eno50 vf 6'
        }
    }

    Context 'help' {
        It 'documents every parameter with the ip link word it stands for' {
            $help = Get-Help Set-SriovVf -Full

            $help.Synopsis | Should -Match 'MAC, VLAN'
            ($help.Examples.Example | Measure-Object).Count | Should -BeGreaterOrEqual 2
            ($help.Parameters.Parameter | Where-Object Name -EQ 'Vlan').Description.Text | Should -Match 'vlan VLAN'
        }
    }
}
