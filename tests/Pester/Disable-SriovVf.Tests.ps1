#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $script:I350 = New-SriovTestHost -Fixture 'i350-4port'
    $script:Command = 'SriovPS.Commands.DisableSriovVfCommand'
    $script:Rules = Join-Path $script:I350 'etc/udev/rules.d/70-sriovps.rules'
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    Remove-SriovTestHost $script:I350
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Disable-SriovVf' -Tag 'CI' {
    BeforeEach {
        $env:SRIOVPS_HOST_ROOT = $script:I350
        # The admin's own line, and the module's line for eno49.
        $null = New-Item -ItemType Directory -Path (Split-Path $script:Rules) -Force
        [System.IO.File]::WriteAllText($script:Rules,
            "# mine`nACTION==`"add`", SUBSYSTEM==`"net`", KERNELS==`"0000:04:00.0`", ATTR{device/sriov_numvfs}=`"7`"`n")
    }

    AfterEach {
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
    }

    It 'changes nothing with -WhatIf, the rules file included' {
        $before = Get-SriovTestTreeState $script:I350

        Disable-SriovVf eno49 -Persist -WhatIf -WarningAction SilentlyContinue -ErrorVariable errors -ErrorAction SilentlyContinue

        $errors.Count | Should -Be 0
        Get-SriovTestTreeState $script:I350 | Should -Be $before
    }

    It 'says LiveHostRequired on a copied tree when confirmed, and changes nothing' {
        $before = Get-SriovTestTreeState $script:I350

        Get-SriovPf eno49, eno50 -WarningAction SilentlyContinue |
            Disable-SriovVf -Persist -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

        $errors.Count | Should -Be 2
        $errors | ForEach-Object { $_.FullyQualifiedErrorId } | Select-Object -Unique | Should -Be "LiveHostRequired,$script:Command"
        Get-SriovTestTreeState $script:I350 | Should -Be $before
    }

    It 'asks by default: its ConfirmImpact is High' {
        (Get-Command Disable-SriovVf).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact |
            Should -Be 'High'
    }

    It 'refuses a piped object without a PF name instead of taking every PF, and a pool interface as one VF' {
        $before = Get-SriovTestTreeState $script:I350
        $nameless = [pscustomobject]@{ VmName = 'vm1'; PfName = $null }
        $poolInterface = [pscustomobject]@{ PSTypeName = 'Deserialized.SriovPS.VmSriovInterface'; VmName = 'vm1'; PfName = $null }

        $nameless | Disable-SriovVf -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $poolInterface | Disable-SriovVf -Confirm:$false -ErrorVariable interfaceErrors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

        $errors.FullyQualifiedErrorId | Should -Be "InvalidInterfaceName,$script:Command"
        $interfaceErrors.FullyQualifiedErrorId | Should -Be "VfGivenForPf,$script:Command"
        Get-SriovTestTreeState $script:I350 | Should -Be $before
    }

    It 'reports a PF that does not exist as SriovPfNotFound' {
        Disable-SriovVf nosuch -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

        $errors[0].FullyQualifiedErrorId | Should -Be "SriovPfNotFound,$script:Command"
    }
}
