#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# A snapshot read as a host: every reader gives on it what it gives on the host it was taken of
# (compared property by property), the warning names it, changers refuse it, damaged ones are
# refused, two snapshots compare through Get-/Test-SriovConfiguration, and a saved libvirt reads
# as the live one. Saving: Save-SriovHostSnapshot.Tests.ps1.

BeforeDiscovery {
    $handle = [IntPtr]::Zero
    $NoLibvirt = -not [System.Runtime.InteropServices.NativeLibrary]::TryLoad('libvirt.so.0', [ref] $handle)
    $Readers = 'Get-SriovPf', 'Get-SriovPf -IncludeNotCapable', 'Get-SriovVf', 'Test-SriovHost', 'Get-SriovConfiguration',
        'Get-SriovConfiguration -AsJson', 'Export-SriovConfig DevicePlugin', 'Export-SriovConfig Nmstate', 'Export-SriovConfig NetworkAttachmentDefinition'
    $ReaderCases = foreach ($fixture in 'i350-4port', 'lab-igb', 'connectx5') {
        foreach ($form in 'directory', 'archive', 'SRIOVPS_HOST_ROOT') {
            foreach ($reader in $Readers) { @{ Fixture = $fixture; Form = $form; Reader = $reader } }
        }
    }
    $Changers = @(
        @{ Changer = 'Enable-SriovVf'; Run = { param($At) Enable-SriovVf -PfName eno49 -Count 3 -Force @At } }
        @{ Changer = 'Set-SriovVf'; Run = { param($At) Set-SriovVf -PfName eno49 -Index 0 -Vlan 10 @At } }
        @{ Changer = 'Set-SriovVfDriver'; Run = { param($At) Set-SriovVfDriver -PfName eno49 -Index 1 -Driver vfio-pci @At } }
        @{ Changer = 'Set-SriovPf'; Run = { param($At) Set-SriovPf -PfName eno49 -Mtu 9000 @At } }
        @{ Changer = 'Enable-SriovIommu'; Run = { param($At) Enable-SriovIommu -VfioOnly @At } }
        @{ Changer = 'Set-SriovConfiguration'; Run = { param($At) Set-SriovConfiguration -InputObject '{"pfs":[{"match":{"name":"eno49"},"numVfs":3}]}' -Force @At } }
    )
    $ChangerCases = foreach ($changer in $Changers) { foreach ($form in 'archive', 'directory') { $changer + @{ Form = $form } } }
}

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    $script:CallersCache = $env:XDG_CACHE_HOME
    Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $script:Work = Join-Path ([System.IO.Path]::GetTempPath()) ('sriovps-snap-' + [guid]::NewGuid().ToString('N'))
    $null = [System.IO.Directory]::CreateDirectory($script:Work)
    # The cache of unpacked snapshots of this run only.
    $env:XDG_CACHE_HOME = Join-Path $script:Work 'cache'
    $script:Cache = Join-Path $env:XDG_CACHE_HOME 'sriovps/snapshots'
    # Every command warns that it reads a snapshot or a tree; the warning tests collect them with -WarningVariable.
    $PSDefaultParameterValues = @{ '*-*:WarningAction' = 'SilentlyContinue' }

    function New-TestPath {
        param([string] $Suffix = '')
        Join-Path $script:Work ([guid]::NewGuid().ToString('N') + $Suffix)
    }

    # Where the two objects differ, one line each ('$.Path: expected <> actual'); nothing when equal.
    # Walks lists item by item and objects property by property, none left out.
    function Compare-TestObject {
        param($Expected, $Actual, [string] $Path = '$', [int] $Depth = 0)
        if ($null -eq $Expected -or $null -eq $Actual) {
            if (-not ($null -eq $Expected -and $null -eq $Actual)) { "${Path}: '$Expected' <> '$Actual'" }
            return
        }
        if ($Depth -gt 10) { return "${Path}: too deep to compare" }
        # Assigned, not the output of an if, which would unroll a list.
        $e = $Expected.psobject.BaseObject
        if ($e -is [string] -or $e -is [ValueType] -or $e -is [version] -or $e -is [uri]) {
            if (-not $Expected.Equals($Actual) -and "$Expected" -cne "$Actual") { "${Path}: '$Expected' <> '$Actual'" }
            return
        }
        if ($e -is [System.Collections.IDictionary]) {
            $keys = @($Expected.Keys) + @($Actual.Keys) | Select-Object -Unique
            foreach ($key in $keys) { Compare-TestObject $Expected[$key] $Actual[$key] "$Path[$key]" ($Depth + 1) }
            return
        }
        if ($e -is [System.Collections.IEnumerable]) {
            $left = @($Expected); $right = @($Actual)
            if ($left.Count -ne $right.Count) { return "${Path}: $($left.Count) items <> $($right.Count) items" }
            for ($i = 0; $i -lt $left.Count; $i++) { Compare-TestObject $left[$i] $right[$i] "$Path[$i]" ($Depth + 1) }
            return
        }
        if ($Expected.GetType() -ne $Actual.GetType() -and $e -isnot [System.Management.Automation.PSCustomObject]) {
            return "${Path}: a $($Expected.GetType()) <> a $($Actual.GetType())"
        }
        $names = @($Expected.psobject.Properties.Name) + @($Actual.psobject.Properties.Name) | Select-Object -Unique
        foreach ($name in $names) {
            Compare-TestObject $Expected.$name $Actual.$name "$Path.$name" ($Depth + 1)
        }
    }

    # What a reader gives on the host $At names (@{ HostRoot = ... }, or @{} for $env:SRIOVPS_HOST_ROOT).
    function Invoke-TestReader {
        param([string] $Reader, [hashtable] $At)
        switch ($Reader) {
            'Get-SriovPf' { Get-SriovPf @At -ErrorAction Stop }
            'Get-SriovPf -IncludeNotCapable' { Get-SriovPf -IncludeNotCapable @At -ErrorAction Stop }
            'Get-SriovVf' { Get-SriovVf @At -ErrorAction Stop }
            # Sorted by check: the order follows the statuses, so a differing status shows once, not as a shift of every check after it.
            # A finding that names the tree or snapshot read names it as <root>: the two are read from different paths.
            'Test-SriovHost' {
                $root = if ($At.HostRoot) { $At.HostRoot } else { $env:SRIOVPS_HOST_ROOT }
                Test-SriovHost @At -ErrorAction Stop 6>$null | Sort-Object Id, Target |
                    Select-Object Id, Status, Target, @{ Name = 'Finding'; Expression = { if ($root) { $_.Finding.Replace($root, '<root>') } else { $_.Finding } } }, Remedy
            }
            'Get-SriovConfiguration' { Get-SriovConfiguration @At -ErrorAction Stop }
            'Get-SriovConfiguration -AsJson' { Get-SriovConfiguration -AsJson @At -ErrorAction Stop }
            default { Export-SriovConfig -Format $Reader.Split(' ')[1] @At -ErrorAction Stop }
        }
    }

    # Moves VF 0 of eno50 (0000:04:10.1) of an i350-4port tree from igbvf to vfio-pci, as the kernel shows it.
    function Move-TestVfToVfio {
        param([string] $Root)
        $vf = "$Root/sys/devices/pci0000:00/0000:00:02.2/0000:04:10.1"
        [System.IO.File]::Delete("$vf/driver")
        [System.IO.File]::Delete("$Root/sys/bus/pci/drivers/igbvf/0000:04:10.1")
        [System.IO.File]::Delete("$Root/sys/class/net/enp4s16f1")
        [System.IO.Directory]::Delete("$vf/net", $true)
        $null = [System.IO.Directory]::CreateDirectory("$Root/sys/bus/pci/drivers/vfio-pci")
        $null = [System.IO.File]::CreateSymbolicLink("$vf/driver", '../../../../bus/pci/drivers/vfio-pci')
        $null = [System.IO.File]::CreateSymbolicLink("$Root/sys/bus/pci/drivers/vfio-pci/0000:04:10.1", '../../../../devices/pci0000:00/0000:00:02.2/0000:04:10.1')
        [System.IO.File]::WriteAllText("$vf/driver_override", "vfio-pci`n")
    }

    # Each fixture as a tree with a host name (so host-wide checks are named alike), and its snapshots.
    $script:Hosts = @{}
    foreach ($fixture in 'i350-4port', 'lab-igb', 'connectx5') {
        $tree = New-SriovTestHost -Fixture $fixture
        Set-SriovTestHostFile $tree /etc/hostname "snap-$fixture`n"
        $directory = Save-SriovHostSnapshot -Path (New-TestPath) -HostRoot $tree -ErrorAction Stop
        $archive = Save-SriovHostSnapshot -Path (New-TestPath '.tar.gz') -HostRoot $tree -ErrorAction Stop
        $script:Hosts[$fixture] = @{ Tree = $tree; directory = $directory.Path; archive = $archive.Path; SRIOVPS_HOST_ROOT = $archive.Path }
    }
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    $env:XDG_CACHE_HOME = $script:CallersCache
    foreach ($h in $script:Hosts.Values) { Remove-SriovTestHost $h.Tree }
    Remove-SriovTestHost $script:Work
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'A snapshot read as its host' -Tag 'CI' {
    # A snapshot of a copied tree judges as the tree: libvirt was never there (Libvirt.Reachable Skipped), nor /sys/module (Vfio.Loaded Skipped).
    It '<Reader> on the <Fixture> snapshot (<Form>) equals it on the tree' -ForEach $ReaderCases {
        $h = $script:Hosts[$Fixture]
        $expected = @(Invoke-TestReader $Reader @{ HostRoot = $h.Tree })
        if ($Form -eq 'SRIOVPS_HOST_ROOT') {
            $env:SRIOVPS_HOST_ROOT = $h[$Form]
            try { $actual = @(Invoke-TestReader $Reader @{}) } finally { Remove-Item Env:SRIOVPS_HOST_ROOT }
        }
        else {
            $actual = @(Invoke-TestReader $Reader @{ HostRoot = $h[$Form] })
        }

        $expected.Count | Should -BeGreaterThan 0
        Compare-TestObject $expected $actual | Should -BeNullOrEmpty
    }

    # Host-wide checks of an unnamed host are named after what the user named, never the cache directory the snapshot is unpacked in.
    It 'names the host-wide checks of a tree without /etc/hostname by the snapshot, not by the cache it is unpacked in' {
        $tree = New-SriovTestHost -Fixture 'i350-4port'
        try {
            $snapshot = Save-SriovHostSnapshot -Path (New-TestPath '.tgz') -HostRoot $tree -ErrorAction Stop
        }
        finally {
            Remove-SriovTestHost $tree
        }

        $targets = (Test-SriovHost -HostRoot $snapshot.Path 6>$null | Where-Object Id -Like 'Iommu.*').Target | Select-Object -Unique

        $targets | Should -Not -BeLike "$script:Cache*"
    }
}

Describe 'The snapshot warning' -Tag 'CI' {
    It 'names the snapshot, its host and time, once for Get-SriovPf | Get-SriovVf on a <_>' -ForEach 'directory', 'archive' {
        # A new snapshot: the warning is given once per command line and host.
        $snapshot = Save-SriovHostSnapshot -Path (New-TestPath $(if ($_ -eq 'archive') { '.tar.gz' } else { '' })) -HostRoot $script:Hosts['lab-igb'].Tree -ErrorAction Stop
        $s = $snapshot.Path
        $time = $snapshot.TakenAt.UtcDateTime.ToString('yyyy-MM-dd HH:mm:ss') + 'Z'

        $null = Get-SriovPf -HostRoot $s -WarningVariable w1 | Get-SriovVf -HostRoot $s -WarningVariable w2

        $warnings = @($w1) + @($w2)
        $warnings.Count | Should -Be 1
        $warnings[0].Message | Should -BeLike "'$s' is the snapshot of snap-lab-igb taken $time*"
    }
}

Describe 'Changers on a snapshot' -Tag 'CI' {
    BeforeAll {
        $script:I350 = $script:Hosts['i350-4port']
        function Get-TestSnapshotState {
            @(Get-SriovTestTreeState $script:I350.directory) + (Get-FileHash -LiteralPath $script:I350.archive).Hash + @(Get-SriovTestTreeState $script:Cache)
        }
    }

    It '<Changer> -Confirm:$false on the <Form> refuses with SnapshotReadOnly (InvalidOperation), changing no file' -ForEach $ChangerCases {
        $at = @{ HostRoot = $script:I350[$Form]; Confirm = $false }
        $null = Get-SriovPf -HostRoot $at.HostRoot -ErrorAction Stop   # unpacked into the cache before the state is taken
        $before = Get-TestSnapshotState

        $err = $null
        try { $null = & $Run $at -ErrorAction Stop } catch { $err = $_ }

        $err | Should -Not -BeNullOrEmpty -Because 'a change to a snapshot is refused'
        $err.FullyQualifiedErrorId | Should -BeLike 'SnapshotReadOnly,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $err.Exception.Message | Should -BeLike "*the snapshot of snap-i350-4port*"
        Get-TestSnapshotState | Should -Be $before
    }

    It '<Changer> -WhatIf on the <Form> shows What if, without error' -ForEach ($ChangerCases | Where-Object Form -EQ 'archive') {
        $at = @{ HostRoot = $script:I350[$Form]; WhatIf = $true }
        $before = Get-TestSnapshotState

        $messages = Get-SriovTestWhatIf { & $Run $at -ErrorAction Stop }

        $messages.Count | Should -BeGreaterThan 0
        Get-TestSnapshotState | Should -Be $before
    }
}

Describe 'libvirt commands on a snapshot without libvirt' -Tag 'CI' {
    It '<_> ends with LibvirtConnectionFailed naming the snapshot' -ForEach 'Get-LibvirtSriovNetwork', 'Get-VmSriovInterface' {
        $command = $_
        $s = $script:Hosts['i350-4port'].archive

        $err = { & $command -HostRoot $s } | Should -Throw -ErrorId "LibvirtConnectionFailed,*" -PassThru

        $err.Exception.Message | Should -BeLike '*the snapshot of snap-i350-4port taken * holds no libvirt*'
    }
}

Describe 'A damaged snapshot' -Tag 'CI' {
    # A file given as a host root can only be meant as a snapshot: one that cannot be read is unreadable, not missing.
    It 'is refused as SnapshotUnreadable (ReadError): <Case>' -ForEach @(
        @{ Case = 'a truncated .tar.gz' }
        @{ Case = 'a .tar.gz of random bytes' }
        @{ Case = 'a .tar.gz of random bytes after the gzip magic number' }
        @{ Case = 'a directory whose snapshot.json says version 99' }
    ) {
        $archive = $script:Hosts['i350-4port'].archive
        $path = New-TestPath '.tar.gz'
        $random = [byte[]]::new(4096)
        [System.Random]::new(29).NextBytes($random)
        switch -Wildcard ($Case) {
            '*truncated*' { $bytes = [System.IO.File]::ReadAllBytes($archive); [System.IO.File]::WriteAllBytes($path, $bytes[0..($bytes.Length / 2)]) }
            '*after the gzip*' { $random[0] = 0x1f; $random[1] = 0x8b; [System.IO.File]::WriteAllBytes($path, $random) }
            '*random*' { $random[0] = 0; [System.IO.File]::WriteAllBytes($path, $random) }
            '*version 99*' {
                $path = New-TestPath
                & cp -r -- $script:Hosts['i350-4port'].directory $path
                $json = Join-Path $path 'snapshot.json'
                [System.IO.File]::WriteAllText($json, ([System.IO.File]::ReadAllText($json) -replace '"version": 1', '"version": 99'))
            }
        }

        $err = { Get-SriovPf -HostRoot $path -ErrorAction Stop } | Should -Throw -ErrorId 'SnapshotUnreadable,SriovPS.Commands.GetSriovPfCommand' -PassThru

        $err.CategoryInfo.Category | Should -Be 'ReadError'
        $err.Exception.Message | Should -BeLike "*'$path'*"
    }
}

Describe 'Comparing two hosts through their snapshots' -Tag 'CI' {
    BeforeAll {
        $treeA = New-SriovTestHost -Fixture 'i350-4port'
        $treeB = New-SriovTestHost -Fixture 'i350-4port'
        try {
            Move-TestVfToVfio $treeB
            $script:A = (Save-SriovHostSnapshot -Path (New-TestPath '.tar.gz') -HostRoot $treeA -ErrorAction Stop).Path
            $script:B = (Save-SriovHostSnapshot -Path (New-TestPath) -HostRoot $treeB -ErrorAction Stop).Path
        }
        finally {
            Remove-SriovTestHost $treeA
            Remove-SriovTestHost $treeB
        }
    }

    It 'finds no difference between a snapshot and itself' {
        $drifts = @(Get-SriovConfiguration -HostRoot $script:A | Test-SriovConfiguration -HostRoot $script:A -ErrorAction Stop)

        $drifts.Count | Should -Be 0
    }

    It 'lists the VF that B has on vfio-pci, testing A''s configuration on B' {
        $drifts = @(Get-SriovConfiguration -HostRoot $script:A | Test-SriovConfiguration -HostRoot $script:B -ErrorAction Stop)

        $drifts.Count | Should -Be 1
        $drifts[0].Target | Should -Be 'eno50 vf 0'
        $drifts[0].Property | Should -Be 'Driver'
        $drifts[0].Desired | Should -Be 'default'
        $drifts[0].Actual | Should -Be 'vfio-pci'
    }

    It 'lists the same VF the other way round, testing B''s configuration on A' {
        (Get-SriovConfiguration eno50 -HostRoot $script:B -AsJson) | Should -Match '"index": 0,\s+"driver": "vfio-pci"'

        $drifts = @(Get-SriovConfiguration -HostRoot $script:B | Test-SriovConfiguration -HostRoot $script:A -ErrorAction Stop)

        $drifts.Count | Should -Be 1
        $drifts[0].Target | Should -Be 'eno50 vf 0'
        $drifts[0].Property | Should -Be 'Driver'
        $drifts[0].Desired | Should -Be 'vfio-pci'
    }
}

Describe 'A snapshot with libvirt (test:///default on this machine)' -Tag 'CI' -Skip:$NoLibvirt {
    BeforeAll {
        $script:Uri = 'test:///default'
        $script:Live = Save-SriovHostSnapshot -Path (New-TestPath) -Uri $script:Uri -ErrorAction Stop
    }

    It 'keeps the test driver''s network "default" and guest "test" by name only, as they have no SR-IOV' {
        $libvirt = Get-Content -Raw -LiteralPath (Join-Path $script:Live.Path 'libvirt/libvirt.json') | ConvertFrom-Json

        $script:Live.LibvirtUri | Should -Be $script:Uri
        @($script:Live.Unread | Where-Object { $_ -like 'libvirt*' }).Count | Should -Be 0
        $libvirt.uri | Should -Be $script:Uri
        $libvirt.otherNetworks | Should -Contain 'default'
        $libvirt.otherGuests.name | Should -Contain 'test'
        $libvirt.networks.Count | Should -Be 0
        $libvirt.guests.Count | Should -Be 0
    }

    It '<_> on the snapshot equals the live one, both empty (the test driver has no SR-IOV)' -ForEach 'Get-LibvirtSriovNetwork', 'Get-VmSriovInterface' {
        $live = @(& $_ -Uri $script:Uri -ErrorAction Stop)
        $saved = @(& $_ -HostRoot $script:Live.Path -ErrorAction Stop)

        $live.Count | Should -Be 0
        Compare-TestObject $live $saved | Should -BeNullOrEmpty
    }

    # A snapshot taken on a running host holds all it read: a file absent there (/sys/module/apparmor) was absent on the host,
    # so Libvirt.AppArmorVfio passes on the snapshot as it does live, where AppArmor is not active.
    It '<_> on the snapshot equals it on this machine' -ForEach 'Get-SriovPf -IncludeNotCapable', 'Test-SriovHost' {
        $live = @(if ($_ -eq 'Test-SriovHost') { Test-SriovHost -Uri $script:Uri 6>$null | Sort-Object Id, Target | Select-Object Id, Status, Target, Finding, Remedy } else { Get-SriovPf -IncludeNotCapable })
        $saved = @(Invoke-TestReader $_ @{ HostRoot = $script:Live.Path })

        Compare-TestObject $live $saved | Should -BeNullOrEmpty
    }
}
