#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Get-SriovConfiguration on the fixture hosts, every form a document can be given in, and
# Test-SriovConfiguration's drifts. Bad documents and the schema: Test-SriovConfiguration.Tests.ps1.
# Set-SriovConfiguration's plans: Set-SriovConfiguration.Tests.ps1.

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    . (Join-Path $PSScriptRoot 'ConfigurationFixtures.ps1')
    $script:I350 = New-SriovTestHost -Fixture 'i350-4port'
    # A copied tree warns that it cannot apply; tests that look at warnings collect them with -WarningVariable.
    $PSDefaultParameterValues = @{ '*-Sriov*:WarningAction' = 'SilentlyContinue' }
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    Remove-SriovTestHost $script:I350
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Get-SriovConfiguration' -Tag 'CI' {
    BeforeEach {
        $env:SRIOVPS_HOST_ROOT = $script:I350
    }

    AfterEach {
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
    }

    Context 'the i350-4port host' {
        It 'writes one entry per PF, matched by name, with 7 VFs and VFs 0-6 on their default driver' {
            $document = Get-SriovConfiguration -ErrorAction Stop

            $document | Should -BeOfType [System.Management.Automation.PSCustomObject]
            $pfs = @($document.pfs)
            $pfs.Count | Should -Be 4
            $pfs.match.name | Should -Be @('eno49', 'eno50', 'eno51', 'eno52')
            foreach ($pf in $pfs) {
                @($pf.match.PSObject.Properties.Name) | Should -Be @('name')
                $pf.numVfs | Should -Be 7
                $pf.driversAutoprobe | Should -BeTrue
                @($pf.vfs).Count | Should -Be 1
                $pf.vfs[0].index | Should -BeExactly '0-6'
                $pf.vfs[0].driver | Should -BeExactly 'default'
            }
            $document.pools | Should -BeNullOrEmpty
        }

        It 'gives whole numbers as [int], not as [double] (which ConvertTo-Json writes as 7.0) or [long]' {
            $numVfs = (Get-SriovConfiguration -PfName eno49 -ErrorAction Stop).pfs[0].numVfs

            $numVfs | Should -BeOfType [int]
            $numVfs | Should -Be 7
            (Get-SriovConfiguration -PfName eno49 -ErrorAction Stop | ConvertTo-Json -Depth 10) | Should -Match '"numVfs": 7,'
        }

        It 'narrows to the PFs -PfName eno5[01] names' {
            $document = Get-SriovConfiguration -PfName 'eno5[01]' -ErrorAction Stop

            @($document.pfs).match.name | Should -Be @('eno50', 'eno51')
        }

        It '-AsJson gives one JSON text that ConvertFrom-Json reads as the same document' {
            $text = @(Get-SriovConfiguration -AsJson -ErrorAction Stop)

            $text.Count | Should -Be 1
            $text[0] | Should -BeOfType [string]
            $parsed = $text[0] | ConvertFrom-Json
            $parsed.'$schema' | Should -BeLike '*/SriovPS.Configuration.schema.json'
            @($parsed.pfs).match.name | Should -Be @('eno49', 'eno50', 'eno51', 'eno52')
            @($parsed.pfs).numVfs | Should -Be @(7, 7, 7, 7)
            @($parsed.pfs).vfs.index | Should -Be @('0-6', '0-6', '0-6', '0-6')
            @($parsed.pfs).vfs.driver | Should -Be @('default', 'default', 'default', 'default')
        }

        It '-AsJson gives a document the shipped schema takes (python jsonschema)' {
            $verdict = Get-TestSchemaVerdict @{ get = (Get-SriovConfiguration -AsJson -ErrorAction Stop) }

            $verdict.get | Should -BeNullOrEmpty
        }

        It 'piped to Test-SriovConfiguration -Quiet gives $true' {
            Get-SriovConfiguration -ErrorAction Stop | Test-SriovConfiguration -Quiet -ErrorAction Stop | Should -BeExactly $true
        }

        It 'piped to Set-SriovConfiguration -WhatIf shows no step, says so, and changes nothing' {
            $before = Get-SriovTestTreeState $script:I350

            $whatIf = Get-SriovTestWhatIf { Get-SriovConfiguration | Set-SriovConfiguration -WhatIf -ErrorAction Stop }
            $verbose = Get-SriovConfiguration | Set-SriovConfiguration -WhatIf -Verbose -ErrorAction Stop 4>&1

            $whatIf | Should -BeNullOrEmpty
            @($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message[-1] |
                Should -Be 'The host is already as the document asks: no step was made.'
            Get-SriovTestTreeState $script:I350 | Should -Be $before
        }

        It 'through ConvertTo-Json and back gives a document Test-SriovConfiguration takes' {
            $json = Get-SriovConfiguration -ErrorAction Stop | ConvertTo-Json -Depth 10
            $quiet = $json | Test-SriovConfiguration -Quiet -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 0 -Because ($errors.Exception.Message -join ' ')
            $quiet | Should -BeExactly $true
        }
    }

    Context 'every fixture host' {
        It 'on <_>, gives a document Test takes as it is and Set -WhatIf has nothing to do for' -ForEach @(
            'connectx5', 'lab-igb', 'x540-2port', 'iommu-off', 'e810-nodriver'
        ) {
            $tree = New-SriovTestHost -Fixture $_
            try {
                $env:SRIOVPS_HOST_ROOT = $tree
                $before = Get-SriovTestTreeState $tree
                $json = Get-SriovConfiguration -AsJson -ErrorAction Stop

                $json | Test-SriovConfiguration -Quiet -ErrorAction Stop | Should -BeExactly $true
                Get-SriovTestWhatIf { $json | Set-SriovConfiguration -WhatIf -ErrorAction Stop } | Should -BeNullOrEmpty
                Get-SriovTestTreeState $tree | Should -Be $before
            }
            finally { Remove-SriovTestHost $tree }
        }

        It 'keeps VF 0 of lab-igb on vfio-pci and VFs 1-6 on their default driver, a single index as an [int]' {
            $tree = New-SriovTestHost -Fixture 'lab-igb'
            try {
                $env:SRIOVPS_HOST_ROOT = $tree
                $pf = (Get-SriovConfiguration -PfName eth0 -ErrorAction Stop).pfs[0]

                $pf.vfs.index | Should -Be @(0, '1-6')
                $pf.vfs[0].index | Should -BeOfType [int]
                $pf.vfs.driver | Should -Be @('vfio-pci', 'default')
            }
            finally { Remove-SriovTestHost $tree }
        }
    }
}

Describe 'Test-SriovConfiguration' -Tag 'CI' {
    BeforeAll {
        # One document in every form: eno49 to 4 VFs, autoprobe off, MTU 9000, VFs 0-1 on vfio-pci and VF 2
        # on its own driver; eno50, matched by driver and address, down.
        $script:Json = @'
{ "pfs": [ { "id": "uplink", "match": { "name": "eno49" }, "numVfs": 4, "mtu": 9000, "driversAutoprobe": false,
             "vfs": [ { "index": "0-1", "driver": "vfio-pci" }, { "index": 2, "driver": "default" } ] },
           { "match": { "driver": "igb", "pciAddress": "0000:04:00.1" }, "linkState": "down" } ] }
'@
        $script:Psd1 = @'
@{
    pfs = @(
        @{ id = 'uplink'; match = @{ name = 'eno49' }; numVfs = 4; mtu = 9000; driversAutoprobe = $false
           vfs = @( @{ index = '0-1'; driver = 'vfio-pci' }, @{ index = 2; driver = 'default' } ) }
        @{ match = @{ driver = 'igb'; pciAddress = '0000:04:00.1' }; linkState = 'down' }
    )
}
'@
        $script:Expected = @(
            'eno49|NumVfs|4|7|Enable-SriovVf -PfName eno49 -Count 4|pfs[0].numVfs'
            'eno49|DriversAutoprobe|False|True|Set-SriovPf -Name eno49 -DriversAutoprobe $false|pfs[0].driversAutoprobe'
            'eno49|Mtu|9000|1500|Set-SriovPf -Name eno49 -Mtu 9000|pfs[0].mtu'
            'eno49 vf 0|Driver|vfio-pci|igbvf|Set-SriovVfDriver -PfName eno49 -Index 0 -Driver vfio-pci|pfs[0].vfs[0].driver'
            'eno49 vf 1|Driver|vfio-pci|igbvf|Set-SriovVfDriver -PfName eno49 -Index 1 -Driver vfio-pci|pfs[0].vfs[0].driver'
            'eno50|LinkState|Down|Up|Set-SriovPf -Name eno50 -LinkState Down|pfs[1].linkState'
        )
        $script:Files = Join-Path ([System.IO.Path]::GetTempPath()) ('sriovps-config-' + [guid]::NewGuid().ToString('N'))
        $null = [System.IO.Directory]::CreateDirectory($script:Files)
        $script:JsonFile = Join-Path $script:Files 'host.json'
        $script:Psd1File = Join-Path $script:Files 'host.psd1'
        Set-Content -LiteralPath $script:JsonFile -Value $script:Json
        Set-Content -LiteralPath $script:Psd1File -Value $script:Psd1
    }

    AfterAll {
        [System.IO.Directory]::Delete($script:Files, $true)
    }

    BeforeEach {
        $env:SRIOVPS_HOST_ROOT = $script:I350
    }

    AfterEach {
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
    }

    Context 'every form of the document gives the same drifts' {
        It 'reads -Path FILE: one drift per difference, with the step that fixes it' {
            @(Test-SriovConfiguration -Path $script:JsonFile -ErrorAction Stop | Format-TestDrift) | Should -Be $script:Expected
        }

        It 'reads <Form>' -ForEach @(
            @{ Form = 'JSON text piped'; Get = { $script:Json } }
            @{ Form = 'a hashtable'; Get = {
                    @{ pfs = @(
                            @{ id = 'uplink'; match = @{ name = 'eno49' }; numVfs = 4; mtu = 9000; driversAutoprobe = $false
                                vfs = @(@{ index = '0-1'; driver = 'vfio-pci' }, @{ index = 2; driver = 'default' }) }
                            @{ match = @{ driver = 'igb'; pciAddress = '0000:04:00.1' }; linkState = 'down' }) } } }
            @{ Form = 'an [ordered] dictionary'; Get = {
                    [ordered]@{ pfs = @(
                            [ordered]@{ id = 'uplink'; match = [ordered]@{ name = 'eno49' }; numVfs = 4; mtu = 9000; driversAutoprobe = $false
                                vfs = @([ordered]@{ index = '0-1'; driver = 'vfio-pci' }, [ordered]@{ index = 2; driver = 'default' }) }
                            [ordered]@{ match = [ordered]@{ driver = 'igb'; pciAddress = '0000:04:00.1' }; linkState = 'down' }) } } }
            @{ Form = 'a .psd1 through Import-PowerShellDataFile'; Get = { Import-PowerShellDataFile -LiteralPath $script:Psd1File } }
            @{ Form = 'a ConvertFrom-Json object'; Get = { $script:Json | ConvertFrom-Json } }
            @{ Form = 'a ConvertFrom-Json -AsHashtable dictionary'; Get = { $script:Json | ConvertFrom-Json -AsHashtable } }
            @{ Form = 'a FileInfo from Get-Item'; Get = { Get-Item -LiteralPath $script:JsonFile } }
            @{ Form = 'lines piped one by one (Get-Content without -Raw)'; Get = { Get-Content -LiteralPath $script:JsonFile } }
            @{ Form = 'a ConvertTo-Json text of [double] numbers'; Get = {
                    $document = $script:Json | ConvertFrom-Json
                    $document.pfs[0].numVfs = [double]4
                    $document.pfs[0].mtu = [double]9000
                    $document | ConvertTo-Json -Depth 10 } }
            @{ Form = 'a ConvertFrom-Json object deserialized, as remoting gives it'; Get = {
                    [System.Management.Automation.PSSerializer]::Deserialize(
                        [System.Management.Automation.PSSerializer]::Serialize(($script:Json | ConvertFrom-Json), 10)) } }
        ) {
            $document = & $Get

            @($document | Test-SriovConfiguration -ErrorAction Stop | Format-TestDrift) | Should -Be $script:Expected
        }

        It 'reads lines piped one by one as one document: Set-SriovConfiguration shows its plan once' {
            $whatIf = Get-SriovTestWhatIf { Get-Content -LiteralPath $script:JsonFile | Set-SriovConfiguration -WhatIf -ErrorAction Stop }

            @($whatIf | Where-Object { $_ -like '*re-create its VFs, 7 → 4*' }).Count | Should -Be 1
            @($whatIf | Where-Object { $_ -like '*ip link set eno49 mtu 9000*' }).Count | Should -Be 1
        }

        It 'reads strings piped one by one as the lines of one document, as ConvertFrom-Json does: two documents are one text, refused once' {
            $drifts = @('{"pfs":[]}', '{"pools":[]}' | Test-SriovConfiguration -ErrorVariable errors -ErrorAction SilentlyContinue)

            $drifts.Count | Should -Be 0
            $errors.Count | Should -Be 1
            $errors[0].TargetObject | Should -Be '$'
            $errors[0].Exception.Message | Should -BeLike 'The document: is not JSON: *'
        }

        It 'reads a Get-SriovConfiguration object deserialized, as remoting gives it, at <Depth>' -ForEach @(
            @{ Depth = 'depth 1 (remoting''s default)'; Levels = 1 }
            @{ Depth = 'depth 10'; Levels = 10 }
        ) {
            $document = Get-SriovConfiguration -PfName eno49 -ErrorAction Stop
            $copy = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($document, $Levels))
            $copy.pstypenames[0] | Should -Be 'Deserialized.SriovPS.SriovConfiguration'

            $copy | Test-SriovConfiguration -Quiet -ErrorAction Stop | Should -BeExactly $true
            $copy.pfs[0].numVfs = 4
            $copy.pfs[0].vfs[0].index = '0-3'
            @($copy | Test-SriovConfiguration -ErrorAction Stop | Format-TestDrift) |
                Should -Be @('eno49|NumVfs|4|7|Enable-SriovVf -PfName eno49 -Count 4|pfs[0].numVfs')
        }
    }

    Context 'drifts on the i350-4port host' {
        It 'numVfs 4 for driver igb: one NumVfs drift per PF, each with its Enable-SriovVf step' {
            $drifts = @('{"pfs":[{"match":{"driver":"igb"},"numVfs":4}]}' | Test-SriovConfiguration -ErrorAction Stop)

            $drifts.Count | Should -Be 4
            $drifts | Should -BeOfType [SriovPS.SriovConfigurationDrift]
            $drifts.Target | Should -Be @('eno49', 'eno50', 'eno51', 'eno52')
            foreach ($drift in $drifts) {
                $drift.Property | Should -BeExactly 'NumVfs'
                $drift.Desired | Should -Be 4
                $drift.Actual | Should -Be 7
                $drift.Step | Should -BeExactly "Enable-SriovVf -PfName $($drift.Target) -Count 4"
                $drift.Path | Should -BeExactly 'pfs[0].numVfs'
            }
        }

        It 'renders the drifts as a table with Target, Property, Desired, Actual and Step' {
            $text = '{"pfs":[{"match":{"driver":"igb"},"numVfs":4}]}' | Test-SriovConfiguration -ErrorAction Stop |
                Format-Table | Out-String -Width 200
            $lines = @($text -split "`n" | ForEach-Object TrimEnd | Where-Object { $_ })

            $lines[0] | Should -Match '^Target\s+Property\s+Desired\s+Actual\s+Step$'
            $lines.Count | Should -Be 6
            $lines[2] | Should -Match '^eno49\s+NumVfs\s+4\s+7\s+Enable-SriovVf -PfName eno49 -Count 4$'
            $lines[5] | Should -Match '^eno52\s+NumVfs\s+4\s+7\s+Enable-SriovVf -PfName eno52 -Count 4$'
        }

        It '-Quiet gives $false when something differs and $true when nothing does' {
            '{"pfs":[{"match":{"name":"eno49"},"numVfs":4}]}' | Test-SriovConfiguration -Quiet -ErrorAction Stop | Should -BeExactly $false
            '{"pfs":[{"match":{"name":"eno49"},"numVfs":7}]}' | Test-SriovConfiguration -Quiet -ErrorAction Stop | Should -BeExactly $true
        }

        It 'gives VF settings on a copied tree one "Not compared" warning, not drifts' {
            $json = '{"pfs":[{"match":{"name":"eno49"},"vfs":[{"index":"0-6","mac":"auto","vlan":10,"trust":true}]}]}'

            $drifts = @($json | Test-SriovConfiguration -WarningVariable warnings -ErrorAction Stop)

            $drifts.Count | Should -Be 0
            $own = @($warnings | Where-Object Message -NotMatch 'is a copied host tree')
            $own.Message | Should -Be @('Not compared: the VF settings of eno49: a copied host tree has no kernel to report them.')
        }

        It 'gives the eswitch mode on a copied tree a "Not compared" warning, not a drift' {
            # The tree has no devlink to read the mode from, as for the VFs' settings.
            $drifts = @('{"pfs":[{"match":{"name":"eno49"},"eswitchMode":"legacy"}]}' | Test-SriovConfiguration -WarningVariable warnings -ErrorAction Stop)

            $drifts.Count | Should -Be 0
            $warnings.Message | Should -Contain 'Not compared: the eswitch mode of eno49: igb reports none through devlink (a copied host tree has no devlink).'
        }

        It 'gives a VF on the driver asked, not held there by driver_override, a drift whose Actual says so' {
            $tree = New-SriovTestHost -Fixture 'lab-igb'
            try {
                $env:SRIOVPS_HOST_ROOT = $tree
                $json = '{"pfs":[{"match":{"name":"eth0"},"vfs":[{"index":0,"driver":"vfio-pci"},{"index":3,"driver":"igbvf"}]}]}'

                @($json | Test-SriovConfiguration -ErrorAction Stop | Format-TestDrift) |
                    Should -Be @('eth0 vf 3|Driver|igbvf|igbvf (driver_override not set)|Set-SriovVfDriver -PfName eth0 -Index 3 -Driver igbvf|pfs[0].vfs[1].driver')
            }
            finally { Remove-SriovTestHost $tree }
        }

        It 'compares the VF drivers a persisting entry names with the udev rules, as PersistedDrivers' {
            $tree = New-SriovTestHost -Fixture 'lab-igb'
            try {
                $env:SRIOVPS_HOST_ROOT = $tree
                $json = '{"pfs":[{"match":{"name":"eth0"},"persist":true,"vfs":[{"index":0,"driver":"vfio-pci"}]}]}'

                @($json | Test-SriovConfiguration -ErrorAction Stop | Format-TestDrift) |
                    Should -Be @('eth0|PersistedDrivers|vf 0 vfio-pci||Set-SriovVfDriver -PfName eth0 -Index … -Driver … -Persist|pfs[0].persist')
            }
            finally { Remove-SriovTestHost $tree }
        }

        It 'reads the link state from IFF_UP in the interface''s flags, not from operstate' {
            $tree = New-SriovTestHost -Fixture 'i350-4port'
            try {
                $env:SRIOVPS_HOST_ROOT = $tree
                Set-SriovTestHostFile $tree '/sys/class/net/eno49/flags' "0x1002`n"
                Set-SriovTestHostFile $tree '/sys/class/net/eno50/operstate' "down`n"

                $json = '{"pfs":[{"match":{"name":"eno50"},"linkState":"up"},{"match":{"name":"eno49"},"linkState":"up"}]}'

                @($json | Test-SriovConfiguration -ErrorAction Stop | Format-TestDrift) |
                    Should -Be @('eno49|LinkState|Up|Down|Set-SriovPf -Name eno49 -LinkState Up|pfs[1].linkState')
            }
            finally { Remove-SriovTestHost $tree }
        }

        It 'matches a PF by deviceId and PCI address together, and compares only what the entry names' {
            $drifts = @('{"pfs":[{"match":{"deviceId":"8086:1521","pciAddress":"0000:04:00.3"},"mtu":1500,"linkState":"up","numVfs":7}]}' |
                    Test-SriovConfiguration -ErrorAction Stop)

            $drifts.Count | Should -Be 0
        }
    }
}
