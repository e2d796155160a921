#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Save-SriovHostSnapshot: what it keeps of a copied tree and of this machine, as a directory or an
# archive; -WhatIf; what it refuses to write over; and the secrets of network files, which never leave
# the host. Reading a snapshot as a host: Snapshot.Tests.ps1.

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    $script:CallersCache = $env:XDG_CACHE_HOME
    Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $script:Command = 'SriovPS.Commands.SaveSriovHostSnapshotCommand'
    # Snapshots are written here, and unpacked into a cache of this run's own.
    $script:Work = Join-Path ([System.IO.Path]::GetTempPath()) ('sriovps-save-' + [guid]::NewGuid().ToString('N'))
    $null = [System.IO.Directory]::CreateDirectory($script:Work)
    $env:XDG_CACHE_HOME = Join-Path $script:Work 'cache'
    $script:I350 = New-SriovTestHost -Fixture 'i350-4port'
    $script:I350Pfs = @((Get-SriovPf -HostRoot $script:I350).Name | Sort-Object)
    $PSDefaultParameterValues = @{ 'Save-SriovHostSnapshot:WarningAction' = 'SilentlyContinue' }

    # A new path in the work directory.
    function New-TestPath {
        param([string] $Suffix = '')
        Join-Path $script:Work ([guid]::NewGuid().ToString('N') + $Suffix)
    }

    # The entries of a .tar.gz: name => bytes.
    function Read-TestArchive {
        param([string] $Path)
        $entries = [ordered]@{}
        $file = [System.IO.File]::OpenRead($Path)
        try {
            $gzip = [System.IO.Compression.GZipStream]::new($file, [System.IO.Compression.CompressionMode]::Decompress)
            $tar = [System.Formats.Tar.TarReader]::new($gzip)
            while ($null -ne ($entry = $tar.GetNextEntry($true))) {
                $bytes = [System.IO.MemoryStream]::new()
                if ($entry.DataStream) { $entry.DataStream.CopyTo($bytes) }
                $entries[$entry.Name] = $bytes.ToArray()
            }
            $tar.Dispose()
        }
        finally {
            $file.Dispose()
        }
        $entries
    }

    # The whole decompressed stream of a .tar.gz, as Latin-1 text (one character per byte).
    function Read-TestDecompressed {
        param([string] $Path)
        $file = [System.IO.File]::OpenRead($Path)
        try {
            $gzip = [System.IO.Compression.GZipStream]::new($file, [System.IO.Compression.CompressionMode]::Decompress)
            $bytes = [System.IO.MemoryStream]::new()
            $gzip.CopyTo($bytes)
            [System.Text.Encoding]::Latin1.GetString($bytes.ToArray())
        }
        finally {
            $file.Dispose()
        }
    }
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    $env:XDG_CACHE_HOME = $script:CallersCache
    Remove-SriovTestHost $script:I350
    Remove-SriovTestHost $script:Work
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Save-SriovHostSnapshot of a copied tree' -Tag 'CI' {
    It 'saves a directory, and returns what it holds' {
        $path = New-TestPath

        $snapshot = Save-SriovHostSnapshot -Path $path -HostRoot $script:I350 -ErrorAction Stop

        $snapshot | Should -BeOfType ([SriovPS.SriovHostSnapshot])
        $snapshot.Path | Should -Be $path
        # The fixture has no /etc/hostname.
        $snapshot.HostName | Should -BeNullOrEmpty
        @($snapshot.Pfs | Sort-Object) | Should -Be $script:I350Pfs
        $snapshot.Files | Should -BeGreaterThan 0
        $snapshot.Unread.Count | Should -Be 1
        $snapshot.Unread[0] | Should -BeLike "*kernel*libvirt*'$($script:I350)' is a copied host tree*"
        $snapshot.Redacted.Count | Should -Be 0
        $snapshot.Networks.Count | Should -Be 0
        $snapshot.Guests.Count | Should -Be 0
        $snapshot.LibvirtUri | Should -BeNullOrEmpty
        $snapshot.Size | Should -Be ((Get-ChildItem -LiteralPath $path -Recurse -File | Measure-Object Length -Sum).Sum)
        @(Get-ChildItem -LiteralPath $path -Recurse -Force | ForEach-Object Name | Sort-Object) | Should -Be @('host.hosttree', 'snapshot.json')
    }

    It 'names the host by its /etc/hostname' {
        $tree = New-SriovTestHost -Fixture 'x540-2port'
        try {
            Set-SriovTestHostFile $tree /etc/hostname "node07`n"
            $snapshot = Save-SriovHostSnapshot -Path (New-TestPath) -HostRoot $tree -ErrorAction Stop
        }
        finally {
            Remove-SriovTestHost $tree
        }

        $snapshot.HostName | Should -Be 'node07'
        $snapshot.ToString() | Should -BeLike 'node07 at *'
    }

    It 'saves a gzip tar ending in <Suffix> holding exactly snapshot.json and host.hosttree, and its size' -ForEach @(
        @{ Suffix = '.tar.gz' }
        @{ Suffix = '.tgz' }
    ) {
        $path = New-TestPath $Suffix
        $directory = Save-SriovHostSnapshot -Path (New-TestPath) -HostRoot $script:I350 -ErrorAction Stop

        $snapshot = Save-SriovHostSnapshot -Path $path -HostRoot $script:I350 -ErrorAction Stop

        $snapshot.Path | Should -Be $path
        $snapshot.Size | Should -Be (Get-Item -LiteralPath $path).Length
        $snapshot.Files | Should -Be $directory.Files
        @($snapshot.Pfs | Sort-Object) | Should -Be $script:I350Pfs
        $bytes = [System.IO.File]::ReadAllBytes($path)
        $bytes[0], $bytes[1] | Should -Be 0x1f, 0x8b
        $entries = Read-TestArchive $path
        @($entries.Keys | Sort-Object) | Should -Be @('host.hosttree', 'snapshot.json')
        # The same host files as the directory snapshot, but for the time in its header comment.
        $inArchive = [System.Text.Encoding]::UTF8.GetString($entries['host.hosttree']) -split "`n" | Where-Object { $_ -notmatch '^#' }
        $inDirectory = Get-Content -LiteralPath (Join-Path $directory.Path 'host.hosttree') | Where-Object { $_ -notmatch '^#' }
        $inArchive | Where-Object { $_ } | Should -Be ($inDirectory | Where-Object { $_ })
        $manifest = [System.Text.Encoding]::UTF8.GetString($entries['snapshot.json']) | ConvertFrom-Json
        $manifest.version | Should -Be 1
        $manifest.kernelRead | Should -BeFalse
        $manifest.files | Should -Be $snapshot.Files
    }

    It 'writes no file a directory snapshot does not have: no kernel.json, no libvirt/' {
        $path = New-TestPath

        $null = Save-SriovHostSnapshot -Path $path -HostRoot $script:I350 -ErrorAction Stop

        Join-Path $path 'snapshot.json' | Should -Exist
        Join-Path $path 'host.hosttree' | Should -Exist
        Join-Path $path 'kernel.json' | Should -Not -Exist
        Join-Path $path 'libvirt' | Should -Not -Exist
    }

    It 'warns once that the kernel and libvirt were not read' {
        $null = Save-SriovHostSnapshot -Path (New-TestPath) -HostRoot $script:I350 -WarningVariable warnings -WarningAction SilentlyContinue

        $warnings.Count | Should -Be 1
        $warnings[0].Message | Should -BeLike '*could not be read*copied host tree*'
    }
}

Describe 'Save-SriovHostSnapshot of this machine' -Tag 'CI' {
    BeforeAll {
        $script:Live = New-TestPath
        $script:LiveSnapshot = Save-SriovHostSnapshot -Path $script:Live -ErrorAction Stop
    }

    It 'saves it with the kernel''s account (kernel.json) and its name and release' {
        $script:LiveSnapshot.HostName | Should -Be ([System.IO.File]::ReadAllText('/proc/sys/kernel/hostname').Trim())
        $script:LiveSnapshot.KernelRelease | Should -Be ([System.IO.File]::ReadAllText('/proc/sys/kernel/osrelease').Trim())
        $script:LiveSnapshot.ModuleVersion | Should -Be (Get-Module SriovPS).Version.ToString(3)
        $script:LiveSnapshot.Files | Should -BeGreaterThan 0
        Join-Path $script:Live 'kernel.json' | Should -Exist
        Join-Path $script:Live 'host.hosttree' | Should -Exist
        $script:LiveSnapshot.Unread | Should -Not -BeLike '*copied host tree*'
    }

    It 'keeps libvirt/ exactly when Unread does not say libvirt could not be read' {
        $libvirtUnread = @($script:LiveSnapshot.Unread | Where-Object { $_ -like 'libvirt*' })
        $hasLibvirt = Test-Path -LiteralPath (Join-Path $script:Live 'libvirt/libvirt.json')

        $hasLibvirt | Should -Be ($libvirtUnread.Count -eq 0) -Because "Unread is: $($script:LiveSnapshot.Unread -join '; ')"
        $script:LiveSnapshot.LibvirtUri | Should -Not -BeNullOrEmpty
    }

    It 'says in Unread why VF holders are missing only when it does not run as root' {
        $holders = @($script:LiveSnapshot.Unread | Where-Object { $_ -like '*holders*' })

        $holders.Count | Should -Be ([int](-not [System.Environment]::IsPrivilegedProcess))
    }

    It 'writes the snapshot readable by its owner only' -Skip:$IsWindows {
        $path = New-TestPath '.tar.gz'
        $null = Save-SriovHostSnapshot -Path $path -ErrorAction Stop

        (Get-Item -LiteralPath $path).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
        (Get-Item -LiteralPath $script:Live).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
    }
}

Describe 'Save-SriovHostSnapshot -WhatIf' -Tag 'CI' {
    It 'writes nothing, and shows one What if listing the groups it would keep, on <Case>' -ForEach @(
        @{ Case = 'a copied tree with a netplan file'; Tree = $true }
        @{ Case = 'this machine'; Tree = $false }
    ) {
        $path = New-TestPath '.tar.gz'
        $tree = New-SriovTestHost -Fixture 'i350-4port'
        try {
            Set-SriovTestHostFile $tree /etc/netplan/01-netcfg.yaml "network:`n  version: 2`n  ethernets:`n    eno49:`n      dhcp4: true`n"
            $at = if ($Tree) { @{ HostRoot = $tree } } else { @{} }
            $before = @(Get-ChildItem -LiteralPath $script:Work -Force).Count

            $messages = Get-SriovTestWhatIf { Save-SriovHostSnapshot -Path $path @at -WhatIf -ErrorAction Stop -WarningAction SilentlyContinue }
        }
        finally {
            Remove-SriovTestHost $tree
        }

        $path | Should -Not -Exist
        @(Get-ChildItem -LiteralPath $script:Work -Force).Count | Should -Be $before
        $messages.Count | Should -Be 1
        $messages[0] | Should -BeLike "What if: Performing the operation `"Save a snapshot of *`" on target `"$path`", keeping:*"
        $messages[0] | Should -Match '\n  PCI functions, their drivers, IOMMU groups and interfaces \(sysfs\): \d+ entries'
        $messages[0] | Should -Match '\n  network configuration \(secrets redacted\): \d+ entr'
    }
}

Describe 'Save-SriovHostSnapshot over an existing path' -Tag 'CI' {
    It 'refuses an existing <Case> without -Force: SnapshotPathExists (ResourceExists), the old content kept' -ForEach @(
        @{ Case = 'archive'; Suffix = '.tar.gz' }
        @{ Case = 'directory snapshot'; Suffix = '' }
    ) {
        $path = New-TestPath $Suffix
        $null = Save-SriovHostSnapshot -Path $path -HostRoot $script:I350 -ErrorAction Stop
        $before = if ($Suffix) { (Get-FileHash -LiteralPath $path).Hash } else { Get-SriovTestTreeState $path }

        # A terminating error: nothing is saved.
        $err = { Save-SriovHostSnapshot -Path $path -HostRoot $script:I350 } |
            Should -Throw -ErrorId "SnapshotPathExists,$script:Command" -PassThru

        $err.CategoryInfo.Category | Should -Be 'ResourceExists'
        $err.Exception.Message | Should -BeLike '*exists*'
        $after = if ($Suffix) { (Get-FileHash -LiteralPath $path).Hash } else { Get-SriovTestTreeState $path }
        $after | Should -Be $before
    }

    It 'replaces a <Case> snapshot with -Force' -ForEach @(
        @{ Case = 'archive'; Suffix = '.tgz' }
        @{ Case = 'directory'; Suffix = '' }
    ) {
        $path = New-TestPath $Suffix
        $null = Save-SriovHostSnapshot -Path $path -HostRoot $script:I350 -ErrorAction Stop
        $other = New-SriovTestHost -Fixture 'x540-2port'
        try {
            $snapshot = Save-SriovHostSnapshot -Path $path -HostRoot $other -Force -ErrorAction Stop
            $expected = @((Get-SriovPf -HostRoot $other).Name | Sort-Object)
        }
        finally {
            Remove-SriovTestHost $other
        }

        @($snapshot.Pfs | Sort-Object) | Should -Be $expected
        @((Get-SriovPf -HostRoot $path -WarningAction SilentlyContinue).Name | Sort-Object) | Should -Be $expected
        # Nothing left half-written beside it.
        @(Get-ChildItem -LiteralPath $script:Work -Force -Filter '*.partial-*').Count | Should -Be 0
    }

    It 'never replaces a directory that is not a snapshot, even with -Force' {
        $path = New-TestPath
        Set-SriovTestHostFile $path /notes.txt 'keep me'
        $before = Get-SriovTestTreeState $path

        $err = { Save-SriovHostSnapshot -Path $path -HostRoot $script:I350 -Force } |
            Should -Throw -ErrorId "SnapshotPathExists,$script:Command" -PassThru

        $err.CategoryInfo.Category | Should -Be 'ResourceExists'
        $err.Exception.Message | Should -BeLike '*not a snapshot*'
        Get-SriovTestTreeState $path | Should -Be $before
    }

    It 'refuses to save from a snapshot (-HostRoot <Case>): SnapshotReadOnly, nothing written' -ForEach @(
        @{ Case = 'archive'; Suffix = '.tar.gz' }
        @{ Case = 'directory'; Suffix = '' }
    ) {
        $source = New-TestPath $Suffix
        $null = Save-SriovHostSnapshot -Path $source -HostRoot $script:I350 -ErrorAction Stop
        $path = New-TestPath

        $err = { Save-SriovHostSnapshot -Path $path -HostRoot $source -WarningAction SilentlyContinue } |
            Should -Throw -ErrorId "SnapshotReadOnly,$script:Command" -PassThru

        $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $err.Exception.Message | Should -BeLike "*'$source' is already a snapshot*"
        $path | Should -Not -Exist
    }
}

Describe 'Save-SriovHostSnapshot and secrets' -Tag 'CI' {
    BeforeAll {
        $script:Secrets = 'WifiSecret-7731', 'NmPskSecret-4402', 'WgPrivKey4yHcdo3J1eLm9xV0Secret='
        $script:SecretTree = New-SriovTestHost -Fixture 'i350-4port'
        Set-SriovTestHostFile $script:SecretTree /etc/netplan/50-cloud-init.yaml @'
network:
  version: 2
  ethernets:
    eno49:
      dhcp4: true
      virtual-function-count: 7
  wifis:
    wlp2s0:
      dhcp4: true
      access-points:
        "HomeNet":
          password: "WifiSecret-7731"
'@
        Set-SriovTestHostFile $script:SecretTree /etc/NetworkManager/system-connections/home.nmconnection @'
[connection]
id=home
type=wifi

[wifi]
ssid=HomeNet

[wifi-security]
key-mgmt=wpa-psk
psk=NmPskSecret-4402
'@
        Set-SriovTestHostFile $script:SecretTree /etc/systemd/network/wg0.netdev @'
[NetDev]
Name=wg0
Kind=wireguard

[WireGuard]
PrivateKey=WgPrivKey4yHcdo3J1eLm9xV0Secret=
ListenPort=51820
'@
        $script:SecretPath = New-TestPath '.tar.gz'
        $script:SecretSnapshot = Save-SriovHostSnapshot -Path $script:SecretPath -HostRoot $script:SecretTree -ErrorAction Stop
        $script:Tree = [System.Text.Encoding]::UTF8.GetString((Read-TestArchive $script:SecretPath)['host.hosttree'])
    }

    AfterAll {
        Remove-SriovTestHost $script:SecretTree
    }

    It 'leaves no byte of <_> in the decompressed archive' -ForEach 'WifiSecret-7731', 'NmPskSecret-4402', 'WgPrivKey4yHcdo3J1eLm9xV0Secret=' {
        $text = Read-TestDecompressed $script:SecretPath

        $text.Contains($_) | Should -BeFalse
        # Nor a part of it long enough to be worth something.
        $text.Contains($_.Substring(0, 10)) | Should -BeFalse
    }

    It 'keeps the three files, each secret replaced by SRIOVPS-REDACTED' {
        $lines = $script:Tree -split "`n"

        $netplan = $lines | Where-Object { $_ -like 'text /etc/netplan/50-cloud-init.yaml *' }
        $netplan | Should -HaveCount 1
        $netplan | Should -BeLike '*password: "SRIOVPS-REDACTED"*'
        ($lines | Where-Object { $_ -like '* /etc/NetworkManager/system-connections/home.nmconnection *' }) | Should -BeLike '*\npsk=SRIOVPS-REDACTED*'
        ($lines | Where-Object { $_ -like '* /etc/systemd/network/wg0.netdev *' }) | Should -BeLike '*\nPrivateKey=SRIOVPS-REDACTED\nListenPort=51820*'
    }

    It 'lists each redaction by path, line and key in its output and in snapshot.json' {
        $expected = @(
            '/etc/NetworkManager/system-connections/home.nmconnection|10|psk'
            '/etc/netplan/50-cloud-init.yaml|12|password'
            '/etc/systemd/network/wg0.netdev|6|PrivateKey'
        ) | Sort-Object
        $script:SecretSnapshot.Redacted | Should -HaveCount 3
        @($script:SecretSnapshot.Redacted | ForEach-Object { "$($_.Path)|$($_.Line)|$($_.Key)" } | Sort-Object) | Should -Be $expected
        $manifest = [System.Text.Encoding]::UTF8.GetString((Read-TestArchive $script:SecretPath)['snapshot.json']) | ConvertFrom-Json
        @($manifest.redacted | ForEach-Object { "$($_.path)|$($_.line)|$($_.key)" } | Sort-Object) | Should -Be $expected
    }

    It 'leaves the netplan file valid YAML that still names eno49 and its VF count' {
        $line = ($script:Tree -split "`n" | Where-Object { $_ -like 'text /etc/netplan/50-cloud-init.yaml *' })
        $yaml = ConvertFrom-SriovManifestText ($line.Split(' ', 3)[2])

        # Every line a 'key:' or 'key: value' at an even indent, as the original.
        foreach ($yamlLine in $yaml -split "`n" | Where-Object { $_ }) {
            $yamlLine | Should -Match '^(  )*("[^"]+"|[a-z0-9-]+):( .+)?$'
        }
        $yaml | Should -Match '(?m)^          password: "SRIOVPS-REDACTED"$'
        # The module still reads it: eno49's VF count is set at boot by this file.
        $check = Test-SriovHost eno49 -HostRoot $script:SecretPath -WarningAction SilentlyContinue 6>$null |
            Where-Object { $_.Id -eq 'Pf.VfCountPersisted' -and $_.Target -eq 'eno49' }
        $check.Status | Should -Be 'Pass'
        $check.Finding | Should -BeLike '*/etc/netplan/50-cloud-init.yaml line 6*'
    }

    It 'names the redactions in -WhatIf, never the values' {
        $messages = Get-SriovTestWhatIf { Save-SriovHostSnapshot -Path (New-TestPath) -HostRoot $script:SecretTree -WhatIf -ErrorAction Stop -WarningAction SilentlyContinue }

        $messages[0] | Should -BeLike '*3 secrets left on the host, replaced by SRIOVPS-REDACTED*/etc/netplan/50-cloud-init.yaml line 12: password*'
        foreach ($secret in $script:Secrets) { $messages[0].Contains($secret) | Should -BeFalse }
    }
}
