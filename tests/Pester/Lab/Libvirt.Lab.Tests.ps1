#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# The seeds' libvirt flow on a real libvirtd and the lab's second igb PF: a pool made from the PF,
# followed across a VF count change, two pool interfaces given to a small guest that is started paused
# (QEMU takes the VFs at start; no guest OS is needed), a third that finds no PCI slot, and the pool
# removed. Each step is checked against virsh and sysfs. The Describes run in order, as a user would.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LabFixtures.ps1')
    if (-not $LabActive) { return }
    Import-LabModule
    $script:Daemon = Enter-LabLibvirt
    # libvirt binds the VFs to vfio-pci itself; their own driver would only cost time.
    Set-LabVfDriverLoaded $false
    $script:Pf = Get-LabIgbPf 1
    Invoke-LabProgram ip link set dev $Pf.Name up
    Set-LabNumVfs $Pf.PciAddress 3
    $script:Pool = "$($Pf.Name)-sr-iov"
    $script:Vm = 'z-k8s-n-1'

    # The addresses libvirt lists for a running pool (<forward><address>), as PCI addresses.
    function Get-PoolAddress([string] $Network) {
        $xml = [xml](Invoke-LabVirsh $Daemon.Uri net-dumpxml $Network)
        @($xml.network.forward.address | ForEach-Object {
                '{0:x4}:{1:x2}:{2:x2}.{3:x}' -f [Convert]::ToInt32($_.domain, 16), [Convert]::ToInt32($_.bus, 16), [Convert]::ToInt32($_.slot, 16), [Convert]::ToInt32($_.function, 16)
            })
    }

    # The MACs of the guest's interfaces (all on the pool): its definition, or the running guest, where
    # libvirt shows each as the hostdev interface of the VF it took.
    function Get-GuestMac([switch] $Inactive) {
        $arguments = @('dumpxml', $Vm) + @(if ($Inactive) { '--inactive' })
        $xml = [xml](Invoke-LabVirsh $Daemon.Uri @arguments)
        @($xml.domain.devices.interface | ForEach-Object { $_.mac.address })
    }
}

AfterAll {
    if (-not $LabActive) { return }
    Exit-LabGuestAndLibvirt $Daemon $Vm
    Set-LabNumVfs (Get-LabIgbPf 1).PciAddress 0
    Set-LabVfDriverLoaded $true
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'New-LibvirtSriovNetwork' -Tag 'Lab' -Skip:($env:SRIOVPS_LAB -ne '1') {
    It 'Get-SriovPf | New-LibvirtSriovNetwork -Autostart -Start: the PF''s pool, active and autostarted, over its VFs' {
        $made = Get-SriovPf $Pf.Name | New-LibvirtSriovNetwork -Autostart -Start -Confirm:$false -ErrorAction Stop

        $made.Name | Should -Be $Pool
        $info = Invoke-LabVirsh $Daemon.Uri net-info $Pool
        $info | Should -Match '(?m)^Active:\s+yes$'
        $info | Should -Match '(?m)^Autostart:\s+yes$'
        ([xml](Invoke-LabVirsh $Daemon.Uri net-dumpxml --inactive $Pool)).network.forward.pf.dev | Should -Be $Pf.Name
        Get-PoolAddress $Pool | Should -Be @(Get-LabVfAddress $Pf.PciAddress)
    }

    It '-WhatIf defines nothing' {
        New-LibvirtSriovNetwork -Name lab-whatif -PfName $Pf.Name -Autostart -Start -WhatIf -ErrorAction Stop

        Invoke-LabVirsh $Daemon.Uri net-list --all --name | Should -Not -Match 'lab-whatif'
    }
}

Describe 'Get-LibvirtSriovNetwork' -Tag 'Lab' -Skip:($env:SRIOVPS_LAB -ne '1') {
    It 'weighs the pool against the VFs the kernel has, and follows Enable-SriovVf''s count change with a restarted pool' {
        $before = Get-LibvirtSriovNetwork $Pool -ErrorAction Stop
        $before.PoolSize, $before.Free, $before.State, $before.Active | Should -Be 3, 3, 'Ok', $true

        Enable-SriovVf $Pf.Name -Count 4 -Force -Confirm:$false -ErrorAction Stop

        Read-LabFile "$($Pf.Device)/sriov_numvfs" | Should -Be '4'
        Get-PoolAddress $Pool | Should -Be @(Get-LabVfAddress $Pf.PciAddress)
        $after = Get-LibvirtSriovNetwork $Pool
        $after.PoolSize, $after.State | Should -Be 4, 'Ok'
    }

    It 'a pool virsh stopped is NotStarted' {
        Invoke-LabVirsh $Daemon.Uri net-destroy $Pool
        try {
            (Get-LibvirtSriovNetwork $Pool).State | Should -Be 'NotStarted'
        }
        finally { Invoke-LabVirsh $Daemon.Uri net-start $Pool }
        (Get-LibvirtSriovNetwork $Pool).State | Should -Be 'Ok'
    }
}

Describe 'Add-VmSriovInterface' -Tag 'Lab' -Skip:($env:SRIOVPS_LAB -ne '1') {
    BeforeAll {
        Register-LabGuest $Daemon.Uri $Vm
    }

    It 'two pool interfaces in the definition; started paused, the guest holds 2 VFs on vfio-pci, which Get-SriovVf shows as its' {
        $added = @(Add-VmSriovInterface $Vm -Network $Pool -Count 2 -Confirm:$false -ErrorAction Stop)

        Get-GuestMac -Inactive | Should -Be $added.MacAddress
        Invoke-LabVirsh $Daemon.Uri start --paused $Vm
        $owned = @(Get-SriovVf $Pf.Name | Where-Object Owner -eq $Vm)
        $owned.Count | Should -Be 2
        foreach ($vf in $owned) {
            Get-LabLinkName "/sys/bus/pci/devices/$($vf.PciAddress)/driver" | Should -Be 'vfio-pci'
        }
        (Get-LibvirtSriovNetwork $Pool).InUse | Should -Be 2
    }

    It 'a third -Live -Config interface finds no PCI slot in the running guest and goes into the definition, RestartRequired' {
        $third = Add-VmSriovInterface $Vm $Pool -Live -Config -Confirm:$false -WarningVariable warned -WarningAction SilentlyContinue -ErrorAction Stop

        $third.RestartRequired | Should -BeTrue
        $warned | Should -Not -BeNullOrEmpty
        (Get-GuestMac -Inactive).Count | Should -Be 3
        Get-GuestMac | Should -Not -Contain $third.MacAddress
        @(Get-SriovVf $Pf.Name | Where-Object Owner -eq $Vm).Count | Should -Be 2
    }
}

Describe 'Get-VmSriovInterface' -Tag 'Lab' -Skip:($env:SRIOVPS_LAB -ne '1') {
    It 'each interface with its MAC as virsh shows it, and the VF the running guest has now' {
        $interfaces = @(Get-VmSriovInterface $Vm -ErrorAction Stop)

        $interfaces.MacAddress | Should -Be (Get-GuestMac -Inactive)
        $active = @($interfaces | Where-Object Active)
        $active.MacAddress | Should -Be (Get-GuestMac)
        $owned = @(Get-SriovVf $Pf.Name | Where-Object Owner -eq $Vm).PciAddress
        @($active.VfPciAddress | Sort-Object) | Should -Be @($owned | Sort-Object)
        @($interfaces | Where-Object RestartRequired).Count | Should -Be 1
    }
}

Describe 'Remove-VmSriovInterface' -Tag 'Lab' -Skip:($env:SRIOVPS_LAB -ne '1') {
    It 'Get-VmSriovInterface | Select-Object -Last 1 | Remove-VmSriovInterface: the definition loses that interface' {
        $last = Get-VmSriovInterface $Vm | Select-Object -Last 1

        $last | Remove-VmSriovInterface -Confirm:$false -ErrorAction Stop

        Get-GuestMac -Inactive | Should -Not -Contain $last.MacAddress
        (Get-GuestMac -Inactive).Count | Should -Be 2
    }
}

Describe 'Remove-LibvirtSriovNetwork' -Tag 'Lab' -Skip:($env:SRIOVPS_LAB -ne '1') {
    It 'refuses the pool while the running guest uses it' {
        Remove-LibvirtSriovNetwork $Pool -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue

        Get-LabErrorId $refused | Should -Be 'LibvirtNetworkInUse'
        Invoke-LabVirsh $Daemon.Uri net-list --all --name | Should -Match ([regex]::Escape($Pool))
    }

    It 'once the guest stops, its VFs are free and the pool goes from libvirt' {
        Invoke-LabVirsh $Daemon.Uri destroy $Vm
        @(Get-SriovVf $Pf.Name | Where-Object Owner).Count | Should -Be 0

        Remove-LibvirtSriovNetwork $Pool -Confirm:$false -ErrorAction Stop

        Invoke-LabVirsh $Daemon.Uri net-list --all --name | Should -Not -Match ([regex]::Escape($Pool))
    }
}
