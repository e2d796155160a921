#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $script:I350 = New-SriovTestHost -Fixture 'i350-4port'
    $script:Command = 'SriovPS.Commands.SetSriovPfCommand'
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    Remove-SriovTestHost $script:I350
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Set-SriovPf' -Tag 'CI' {
    BeforeEach {
        $env:SRIOVPS_HOST_ROOT = $script:I350
    }

    AfterEach {
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
    }

    Context 'validation, before anything is read or sent' {
        It 'ends the command with InvalidPfSetting when no setting is named' {
            { Set-SriovPf eno49 -WarningAction SilentlyContinue } |
                Should -Throw -ErrorId "InvalidPfSetting,$script:Command"
        }

        It 'ends the command with InvalidPfSetting for -Persist with <Case>' -ForEach @(
            @{ Case = 'only -EswitchMode'; Splat = @{ EswitchMode = 'Switchdev' } }
            @{ Case = 'only -DriversAutoprobe'; Splat = @{ DriversAutoprobe = $false } }
            @{ Case = '-EswitchMode and -DriversAutoprobe'; Splat = @{ EswitchMode = 'Legacy'; DriversAutoprobe = $true } }
        ) {
            $before = Get-SriovTestTreeState $script:I350

            { Set-SriovPf eno49 -Persist @Splat -Confirm:$false -WarningAction SilentlyContinue } |
                Should -Throw -ErrorId "InvalidPfSetting,$script:Command"
            Get-SriovTestTreeState $script:I350 | Should -Be $before
        }

        It 'refuses <Case> at parameter binding' -ForEach @(
            @{ Case = 'MTU 10'; Splat = @{ Mtu = 10 } }
            @{ Case = 'MTU 67'; Splat = @{ Mtu = 67 } }
            @{ Case = 'MTU 65536'; Splat = @{ Mtu = 65536 } }
            @{ Case = 'an unknown link state'; Splat = @{ LinkState = 'Sideways' } }
        ) {
            { Set-SriovPf eno49 @Splat -WarningAction SilentlyContinue } |
                Should -Throw -ErrorId "ParameterArgumentValidationError,$script:Command"
        }

        It 'refuses -Mtu 10 as a parameter binding error' {
            { Set-SriovPf eno49 -Mtu 10 -WarningAction SilentlyContinue } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,SriovPS.Commands.SetSriovPfCommand'
        }

        It 'reports a PF that does not exist as SriovPfNotFound' {
            Set-SriovPf nosuch -LinkState Up -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "SriovPfNotFound,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }

        It 'throws SriovPfNotFound with -ErrorAction Stop' {
            { Set-SriovPf nosuch -LinkState Up -Confirm:$false -ErrorAction Stop -WarningAction SilentlyContinue } |
                Should -Throw -ErrorId "SriovPfNotFound,$script:Command"
        }
    }

    Context 'on a copied host tree' {
        It 'changes nothing with -WhatIf, every setting named, and warns once that it cannot apply' {
            # A tree of its own: the warning is given once per command line and tree.
            $tree = New-SriovTestHost -Fixture 'i350-4port'
            $env:SRIOVPS_HOST_ROOT = $tree
            $before = Get-SriovTestTreeState $tree

            $output = Set-SriovPf eno49 -LinkState Up -Mtu 9000 -EswitchMode Switchdev -DriversAutoprobe $false -WhatIf `
                -WarningVariable warnings -WarningAction SilentlyContinue -ErrorVariable errors -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 0
            ($warnings | Where-Object Message -Match 'kernel are shown \(-WhatIf\) but not made').Count | Should -Be 1
            Get-SriovTestTreeState $tree | Should -Be $before
            Remove-SriovTestHost $tree
        }

        It 'says LiveHostRequired for each PF of the pipeline when confirmed, and changes nothing' {
            $before = Get-SriovTestTreeState $script:I350

            Get-SriovPf eno49, eno50 -WarningAction SilentlyContinue |
                Set-SriovPf -LinkState Up -DriversAutoprobe $false -Confirm:$false `
                    -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            $errors.Count | Should -Be 2
            $errors | ForEach-Object { $_.FullyQualifiedErrorId } | Select-Object -Unique | Should -Be "LiveHostRequired,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            $errors[0].Exception.Message | Should -Match '^eno49 '
            $errors[1].Exception.Message | Should -Match '^eno50 '
            Get-SriovTestTreeState $script:I350 | Should -Be $before
        }

        It 'says LiveHostRequired for a sysfs-only change too: the autoprobe file stays as it was' {
            $autoprobe = Join-Path $script:I350 'sys/devices/pci0000:00/0000:00:02.2/0000:04:00.0/sriov_drivers_autoprobe'

            Set-SriovPf eno49 -DriversAutoprobe $false -Confirm:$false `
                -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "LiveHostRequired,$script:Command"
            (Get-Content -LiteralPath $autoprobe -Raw).Trim() | Should -Be '1'
        }

        It 'writes nothing for an autoprobe the PF already has, says so, and passes the PF through' {
            $result = Set-SriovPf eno49 -DriversAutoprobe $true -PassThru -Verbose -Confirm:$false `
                -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue 4>&1

            $errors.Count | Should -Be 0
            ($result | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message |
                Should -Contain 'eno49 already has sriov_drivers_autoprobe 1: nothing written.'
            $pf = @($result | Where-Object { $_ -is [SriovPS.SriovPf] })
            $pf.Count | Should -Be 1
            $pf[0].Name | Should -Be 'eno49'
        }
    }

    Context '-HwTcOffload' {
        It 'shows the step with -WhatIf on a copied tree, and writes nothing' {
            $before = Get-SriovTestTreeState $script:I350

            $whatIf = Get-SriovTestWhatIf { Set-SriovPf eno49 -HwTcOffload $true -WhatIf -ErrorAction Stop -WarningAction SilentlyContinue }

            $whatIf | Should -Be @('What if: Performing the operation "set hw-tc-offload on for eno49" on target "0000:04:00.0 (eno49)".')
            Get-SriovTestTreeState $script:I350 | Should -Be $before
        }

        It 'takes a PF that was serialized and read back, as a live one' {
            $bag = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize((Get-SriovPf eno49 -WarningAction SilentlyContinue)))
            $bag.pstypenames[0] | Should -Be 'Deserialized.SriovPS.SriovPf'

            $whatIf = Get-SriovTestWhatIf { $bag | Set-SriovPf -HwTcOffload $true -WhatIf -ErrorAction Stop -WarningAction SilentlyContinue }

            $whatIf | Should -Be @('What if: Performing the operation "set hw-tc-offload on for eno49" on target "0000:04:00.0 (eno49)".')
        }

        It 'says LiveHostRequired when confirmed on a copied tree: the feature is not known there' {
            $before = Get-SriovTestTreeState $script:I350

            Set-SriovPf eno49 -HwTcOffload $false -Confirm:$false `
                -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "LiveHostRequired,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            Get-SriovTestTreeState $script:I350 | Should -Be $before
        }

        It 'refuses -Persist on a systemd-networkd host with NetworkSettingNotPersistable, and writes nothing' {
            $tree = New-SriovTestHost -Fixture 'i350-4port'
            Set-SriovTestHostFile $tree '/usr/lib/systemd/systemd-networkd' ''
            Set-SriovTestHostFile $tree '/etc/systemd/system/multi-user.target.wants/systemd-networkd.service' ''
            $env:SRIOVPS_HOST_ROOT = $tree
            $before = Get-SriovTestTreeState $tree

            Set-SriovPf eno49 -HwTcOffload $true -Persist -Confirm:$false `
                -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "NetworkSettingNotPersistable,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'NotImplemented'
            $errors[0].Exception.Message | Should -Match 'systemd-networkd.*no setting for hw-tc-offload'
            Get-SriovTestTreeState $tree | Should -Be $before
            Remove-SriovTestHost $tree
        }

        It 'writes the [ethtool] key into the PF''s NetworkManager keyfile with -Persist' {
            $tree = New-SriovTestHost -Fixture 'i350-4port'
            Set-SriovTestHostFile $tree '/usr/sbin/NetworkManager' ''
            Set-SriovTestHostFile $tree '/etc/systemd/system/multi-user.target.wants/NetworkManager.service' ''
            $env:SRIOVPS_HOST_ROOT = $tree

            Set-SriovPf eno49 -HwTcOffload $true -Persist -Confirm:$false -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            Get-SriovTestHostText $tree '/etc/NetworkManager/system-connections/sriovps-eno49.nmconnection' |
                Should -Match '(?m)^\[ethtool\]\nfeature-hw-tc-offload=true$'
            Remove-SriovTestHost $tree
        }
    }

    Context '-Persist' {
        It 'warns that nothing was written when no network manager is found' {
            $before = Get-SriovTestTreeState $script:I350

            Set-SriovPf eno49 -LinkState Up -Persist -WhatIf `
                -WarningVariable warnings -WarningAction SilentlyContinue -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 0
            ($warnings | Where-Object Message -Match '^-Persist wrote nothing: this host has no network manager').Count | Should -Be 1
            Get-SriovTestTreeState $script:I350 | Should -Be $before
        }

        Context 'with netplan' {
            BeforeAll {
                $script:Netplan = New-SriovTestHost -Fixture 'i350-4port'
                $null = New-Item -ItemType Directory -Path (Join-Path $script:Netplan 'etc/netplan'), (Join-Path $script:Netplan 'usr/sbin') -Force
                [System.IO.File]::WriteAllText((Join-Path $script:Netplan 'etc/netplan/50-cloud-init.yaml'),
                    "network:`n  version: 2`n  ethernets:`n    eno1:`n      dhcp4: true`n")
                [System.IO.File]::WriteAllText((Join-Path $script:Netplan 'usr/sbin/netplan'), '')
                $script:PfFile = Join-Path $script:Netplan 'etc/netplan/60-sriovps-eno49.yaml'
            }

            AfterAll {
                Remove-SriovTestHost $script:Netplan
            }

            BeforeEach {
                $env:SRIOVPS_HOST_ROOT = $script:Netplan
            }

            It 'finds netplan, and with -WhatIf writes nothing' {
                $before = Get-SriovTestTreeState $script:Netplan

                $result = Set-SriovPf eno49 -LinkState Up -Mtu 9000 -Persist -WhatIf -Verbose `
                    -WarningVariable warnings -WarningAction SilentlyContinue -ErrorVariable errors -ErrorAction SilentlyContinue 4>&1

                $errors.Count | Should -Be 0
                ($result | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message |
                    Should -Contain "The host's network is configured by netplan (/etc/netplan/50-cloud-init.yaml, /usr/sbin/netplan)."
                ($warnings | Where-Object Message -Match 'wrote nothing').Count | Should -Be 0
                Get-SriovTestTreeState $script:Netplan | Should -Be $before
                $script:PfFile | Should -Not -Exist
            }

            It 'writes its file into the tree when confirmed, and says LiveHostRequired for the kernel''s part' {
                try {
                    Set-SriovPf eno49 -LinkState Up -Persist -Confirm:$false `
                        -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

                    $errors.Count | Should -Be 1
                    $errors[0].FullyQualifiedErrorId | Should -Be "LiveHostRequired,$script:Command"
                    $errors[0].Exception.Message | Should -Match 'written in the tree: /etc/netplan/60-sriovps-eno49\.yaml'
                    (Get-Content -LiteralPath $script:PfFile -Raw) | Should -Match '(?m)^      dhcp4: false$'
                }
                finally {
                    Remove-Item -LiteralPath $script:PfFile -ErrorAction SilentlyContinue
                }
            }

            It 'refuses a file at the PF''s path that it did not write, with NetworkConfigNotOwned, and leaves it' {
                [System.IO.File]::WriteAllText($script:PfFile, "network:`n  version: 2`n  ethernets:`n    eno49:`n      mtu: 1500`n")
                try {
                    $before = Get-SriovTestTreeState $script:Netplan

                    Set-SriovPf eno49 -LinkState Up -Persist -WhatIf `
                        -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

                    $errors.Count | Should -Be 1
                    $errors[0].FullyQualifiedErrorId | Should -Be "NetworkConfigNotOwned,$script:Command"
                    $errors[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
                    $errors[0].Exception.Message | Should -Match '^/etc/netplan/60-sriovps-eno49\.yaml was not written by SriovPS'
                    Get-SriovTestTreeState $script:Netplan | Should -Be $before
                }
                finally {
                    [System.IO.File]::Delete($script:PfFile)
                }
            }
        }
    }

    Context '-Persist beside another configuration of the PF <Case>' -ForEach @(
        @{
            Case = 'in netplan (dhcp4 and a static address)'
            Files = @{
                'etc/netplan/50-cloud-init.yaml' = "network:`n  version: 2`n  ethernets:`n    eno49:`n      dhcp4: true`n      addresses:`n        - 192.0.2.10/24`n"
                'usr/sbin/netplan' = ''
            }
            Names = @('/etc/netplan/50-cloud-init.yaml', 'ethernets.eno49: dhcp4: true, addresses: \[192.0.2.10/24\]')
            Written = 'etc/netplan/60-sriovps-eno49.yaml'
            Kept = @('(?m)^    eno49: \{\}$')
            Dropped = @('dhcp4', 'dhcp6', 'addresses', 'accept-ra', 'link-local', 'optional')
        }
        @{
            Case = 'in netplan, matched by MAC and renamed (set-name)'
            Files = @{
                'etc/netplan/50-cloud-init.yaml' = "network:`n  version: 2`n  ethernets:`n    mgmt:`n      match:`n        macaddress: '9C:DC:71:5E:0F:A0'`n      set-name: eno49`n      dhcp4: true`n"
                'usr/sbin/netplan' = ''
            }
            Names = @('/etc/netplan/50-cloud-init.yaml', 'ethernets.mgmt: dhcp4: true')
            Written = 'etc/netplan/60-sriovps-eno49.yaml'
            Kept = @('(?m)^    mgmt: \{\}$')
            Dropped = @('dhcp4', 'eno49:')
        }
        @{
            Case = 'in a systemd-networkd .network file'
            Files = @{
                'etc/systemd/network/20-mgmt.network' = "[Match]`nName=eno49`n`n[Network]`nDHCP=ipv4`nAddress=192.0.2.10/24`n"
                'lib/systemd/systemd-networkd' = ''
                'run/systemd/netif/state' = ''
            }
            Names = @('/etc/systemd/network/20-mgmt.network', 'DHCP=ipv4, Address=192.0.2.10/24')
            Written = 'etc/systemd/network/20-mgmt.network.d/sriovps-eno49.conf'
            Kept = @('(?m)^\[Link\]$', '(?m)^ActivationPolicy=up$')
            Dropped = @('\[Network\]', 'DHCP', 'Address', 'LinkLocalAddressing', 'IPv6AcceptRA')
        }
        @{
            Case = 'in a NetworkManager profile'
            Files = @{
                'etc/NetworkManager/system-connections/mgmt.nmconnection' = "[connection]`nid=mgmt`ntype=ethernet`ninterface-name=eno49`n`n[ipv4]`nmethod=manual`naddress1=192.0.2.10/24,192.0.2.1`n`n[ipv6]`nmethod=auto`n"
                'usr/sbin/NetworkManager' = ''
                'run/NetworkManager/NetworkManager.pid' = ''
            }
            Names = @('/etc/NetworkManager/system-connections/mgmt.nmconnection', 'ipv4.method=manual, ipv4.address1=192.0.2.10/24,192.0.2.1')
            Written = 'etc/NetworkManager/system-connections/sriovps-eno49.nmconnection'
            Kept = @('(?m)^\[ipv4\]\nmethod=manual\naddress1=192\.0\.2\.10/24,192\.0\.2\.1\n\n\[ipv6\]\nmethod=auto\n\z')
            Dropped = @('method=disabled')
        }
        @{
            Case = 'in an ifupdown stanza'
            Files = @{
                'etc/network/interfaces' = "source /etc/network/interfaces.d/*`n`nauto eno49`niface eno49 inet static`n    address 192.0.2.10/24`n"
                'sbin/ifup' = ''
            }
            Names = @('/etc/network/interfaces', 'iface eno49 inet static, address 192.0.2.10/24')
            Written = 'etc/network/interfaces.d/sriovps-eno49'
            Kept = @('(?m)^auto eno49$')
            Dropped = @('iface', 'inet')
        }
    ) {
        BeforeAll {
            $script:Tree = New-SriovTestHost -Fixture 'i350-4port'
            foreach ($file in $Files.GetEnumerator()) {
                $path = Join-Path $script:Tree $file.Key
                $null = New-Item -ItemType Directory -Path (Split-Path $path) -Force
                [System.IO.File]::WriteAllText($path, $file.Value)
            }
        }

        AfterAll {
            Remove-SriovTestHost $script:Tree
        }

        BeforeEach {
            $env:SRIOVPS_HOST_ROOT = $script:Tree
        }

        It 'refuses with NetworkConfigConflict naming the file and what it sets, and changes no file<WhatIf>' -ForEach @(
            @{ WhatIf = '' }
            @{ WhatIf = ' (-WhatIf too)' }
        ) {
            $before = Get-SriovTestTreeState $script:Tree
            $switches = if ($WhatIf) { @{ WhatIf = $true } } else { @{ Confirm = $false } }

            Set-SriovPf eno49 -LinkState Up -Persist @switches `
                -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "NetworkConfigConflict,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            foreach ($name in $Names) {
                $errors[0].Exception.Message | Should -Match $name
            }
            $errors[0].ErrorDetails.RecommendedAction | Should -Match '-Force'
            Get-SriovTestTreeState $script:Tree | Should -Be $before
        }

        It 'with -Force writes a file that changes only the link, and leaves the other configuration as it was' {
            $others = foreach ($file in $Files.Keys) { Get-FileHash -LiteralPath (Join-Path $script:Tree $file) }

            Set-SriovPf eno49 -LinkState Up -Persist -Force -Confirm:$false `
                -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            $errors.FullyQualifiedErrorId | Should -Be @("LiveHostRequired,$script:Command")
            $written = Join-Path $script:Tree $Written
            $written | Should -Exist
            $text = Get-Content -LiteralPath $written -Raw
            $text | Should -Match '^# Written by SriovPS'
            $text | Should -Match 'configured elsewhere too: this file sets only its link, so the addresses and DHCP set there are kept'
            foreach ($pattern in $Kept) { $text | Should -Match $pattern }
            foreach ($word in $Dropped) { ($text -split "`n" | Select-Object -Skip 2) -join "`n" | Should -Not -Match $word }
            foreach ($file in $others) { (Get-FileHash -LiteralPath $file.Path).Hash | Should -Be $file.Hash }
        }
    }

    Context '-Persist -Force where no file can keep the other configuration' {
        It 'refuses <Case> even with -Force, and changes no file' -ForEach @(
            @{
                Case = 'a drop-in for a .network file that matches other interfaces too'
                Files = @{
                    'etc/systemd/network/20-wired.network' = "[Match]`nName=en*`n`n[Network]`nDHCP=yes`n"
                    'lib/systemd/systemd-networkd' = ''
                    'run/systemd/netif/state' = ''
                }
                Splat = @{ LinkState = 'Up' }
                Reason = '20-wired\.network matches other interfaces too'
            }
            @{
                # netplan is in charge (a *.yaml in /etc/netplan and its program), but eno49's DHCP is in a
                # .network file: netplan's rendering of a new definition would come first, with no DHCP.
                Case = 'a .network file on a netplan host, which no netplan definition can keep'
                Files = @{
                    'etc/netplan/50-cloud-init.yaml' = "network:`n  version: 2`n  ethernets:`n    eno50:`n      dhcp4: true`n"
                    'usr/sbin/netplan' = ''
                    'etc/systemd/network/20-eno49.network' = "[Match]`nName=eno49`n`n[Network]`nDHCP=yes`n"
                }
                Splat = @{ LinkState = 'Up' }
                Reason = '20-eno49\.network \(matches it: DHCP=yes\).*netplan keeps only what a netplan definition of eno49 sets'
            }
            @{
                Case = 'an MTU beside an ifupdown stanza'
                Files = @{
                    'etc/network/interfaces' = "auto eno49`niface eno49 inet dhcp`n"
                    'sbin/ifup' = ''
                }
                Splat = @{ Mtu = 9000 }
                Reason = "the MTU belongs in the one in /etc/network/interfaces \('mtu 9000'\)"
            }
        ) {
            $tree = New-SriovTestHost -Fixture 'i350-4port'
            try {
                foreach ($file in $Files.GetEnumerator()) {
                    $path = Join-Path $tree $file.Key
                    $null = New-Item -ItemType Directory -Path (Split-Path $path) -Force
                    [System.IO.File]::WriteAllText($path, $file.Value)
                }
                $env:SRIOVPS_HOST_ROOT = $tree
                $before = Get-SriovTestTreeState $tree

                Set-SriovPf eno49 @Splat -Persist -Force -Confirm:$false `
                    -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

                $errors.Count | Should -Be 1
                $errors[0].FullyQualifiedErrorId | Should -Be "NetworkConfigConflict,$script:Command"
                $errors[0].Exception.Message | Should -Match $Reason
                Get-SriovTestTreeState $tree | Should -Be $before
            }
            finally {
                Remove-SriovTestHost $tree
            }
        }
    }

    Context 'the command' {
        It 'has the sets ByName (default) and ByInputObject' {
            $command = Get-Command Set-SriovPf

            $command.ParameterSets.Name | Sort-Object | Should -Be @('ByInputObject', 'ByName')
            $command.DefaultParameterSet | Should -Be 'ByName'
            $command.Parameters['Name'].Aliases | Should -Contain 'PfName'
            $command.Parameters['Name'].ParameterSets['ByName'].Position | Should -Be 0
            $command.Parameters['Name'].ParameterSets['ByName'].IsMandatory | Should -BeTrue
            $command.Parameters['InputObject'].ParameterType | Should -Be ([SriovPS.SriovPf[]])
            $command.Parameters['InputObject'].ParameterSets['ByInputObject'].ValueFromPipeline | Should -BeTrue
            $command.OutputType.Name | Should -Contain 'SriovPS.SriovPf'
        }

        It 'asks unless told otherwise: its ConfirmImpact is Medium' {
            (Get-Command Set-SriovPf).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact |
                Should -Be 'Medium'
        }

        It 'documents -Persist and its files' {
            $help = Get-Help Set-SriovPf -Full

            ($help.Examples.Example | Measure-Object).Count | Should -BeGreaterOrEqual 2
            ($help.Parameters.Parameter | Where-Object Name -EQ 'Persist').Description.Text | Should -Match 'netplan'
        }
    }
}
