#Requires -Version 7.4
<#
.SYNOPSIS
Times Test-SriovHost across -Count hosts of a running fleet, as an admin would run it, and prints one
JSON line of figures. Run it in the fleet's client namespace, in a pwsh of its own, so that its peak
memory is this run's alone.

.DESCRIPTION
-Mode HostName: Invoke-Command -HostName over all the hosts, twice. Each call starts ssh, a pwsh and the
module on every host; the engine runs 32 at a time. The first call also fills each host's module
analysis cache, as the first call on a new host does.
-Mode Session: New-PSSession -HostName over all the hosts, then Invoke-Command -Session -ThrottleLimit
over the sessions, twice: what a script that calls several commands pays once, then per command.
Every host must answer with its checks, or the figures are refused. PerHostSeconds is the wall time
divided by the hosts (they run at once); CommandMs is Test-SriovHost's own time on each host;
ClientPeakMiB is the client pwsh's own peak (VmHWM), without its ssh processes (SshMiB, sessions only).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $FleetPath,
    [Parameter(Mandatory)] [int] $Count,
    [Parameter(Mandatory)] [ValidateSet('HostName', 'Session')] [string] $Mode,
    [int] $ThrottleLimit = 64
)

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'FleetBed.psm1')
$fleet = Read-SriovFleet -Path $FleetPath
$connection = $fleet.Connection
$names = @($fleet.Hosts | Select-Object -First $Count | ForEach-Object Name)
if ($names.Count -ne $Count) { throw "The fleet has $($names.Count) hosts, not $Count." }

# What each host reports of its own command, beside the checks: the command's time and the host's pwsh.
$check = {
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $checks = @(Test-SriovHost -InformationAction Ignore -WarningAction SilentlyContinue)
    [pscustomobject]@{ Checks = $checks.Count; Failed = @($checks | Where-Object Status -EQ 'Fail').Count; CommandMs = $watch.ElapsedMilliseconds; HostMiB = [int]([Environment]::WorkingSet / 1MB) }
}

function Measure-FleetCall([scriptblock] $Call) {
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $answers = @(& $Call)
    $elapsed = $watch.Elapsed.TotalSeconds
    $answered = @($answers | ForEach-Object PSComputerName | Sort-Object -Unique)
    if ($answered.Count -ne $Count -or @($answers | Where-Object Checks -LT 1).Count -gt 0) {
        throw "Only $($answered.Count) of $Count hosts answered with their checks; missing: $(@($names | Where-Object { $_ -notin $answered }) -join ', ')."
    }
    $commandMs = @($answers.CommandMs | Sort-Object)
    [ordered]@{
        Seconds          = [math]::Round($elapsed, 1)
        PerHostSeconds   = [math]::Round($elapsed / $Count, 2)
        CommandMsMedian  = $commandMs[[int][math]::Floor($commandMs.Count / 2)]
        HostPwshMiBMedian = @($answers.HostMiB | Sort-Object)[[int][math]::Floor($answers.Count / 2)]
    }
}

$result = [ordered]@{ Mode = $Mode; Hosts = $Count; Cores = [Environment]::ProcessorCount }
if ($Mode -eq 'HostName') {
    $result.First = Measure-FleetCall { Invoke-Command -HostName $names @connection -ScriptBlock $check }
    $result.Second = Measure-FleetCall { Invoke-Command -HostName $names @connection -ScriptBlock $check }
}
else {
    $result.ThrottleLimit = $ThrottleLimit
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $sessions = @(New-PSSession -HostName $names @connection)
    $result.OpenSeconds = [math]::Round($watch.Elapsed.TotalSeconds, 1)
    if ($sessions.Count -ne $Count) { throw "Only $($sessions.Count) of $Count sessions opened." }
    # Each open session is an ssh process of the client's too.
    $ssh = @(Get-Process -Name ssh -ErrorAction Ignore | Where-Object { $_.Parent.Id -eq $PID })
    $result.SshProcesses = $ssh.Count
    $result.SshMiB = [int](($ssh | Measure-Object WorkingSet64 -Sum).Sum / 1MB)
    try {
        $result.First = Measure-FleetCall { Invoke-Command -Session $sessions -ThrottleLimit $ThrottleLimit -ScriptBlock $check }
        $result.Second = Measure-FleetCall { Invoke-Command -Session $sessions -ThrottleLimit $ThrottleLimit -ScriptBlock $check }
    }
    finally {
        $sessions | Remove-PSSession
    }
}

# The peak resident memory of this client process (the kernel's high-water mark).
$peak = (Get-Content -LiteralPath /proc/self/status | Where-Object { $_ -like 'VmHWM:*' }) -replace '\D', ''
$result.ClientPeakMiB = [int]([long]$peak / 1024)
$result | ConvertTo-Json -Compress
