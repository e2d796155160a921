#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Numbers PowerShell gives in hashtable documents (doubles out of range, NaN, uint64) read by the one
# reader, and several persisted PFs sharing the udev rules file, on copied i350-4port trees.

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $env:SRIOVPS_HOST_ROOT = New-SriovTestHost -Fixture 'i350-4port'
    $PSDefaultParameterValues = @{ '*-Sriov*:WarningAction' = 'SilentlyContinue' }

    # The errors Test-SriovConfiguration gives for a hashtable document about eno49.
    function Get-TestInputErrors {
        param([object] $Mtu)
        $errs = $null
        $null = Test-SriovConfiguration -InputObject @{ pfs = @(@{ match = @{ name = 'eno49' }; mtu = $Mtu }) } -ErrorVariable errs -ErrorAction SilentlyContinue
        , @($errs)
    }
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
}

Describe 'Numbers in a hashtable document' -Tag 'CI' {
    It 'a double out of range is one InvalidConfiguration at pfs[0].mtu, not an overflow' {
        $errs = Get-TestInputErrors -Mtu 1e300
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'InvalidConfiguration,*'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $errs[0].TargetObject | Should -Be 'pfs[0].mtu'
        $errs[0].Exception.Message.StartsWith('pfs[0].mtu: ') | Should -BeTrue
        $errs[0].Exception | Should -Not -BeOfType [System.OverflowException]
    }

    It 'NaN is InvalidConfiguration naming its key' {
        $errs = Get-TestInputErrors -Mtu ([double]::NaN)
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'InvalidConfiguration,*'
        $errs[0].TargetObject | Should -Be 'pfs[0].mtu'
        $errs[0].Exception.Message.StartsWith('pfs[0].mtu: ') | Should -BeTrue
    }

    It 'a [uint64] value is read as a number' {
        Get-TestInputErrors -Mtu ([uint64] 1500) | Should -BeNullOrEmpty
        $drift = Test-SriovConfiguration -InputObject @{ pfs = @(@{ match = @{ name = 'eno49' }; mtu = [uint64] 9000 }) }
        $drift.Property | Should -Be 'Mtu'
        $drift.Desired | Should -Be 9000
        $drift.Actual | Should -Be 1500
    }

    It 'a whole double is read as the whole number' {
        Test-SriovConfiguration -InputObject @{ pfs = @(@{ match = @{ name = 'eno49' }; mtu = 1500.0 }) } -Quiet | Should -BeTrue
    }
}

Describe 'Several persisted PFs in one document' -Tag 'CI' {
    BeforeAll {
        $script:Root = New-SriovTestHost -Fixture 'i350-4port'
        $script:Doc = '{"pfs":[{"match":{"driver":"igb"},"numVfs":7,"persist":true}]}'
        $script:RulesPath = Join-Path $script:Root 'etc/udev/rules.d/70-sriovps.rules'
    }

    It 'share the udev rules file, and a second run writes nothing' {
        Set-SriovConfiguration -InputObject $script:Doc -HostRoot $script:Root -Confirm:$false
        $lines = Get-Content $script:RulesPath | Where-Object { $_ -like 'ACTION==*' }
        $lines | Should -Be @(
            'ACTION=="add", SUBSYSTEM=="net", KERNELS=="0000:04:00.0", ATTR{device/sriov_numvfs}="7"'
            'ACTION=="add", SUBSYSTEM=="net", KERNELS=="0000:04:00.1", ATTR{device/sriov_numvfs}="7"'
            'ACTION=="add", SUBSYSTEM=="net", KERNELS=="0000:04:00.2", ATTR{device/sriov_numvfs}="7"'
            'ACTION=="add", SUBSYSTEM=="net", KERNELS=="0000:04:00.3", ATTR{device/sriov_numvfs}="7"')
        $before = (Get-Item $script:RulesPath).LastWriteTimeUtc
        $text = Get-Content -Raw $script:RulesPath

        Set-SriovConfiguration -InputObject $script:Doc -HostRoot $script:Root -Confirm:$false

        Get-Content -Raw $script:RulesPath | Should -BeExactly $text
        (Get-Item $script:RulesPath).LastWriteTimeUtc | Should -Be $before
        @(Test-SriovConfiguration -InputObject $script:Doc -HostRoot $script:Root | Where-Object Property -EQ 'PersistedNumVfs') | Should -HaveCount 0
    }
}
