# What the snapshot tests compare: the objects each reader gives, on the lab's live host (in the guest)
# and on its snapshot (in the guest, and on the machine that runs the lab), property by property.

# The readers, each with the arguments it is run with; -HostRoot is added for the snapshot.
$script:SnapshotReaders = [ordered]@{
    'Get-SriovPf'                          = { param($Root) Get-SriovPf -IncludeNotCapable @Root }
    'Get-SriovVf'                          = { param($Root) Get-SriovVf @Root }
    'Get-LibvirtSriovNetwork'              = { param($Root) Get-LibvirtSriovNetwork @Root }
    'Get-VmSriovInterface'                 = { param($Root) Get-VmSriovInterface @Root }
    'Test-SriovHost'                       = { param($Root) Test-SriovHost @Root }
    'Get-SriovConfiguration'               = { param($Root) Get-SriovConfiguration -AsJson @Root }
    'Export-SriovConfig -Format Nmstate'   = { param($Root) Export-SriovConfig -Format Nmstate @Root }
}

# Each object as its properties' JSON, so live objects written in the guest and objects read on the
# machine that runs the lab compare alike (strings pass through as they are).
function ConvertTo-SnapshotRecord {
    param([Parameter(ValueFromPipeline)] $InputObject)
    process {
        if ($InputObject -is [string]) { return [ordered]@{ Text = $InputObject } }
        $record = [ordered]@{}
        foreach ($property in $InputObject.PSObject.Properties) {
            $record[$property.Name] = ConvertTo-Json -InputObject $property.Value -Depth 6 -Compress -WarningAction SilentlyContinue
        }
        $record
    }
}

# Runs every reader, on the live host or with -HostRoot $Root; returns name → records.
function Get-SnapshotRecords([string] $Root) {
    $arguments = if ($Root) { @{ HostRoot = $Root; WarningAction = 'SilentlyContinue' } } else { @{} }
    $records = [ordered]@{}
    foreach ($name in $SnapshotReaders.Keys) {
        $records[$name] = @(& $SnapshotReaders[$name] $arguments -ErrorAction Stop | ConvertTo-SnapshotRecord)
    }
    $records
}

# Pester's own words for each difference between two records of one reader: the object's number and property.
function Assert-SameRecords([string] $Reader, $Expected, $Actual) {
    @($Actual).Count | Should -Be @($Expected).Count -Because "$Reader gives as many objects on the snapshot as on the host"
    for ($i = 0; $i -lt @($Expected).Count; $i++) {
        $want = @($Expected)[$i]
        $got = @($Actual)[$i]
        @($got.Keys) | Should -Be @($want.Keys) -Because "$Reader object $i has the same properties"
        foreach ($key in $want.Keys) {
            $got[$key] | Should -Be $want[$key] -Because "$Reader object $i's $key is what the host said"
        }
    }
}
