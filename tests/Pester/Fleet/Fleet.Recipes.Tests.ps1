#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# The recipes of README.md "Many hosts", run as written on the fleet: $hosts and $ssh are the fleet's
# (the README's own assignments of them are left out), and each recipe's result is judged against the
# same commands run here on each host's data.

BeforeDiscovery {
    $script:NoFleet = -not $env:SRIOVPS_FLEET
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'FleetFixtures.ps1')
    . (Join-Path $PSScriptRoot '../Fixtures.ps1')
    $script:Fleet = Initialize-FleetTest
    $script:FleetHosts = $Fleet.TestHosts
    $script:RootOf = $Fleet.RootOf

    # The ```powershell blocks of the README's "Many hosts" section, in order.
    $readme = [System.IO.File]::ReadAllLines((Join-Path $PSScriptRoot '../../../README.md'))
    $script:Recipes = [System.Collections.Generic.List[string]]::new()
    $inSection = $false
    for ($i = 0; $i -lt $readme.Count; $i++) {
        if ($readme[$i] -match '^#{2,4} (.+)$') { $inSection = $Matches[1].Trim() -eq 'Many hosts'; continue }
        if (-not $inSection -or $readme[$i] -notmatch '^```powershell\s*$') { continue }
        $code = [System.Collections.Generic.List[string]]::new()
        for ($i++; $readme[$i] -notmatch '^```\s*$'; $i++) { $code.Add($readme[$i]) }
        $Recipes.Add($code -join "`n")
    }

    # A recipe as a client script (Invoke-FleetClient) with the fleet's $hosts and $ssh, whose "What if:"
    # messages then come back under "=== all".
    # A recipe's statements but its own $hosts and $ssh, which the tests give.
    function Get-RecipeStatement([string] $Code) {
        $statements = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref] $null, [ref] $null).EndBlock.Statements
        @($statements | Where-Object { $_.Extent.Text -notmatch '^\$(hosts|ssh) = ' } | ForEach-Object { $_.Extent.Text })
    }

    function Get-RecipeClientScript([string] $Code) {
        $kept = Get-RecipeStatement $Code
        @(
            "`$hosts = '$($FleetHosts.Name -join "', '")'"
            '$ssh = $Connection'
            # As at a prompt: a host's error is shown, and the recipe goes on.
            '$ErrorActionPreference = ''Continue'''
            "Set-Location -LiteralPath '$($script:Folder.Replace("'", "''"))'"
            '"=== all"'
            $kept
            # The recipe's errors are judged from its output, not from how pwsh exits.
            'exit 0'
        ) -join "`n"
    }

    # Runs a recipe in a scope where $hosts and $ssh are the fleet's, in a folder of its own; returns
    # its output and errors (as records), and leaves its variables in $script:Ran.
    function Invoke-Recipe([string] $Code) {
        $recipe = [scriptblock]::Create((Get-RecipeStatement $Code) -join "`n")
        $hosts = @($FleetHosts.Name)
        $ssh = $Fleet.Connection
        # As at a prompt: a host's error is written, and the recipe goes on.
        $ErrorActionPreference = 'Continue'
        Push-Location $script:Folder
        try {
            $output = . $recipe 2>&1
        }
        finally {
            Pop-Location
        }
        $script:Ran = @{ failed = $(try { Get-Variable failed -ValueOnly -ErrorAction Stop } catch { $null }) }
        @($output)
    }
}

Describe 'README "Many hosts", run on the fleet' -Tag 'Fleet' -Skip:$NoFleet {
    BeforeEach {
        $script:Folder = Join-Path $Fleet.Path "recipe-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $null = New-Item -ItemType Directory -Path $Folder
        # The recipe's kvm-host.json: a document the fleet's igb hosts can plan (docs/examples/kvm-host.json
        # also asks for a pool and boot settings, which the copied trees cannot plan without libvirt).
        Set-Content -LiteralPath (Join-Path $Folder 'kvm-host.json') -Value '{ "pfs": [ { "id": "uplink", "match": { "driver": "igb" }, "numVfs": 4, "vfs": [ { "index": "0-1", "driver": "vfio-pci" } ] } ] }'
    }

    AfterEach {
        Remove-Item -LiteralPath $script:Folder -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'has its five recipes' {
        $Recipes.Count | Should -Be 5
        $Recipes[0] | Should -Match '^\$hosts = '
    }

    It 'the readiness report: each failing or warning check with the hosts it fails on, none unreachable' {
        $output = Invoke-Recipe $Recipes[0]
        @($output | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) | Should -BeNullOrEmpty
        $Ran.failed | Should -BeNullOrEmpty
        $expected = @{}
        foreach ($name in $RootOf.Keys) {
            foreach ($check in Test-SriovHost -HostRoot $RootOf[$name] -InformationAction Ignore -WarningAction SilentlyContinue | Where-Object Status -In 'Fail', 'Warning') {
                $expected[$check.Id] = @(@($expected[$check.Id]) + $name | Where-Object { $_ } | Sort-Object -Unique)
            }
        }
        $rows = @($output | Where-Object { $null -ne $_ -and $_ -isnot [System.Management.Automation.ErrorRecord] -and $_.PSObject.Properties['Hosts'] })
        ($rows.Name | Sort-Object) -join ',' | Should -Be (($expected.Keys | Sort-Object) -join ',')
        foreach ($row in $rows) {
            $row.Hosts | Should -Be ($expected[$row.Name] -join ', ') -Because "check $($row.Name)"
        }
        ($rows | Where-Object Name -EQ 'Pf.SriovCapable').Hosts | Should -Match 'kvm08'
    }

    It 'the inventory: every VF of every host in vfs.csv' {
        $output = Invoke-Recipe $Recipes[1]
        @($output | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) | Should -BeNullOrEmpty
        $rows = @(Import-Csv -LiteralPath (Join-Path $Folder 'vfs.csv'))
        $expected = foreach ($name in $RootOf.Keys | Sort-Object) {
            Get-SriovVf -HostRoot $RootOf[$name] -WarningAction SilentlyContinue | ForEach-Object { "$name $($_.PfName) $($_.Index) $($_.PciAddress) $($_.Driver) $($_.MacAddress) $($_.Owner)" }
        }
        $rows.Count | Should -BeGreaterThan 40
        ($rows | ForEach-Object { "$($_.PSComputerName) $($_.PfName) $($_.Index) $($_.PciAddress) $($_.Driver) $($_.MacAddress) $($_.Owner)" } | Sort-Object) |
            Should -Be ($expected | Sort-Object)
        $rows[0].PSObject.Properties.Name | Should -Be 'PSComputerName', 'PfName', 'Index', 'PciAddress', 'Driver', 'MacAddress', 'Vlan', 'Owner'
    }

    It 'the document for every host: each host plans, or refuses, as it would alone' {
        $output = Invoke-Recipe $Recipes[2]
        $errors = @($output | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $document = Get-Content -Raw -LiteralPath (Join-Path $Folder 'kvm-host.json')
        $expectedWhatIf = foreach ($name in $RootOf.Keys) {
            $local = @()
            $null = $document | Set-SriovConfiguration -HostRoot $RootOf[$name] -WhatIf -WarningAction SilentlyContinue -ErrorVariable local -ErrorAction SilentlyContinue
            $remote = @($errors | Where-Object { $_.OriginInfo.PSComputerName -eq $name })
            ($remote | ForEach-Object { $_.Exception.Message }) | Should -Be ($local | ForEach-Object { $_.Exception.Message }) -Because "$name judges the document as it would alone"
            Get-SriovTestWhatIf { $document | Set-SriovConfiguration -HostRoot $RootOf[$name] -WhatIf -WarningAction SilentlyContinue -ErrorAction SilentlyContinue } | ForEach-Object { $_ }
        }
        # The hosts without an igb PF refuse it by name.
        @($errors | Where-Object { $_.OriginInfo.PSComputerName -eq 'kvm03' }).Exception.Message | Should -Match 'no PF of this host has driver igb'

        # What the hosts would do, together: each host's plan, as it plans alone.
        $whatIf = (Split-FleetWhatIf (Invoke-FleetClient $Fleet (Get-RecipeClientScript $Recipes[2])))['all']
        @($expectedWhatIf).Count | Should -BeGreaterThan 10
        @($whatIf | Sort-Object) | Should -Be @($expectedWhatIf | Sort-Object)
        $whatIf -match '\(eno49\)"\.$' | Should -Not -BeNullOrEmpty
        $whatIf -match '\(eth0\)"\.$' | Should -Not -BeNullOrEmpty
    }

    It 'objects from a host, sent back to it, drive its changers' {
        $output = Invoke-Recipe $Recipes[3]
        @($output | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) | Should -BeNullOrEmpty
        $whatIf = (Split-FleetWhatIf (Invoke-FleetClient $Fleet (Get-RecipeClientScript $Recipes[3])))['all']
        $root = $RootOf['kvm01']
        $expected = Get-SriovTestWhatIf { Get-SriovVf -HostRoot $root -WarningAction SilentlyContinue | Where-Object Owner -EQ $null | Select-Object -First 2 | Set-SriovVfDriver -Driver vfio-pci -HostRoot $root -WhatIf -WarningAction SilentlyContinue }
        @($expected).Count | Should -Be 2
        $whatIf | Should -Be $expected
    }

    It 'sessions with a throttle of its own: each host''s readiness' {
        $output = @(Invoke-Recipe $Recipes[4])
        @($output | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) | Should -BeNullOrEmpty
        $output.Count | Should -Be 8
        foreach ($row in $output) {
            $row.Ready | Should -Be (Test-SriovHost -HostRoot $RootOf[$row.PSComputerName] -Quiet -InformationAction Ignore -WarningAction SilentlyContinue) -Because $row.PSComputerName
        }
        @(Get-PSSession | Where-Object State -EQ 'Opened' | Where-Object ComputerName -In $RootOf.Keys) | Should -BeNullOrEmpty -Because 'the recipe removes its sessions'
    }
}
