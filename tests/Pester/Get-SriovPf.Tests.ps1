#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $script:I350 = New-SriovTestHost -Fixture 'i350-4port'
}

AfterAll {
    Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
    Remove-SriovTestHost $script:I350
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Get-SriovPf' {
    BeforeEach {
        $env:SRIOVPS_HOST_ROOT = $script:I350
    }

    AfterEach {
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
    }

    Context 'on the seeds'' 4-port I350 host' {
        It 'lists the four ports eno49 to eno52 in PCI order' {
            $pfs = @(Get-SriovPf)

            $pfs.Count | Should -Be 4
            $pfs.Name | Should -Be @('eno49', 'eno50', 'eno51', 'eno52')
            $pfs.PciAddress | Should -Be @('0000:04:00.0', '0000:04:00.1', '0000:04:00.2', '0000:04:00.3')
            $pfs.Driver | Should -Be @('igb', 'igb', 'igb', 'igb')
            $pfs.TotalVfs | Should -Be @(7, 7, 7, 7)
            $pfs.NumVfs | Should -Be @(7, 7, 7, 7)
        }

        It 'outputs objects of type SriovPS.SriovPf' {
            $pf = Get-SriovPf -Name eno49

            $pf | Should -BeOfType 'SriovPS.SriovPf'
            $pf.PSObject.TypeNames[0] | Should -Be 'SriovPS.SriovPf'
        }

        It 'selects by position, wildcard and case-insensitively' {
            (Get-SriovPf eno5*).Name | Should -Be @('eno50', 'eno51', 'eno52')
            (Get-SriovPf 'ENO49').Name | Should -Be 'eno49'
            (Get-SriovPf -Name 'eno5[01]').Name | Should -Be @('eno50', 'eno51')
        }

        It 'takes names from the pipeline by property name' {
            $pfs = [pscustomobject]@{ Name = 'eno52' }, [pscustomobject]@{ Name = 'eno50' } | Get-SriovPf

            $pfs.Name | Should -Be @('eno52', 'eno50')
        }

        It 'writes nothing and no error for a wildcard that matches nothing' {
            $result = Get-SriovPf -Name 'ens*' -ErrorVariable errors

            $result | Should -BeNullOrEmpty
            $errors | Should -BeNullOrEmpty
        }

        It 'resolves a relative SRIOVPS_HOST_ROOT against the current location' {
            Push-Location (Split-Path $script:I350 -Parent)
            try {
                $env:SRIOVPS_HOST_ROOT = Split-Path $script:I350 -Leaf
                @(Get-SriovPf).Count | Should -Be 4
            }
            finally {
                Pop-Location
            }
        }

        It 'formats as a table of at most six columns' {
            $table = Get-SriovPf | Format-Table | Out-String

            $table | Should -Match 'Name\s+PciAddress\s+Driver\s+NumVfs\s+TotalVfs'
            $table | Should -Match 'eno49\s+0000:04:00.0\s+igb\s+7\s+7'
        }
    }

    Context 'errors' {
        It 'reports a name that matches no PF as SriovPfNotFound and still returns the others' {
            $pfs = Get-SriovPf -Name 'nosuch', 'eno49' -ErrorVariable errors -ErrorAction SilentlyContinue

            $pfs.Name | Should -Be 'eno49'
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be 'SriovPfNotFound,SriovPS.Commands.GetSriovPfCommand'
            $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $errors[0].TargetObject | Should -Be 'nosuch'
        }

        It 'throws SriovPfNotFound with -ErrorAction Stop' {
            { Get-SriovPf nosuch -ErrorAction Stop } |
                Should -Throw -ErrorId 'SriovPfNotFound,SriovPS.Commands.GetSriovPfCommand'
        }

        It 'rejects <Name> as InvalidArgument before reading anything' -TestCases @(
            @{ Name = 'a/b' }
            @{ Name = 'eno49/../../x' }
            @{ Name = '..' }
            @{ Name = 'has space' }
            @{ Name = 'a234567890123456' }
        ) {
            param($Name)
            $result = Get-SriovPf -Name $Name -ErrorVariable errors -ErrorAction SilentlyContinue

            $result | Should -BeNullOrEmpty
            $errors[0].FullyQualifiedErrorId | Should -Be 'InvalidInterfaceName,SriovPS.Commands.GetSriovPfCommand'
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        }

        It 'ends the command with HostRootNotFound when SRIOVPS_HOST_ROOT names no directory' {
            $env:SRIOVPS_HOST_ROOT = Join-Path ([System.IO.Path]::GetTempPath()) 'sriovps-no-such-host'

            { Get-SriovPf } | Should -Throw -ErrorId 'HostRootNotFound,SriovPS.Commands.GetSriovPfCommand'
        }
    }

    Context 'help' {
        It 'has a synopsis and at least two examples from the MAML help' {
            $help = Get-Help Get-SriovPf -Full

            $help.Synopsis | Should -Match 'SR-IOV physical functions'
            @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2
            $help.Parameters.Parameter.Name | Should -Contain 'Name'
        }
    }
}
