#Requires -Version 7.4
<#
.SYNOPSIS
Runs tests/Pester with the Pester version the test project pins, imported from the NuGet cache.

.DESCRIPTION
Pester is restored by `dotnet restore` (a PackageDownload in tests/SriovPS.Tests/SriovPS.Tests.csproj)
into the NuGet cache and imported from there by that exact version; nothing is installed. Results are
written as NUnit 3 XML. Exits 0 when every test ran passed, 1 otherwise (also when none ran).

.EXAMPLE
dotnet pwsh tests/Pester/Invoke-PesterSuite.ps1 -Tag CI -ResultPath out/pester.xml
#>
[CmdletBinding()]
param(
    [string[]] $Tag = @('CI'),
    [string[]] $ExcludeTag = @(),
    [string[]] $Path = @($PSScriptRoot),
    [string] $ResultPath = (Join-Path $PSScriptRoot '../../out/pester.xml'),
    [ValidateSet('None', 'Normal', 'Detailed', 'Diagnostic')]
    [string] $Output = 'Detailed'
)

$ErrorActionPreference = 'Stop'
# No strict mode here: it would reach into every test file Pester runs.

function Get-PinnedPesterVersion {
    $project = [xml](Get-Content -Raw -LiteralPath (Join-Path $PSScriptRoot '../SriovPS.Tests/SriovPS.Tests.csproj'))
    $pin = $project.SelectSingleNode("//PackageDownload[@Include='Pester']")
    if (-not $pin -or $pin.GetAttribute('Version') -notmatch '^\[(\d+\.\d+\.\d+)\]$') {
        throw 'tests/SriovPS.Tests/SriovPS.Tests.csproj pins no exact Pester version (<PackageDownload Include="Pester" Version="[x.y.z]" />).'
    }
    $Matches[1]
}

function Get-NuGetPackageRoot {
    if ($env:NUGET_PACKAGES) { return $env:NUGET_PACKAGES }
    $line = & dotnet nuget locals global-packages --list | Select-String -Pattern '^global-packages:\s*(.+)$' | Select-Object -First 1
    if (-not $line) { throw 'dotnet nuget locals did not name the global packages folder.' }
    $line.Matches[0].Groups[1].Value.Trim()
}

$version = Get-PinnedPesterVersion
$manifest = Join-Path (Get-NuGetPackageRoot) "pester/$version/tools/Pester.psd1"
if (-not (Test-Path -LiteralPath $manifest)) {
    throw "Pester $version is not in the NuGet cache ($manifest): run 'dotnet restore SriovPS.sln' first."
}
Import-Module $manifest -Force
$loaded = (Get-Module Pester).Version
if ($loaded -ne [version]$version) { throw "Pester $loaded was imported instead of $version." }

$configuration = New-PesterConfiguration
$configuration.Run.Path = $Path
$configuration.Run.PassThru = $true
$configuration.Filter.Tag = $Tag
$configuration.Filter.ExcludeTag = $ExcludeTag
$configuration.Output.Verbosity = $Output
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputFormat = 'NUnit3'
$configuration.TestResult.OutputPath = [System.IO.Path]::GetFullPath($ResultPath)
$null = New-Item -ItemType Directory -Force -Path ([System.IO.Path]::GetDirectoryName($configuration.TestResult.OutputPath.Value))

$result = Invoke-Pester -Configuration $configuration
# A file that fails discovery, or a BeforeAll/AfterAll that throws, fails no single test but the run.
$broken = $result.FailedContainersCount + $result.FailedBlocksCount
"pester: $($result.PassedCount) passed, $($result.FailedCount) failed, $($result.SkippedCount) skipped" +
    "$(if ($broken) { ", $broken files or blocks failed outside a test" }) (Pester $loaded, tags $($Tag -join ', '))"
exit ([int]($result.Result -ne 'Passed' -or $result.PassedCount -eq 0))
