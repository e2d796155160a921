#Requires -Version 7.4
<#
.SYNOPSIS
Runs the Fleet tests: installs the built package, starts a fleet of simulated hosts (FleetBed.psm1),
runs tests/Pester/Fleet over SSH remoting in the fleet's client namespace, times Test-SriovHost across
32 hosts (Invoke-Command -HostName) and 64 hosts (sessions, -ThrottleLimit 64), and removes the fleet.

.DESCRIPTION
Writes tests/fleet/out/pester-fleet.xml (NUnit 3), pester-fleet.log and scale.json / scale.txt. Exits
0 when every test passed and every host answered, 1 otherwise, 3 when the fleet cannot run here
("FLEET UNAVAILABLE: <reason>": not root, no sshd). Leaves nothing behind: no namespace, process,
/etc/netns entry or file outside tests/fleet/out.

.EXAMPLE
dotnet pwsh tests/fleet/run.ps1                    # package out/SriovPS.<version>.nupkg, 8 hosts for the tests, 32 and 64 timed

.EXAMPLE
dotnet pwsh tests/fleet/run.ps1 -Scale @()         # the tests only
#>
[CmdletBinding()]
param(
    # The package to install on the hosts; by default the one ./build.sh Package wrote.
    [string] $Package,
    [ValidateRange(8, 200)] [int] $TestHosts = 8,
    [int[]] $Scale = @(32, 64)
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$repo = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../..'))
$out = Join-Path $PSScriptRoot 'out'
Import-Module (Join-Path $PSScriptRoot 'FleetBed.psm1') -Force

$unavailable = Get-SriovFleetUnavailableReason
if ($unavailable) {
    [Console]::Error.WriteLine("FLEET UNAVAILABLE: $unavailable")
    exit 3
}

if (-not $Package) {
    $version = (Import-PowerShellDataFile (Join-Path $repo 'out/SriovPS/SriovPS.psd1')).ModuleVersion
    $Package = Join-Path $repo "out/SriovPS.$version.nupkg"
}
if (-not (Test-Path -LiteralPath $Package)) { throw "No package at ${Package}: run ./build.sh Package first." }

if (Test-Path -LiteralPath $out) { Remove-Item -LiteralPath $out -Recurse -Force }
$null = New-Item -ItemType Directory -Path $out
$pwsh = Join-Path $PSHOME 'pwsh'
$fleetPath = Join-Path ([System.IO.Path]::GetTempPath()) "sriovps-fleet-$([guid]::NewGuid().ToString('N').Substring(0, 8))"

# The hosts' module: the package installed as README "Many hosts" says, into a home of the fleet's own.
function Install-FleetPackage([string] $Directory) {
    $repository = Join-Path $Directory 'repository'
    $null = New-Item -ItemType Directory -Path $repository -Force
    Copy-Item -LiteralPath $Package -Destination $repository
    $environment = @{ HOME = $Directory; XDG_DATA_HOME = "$Directory/.local/share"; XDG_CONFIG_HOME = "$Directory/.config"; XDG_CACHE_HOME = "$Directory/.cache" }
    # PSResourceGet keeps its repository list in the working directory when XDG_DATA_HOME does not exist.
    foreach ($folder in $environment.Values) { $null = New-Item -ItemType Directory -Path $folder -Force }
    $saved = @{}
    foreach ($name in $environment.Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name); [Environment]::SetEnvironmentVariable($name, $environment[$name]) }
    try {
        & $pwsh -NoProfile -NonInteractive -Command "Register-PSResourceRepository -Name SriovPSFleet -Uri '$repository' -Trusted; Install-PSResource SriovPS -Repository SriovPSFleet -Scope CurrentUser -TrustRepository -Quiet"
        if ($LASTEXITCODE -ne 0) { throw "Install-PSResource failed (exit code $LASTEXITCODE)." }
    }
    finally {
        foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
    }
    $modules = Join-Path $Directory '.local/share/powershell/Modules'
    if (-not (Test-Path -LiteralPath (Join-Path $modules 'SriovPS'))) { throw "The package did not install into $modules." }
    $modules
}

$status = 0
$fleet = $null
try {
    $modules = Install-FleetPackage (Join-Path $fleetPath 'package-home')
    Import-Module (Get-ChildItem -LiteralPath (Join-Path $modules 'SriovPS') -Filter SriovPS.psd1 -Recurse | Select-Object -First 1).FullName
    $count = [math]::Max($TestHosts, ($Scale + 0 | Measure-Object -Maximum).Maximum)
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $fleet = Start-SriovFleet -Count $count -ModulePath $modules -Path $fleetPath
    "fleet: $count hosts started in $([math]::Round($watch.Elapsed.TotalSeconds, 1)) s ($fleetPath, client namespace $($fleet.ClientNamespace))"

    # The clients run in the fleet's namespace, where the host names resolve.
    $suite = Join-Path $repo 'tests/Pester/Invoke-PesterSuite.ps1'
    $result = Join-Path $out 'pester-fleet.xml'
    $env:SRIOVPS_FLEET = $fleetPath
    try {
        & ip netns exec $fleet.ClientNamespace $pwsh -NoProfile -NonInteractive -Command "& '$suite' -Tag Fleet -Path '$(Join-Path $repo 'tests/Pester/Fleet')' -ResultPath '$result' -Output Detailed; exit `$LASTEXITCODE" *> (Join-Path $out 'pester-fleet.log')
        $pesterExit = $LASTEXITCODE
    }
    finally {
        Remove-Item Env:SRIOVPS_FLEET
    }
    Get-Content -LiteralPath (Join-Path $out 'pester-fleet.log') | ForEach-Object { $_ -replace '\e\[[0-9;]*m', '' } |
        Select-String -Pattern '^\s*\[[-+!]\] |^\s*Expected|^pester: ' -Raw
    if ($pesterExit -ne 0) { $status = 1 }

    $figures = foreach ($size in $Scale) {
        foreach ($mode in $(if ($size -le 32) { 'HostName' } else { 'Session' })) {
            $line = @(& ip netns exec $fleet.ClientNamespace $pwsh -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot 'Measure-Fleet.ps1') -FleetPath $fleetPath -Count $size -Mode $mode -ThrottleLimit $size 2>&1)
            if ($LASTEXITCODE -ne 0) { $status = 1; "fleet: timing $size hosts ($mode) failed: $($line -join ' ')" | Write-Host; continue }
            $line[-1] | ConvertFrom-Json
        }
    }
    if ($figures) {
        $figures | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath (Join-Path $out 'scale.json')
        $report = foreach ($figure in $figures) {
            $open = if ($figure.PSObject.Properties['OpenSeconds']) { "sessions opened in $($figure.OpenSeconds) s, then " } else { '' }
            "Test-SriovHost on $($figure.Hosts) hosts by $($figure.Mode) ($($figure.Cores) cores): $open" +
                "first call $($figure.First.Seconds) s ($($figure.First.PerHostSeconds) s a host), second $($figure.Second.Seconds) s ($($figure.Second.PerHostSeconds) s a host); " +
                "on each host the command took $($figure.Second.CommandMsMedian) ms (median, second call), its pwsh $($figure.Second.HostPwshMiBMedian) MiB; client pwsh peak $($figure.ClientPeakMiB) MiB" +
                $(if ($figure.PSObject.Properties['SshMiB']) { ", its $($figure.SshProcesses) ssh processes $($figure.SshMiB) MiB" } else { '' })
        }
        $report | Set-Content -LiteralPath (Join-Path $out 'scale.txt')
        $report | ForEach-Object { "fleet: $_" }
    }
}
catch {
    $status = 1
    [Console]::Error.WriteLine("fleet: $($_.Exception.Message)")
}
finally {
    Stop-SriovFleet -Path $fleetPath
    # A fleet that never started leaves only its folder (the installed package).
    if ([System.IO.Directory]::Exists($fleetPath)) { [System.IO.Directory]::Delete($fleetPath, $true) }
    $left = @(Get-SriovFleetLeftover -Path $fleetPath)
    if ($left) { $status = 1; [Console]::Error.WriteLine("fleet: left behind: $($left -join ', ')") }
    else { 'fleet: removed; nothing left behind' }
}
exit $status
