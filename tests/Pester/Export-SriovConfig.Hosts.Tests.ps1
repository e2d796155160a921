#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Export-SriovConfig on every fixture host: each format read back by a real parser (JSON with
# System.Text.Json and ConvertFrom-Json, YAML with PyYAML, XML with [xml]), the names the device plugin
# and the NetworkAttachmentDefinitions share, the I350's and ConnectX-5's ids, and the device plugin's
# selectors evaluated the way the plugin evaluates them, against the host's VFs (ExportFixtures.ps1).

BeforeDiscovery {
    $Formats = @('DevicePlugin', 'NetworkAttachmentDefinition', 'SriovNetworkNodePolicy', 'SriovNetwork', 'KubeVirtInterface', 'Nmstate', 'LibvirtNetwork')
    $ParseCases = foreach ($fixture in 'lab-igb', 'i350-4port', 'connectx5') {
        foreach ($format in $Formats) {
            # The I350 has no VF on vfio-pci, so it has no KubeVirt interface (its own test below).
            if ($fixture -ne 'i350-4port' -or $format -ne 'KubeVirtInterface') {
                @{ Fixture = $fixture; Format = $format }
            }
        }
    }
    $NameCases = foreach ($fixture in 'lab-igb', 'i350-4port', 'connectx5') {
        foreach ($grouping in 'Pf', 'Host', 'Vf') { @{ Fixture = $fixture; GroupBy = $grouping } }
    }
}

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    . (Join-Path $PSScriptRoot 'ExportFixtures.ps1')
    $script:I350 = New-SriovTestHost -Fixture 'i350-4port'
    $script:ConnectX5 = New-SriovTestHost -Fixture 'connectx5'
    $script:Command = 'SriovPS.Commands.ExportSriovConfigCommand'
    $PSDefaultParameterValues = @{ '*-Sriov*:WarningAction' = 'SilentlyContinue' }
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    Remove-SriovTestHost $script:I350
    Remove-SriovTestHost $script:ConnectX5
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Export-SriovConfig on every fixture host' -Tag 'CI' {
    AfterEach {
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
    }

    Context 'every format, read back by a real parser' {
        It '<Format> on <Fixture> parses' -ForEach $ParseCases {
            $root = New-SriovTestHost -Fixture $Fixture
            try {
                $texts = @(Export-SriovConfig -Format $Format -HostRoot $root -ErrorAction Stop)
            }
            finally {
                Remove-SriovTestHost $root
            }

            $texts.Count | Should -BeGreaterThan 0
            foreach ($text in $texts) {
                $text | Should -BeOfType [string]
                switch ($Format) {
                    'DevicePlugin' { (ConvertFrom-TestJson $text).resourceList.Count | Should -BeGreaterThan 0 }
                    'LibvirtNetwork' { ([xml] $text).network.forward.mode | Should -Be 'hostdev' }
                    default {
                        $documents = @(ConvertFrom-TestYaml $text)
                        $documents.Count | Should -BeGreaterThan 0
                        $documents | Should -Not -Contain $null
                        if ($Format -eq 'NetworkAttachmentDefinition') {
                            foreach ($nad in $documents) { (ConvertFrom-TestJson $nad.spec.config).type | Should -Be 'sriov' }
                        }
                    }
                }
            }
        }

        It 'NetworkAttachmentDefinition on <Fixture>, -GroupBy <GroupBy>: each annotation is the plugin''s PREFIX/NAME, and each sriov-cni config has vlan' -ForEach $NameCases {
            $root = New-SriovTestHost -Fixture $Fixture
            $arguments = @{ HostRoot = $root; GroupBy = $GroupBy; ResourcePrefix = 'example.org'; Namespace = 'apps' }
            try {
                $plugin = ConvertFrom-TestJson (Export-SriovConfig -Format DevicePlugin @arguments -ErrorAction Stop)
                $nads = @(ConvertFrom-TestYaml (Export-SriovConfig -Format NetworkAttachmentDefinition @arguments -ErrorAction Stop))
            }
            finally {
                Remove-SriovTestHost $root
            }

            $expected = @($plugin.resourceList | ForEach-Object { "$($_.resourcePrefix)/$($_.resourceName)" })
            $expected.Count | Should -BeGreaterThan 0
            @($nads | ForEach-Object { $_.metadata.annotations.'k8s.v1.cni.cncf.io/resourceName' }) | Should -Be $expected
            foreach ($nad in $nads) {
                $nad.apiVersion | Should -Be 'k8s.cni.cncf.io/v1'
                $nad.kind | Should -Be 'NetworkAttachmentDefinition'
                $nad.metadata.namespace | Should -Be 'apps'
                $nad.spec.config | Should -BeOfType [string]
                $config = ConvertFrom-TestJson $nad.spec.config
                $config.type | Should -Be 'sriov'
                $config.name | Should -Be $nad.metadata.name
                $config.PSObject.Properties.Name | Should -Contain 'vlan'
                $config.vlan | Should -Be 0
            }
        }
    }

    Context 'the I350 (eno49-eno52, 7 igbvf VFs each)' {
        BeforeEach {
            $env:SRIOVPS_HOST_ROOT = $script:I350
        }

        It 'KubeVirtInterface is a NoVfioVfs error: no VF is on vfio-pci' {
            $output = Export-SriovConfig -Format KubeVirtInterface -ErrorVariable errors -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "NoVfioVfs,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        }

        It 'DevicePlugin: one resource per PF, with the I350 VF''s device id 1520' {
            $plugin = ConvertFrom-TestJson (Export-SriovConfig -Format DevicePlugin -ErrorAction Stop)

            $plugin.resourceList.resourceName | Should -Be @('sriov_eno49_netdevice', 'sriov_eno50_netdevice', 'sriov_eno51_netdevice', 'sriov_eno52_netdevice')
            $plugin.resourceList.selectors.pfNames | Should -Be @('eno49#0-6', 'eno50#0-6', 'eno51#0-6', 'eno52#0-6')
            $plugin.resourceList.selectors.devices | Select-Object -Unique | Should -Be '1520'
        }

        It 'Nmstate: every PF, total-vfs its VF count and vfs ids 0..N-1' {
            $pfs = @(Get-SriovPf)
            $state = ConvertFrom-TestYaml (Export-SriovConfig -Format Nmstate -ErrorAction Stop)

            $state.interfaces.name | Should -Be $pfs.Name
            foreach ($interface in $state.interfaces) {
                $pf = $pfs | Where-Object Name -EQ $interface.name
                $interface.ethernet.'sr-iov'.'total-vfs' | Should -Be $pf.NumVfs
                @($interface.ethernet.'sr-iov'.vfs.id) | Should -Be @(0..($pf.NumVfs - 1))
            }
        }

        It 'leaves out a VF whose interface holds the default route, which the device plugin never offers, with a warning' {
            $root = New-SriovTestHost -Fixture 'i350-4port'
            try {
                Set-SriovTestHostFile $root '/proc/net/route' ((@(
                            "Iface`tDestination`tGateway `tFlags`tRefCnt`tUse`tMetric`tMask`t`tMTU`tWindow`tIRTT"
                            "enp4s16f4`t00000000`t0100A8C0`t0003`t0`t0`t100`t00000000`t0`t0`t0"
                            "enp4s16f4`t0000A8C0`t00000000`t0001`t0`t0`t100`t00FFFFFF`t0`t0`t0"
                        ) -join "`n") + "`n")

                $plugin = ConvertFrom-TestJson (Export-SriovConfig -Format DevicePlugin -PfName eno49 -HostRoot $root -WarningVariable warnings -ErrorAction Stop)
            }
            finally {
                Remove-SriovTestHost $root
            }

            $plugin.resourceList.selectors.pfNames | Should -Be @('eno49#0,2-6')
            @($warnings.Message) -like '*VF 1 (enp4s16f4) holds this host''s default route*' | Should -Not -BeNullOrEmpty
        }
    }

    Context 'the ConnectX-5 (enp10s0f0np0: VFs 0-5 on mlx5_core, 6-7 on vfio-pci)' {
        BeforeEach {
            $env:SRIOVPS_HOST_ROOT = $script:ConnectX5
        }

        It 'DevicePlugin: 15b3 and the VF device id 1018, mlx5_core for 0-5 and vfio-pci for 6-7' {
            $plugin = ConvertFrom-TestJson (Export-SriovConfig -Format DevicePlugin -ErrorAction Stop)

            $plugin.resourceList.resourceName | Should -Be @('sriov_enp10s0f0np0_netdevice', 'sriov_enp10s0f0np0_vfio')
            $plugin.resourceList.selectors.vendors | Select-Object -Unique | Should -Be '15b3'
            $plugin.resourceList.selectors.devices | Select-Object -Unique | Should -Be '1018'
            $plugin.resourceList[0].selectors[0].drivers | Should -Be @('mlx5_core')
            $plugin.resourceList[0].selectors[0].pfNames | Should -Be @('enp10s0f0np0#0-5')
            $plugin.resourceList[1].selectors[0].drivers | Should -Be @('vfio-pci')
            $plugin.resourceList[1].selectors[0].pfNames | Should -Be @('enp10s0f0np0#6-7')
        }

        It 'SriovNetworkNodePolicy: the PF device id 1017, numVfs 8, MTU 9000' {
            $policies = @(ConvertFrom-TestYaml (Export-SriovConfig -Format SriovNetworkNodePolicy -ErrorAction Stop))

            $policies.spec.nicSelector.deviceID | Select-Object -Unique | Should -Be '1017'
            $policies.spec.nicSelector.pfNames | Should -Be @('enp10s0f0np0#0-5', 'enp10s0f0np0#6-7')
            $policies.spec.numVfs | Select-Object -Unique | Should -Be 8
            $policies.spec.mtu | Select-Object -Unique | Should -Be 9000
        }
    }

    Context 'the device plugin''s selectors, evaluated as the plugin evaluates them' {
        It 'select exactly the VFs exported: <Case>' -ForEach @(
            @{
                Case = 'lab capture, per PF'; Fixture = 'lab-igb'; Moves = @{}
                Export = { Export-SriovConfig -Format DevicePlugin }
                Expected = { param($vfs) [ordered]@{
                        'intel.com/sriov_eth0_netdevice' = @($vfs | Where-Object Driver -EQ 'igbvf').PciAddress
                        'intel.com/sriov_eth0_vfio' = @($vfs | Where-Object Driver -EQ 'vfio-pci').PciAddress
                    } }
            }
            @{
                Case = 'lab capture with VF 3 on vfio-pci'; Fixture = 'lab-igb'; Moves = @{ '0000:01:10.6' = 'vfio-pci' }
                Export = { Export-SriovConfig -Format DevicePlugin -ResourcePrefix example.org }
                Expected = { param($vfs) [ordered]@{
                        'example.org/sriov_eth0_netdevice' = @($vfs | Where-Object Index -In 1, 2, 4, 5, 6).PciAddress
                        'example.org/sriov_eth0_vfio' = @($vfs | Where-Object Index -In 0, 3).PciAddress
                    } }
            }
            @{
                Case = 'lab capture with VF 2 on uio_pci_generic, which no pool takes'; Fixture = 'lab-igb'; Moves = @{ '0000:01:10.4' = 'uio_pci_generic' }
                Export = { Export-SriovConfig -Format DevicePlugin }
                Expected = { param($vfs) [ordered]@{
                        'intel.com/sriov_eth0_netdevice' = @($vfs | Where-Object Index -In 1, 3, 4, 5, 6).PciAddress
                        'intel.com/sriov_eth0_vfio' = @($vfs | Where-Object Index -EQ 0).PciAddress
                    } }
            }
            @{
                Case = 'I350, four PFs with the same VF ids and driver'; Fixture = 'i350-4port'; Moves = @{}
                Export = { Export-SriovConfig -Format DevicePlugin }
                Expected = { param($vfs) $pools = [ordered]@{}
                    foreach ($pf in 'eno49', 'eno50', 'eno51', 'eno52') { $pools["intel.com/sriov_${pf}_netdevice"] = @($vfs | Where-Object PfName -EQ $pf).PciAddress }
                    $pools }
            }
            @{
                Case = 'I350, some VFs of two PFs piped, -GroupBy Host'; Fixture = 'i350-4port'; Moves = @{}
                Export = { @(Get-SriovVf eno49 -Index 0, 2, 3, 6) + @(Get-SriovVf eno51 -Index 5) | Export-SriovConfig -Format DevicePlugin -GroupBy Host -ResourceName picked }
                Expected = { param($vfs) [ordered]@{
                        'intel.com/picked' = @($vfs | Where-Object { ($_.PfName -eq 'eno49' -and $_.Index -in 0, 2, 3, 6) -or ($_.PfName -eq 'eno51' -and $_.Index -eq 5) }).PciAddress
                    } }
            }
            @{
                Case = 'I350, -GroupBy Vf'; Fixture = 'i350-4port'; Moves = @{}
                Export = { Get-SriovVf eno50 -Index 1, 4 | Export-SriovConfig -Format DevicePlugin -GroupBy Vf }
                Expected = { param($vfs) [ordered]@{
                        'intel.com/sriov_eno50_vf1' = @($vfs | Where-Object { $_.PfName -eq 'eno50' -and $_.Index -eq 1 }).PciAddress
                        'intel.com/sriov_eno50_vf4' = @($vfs | Where-Object { $_.PfName -eq 'eno50' -and $_.Index -eq 4 }).PciAddress
                    } }
            }
            @{
                Case = 'ConnectX-5, both PFs named'; Fixture = 'connectx5'; Moves = @{}
                Export = { Export-SriovConfig -Format DevicePlugin -GroupBy Host }
                Expected = { param($vfs) [ordered]@{
                        'intel.com/sriov_netdevice' = @($vfs | Where-Object Driver -EQ 'mlx5_core').PciAddress
                        'intel.com/sriov_vfio' = @($vfs | Where-Object Driver -EQ 'vfio-pci').PciAddress
                    } }
            }
        ) {
            $root = New-SriovTestHost -Fixture $Fixture
            try {
                foreach ($move in $Moves.GetEnumerator()) { Move-TestVfDriver $root $move.Key $move.Value }
                $env:SRIOVPS_HOST_ROOT = $root
                $vfs = @(Get-SriovVf)
                $devices = @(Get-TestPluginDevice $root)
                $config = ConvertFrom-TestJson (& $Export -ErrorAction Stop)
                $expected = & $Expected $vfs
            }
            finally {
                Remove-SriovTestHost $root
            }

            $devices.Count | Should -Be $vfs.Count
            $pools = Invoke-TestDevicePlugin $config $devices
            @($pools.Keys) | Should -Be @($expected.Keys)
            foreach ($name in $expected.Keys) {
                $expected[$name].Count | Should -BeGreaterThan 0
                @($pools[$name] | Sort-Object) | Should -Be @($expected[$name] | Sort-Object) -Because "$name selects exactly its VFs"
            }
        }

        It 'the evaluator itself: first entry per PF, first resource wins, AND within a selector' {
            $devices = @(
                [pscustomobject]@{ PciAddress = 'a'; Vendor = '8086'; Device = '1520'; Driver = 'igbvf'; PfName = 'eno49'; PfPciAddress = 'p'; Index = 4; LinkType = 'ether' }
                [pscustomobject]@{ PciAddress = 'b'; Vendor = '8086'; Device = '1520'; Driver = 'vfio-pci'; PfName = 'eno49'; PfPciAddress = 'p'; Index = 0; LinkType = 'ether' }
            )
            $config = ConvertFrom-TestJson (@'
{"resourceList": [
  {"resourceName": "first", "resourcePrefix": "x.io", "selectors": [{"pfNames": ["ENO49#0-1", "eno49#4"]}]},
  {"resourceName": "second", "resourcePrefix": "x.io", "selectors": [{"drivers": ["igbvf"], "devices": ["154c"]}, {"vendors": ["8086"], "pfNames": ["eno49#2-4"]}]},
  {"resourceName": "third", "resourcePrefix": "x.io", "selectors": [{"vendors": ["8086"]}]}
]}
'@)

            $pools = Invoke-TestDevicePlugin $config $devices

            $pools['x.io/first'] | Should -Be @('b')
            $pools['x.io/second'] | Should -Be @('a')
            $pools['x.io/third'] | Should -BeNullOrEmpty
        }
    }
}
