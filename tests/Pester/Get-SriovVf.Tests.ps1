#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $script:I350 = New-SriovTestHost -Fixture 'i350-4port'
    $script:ConnectX5 = New-SriovTestHost -Fixture 'connectx5'
    $script:Eno49Vfs = @('0000:04:10.0', '0000:04:10.4', '0000:04:11.0', '0000:04:11.4', '0000:04:12.0', '0000:04:12.4', '0000:04:13.0')
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    Remove-SriovTestHost $script:I350
    Remove-SriovTestHost $script:ConnectX5
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Get-SriovVf' -Tag 'CI' {
    BeforeEach {
        $env:SRIOVPS_HOST_ROOT = $script:I350
    }

    AfterEach {
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
    }

    It 'lists the seven interleaved VFs of eno49 from the pipeline' {
        $vfs = @(Get-SriovPf eno49 | Get-SriovVf)

        $vfs.Count | Should -Be 7
        $vfs.PciAddress | Should -Be $script:Eno49Vfs
        $vfs.Index | Should -Be @(0..6)
        $vfs.PfName | Select-Object -Unique | Should -Be 'eno49'
        $vfs.Driver | Select-Object -Unique | Should -Be 'igbvf'
        $vfs[0] | Should -BeOfType 'SriovPS.SriovVf'
    }

    It 'reports each VF''s interface and IOMMU group, and leaves netlink settings null on a copied tree' {
        $vf = Get-SriovVf -PfName eno49 -Index 1 -IncludeStatistics -WarningAction SilentlyContinue

        $vf.Name | Should -Be 'enp4s16f4'
        $vf.IommuGroup | Should -Be 40
        $vf.PfPciAddress | Should -Be '0000:04:00.0'
        $vf.MacAddress | Should -BeNullOrEmpty
        $vf.Vlan | Should -BeNullOrEmpty
        $vf.SpoofCheck | Should -BeNullOrEmpty
        $vf.Trust | Should -BeNullOrEmpty
        $vf.Owner | Should -BeNullOrEmpty
        $vf.Statistics | Should -BeNullOrEmpty
    }

    It 'warns once, however many PFs, that a copied tree lacks the kernel''s VF settings' {
        # A tree of its own: the warning is given once per command line and tree.
        $tree = New-SriovTestHost -Fixture 'i350-4port'
        try {
            $vfs = @(Get-SriovVf -HostRoot $tree -WarningVariable warnings -WarningAction SilentlyContinue)
        }
        finally {
            Remove-SriovTestHost $tree
        }

        $vfs.Count | Should -Be 28
        $warnings.Count | Should -Be 1
        $warnings[0].Message | Should -BeLike "'$tree' is a copied host tree: *VF settings*"
    }

    It 'shows ConnectX-5 VFs on vfio-pci without an interface' {
        $env:SRIOVPS_HOST_ROOT = $script:ConnectX5

        $vfio = @(Get-SriovVf | Where-Object Driver -EQ 'vfio-pci')

        $vfio.Index | Should -Be @(6, 7)
        $vfio.PciAddress | Should -Be @('0000:0a:01.0', '0000:0a:01.1')
        $vfio.Name | Should -Be @($null, $null)
        $vfio.IommuGroup | Should -Be @(48, 49)
    }

    It 'lists the VFs of every PF without arguments' {
        $vfs = @(Get-SriovVf)

        $vfs.Count | Should -Be 28
        ($vfs | Group-Object PfName).Name | Should -Be @('eno49', 'eno50', 'eno51', 'eno52')
    }

    It 'selects PFs by -PfName, its alias -Name, and wildcards' {
        (Get-SriovVf -PfName eno52 -Index 0).PciAddress | Should -Be '0000:04:10.3'
        (Get-SriovVf -Name eno50 -Index 1).PciAddress | Should -Be '0000:04:10.5'
        @(Get-SriovVf -PfName 'eno5*' -Index 0).PciAddress | Should -Be @('0000:04:10.1', '0000:04:10.2', '0000:04:10.3')
    }

    It 'takes PF names from the pipeline by property name' {
        $vfs = [pscustomobject]@{ PfName = 'eno51' } | Get-SriovVf -Index 6

        $vfs.PciAddress | Should -Be '0000:04:13.2'
    }

    It 'filters by -Index' {
        (Get-SriovPf eno49 | Get-SriovVf -Index 1, 3).PciAddress | Should -Be @('0000:04:10.4', '0000:04:11.4')
    }

    It 'reports an unknown PF as SriovPfNotFound and goes on' {
        $vfs = Get-SriovVf -PfName 'nosuch', 'eno49' -Index 0 -ErrorVariable errors -ErrorAction SilentlyContinue

        $vfs.PciAddress | Should -Be '0000:04:10.0'
        $errors[0].FullyQualifiedErrorId | Should -Be 'SriovPfNotFound,SriovPS.Commands.GetSriovVfCommand'
        $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'rejects a malformed PF name as InvalidArgument' {
        Get-SriovVf -PfName 'eno49/..' -ErrorVariable errors -ErrorAction SilentlyContinue

        $errors[0].FullyQualifiedErrorId | Should -Be 'InvalidInterfaceName,SriovPS.Commands.GetSriovVfCommand'
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'formats as a table per PF with the interface name, IOMMU group and owner, at 80 columns' {
        $table = (Get-SriovVf -PfName eno49, eno50 -WarningAction SilentlyContinue | Format-Table | Out-String -Width 80) -replace '\x1b\[[0-9;]*m', ''

        @([regex]::Matches($table, '(?m)^\s*PfName: (\w+)\s*$') | ForEach-Object { $_.Groups[1].Value }) | Should -Be @('eno49', 'eno50')
        $table | Should -Match 'Index\s+Name\s+PciAddress\s+Driver\s+IommuGroup\s+Owner'
        $table | Should -Match '(?m)^\s+0\s+enp4s16f0\s+0000:04:10\.0\s+igbvf\s+39\s*$'
    }
}
