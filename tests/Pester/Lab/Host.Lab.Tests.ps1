#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Host readiness and repairs on the lab guest itself: its IOMMU, vfio, the igb PFs (the third one's
# VFs share its IOMMU group), a pool on a real libvirtd, AppArmor's local rules and the guest's own
# /etc/default/grub; checked against sysfs, iproute2 and the files as written.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LabFixtures.ps1')
    . (Join-Path $PSScriptRoot '../Fixtures.ps1')
    if (-not $LabActive) { return }
    Import-LabModule
    $script:Daemon = Enter-LabLibvirt
    Set-LabVfDriverLoaded $false
    $script:Pf = Get-LabIgbPf 1
    $script:Shared = Get-LabIgbPf 2
    Invoke-LabProgram ip link set dev $Pf.Name up
    Set-LabNumVfs $Pf.PciAddress 2
    Set-LabNumVfs $Shared.PciAddress 1
    $script:Pool = "$($Pf.Name)-sr-iov"
    $null = New-LibvirtSriovNetwork -PfName $Pf.Name -Start -Confirm:$false -ErrorAction Stop
    $script:Local = '/etc/apparmor.d/local/abstractions/libvirt-qemu'
    $script:LocalBefore = if (Test-Path $Local) { Get-Content -Raw $Local }
    $script:Written = [System.Collections.Generic.List[string]]::new()
}

AfterAll {
    if (-not $LabActive) { return }
    Exit-LabLibvirt $Daemon
    if ($null -ne $LocalBefore) { Write-LabFile $Local $LocalBefore } else { Remove-Item $Local -ErrorAction SilentlyContinue }
    # What the repairs wrote belongs to these tests only.
    $Written | Where-Object { $_ -ne $Local } | ForEach-Object { Remove-Item $_, "$_.sriovps.bak" -ErrorAction SilentlyContinue }
    Invoke-LabProgram ip link set dev (Get-LabIgbPf 1).Name up
    Set-LabNumVfs (Get-LabIgbPf 1).PciAddress 0
    Set-LabNumVfs (Get-LabIgbPf 2).PciAddress 0
    Set-LabVfDriverLoaded $true
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Repair-VfioAppArmor' -Tag 'Lab' -Skip:($env:SRIOVPS_LAB -ne '1') {
    # Before Test-SriovHost -Fix, which would make this repair too.
    It 'allows the vfio groups of the pool''s VFs, as sysfs numbers them, and the check passes' {
        (Get-Check @(Test-SriovHost -Network $Pool) 'Libvirt.AppArmorVfio').Status | Should -Be 'Fail'

        $changes = @(Repair-VfioAppArmor -Confirm:$false -ErrorAction Stop)

        $changes | ForEach-Object { $Written.Add($_.Path) }
        $changes.Path | Should -Contain $Local
        $groups = Get-LabVfAddress $Pf.PciAddress | ForEach-Object { Get-LabLinkName "/sys/bus/pci/devices/$_/iommu_group" }
        $allowed = @(Get-Content $Local | Where-Object { $_ -like '/dev/vfio/*' })
        $allowed.Count | Should -Be @($groups).Count
        foreach ($group in $groups) { @($allowed -match "^/dev/vfio/$group rw,").Count | Should -Be 1 }
        (Get-Check @(Test-SriovHost -Network $Pool) 'Libvirt.AppArmorVfio').Status | Should -Be 'Pass'
        $again = @(Repair-VfioAppArmor -Confirm:$false -ErrorAction Stop)
        $again.Path | Should -Contain $Local
        $again.Changed | Should -Not -Contain $true
    }
}

Describe 'Test-SriovHost' -Tag 'Lab' -Skip:($env:SRIOVPS_LAB -ne '1') {
    It 'judges the live guest by its kernel: the IOMMU, vfio, each PF, and the third PF''s VFs in its own group' {
        $checks = @(Test-SriovHost -ErrorAction Stop)

        # The guest's kernel has IOMMU groups and vfio-pci loaded.
        @(Get-ChildItem /sys/kernel/iommu_groups).Count | Should -BeGreaterThan 0
        Test-Path /sys/module/vfio_pci | Should -BeTrue
        (Get-Check $checks 'Iommu.Enabled').Status | Should -Be 'Pass'
        (Get-Check $checks 'Vfio.Loaded').Status | Should -Be 'Pass'
        foreach ($position in 0, 1, 2) {
            $igb = Get-LabIgbPf $position
            (Get-Check $checks 'Pf.SriovCapable' $igb.Name).Status | Should -Be 'Pass'
        }
        Get-LabLinkName "/sys/bus/pci/devices/$(@(Get-LabVfAddress $Shared.PciAddress)[0])/iommu_group" | Should -Be (Get-LabLinkName "$($Shared.Device)/iommu_group")
        (Get-Check $checks 'Pf.VfIsolation' $Shared.Name).Status | Should -Not -Be 'Pass'
        (Get-Check $checks 'Pf.VfIsolation' $Pf.Name).Status | Should -Be 'Pass'
        (Get-Check $checks 'Pool.State' $Pool).Status | Should -Be 'Pass'
    }

    It '-Fix brings the pool''s downed PF up, and the checks made again pass it' {
        Invoke-LabProgram ip link set dev $Pf.Name down
        (Get-Check @(Test-SriovHost -PfName $Pf.Name) 'Pf.LinkUp' $Pf.Name).Status | Should -Be 'Fail'

        $result = @(Test-SriovHost -PfName $Pf.Name -Fix -Confirm:$false -WarningAction SilentlyContinue -ErrorAction Stop)

        $result | Where-Object { $_ -is [SriovPS.SriovHostChange] } | ForEach-Object { $Written.Add($_.Path) }
        Test-LabLinkUp $Pf.Name | Should -BeTrue
        Wait-LabCondition { (Read-LabFile "/sys/class/net/$($Pf.Name)/operstate") -eq 'up' } "carrier on $($Pf.Name)"
        (Get-Check @(Test-SriovHost -PfName $Pf.Name) 'Pf.LinkUp' $Pf.Name).Status | Should -Be 'Pass'
    }
}

Describe 'Enable-SriovIommu' -Tag 'Lab' -Skip:($env:SRIOVPS_LAB -ne '1') {
    BeforeAll {
        # Debian 12's /etc/default/grub as installed; the guest boots without GRUB, so it has none of its own.
        $script:Grub = '/etc/default/grub'
        $script:VfioConf = '/etc/modules-load.d/vfio.conf'
        $script:GrubBefore = if (Test-Path $Grub) { Get-Content -Raw $Grub }
        $script:Stock = "# If you change this file, run 'update-grub' afterwards to update`n# /boot/grub/grub.cfg.`n" +
            "# For full documentation of the options in this file, see:`n#   info -f grub -n 'Simple configuration'`n`n" +
            "GRUB_DEFAULT=0`nGRUB_TIMEOUT=5`nGRUB_DISTRIBUTOR=``lsb_release -i -s 2> /dev/null || echo Debian```n" +
            "GRUB_CMDLINE_LINUX_DEFAULT=`"quiet`"`nGRUB_CMDLINE_LINUX=`"`"`n"
        Write-LabFile $Grub $Stock
    }

    AfterAll {
        if ($null -ne $GrubBefore) { Write-LabFile $Grub $GrubBefore } else { Remove-Item $Grub -ErrorAction SilentlyContinue }
        Remove-Item "$Grub.sriovps.bak", $VfioConf, "$VfioConf.sriovps.bak" -ErrorAction SilentlyContinue
    }

    It 'writes the IOMMU words of the firmware''s IOMMU and the VF count into the guest''s grub file, and vfio at boot; once' {
        # The emulated VT-d announces itself in a DMAR table, whatever the CPU model says.
        Test-Path /sys/firmware/acpi/tables/DMAR | Should -BeTrue

        $changes = @(Enable-SriovIommu -MaxVfs igb=7 -NoRegenerate -Confirm:$false -WarningAction SilentlyContinue -ErrorAction Stop)

        Get-Content -Raw $Grub | Should -Be $Stock.Replace('GRUB_CMDLINE_LINUX_DEFAULT="quiet"', 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on iommu=pt igb.max_vfs=7"')
        Get-Content $VfioConf | Should -Contain 'vfio_pci'
        # The guest runs with intel_iommu=on iommu=pt already; the VF count waits for a reboot.
        Get-Content /proc/cmdline | Should -Match 'intel_iommu=on'
        ($changes | Where-Object Path -eq $Grub).RebootRequired | Should -BeTrue
        $again = @(Enable-SriovIommu -MaxVfs igb=7 -NoRegenerate -Confirm:$false -WarningAction SilentlyContinue -ErrorAction Stop)
        $again.Path | Should -Contain $Grub
        $again.Changed | Should -Not -Contain $true
    }
}
