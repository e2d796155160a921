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

    Context '-MacAddress Auto' {
        BeforeAll {
            # The rule, worked out here on its own: octet 0 the PF's first three folded into six bits,
            # locally administered and unicast; octets 1-3 the PF's last three; octets 4-5 the VF number.
            function Get-RuleMac([string] $PfMac, [int] $Index) {
                $o = $PfMac -split '[:-]' | ForEach-Object { [Convert]::ToInt32($_, 16) }
                $first = (($o[0] -bxor $o[1] -bxor $o[2]) -band 0xFC) -bor 2
                ($first, $o[3], $o[4], $o[5], ($Index -shr 8), ($Index -band 0xFF) | ForEach-Object { '{0:x2}' -f $_ }) -join ':'
            }

            # Every VF of the host's PFs that no running guest holds as "ip link set PF vf N mac M", from the PFs' permanent MACs (else their MACs).
            function Get-ExpectedAction {
                foreach ($pf in Get-SriovPf -WarningAction SilentlyContinue) {
                    $source = if ($pf.PermanentMacAddress -and $pf.PermanentMacAddress -ne '00:00:00:00:00:00') { $pf.PermanentMacAddress } else { $pf.MacAddress }
                    foreach ($vf in Get-SriovVf -PfName $pf.Name -WarningAction SilentlyContinue | Where-Object { -not $_.Owner }) {
                        'ip link set {0} vf {1} mac {2}' -f $pf.Name, $vf.Index, (Get-RuleMac $source $vf.Index)
                    }
                }
            }

            function Get-PlannedAction([scriptblock] $ScriptBlock) {
                $shown = Get-SriovTestWhatIf $ScriptBlock
                foreach ($message in $shown) { if ($message -match '^What if: Performing the operation "([^"]+)"') { $Matches[1] } }
            }

            $script:LabGuest = Resolve-Path (Join-Path $PSScriptRoot '../fixtures/snapshots/lab-guest') | Select-Object -ExpandProperty Path
        }

        It 'plans each VF''s MAC by the rule on <Name>, the same twice, all unique, unicast and locally administered' -ForEach @(
            @{ Name = 'i350-4port' }
            @{ Name = 'the lab snapshot' }
        ) {
            $root = if ($Name -eq 'i350-4port') { $script:I350 } else { $script:LabGuest }
            $env:SRIOVPS_HOST_ROOT = $root
            $before = Get-SriovTestTreeState $root
            $expected = @(Get-ExpectedAction)

            $first = @(Get-PlannedAction { Get-SriovPf -WarningAction SilentlyContinue | Get-SriovVf -WarningAction SilentlyContinue | Set-SriovVf -MacAddress Auto -WhatIf -WarningAction SilentlyContinue -ErrorAction Stop })
            $second = @(Get-PlannedAction { Get-SriovPf -WarningAction SilentlyContinue | Get-SriovVf -WarningAction SilentlyContinue | Set-SriovVf -MacAddress auto -WhatIf -WarningAction SilentlyContinue -ErrorAction Stop })

            $expected.Count | Should -BeGreaterThan 0
            $first | Should -Be $expected
            $second | Should -Be $first
            $macs = $first | ForEach-Object { ($_ -split ' ')[-1] }
            @($macs | Select-Object -Unique).Count | Should -Be $macs.Count
            foreach ($mac in $macs) {
                $octet = [Convert]::ToInt32($mac.Substring(0, 2), 16)
                $octet -band 1 | Should -Be 0
                $octet -band 2 | Should -Be 2
            }
            Get-SriovTestTreeState $root | Should -Be $before
        }

        It 'takes VFs by PF name and number, and from Get-SriovVf -PfName' {
            $byName = @(Get-PlannedAction { Set-SriovVf -PfName eno49 -Index 0, 1 -MacAddress Auto -WhatIf -WarningAction SilentlyContinue -ErrorAction Stop })
            $piped = @(Get-PlannedAction { Get-SriovVf -PfName eno49 -WarningAction SilentlyContinue | Set-SriovVf -MacAddress Auto -WhatIf -WarningAction SilentlyContinue -ErrorAction Stop })

            $byName | Should -Be @('ip link set eno49 vf 0 mac 32:5e:0f:a0:00:00', 'ip link set eno49 vf 1 mac 32:5e:0f:a0:00:01')
            $piped.Count | Should -Be 7
            $piped[6] | Should -Be 'ip link set eno49 vf 6 mac 32:5e:0f:a0:00:06'
        }

        It 'plans the same MACs for VFs that were serialized and read back (Export-Clixml, a job), as for live ones' {
            $live = @(Get-PlannedAction { Get-SriovVf -PfName eno49 -WarningAction SilentlyContinue | Set-SriovVf -MacAddress Auto -WhatIf -WarningAction SilentlyContinue -ErrorAction Stop })
            $bags = Get-SriovVf -PfName eno49 -WarningAction SilentlyContinue | ForEach-Object {
                [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($_))
            }
            $bags[0].pstypenames[0] | Should -Be 'Deserialized.SriovPS.SriovVf'

            $read = @(Get-PlannedAction { $bags | Set-SriovVf -MacAddress Auto -WhatIf -WarningAction SilentlyContinue -ErrorAction Stop })

            $read | Should -Be $live
            $read.Count | Should -Be 7
        }

        It 'leaves the VFs a running guest holds as they are, with a warning each, on the lab snapshot' {
            $env:SRIOVPS_HOST_ROOT = $script:LabGuest

            $shown = @(Get-PlannedAction { Set-SriovVf eth1 0, 1, 2 -MacAddress Auto -WhatIf -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction Stop; $script:Warnings = $warnings })

            $shown | Should -Be @('ip link set eth1 vf 2 mac 06:12:34:02:00:02')
            @($script:Warnings | ForEach-Object Message | Where-Object { $_ -like '*left as it is.' }) | Should -Be @(
                'eth1 vf 0 is z-snapshot-1''s: its MAC is the guest''s (libvirt sets it); left as it is.'
                'eth1 vf 1 is z-snapshot-1''s: its MAC is the guest''s (libvirt sets it); left as it is.')
        }

        It 'is refused on the lab snapshot without -WhatIf, changing nothing' {
            $env:SRIOVPS_HOST_ROOT = $script:LabGuest
            $before = Get-SriovTestTreeState $script:LabGuest

            Set-SriovVf eth0 0 -MacAddress Auto -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "SnapshotReadOnly,$script:Command"
            Get-SriovTestTreeState $script:LabGuest | Should -Be $before
        }

        It 'refuses a PF without a MAC with PfMacAddressUnusable before anything is planned' {
            $tree = New-SriovTestHost -Fixture 'i350-4port'
            $env:SRIOVPS_HOST_ROOT = $tree
            Set-SriovTestHostFile $tree '/sys/class/net/eno50/address' "00:00:00:00:00:00`n"
            $before = Get-SriovTestTreeState $tree

            $shown = @(Get-PlannedAction { Get-SriovPf -WarningAction SilentlyContinue | Get-SriovVf -WarningAction SilentlyContinue | Set-SriovVf -MacAddress Auto -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue; $script:Errors = $errors })

            $shown.Count | Should -Be 0
            $script:Errors.Count | Should -Be 1
            $script:Errors[0].FullyQualifiedErrorId | Should -Be "PfMacAddressUnusable,$script:Command"
            $script:Errors[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            $script:Errors[0].TargetObject | Should -Be 'eno50'
            Get-SriovTestTreeState $tree | Should -Be $before
            Remove-SriovTestHost $tree
        }

        It 'refuses PFs that derive the same MACs with MacAddressInUse before anything is planned' {
            $tree = New-SriovTestHost -Fixture 'i350-4port'
            $env:SRIOVPS_HOST_ROOT = $tree
            Set-SriovTestHostFile $tree '/sys/class/net/eno51/address' "9c:dc:71:5e:0f:a0`n"

            $shown = @(Get-PlannedAction { Set-SriovVf eno49, eno51 0 -MacAddress Auto -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue; $script:Errors = $errors })

            $shown.Count | Should -Be 0
            $script:Errors.Count | Should -Be 1
            $script:Errors[0].FullyQualifiedErrorId | Should -Be "MacAddressInUse,$script:Command"
            $script:Errors[0].CategoryInfo.Category | Should -Be 'ResourceExists'
            $script:Errors[0].Exception.Message | Should -Match 'to eno49 vf 0 and to eno51 vf 0'
            Remove-SriovTestHost $tree
        }

        It 'completes Auto for -MacAddress' {
            $completion = TabExpansion2 -inputScript 'Set-SriovVf eno49 0 -MacAddress au' -cursorColumn 34

            $completion.CompletionMatches.CompletionText | Should -Be 'Auto'
        }
    }

    Context '-Persist' {
        BeforeEach {
            $script:Tree = New-SriovTestHost -Fixture 'i350-4port'
            $env:SRIOVPS_HOST_ROOT = $script:Tree
        }

        AfterEach {
            Remove-SriovTestHost $script:Tree
        }

        It 'shows the rules file edit with -WhatIf after the VFs, and writes nothing' {
            Set-SriovTestHostFile $script:Tree '/usr/sbin/ip' ''
            $before = Get-SriovTestTreeState $script:Tree

            $whatIf = Get-SriovTestWhatIf { Set-SriovVf eno49 0, 1 -MacAddress Auto -Persist -WhatIf -WarningAction SilentlyContinue -ErrorAction Stop }

            $whatIf.Count | Should -Be 3
            $whatIf[2] | Should -Be ('What if: Performing the operation "keep the MACs of eno49 vf 0, eno49 vf 1 when the VFs are re-created:' + "`n" +
                '+ ACTION=="add", SUBSYSTEM=="net", KERNELS=="0000:04:00.0", TEST=="device/virtfn0", RUN+="/usr/sbin/ip link set dev if$attr{ifindex} vf 0 mac 32:5e:0f:a0:00:00"' + "`n" +
                '+ ACTION=="add", SUBSYSTEM=="net", KERNELS=="0000:04:00.0", TEST=="device/virtfn1", RUN+="/usr/sbin/ip link set dev if$attr{ifindex} vf 1 mac 32:5e:0f:a0:00:01"" on target "/etc/udev/rules.d/70-sriovps.rules".')
            Get-SriovTestTreeState $script:Tree | Should -Be $before
        }

        It 'with -ClearMacAddress shows the VF''s line removed, in the <Form> form' -ForEach @(
            @{ Form = 'present'; Line = 'ACTION=="add", SUBSYSTEM=="net", KERNELS=="0000:04:00.0", TEST=="device/virtfn0", RUN+="/usr/sbin/ip link set dev if$attr{ifindex} vf 0 mac 32:5e:0f:a0:00:00"' }
            @{ Form = 'earlier'; Line = 'ACTION=="add", SUBSYSTEM=="pci", KERNEL=="0000:04:10.0", RUN+="/usr/sbin/ip link set dev eno49 vf 0 mac 32:5e:0f:a0:00:00"' }
        ) {
            Set-SriovTestHostFile $script:Tree '/usr/sbin/ip' ''
            Set-SriovTestHostFile $script:Tree '/etc/udev/rules.d/70-sriovps.rules' ($Line + "`n")
            $before = Get-SriovTestTreeState $script:Tree

            $whatIf = Get-SriovTestWhatIf { Set-SriovVf eno49 0 -ClearMacAddress -Persist -WhatIf -WarningAction SilentlyContinue -ErrorAction Stop }

            $whatIf[-1] | Should -BeLike '*keep the MACs of eno49 vf 0 when the VFs are re-created:*- the MAC line of eno49 vf 0"*'
            Get-SriovTestTreeState $script:Tree | Should -Be $before
        }

        It 'shows the line with /usr/sbin/ip where the files have no ip (only the running host''s is required), and clears with none' {
            Set-SriovTestHostFile $script:Tree '/etc/udev/rules.d/70-sriovps.rules' ('ACTION=="add", SUBSYSTEM=="net", KERNELS=="0000:04:00.0", TEST=="device/virtfn0", RUN+="/usr/sbin/ip link set dev if$attr{ifindex} vf 0 mac 32:5e:0f:a0:00:00"' + "`n")
            $before = Get-SriovTestTreeState $script:Tree

            $added = Get-SriovTestWhatIf { Set-SriovVf eno49 1 -MacAddress Auto -Persist -WhatIf -WarningAction SilentlyContinue -ErrorAction Stop }
            $cleared = Get-SriovTestWhatIf { Set-SriovVf eno49 0 -ClearMacAddress -Persist -WhatIf -WarningAction SilentlyContinue -ErrorAction Stop }

            $added[-1] | Should -BeLike '*RUN+="/usr/sbin/ip link set dev if$attr{ifindex} vf 1 mac 32:5e:0f:a0:00:01""*'
            $cleared[-1] | Should -BeLike '*- the MAC line of eno49 vf 0"*'
            Get-SriovTestTreeState $script:Tree | Should -Be $before
        }

        It 'refuses <Case> before anything is sent' -ForEach @(
            @{ Case = '-Persist with another setting'; Splat = @{ MacAddress = 'Auto'; Vlan = 5 }; Ip = $true; Id = 'InvalidVfSetting'; Category = 'InvalidArgument' }
            @{ Case = '-Persist without a MAC'; Splat = @{ Trust = $true }; Ip = $true; Id = 'InvalidVfSetting'; Category = 'InvalidArgument' }
        ) {
            if ($Ip) { Set-SriovTestHostFile $script:Tree '/usr/sbin/ip' '' }
            $before = Get-SriovTestTreeState $script:Tree

            $thrown = { Set-SriovVf eno49 0 @Splat -Persist -WhatIf -WarningAction SilentlyContinue } | Should -Throw -PassThru -ErrorId "$Id,$script:Command"

            $thrown.CategoryInfo.Category | Should -Be $Category
            $thrown.Exception.Message | Should -Match '-Persist'
            Get-SriovTestTreeState $script:Tree | Should -Be $before
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
