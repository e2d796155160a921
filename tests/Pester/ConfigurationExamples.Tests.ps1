#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# The configuration documents the module shows its users (docs/examples, the README's) and what the
# help of Get-, Test- and Set-SriovConfiguration says of them: valid for the shipped schema, read
# without errors on the I350 sample host, and each documented refusal refused with its JSON path.
# Examples.Tests.ps1 runs the help's examples themselves; this file checks what they cannot show.

BeforeDiscovery {
    $RepoRoot = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../..'))
    $Documents = @(
        @{ Name = 'docs/examples/kvm-host.json'; Path = Join-Path $RepoRoot 'docs/examples/kvm-host.json' }
        @{ Name = 'docs/examples/vfio-host.psd1'; Path = Join-Path $RepoRoot 'docs/examples/vfio-host.psd1' }
        @{ Name = 'the document of the README''s Desired state'; Path = 'README.md' }
    )
}

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    $script:ModulePath = (Resolve-Path (Join-Path $PSScriptRoot '../../out/SriovPS')).Path
    Import-Module $script:ModulePath -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $script:RepoRoot = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../..'))
    $script:I350 = New-SriovTestHost -Fixture 'i350-4port'
    # The Debian host the documents are written for: GRUB, the Intel IOMMU's ACPI table, netplan.
    Set-SriovTestHostFile $script:I350 '/etc/default/grub' "GRUB_DEFAULT=0`nGRUB_CMDLINE_LINUX_DEFAULT=`"quiet`"`nGRUB_CMDLINE_LINUX=`"`"`n"
    Set-SriovTestHostFile $script:I350 '/proc/cpuinfo' "processor`t: 0`nvendor_id`t: GenuineIntel`n"
    Set-SriovTestHostFile $script:I350 '/sys/firmware/acpi/tables/DMAR' ''
    Set-SriovTestHostFile $script:I350 '/etc/netplan/50-cloud-init.yaml' "network:`n  version: 2`n  ethernets:`n    eno1:`n      dhcp4: true`n"
    Set-SriovTestHostFile $script:I350 '/usr/sbin/netplan' ''

    # A document as JSON text: a .json file as it is, a .psd1 as Import-PowerShellDataFile reads it,
    # and README.md's ```json block.
    function Get-DocumentJson([string] $Path) {
        if ($Path -eq 'README.md') {
            $readme = Get-Content -Raw (Join-Path $script:RepoRoot 'README.md')
            $section = $readme.Substring($readme.IndexOf('### Desired state'))
            return [regex]::Match($section, '(?s)```json\n(.*?)\n```').Groups[1].Value
        }
        if ($Path.EndsWith('.psd1')) { return Import-PowerShellDataFile $Path | ConvertTo-Json -Depth 10 }
        Get-Content -Raw $Path
    }

    # The python3 that has jsonschema, the validator independent of the module; null without one.
    $script:Python = foreach ($candidate in @((Get-Command python3 -All -ErrorAction SilentlyContinue).Source) + '/usr/bin/python3') {
        if ($candidate -and (Test-Path $candidate)) {
            & $candidate -c 'import jsonschema' 2>$null
            if ($LASTEXITCODE -eq 0) { $candidate; break }
        }
    }

    # The schema's errors for a JSON text (draft 2020-12), one line each; none when it is valid.
    function Get-SchemaError([string] $Schema, [string] $Json) {
        $check = 'import json, sys, jsonschema; schema = json.load(open(sys.argv[1])); ' +
            'jsonschema.Draft202012Validator.check_schema(schema); ' +
            'print("\n".join(f"{list(e.absolute_path)}: {e.message}" for e in jsonschema.Draft202012Validator(schema).iter_errors(json.load(sys.stdin))))'
        $Json | & $script:Python -c $check $Schema
        if ($LASTEXITCODE -ne 0) { throw "python3 could not check the document against $Schema." }
    }

    # What a command prints in a child pwsh on the sample host (-WhatIf lines go to the host, not a stream).
    function Invoke-ChildPwsh([string] $Script) {
        $self = (Get-Process -Id $PID).Path
        $start = [System.Diagnostics.ProcessStartInfo]::new($self)
        if ([System.IO.Path]::GetFileNameWithoutExtension($self) -ne 'pwsh') { $start.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
        foreach ($argument in '-NoProfile', '-NonInteractive', '-Command', "Import-Module '$script:ModulePath'; $Script") { $start.ArgumentList.Add($argument) }
        $start.Environment['SRIOVPS_HOST_ROOT'] = $script:I350
        $start.WorkingDirectory = $script:RepoRoot
        $start.RedirectStandardOutput = $start.RedirectStandardError = $true
        $start.UseShellExecute = $false
        $process = [System.Diagnostics.Process]::Start($start)
        try {
            $stdout = $process.StandardOutput.ReadToEndAsync()
            $null = $process.StandardError.ReadToEndAsync()
            if (-not $process.WaitForExit(120000)) { $process.Kill($true); throw 'The child pwsh did not finish.' }
            $stdout.Result
        }
        finally { $process.Dispose() }
    }
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    Remove-SriovTestHost $script:I350
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Configuration documents of the docs' -Tag 'CI' {
    BeforeEach {
        $env:SRIOVPS_HOST_ROOT = $script:I350
    }

    AfterEach {
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
    }

    Context '<Name>' -ForEach $Documents {
        It 'is valid for the schema' {
            if (-not $script:Python) {
                Set-ItResult -Skipped -Because 'no python3 with jsonschema here (Debian package python3-jsonschema)'
                return
            }

            Get-SchemaError (Join-Path $script:RepoRoot 'src/SriovPS/SriovPS.Configuration.schema.json') (Get-DocumentJson $Path) |
                Should -BeNullOrEmpty
        }

        It 'is read and compared on the I350 host without an error' {
            $drifts = Get-DocumentJson $Path | Test-SriovConfiguration -ErrorVariable problems -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            @($problems | ForEach-Object { "$($_.FullyQualifiedErrorId): $($_.Exception.Message)" }) | Should -BeNullOrEmpty
            @($drifts).Count | Should -BeGreaterThan 0 -Because 'the sample host has its VFs on igbvf, as none of these documents asks'
            $drifts | ForEach-Object { $_ | Should -BeOfType SriovPS.SriovConfigurationDrift }
        }
    }

    It 'kvm-host.json is a KVM host as the help describes it: igb by driver, 7 VFs, 0-1 on vfio-pci, 2-6 auto MACs on VLAN 100 with trust, a started pool, every boot setting' {
        $document = Get-Content -Raw (Join-Path $script:RepoRoot 'docs/examples/kvm-host.json') | ConvertFrom-Json

        $document.pfs | Should -HaveCount 1
        $pf = $document.pfs[0]
        $pf.match.driver | Should -Be 'igb'
        $pf.numVfs, $pf.linkState, $pf.mtu, $pf.persist | Should -Be 7, 'up', 9000, $true
        $pf.vfs[0].index, $pf.vfs[0].driver | Should -Be '0-1', 'vfio-pci'
        $pf.vfs[1].index, $pf.vfs[1].mac, $pf.vfs[1].vlan, $pf.vfs[1].trust | Should -Be '2-6', 'auto', 100, $true
        $document.pools[0].pfs | Should -Be $pf.id
        $document.pools[0].autostart, $document.pools[0].started | Should -Be $true, $true
        $document.boot.iommu, $document.boot.vfioModules, $document.boot.appArmor | Should -Be $true, $true, $true
    }
}

Describe 'What the help of the configuration commands says' -Tag 'CI' {
    BeforeEach {
        $env:SRIOVPS_HOST_ROOT = $script:I350
    }

    AfterEach {
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
    }

    It 'Test-SriovConfiguration Example 6 names each problem of the wrong document by its path' {
        $page = Get-Content -Raw (Join-Path $script:RepoRoot 'docs/help/Test-SriovConfiguration.md')
        $code = [regex]::Match($page, '(?s)### Example 6:[^\n]*\n```powershell\n(.*?)\n```').Groups[1].Value

        $targets = . ([scriptblock]::Create($code))

        $targets | Should -Be 'pfs[0].numVf', 'pfs[0].vfs[0].vlan'
        $problems.FullyQualifiedErrorId | Should -Be (@('InvalidConfiguration,SriovPS.Commands.TestSriovConfigurationCommand') * 2)
        $problems[0].Exception.Message | Should -BeLike "pfs[[]0].numVf: is not a key of pfs[[]0]: did you mean 'numVfs'?*"
        $problems[1].Exception.Message | Should -Be 'pfs[0].vfs[0].vlan: 5000 is outside the VLAN range 0–4095.'
    }

    It 'refuses <Case> with one InvalidConfiguration at <At>, as Get-SriovConfiguration''s NOTES list' -ForEach @(
        @{ Case = 'a value out of range'; At = 'pfs[0].mtu'; Json = '{"pfs":[{"match":{"name":"eno49"},"mtu":67}]}' }
        @{ Case = 'a count over TotalVfs'; At = 'pfs[0].numVfs'; Json = '{"pfs":[{"match":{"name":"eno49"},"numVfs":9}]}' }
        @{ Case = 'a VF beyond the count'; At = 'pfs[0].vfs[0].index'; Json = '{"pfs":[{"match":{"name":"eno49"},"numVfs":4,"vfs":[{"index":"2-4","vlan":1}]}]}' }
        @{ Case = 'two entries for one VF'; At = 'pfs[0].vfs[1].index'; Json = '{"pfs":[{"match":{"name":"eno49"},"vfs":[{"index":"0-3","vlan":1},{"index":"3-5","vlan":2}]}]}' }
        @{ Case = 'two entries for one PF'; At = 'pfs[1].match'; Json = '{"pfs":[{"match":{"driver":"igb"}},{"match":{"name":"eno50"}}]}' }
        @{ Case = 'a multicast MAC'; At = 'pfs[0].vfs[0].mac'; Json = '{"pfs":[{"match":{"name":"eno49"},"vfs":[{"index":0,"mac":"01:00:5e:00:00:01"}]}]}' }
        @{ Case = 'one MAC for two VFs'; At = 'pfs[1].vfs[0].mac'; Json = '{"pfs":[{"match":{"name":"eno49"},"vfs":[{"index":0,"mac":"02:00:00:00:00:01"}]},{"match":{"name":"eno50"},"vfs":[{"index":1,"mac":"02:00:00:00:00:01"}]}]}' }
        @{ Case = 'QoS with VLAN 0'; At = 'pfs[0].vfs[0].qos'; Json = '{"pfs":[{"match":{"name":"eno49"},"vfs":[{"index":0,"vlan":0,"qos":3}]}]}' }
        @{ Case = 'a driver the host has not got'; At = 'pfs[0].vfs[0].driver'; Json = '{"pfs":[{"match":{"name":"eno49"},"vfs":[{"index":0,"driver":"no_such_driver"}]}]}' }
        @{ Case = 'a pool over a PF left with no VFs'; At = 'pools[0].pfs[0]'; Json = '{"pfs":[{"id":"a","match":{"name":"eno49"},"numVfs":0}],"pools":[{"name":"p","pfs":["a"]}]}' }
        @{ Case = 'persist with nothing to keep'; At = 'pfs[0].persist'; Json = '{"pfs":[{"match":{"name":"eno49"},"persist":true}]}' }
        @{ Case = 'boot set to false'; At = 'boot.iommu'; Json = '{"boot":{"iommu":false}}' }
    ) {
        $before = Get-SriovTestTreeState $script:I350

        $Json | Set-SriovConfiguration -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

        $problems | Should -HaveCount 1
        $problems[0].FullyQualifiedErrorId | Should -Be 'InvalidConfiguration,SriovPS.Commands.SetSriovConfigurationCommand'
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $problems[0].TargetObject | Should -Be $At
        $problems[0].Exception.Message | Should -BeLike "$([WildcardPattern]::Escape($At)): *"
        Get-SriovTestTreeState $script:I350 | Should -Be $before
    }

    It 'gives VF 2 of eno49 (9c:dc:71:5e:0f:a0) the "auto" MAC 32:5e:0f:a0:00:02, as Set-SriovConfiguration''s help says' {
        (Get-SriovPf eno49).MacAddress | Should -Be '9c:dc:71:5e:0f:a0'

        $shown = Invoke-ChildPwsh '''{"pfs":[{"match":{"name":"eno49"},"vfs":[{"index":2,"mac":"auto"}]}]}'' | Set-SriovConfiguration -WhatIf'

        $shown | Should -Match 'ip link set eno49 vf 2 mac 32:5e:0f:a0:00:02\b'
    }

    It 'ships the schema in the module''s folder, where Get-SriovConfiguration -AsJson points "$schema"' {
        # Fails while the build does not copy SriovPS.Configuration.schema.json into out/SriovPS.
        $schema = (Get-SriovConfiguration -AsJson -WarningAction SilentlyContinue | ConvertFrom-Json -AsHashtable)['$schema']

        $schema | Should -Be (Join-Path $script:ModulePath 'SriovPS.Configuration.schema.json')
        Test-Path -LiteralPath $schema -PathType Leaf | Should -BeTrue
    }
}
