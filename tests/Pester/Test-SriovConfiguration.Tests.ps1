#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Documents Test- and Set-SriovConfiguration refuse on the i350-4port tree: each with exactly one error
# naming its JSON path, nothing changed and nothing output; and the shipped schema judged by python
# jsonschema against the module for every document of ConfigurationFixtures.ps1.
# Get, the input forms and Test's drifts: Get-SriovConfiguration.Tests.ps1. Set: Set-SriovConfiguration.Tests.ps1.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'ConfigurationFixtures.ps1')
    $script:BadDocuments = Get-TestBadDocument
    $script:GoodDocuments = Get-TestGoodDocument
    $script:SchemaRefused = @($script:BadDocuments | Where-Object { -not $_.Why })
    $script:NeedsMoreThanSchema = @($script:BadDocuments | Where-Object { $_.Why })
}

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    . (Join-Path $PSScriptRoot 'ConfigurationFixtures.ps1')
    $script:I350 = New-SriovTestHost -Fixture 'i350-4port'
    $script:Set = 'SriovPS.Commands.SetSriovConfigurationCommand'
    $script:Test = 'SriovPS.Commands.TestSriovConfigurationCommand'
    # A copied tree warns that it cannot apply; tests that look at warnings collect them with -WarningVariable.
    $PSDefaultParameterValues = @{ '*-Sriov*:WarningAction' = 'SilentlyContinue' }

    # The module's verdict on a document: the errors Test-SriovConfiguration writes for it (none: taken).
    function Get-ModuleVerdict {
        param([string] $Json)
        $null = Test-SriovConfiguration -InputObject $Json -ErrorVariable errors -ErrorAction SilentlyContinue
        @($errors | ForEach-Object { $_.Exception.Message })
    }
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    Remove-SriovTestHost $script:I350
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Configuration documents' -Tag 'CI' {
    BeforeEach {
        $env:SRIOVPS_HOST_ROOT = $script:I350
    }

    AfterEach {
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
    }

    Context 'a bad document, refused whole with one error before anything is touched' {
        It 'refuses <Case> with one <Id> error at <Path>, changing nothing' -ForEach $script:BadDocuments {
            $before = Get-SriovTestTreeState $script:I350
            $prefix = if ($Path -eq '$') { 'The document: ' } else { "${Path}: " }

            # Confirmed and forced: the strongest ask, which must still change nothing.
            $output = @(Set-SriovConfiguration -InputObject $Json -Force -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue)

            $output.Count | Should -Be 0
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "$Id,$script:Set"
            $errors[0].CategoryInfo.Category | Should -Be $Category
            $errors[0].TargetObject | Should -BeExactly $Path
            $errors[0].Exception.Message | Should -BeLikeExactly "$([WildcardPattern]::Escape($prefix))*"
            $errors[0].Exception.Message.Substring($prefix.Length) | Should -Match $Message
            Get-SriovTestTreeState $script:I350 | Should -Be $before

            # Test reads the document the same way, and outputs no drift for it.
            $drifts = @(Test-SriovConfiguration -InputObject $Json -ErrorVariable testErrors -ErrorAction SilentlyContinue)
            $drifts.Count | Should -Be 0
            $testErrors.Count | Should -Be 1
            $testErrors[0].FullyQualifiedErrorId | Should -Be "$Id,$script:Test"
            $testErrors[0].Exception.Message | Should -BeExactly $errors[0].Exception.Message
        }

        It 'gives one error for each of several problems of one document, in document order' {
            $json = '{"pfs":[{"match":{"name":"eno49"},"numVf":4,"vfs":[{"index":0,"vlan":5000,"mac":"01:00:5e:00:00:01"}]}],"boot":{"iommu":false}}'
            $before = Get-SriovTestTreeState $script:I350

            $output = @($json | Set-SriovConfiguration -Force -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue)

            $output.Count | Should -Be 0
            $errors.Count | Should -Be 4
            $errors.TargetObject | Should -Be @('pfs[0].numVf', 'pfs[0].vfs[0].vlan', 'pfs[0].vfs[0].mac', 'boot.iommu')
            $errors | ForEach-Object { $_.FullyQualifiedErrorId } | Select-Object -Unique | Should -Be "InvalidConfiguration,$script:Set"
            Get-SriovTestTreeState $script:I350 | Should -Be $before
        }

        It 'gives one error for each problem only the host shows, across entries' {
            $json = '{"pfs":[{"match":{"name":"eno49"},"numVfs":9},{"match":{"driver":"ixgbe"}},{"match":{"name":"eno50"},"vfs":[{"index":0,"driver":"nosuchdrv"}]}]}'

            $null = Test-SriovConfiguration -InputObject $json -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 3
            $errors.TargetObject | Should -Be @('pfs[0].numVfs', 'pfs[1].match', 'pfs[2].vfs[0].driver')
            $errors[1].FullyQualifiedErrorId | Should -Be "ConfigurationNotMatched,$script:Test"
        }

        It 'says the keys an unknown key could be, as a sentence of its own, when none is near' {
            $null = Test-SriovConfiguration -InputObject '{"pfs":[{"match":{"name":"eno49"},"colour":"blue"}]}' -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].Exception.Message | Should -Match '^pfs\[0\]\.colour: is not a key of pfs\[0\]\. It may have: id, match, numVfs'
        }

        It 'reports a -Path that does not exist as ConfigurationUnreadable, naming it' {
            $missing = Join-Path $script:I350 'no-such-document.json'

            $null = Test-SriovConfiguration -Path $missing -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "ConfigurationUnreadable,$script:Test"
            $errors[0].TargetObject | Should -Be $missing
        }
    }

    Context 'the shipped schema, judged by python jsonschema' {
        BeforeAll {
            $documents = [ordered]@{}
            foreach ($document in (Get-TestBadDocument) + (Get-TestGoodDocument)) { $documents[$document.Case] = $document.Json }
            $script:Verdicts = Get-TestSchemaVerdict $documents
        }

        It 'is laid out beside the module, where the $schema Get-SriovConfiguration writes points' {
            $module = Join-Path $PSScriptRoot '../../out/SriovPS'
            $schema = (Get-SriovConfiguration -AsJson | ConvertFrom-Json).'$schema'

            $schema | Should -Be ([System.IO.Path]::GetFullPath((Join-Path $module 'SriovPS.Configuration.schema.json')))
            $schema | Should -Exist
        }

        It 'takes <Case>, as the module does' -ForEach $script:GoodDocuments {
            Get-ModuleVerdict $Json | Should -BeNullOrEmpty
            $script:Verdicts[$Case] | Should -BeNullOrEmpty
        }

        It 'refuses <Case>, as the module does' -ForEach $script:SchemaRefused {
            $script:Verdicts[$Case] | Should -Not -BeNullOrEmpty -Because 'the module refuses it without looking at the host'
        }

        It 'takes <Case>, which only the module refuses: <Why>' -ForEach $script:NeedsMoreThanSchema {
            $script:Verdicts[$Case] | Should -BeNullOrEmpty
            Get-ModuleVerdict $Json | Should -Not -BeNullOrEmpty
        }
    }
}
