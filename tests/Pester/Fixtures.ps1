# Materializes the committed host-tree manifests of tests/fixtures for the Pester tests, with the
# same rules as the C# reader: 'dir PATH', 'file PATH [TEXT]' (TEXT plus a newline, \n \t \\
# escapes; no TEXT is an empty file), 'text PATH TEXT' (TEXT as it is, no newline added), 'link PATH TARGET' (relative target), '#' comments.

function ConvertFrom-SriovManifestText {
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Text)

    $builder = [System.Text.StringBuilder]::new()
    for ($i = 0; $i -lt $Text.Length; $i++) {
        $c = $Text[$i]
        if ($c -ne '\' -or $i + 1 -eq $Text.Length) {
            $null = $builder.Append($c)
            continue
        }
        $i++
        switch -CaseSensitive ($Text[$i]) {
            'n' { $null = $builder.Append("`n") }
            'r' { $null = $builder.Append("`r") }
            's' { $null = $builder.Append(' ') }
            't' { $null = $builder.Append("`t") }
            '\' { $null = $builder.Append('\') }
            default { throw "Unknown escape '\$($Text[$i])' in '$Text'." }
        }
    }
    $builder.ToString()
}

function New-SriovTestHost {
    <#
    .SYNOPSIS
    Creates the host tree of tests/fixtures/<Fixture>.hosttree in a new temporary directory and returns its path.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [string] $Fixture
    )

    $manifest = Join-Path $PSScriptRoot "../fixtures/$Fixture.hosttree"
    if (-not (Test-Path -LiteralPath $manifest -PathType Leaf)) {
        throw "No host-tree fixture '$Fixture' at $manifest."
    }

    $root = Join-Path ([System.IO.Path]::GetTempPath()) ("sriovps-host-" + [guid]::NewGuid().ToString('N'))
    $null = [System.IO.Directory]::CreateDirectory($root)
    $lineNumber = 0
    foreach ($line in [System.IO.File]::ReadAllLines($manifest)) {
        $lineNumber++
        if ($line.Trim().Length -eq 0 -or $line.TrimStart().StartsWith('#')) {
            continue
        }

        $parts = $line.Split(' ', 3)
        if ($parts.Count -lt 2 -or -not $parts[1].StartsWith('/') -or $parts[1].Contains('/../')) {
            throw "${manifest}:${lineNumber}: '$line' is not 'dir|file|link /host/path ...'."
        }

        $path = $root + (ConvertFrom-SriovManifestText $parts[1])
        if ($parts[0] -ne 'dir') {
            $null = [System.IO.Directory]::CreateDirectory([System.IO.Path]::GetDirectoryName($path))
        }

        switch -CaseSensitive ($parts[0]) {
            'dir' {
                $null = [System.IO.Directory]::CreateDirectory($path)
            }
            'file' {
                $text = if ($parts.Count -gt 2) { (ConvertFrom-SriovManifestText $parts[2]) + "`n" } else { '' }
                [System.IO.File]::WriteAllText($path, $text)
            }
            'text' {
                [System.IO.File]::WriteAllText($path, (ConvertFrom-SriovManifestText $parts[2]))
            }
            'link' {
                if ($parts.Count -lt 3 -or $parts[2].StartsWith('/')) {
                    throw "${manifest}:${lineNumber}: a link needs a relative target."
                }
                $null = [System.IO.File]::CreateSymbolicLink($path, $parts[2])
            }
            default {
                throw "${manifest}:${lineNumber}: unknown entry '$($parts[0])'."
            }
        }
    }

    $root
}

function Remove-SriovTestHost {
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Path)

    # Directory.Delete removes symbolic links without following them into the tree's cycles.
    if ($Path -and [System.IO.Directory]::Exists($Path)) {
        [System.IO.Directory]::Delete($Path, $true)
    }
}

function Get-SriovTestTreeState {
    <#
    .SYNOPSIS
    Every file of a host tree with its content hash, and every link with its target: -WhatIf and refused
    calls must leave the tree as it was. Links are not followed: a tree's links (driver, proc fd/N) may
    point at nothing, or at this machine's own devices.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [string] $Root
    )

    Get-ChildItem -LiteralPath $Root -Recurse -Force -Attributes !Directory, ReparsePoint |
        Sort-Object FullName |
        ForEach-Object {
            if ($_.LinkTarget) { '{0} -> {1}' -f $_.FullName, $_.LinkTarget }
            else { '{0} {1}' -f $_.FullName, (Get-FileHash -LiteralPath $_.FullName -Algorithm SHA256).Hash }
        }
}

# A guest of libvirt's test driver with these <devices>, defined through the module's own binding
# (every connection to test:///default in one process sees the same host); -Start runs it.
function New-SriovTestGuest {
    param(
        [Parameter(Mandatory)] [SriovPS.Native.Libvirt.LibvirtConnection] $Connection,
        [Parameter(Mandatory)] [string] $Name,
        [string] $Devices,
        [switch] $Start
    )
    $domain = $Connection.DefineDomain(
        "<domain type='test'><name>$Name</name><memory>65536</memory><os><type>hvm</type></os><devices>$Devices</devices></domain>")
    try { if ($Start) { $domain.Create() } } finally { $domain.Dispose() }
}

# Stops and undefines every guest whose name starts with $Prefix.
function Remove-SriovTestGuest {
    param(
        [Parameter(Mandatory)] [SriovPS.Native.Libvirt.LibvirtConnection] $Connection,
        [Parameter(Mandatory)] [string] $Prefix
    )
    foreach ($domain in $Connection.ListDomains()) {
        try {
            if ($domain.Name.StartsWith($Prefix, [StringComparison]::Ordinal)) {
                if ($domain.IsActive) { $domain.Destroy() }
                $domain.Undefine()
            }
        }
        finally { $domain.Dispose() }
    }
}

function Set-SriovTestHostFile {
    <#
    .SYNOPSIS
    Writes $Text to $Path (as the host spells it) in the host tree at $Root, creating its directory.
    #>
    param(
        [Parameter(Mandatory)] [string] $Root,
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [AllowEmptyString()] [string] $Text
    )

    $file = $Root + $Path
    $null = [System.IO.Directory]::CreateDirectory([System.IO.Path]::GetDirectoryName($file))
    [System.IO.File]::WriteAllText($file, $Text)
}

function Get-SriovTestHostText {
    <#
    .SYNOPSIS
    The text of $Path (as the host spells it) in the host tree at $Root.
    #>
    param(
        [Parameter(Mandatory)] [string] $Root,
        [Parameter(Mandatory)] [string] $Path
    )

    [System.IO.File]::ReadAllText($Root + $Path)
}

function Get-SriovTestWhatIf {
    <#
    .SYNOPSIS
    Runs $ScriptBlock and returns the "What if:" messages it showed, one string each (a message of several
    lines keeps them, joined by "`n"). pwsh writes these messages to the host, not to a stream that can be
    redirected, so they are read back from a transcript. What the script block outputs is dropped; an error
    it throws is thrown again, so give its command -ErrorAction Stop to fail on any error, and
    -WarningAction SilentlyContinue to keep warnings out of the transcript.
    #>
    param(
        [Parameter(Mandatory)] [scriptblock] $ScriptBlock
    )

    $transcript = [System.IO.Path]::GetTempFileName()
    try {
        $null = Start-Transcript -LiteralPath $transcript -UseMinimalHeader
        try {
            $null = & $ScriptBlock
        }
        finally {
            $null = Stop-Transcript
        }

        $messages = [System.Collections.Generic.List[string]]::new()
        $current = $null
        foreach ($line in [System.IO.File]::ReadAllLines($transcript)) {
            if ($line.StartsWith('What if: ', [StringComparison]::Ordinal)) {
                if ($null -ne $current) { $messages.Add($current) }
                $current = $line
            }
            elseif ($null -ne $current -and $line -notmatch '^(\*{22}|WARNING: |VERBOSE: |DEBUG: )') {
                $current += "`n" + $line
            }
            elseif ($null -ne $current) {
                $messages.Add($current)
                $current = $null
            }
        }
        if ($null -ne $current) { $messages.Add($current) }
        , $messages.ToArray()
    }
    finally {
        [System.IO.File]::Delete($transcript)
    }
}

# The one check with this Id (and Target, when given); anything but exactly one fails the test.
function Get-Check {
    param(
        [Parameter(Mandatory, Position = 0)] [AllowEmptyCollection()] [object[]] $Checks,
        [Parameter(Mandatory, Position = 1)] [string] $Id,
        [Parameter(Position = 2)] [string] $Target
    )
    $found = @($Checks | Where-Object { $_.Id -eq $Id -and (-not $Target -or $_.Target -eq $Target) })
    if ($found.Count -ne 1) {
        throw "Expected one $Id check$(if ($Target) { " on $Target" }), found $($found.Count)."
    }
    $found[0]
}

# The real directory behind a link of the tree, such as /sys/class/net/eno49.
function Resolve-TestHostLink {
    param(
        [Parameter(Mandatory)] [string] $Root,
        [Parameter(Mandatory)] [string] $Path
    )
    [System.IO.Directory]::ResolveLinkTarget($Root + $Path, $true).FullName
}
