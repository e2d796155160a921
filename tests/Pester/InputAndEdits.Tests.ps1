#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Bad input and hostile files across the editors and validators: each test works on a fresh copy of a
# host tree (SRIOVPS_HOST_ROOT), and what is refused must leave the files byte for byte as they were,
# under -WhatIf and in the real run alike.

BeforeDiscovery {
    $handle = [IntPtr]::Zero
    $NoLibvirt = -not [System.Runtime.InteropServices.NativeLibrary]::TryLoad('libvirt.so.0', [ref] $handle)
}

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $script:Grub = '/etc/default/grub'
    $script:Vfio = '/etc/modules-load.d/vfio.conf'
    $script:Latin1 = [System.Text.Encoding]::Latin1

    # A fresh $Fixture tree with an Intel CPU and, unless -NoGrub, /etc/default/grub holding $GrubBytes.
    function New-EditTestHost {
        param([string] $Fixture = 'iommu-off', [byte[]] $GrubBytes, [switch] $NoGrub)
        $root = New-SriovTestHost -Fixture $Fixture
        Set-SriovTestHostFile $root '/proc/cpuinfo' "processor`t: 0`nvendor_id`t: GenuineIntel`n"
        if (-not $NoGrub) {
            $null = [System.IO.Directory]::CreateDirectory($root + '/etc/default')
            [System.IO.File]::WriteAllBytes($root + $script:Grub, $GrubBytes)
        }
        $env:SRIOVPS_HOST_ROOT = $root
        $root
    }

    function Get-Bytes([string] $Root, [string] $Path) { , [System.IO.File]::ReadAllBytes($Root + $Path) }

    # Text as the bytes of a file: Latin-1, so "`u{e9}" is the single byte 0xE9, as a Latin-1 editor saves it.
    function ConvertTo-Latin1([string] $Text) { , $script:Latin1.GetBytes($Text) }
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Edits keep every byte they do not change' -Tag 'CI' {
    AfterEach {
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
        if ($script:Root) { Remove-SriovTestHost $script:Root }
    }

    # The if and the here-document set other variables: they do not keep the key at the top level from being edited.
    It 'Enable-SriovIommu keeps a Latin-1 comment of /etc/default/grub byte for byte' {
        $before = "# R`u{e9}glages du d`u{e9}marrage (`u{e9}dit`u{e9} en Latin-1)`nGRUB_DEFAULT=0`n" +
            "if [ -e /boot/efi ]; then`n  GRUB_TIMEOUT=5`nfi`ncat <<EOF >/dev/null`nGRUB_TIMEOUT=9`nEOF`n" +
            "GRUB_CMDLINE_LINUX_DEFAULT=`"quiet`"`nGRUB_CMDLINE_LINUX=`"`"`n"
        $script:Root = New-EditTestHost -GrubBytes (ConvertTo-Latin1 $before)

        Enable-SriovIommu -NoRegenerate -Confirm:$false -ErrorAction Stop -WarningAction SilentlyContinue | Out-Null

        $expected = ConvertTo-Latin1 ($before -replace '"quiet"', '"quiet intel_iommu=on iommu=pt"')
        $actual = Get-Bytes $script:Root $script:Grub
        [Convert]::ToHexString($actual) | Should -BeExactly ([Convert]::ToHexString($expected))
        $actual | Should -Contain 0xE9
    }

    It 'Enable-SriovIommu -WhatIf shows a byte that is not UTF-8 as \xE9 and writes nothing' {
        $script:Root = New-EditTestHost -GrubBytes (ConvertTo-Latin1 "GRUB_CMDLINE_LINUX_DEFAULT=`"quiet`" # caf`u{e9}`n")
        $state = Get-SriovTestTreeState $script:Root

        $whatIf = Get-SriovTestWhatIf { Enable-SriovIommu -WhatIf -ErrorAction Stop -WarningAction SilentlyContinue }

        ($whatIf -join "`n") | Should -Match ([regex]::Escape('+ GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on iommu=pt" # caf\xE9'))
        Get-SriovTestTreeState $script:Root | Should -Be $state
    }

    It 'Repair-VfioAppArmor keeps a Latin-1 line of the local AppArmor file byte for byte' {
        $script:Root = New-EditTestHost -Fixture 'i350-4port' -NoGrub
        Set-SriovTestHostFile $script:Root '/sys/module/apparmor/parameters/enabled' "Y`n"
        Set-SriovTestHostFile $script:Root '/etc/apparmor.d/abstractions/libvirt-qemu' "  /dev/kvm rw,`n  #include <local/abstractions/libvirt-qemu>`n"
        $local = "# Ajouts du site (r`u{e9}seau `u{e9}tendu)`n  /srv/images/** rwk,`n"
        $null = [System.IO.Directory]::CreateDirectory($script:Root + '/etc/apparmor.d/local/abstractions')
        [System.IO.File]::WriteAllBytes($script:Root + '/etc/apparmor.d/local/abstractions/libvirt-qemu', (ConvertTo-Latin1 $local))

        Repair-VfioAppArmor -IommuGroup 39 -Confirm:$false -ErrorAction Stop -WarningAction SilentlyContinue | Out-Null

        $actual = Get-Bytes $script:Root '/etc/apparmor.d/local/abstractions/libvirt-qemu'
        $kept = ConvertTo-Latin1 $local
        [Convert]::ToHexString($actual[0..($kept.Length - 1)]) | Should -BeExactly ([Convert]::ToHexString($kept))
        [System.Text.Encoding]::UTF8.GetString($actual, $kept.Length, $actual.Length - $kept.Length) | Should -Match '^/dev/vfio/39 rw,'
    }
}

Describe 'Enable-SriovIommu refuses a /etc/default/grub it would damage' -Tag 'CI' {
    AfterEach {
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
        if ($script:Root) { Remove-SriovTestHost $script:Root }
    }

    It 'refuses <Case>, with -WhatIf and without, leaving the file as it was' -ForEach @(
        @{ Case = 'a value ending the file with a backslash'; Text = "GRUB_DEFAULT=0`nGRUB_CMDLINE_LINUX_DEFAULT=quiet\"; Message = 'ends the file with a backslash' }
        @{ Case = 'the key inside a multi-line if'; Text = "GRUB_CMDLINE_LINUX_DEFAULT=`"quiet`"`nif [ -e /etc/sriov ]; then`n  GRUB_CMDLINE_LINUX_DEFAULT=`"quiet splash`"`nfi`n"; Message = "line 3 .*inside 'if' \(from line 2\)" }
        @{ Case = 'the key inside a function body'; Text = "setup() {`n  GRUB_CMDLINE_LINUX_DEFAULT=`"quiet`"`n}`n"; Message = 'line 2 .*inside the function setup' }
        @{ Case = 'the key inside a function body opened on the next line'; Text = "function setup`n{`n  GRUB_CMDLINE_LINUX_DEFAULT=`"quiet`"`n}`n"; Message = 'inside the function setup' }
        @{ Case = 'the key inside a here-document'; Text = "GRUB_CMDLINE_LINUX=`"`"`ncat <<'EOF' >/dev/null`nGRUB_CMDLINE_LINUX_DEFAULT=`"quiet`"`nEOF`n"; Message = 'line 3 .*inside a here-document' }
        @{ Case = 'the key inside a while loop'; Text = "while false; do`nGRUB_CMDLINE_LINUX_DEFAULT=`"quiet`"`ndone`n"; Message = "inside 'while'" }
        @{ Case = 'an if that is never closed'; Text = "GRUB_CMDLINE_LINUX_DEFAULT=`"quiet`"`nif true; then`n  GRUB_TIMEOUT=5`n"; Message = "'if' on line 2 is never closed" }
    ) {
        $script:Root = New-EditTestHost -GrubBytes ([System.Text.Encoding]::UTF8.GetBytes($Text))
        $grub = Get-FileHash -LiteralPath ($script:Root + $script:Grub)

        foreach ($whatIf in $true, $false) {
            Enable-SriovIommu -NoRegenerate -WhatIf:$whatIf -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Out-Null

            @($errors).Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be 'GrubDefaultsUneditable,SriovPS.Commands.EnableSriovIommuCommand'
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $errors[0].Exception.Message | Should -Match $Message
            (Get-FileHash -LiteralPath ($script:Root + $script:Grub)).Hash | Should -Be $grub.Hash
            Test-Path -LiteralPath ($script:Root + $script:Grub + '.sriovps.bak') | Should -BeFalse
        }
    }
}

Describe 'Enable-SriovIommu -VfioOnly' -Tag 'CI' {
    AfterEach {
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
        if ($script:Root) { Remove-SriovTestHost $script:Root }
    }

    It 'writes only vfio.conf on a host without /etc/default/grub, which the Vfio.LoadAtBoot remedy names' {
        $script:Root = New-EditTestHost -NoGrub
        $remedy = (Test-SriovHost -WarningAction SilentlyContinue | Where-Object Id -EQ 'Vfio.LoadAtBoot').Remedy
        $remedy | Should -BeLike 'Enable-SriovIommu -VfioOnly *'

        $changes = @(Enable-SriovIommu -VfioOnly -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)

        @($errors).Count | Should -Be 0
        $changes.Path | Should -Be @($script:Vfio)
        Get-SriovTestHostText $script:Root $script:Vfio | Should -Match "(?m)^vfio_pci$"
        Test-Path -LiteralPath ($script:Root + $script:Grub) | Should -BeFalse
        (Test-SriovHost -WarningAction SilentlyContinue | Where-Object Id -EQ 'Vfio.LoadAtBoot').Status | Should -Be 'Pass'
    }

    It 'leaves /etc/default/grub alone where there is one' {
        $script:Root = New-EditTestHost -GrubBytes ([System.Text.Encoding]::UTF8.GetBytes("GRUB_CMDLINE_LINUX_DEFAULT=`"quiet`"`n"))
        $grub = Get-FileHash -LiteralPath ($script:Root + $script:Grub)

        Enable-SriovIommu -VfioOnly -Confirm:$false -ErrorAction Stop -WarningAction SilentlyContinue | Out-Null

        (Get-FileHash -LiteralPath ($script:Root + $script:Grub)).Hash | Should -Be $grub.Hash
    }

    It 'cannot be combined with -MaxVfs' {
        { Enable-SriovIommu -VfioOnly -MaxVfs igb=7 -WhatIf } | Should -Throw -ErrorId 'AmbiguousParameterSet,SriovPS.Commands.EnableSriovIommuCommand'
    }
}

Describe 'Validation is the same under -WhatIf as in the real run' -Tag 'CI' {
    BeforeAll {
        $script:I350 = New-EditTestHost -Fixture 'i350-4port' -GrubBytes ([System.Text.Encoding]::UTF8.GetBytes("GRUB_CMDLINE_LINUX_DEFAULT=`"quiet`"`n"))
    }

    AfterAll {
        Remove-SriovTestHost $script:I350
    }

    BeforeEach {
        $env:SRIOVPS_HOST_ROOT = $script:I350
        $script:State = Get-SriovTestTreeState $script:I350
    }

    AfterEach {
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
    }

    It 'Enable-SriovIommu -MaxVfs <MaxVfs> is refused (<Message>), with -WhatIf and without' -ForEach @(
        @{ MaxVfs = 'igbx=7'; Message = 'names igbx, a module this host does not have' }
        @{ MaxVfs = 'IGB=8'; Message = '-MaxVfs igb=8 is more than the igb PFs here support' }
    ) {
        foreach ($whatIf in $true, $false) {
            $record = { Enable-SriovIommu -MaxVfs $MaxVfs -WhatIf:$whatIf -Confirm:$false -WarningAction SilentlyContinue } |
                Should -Throw -ErrorId 'InvalidMaxVfs,SriovPS.Commands.EnableSriovIommuCommand' -PassThru

            $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $record.Exception.Message | Should -Match ([regex]::Escape($Message))
            Get-SriovTestTreeState $script:I350 | Should -Be $script:State
        }
    }

    It 'Enable-SriovIommu -MaxVfs IGB=7 writes igb.max_vfs=7 in lower case' {
        $whatIf = Get-SriovTestWhatIf { Enable-SriovIommu -MaxVfs IGB=7 -NoRegenerate -WhatIf -ErrorAction Stop -WarningAction SilentlyContinue }
        ($whatIf -join "`n") | Should -Match ([regex]::Escape('+ GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on iommu=pt igb.max_vfs=7"'))

        $root = New-EditTestHost -Fixture 'i350-4port' -GrubBytes ([System.Text.Encoding]::UTF8.GetBytes("GRUB_CMDLINE_LINUX_DEFAULT=`"quiet`"`n"))
        try {
            Enable-SriovIommu -MaxVfs IGB=7 -NoRegenerate -Confirm:$false -ErrorAction Stop -WarningAction SilentlyContinue | Out-Null
            Get-SriovTestHostText $root $script:Grub | Should -BeExactly "GRUB_CMDLINE_LINUX_DEFAULT=`"quiet intel_iommu=on iommu=pt igb.max_vfs=7`"`n"
        }
        finally {
            Remove-SriovTestHost $root
        }
    }

    It 'Set-SriovVfDriver -Driver <Shown> is refused with <Id>, with -WhatIf and without' -ForEach @(
        @{ Shown = 'nosuchdrv'; Driver = 'nosuchdrv'; Id = 'DriverNotAvailable'; Category = 'NotInstalled' }
        @{ Shown = '"vfio-pci`n"'; Driver = "vfio-pci`n"; Id = 'InvalidDriverName'; Category = 'InvalidArgument' }
        @{ Shown = '"igbvf`n"'; Driver = "igbvf`n"; Id = 'InvalidDriverName'; Category = 'InvalidArgument' }
    ) {
        foreach ($whatIf in $true, $false) {
            $record = { Set-SriovVfDriver eno49 -Index 0 -Driver $Driver -WhatIf:$whatIf -Confirm:$false -WarningAction SilentlyContinue } |
                Should -Throw -ErrorId "$Id,SriovPS.Commands.SetSriovVfDriverCommand" -PassThru

            $record.CategoryInfo.Category | Should -Be $Category
            Get-SriovTestTreeState $script:I350 | Should -Be $script:State
        }
    }

    # igbvf (registered here) and pci-stub (the kernel's own) are taken as given.
    It 'Set-SriovVfDriver -Driver vfio_pci plans driver_override=vfio-pci, the driver''s own name' {
        $whatIf = Get-SriovTestWhatIf {
            Set-SriovVfDriver eno49 -Index 0 -Driver vfio_pci -WhatIf -ErrorAction Stop -WarningAction SilentlyContinue
            Set-SriovVfDriver eno49 -Index 1 -Driver igbvf -WhatIf -ErrorAction Stop -WarningAction SilentlyContinue
            Set-SriovVfDriver eno49 -Index 2 -Driver pci-stub -WhatIf -ErrorAction Stop -WarningAction SilentlyContinue
        }

        $whatIf.Count | Should -Be 3
        $whatIf[0] | Should -Match 'driver_override=vfio-pci,'
        $whatIf[0] | Should -Not -Match 'vfio_pci'
        $whatIf[1] | Should -Match 'set driver_override to igbvf'
        $whatIf[2] | Should -Match 'driver_override=pci-stub,'
    }
}

Describe 'Names read from the host tree' -Tag 'CI' {
    AfterEach {
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
        if ($script:Root) { Remove-SriovTestHost $script:Root }
    }

    It 'Set-SriovVfDriver reports a VF whose device vanished as not found, not as the IOMMU being off' {
        $script:Root = New-EditTestHost -Fixture 'i350-4port' -NoGrub
        $device = (Get-Item -LiteralPath "$script:Root/sys/bus/pci/devices/0000:04:10.0").LinkTarget
        [System.IO.Directory]::Delete([System.IO.Path]::GetFullPath($device, "$script:Root/sys/bus/pci/devices"), $true)

        Set-SriovVfDriver eno49 -Index 0 -Driver vfio-pci -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

        @($errors).Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be 'SriovVfNotFound,SriovPS.Commands.SetSriovVfDriverCommand'
        $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errors[0].Exception.Message | Should -Not -Match 'IOMMU is off'
    }

    It 'Repair-VfioAppArmor refuses a device name that would split its rule, and writes no rule from it' {
        $script:Root = New-EditTestHost -Fixture 'i350-4port' -NoGrub
        Set-SriovTestHostFile $script:Root '/sys/module/apparmor/parameters/enabled' "Y`n"
        Set-SriovTestHostFile $script:Root '/etc/apparmor.d/abstractions/libvirt-qemu' "  /dev/kvm rw,`n  #include <local/abstractions/libvirt-qemu>`n"
        $devices = "$script:Root/sys/kernel/iommu_groups/39/devices"
        Get-ChildItem -LiteralPath $devices | Remove-Item
        [System.IO.File]::WriteAllText("$devices/0000:04:10.0`ncapability sys_admin,", '')

        Repair-VfioAppArmor -IommuGroup 39 -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Out-Null

        @($errors).Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be 'InvalidDeviceName,SriovPS.Commands.RepairVfioAppArmorCommand'
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $local = "$script:Root/etc/apparmor.d/local/abstractions/libvirt-qemu"
        if (Test-Path -LiteralPath $local) {
            Get-Content -LiteralPath $local -Raw | Should -Not -Match 'sys_admin'
        }
    }
}

Describe 'Add-VmSriovInterface makes under -WhatIf the MACs it then makes' -Tag 'CI' -Skip:$NoLibvirt {
    BeforeAll {
        $script:Uri = 'test:///default'
        $script:Libvirt = [SriovPS.Native.Libvirt.LibvirtConnection]::Open($script:Uri)
        $script:Prefix = 'sriovps-edits-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        $script:Root = New-SriovTestHost -Fixture 'i350-4port'
        $env:SRIOVPS_HOST_ROOT = $script:Root
        $null = New-LibvirtSriovNetwork -Name "$script:Prefix-pool" -PfName eno49 -Uri $script:Uri
        New-SriovTestGuest $script:Libvirt -Name "$script:Prefix-vm"
    }

    AfterAll {
        Remove-SriovTestGuest $script:Libvirt $script:Prefix
        Remove-LibvirtSriovNetwork "$script:Prefix-pool" -Uri $script:Uri -Force -Confirm:$false -ErrorAction SilentlyContinue
        $script:Libvirt.Dispose()
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
        Remove-SriovTestHost $script:Root
    }

    It 'shows the same two MACs each time, and the real run adds those' {
        $shown = 1..2 | ForEach-Object {
            (Get-SriovTestWhatIf { Add-VmSriovInterface "$script:Prefix-vm" -Network "$script:Prefix-pool" -Count 2 -Uri $script:Uri -WhatIf -ErrorAction Stop -WarningAction SilentlyContinue }) -join "`n"
        }
        $macs = [regex]::Matches($shown[0], '52:54:00(:[0-9a-f]{2}){3}').Value
        $macs.Count | Should -Be 2
        $shown[1] | Should -BeExactly $shown[0]

        # The test driver cannot attach devices: the real run says which interface it was adding.
        $said = Add-VmSriovInterface "$script:Prefix-vm" -Network "$script:Prefix-pool" -Count 2 -Uri $script:Uri -Confirm:$false -Verbose -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue 4>&1
        ((@($said | ForEach-Object { "$_" }) + @($errors | ForEach-Object { $_.Exception.Message })) -join "`n") | Should -Match ([regex]::Escape($macs[0]))
    }
}

Describe 'Wildcard patterns that cannot be matched' -Tag 'CI' {
    BeforeAll {
        $script:Tree = New-SriovTestHost -Fixture 'i350-4port'
    }

    AfterAll {
        Remove-SriovTestHost $script:Tree
    }

    It 'reports a reversed range as InvalidWildcardPattern and goes on with the other names' {
        $whatIf = Get-SriovTestWhatIf {
            Disable-SriovVf eno49, 'eno[9-0]' -HostRoot $script:Tree -WhatIf -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        }
        $null = Disable-SriovVf eno49, 'eno[9-0]' -HostRoot $script:Tree -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue 6>$null

        $whatIf | Should -Be 'What if: Performing the operation "remove all 7 VFs" on target "0000:04:00.0 (eno49)".'
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be 'InvalidWildcardPattern,SriovPS.Commands.DisableSriovVfCommand'
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errors[0].Exception.Message | Should -Be "The wildcard pattern 'eno[9-0]' is not valid: a range inside [ ] must run from the lower character to the higher ([0-9], not [9-0])."
    }

    It 'reports a reversed range in a libvirt name as InvalidWildcardPattern, not a .NET regex error' -Skip:$NoLibvirt {
        Remove-LibvirtSriovNetwork '[z-a]*' -Uri 'test:///default' -HostRoot $script:Tree -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue

        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be 'InvalidWildcardPattern,SriovPS.Commands.RemoveLibvirtSriovNetworkCommand'
    }
}
