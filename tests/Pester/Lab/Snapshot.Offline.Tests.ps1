#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# The snapshot the lab guest took (Snapshot.Lab.Tests.ps1), read on the machine that runs the lab,
# outside the guest: no igb NIC, no lab libvirtd, another kernel. Every reader must give what it gave
# on the live guest. tests/lab/run.sh runs this after the guest ends, with the tag LabOffline.

BeforeAll {
    . (Join-Path $PSScriptRoot 'SnapshotCompare.ps1')
    $script:Out = Join-Path $PSScriptRoot '../../lab/out/snapshot'
    $script:Archive = Join-Path $Out 'lab.tar.gz'
    if (-not (Test-Path -LiteralPath $Archive)) { return }
    Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
    Import-Module (Join-Path $PSScriptRoot '../../../out/SriovPS') -Force
    $env:XDG_CACHE_HOME = Join-Path ([System.IO.Path]::GetTempPath()) "sriovps-cache-$([guid]::NewGuid().ToString('N'))"
    $script:Live = Get-Content -Raw -LiteralPath (Join-Path $Out 'live.json') | ConvertFrom-Json -AsHashtable
}

AfterAll {
    if ($env:XDG_CACHE_HOME -like '*sriovps-cache-*') { Remove-Item -LiteralPath $env:XDG_CACHE_HOME -Recurse -Force -ErrorAction SilentlyContinue }
    Remove-Item Env:XDG_CACHE_HOME -ErrorAction SilentlyContinue
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'The lab''s snapshot, read outside the lab' -Tag 'LabOffline' {
    It 'is there: the lab guest saved it' {
        $Archive | Should -Exist
        Write-Host "The lab host's snapshot: $((Get-Item -LiteralPath $Archive).Length) bytes"
    }

    It '<_> gives what it gave on the live lab host, property by property' -ForEach @(
        'Get-SriovPf', 'Get-SriovVf', 'Get-LibvirtSriovNetwork', 'Get-VmSriovInterface', 'Test-SriovHost',
        'Get-SriovConfiguration', 'Export-SriovConfig -Format Nmstate'
    ) {
        $offline = @(& $SnapshotReaders[$_] @{ HostRoot = $Archive; WarningAction = 'SilentlyContinue' } -ErrorAction Stop | ConvertTo-SnapshotRecord)
        Assert-SameRecords $_ @($Live[$_]) $offline
    }

    It 'through $env:SRIOVPS_HOST_ROOT as through -HostRoot' {
        $env:SRIOVPS_HOST_ROOT = $Archive
        try {
            $offline = @(Get-SriovVf -WarningAction SilentlyContinue -ErrorAction Stop | ConvertTo-SnapshotRecord)
        }
        finally { Remove-Item Env:SRIOVPS_HOST_ROOT }
        Assert-SameRecords 'Get-SriovVf' @($Live['Get-SriovVf']) $offline
    }
}
