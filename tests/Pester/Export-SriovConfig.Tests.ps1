#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Export-SriovConfig on the fixture hosts. Every output is read back with a real parser (JSON with
# System.Text.Json and ConvertFrom-Json, YAML with PyYAML, XML with [xml]), and the device plugin's
# selectors are evaluated the way the plugin evaluates them, against the host's VFs.

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
}

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $script:Lab = New-SriovTestHost -Fixture 'lab-igb'
    $script:I350 = New-SriovTestHost -Fixture 'i350-4port'
    $script:ConnectX5 = New-SriovTestHost -Fixture 'connectx5'
    $script:Command = 'SriovPS.Commands.ExportSriovConfigCommand'
    # A copied tree warns that the kernel's VF settings are missing; tests that look at warnings
    # collect them with -WarningVariable, which still fills.
    $PSDefaultParameterValues = @{ '*-Sriov*:WarningAction' = 'SilentlyContinue' }

    # Every document of a YAML stream, read by PyYAML and handed over as JSON.
    function ConvertFrom-TestYaml {
        param([Parameter(Mandatory)] [string] $Text)
        $json = $Text | python3 -c 'import sys,json,yaml; print(json.dumps(list(yaml.safe_load_all(sys.stdin))))'
        if ($LASTEXITCODE -ne 0) { throw "PyYAML could not read:`n$Text" }
        @(($json -join "`n") | ConvertFrom-Json)
    }

    # Strict JSON first (System.Text.Json refuses trailing commas and comments), then objects.
    function ConvertFrom-TestJson {
        param([Parameter(Mandatory)] [string] $Text)
        [System.Text.Json.JsonDocument]::Parse($Text).Dispose()
        $Text | ConvertFrom-Json
    }

    # Moves VF $Address of a copied lab tree from igbvf to vfio-pci as the kernel shows it: the
    # driver link and the driver's own link change, and the VF's interface goes away.
    function Move-TestVfToVfio {
        param([string] $Root, [string] $Address)
        $vf = Resolve-TestHostLink $Root "/sys/bus/pci/devices/$Address"
        $device = $vf.Substring($Root.Length + '/sys/'.Length)
        [System.IO.File]::Delete("$vf/driver")
        $null = [System.IO.File]::CreateSymbolicLink("$vf/driver", '../../../../bus/pci/drivers/vfio-pci')
        [System.IO.File]::WriteAllText("$vf/driver_override", "vfio-pci`n")
        [System.IO.File]::Delete("$Root/sys/bus/pci/drivers/igbvf/$Address")
        $null = [System.IO.File]::CreateSymbolicLink("$Root/sys/bus/pci/drivers/vfio-pci/$Address", "../../../../$device")
        foreach ($interface in [System.IO.Directory]::GetDirectories("$vf/net")) {
            [System.IO.File]::Delete("$Root/sys/class/net/$([System.IO.Path]::GetFileName($interface))")
        }
        [System.IO.Directory]::Delete("$vf/net", $true)
    }

    # What the device plugin reads of each VF of the host tree at $Root, read from sysfs here rather
    # than from the module: vendor and device ids, driver, PF and index, and the link type (the VF's
    # interface's, else its PF's).
    function Get-TestPluginDevice {
        param([string] $Root)
        foreach ($vf in Get-SriovVf -HostRoot $Root) {
            $sysfs = "$Root/sys/bus/pci/devices/$($vf.PciAddress)"
            $typeFile = "$Root/sys/class/net/$(if ($vf.Name) { $vf.Name } else { $vf.PfName })/type"
            [pscustomobject]@{
                PciAddress = $vf.PciAddress
                Vendor = [System.IO.File]::ReadAllText("$sysfs/vendor").Trim() -replace '^0x'
                Device = [System.IO.File]::ReadAllText("$sysfs/device").Trim() -replace '^0x'
                Driver = [System.IO.Path]::GetFileName([System.IO.File]::ResolveLinkTarget("$sysfs/driver", $false).FullName)
                PfName = $vf.PfName
                PfPciAddress = $vf.PfPciAddress
                Index = $vf.Index
                LinkType = switch ($(if ([System.IO.File]::Exists($typeFile)) { [System.IO.File]::ReadAllText($typeFile).Trim() })) { '1' { 'ether' } '32' { 'infiniband' } default { $null } }
            }
        }
    }

    # A pfNames or rootDevices list as the plugin reads it: only the first entry whose name part is
    # the PF (compared case-insensitively) counts; after '#', indexes and inclusive ranges; no '#'
    # means every VF; malformed text selects nothing.
    function Test-TestVfList {
        param([string[]] $Entries, [string] $Pf, [int] $Index)
        foreach ($entry in $Entries) {
            $parts = $entry.Split('#')
            if ($parts.Count -gt 2) { return $false }
            if ($parts[0] -ne $Pf) { continue }
            if ($parts.Count -eq 1) { return $true }
            foreach ($item in $parts[1].Split(',')) {
                if ($item -match '^(\d+)-(\d+)$') {
                    if ($Index -ge [int] $Matches[1] -and $Index -le [int] $Matches[2]) { return $true }
                }
                elseif ($item -match '^\d+$') {
                    if ($Index -eq [int] $item) { return $true }
                }
                else { return $false }
            }
            return $false
        }
        $false
    }

    # One selector: every key present must match (AND), any value of its list (OR), exact strings.
    function Test-TestSelector {
        param([object] $Selector, [object] $Device)
        foreach ($key in $Selector.PSObject.Properties.Name) {
            $values = [string[]] @($Selector.$key)
            $matched = switch -CaseSensitive ($key) {
                'vendors' { $Device.Vendor -cin $values }
                'devices' { $Device.Device -cin $values }
                'drivers' { $Device.Driver -cin $values }
                'pciAddresses' { $Device.PciAddress -cin $values }
                'linkTypes' { $Device.LinkType -cin $values }
                'pfNames' { Test-TestVfList $values $Device.PfName $Device.Index }
                'rootDevices' { Test-TestVfList $values $Device.PfPciAddress $Device.Index }
                # The plugin ignores a key it does not know, which widens the pool: never acceptable here.
                default { throw "The selector has a key the device plugin does not read: '$key'." }
            }
            if (-not $matched) { return $false }
        }
        $true
    }

    # The device plugin's allocation: resources in order, each taking the devices one of its
    # selectors selects that no earlier resource took. Returns '<prefix>/<name>' -> PCI addresses.
    function Invoke-TestDevicePlugin {
        param([object] $Config, [object[]] $Devices)
        $taken = @{}
        $pools = [ordered]@{}
        foreach ($resource in $Config.resourceList) {
            $name = "$($resource.resourcePrefix)/$($resource.resourceName)"
            $pools[$name] = @(foreach ($device in $Devices) {
                    if ($taken.ContainsKey($device.PciAddress)) { continue }
                    if (@($resource.selectors | Where-Object { Test-TestSelector $_ $device }).Count -gt 0) {
                        $taken[$device.PciAddress] = $name
                        $device.PciAddress
                    }
                })
        }
        $pools
    }
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    Remove-SriovTestHost $script:Lab
    Remove-SriovTestHost $script:I350
    Remove-SriovTestHost $script:ConnectX5
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Export-SriovConfig' -Tag 'CI' {
    BeforeEach {
        $env:SRIOVPS_HOST_ROOT = $script:Lab
    }

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
    }

    Context 'the lab capture (eth0: 7 VFs, VF 0 on vfio-pci, VFs 1-6 on igbvf)' {
        It 'DevicePlugin: eth0#1-6 on igbvf and eth0#0 on vfio-pci, each with the VF device id 10ca and deviceType netDevice' {
            $text = @(Export-SriovConfig -Format DevicePlugin -ResourcePrefix example.org -ErrorAction Stop)

            $text.Count | Should -Be 1
            $resources = @((ConvertFrom-TestJson $text[0]).resourceList)
            $resources.Count | Should -Be 2
            $resources.resourceName | Should -Be @('sriov_eth0_netdevice', 'sriov_eth0_vfio')
            foreach ($resource in $resources) {
                $resource.deviceType | Should -BeExactly 'netDevice'
                $resource.resourcePrefix | Should -Be 'example.org'
                @($resource.selectors).Count | Should -Be 1
                $resource.selectors[0].vendors | Should -Be @('8086')
                $resource.selectors[0].devices | Should -Be @('10ca')
            }
            $resources[0].selectors[0].drivers | Should -Be @('igbvf')
            $resources[0].selectors[0].pfNames | Should -Be @('eth0#1-6')
            $resources[0].selectors[0].linkTypes | Should -Be @('ether')
            $resources[1].selectors[0].drivers | Should -Be @('vfio-pci')
            $resources[1].selectors[0].pfNames | Should -Be @('eth0#0')
        }

        It 'SriovNetworkNodePolicy: eth0#1-6 (netdevice) and eth0#0-0 (vfio-pci) with the PF device id 10c9 and numVfs 7' {
            $policies = @(ConvertFrom-TestYaml (Export-SriovConfig -Format SriovNetworkNodePolicy -ErrorAction Stop))

            $policies.Count | Should -Be 2
            $policies.kind | Select-Object -Unique | Should -Be 'SriovNetworkNodePolicy'
            $policies.apiVersion | Select-Object -Unique | Should -Be 'sriovnetwork.openshift.io/v1'
            $policies.spec.nicSelector.pfNames | Should -Be @('eth0#1-6', 'eth0#0-0')
            $policies.spec.deviceType | Should -Be @('netdevice', 'vfio-pci')
            $policies.spec.resourceName | Should -Be @('sriov_eth0_netdevice', 'sriov_eth0_vfio')
            foreach ($policy in $policies) {
                # Strings stay strings ("8086" is no number) and numbers numbers.
                $policy.spec.nicSelector.vendor | Should -BeExactly '8086'
                $policy.spec.nicSelector.deviceID | Should -BeExactly '10c9'
                $policy.spec.numVfs | Should -BeOfType [long]
                $policy.spec.numVfs | Should -Be 7
                $policy.metadata.namespace | Should -Be 'sriov-network-operator'
            }
        }

        It 'SriovNetworkNodePolicy selects the nodes of -NodeSelector, and on a tree without a host name the SR-IOV-capable ones, with a warning' {
            $chosen = @(ConvertFrom-TestYaml (Export-SriovConfig -Format SriovNetworkNodePolicy -NodeSelector @{ 'kubernetes.io/hostname' = 'node1'; zone = 'a' } -ErrorAction Stop))
            $default = @(ConvertFrom-TestYaml (Export-SriovConfig -Format SriovNetworkNodePolicy -WarningVariable warnings -ErrorAction Stop))

            foreach ($policy in $chosen) {
                @($policy.spec.nodeSelector.PSObject.Properties.Name) | Should -Be @('kubernetes.io/hostname', 'zone')
                $policy.spec.nodeSelector.'kubernetes.io/hostname' | Should -Be 'node1'
            }
            $default[0].spec.nodeSelector.'feature.node.kubernetes.io/network-sriov.capable' | Should -BeExactly 'true'
            @($warnings.Message) -like '*has no host name*-NodeSelector*' | Should -Not -BeNullOrEmpty
        }

        It 'NetworkAttachmentDefinition: the resourceName annotation is the plugin''s PREFIX/NAME for every resource, and every sriov-cni config has vlan' {
            $arguments = @{ ResourcePrefix = 'example.org'; ResourceName = 'lab'; Namespace = 'apps' }
            $plugin = ConvertFrom-TestJson (Export-SriovConfig -Format DevicePlugin @arguments -ErrorAction Stop)
            $nads = @(ConvertFrom-TestYaml (Export-SriovConfig -Format NetworkAttachmentDefinition @arguments -ErrorAction Stop))

            $expected = @($plugin.resourceList | ForEach-Object { "$($_.resourcePrefix)/$($_.resourceName)" })
            $expected | Should -Be @('example.org/lab_eth0_netdevice', 'example.org/lab_eth0_vfio')
            $nads.Count | Should -Be $expected.Count
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

        It 'SriovNetwork: one per resource, named as its NetworkAttachmentDefinition, in the operator''s namespace, with vlan' {
            $nads = @(ConvertFrom-TestYaml (Export-SriovConfig -Format NetworkAttachmentDefinition -ErrorAction Stop))
            $networks = @(ConvertFrom-TestYaml (Export-SriovConfig -Format SriovNetwork -Namespace apps -OperatorNamespace sriov-system -ErrorAction Stop))

            $networks.kind | Select-Object -Unique | Should -Be 'SriovNetwork'
            $networks.metadata.name | Should -Be $nads.metadata.name
            $networks.metadata.namespace | Select-Object -Unique | Should -Be 'sriov-system'
            $networks.spec.resourceName | Should -Be @('sriov_eth0_netdevice', 'sriov_eth0_vfio')
            $networks.spec.networkNamespace | Select-Object -Unique | Should -Be 'apps'
            $networks.spec.vlan | Should -Be @(0, 0)
        }

        It 'KubeVirtInterface: sriov {} and multus.networkName for the vfio-pci resource only, with a warning for the kernel one' {
            $nads = @(ConvertFrom-TestYaml (Export-SriovConfig -Format NetworkAttachmentDefinition -ErrorAction Stop))
            $fragment = @(ConvertFrom-TestYaml (Export-SriovConfig -Format KubeVirtInterface -WarningVariable warnings -ErrorAction Stop))

            $fragment.Count | Should -Be 1
            $interfaces = @($fragment[0].spec.domain.devices.interfaces)
            $networks = @($fragment[0].spec.networks)
            $interfaces.Count | Should -Be 1
            $interfaces[0].name | Should -Be 'sriov-eth0-vfio'
            $interfaces[0].sriov | Should -BeOfType [pscustomobject]
            @($interfaces[0].sriov.PSObject.Properties).Count | Should -Be 0
            $networks.Count | Should -Be 1
            $networks[0].name | Should -Be $interfaces[0].name
            $networks[0].multus.networkName | Should -Be 'sriov-eth0-vfio'
            $nads.metadata.name | Should -Contain $networks[0].multus.networkName
            $kernel = @($warnings.Message) -like '*sriov_eth0_netdevice*KubeVirt*vfio-pci*'
            $kernel.Count | Should -Be 1
        }

        It 'KubeVirtInterface -Namespace names the network namespace/name' {
            $fragment = ConvertFrom-TestYaml (Export-SriovConfig -Format KubeVirtInterface -Namespace apps -ErrorAction Stop)

            $fragment.spec.networks[0].multus.networkName | Should -Be 'apps/sriov-eth0-vfio'
        }

        It 'Nmstate: total-vfs is the PF''s VF count, and one vfs item per VF with ids 0..N-1' {
            $pf = Get-SriovPf eth0
            $state = ConvertFrom-TestYaml (Export-SriovConfig -Format Nmstate -ErrorAction Stop)

            $interfaces = @($state.interfaces)
            $interfaces.Count | Should -Be 1
            $interfaces[0].name | Should -Be 'eth0'
            $interfaces[0].type | Should -Be 'ethernet'
            $interfaces[0].state | Should -Be 'up'
            $sriov = $interfaces[0].ethernet.'sr-iov'
            $sriov.'total-vfs' | Should -Be $pf.NumVfs
            $sriov.'total-vfs' | Should -Be 7
            $sriov.'drivers-autoprobe' | Should -BeTrue
            @($sriov.vfs.id) | Should -Be @(0..6)
        }

        It 'Nmstate: a PF without VFs has total-vfs 0 and an empty vfs list' {
            $state = ConvertFrom-TestYaml (Export-SriovConfig -Format Nmstate -PfName eth1 -ErrorAction Stop)

            $state.interfaces[0].ethernet.'sr-iov'.'total-vfs' | Should -Be 0
            @($state.interfaces[0].ethernet.'sr-iov'.vfs).Count | Should -Be 0
        }

        It 'LibvirtNetwork: a whole PF is named by its pf element, dev=''eth0''' {
            $texts = @(Export-SriovConfig -Format LibvirtNetwork -ErrorAction Stop)

            $texts.Count | Should -Be 1
            $network = ([xml] $texts[0]).network
            $network.name | Should -Be 'eth0-sr-iov'
            $network.forward.mode | Should -Be 'hostdev'
            $network.forward.managed | Should -Be 'yes'
            $network.forward.pf.dev | Should -Be 'eth0'
            $network.forward.address | Should -BeNullOrEmpty
        }

        It 'LibvirtNetwork of piped VFs lists their PCI addresses' {
            $vfs = @(Get-SriovVf eth0 -Index 1, 4, 5)

            $network = ([xml] ($vfs | Export-SriovConfig -Format LibvirtNetwork -ErrorAction Stop)).network

            $network.forward.pf | Should -BeNullOrEmpty
            $addresses = @($network.forward.address | ForEach-Object {
                    '{0}:{1}:{2}.{3}' -f $_.domain.Substring(2), $_.bus.Substring(2), $_.slot.Substring(2), $_.function.Substring(2)
                })
            $addresses | Should -Be $vfs.PciAddress
            @($network.forward.address.type) | Select-Object -Unique | Should -Be 'pci'
        }

        It '-GroupBy Host names a resource per driver kind over every PF: NAME_netdevice and NAME_vfio' {
            $plugin = ConvertFrom-TestJson (Export-SriovConfig -Format DevicePlugin -GroupBy Host -ErrorAction Stop)

            $plugin.resourceList.resourceName | Should -Be @('sriov_netdevice', 'sriov_vfio')
        }

        It '-GroupBy Vf names a resource per VF: NAME_PF_vfINDEX' {
            $plugin = ConvertFrom-TestJson (Export-SriovConfig -Format DevicePlugin -GroupBy Vf -ResourceName lab -ErrorAction Stop)

            $plugin.resourceList.resourceName | Should -Be @('lab_eth0_vf1', 'lab_eth0_vf2', 'lab_eth0_vf3', 'lab_eth0_vf4', 'lab_eth0_vf5', 'lab_eth0_vf6', 'lab_eth0_vf0')
            $plugin.resourceList.selectors.pfNames | Should -Be @('eth0#1', 'eth0#2', 'eth0#3', 'eth0#4', 'eth0#5', 'eth0#6', 'eth0#0')
        }

        It '-ResourceName is the name of a single resource, and the beginning of several' {
            $one = ConvertFrom-TestJson (Get-SriovVf eth0 -Index 0 | Export-SriovConfig -Format DevicePlugin -ResourceName vm_pool -ErrorAction Stop)
            $two = ConvertFrom-TestJson (Export-SriovConfig -Format DevicePlugin -ResourceName vm_pool -ErrorAction Stop)

            $one.resourceList.resourceName | Should -Be 'vm_pool'
            $two.resourceList.resourceName | Should -Be @('vm_pool_eth0_netdevice', 'vm_pool_eth0_vfio')
        }

        It 'writes one string for the whole export, and one per network for LibvirtNetwork' {
            $env:SRIOVPS_HOST_ROOT = $script:I350

            @(Export-SriovConfig -Format NetworkAttachmentDefinition -ErrorAction Stop).Count | Should -Be 1
            @(Export-SriovConfig -Format LibvirtNetwork -ErrorAction Stop).Count | Should -Be 4
            @(Export-SriovConfig -Format LibvirtNetwork -NetworkName i350-pool -ErrorAction Stop).Count | Should -Be 1
        }
    }

    Context 'the lab capture with VF 3 on vfio-pci too' {
        BeforeAll {
            $script:Split = New-SriovTestHost -Fixture 'lab-igb'
            Move-TestVfToVfio $script:Split '0000:01:10.6'
        }

        AfterAll {
            Remove-SriovTestHost $script:Split
        }

        BeforeEach {
            $env:SRIOVPS_HOST_ROOT = $script:Split
        }

        It 'the tree shows VF 3 on vfio-pci without an interface' {
            $vf = Get-SriovVf eth0 -Index 3

            $vf.Driver | Should -Be 'vfio-pci'
            $vf.Name | Should -BeNullOrEmpty
        }

        It 'SriovNetworkNodePolicy: one policy per contiguous range, eth0#1-2 and eth0#4-6 on netdevice, eth0#0-0 and eth0#3-3 on vfio-pci' {
            $policies = @(ConvertFrom-TestYaml (Export-SriovConfig -Format SriovNetworkNodePolicy -ErrorAction Stop))

            $policies.spec.nicSelector.pfNames | Should -Be @('eth0#1-2', 'eth0#4-6', 'eth0#0-0', 'eth0#3-3')
            $policies.spec.deviceType | Should -Be @('netdevice', 'netdevice', 'vfio-pci', 'vfio-pci')
            $policies.spec.resourceName | Should -Be @('sriov_eth0_netdevice', 'sriov_eth0_netdevice', 'sriov_eth0_vfio', 'sriov_eth0_vfio')
            $policies.metadata.name | Should -Be @('sriov-eth0-netdevice-1-2', 'sriov-eth0-netdevice-4-6', 'sriov-eth0-vfio-0-0', 'sriov-eth0-vfio-3-3')
            $policies.spec.numVfs | Select-Object -Unique | Should -Be 7
        }

        It 'DevicePlugin keeps one resource per driver kind: eth0#1-2,4-6 on igbvf and eth0#0,3 on vfio-pci' {
            $plugin = ConvertFrom-TestJson (Export-SriovConfig -Format DevicePlugin -ErrorAction Stop)

            $plugin.resourceList.resourceName | Should -Be @('sriov_eth0_netdevice', 'sriov_eth0_vfio')
            $plugin.resourceList[0].selectors[0].pfNames | Should -Be @('eth0#1-2,4-6')
            $plugin.resourceList[0].selectors[0].drivers | Should -Be @('igbvf')
            $plugin.resourceList[1].selectors[0].pfNames | Should -Be @('eth0#0,3')
            $plugin.resourceList[1].selectors[0].drivers | Should -Be @('vfio-pci')
        }
    }

    Context 'names and arguments, checked before anything is written' {
        BeforeEach {
            $script:Dir = Join-Path ([System.IO.Path]::GetTempPath()) ('sriovps-export-' + [guid]::NewGuid().ToString('N'))
            $null = [System.IO.Directory]::CreateDirectory($script:Dir)
        }

        AfterEach {
            [System.IO.Directory]::Delete($script:Dir, $true)
        }

        It 'refuses -ResourceName ''<Shown>'' as InvalidResourceName (InvalidArgument) naming the rule, and writes nothing' -ForEach @(
            @{ Shown = 'bad-name'; Name = 'bad-name' }
            @{ Shown = '_x'; Name = '_x' }
            @{ Shown = '64 letters'; Name = 'a' * 64 }
            @{ Shown = 'x_'; Name = 'x_' }
        ) {
            $new = Join-Path $script:Dir 'new.json'
            $old = Join-Path $script:Dir 'old.json'
            [System.IO.File]::WriteAllText($old, "{}`n")

            $output = Export-SriovConfig -Format DevicePlugin -ResourceName $Name -ErrorVariable errors -ErrorAction SilentlyContinue
            $null = Export-SriovConfig -Format DevicePlugin -ResourceName $Name -Path $new -ErrorVariable +errors -ErrorAction SilentlyContinue
            $null = Export-SriovConfig -Format NetworkAttachmentDefinition -ResourceName $Name -Path $old -ErrorVariable +errors -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 3
            foreach ($record in $errors) {
                $record.FullyQualifiedErrorId | Should -Be "InvalidResourceName,$script:Command"
                $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
                $record.Exception.Message | Should -Match ([regex]::Escape("'$Name'") + '.*' + [regex]::Escape('^[A-Za-z0-9]([A-Za-z0-9_]{0,61}[A-Za-z0-9])?$') + '.*Nothing was written\.$')
            }
            [System.IO.File]::Exists($new) | Should -BeFalse
            [System.IO.File]::ReadAllText($old) | Should -BeExactly "{}`n"
            [System.IO.Directory]::GetFiles($script:Dir).Count | Should -Be 1
        }

        It 'takes a -ResourceName of 63 letters, digits and ''_''' {
            $name = 'A1_' + ('b' * 59) + '9'

            $plugin = ConvertFrom-TestJson (Get-SriovVf eth0 -Index 2 | Export-SriovConfig -Format DevicePlugin -ResourceName $name -ErrorAction Stop)

            $plugin.resourceList.resourceName | Should -Be $name
        }

        It 'refuses a name made from -ResourceName that grows past 63 characters' {
            $name = 'a' * 60

            Export-SriovConfig -Format DevicePlugin -ResourceName $name -ErrorVariable errors -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

            $errors[0].FullyQualifiedErrorId | Should -Be "InvalidResourceName,$script:Command"
            $errors[0].Exception.Message | Should -BeLike "*'${name}_eth0_netdevice'*"
        }

        It 'refuses <Parameter> ''<Value>'' as InvalidExportArgument (InvalidArgument) saying <Rule>, and writes nothing' -ForEach @(
            @{ Parameter = '-ResourcePrefix'; Value = 'Intel.com'; Rule = 'a DNS subdomain'; Splat = @{ ResourcePrefix = 'Intel.com' } }
            @{ Parameter = '-ResourcePrefix'; Value = 'intel.com/x'; Rule = 'a DNS subdomain'; Splat = @{ ResourcePrefix = 'intel.com/x' } }
            @{ Parameter = '-ResourcePrefix'; Value = 'k8s.io'; Rule = 'kept by Kubernetes'; Splat = @{ ResourcePrefix = 'k8s.io' } }
            @{ Parameter = '-Namespace'; Value = 'My_Apps'; Rule = 'a namespace rule'; Splat = @{ Namespace = 'My_Apps' } }
            @{ Parameter = '-NodeSelector'; Value = 'bad key=x'; Rule = 'a label rule'; Splat = @{ NodeSelector = @{ 'bad key' = 'x' } } }
        ) {
            $file = Join-Path $script:Dir 'config.json'
            $rules = @{
                'a DNS subdomain' = '*DNS subdomain*'
                'kept by Kubernetes' = '*Kubernetes keeps kubernetes.io and k8s.io*'
                'a namespace rule' = '*namespace is 1 to 63 lower-case letters*'
                'a label rule' = '*label key*'
            }

            $output = Export-SriovConfig -Format DevicePlugin @Splat -Path $file -ErrorVariable errors -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "InvalidExportArgument,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $errors[0].Exception.Message | Should -BeLike "$Parameter '$Value' is not valid: *"
            $errors[0].Exception.Message | Should -BeLike $rules[$Rule]
            [System.IO.File]::Exists($file) | Should -BeFalse
        }
    }

    Context '-Path' {
        BeforeEach {
            $script:Dir = Join-Path ([System.IO.Path]::GetTempPath()) ('sriovps-export-' + [guid]::NewGuid().ToString('N'))
            $null = [System.IO.Directory]::CreateDirectory($script:Dir)
            $script:File = Join-Path $script:Dir 'config.json'
        }

        AfterEach {
            [System.IO.Directory]::Delete($script:Dir, $true)
        }

        It 'writes the text the pipeline gets, to a path relative to the current location, and outputs nothing' {
            $text = Export-SriovConfig -Format DevicePlugin -ErrorAction Stop

            Push-Location $script:Dir
            try {
                $output = Export-SriovConfig -Format DevicePlugin -Path ./config.json -ErrorAction Stop
            }
            finally {
                Pop-Location
            }

            $output | Should -BeNullOrEmpty
            [System.IO.File]::ReadAllText($script:File) | Should -BeExactly $text
            [System.IO.Directory]::GetFiles($script:Dir) | Should -Be @($script:File)
        }

        It '-WhatIf writes nothing and says what it would write' {
            $whatIf = Get-SriovTestWhatIf { Export-SriovConfig -Format DevicePlugin -Path $script:File -WhatIf -ErrorAction Stop }

            $whatIf.Count | Should -Be 1
            $whatIf[0] | Should -BeLike "*write the DevicePlugin configuration*sriov_eth0_netdevice*on target `"$script:File`"."
            [System.IO.Directory]::GetFiles($script:Dir) | Should -BeNullOrEmpty
        }

        It 'leaves a file that already holds the text as it is: same bytes, same time, no backup' {
            Export-SriovConfig -Format DevicePlugin -Path $script:File -ErrorAction Stop
            $bytes = [System.IO.File]::ReadAllBytes($script:File)
            $stamp = [datetime]::new(2020, 1, 2, 3, 4, 5, [DateTimeKind]::Utc)
            [System.IO.File]::SetLastWriteTimeUtc($script:File, $stamp)

            Export-SriovConfig -Format DevicePlugin -Path $script:File -Verbose -ErrorAction Stop 4>&1 |
                ForEach-Object Message | Should -Contain "$script:File already holds this DevicePlugin configuration; it was left as it is."

            [System.IO.File]::GetLastWriteTimeUtc($script:File) | Should -Be $stamp
            [System.IO.File]::ReadAllBytes($script:File) | Should -Be $bytes
            [System.IO.File]::Exists("$script:File.sriovps.bak") | Should -BeFalse
        }

        It 'keeps the previous file as NAME.sriovps.bak when the text changes' {
            Export-SriovConfig -Format DevicePlugin -Path $script:File -ErrorAction Stop
            $before = [System.IO.File]::ReadAllText($script:File)

            Export-SriovConfig -Format DevicePlugin -ResourcePrefix example.org -Path $script:File -ErrorAction Stop

            [System.IO.File]::ReadAllText("$script:File.sriovps.bak") | Should -BeExactly $before
            [System.IO.File]::ReadAllText($script:File) | Should -BeExactly (Export-SriovConfig -Format DevicePlugin -ResourcePrefix example.org)
        }

        It 'refuses LibvirtNetwork over several PFs, which make several networks, and writes nothing; -NetworkName makes one' {
            $env:SRIOVPS_HOST_ROOT = $script:I350
            $file = Join-Path $script:Dir 'pool.xml'

            $output = Export-SriovConfig -Format LibvirtNetwork -PfName eno49, eno50 -Path $file -ErrorVariable errors -ErrorAction SilentlyContinue
            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "InvalidExportArgument,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $errors[0].Exception.Message | Should -BeLike '*2 libvirt networks (eno49-sr-iov, eno50-sr-iov)*Nothing was written.'
            [System.IO.File]::Exists($file) | Should -BeFalse

            Export-SriovConfig -Format LibvirtNetwork -PfName eno49, eno50 -NetworkName i350-pool -Path $file -ErrorAction Stop
            $network = ([xml] [System.IO.File]::ReadAllText($file)).network
            $network.name | Should -Be 'i350-pool'
            @($network.forward.address).Count | Should -Be 14
        }
    }

    Context 'pipelines' {
        It 'Get-SriovPf eth0 | Export-SriovConfig exports the whole PF, as -PfName does' {
            $piped = Get-SriovPf eth0 | Export-SriovConfig -Format SriovNetworkNodePolicy -ErrorAction Stop

            $piped | Should -BeExactly (Export-SriovConfig -Format SriovNetworkNodePolicy -PfName eth0)
        }

        It 'Get-SriovVf eth0 -Index 0 | Export-SriovConfig exports VF 0 only' {
            $plugin = ConvertFrom-TestJson (Get-SriovVf eth0 -Index 0 | Export-SriovConfig -Format DevicePlugin -ErrorAction Stop)
            $policies = @(ConvertFrom-TestYaml (Get-SriovVf eth0 -Index 0 | Export-SriovConfig -Format SriovNetworkNodePolicy -ErrorAction Stop))

            @($plugin.resourceList).Count | Should -Be 1
            $plugin.resourceList[0].resourceName | Should -Be 'sriov_eth0_vfio'
            $plugin.resourceList[0].selectors[0].pfNames | Should -Be @('eth0#0')
            $policies.Count | Should -Be 1
            $policies[0].spec.nicSelector.pfNames | Should -Be @('eth0#0-0')
            $policies[0].spec.numVfs | Should -Be 7
        }

        It 'takes deserialized PFs and VFs, as remoting returns them from this host' {
            $vfs = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize(@(Get-SriovVf eth0 -Index 2, 3)))
            $pf = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize((Get-SriovPf eth0)))
            $vfs[0].PSObject.TypeNames[0] | Should -Be 'Deserialized.SriovPS.SriovVf'

            $fromVfs = ConvertFrom-TestJson ($vfs | Export-SriovConfig -Format DevicePlugin -ErrorAction Stop)
            $fromPf = $pf | Export-SriovConfig -Format DevicePlugin -ErrorAction Stop

            $fromVfs.resourceList.selectors.pfNames | Should -Be @('eth0#2-3')
            $fromPf | Should -BeExactly (Export-SriovConfig -Format DevicePlugin -PfName eth0)
        }

        It 'refuses a VF from another computer (its PSComputerName) as ObjectFromOtherHost, and exports the others' {
            $here = Get-SriovVf eth0 -Index 1
            $there = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize((Get-SriovVf eth0 -Index 2)))
            $there | Add-Member -NotePropertyName PSComputerName -NotePropertyValue 'kvm2'

            $text = @($here, $there) | Export-SriovConfig -Format DevicePlugin -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "ObjectFromOtherHost,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            (ConvertFrom-TestJson $text).resourceList.selectors.pfNames | Should -Be @('eth0#1')
        }

        It 'refuses an object that is neither PF nor VF as InvalidExportArgument' {
            $output = [pscustomobject]@{ Name = 'eth0' } | Export-SriovConfig -Format DevicePlugin -ErrorVariable errors -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.FullyQualifiedErrorId | Should -Contain "InvalidExportArgument,$script:Command"
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
                Case = 'lab capture, per PF'; Fixture = 'lab-igb'; Vfio = @()
                Export = { Export-SriovConfig -Format DevicePlugin }
                Expected = { param($vfs) [ordered]@{
                        'intel.com/sriov_eth0_netdevice' = @($vfs | Where-Object Driver -EQ 'igbvf').PciAddress
                        'intel.com/sriov_eth0_vfio' = @($vfs | Where-Object Driver -EQ 'vfio-pci').PciAddress
                    } }
            }
            @{
                Case = 'lab capture with VF 3 on vfio-pci'; Fixture = 'lab-igb'; Vfio = @('0000:01:10.6')
                Export = { Export-SriovConfig -Format DevicePlugin -ResourcePrefix example.org }
                Expected = { param($vfs) [ordered]@{
                        'example.org/sriov_eth0_netdevice' = @($vfs | Where-Object Index -In 1, 2, 4, 5, 6).PciAddress
                        'example.org/sriov_eth0_vfio' = @($vfs | Where-Object Index -In 0, 3).PciAddress
                    } }
            }
            @{
                Case = 'I350, four PFs with the same VF ids and driver'; Fixture = 'i350-4port'; Vfio = @()
                Export = { Export-SriovConfig -Format DevicePlugin }
                Expected = { param($vfs) $pools = [ordered]@{}
                    foreach ($pf in 'eno49', 'eno50', 'eno51', 'eno52') { $pools["intel.com/sriov_${pf}_netdevice"] = @($vfs | Where-Object PfName -EQ $pf).PciAddress }
                    $pools }
            }
            @{
                Case = 'I350, some VFs of two PFs piped, -GroupBy Host'; Fixture = 'i350-4port'; Vfio = @()
                Export = { @(Get-SriovVf eno49 -Index 0, 2, 3, 6) + @(Get-SriovVf eno51 -Index 5) | Export-SriovConfig -Format DevicePlugin -GroupBy Host -ResourceName picked }
                Expected = { param($vfs) [ordered]@{
                        'intel.com/picked' = @($vfs | Where-Object { ($_.PfName -eq 'eno49' -and $_.Index -in 0, 2, 3, 6) -or ($_.PfName -eq 'eno51' -and $_.Index -eq 5) }).PciAddress
                    } }
            }
            @{
                Case = 'I350, -GroupBy Vf'; Fixture = 'i350-4port'; Vfio = @()
                Export = { Get-SriovVf eno50 -Index 1, 4 | Export-SriovConfig -Format DevicePlugin -GroupBy Vf }
                Expected = { param($vfs) [ordered]@{
                        'intel.com/sriov_eno50_vf1' = @($vfs | Where-Object { $_.PfName -eq 'eno50' -and $_.Index -eq 1 }).PciAddress
                        'intel.com/sriov_eno50_vf4' = @($vfs | Where-Object { $_.PfName -eq 'eno50' -and $_.Index -eq 4 }).PciAddress
                    } }
            }
            @{
                Case = 'ConnectX-5, both PFs named'; Fixture = 'connectx5'; Vfio = @()
                Export = { Export-SriovConfig -Format DevicePlugin -GroupBy Host }
                Expected = { param($vfs) [ordered]@{
                        'intel.com/sriov_netdevice' = @($vfs | Where-Object Driver -EQ 'mlx5_core').PciAddress
                        'intel.com/sriov_vfio' = @($vfs | Where-Object Driver -EQ 'vfio-pci').PciAddress
                    } }
            }
        ) {
            $root = New-SriovTestHost -Fixture $Fixture
            try {
                foreach ($address in $Vfio) { Move-TestVfToVfio $root $address }
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
