#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# PF link, MTU, boot file and eswitch mode on the lab's first igb PF, checked against
# `ip -j -d link show`, devlink and the file systemd-networkd would read.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LabFixtures.ps1')
    if (-not $LabActive) { return }
    Import-LabModule
    $script:Pf = Get-LabIgbPf 0
    $script:Mtu = (Get-LabLink $Pf.Name).mtu
}

AfterAll {
    if (-not $LabActive) { return }
    Invoke-LabProgram ip link set dev $Pf.Name mtu $Mtu up
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Set-SriovPf' -Tag 'Lab' -Skip:($env:SRIOVPS_LAB -ne '1') {
    It '-LinkState Down, then Up -Mtu 9000 -PassThru, as iproute2 reads them' {
        Set-SriovPf $Pf.Name -LinkState Down -Confirm:$false -ErrorAction Stop
        Test-LabLinkUp $Pf.Name | Should -BeFalse

        $result = Set-SriovPf $Pf.Name -LinkState Up -Mtu 9000 -PassThru -Confirm:$false -ErrorAction Stop

        $link = Get-LabLink $Pf.Name
        $link.flags | Should -Contain 'UP'
        $link.mtu | Should -Be 9000
        $result.Mtu | Should -Be 9000
        # Administratively up at once (LinkState, the operational state, follows with the carrier).
        $result.SriovSupport | Should -Be 'Supported'
    }

    It '-Persist writes systemd-networkd''s file (the manager running here) for the PF alone, with no address, and -WhatIf writes nothing' {
        # The guest starts no network manager: networkd's state file says it runs, as on a networkd host.
        $state = '/run/systemd/netif/state'
        $written = "/etc/systemd/network/10-sriovps-$($Pf.Name).network"
        $null = New-Item -ItemType Directory -Force /run/systemd/netif, /etc/systemd/network
        Write-LabFile $state "OPER_STATE=routable`n"
        try {
            Set-SriovPf $Pf.Name -LinkState Up -Mtu 9000 -Persist -WhatIf -ErrorAction Stop
            Test-Path $written | Should -BeFalse

            Set-SriovPf $Pf.Name -LinkState Up -Mtu 9000 -Persist -Confirm:$false -ErrorAction Stop

            $text = Get-Content -Raw $written
            $text | Should -Match "(?m)^Name=$([regex]::Escape($Pf.Name))$"
            $text | Should -Match '(?m)^ActivationPolicy=up$'
            $text | Should -Match '(?m)^MTUBytes=9000$'
            $text | Should -Match '(?m)^DHCP=no$'
            $text | Should -Not -Match '(?m)^Address='
            (Get-LabLink $Pf.Name).mtu | Should -Be 9000
        }
        finally {
            Remove-Item $state, $written, "$written.sriovps.bak" -ErrorAction SilentlyContinue
        }
    }

    It '-Persist with an address on the PF, as on a management NIC, is refused naming it, and neither the link nor a file changes (<Confirmation>)' -TestCases @(
        @{ Confirmation = @{ Confirm = $false } }, @{ Confirmation = @{ WhatIf = $true } }
    ) {
        $address = '192.0.2.77/24'
        $files = "/etc/netplan/60-sriovps-$($Pf.Name).yaml", "/etc/systemd/network/10-sriovps-$($Pf.Name).network",
            "/etc/NetworkManager/system-connections/sriovps-$($Pf.Name).nmconnection", "/etc/network/interfaces.d/sriovps-$($Pf.Name)"
        $mtuBefore = (Get-LabLink $Pf.Name).mtu
        Invoke-LabProgram ip addr add $address dev $Pf.Name
        try {
            Set-SriovPf $Pf.Name -LinkState Up -Mtu ($mtuBefore + 100) -Persist @Confirmation -ErrorVariable refused -ErrorAction SilentlyContinue

            Get-LabErrorId $refused | Should -Be 'NetworkConfigConflict'
            $refused[0].Exception.Message | Should -Match ([regex]::Escape("$address on $($Pf.Name) now"))
            (Get-LabLink $Pf.Name).mtu | Should -Be $mtuBefore
            Invoke-LabProgram ip -o addr show dev $Pf.Name | Out-String | Should -Match ([regex]::Escape($address))
            $files | ForEach-Object { Test-Path $_ | Should -BeFalse }
        }
        finally { Invoke-LabProgram ip addr del $address dev $Pf.Name }
    }

    It '-EswitchMode Switchdev on igb, which registers no devlink instance, is refused and changes nothing' {
        $before = Get-LabLink $Pf.Name

        Set-SriovPf $Pf.Name -EswitchMode Switchdev -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue

        Get-LabErrorId $refused | Should -Be 'EswitchModeNotSupported'
        $refused[0].CategoryInfo.Category | Should -Be 'NotImplemented'
        devlink dev eswitch show "pci/$($Pf.PciAddress)" 2>$null
        $LASTEXITCODE | Should -Not -Be 0
        (Get-LabLink $Pf.Name) | ConvertTo-Json -Depth 6 | Should -Be ($before | ConvertTo-Json -Depth 6)
    }

    It '-HwTcOffload through ethtool netlink: Get-SriovPf reads what ethtool -k shows, and a fixed feature is refused with nothing changed' {
        # QEMU's igb is an 82576: igb lets I350 and later change hw-tc-offload, and fixes it off here.
        $shown = @(Invoke-LabProgram ethtool -k $Pf.Name) -match '^hw-tc-offload:'
        $shown.Count | Should -Be 1
        $on = $shown[0] -match ':\s*on\b'
        $fixed = $shown[0] -match '\[fixed\]'

        (Get-SriovPf $Pf.Name).HwTcOffload | Should -Be $on

        if ($fixed) {
            Set-SriovPf $Pf.Name -HwTcOffload (-not $on) -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue
            Get-LabErrorId $refused | Should -Be 'OffloadFeatureFixed'
            $refused[0].CategoryInfo.Category | Should -Be 'NotImplemented'
            $refused[0].Exception.Message | Should -Match ([regex]::Escape($Pf.Name))
        }
        else {
            try {
                Set-SriovPf $Pf.Name -HwTcOffload (-not $on) -Confirm:$false -ErrorAction Stop
                @(Invoke-LabProgram ethtool -k $Pf.Name) -match '^hw-tc-offload:' | Should -Match ":\s*$(if ($on) { 'off' } else { 'on' })\b"
                (Get-SriovPf $Pf.Name).HwTcOffload | Should -Be (-not $on)
            }
            finally {
                Set-SriovPf $Pf.Name -HwTcOffload $on -Confirm:$false -ErrorAction Stop
            }
        }

        @(Invoke-LabProgram ethtool -k $Pf.Name) -match '^hw-tc-offload:' | Should -Be $shown[0]
    }
}
