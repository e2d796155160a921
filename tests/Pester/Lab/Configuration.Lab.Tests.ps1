#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# A whole host's SR-IOV setup from one document on the lab's first igb PF and a libvirtd of its own:
# VFs created, one moved to vfio-pci, MACs (one "auto"), VLAN, trust and spoof check set on others, the
# PF brought up with an MTU, a pool defined and started. Each step is checked against the kernel's and
# libvirt's own account (sysfs, ip -j -d link show, virsh); then drift made by ip shows in
# Test-SriovConfiguration, and a step igb refuses (VF link state) takes back everything before it.
# The Describes run in order, as a user would.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LabFixtures.ps1')
    if (-not $LabActive) { return }
    Import-LabModule
    $script:Daemon = Enter-LabLibvirt
    # VF settings are the PF's, whatever drives the VF: without igbvf the VFs are created at once.
    Set-LabVfDriverLoaded $false
    $script:Pf = Get-LabIgbPf 0
    $script:Other = Get-LabIgbPf 2
    Set-LabNumVfs $Pf.PciAddress 0
    Invoke-LabProgram ip link set dev $Pf.Name down mtu 1500
    Set-LabNumVfs $Other.PciAddress 2
    $script:Pool = 'cfg-pool'
    $script:Document = @{
        pfs   = @(
            @{
                match     = @{ name = $Pf.Name }
                numVfs    = 4
                linkState = 'up'
                mtu       = 9000
                vfs       = @(
                    @{ index = 0; driver = 'vfio-pci' }
                    @{ index = '1-2'; mac = 'auto'; vlan = 42; trust = $true }
                    @{ index = 3; mac = '02:53:52:00:28:03'; spoofCheck = $false }
                )
            }
        )
        pools = @(@{ name = $Pool; pfs = @($Pf.Name); autostart = $true; started = $true })
    }

    # "mac": "auto": the PF's first three octets folded into the first (locally administered, unicast),
    # its last three, then the VF's index.
    function Get-AutoMac([string] $PfMac, [int] $Index) {
        $b = $PfMac.Split(':') | ForEach-Object { [Convert]::ToByte($_, 16) }
        $first = (($b[0] -bxor $b[1] -bxor $b[2]) -band 0xFC) -bor 0x02
        ($first, $b[3], $b[4], $b[5], ($Index -shr 8), ($Index -band 0xFF) | ForEach-Object { '{0:x2}' -f $_ }) -join ':'
    }

    # What the kernel and libvirt report of everything the document names.
    function Get-KernelAccount {
        $link = Get-LabLink $Pf.Name
        [pscustomobject]@{
            NumVfs  = [int](Read-LabFile "$($Pf.Device)/sriov_numvfs")
            Up      = $link.flags -contains 'UP'
            Mtu     = $link.mtu
            Vfs     = $link.vfinfo_list | ConvertTo-Json -Depth 6 -Compress
            Drivers = @(Get-LabVfAddress $Pf.PciAddress | ForEach-Object { Get-LabLinkName "/sys/bus/pci/devices/$_/driver" }) -join ','
            Pools   = (virsh -c $Daemon.Uri net-list --all --name 2>$null) -join ','
            Other   = (Get-LabLink $Other.Name).vfinfo_list | ConvertTo-Json -Depth 6 -Compress
        }
    }
}

AfterAll {
    if (-not $LabActive) { return }
    if ($Daemon) {
        virsh -c $Daemon.Uri net-destroy $Pool 2>$null | Out-Null
        virsh -c $Daemon.Uri net-undefine $Pool 2>$null | Out-Null
    }
    Exit-LabLibvirt $Daemon
    Set-LabNumVfs (Get-LabIgbPf 0).PciAddress 0
    Set-LabNumVfs (Get-LabIgbPf 2).PciAddress 0
    Invoke-LabProgram ip link set dev (Get-LabIgbPf 0).Name mtu 1500
    Set-LabVfDriverLoaded $true
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Set-SriovConfiguration on igb' -Tag 'Lab' -Skip:($env:SRIOVPS_LAB -ne '1') {
    It '-WhatIf changes nothing the kernel or libvirt reports' {
        $before = Get-KernelAccount

        $Document | Set-SriovConfiguration -WhatIf -ErrorAction Stop -WarningAction SilentlyContinue

        Get-KernelAccount | ConvertTo-Json | Should -Be ($before | ConvertTo-Json)
        $before.NumVfs | Should -Be 0
    }

    It 'makes the host as the document says: VFs, a driver, MACs, VLAN, trust, spoof check, the PF''s link and MTU, a started pool' {
        $Document | Set-SriovConfiguration -Confirm:$false -ErrorAction Stop -WarningAction SilentlyContinue

        Read-LabFile "$($Pf.Device)/sriov_numvfs" | Should -Be '4'
        $vfs = @(Get-LabVfAddress $Pf.PciAddress)
        Get-LabLinkName "/sys/bus/pci/devices/$($vfs[0])/driver" | Should -Be 'vfio-pci'
        $pfMac = Read-LabFile "/sys/class/net/$($Pf.Name)/address"
        foreach ($index in 1, 2) {
            $vf = Get-LabIpVf $Pf.Name $index
            $vf.address | Should -Be (Get-AutoMac $pfMac $index)
            $vf.vlan_list[0].vlan | Should -Be 42
            $vf.trust | Should -BeTrue
        }
        $vf3 = Get-LabIpVf $Pf.Name 3
        $vf3.address | Should -Be '02:53:52:00:28:03'
        $vf3.spoofchk | Should -BeFalse
        $link = Get-LabLink $Pf.Name
        $link.flags | Should -Contain 'UP'
        $link.mtu | Should -Be 9000
        $info = Invoke-LabVirsh $Daemon.Uri net-info $Pool
        $info | Should -Match 'Active:\s+yes'
        $info | Should -Match 'Autostart:\s+yes'
        ([xml](Invoke-LabVirsh $Daemon.Uri net-dumpxml $Pool)).network.forward.pf.dev | Should -Be $Pf.Name
    }

    It 'Test-SriovConfiguration finds no drift, and Get-SriovConfiguration | Test-SriovConfiguration -Quiet is $true' {
        @($Document | Test-SriovConfiguration -ErrorAction Stop -WarningAction SilentlyContinue) | Should -HaveCount 0
        Get-SriovConfiguration -ErrorAction Stop -WarningAction SilentlyContinue | Test-SriovConfiguration -Quiet -ErrorAction Stop -WarningAction SilentlyContinue | Should -BeTrue
    }

    It 'a second run makes no step and says so; Get-SriovConfiguration | Set-SriovConfiguration changes nothing' {
        $before = Get-KernelAccount

        $verbose = $Document | Set-SriovConfiguration -Confirm:$false -Verbose -ErrorAction Stop -WarningAction SilentlyContinue 4>&1
        Get-SriovConfiguration -ErrorAction Stop -WarningAction SilentlyContinue | Set-SriovConfiguration -Confirm:$false -ErrorAction Stop -WarningAction SilentlyContinue

        @($verbose | Where-Object { "$_" -match ': done\.$' }) | Should -HaveCount 0
        @($verbose | Where-Object { "$_" -match 'already as the document asks' }) | Should -HaveCount 1
        Get-KernelAccount | ConvertTo-Json | Should -Be ($before | ConvertTo-Json)
    }

    It 'a change made with ip shows as drift naming the step that fixes it, and Set-SriovConfiguration -PassThru puts it back' {
        Invoke-LabProgram ip link set dev $Pf.Name vf 1 vlan 7

        $drift = @($Document | Test-SriovConfiguration -ErrorAction Stop -WarningAction SilentlyContinue)

        $drift | Should -HaveCount 1
        $drift[0].Target | Should -Be "$($Pf.Name) vf 1"
        $drift[0].Property | Should -Be 'Vlan'
        $drift[0].Desired | Should -Be 42
        $drift[0].Actual | Should -Be 7
        $drift[0].Step | Should -Be "Set-SriovVf -PfName $($Pf.Name) -Index 1 -Vlan 42"
        $drift[0].Path | Should -Be 'pfs[0].vfs[1].vlan'
        $left = @($Document | Set-SriovConfiguration -PassThru -Confirm:$false -ErrorAction Stop -WarningAction SilentlyContinue)
        $left | Should -HaveCount 0
        (Get-LabIpVf $Pf.Name 1).vlan_list[0].vlan | Should -Be 42
    }

    It 'a VF link state igb refuses fails the document and takes back every step made before it' {
        $before = Get-KernelAccount
        $refused = @{
            pfs = @(
                @{ match = @{ name = $Pf.Name }; mtu = 1500; linkState = 'down'; vfs = @(@{ index = 1; vlan = 100 }, @{ index = 3; trust = $true }) }
                @{ match = @{ name = $Other.Name }; vfs = @(@{ index = 0; vlan = 5 }, @{ index = 1; linkState = 'disable' }) }
            )
        }

        $errors = $null
        $refused | Set-SriovConfiguration -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

        $errors | Should -Not -BeNullOrEmpty
        "$($errors[0])" | Should -Match 'Taken back, newest first'
        "$($errors[0])" | Should -Match ([regex]::Escape("$($Pf.Name) mtu 1500 down"))
        $after = Get-KernelAccount
        $after | ConvertTo-Json | Should -Be ($before | ConvertTo-Json)
        (Get-LabIpVf $Pf.Name 1).vlan_list[0].vlan | Should -Be 42
        (Get-LabLink $Pf.Name).mtu | Should -Be 9000
    }

    It '-NoRollback keeps what was made before the refused step' {
        $refused = @{
            pfs = @(
                @{ match = @{ name = $Pf.Name }; mtu = 1500 }
                @{ match = @{ name = $Other.Name }; vfs = @(@{ index = 1; linkState = 'disable' }) }
            )
        }

        $refused | Set-SriovConfiguration -NoRollback -Confirm:$false -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

        (Get-LabLink $Pf.Name).mtu | Should -Be 1500
        @($Document | Test-SriovConfiguration -WarningAction SilentlyContinue).Property | Should -Be @('Mtu')
        $Document | Set-SriovConfiguration -Confirm:$false -ErrorAction Stop -WarningAction SilentlyContinue
        (Get-LabLink $Pf.Name).mtu | Should -Be 9000
    }

    It 'a held VF refuses a count change before anything is changed' {
        $holder = Start-LabVfioHolder group (Get-LabVfAddress $Pf.PciAddress)[0]
        try {
            $before = Get-KernelAccount
            $changed = $Document.Clone()
            $changed.pfs = @(@{ match = @{ name = $Pf.Name }; numVfs = 2; mtu = 1500 })

            $errors = $null
            $changed | Set-SriovConfiguration -Force -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            Get-LabErrorId $errors | Should -Contain 'VfsInUse'
            Get-KernelAccount | ConvertTo-Json | Should -Be ($before | ConvertTo-Json)
        }
        finally { Stop-LabVfioHolder $holder }
    }
}
