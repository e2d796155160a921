#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# VF settings and VF drivers on the lab's second igb PF (3 VFs on igbvf), and a VF of the third, whose
# IOMMU group it shares with its PF; checked against `ip -j -d link show`, sysfs and the udev rules file.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LabFixtures.ps1')
    if (-not $LabActive) { return }
    Import-LabModule
    $script:Rules = '/etc/udev/rules.d/70-sriovps.rules'
    Remove-Item $Rules, "$Rules.sriovps.bak" -ErrorAction SilentlyContinue
    Set-LabVfDriverLoaded $true
    $script:Pf = Get-LabIgbPf 1
    Invoke-LabProgram ip link set dev $Pf.Name up
    Set-LabNumVfs $Pf.PciAddress 3
    $script:Vfs = @(Get-LabVfAddress $Pf.PciAddress)
    Wait-LabCondition { @($Vfs | Where-Object { (Get-LabLinkName "/sys/bus/pci/devices/$_/driver") -eq 'igbvf' }).Count -eq 3 } 'igbvf on the 3 VFs'
}

AfterAll {
    if (-not $LabActive) { return }
    Set-LabNumVfs (Get-LabIgbPf 1).PciAddress 0
    Set-LabNumVfs (Get-LabIgbPf 2).PciAddress 0
    Write-LabFile "$((Get-LabIgbPf 1).Device)/sriov_drivers_autoprobe" '1'
    Remove-Item $Rules, "$Rules.sriovps.bak" -ErrorAction SilentlyContinue
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Set-SriovVf' -Tag 'Lab' -Skip:($env:SRIOVPS_LAB -ne '1') {
    It 'the README''s line: MAC, VLAN, QoS, spoof check and trust as iproute2 reads them, and -Rebind gives the VF''s interface the MAC' {
        $vf = Set-SriovVf $Pf.Name 0 -MacAddress 02:53:52:00:00:10 -Vlan 42 -Qos 3 -SpoofCheck $true -Trust $true -Rebind -PassThru -Confirm:$false -ErrorAction Stop

        $reported = Get-LabIpVf $Pf.Name 0
        $reported.address | Should -Be '02:53:52:00:00:10'
        $reported.vlan_list[0].vlan | Should -Be 42
        $reported.vlan_list[0].qos | Should -Be 3
        $reported.spoofchk | Should -BeTrue
        $reported.trust | Should -BeTrue
        $vf.MacAddress | Should -Be '02:53:52:00:00:10'
        Get-LabLinkName "/sys/bus/pci/devices/$($Vfs[0])/driver" | Should -Be 'igbvf'
        $interface = Get-ChildItem "/sys/bus/pci/devices/$($Vfs[0])/net" -Name
        (Get-LabLink $interface).address | Should -Be '02:53:52:00:00:10'
    }

    It 'Get-SriovVf | Set-SriovVf -WhatIf changes nothing the kernel reports' {
        $before = (Get-LabLink $Pf.Name).vfinfo_list | ConvertTo-Json -Depth 5

        Get-SriovVf $Pf.Name | Set-SriovVf -SpoofCheck $false -Trust $false -WhatIf -ErrorAction Stop

        (Get-LabLink $Pf.Name).vfinfo_list | ConvertTo-Json -Depth 5 | Should -Be $before
    }

    It '-MaxTxRate 100 once the PF has carrier, and 0 removes it' {
        Wait-LabCondition { (Read-LabFile "/sys/class/net/$($Pf.Name)/carrier") -eq '1' } "carrier on $($Pf.Name)"

        Set-SriovVf $Pf.Name 1 -MaxTxRate 100 -Confirm:$false -ErrorAction Stop
        (Get-LabIpVf $Pf.Name 1).rate.max_tx | Should -Be 100

        Set-SriovVf $Pf.Name 1 -MaxTxRate 0 -Confirm:$false -ErrorAction Stop
        (Get-LabIpVf $Pf.Name 1).rate.max_tx | Should -Be 0
    }

    It 'what igb refuses (link state, minimum rate, 802.1ad) is reported per setting, and the rest is applied' {
        Set-SriovVf $Pf.Name 2 -Trust $true -LinkState Enable -MinTxRate 10 -MaxTxRate 100 -Vlan 10 -VlanProtocol 802.1ad -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue

        Get-LabErrorId $refused | Sort-Object | Should -Be @('VfSettingNotSupported', 'VfSettingNotSupported', 'VfSettingRejected')
        ($refused | Where-Object { $_.Exception.Message -match 'link-state' }).CategoryInfo.Category | Should -Be 'NotImplemented'
        ($refused | Where-Object { $_.Exception.Message -match '802\.1ad' }).CategoryInfo.Category | Should -Be 'NotImplemented'
        ($refused | Where-Object { $_.Exception.Message -match 'min_tx_rate 10' }).CategoryInfo.Category | Should -Be 'InvalidArgument'
        $reported = Get-LabIpVf $Pf.Name 2
        $reported.trust | Should -BeTrue
        $reported.vlan_list[0].vlan | Should -BeNullOrEmpty
        $reported.rate.min_tx | Should -Be 0
    }
}

Describe 'Set-SriovVfDriver' -Tag 'Lab' -Skip:($env:SRIOVPS_LAB -ne '1') {
    It 'Get-SriovVf -Index 0,1 | Set-SriovVfDriver -Driver vfio-pci -PassThru: both on vfio-pci, with their /dev/vfio nodes' {
        $moved = @(Get-SriovVf $Pf.Name -Index 0, 1 | Set-SriovVfDriver -Driver vfio-pci -PassThru -Confirm:$false -ErrorAction Stop)

        $moved.PciAddress | Should -Be $Vfs[0], $Vfs[1]
        foreach ($vf in $moved) {
            $device = "/sys/bus/pci/devices/$($vf.PciAddress)"
            Get-LabLinkName "$device/driver" | Should -Be 'vfio-pci'
            Read-LabFile "$device/driver_override" | Should -Be 'vfio-pci'
            $vf.VfioDevice | Should -Be "/dev/vfio/$(Get-LabLinkName "$device/iommu_group")"
            Test-Path $vf.VfioDevice | Should -BeTrue
        }
    }

    It '-Persist on the live host writes the VF''s boot rule; -Driver Default -Persist brings every VF back and removes it' {
        Set-SriovVfDriver $Pf.Name -Index 2 -Driver vfio-pci -Persist -Confirm:$false -ErrorAction Stop

        Get-LabLinkName "/sys/bus/pci/devices/$($Vfs[2])/driver" | Should -Be 'vfio-pci'
        $lines = Get-Content $Rules
        $lines | Should -Contain "ACTION==`"add`", SUBSYSTEM==`"pci`", KERNEL==`"$($Vfs[2])`", ATTR{driver_override}=`"vfio-pci`", ATTR{subsystem/drivers_probe}=`"$($Vfs[2])`", RUN{builtin}+=`"kmod load vfio-pci`""
        # At boot the PF's VFs come without a driver, so that the VF's line binds it before igbvf can.
        $lines | Should -Contain "ACTION==`"add`", SUBSYSTEM==`"net`", KERNELS==`"$($Pf.PciAddress)`", ATTR{device/sriov_drivers_autoprobe}=`"0`", ATTR{device/sriov_numvfs}=`"3`""

        Set-SriovVfDriver $Pf.Name -Driver Default -Persist -Confirm:$false -ErrorAction Stop

        foreach ($address in $Vfs) {
            Get-LabLinkName "/sys/bus/pci/devices/$address/driver" | Should -Be 'igbvf'
            Read-LabFile "/sys/bus/pci/devices/$address/driver_override" | Should -Be '(null)'
        }
        # The file keeps only what no VF driver needs: no VF's line, and no autoprobe held off for the PF.
        $after = @(Get-Content $Rules -ErrorAction SilentlyContinue)
        $after -match [regex]::Escape($Vfs[2]) | Should -BeNullOrEmpty
        $after -match 'ATTR\{device/sriov_drivers_autoprobe\}' | Should -BeNullOrEmpty
    }

    It 'refuses a VF whose IOMMU group holds its PF too, and the VF keeps its driver' {
        $shared = Get-LabIgbPf 2
        # igbvf completes its probe only with the PF up.
        Invoke-LabProgram ip link set dev $shared.Name up
        Set-LabNumVfs $shared.PciAddress 1
        $vf = @(Get-LabVfAddress $shared.PciAddress)[0]
        Wait-LabCondition { (Get-LabLinkName "/sys/bus/pci/devices/$vf/driver") -eq 'igbvf' } 'igbvf on the VF'
        Get-LabLinkName "/sys/bus/pci/devices/$vf/iommu_group" | Should -Be (Get-LabLinkName "$($shared.Device)/iommu_group")

        Set-SriovVfDriver $shared.Name -Index 0 -Driver vfio-pci -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue

        Get-LabErrorId $refused | Should -Be 'IommuGroupShared'
        $refused[0].Exception.Message | Should -Match ([regex]::Escape($shared.PciAddress))
        Get-LabLinkName "/sys/bus/pci/devices/$vf/driver" | Should -Be 'igbvf'
    }
}
