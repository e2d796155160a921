#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Save-SriovHostSnapshot on a configured host: the first igb PF with 4 VFs (MACs and VLANs set, VF 2
# on vfio-pci), a pool on the second PF and a paused guest holding two of its VFs. The snapshot must
# hold what the kernel, /proc and libvirt said, and every reader must give on it what it gives on the
# host. The snapshot and the live objects are left in /lab-out/snapshot for Snapshot.Offline.Tests.ps1,
# which reads the snapshot again on the machine that runs the lab.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LabFixtures.ps1')
    . (Join-Path $PSScriptRoot 'SnapshotCompare.ps1')
    if (-not $LabActive) { return }
    Import-LabModule
    $script:Daemon = Enter-LabLibvirt
    $script:Out = '/lab-out/snapshot'
    $null = New-Item -ItemType Directory -Path $Out -Force
    $env:XDG_CACHE_HOME = Join-Path ([System.IO.Path]::GetTempPath()) "sriovps-cache-$([guid]::NewGuid().ToString('N'))"

    # The first PF: VF settings as an admin sets them, and one VF handed to vfio-pci.
    Set-LabVfDriverLoaded $true
    $script:Pf = Get-LabIgbPf 0
    Invoke-LabProgram ip link set dev $Pf.Name up
    Set-LabNumVfs $Pf.PciAddress 4
    Set-SriovVf $Pf.Name 0 -MacAddress 02:53:4e:00:00:10 -Vlan 10 -Trust $true -Confirm:$false -ErrorAction Stop
    Set-SriovVf $Pf.Name 1 -MacAddress 02:53:4e:00:00:11 -Vlan 20 -Qos 2 -SpoofCheck $false -Confirm:$false -ErrorAction Stop
    Set-SriovVfDriver $Pf.Name -Index 2 -Driver vfio-pci -Confirm:$false -ErrorAction Stop

    # The second PF: a pool, and a guest started paused (QEMU takes its VFs at start; no guest OS is needed).
    $script:PoolPf = Get-LabIgbPf 1
    Invoke-LabProgram ip link set dev $PoolPf.Name up
    Set-LabNumVfs $PoolPf.PciAddress 3
    $script:Pool = Get-SriovPf $PoolPf.Name | New-LibvirtSriovNetwork -Autostart -Start -Confirm:$false -ErrorAction Stop
    $script:Vm = 'z-snapshot-1'
    Register-LabGuest $Daemon.Uri $Vm
    $null = Add-VmSriovInterface $Vm -Network $Pool.Name -Count 2 -Confirm:$false -ErrorAction Stop
    Invoke-LabVirsh $Daemon.Uri start --paused $Vm

    # What the host says now, then the snapshot, then what the host says again: nothing moved meanwhile.
    $script:Live = Get-SnapshotRecords
    $script:Archive = Join-Path $Out 'lab.tar.gz'
    $script:Saved = Save-SriovHostSnapshot $Archive -Force -Confirm:$false -WarningVariable saveWarnings -ErrorAction Stop
    $script:SaveWarnings = $saveWarnings
    $script:LiveAfter = Get-SnapshotRecords
    ConvertTo-Json -InputObject $Live -Depth 5 | Set-Content -LiteralPath (Join-Path $Out 'live.json')
    "$($Saved.Size)" | Set-Content -LiteralPath (Join-Path $Out 'size.txt')

    # The snapshot's own files, unpacked as a user would.
    $script:Unpacked = Join-Path ([System.IO.Path]::GetTempPath()) "sriovps-snapshot-$([guid]::NewGuid().ToString('N'))"
    $null = New-Item -ItemType Directory -Path $Unpacked
    Invoke-LabProgram tar -xzf $Archive -C $Unpacked
}

AfterAll {
    if (-not $LabActive) { return }
    Exit-LabGuestAndLibvirt $Daemon $Vm
    Set-LabNumVfs (Get-LabIgbPf 0).PciAddress 0
    Set-LabNumVfs (Get-LabIgbPf 1).PciAddress 0
    Remove-Item -LiteralPath $Unpacked, $env:XDG_CACHE_HOME -Recurse -Force -ErrorAction SilentlyContinue
    Remove-Item Env:XDG_CACHE_HOME -ErrorAction SilentlyContinue
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Save-SriovHostSnapshot' -Tag 'Lab' -Skip:($env:SRIOVPS_LAB -ne '1') {
    It 'reads everything on a running host as root: nothing is missing, and the host did not change while it was read' {
        $Saved.Unread | Should -BeNullOrEmpty
        $SaveWarnings | Should -BeNullOrEmpty
        $Saved.HostName | Should -Be ([System.Net.Dns]::GetHostName())
        $Saved.KernelRelease | Should -Be (Read-LabFile /proc/sys/kernel/osrelease)
        $Saved.Pfs | Should -Contain $Pf.Name
        $Saved.Networks | Should -Be @($Pool.Name)
        $Saved.Guests | Should -Be @($Vm)
        foreach ($name in $Live.Keys) { Assert-SameRecords $name $Live[$name] $LiveAfter[$name] }
    }

    It 'keeps the VF settings as the kernel reports them (ip -j -d link show)' {
        $kernel = Get-Content -Raw (Join-Path $Unpacked 'kernel.json') | ConvertFrom-Json
        $saved = ($kernel.links | Where-Object name -eq $Pf.Name).vfinfo_list
        $reported = (Get-LabLink $Pf.Name).vfinfo_list
        $saved.Count | Should -Be 4
        foreach ($vf in $reported) {
            $mine = $saved | Where-Object vf -eq $vf.vf
            $mine.address | Should -Be $vf.address
            $mine.vlan | Should -Be ([int]$vf.vlan_list[0].vlan)
            $mine.trust | Should -Be $vf.trust
            $mine.spoofchk | Should -Be $vf.spoofchk
        }
    }

    It 'keeps the paused guest''s QEMU as the holder of its VFs'' vfio groups, as /proc shows it' {
        $kernel = Get-Content -Raw (Join-Path $Unpacked 'kernel.json') | ConvertFrom-Json
        $qemu = @(Get-Process | Where-Object { $_.Path -like '*qemu-system*' -and $_.CommandLine -like "*$Vm*" })
        $qemu.Count | Should -Be 1
        $held = @($kernel.holders | Where-Object pid -eq $qemu[0].Id)
        @($held.vfPciAddress | Sort-Object -Unique).Count | Should -Be 2
        $open = @(Get-ChildItem "/proc/$($qemu[0].Id)/fd" | ForEach-Object { $_.LinkTarget })
        foreach ($holder in $held) {
            $holder.pf | Should -Be $PoolPf.PciAddress
            if ($holder.kind -eq 'VfioGroup') {
                $group = Get-LabLinkName "/sys/bus/pci/devices/$($holder.vfPciAddress)/iommu_group"
                $holder.path | Should -Be "/dev/vfio/$group"
                $open | Should -Contain "/dev/vfio/$group"
            }
        }
    }

    It 'keeps the pool''s and the guest''s XML as virsh prints it, and no other guest''s' {
        $index = Get-Content -Raw (Join-Path $Unpacked 'libvirt/libvirt.json') | ConvertFrom-Json
        $network = $index.networks | Where-Object name -eq $Pool.Name
        (Get-Content -Raw (Join-Path $Unpacked "libvirt/$($network.running)")).TrimEnd("`n") | Should -Be (Invoke-LabVirsh $Daemon.Uri net-dumpxml $Pool.Name).TrimEnd("`n")
        $guest = $index.guests | Where-Object name -eq $Vm
        ([xml](Get-Content -Raw (Join-Path $Unpacked "libvirt/$($guest.running)"))).domain.name | Should -Be $Vm
        @($index.guests).Count | Should -Be 1
    }
}

Describe 'A snapshot read as its host' -Tag 'Lab' -Skip:($env:SRIOVPS_LAB -ne '1') {
    It '<_> gives on the snapshot what it gives on the host, property by property' -ForEach @(
        'Get-SriovPf', 'Get-SriovVf', 'Get-LibvirtSriovNetwork', 'Get-VmSriovInterface', 'Test-SriovHost',
        'Get-SriovConfiguration', 'Export-SriovConfig -Format Nmstate'
    ) {
        $offline = @(& $SnapshotReaders[$_] @{ HostRoot = $Archive; WarningAction = 'SilentlyContinue' } -ErrorAction Stop | ConvertTo-SnapshotRecord)
        Assert-SameRecords $_ $Live[$_] $offline
    }

    It 'Get-SriovVf shows the settings and the guest that holds each VF, as on the host' {
        $vfs = @(Get-SriovVf -HostRoot $Archive -WarningAction SilentlyContinue -ErrorAction Stop)
        ($vfs | Where-Object { $_.PfName -eq $Pf.Name -and $_.Index -eq 1 }).Vlan | Should -Be 20
        @($vfs | Where-Object Owner -eq $Vm).Count | Should -Be 2
    }

    It 'Test-SriovHost judges libvirt, the pool and the guest from the snapshot: no check is skipped for want of the kernel or libvirt' {
        $checks = @(Test-SriovHost -HostRoot $Archive -WarningAction SilentlyContinue -ErrorAction Stop)
        ($checks | Where-Object Id -eq 'Libvirt.Reachable').Status | Should -Be 'Pass'
        @($checks | Where-Object { $_.Status -eq 'Skipped' -and $_.Finding -match 'copied|live host|libvirt is only asked|netlink' }) | Should -BeNullOrEmpty
        @($checks | Where-Object Target -eq $Vm) | Should -Not -BeNullOrEmpty
    }

    It 'warns once, naming the host and the time it was taken' {
        # A path of its own: the warning is given once per command line and snapshot, and this file is one command line.
        $copy = Join-Path ([System.IO.Path]::GetTempPath()) "sriovps-warned-$([guid]::NewGuid().ToString('N')).tar.gz"
        Copy-Item -LiteralPath $Archive -Destination $copy
        try {
            $null = Get-SriovPf -HostRoot $copy -WarningVariable warned -WarningAction SilentlyContinue |
                Get-SriovVf -HostRoot $copy -WarningVariable +warned -WarningAction SilentlyContinue -ErrorAction Stop
        }
        finally { Remove-Item -LiteralPath $copy }
        @($warned).Count | Should -Be 1
        "$warned" | Should -Match ([regex]::Escape($Saved.HostName))
        "$warned" | Should -Match ([regex]::Escape($Saved.TakenAt.UtcDateTime.ToString('yyyy-MM-dd HH:mm:ss')))
    }

    It 'refuses to change the snapshot, and shows what would change under -WhatIf' {
        $before = Read-LabFile "$($Pf.Device)/sriov_numvfs"
        Enable-SriovVf $Pf.Name -Count 2 -Force -HostRoot $Archive -Confirm:$false -WarningAction SilentlyContinue -ErrorVariable refused -ErrorAction SilentlyContinue

        Get-LabErrorId $refused | Should -Contain 'SnapshotReadOnly'
        Read-LabFile "$($Pf.Device)/sriov_numvfs" | Should -Be $before
    }
}
