#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Export-SriovConfig's formats on the lab capture: the issue's must-shows (resources split by driver
# kind, device ids, VF ranges, contiguous policies), the names every format shares, the policies'
# nodes, and what is left out with a warning. Outputs are read back with real parsers (ExportFixtures.ps1).
# Every fixture host, parsed and with the device plugin's selectors evaluated: Export-SriovConfig.Hosts.Tests.ps1.
# Arguments, pipelines and -Path: Export-SriovConfig.Input.Tests.ps1.

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    . (Join-Path $PSScriptRoot 'ExportFixtures.ps1')
    $script:Lab = New-SriovTestHost -Fixture 'lab-igb'
    $script:I350 = New-SriovTestHost -Fixture 'i350-4port'
    $script:Command = 'SriovPS.Commands.ExportSriovConfigCommand'
    # A copied tree warns that the kernel's VF settings are missing; tests that look at warnings
    # collect them with -WarningVariable, which still fills.
    $PSDefaultParameterValues = @{ '*-Sriov*:WarningAction' = 'SilentlyContinue' }
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    Remove-SriovTestHost $script:Lab
    Remove-SriovTestHost $script:I350
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Export-SriovConfig' -Tag 'CI' {
    BeforeEach {
        $env:SRIOVPS_HOST_ROOT = $script:Lab
    }

    AfterEach {
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
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

        It 'SriovNetworkNodePolicy on a tree without a host name selects the nodes labelled SR-IOV-capable, with a warning' {
            $policies = @(ConvertFrom-TestYaml (Export-SriovConfig -Format SriovNetworkNodePolicy -WarningVariable warnings -ErrorAction Stop))

            foreach ($policy in $policies) {
                @($policy.spec.nodeSelector.PSObject.Properties.Name) | Should -Be @('feature.node.kubernetes.io/network-sriov.capable')
                $policy.spec.nodeSelector.'feature.node.kubernetes.io/network-sriov.capable' | Should -BeExactly 'true'
            }
            @(@($warnings.Message) -like '*has no host name*-NodeSelector*').Count | Should -Be 1
        }

        It 'SriovNetworkNodePolicy selects this host by its whole host name in lower case, as the kubelet labels it' {
            $root = New-SriovTestHost -Fixture 'lab-igb'
            try {
                Set-SriovTestHostFile $root '/etc/hostname' "KVM-07.example.net`n"
                $policies = @(ConvertFrom-TestYaml (Export-SriovConfig -Format SriovNetworkNodePolicy -HostRoot $root -WarningVariable warnings -ErrorAction Stop))
            }
            finally {
                Remove-SriovTestHost $root
            }

            foreach ($policy in $policies) {
                @($policy.spec.nodeSelector.PSObject.Properties.Name) | Should -Be @('kubernetes.io/hostname')
                $policy.spec.nodeSelector.'kubernetes.io/hostname' | Should -BeExactly 'kvm-07.example.net'
            }
            @($warnings.Message) -like '*host name*' | Should -BeNullOrEmpty
        }

        It '<Format> says once per resource that the VLAN was not read and vlan 0 is written, and what that does' -ForEach @(
            @{ Format = 'NetworkAttachmentDefinition' }
            @{ Format = 'SriovNetwork' }
        ) {
            $null = Export-SriovConfig -Format $Format -WarningVariable warnings -ErrorAction Stop

            $vlan = @(@($warnings.Message) -like '*VLAN*')
            $vlan.Count | Should -Be 2
            $vlan[0] | Should -BeLike "$Format 'sriov-eth0-netdevice': the VLAN of eth0 VF 1-6 was not read*so vlan 0 is written: a pod given such a VF has its VLAN cleared."
            $vlan[1] | Should -BeLike "$Format 'sriov-eth0-vfio': the VLAN of eth0 VF 0 was not read*so vlan 0 is written*"
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
            $named = ConvertFrom-TestYaml (Export-SriovConfig -Format KubeVirtInterface -Namespace apps -ErrorAction Stop)

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
            @(@($warnings.Message) -like '*sriov_eth0_netdevice*KubeVirt*vfio-pci*').Count | Should -Be 1
            $named.spec.networks[0].multus.networkName | Should -Be 'apps/sriov-eth0-vfio'
        }

        It 'Nmstate: total-vfs is the PF''s VF count, and one vfs item per VF with ids 0..N-1, also when only some VFs are piped' {
            $pf = Get-SriovPf eth0
            $state = ConvertFrom-TestYaml (Export-SriovConfig -Format Nmstate -ErrorAction Stop)
            $piped = Get-SriovVf eth0 -Index 2, 5 | Export-SriovConfig -Format Nmstate -ErrorAction Stop

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
            # nmstate wants every VF once it is given any: piping some changes nothing.
            $piped | Should -BeExactly (Export-SriovConfig -Format Nmstate)
        }

        It 'Nmstate: a PF without VFs has total-vfs 0 and an empty vfs list' {
            $state = ConvertFrom-TestYaml (Export-SriovConfig -Format Nmstate -PfName eth1 -ErrorAction Stop)

            $state.interfaces[0].ethernet.'sr-iov'.'total-vfs' | Should -Be 0
            @($state.interfaces[0].ethernet.'sr-iov'.vfs).Count | Should -Be 0
        }

        It 'LibvirtNetwork: a whole PF is named by its pf element, dev=''eth0''; piped VFs by their PCI addresses' {
            $texts = @(Export-SriovConfig -Format LibvirtNetwork -ErrorAction Stop)
            $vfs = @(Get-SriovVf eth0 -Index 1, 4, 5)
            $some = ([xml] ($vfs | Export-SriovConfig -Format LibvirtNetwork -ErrorAction Stop)).network

            $texts.Count | Should -Be 1
            $network = ([xml] $texts[0]).network
            $network.name | Should -Be 'eth0-sr-iov'
            $network.forward.mode | Should -Be 'hostdev'
            $network.forward.managed | Should -Be 'yes'
            $network.forward.pf.dev | Should -Be 'eth0'
            $network.forward.address | Should -BeNullOrEmpty
            $some.forward.pf | Should -BeNullOrEmpty
            $addresses = @($some.forward.address | ForEach-Object {
                    '{0}:{1}:{2}.{3}' -f $_.domain.Substring(2), $_.bus.Substring(2), $_.slot.Substring(2), $_.function.Substring(2)
                })
            $addresses | Should -Be $vfs.PciAddress
            @($some.forward.address.type) | Select-Object -Unique | Should -Be 'pci'
        }

        It '-GroupBy Host names a resource per driver kind over every PF, -GroupBy Vf one per VF: sriov_PF_vfINDEX' {
            $hostWide = ConvertFrom-TestJson (Export-SriovConfig -Format DevicePlugin -GroupBy Host -ErrorAction Stop)
            $perVf = ConvertFrom-TestJson (Export-SriovConfig -Format DevicePlugin -GroupBy Vf -ErrorAction Stop)

            $hostWide.resourceList.resourceName | Should -Be @('sriov_netdevice', 'sriov_vfio')
            $perVf.resourceList.resourceName | Should -Be @('sriov_eth0_vf1', 'sriov_eth0_vf2', 'sriov_eth0_vf3', 'sriov_eth0_vf4', 'sriov_eth0_vf5', 'sriov_eth0_vf6', 'sriov_eth0_vf0')
            $perVf.resourceList.selectors.pfNames | Should -Be @('eth0#1', 'eth0#2', 'eth0#3', 'eth0#4', 'eth0#5', 'eth0#6', 'eth0#0')
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
            Move-TestVfDriver $script:Split '0000:01:10.6' 'vfio-pci'
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

    Context 'the lab capture with VF 2 on uio_pci_generic (a DPDK driver)' {
        BeforeAll {
            $script:Uio = New-SriovTestHost -Fixture 'lab-igb'
            Move-TestVfDriver $script:Uio '0000:01:10.4' 'uio_pci_generic'
        }

        AfterAll {
            Remove-SriovTestHost $script:Uio
        }

        BeforeEach {
            $env:SRIOVPS_HOST_ROOT = $script:Uio
        }

        It '<Format> leaves VF 2 out, with a warning naming it and its driver' -ForEach @(
            @{ Format = 'DevicePlugin'; Lists = { param($text) (ConvertFrom-TestJson $text).resourceList.selectors.pfNames }; Expected = @('eth0#1,3-6', 'eth0#0') }
            @{ Format = 'SriovNetworkNodePolicy'; Lists = { param($text) (ConvertFrom-TestYaml $text).spec.nicSelector.pfNames }; Expected = @('eth0#1-1', 'eth0#3-6', 'eth0#0-0') }
            @{ Format = 'NetworkAttachmentDefinition'; Lists = { param($text) (ConvertFrom-TestYaml $text).metadata.name }; Expected = @('sriov-eth0-netdevice', 'sriov-eth0-vfio') }
        ) {
            (Get-SriovVf eth0 -Index 2).Driver | Should -Be 'uio_pci_generic'

            $text = Export-SriovConfig -Format $Format -WarningVariable warnings -ErrorAction Stop

            @(& $Lists $text) | Should -Be $Expected
            @(@($warnings.Message) -like 'eth0 VF 2 (0000:01:10.4) is on uio_pci_generic, which is neither a network driver nor vfio-pci*left out.').Count | Should -Be 1
        }

        It 'is NothingToExport when the only VF given is on uio_pci_generic' {
            $output = Get-SriovVf eth0 -Index 2 | Export-SriovConfig -Format DevicePlugin -ErrorVariable errors -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "NothingToExport,$script:Command"
            $errors[0].Exception.Message | Should -BeLike '*none of the VFs given is one a Kubernetes component can use*'
        }

        It 'Nmstate and LibvirtNetwork, which describe the PF and the VFs themselves, keep it' {
            $state = ConvertFrom-TestYaml (Export-SriovConfig -Format Nmstate -ErrorAction Stop)
            $network = ([xml] (Get-SriovVf eth0 -Index 2 | Export-SriovConfig -Format LibvirtNetwork -ErrorAction Stop)).network

            @($state.interfaces[0].ethernet.'sr-iov'.vfs.id) | Should -Be @(0..6)
            $network.forward.address.function | Should -Be '0x4'
        }
    }
}
