#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# PFs and VF counts on the lab's first igb PF, through the pipelines README.md and the help show,
# each checked against sysfs, `ip -j -d link show` and the udev rules file.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LabFixtures.ps1')
    if (-not $LabActive) { return }
    Import-LabModule
    $script:Rules = '/etc/udev/rules.d/70-sriovps.rules'
    Set-LabVfDriverLoaded $true
    Set-LabNumVfs (Get-LabIgbPf 0).PciAddress 0
    Remove-Item $Rules, "$Rules.sriovps.bak" -ErrorAction SilentlyContinue
}

AfterAll {
    if (-not $LabActive) { return }
    Stop-LabVfioHolder $script:Holder
    Set-LabNumVfs (Get-LabIgbPf 0).PciAddress 0
    Remove-Item $Rules, "$Rules.sriovps.bak" -ErrorAction SilentlyContinue
    Set-LabVfDriverLoaded $true
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Get-SriovPf' -Tag 'Lab' -Skip:($env:SRIOVPS_LAB -ne '1') {
    It 'lists each igb PF as sysfs and iproute2 show it' {
        $pfs = @(Get-SriovPf -Driver igb)

        $pfs.PciAddress | Should -Be @(0, 1, 2 | ForEach-Object { (Get-LabIgbPf $_).PciAddress })
        foreach ($pf in $pfs) {
            $device = "/sys/bus/pci/devices/$($pf.PciAddress)"
            $link = Get-LabLink $pf.Name
            $pf.Name | Should -Be (Get-ChildItem "$device/net" -Name)
            $pf.NumVfs | Should -Be ([int](Read-LabFile "$device/sriov_numvfs"))
            $pf.TotalVfs | Should -Be ([int](Read-LabFile "$device/sriov_totalvfs"))
            $pf.MacAddress | Should -Be $link.address
            $pf.Mtu | Should -Be $link.mtu
            $pf.IommuGroup | Should -Be ([int](Get-LabLinkName "$device/iommu_group"))
        }
    }

    It 'follows the link: a PF iproute2 shows down is PfLinkDown, up again Supported' {
        $pf = Get-LabIgbPf 0
        Invoke-LabProgram ip link set dev $pf.Name down
        try {
            Test-LabLinkUp $pf.Name | Should -BeFalse
            (Get-SriovPf $pf.Name).SriovSupport | Should -Be 'PfLinkDown'
        }
        finally { Invoke-LabProgram ip link set dev $pf.Name up }

        Test-LabLinkUp $pf.Name | Should -BeTrue
        (Get-SriovPf $pf.Name).SriovSupport | Should -Be 'Supported'
    }
}

Describe 'Enable-SriovVf' -Tag 'Lab' -Skip:($env:SRIOVPS_LAB -ne '1') {
    BeforeEach {
        # udevadm test applies the host's naming policy, which may rename the PF.
        $script:Pf = Get-LabIgbPf 0
    }

    It 'Get-SriovPf | Enable-SriovVf -Count 3 -PassThru | Set-SriovVf: 3 VFs on igbvf, each with the settings' {
        $vfs = @(Get-SriovPf $Pf.Name | Enable-SriovVf -Count 3 -PassThru -Confirm:$false | Set-SriovVf -Vlan 42 -SpoofCheck $false -PassThru -Confirm:$false)

        Read-LabFile "$($Pf.Device)/sriov_numvfs" | Should -Be '3'
        $vfs.PciAddress | Should -Be @(Get-LabVfAddress $Pf.PciAddress)
        foreach ($address in $vfs.PciAddress) {
            Get-LabLinkName "/sys/bus/pci/devices/$address/driver" | Should -Be 'igbvf'
        }
        $reported = (Get-LabLink $Pf.Name).vfinfo_list
        $reported.Count | Should -Be 3
        $reported | ForEach-Object {
            $_.vlan_list[0].vlan | Should -Be 42
            $_.spoofchk | Should -BeFalse
        }
    }

    It '-WhatIf shows the change and makes none' {
        $before = @(Get-LabVfAddress $Pf.PciAddress)

        Enable-SriovVf $Pf.Name -Count 2 -Force -WhatIf -ErrorAction Stop

        Read-LabFile "$($Pf.Device)/sriov_numvfs" | Should -Be '3'
        @(Get-LabVfAddress $Pf.PciAddress) | Should -Be $before
        Test-Path $Rules | Should -BeFalse
    }

    It 'refuses VFs piped in, one error each, and the kernel keeps every VF' {
        $before = (Get-LabLink $Pf.Name).vfinfo_list.Count

        Get-SriovVf $Pf.Name -Index 0, 1 | Enable-SriovVf -Count 2 -Force -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue

        Get-LabErrorId $refused | Should -Be 'VfGivenForPf', 'VfGivenForPf'
        Read-LabFile "$($Pf.Device)/sriov_numvfs" | Should -Be '3'
        (Get-LabLink $Pf.Name).vfinfo_list.Count | Should -Be $before
    }

    It 'refuses to destroy VFs a process holds through vfio (<Mode>), naming its PID, without waiting for the kernel' -TestCases @(
        @{ Mode = 'group' }, @{ Mode = 'device' }
    ) {
        $vf0 = @(Get-LabVfAddress $Pf.PciAddress)[0]
        Set-LabVfDriver $vf0 'vfio-pci'
        $script:Holder = Start-LabVfioHolder $Mode $vf0
        try {
            Enable-SriovVf $Pf.Name -Count 2 -Force -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue

            Get-LabErrorId $refused | Should -Be 'VfsInUse'
            $refused[0].CategoryInfo.Category | Should -Be 'ResourceBusy'
            $refused[0].Exception.Message | Should -Match "\b$($Holder.Id)\b"
            Read-LabFile "$($Pf.Device)/sriov_numvfs" | Should -Be '3'
            Get-LabLinkName "/sys/bus/pci/devices/$vf0/driver" | Should -Be 'vfio-pci'
        }
        finally {
            Stop-LabVfioHolder $Holder
            $script:Holder = $null
            Set-LabVfDriver $vf0 $null
        }
    }

    Context 'without the VF driver' {
        # What these show is the PF's and udev's: without igbvf no VF is probed, which costs seconds here.
        BeforeAll { Set-LabVfDriverLoaded $false }
        AfterAll { Set-LabVfDriverLoaded $true }

        It '-Persist writes the PF''s rule, and udev applies it when the PF appears' {
            Enable-SriovVf $Pf.Name -Count 3 -Persist -Confirm:$false -ErrorAction Stop

            Get-Content $Rules | Should -Contain "ACTION==`"add`", SUBSYSTEM==`"net`", KERNELS==`"$($Pf.PciAddress)`", ATTR{device/sriov_numvfs}=`"3`""
            Set-LabNumVfs $Pf.PciAddress 0
            # udevadm writes what the rules do to stderr.
            $applied = udevadm test --action=add "/sys/class/net/$($Pf.Name)" 2>&1 | Out-String
            $LASTEXITCODE | Should -Be 0
            $applied | Should -Match "sriov_numvfs' writing '3'"
            Wait-LabCondition { (Read-LabFile "$($Pf.Device)/sriov_numvfs") -eq '3' } 'the 3 VFs the rule creates'
        }

        It '-PreserveSettings keeps each surviving VF''s MAC, VLAN, QoS, trust and spoof check across 7 to 3' {
            Set-LabNumVfs $Pf.PciAddress 7
            Invoke-LabProgram ip link set $Pf.Name vf 0 mac 02:53:52:00:00:10 vlan 42 qos 3 trust on
            Invoke-LabProgram ip link set $Pf.Name vf 1 mac 02:53:52:00:00:11 spoofchk off
            Invoke-LabProgram ip link set $Pf.Name vf 2 vlan 100
            $before = (Get-LabLink $Pf.Name).vfinfo_list | Select-Object -First 3 | ConvertTo-Json -Depth 5

            Enable-SriovVf $Pf.Name -Count 3 -PreserveSettings -Force -Confirm:$false -ErrorAction Stop

            Read-LabFile "$($Pf.Device)/sriov_numvfs" | Should -Be '3'
            (Get-LabLink $Pf.Name).vfinfo_list | ConvertTo-Json -Depth 5 | Should -Be $before
        }
    }
}

Describe 'Get-SriovVf' -Tag 'Lab' -Skip:($env:SRIOVPS_LAB -ne '1') {
    BeforeAll {
        $script:Pf = Get-LabIgbPf 0
        if ((Read-LabFile "$($Pf.Device)/sriov_numvfs") -ne '3') { Set-LabNumVfs $Pf.PciAddress 3 }
        Invoke-LabProgram ip link set $Pf.Name vf 1 mac 02:53:52:00:00:21 vlan 7 qos 2 spoofchk off trust on
        $script:OnVfio = @(Get-LabVfAddress $Pf.PciAddress)[2]
        Set-LabVfDriver $OnVfio 'vfio-pci'
    }

    AfterAll {
        Set-LabVfDriver $OnVfio $null
    }

    It 'Get-SriovPf | Get-SriovVf: each VF''s address, driver, group and interface from sysfs, its settings from iproute2' {
        $vfs = @(Get-SriovPf $Pf.Name | Get-SriovVf)

        $vfs.Index | Should -Be 0, 1, 2
        $vfs.PciAddress | Should -Be @(Get-LabVfAddress $Pf.PciAddress)
        foreach ($vf in $vfs) {
            $device = "/sys/bus/pci/devices/$($vf.PciAddress)"
            $vf.Driver | Should -Be (Get-LabLinkName "$device/driver")
            $vf.IommuGroup | Should -Be ([int](Get-LabLinkName "$device/iommu_group"))
            $vf.Name | Should -Be (Get-ChildItem "$device/net" -Name -ErrorAction SilentlyContinue)
            $reported = Get-LabIpVf $Pf.Name $vf.Index
            $vf.MacAddress | Should -Be $reported.address
            $vf.Vlan | Should -Be ([int]$reported.vlan_list[0].vlan)
            $vf.Qos | Should -Be ([int]$reported.vlan_list[0].qos)
            $vf.SpoofCheck | Should -Be $reported.spoofchk
            $vf.Trust | Should -Be $reported.trust
        }
    }

    It 'a VF on vfio-pci has no interface and names its /dev/vfio node' {
        $vf = Get-SriovVf $Pf.Name -Index 2

        $vf.Driver | Should -Be 'vfio-pci'
        $vf.Name | Should -BeNullOrEmpty
        $vf.VfioDevice | Should -Be "/dev/vfio/$(Get-LabLinkName "/sys/bus/pci/devices/$OnVfio/iommu_group")"
        Test-Path $vf.VfioDevice | Should -BeTrue
    }
}

Describe 'Disable-SriovVf' -Tag 'Lab' -Skip:($env:SRIOVPS_LAB -ne '1') {
    BeforeAll {
        $script:Pf = Get-LabIgbPf 0
    }

    It 'refuses a VF piped in (it stands for one VF, not its PF) and the kernel keeps every VF' {
        $count = Read-LabFile "$($Pf.Device)/sriov_numvfs"

        Get-SriovVf $Pf.Name -Index 0 | Disable-SriovVf -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue

        Get-LabErrorId $refused | Should -Be 'VfGivenForPf'
        Read-LabFile "$($Pf.Device)/sriov_numvfs" | Should -Be $count
    }

    It 'refuses a PF that Invoke-Command brought from another computer, naming it, and the kernel keeps every VF' {
        $count = Read-LabFile "$($Pf.Device)/sriov_numvfs"
        $remote = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize((Get-SriovPf $Pf.Name)))

        $remote | Add-Member PSComputerName 'kvm-node-07' -PassThru | Disable-SriovVf -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue

        Get-LabErrorId $refused | Should -Be 'ObjectFromOtherHost'
        $refused[0].Exception.Message | Should -Match 'kvm-node-07'
        Read-LabFile "$($Pf.Device)/sriov_numvfs" | Should -Be $count
        @(Get-ChildItem $Pf.Device -Filter 'virtfn*').Count | Should -Be ([int]$count)
    }

    It 'Get-SriovPf | Disable-SriovVf -Persist: no VF left, and the PF''s rule removed' {
        Read-LabFile "$($Pf.Device)/sriov_numvfs" | Should -Not -Be '0'

        Get-SriovPf $Pf.Name | Disable-SriovVf -Persist -Confirm:$false -ErrorAction Stop

        Read-LabFile "$($Pf.Device)/sriov_numvfs" | Should -Be '0'
        Test-Path "$($Pf.Device)/virtfn0" | Should -BeFalse
        (Get-LabLink $Pf.Name).vfinfo_list | Should -BeNullOrEmpty
        @(Get-Content $Rules -ErrorAction SilentlyContinue) -match [regex]::Escape($Pf.PciAddress) | Should -BeNullOrEmpty
    }
}
