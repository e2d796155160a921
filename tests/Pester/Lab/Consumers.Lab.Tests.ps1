#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Readiness per consumer on the lab guest's igb: Docker's plugin wants VFs on igbvf with MACs the PF
# set, Kata wants them on vfio-pci. Each check fails first, then passes after its remedy, judged
# against iproute2's account of the VFs, ethtool's of the PF and sysfs's of their drivers.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LabFixtures.ps1')
    . (Join-Path $PSScriptRoot '../Fixtures.ps1')
    if (-not $LabActive) { return }
    Import-LabModule
    $script:Rules = '/etc/udev/rules.d/70-sriovps.rules'
    Remove-Item $Rules, "$Rules.sriovps.bak" -ErrorAction SilentlyContinue
    Set-LabVfDriverLoaded $true
    $script:Pf = Get-LabIgbPf 0
    Invoke-LabProgram ip link set dev $Pf.Name up
    Set-LabNumVfs $Pf.PciAddress 2
    $script:Vfs = @(Get-LabVfAddress $Pf.PciAddress)
    foreach ($vf in $Vfs) { Wait-LabCondition { (Get-LabLinkName "/sys/bus/pci/devices/$vf/driver") -eq 'igbvf' -and (Test-Path "/sys/bus/pci/devices/$vf/net") } "$vf on igbvf with an interface" -Seconds 120 }

    # The rule, worked out here from the PF's permanent MAC as ethtool reports it, not from the module:
    # octet 0 folds the first three (locally administered, unicast), 1-3 are the PF's last three, 4-5 the index.
    $permanent = ((Invoke-LabProgram ethtool -P $Pf.Name) -replace '^Permanent address:\s*', '').Trim()
    $octets = $permanent.Split(':') | ForEach-Object { [Convert]::ToByte($_, 16) }
    $script:Expected = foreach ($index in 0..($Vfs.Count - 1)) {
        $first = (($octets[0] -bxor $octets[1] -bxor $octets[2]) -band 0xFC) -bor 2
        $bytes = @($first, $octets[3], $octets[4], $octets[5], (($index -shr 8) -band 0xFF), ($index -band 0xFF))
        ($bytes | ForEach-Object { $_.ToString('x2') }) -join ':'
    }
}

AfterAll {
    if (-not $LabActive) { return }
    Remove-Item $Rules, "$Rules.sriovps.bak" -ErrorAction SilentlyContinue
    Set-LabNumVfs (Get-LabIgbPf 0).PciAddress 0
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Test-SriovHost -For Docker, and Set-SriovVf -MacAddress Auto' -Tag 'Lab' -Skip:($env:SRIOVPS_LAB -ne '1') {
    It 'fails Vf.MacSet while the PF has set no MAC, and passes once Set-SriovVf -MacAddress Auto has' {
        foreach ($index in 0..($Vfs.Count - 1)) { (Get-LabIpVf $Pf.Name $index).address | Should -Be '00:00:00:00:00:00' }
        $checks = @(Test-SriovHost -For Docker -PfName $Pf.Name -ErrorAction Stop)
        $mac = Get-Check $checks 'Vf.MacSet' $Pf.Name
        $mac.Status | Should -Be 'Fail'
        $mac.Remedy | Should -Match "Set-SriovVf -PfName $($Pf.Name)\b.*-MacAddress Auto"
        (Get-Check $checks 'Vf.KernelDriver' $Pf.Name).Status | Should -Be 'Pass'
        Test-SriovHost -For Docker -PfName $Pf.Name -Quiet | Should -BeFalse

        Set-SriovVf -PfName $Pf.Name -Index (0..($Vfs.Count - 1)) -MacAddress Auto -Confirm:$false -ErrorAction Stop

        $set = foreach ($index in 0..($Vfs.Count - 1)) { (Get-LabIpVf $Pf.Name $index).address }
        $set | Should -Be $Expected
        # igbvf took its own MAC as it was probed; its interfaces take the PF's only when the driver starts again.
        $stale = Get-Check @(Test-SriovHost -For Docker -PfName $Pf.Name) 'Vf.MacSet' $Pf.Name
        $stale.Status | Should -Be 'Fail'
        $stale.Remedy | Should -Be "Set-SriovVf -PfName $($Pf.Name) -Index $((0..($Vfs.Count - 1)) -join ',') -Rebind"

        Set-SriovVf -PfName $Pf.Name -Index (0..($Vfs.Count - 1)) -Rebind -Confirm:$false -ErrorAction Stop

        foreach ($index in 0..($Vfs.Count - 1)) {
            $vf = $Vfs[$index]
            Wait-LabCondition { (Get-LabLinkName "/sys/bus/pci/devices/$vf/driver") -eq 'igbvf' -and (Test-Path "/sys/bus/pci/devices/$vf/net") } "$vf on igbvf again" -Seconds 120
            $interface = Get-ChildItem "/sys/bus/pci/devices/$vf/net" -Name | Select-Object -First 1
            Read-LabFile "/sys/class/net/$interface/address" | Should -Be $Expected[$index]
        }
        (Get-Check @(Test-SriovHost -For Docker -PfName $Pf.Name) 'Vf.MacSet' $Pf.Name).Status | Should -Be 'Pass'
        Test-SriovHost -For Docker -PfName $Pf.Name -Quiet | Should -BeTrue
    }

    It 'gives the same MACs the second time, changing nothing; each unique, unicast and locally administered' {
        $whatIf = Get-SriovTestWhatIf { Get-SriovVf -PfName $Pf.Name | Set-SriovVf -MacAddress Auto -WhatIf -ErrorAction Stop }
        $whatIf | Should -BeNullOrEmpty
        Get-SriovVf -PfName $Pf.Name | Set-SriovVf -MacAddress Auto -Confirm:$false -ErrorAction Stop

        $again = foreach ($index in 0..($Vfs.Count - 1)) { (Get-LabIpVf $Pf.Name $index).address }
        $again | Should -Be $Expected
        @($again | Sort-Object -Unique).Count | Should -Be $Vfs.Count
        foreach ($mac in $again) {
            $first = [Convert]::ToByte($mac.Substring(0, 2), 16)
            $first -band 1 | Should -Be 0
            $first -band 2 | Should -Be 2
        }
        (Get-SriovVf -PfName $Pf.Name).MacAddress | Should -Be $Expected
    }

    It '-Persist writes a line udev runs as the PF appears, after its count line: VFs made again get the same MACs' {
        Enable-SriovVf $Pf.Name -Count $Vfs.Count -Persist -Confirm:$false -ErrorAction Stop
        Set-SriovVf -PfName $Pf.Name -Index (0..($Vfs.Count - 1)) -MacAddress Auto -Persist -Confirm:$false -ErrorAction Stop
        $lines = @(Get-Content $Rules | Where-Object { $_ -notmatch '^\s*(#|$)' })
        $lines[0] | Should -Be "ACTION==`"add`", SUBSYSTEM==`"net`", KERNELS==`"$($Pf.PciAddress)`", ATTR{device/sriov_numvfs}=`"$($Vfs.Count)`""
        $lines.Count | Should -Be (1 + $Vfs.Count)

        Set-LabNumVfs $Pf.PciAddress 0
        # udevadm writes what the rules do to stderr; it names the programs the event would run, with udev's substitutions made.
        $applied = udevadm test --action=add "/sys/class/net/$($Pf.Name)" 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 0
        # It applies the host's naming policy too, which may rename the PF; the line names it by its index.
        $script:Pf = Get-LabIgbPf 0
        $applied | Should -Match "sriov_numvfs' writing '$($Vfs.Count)'"
        Wait-LabCondition { (Read-LabFile "$($Pf.Device)/sriov_numvfs") -eq "$($Vfs.Count)" } 'the VFs the rule creates'
        foreach ($index in 0..($Vfs.Count - 1)) { (Get-LabIpVf $Pf.Name $index).address | Should -Be '00:00:00:00:00:00' }
        $runs = [regex]::Matches($applied, "(?<ip>/\S+/ip) link set dev (?<dev>if\d+) vf (?<vf>\d+) mac (?<mac>[0-9a-f:]{17})") |
            Sort-Object { [int] $_.Groups['vf'].Value } -Unique
        @($runs).Count | Should -Be $Vfs.Count
        foreach ($run in $runs) {
            $run.Groups['dev'].Value | Should -Be "if$(Read-LabFile "/sys/class/net/$($Pf.Name)/ifindex")"
            Invoke-LabProgram $run.Groups['ip'].Value link set dev $run.Groups['dev'].Value vf $run.Groups['vf'].Value mac $run.Groups['mac'].Value
        }

        $made = foreach ($index in 0..($Vfs.Count - 1)) { (Get-LabIpVf $Pf.Name $index).address }
        $made | Should -Be $Expected
        foreach ($vf in @(Get-LabVfAddress $Pf.PciAddress)) { Wait-LabCondition { (Get-LabLinkName "/sys/bus/pci/devices/$vf/driver") -eq 'igbvf' } "$vf on igbvf" -Seconds 120 }
        $script:Vfs = @(Get-LabVfAddress $Pf.PciAddress)
    }

    It 'fails Pf.LinkUp for Docker while the PF is down, and passes once it is up' {
        Invoke-LabProgram ip link set dev $Pf.Name down
        try {
            $link = Get-Check @(Test-SriovHost -For Docker -PfName $Pf.Name) 'Pf.LinkUp' $Pf.Name
            $link.Status | Should -Be 'Fail'
            $link.Remedy | Should -Match "Set-SriovPf -Name $($Pf.Name) -LinkState Up"
        }
        finally {
            Set-SriovPf -Name $Pf.Name -LinkState Up -Confirm:$false -ErrorAction Stop
        }

        Test-LabLinkUp $Pf.Name | Should -BeTrue
        # Up at once; the carrier follows, and until then the check warns of no link.
        Wait-LabCondition { (Read-LabFile "/sys/class/net/$($Pf.Name)/operstate") -eq 'up' } "carrier on $($Pf.Name)"
        (Get-Check @(Test-SriovHost -For Docker -PfName $Pf.Name) 'Pf.LinkUp' $Pf.Name).Status | Should -Be 'Pass'
    }
}

Describe 'Test-SriovHost -For Kata' -Tag 'Lab' -Skip:($env:SRIOVPS_LAB -ne '1') {
    It 'fails Vf.VfioDriver while the VFs are on igbvf, and passes once they are on vfio-pci, each with its /dev/vfio group' {
        $checks = @(Test-SriovHost -For Kata -PfName $Pf.Name -ErrorAction Stop)
        $vfio = Get-Check $checks 'Vf.VfioDriver' $Pf.Name
        $vfio.Status | Should -Be 'Fail'
        $vfio.Remedy | Should -Match "Set-SriovVfDriver -PfName $($Pf.Name)\b.*-Driver vfio-pci"
        # The libvirt checks are not Kata's.
        @($checks | Where-Object Id -like 'Libvirt.*') | Should -BeNullOrEmpty
        @($checks | Where-Object Id -like 'Pool.*') | Should -BeNullOrEmpty

        Set-SriovVfDriver -PfName $Pf.Name -Index (0..($Vfs.Count - 1)) -Driver vfio-pci -Confirm:$false -ErrorAction Stop

        foreach ($vf in $Vfs) {
            Get-LabLinkName "/sys/bus/pci/devices/$vf/driver" | Should -Be 'vfio-pci'
            Test-Path "/dev/vfio/$(Get-LabLinkName "/sys/bus/pci/devices/$vf/iommu_group")" | Should -BeTrue
        }
        $after = @(Test-SriovHost -For Kata -PfName $Pf.Name)
        (Get-Check $after 'Vf.VfioDriver' $Pf.Name).Status | Should -Be 'Pass'
        (Get-Check $after 'Vf.VfioDevice' $Pf.Name).Status | Should -Be 'Pass'
        # Docker's VFs are the kernel driver's: the same VFs are no longer ready for it.
        (Get-Check @(Test-SriovHost -For Docker -PfName $Pf.Name) 'Vf.KernelDriver' $Pf.Name).Status | Should -Be 'Fail'
    }
}
