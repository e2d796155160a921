#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# The module as a package: what Compress-PSResource makes of out/SriovPS (only the shipped files, no
# symbolic link, the manifest's metadata in the nuspec), and what a user gets from Install-PSResource
# out of a repository holding it: the module in the current user's module path, importable by name,
# with its cmdlets, help and sample host. PSResourceGet keeps its repository list under $XDG_DATA_HOME
# and installs under $HOME, so packing and installing run in a child pwsh whose home and XDG
# directories are temporary: the user's own are left as they were.

BeforeAll {
    $script:ModulePath = (Resolve-Path (Join-Path $PSScriptRoot '../../out/SriovPS')).Path
    $script:Manifest = Import-PowerShellDataFile -LiteralPath (Join-Path $script:ModulePath 'SriovPS.psd1')
    $script:Version = $script:Manifest.ModuleVersion
    $script:RepoRoot = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../..'))

    # What packing and installing could write outside their temporary home: the repository list and the
    # installed module of the real home (and of the caller's XDG_DATA_HOME), and the repository list
    # PSResourceGet writes into the working directory when its XDG_DATA_HOME is missing.
    $script:Guarded = @(
        Join-Path $HOME '.local/share/PSResourceGet'
        Join-Path $HOME '.local/share/powershell/Modules/SriovPS'
        Join-Path (Get-Location).ProviderPath 'PSResourceGet'
        if ($env:XDG_DATA_HOME) {
            Join-Path $env:XDG_DATA_HOME 'PSResourceGet'
            Join-Path $env:XDG_DATA_HOME 'powershell/Modules/SriovPS'
        }
    )
    function Get-GuardedState {
        foreach ($path in $script:Guarded) {
            if (-not (Test-Path -LiteralPath $path)) { "$path (absent)"; continue }
            Get-ChildItem -LiteralPath $path -Recurse -Force -File |
                Sort-Object FullName |
                ForEach-Object { '{0} {1} {2:o}' -f $_.FullName, $_.Length, $_.LastWriteTimeUtc }
        }
    }
    $script:GuardedBefore = @(Get-GuardedState)

    $script:Work = Join-Path ([System.IO.Path]::GetTempPath()) "sriovps-package-$([guid]::NewGuid().ToString('N'))"
    $script:Repository = Join-Path $script:Work 'repository'
    $script:TempHome = Join-Path $script:Work 'home'
    # XDG_DATA_HOME is the home's own .local/share: Install-PSResource installs under $HOME whatever it
    # says, while pwsh looks for modules under it. Each must exist: PSResourceGet writes into the working
    # directory in place of a missing one.
    $script:Xdg = @{
        XDG_DATA_HOME   = Join-Path $script:TempHome '.local/share'
        XDG_CONFIG_HOME = Join-Path $script:TempHome '.config'
        XDG_CACHE_HOME  = Join-Path $script:TempHome '.cache'
    }
    foreach ($directory in @($script:Repository) + @($script:Xdg.Values)) {
        $null = New-Item -ItemType Directory -Force $directory
    }
    $script:UserModules = Join-Path $script:TempHome '.local/share/powershell/Modules'
    $script:InstalledAt = Join-Path $script:UserModules "SriovPS/$($script:Version)"

    # Runs $Script in a fresh pwsh (the apphost: the dotnet tool would be looked up under the changed
    # HOME) with the temporary home, from the work directory, without the caller's module path.
    function Invoke-InTemporaryHome {
        param([scriptblock] $Script, [object[]] $Arguments)
        $names = @('HOME', 'PSModulePath') + @($script:Xdg.Keys)
        $saved = @{}
        foreach ($name in $names) { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }
        Push-Location -LiteralPath $script:Work
        try {
            $env:HOME = $script:TempHome
            foreach ($name in $script:Xdg.Keys) { [Environment]::SetEnvironmentVariable($name, $script:Xdg[$name]) }
            $env:PSModulePath = $null
            $output = & (Join-Path $PSHOME 'pwsh') -NoLogo -NoProfile -NonInteractive -Command $Script -args $Arguments
            if ($LASTEXITCODE -ne 0) { throw "The child pwsh failed (exit code $LASTEXITCODE)." }
            $output
        }
        finally {
            Pop-Location
            foreach ($name in $names) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
        }
    }

    Invoke-InTemporaryHome -Arguments $script:ModulePath, $script:Repository -Script {
        param($Module, $Destination)
        $ErrorActionPreference = 'Stop'
        Compress-PSResource -Path $Module -DestinationPath $Destination
    }
    $script:Package = Join-Path $script:Repository "SriovPS.$($script:Version).nupkg"

    $json = Invoke-InTemporaryHome -Arguments $script:Repository -Script {
        param($Repository)
        $ErrorActionPreference = 'Stop'
        $modules = Join-Path $HOME '.local/share/powershell/Modules'
        $result = [ordered]@{
            ModulePathHasUserModules = ($env:PSModulePath -split [System.IO.Path]::PathSeparator) -contains $modules
            ModulesBefore            = @(Get-ChildItem -LiteralPath $modules -Force -ErrorAction SilentlyContinue | ForEach-Object Name)
            ListedBefore             = @(Get-Module -ListAvailable SriovPS | ForEach-Object ModuleBase)
        }
        Register-PSResourceRepository -Name SriovPSTest -Uri $Repository -Trusted
        Install-PSResource SriovPS -Repository SriovPSTest -Scope CurrentUser -Quiet
        $result.Installed = @(Get-InstalledPSResource SriovPS -Scope CurrentUser | ForEach-Object { "$($_.Version) $($_.InstalledLocation)" })

        Import-Module SriovPS
        $module = Get-Module SriovPS
        $result.ModuleBase = $module.ModuleBase
        $result.Version = "$($module.Version)"
        $result.Commands = @(Get-Command -Module SriovPS | ForEach-Object Name)
        $result.Synopsis = (Get-Help Get-SriovPf).Synopsis
        $result.AboutTopic = (Get-Help about_SriovPS | Out-String) -match 'about_SriovPS'

        $sample = Join-Path $module.ModuleBase 'samples/i350-4port.tar.gz'
        $pfs = Get-SriovPf -HostRoot $sample -WarningVariable warnings -WarningAction SilentlyContinue
        $result.Pfs = @($pfs | ForEach-Object { [ordered]@{ Name = $_.Name; Driver = $_.Driver; NumVfs = $_.NumVfs; TotalVfs = $_.TotalVfs } })
        $result.SampleWarnings = @($warnings | ForEach-Object Message)
        $result | ConvertTo-Json -Depth 4
    }
    $script:Child = ($json -join "`n") | ConvertFrom-Json
}

AfterAll {
    if ($script:Work -and (Test-Path -LiteralPath $script:Work)) {
        Remove-Item -LiteralPath $script:Work -Recurse -Force
    }
}

Describe 'The package Compress-PSResource makes of out/SriovPS' -Tag 'CI' {
    BeforeAll {
        Add-Type -AssemblyName System.IO.Compression
        # What NuGet adds to every package around the module's own files.
        $packaging = '^(_rels/\.rels|\[Content_Types\]\.xml|package/services/metadata/core-properties/[0-9a-f]+\.psmdcp|SriovPS\.nuspec)$'
        $zip = [System.IO.Compression.ZipFile]::OpenRead($script:Package)
        try {
            $script:Entries = @($zip.Entries | ForEach-Object {
                    [pscustomobject]@{ Name = $_.FullName; Mode = ($_.ExternalAttributes -shr 16) -band 0xF000 }
                })
            $reader = [System.IO.StreamReader]::new($zip.GetEntry('SriovPS.nuspec').Open())
            try { [xml] $script:Nuspec = $reader.ReadToEnd() } finally { $reader.Dispose() }
        }
        finally { $zip.Dispose() }
        $script:ModuleEntries = @($script:Entries | Where-Object Name -NotMatch $packaging)
    }

    It 'is named for the version of the manifest' {
        Get-ChildItem -LiteralPath $script:Repository | ForEach-Object Name | Should -Be "SriovPS.$($script:Version).nupkg"
    }

    It 'holds the shipped files and nothing else' {
        $shipped = @(
            'LICENSE'
            'SriovPS.Configuration.schema.json'
            'SriovPS.Core.dll'
            'SriovPS.Format.ps1xml'
            'SriovPS.Native.dll'
            'SriovPS.Types.ps1xml'
            'SriovPS.dll'
            'SriovPS.psd1'
            'en-US/SriovPS.dll-Help.xml'
            'en-US/about_SriovPS.help.txt'
            'samples/i350-4port.tar.gz'
        ) | Sort-Object
        ($script:ModuleEntries.Name | Sort-Object) -join ', ' | Should -Be ($shipped -join ', ')
        $laidOut = Get-ChildItem -LiteralPath $script:ModulePath -Recurse -Force -File |
            ForEach-Object { [System.IO.Path]::GetRelativePath($script:ModulePath, $_.FullName).Replace('\', '/') } | Sort-Object
        $laidOut -join ', ' | Should -Be ($shipped -join ', ') -Because 'the package holds what the build lays out'
    }

    It 'holds no symbolic link, and out/SriovPS has none either' {
        $script:Entries | Where-Object Mode -EQ 0xA000 | ForEach-Object Name | Should -BeNullOrEmpty
        Get-ChildItem -LiteralPath $script:ModulePath -Recurse -Force -Attributes ReparsePoint | Should -BeNullOrEmpty
    }

    It 'carries the manifest''s id, version, authors, description, URLs, tags and release notes' {
        $data = $script:Manifest.PrivateData.PSData
        $metadata = $script:Nuspec.package.metadata

        $metadata.id | Should -Be 'SriovPS'
        $metadata.version | Should -Be $script:Version
        $metadata.authors | Should -Be $script:Manifest.Author
        $metadata.description | Should -Be $script:Manifest.Description
        $metadata.projectUrl | Should -Be $data.ProjectUri
        $metadata.licenseUrl | Should -Be $data.LicenseUri
        $metadata.releaseNotes | Should -Be $data.ReleaseNotes
        $data.Tags | Where-Object { $_ -match '\s' } | Should -BeNullOrEmpty -Because 'the gallery splits tags at blanks'
        ($metadata.tags -split ' ' | Sort-Object) -join ' ' | Should -Be ((@('PSModule') + $data.Tags | Sort-Object) -join ' ')
    }

    It 'has a manifest Test-ModuleManifest accepts' {
        $tested = Test-ModuleManifest -Path (Join-Path $script:ModulePath 'SriovPS.psd1') -ErrorAction Stop
        $tested.Version | Should -Be ([version] $script:Version)
        $tested.ProjectUri | Should -Not -BeNullOrEmpty
        $tested.LicenseUri | Should -Not -BeNullOrEmpty
    }
}

Describe 'SriovPS installed with Install-PSResource from a repository holding the package' -Tag 'CI' {
    It 'installs into the current user''s module path, which held nothing before' {
        $script:Child.ModulePathHasUserModules | Should -BeTrue
        $script:Child.ModulesBefore | Should -BeNullOrEmpty
        $script:Child.ListedBefore | Should -BeNullOrEmpty
        $script:Child.Installed | Should -Be "$($script:Version) $script:UserModules"
        Join-Path $script:InstalledAt 'SriovPS.psd1' | Should -Exist
    }

    It 'is imported by name from there' {
        $script:Child.ModuleBase | Should -Be $script:InstalledAt
        $script:Child.Version | Should -Be $script:Version
    }

    It 'exports every cmdlet of the manifest' {
        ($script:Child.Commands | Sort-Object) -join ', ' | Should -Be (($script:Manifest.CmdletsToExport | Sort-Object) -join ', ')
    }

    It 'ships its help' {
        $page = Get-Content -LiteralPath (Join-Path $script:RepoRoot 'docs/help/Get-SriovPf.md')
        $synopsis = $page[[array]::IndexOf($page, '## SYNOPSIS') + 1]
        $script:Child.Synopsis | Should -Be $synopsis
        $script:Child.AboutTopic | Should -BeTrue
    }

    It 'reads its sample host: four I350 ports with 7 VFs each, from a snapshot' {
        $script:Child.Pfs | ForEach-Object { "$($_.Name) $($_.Driver) $($_.NumVfs)/$($_.TotalVfs)" } |
            Should -Be 'eno49 igb 7/7', 'eno50 igb 7/7', 'eno51 igb 7/7', 'eno52 igb 7/7'
        $script:Child.SampleWarnings.Count | Should -Be 1
        $script:Child.SampleWarnings[0] | Should -BeLike '*is the snapshot of i350-sample taken *'
    }

    It 'leaves the user''s own home as it was' {
        @(Get-GuardedState) | Should -Be $script:GuardedBefore
    }
}
