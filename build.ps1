#Requires -Version 7.4
<#
.SYNOPSIS
Builds, shows, tests or cleans SriovPS. Run it through ./build.sh, which restores the pinned pwsh.

.DESCRIPTION
Build: dotnet build, which also lays out out/SriovPS (manifest, help, formats, sample host).
Run:   Build, then Get-SriovPf | Get-SriovVf and Test-SriovHost on this host when it has SR-IOV PFs,
       else on the shipped sample host (it says which).
Test:  Build and Package, then every test: xunit (tests/SriovPS.Tests), Pester (tests/Pester, tag CI)
       in the pinned pwsh and Pester, the fleet (tests/fleet: the package on simulated hosts, the Fleet
       tests over SSH remoting; SRIOVPS_SKIP_FLEET=1 skips it) and the SR-IOV lab where it can run
       (SRIOVPS_SKIP_LAB=1 skips it).
       Ends with one line "tests: N passed, N failed, N skipped"; results go under out/test-results.
Package: Build, then out/SriovPS.<version>.nupkg (Compress-PSResource), which Install-PSResource
       installs from a repository (a directory registered with Register-PSResourceRepository) holding it.
Clean: dotnet clean and remove out/.
Run and Test install the Debian packages they use first, when run as root (tools/ci/install-packages.sh).

.EXAMPLE
./build.sh Test

.EXAMPLE
./build.sh Run

.EXAMPLE
./build.sh Package
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Run', 'Test', 'Package', 'Clean')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$solution = Join-Path $PSScriptRoot 'SriovPS.sln'
$out = Join-Path $PSScriptRoot 'out'
$results = Join-Path $out 'test-results'

# A plain function on purpose: an advanced one would take "-v" for its own -Verbose.
function Invoke-Native {
    $program, $arguments = $args
    & $program @arguments
    if ($LASTEXITCODE -ne 0) {
        throw "$program $($arguments -join ' ') failed with exit code $LASTEXITCODE."
    }
}

function Install-Packages([string] $For) {
    Invoke-Native bash (Join-Path $PSScriptRoot 'tools/ci/install-packages.sh') $For
}

function Invoke-Build {
    Invoke-Native dotnet build $solution -c $Configuration --nologo
    # The build alone must lay out the importable module.
    foreach ($file in 'SriovPS.psd1', 'SriovPS.dll', 'SriovPS.Core.dll', 'SriovPS.Native.dll', 'SriovPS.Format.ps1xml', 'SriovPS.Types.ps1xml', 'SriovPS.Configuration.schema.json', 'en-US/SriovPS.dll-Help.xml') {
        if (-not (Test-Path -LiteralPath (Join-Path $out "SriovPS/$file"))) {
            throw "out/SriovPS/$file was not laid out."
        }
    }
}

# A suite that wrote no results counted nothing.
$noCount = [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0 }

# Passed, failed and skipped of a VSTest TRX file, from its results (a skipped xunit test is NotExecuted).
function Get-TrxCount([string] $Path) {
    if (-not (Test-Path -LiteralPath $Path)) { return $noCount }
    $trx = [xml](Get-Content -Raw -LiteralPath $Path)
    $outcomes = @($trx.TestRun.Results.UnitTestResult | ForEach-Object outcome)
    [pscustomobject]@{
        Passed  = @($outcomes | Where-Object { $_ -eq 'Passed' }).Count
        Failed  = @($outcomes | Where-Object { $_ -in 'Failed', 'Error', 'Timeout', 'Aborted' }).Count
        Skipped = @($outcomes | Where-Object { $_ -eq 'NotExecuted' }).Count
    }
}

function Get-NUnit3Count([string] $Path) {
    if (-not (Test-Path -LiteralPath $Path)) { return $noCount }
    $run = ([xml](Get-Content -Raw -LiteralPath $Path)).'test-run'
    [pscustomobject]@{ Passed = [int]$run.passed; Failed = [int]$run.failed; Skipped = [int]$run.skipped }
}

function Invoke-Tests {
    $count = [ordered]@{ Passed = 0; Failed = 0; Skipped = 0 }
    $problems = [System.Collections.Generic.List[string]]::new()
    $summarize = {
        ''
        "tests: $($count.Passed) passed, $($count.Failed) failed, $($count.Skipped) skipped"
    }
    try {
        Install-Packages test
        Invoke-Build
        Invoke-Package
        if ([System.IO.Directory]::Exists($results)) { [System.IO.Directory]::Delete($results, $true) }

        # xunit: the core on fixtures, real netlink in namespaces, real libvirt, the cmdlets in a runspace.
        & dotnet test $solution -c $Configuration --no-build --nologo --results-directory $results --logger 'trx;LogFileName=xunit.trx'
        $xunitExit = $LASTEXITCODE
        $xunitTrx = Join-Path $results 'xunit.trx'
        if (-not (Test-Path -LiteralPath $xunitTrx)) { throw "dotnet test wrote no results (exit code $xunitExit)." }
        $xunit = Get-TrxCount $xunitTrx
        "xunit: $($xunit.Passed) passed, $($xunit.Failed) failed, $($xunit.Skipped) skipped (the Lab tests skip outside the lab)"
        $count.Passed += $xunit.Passed; $count.Failed += $xunit.Failed; $count.Skipped += $xunit.Skipped
        if ($xunitExit -ne 0 -or $xunit.Failed -gt 0 -or $xunit.Passed -eq 0) {
            # A run that failed outside any test (a crashed host, no test found) still counts as a failure.
            if ($xunit.Failed -eq 0) { $count.Failed++ }
            $problems.Add("xunit (exit code $xunitExit)")
        }

        # Pester in a fresh pwsh of the pinned version, so this session holds none of the module's DLLs.
        $pesterXml = Join-Path $results 'pester.xml'
        # The Lab Describes are selected too: outside the lab guest they skip, and count as the xunit Lab tests do.
        $suite = (Join-Path $PSScriptRoot 'tests/Pester/Invoke-PesterSuite.ps1').Replace("'", "''")
        & dotnet pwsh -NoLogo -NoProfile -NonInteractive -Command "& '$suite' -Tag CI, Lab -ResultPath '$($pesterXml.Replace("'", "''"))' -Output Normal; exit `$LASTEXITCODE"
        $pesterExit = $LASTEXITCODE
        $pester = Get-NUnit3Count $pesterXml
        $count.Passed += $pester.Passed; $count.Failed += $pester.Failed; $count.Skipped += $pester.Skipped
        if ($pesterExit -ne 0) {
            # A file that failed discovery or a failed BeforeAll fails the run without failing a test.
            if ($pester.Failed -eq 0) { $count.Failed++ }
            $problems.Add("Pester (exit code $pesterExit)")
        }

        # The fleet: the package installed on simulated hosts (namespaces, one sshd each), the Fleet tests
        # over SSH remoting, and Test-SriovHost timed across 32 and 64 hosts.
        if ($env:SRIOVPS_SKIP_FLEET -eq '1') {
            'FLEET SKIPPED: SRIOVPS_SKIP_FLEET=1'
        }
        else {
            $fleetErr = Join-Path $results 'fleet.stderr'
            & dotnet pwsh -NoLogo -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot 'tests/fleet/run.ps1') 2>$fleetErr
            $fleetExit = $LASTEXITCODE
            $fleetMessages = @(Get-Content -LiteralPath $fleetErr)
            $fleetMessages | ForEach-Object { [Console]::Error.WriteLine($_) }
            if ($fleetExit -eq 3) {
                $reason = $fleetMessages | Select-String '^FLEET UNAVAILABLE: (.*)$' | Select-Object -First 1
                "FLEET SKIPPED: $(if ($reason) { $reason.Matches[0].Groups[1].Value } else { 'the fleet cannot run here' })"
            }
            else {
                $fleetCount = Get-NUnit3Count (Join-Path $PSScriptRoot 'tests/fleet/out/pester-fleet.xml')
                "fleet: $($fleetCount.Passed) passed, $($fleetCount.Failed) failed, $($fleetCount.Skipped) skipped"
                $count.Passed += $fleetCount.Passed; $count.Failed += $fleetCount.Failed; $count.Skipped += $fleetCount.Skipped
                if ($fleetExit -ne 0) {
                    if ($fleetCount.Failed -eq 0) { $count.Failed++ }
                    $problems.Add("the fleet (exit code $fleetExit; logs in tests/fleet/out/)")
                }
            }
        }

        # The SR-IOV lab: the xunit and Pester Lab tests on a real kernel in a QEMU guest with emulated igb NICs.
        if ($env:SRIOVPS_SKIP_LAB -eq '1') {
            'LAB SKIPPED: SRIOVPS_SKIP_LAB=1'
        }
        else {
            $labErr = Join-Path $results 'lab.stderr'
            # The guest runs the Release build; when that is what was built above, run.sh need not build it again.
            if ($Configuration -eq 'Release') { $env:SRIOVPS_LAB_PREBUILT = '1' }
            try { & bash (Join-Path $PSScriptRoot 'tests/lab/run.sh') 2>$labErr }
            finally { Remove-Item Env:SRIOVPS_LAB_PREBUILT -ErrorAction SilentlyContinue }
            $labExit = $LASTEXITCODE
            $labMessages = Get-Content -LiteralPath $labErr
            $labMessages | ForEach-Object { [Console]::Error.WriteLine($_) }
            if ($labExit -eq 3) {
                $reason = $labMessages | Select-String '^LAB UNAVAILABLE: (.*)$' | Select-Object -First 1
                "LAB SKIPPED: $(if ($reason) { $reason.Matches[0].Groups[1].Value } else { 'the lab is unavailable' })"
            }
            else {
                $labTrx = Join-Path $PSScriptRoot 'tests/lab/out/lab.trx'
                $labPester = Join-Path $PSScriptRoot 'tests/lab/out/pester-lab.xml'
                # tests/lab/run.sh has printed its own count lines.
                $lab = Get-TrxCount $labTrx
                # The Lab tests skipped in the xunit run count once, as what they did in the lab.
                $count.Passed += $lab.Passed; $count.Failed += $lab.Failed
                $count.Skipped -= $lab.Passed + $lab.Failed
                # So do the Pester Lab tests, skipped in the Pester run above.
                $labPesterCount = Get-NUnit3Count $labPester
                $count.Passed += $labPesterCount.Passed; $count.Failed += $labPesterCount.Failed
                $count.Skipped -= $labPesterCount.Passed + $labPesterCount.Failed
                # The guest's snapshot read outside it: tests of their own, counted once here.
                $labOffline = Join-Path $PSScriptRoot 'tests/lab/out/pester-offline.xml'
                if (Test-Path -LiteralPath $labOffline) {
                    $offlineCount = Get-NUnit3Count $labOffline
                    $count.Passed += $offlineCount.Passed; $count.Failed += $offlineCount.Failed; $count.Skipped += $offlineCount.Skipped
                }
                if ($labExit -ne 0) {
                    # A lab that broke before its tests ran still counts as a failure.
                    if ($lab.Failed + $labPesterCount.Failed -eq 0) { $count.Failed++ }
                    $problems.Add("the lab (exit code $labExit; logs in tests/lab/out/)")
                }
            }
        }
    }
    catch {
        if ($count.Failed -eq 0) { $count.Failed = 1 }
        $problems.Add($_.Exception.Message)
    }

    # The summary is the last line written, also when something failed.
    if ($problems.Count -gt 0) {
        [Console]::Error.WriteLine("Failed: $($problems -join '; ').")
    }
    & $summarize
    if ($problems.Count -gt 0) {
        exit 1
    }
}

# This host's PFs when it has SR-IOV PFs, else the sample host's; a fresh pwsh imports the module.
function Invoke-Show {
    Install-Packages run
    Invoke-Build
    $module = Join-Path $out 'SriovPS'
    $sample = Join-Path $module 'samples/i350-4port.tar.gz'
    & dotnet pwsh -NoLogo -NoProfile -NonInteractive -Command {
        param($Module, $Sample)
        $ErrorActionPreference = 'Stop'
        Import-Module $Module
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction Ignore
        $pfs = @(Get-SriovPf | Where-Object TotalVfs -GT 0)
        if ($pfs.Count -gt 0) {
            "This host's SR-IOV PFs, VFs and readiness:"
        }
        else {
            "This host has no SR-IOV PF, so here is the sample host shipped in $Sample (a 4-port Intel I350, 7 VFs a port):"
            $env:SRIOVPS_HOST_ROOT = $Sample
            $pfs = @(Get-SriovPf)
        }
        $vfs = @($pfs | Get-SriovVf -WarningAction SilentlyContinue)
        "`nGet-SriovPf: $($pfs.Count) PFs"
        $pfs | Format-Table | Out-String -Width 160
        "Get-SriovPf | Get-SriovVf: $($vfs.Count) VFs"
        $vfs | Format-Table | Out-String -Width 160
        $checks = @(Test-SriovHost -WarningAction SilentlyContinue)
        $tally = ($checks | Group-Object Status | ForEach-Object { "$($_.Count) $($_.Name)" }) -join ', '
        "Test-SriovHost: $($checks.Count) checks ($tally)"
        $checks | Format-Table Status, Id, Target -AutoSize | Out-String -Width 160
        'What is not ready, and how to fix it:'
        $checks | Where-Object Status -In 'Fail', 'Warning' | Format-List Status, Id, Target, Finding, Remedy | Out-String -Width 160
    } -args $module, $sample
    if ($LASTEXITCODE -ne 0) { throw "Showing the host failed (exit code $LASTEXITCODE)." }
}

# out/SriovPS.<version>.nupkg from the module Invoke-Build laid out, in a fresh pwsh as Invoke-Show.
function Invoke-Package {
    $module = Join-Path $out 'SriovPS'
    $version = (Import-PowerShellDataFile -LiteralPath (Join-Path $module 'SriovPS.psd1')).ModuleVersion
    $package = Join-Path $out "SriovPS.$version.nupkg"
    Get-ChildItem -LiteralPath $out -File -Filter 'SriovPS.*.nupkg' | Remove-Item
    # PSResourceGet writes its repository list under $XDG_DATA_HOME (or ~/.local/share, or the current
    # directory when that does not exist): a directory of its own keeps packaging out of the home directory.
    $data = Join-Path $out 'package-data'
    $null = New-Item -ItemType Directory -Force $data
    $savedData = $env:XDG_DATA_HOME
    $env:XDG_DATA_HOME = $data
    try {
        & dotnet pwsh -NoLogo -NoProfile -NonInteractive -Command {
            param($Module, $Destination)
            $ErrorActionPreference = 'Stop'
            Compress-PSResource -Path $Module -DestinationPath $Destination
        } -args $module, $out
        if ($LASTEXITCODE -ne 0) { throw "Compress-PSResource failed (exit code $LASTEXITCODE)." }
    }
    finally {
        $env:XDG_DATA_HOME = $savedData
        Remove-Item -LiteralPath $data -Recurse -Force -ErrorAction SilentlyContinue
    }
    if (-not (Test-Path -LiteralPath $package)) { throw "Compress-PSResource wrote no $package." }
    "Packaged $package"
}

foreach ($step in $Task) {
    switch ($step) {
        'Clean' {
            Invoke-Native dotnet clean $solution -c $Configuration --nologo -v quiet
            # Directory.Delete does not follow the sample host's symbolic links.
            if ([System.IO.Directory]::Exists($out)) {
                [System.IO.Directory]::Delete($out, $true)
            }
        }
        'Build' { Invoke-Build }
        'Run' { Invoke-Show }
        'Test' { Invoke-Tests }
        'Package' { Invoke-Build; Invoke-Package }
    }
}
