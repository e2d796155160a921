#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $script:I350 = New-SriovTestHost -Fixture 'i350-4port'
    $script:Hosts = @{}
    foreach ($fixture in 'x540-2port', 'connectx5', 'virtio-vm', 'e810-nodriver', 'iommu-off') {
        $script:Hosts[$fixture] = New-SriovTestHost -Fixture $fixture
    }
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    Remove-SriovTestHost $script:I350
    foreach ($root in $script:Hosts.Values) {
        Remove-SriovTestHost $root
    }
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Get-SriovPf' -Tag 'CI' {
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

        It 'reports every property of eno49' {
            $pf = Get-SriovPf -Name eno49

            $pf.VendorId | Should -Be '0x8086'
            $pf.DeviceId | Should -Be '0x1521'
            $pf.VendorName | Should -Be 'Intel Corporation'
            $pf.DeviceName | Should -Be 'I350 Gigabit Network Connection'
            $pf.LinkState | Should -Be 'Up'
            $pf.MacAddress | Should -Be '9c:dc:71:5e:0f:a0'
            $pf.Mtu | Should -Be 1500
            $pf.NumaNode | Should -Be 0
            $pf.IommuGroup | Should -Be 35
            $pf.EswitchMode | Should -BeNullOrEmpty
            # Not known on a copied tree: the live kernel's ethtool is never asked about a tree's interface.
            $pf.HwTcOffload | Should -BeNullOrEmpty
            $pf.PSObject.Properties.Name | Should -Contain 'HwTcOffload'
            $pf.DriversAutoprobe | Should -BeTrue
            $pf.SriovSupport | Should -Be 'Supported'
        }

        It 'reads a copied tree''s link state, MAC and MTU from its files, so it warns of nothing missing' {
            $pfs = @(Get-SriovPf -WarningVariable warnings -WarningAction SilentlyContinue)

            $pfs.Count | Should -Be 4
            $pfs.MacAddress | Should -Not -Contain $null
            $pfs.Mtu | Should -Not -Contain $null
            $pfs.LinkState | Should -Not -Contain $null
            $warnings.Count | Should -Be 0
        }

        It 'selects by PCI address, with or without the domain, and by driver' {
            (Get-SriovPf -PciAddress '04:00.2').Name | Should -Be 'eno51'
            (Get-SriovPf -PciAddress '0000:04:00.[01]').Name | Should -Be @('eno49', 'eno50')
            (Get-SriovPf -PciAddress '04:00.*').Name | Should -Be @('eno49', 'eno50', 'eno51', 'eno52')
            @(Get-SriovPf -Driver 'igb').Count | Should -Be 4
            Get-SriovPf -Driver 'ixgbe' | Should -BeNullOrEmpty
        }

        It 'has get-only properties' {
            $pf = Get-SriovPf eno49
            $pf | Should -Not -BeNullOrEmpty

            { $pf.Name = 'x' } | Should -Throw -ExpectedMessage '*ReadOnly*'
            $pf.Name | Should -Be 'eno49'
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

            $table | Should -Match 'Name\s+PciAddress\s+Driver\s+NumVfs\s+TotalVfs\s+SriovSupport'
            $table | Should -Match 'eno49\s+0000:04:00.0\s+igb\s+7\s+7\s+Supported'
        }
    }

    Context 'on hosts that cannot serve VFs' {
        It 'marks the administratively down X540 port PfLinkDown' {
            $env:SRIOVPS_HOST_ROOT = $script:Hosts['x540-2port']

            $pfs = Get-SriovPf

            $pfs.Name | Should -Be @('eno1', 'eno2')
            $pfs.TotalVfs | Should -Be @(63, 63)
            $pfs.NumVfs | Should -Be @(0, 0)
            $pfs.SriovSupport | Should -Be @('Supported', 'PfLinkDown')
        }

        It 'marks an E810 without its driver NoDriver, with no interface name' {
            $env:SRIOVPS_HOST_ROOT = $script:Hosts['e810-nodriver']

            $pf = Get-SriovPf -PciAddress '17:00.0'

            $pf.Name | Should -BeNullOrEmpty
            $pf.Driver | Should -BeNullOrEmpty
            $pf.TotalVfs | Should -Be 128
            $pf.SriovSupport | Should -Be 'NoDriver'
        }

        It 'marks PFs without IOMMU groups IommuDisabled' {
            $env:SRIOVPS_HOST_ROOT = $script:Hosts['iommu-off']

            (Get-SriovPf).SriovSupport | Should -Be @('IommuDisabled', 'IommuDisabled')
            (Get-SriovPf eno1).NumaNode | Should -BeNullOrEmpty
        }

        It 'lists a virtio NIC only with -IncludeNotCapable' {
            $env:SRIOVPS_HOST_ROOT = $script:Hosts['virtio-vm']

            Get-SriovPf | Should -BeNullOrEmpty
            $nic = Get-SriovPf -IncludeNotCapable
            $nic.Name | Should -Be 'eth0'
            $nic.DeviceName | Should -Be 'Virtio 1.0 network device'
            $nic.SriovSupport | Should -Be 'NotCapable'
        }

        It 'reads a ConnectX-5 on NUMA node 1 with its mlx5_core driver' {
            $env:SRIOVPS_HOST_ROOT = $script:Hosts['connectx5']

            $pfs = Get-SriovPf -Driver mlx5*

            $pfs.Name | Should -Be @('enp10s0f0np0', 'enp10s0f1np1')
            $pfs.NumaNode | Should -Be @(1, 1)
            $pfs.NumVfs | Should -Be @(8, 0)
        }
    }

    Context 'errors' {
        It 'reports a PCI address that matches no PF as SriovPfNotFound' {
            $pf = Get-SriovPf -PciAddress '04:10.0', '04:00.0' -ErrorVariable errors -ErrorAction SilentlyContinue

            $pf.Name | Should -Be 'eno49'
            $errors[0].FullyQualifiedErrorId | Should -Be 'SriovPfNotFound,SriovPS.Commands.GetSriovPfCommand'
            $errors[0].TargetObject | Should -Be '0000:04:10.0'
        }

        It 'rejects a malformed PCI address as InvalidPciAddress' {
            Get-SriovPf -PciAddress 'eno49' -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors[0].FullyQualifiedErrorId | Should -Be 'InvalidPciAddress,SriovPS.Commands.GetSriovPfCommand'
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        }

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
