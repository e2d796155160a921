# What the Fleet tests share. They run in the clients' namespace of a fleet that tests/fleet/run.ps1
# started (SRIOVPS_FLEET names its folder), reach the hosts over SSH remoting, and judge each host's
# answer against the same command run here on the same host data (-HostRoot): remoting must give
# what the host gives, marked with the host's name.

$script:FleetBed = Join-Path $PSScriptRoot '../../fleet/FleetBed.psm1'

function Initialize-FleetTest {
    <#
    .SYNOPSIS
    The fleet under test, with the SriovPS module the hosts run imported here. Besides what
    Read-SriovFleet gives (Connection: the -HostName parameters), TestHosts are the first eight hosts
    (one of each kind) and RootOf maps each of their names to its host data.
    #>
    Import-Module $script:FleetBed -Force
    $fleet = Read-SriovFleet -Path $env:SRIOVPS_FLEET
    if ($env:PSModulePath -notlike "$($fleet.ModulePath)*") {
        $env:PSModulePath = "$($fleet.ModulePath)$([System.IO.Path]::PathSeparator)$env:PSModulePath"
    }
    Import-Module SriovPS -Force
    # Snapshot archives read here unpack into a cache of this run's own.
    $env:XDG_CACHE_HOME = Join-Path $fleet.Path 'client-cache'
    $testHosts = @($fleet.Hosts | Select-Object -First 8)
    $rootOf = @{}
    foreach ($entry in $testHosts) { $rootOf[$entry.Name] = $entry.Root }
    $fleet | Add-Member -NotePropertyName TestHosts -NotePropertyValue $testHosts
    $fleet | Add-Member -NotePropertyName RootOf -NotePropertyValue $rootOf -PassThru
}

function ConvertTo-FleetComparable {
    <#
    .SYNOPSIS
    Each object as one line of JSON of -Property, enumerations by name and nested objects (VF counters)
    in full, so a live object and one that came through remoting compare as text.
    #>
    param([AllowNull()] [object[]] $InputObject, [Parameter(Mandatory)] [string[]] $Property)

    foreach ($item in @($InputObject | Where-Object { $null -ne $_ })) {
        $values = [ordered]@{}
        foreach ($name in $Property) { $values[$name] = $item.$name }
        ConvertTo-Json -InputObject $values -Depth 6 -Compress -EnumsAsStrings
    }
}

function Get-FleetPropertyName {
    <# The public properties of a module object, as the cmdlet wrote it (no remoting note properties). #>
    param([Parameter(Mandatory)] $InputObject)
    @($InputObject.PSObject.Properties | Where-Object { $_.MemberType -eq 'Property' } | ForEach-Object Name)
}

function Get-FleetHostOutput {
    <# The objects of one host among the results of a fleet call, by PSComputerName. #>
    param([AllowNull()] [object[]] $Result, [Parameter(Mandatory)] [string] $Name)
    @($Result | Where-Object { $_.PSComputerName -eq $Name })
}

function Invoke-FleetClient {
    <#
    .SYNOPSIS
    Runs -Script in a new pwsh (in this namespace) with $Fleet and $Connection set, and returns what it
    printed, line by line. Messages a remote host shows on the client's console ("What if: …") reach
    neither a stream nor a transcript of the client, only its console, so they are read this way.
    #>
    param([Parameter(Mandatory)] $Fleet, [Parameter(Mandatory)] [string] $Script)

    $bootstrap = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$($script:FleetBed.Replace("'", "''"))'
`$Fleet = Read-SriovFleet -Path '$($Fleet.Path.Replace("'", "''"))'
`$Connection = `$Fleet.Connection
$Script
"@
    $pwsh = Join-Path $PSHOME 'pwsh'
    $lines = & $pwsh -NoProfile -NonInteractive -OutputFormat Text -Command $bootstrap 2>&1
    if ($LASTEXITCODE -ne 0) { throw "The client script failed (exit code $LASTEXITCODE):`n$($lines -join "`n")" }
    @($lines | ForEach-Object { "$_" })
}

function Split-FleetWhatIf {
    <#
    .SYNOPSIS
    The "What if:" messages of a client's output (a message of several lines as one), grouped by the
    "=== <host>" lines the client script printed before each host; other lines are left out.
    #>
    param([AllowEmptyCollection()] [string[]] $Line)

    $byHost = [ordered]@{}
    $current = $null
    $message = $null
    foreach ($text in $Line) {
        if ($text -match '^=== (\S+)$') {
            if ($null -ne $message) { $byHost[$current].Add($message); $message = $null }
            $current = $Matches[1]
            $byHost[$current] = [System.Collections.Generic.List[string]]::new()
        }
        elseif ($text.StartsWith('What if: ', [StringComparison]::Ordinal)) {
            if ($null -ne $message) { $byHost[$current].Add($message) }
            $message = $text
        }
        elseif ($null -ne $message -and $text.StartsWith('  ', [StringComparison]::Ordinal)) {
            $message += "`n" + $text
        }
        else {
            if ($null -ne $message) { $byHost[$current].Add($message); $message = $null }
        }
    }
    if ($null -ne $message) { $byHost[$current].Add($message) }
    $byHost
}
