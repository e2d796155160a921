#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Export-SriovConfig on the lab's second igb PF with 4 VFs: VFs 0 and 2 on vfio-pci, 1 and 3 on igbvf
# with VLAN 42 set by iproute2. What each format says is checked against sysfs and `ip -j -d link
# show`, and the YAML is read by python3's yaml module, a parser the module does not use.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LabFixtures.ps1')
    if (-not $LabActive) { return }
    Import-LabModule
    Set-LabVfDriverLoaded $true
    Invoke-LabProgram modprobe vfio-pci
    $script:Pf = Get-LabIgbPf 1
    Invoke-LabProgram ip link set dev $Pf.Name up
    Set-LabNumVfs $Pf.PciAddress 4
    $script:Vfs = @(Get-LabVfAddress $Pf.PciAddress)
    Wait-LabCondition { @($Vfs | Where-Object { (Get-LabLinkName "/sys/bus/pci/devices/$_/driver") -eq 'igbvf' }).Count -eq 4 } 'igbvf on the 4 VFs'
    Set-LabVfDriver $Vfs[0] vfio-pci
    Set-LabVfDriver $Vfs[2] vfio-pci
    Invoke-LabProgram ip link set dev $Pf.Name vf 1 vlan 42 mac 02:53:52:00:01:01
    Invoke-LabProgram ip link set dev $Pf.Name vf 3 vlan 42

    function ConvertFrom-LabYaml([string] $Text) {
        $Text | python3 -c 'import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(sys.stdin))))' | ConvertFrom-Json -NoEnumerate
    }

    # sysfs says 0x10ca; the Kubernetes components say 10ca.
    function Get-LabId([string] $Path) { (Read-LabFile $Path) -replace '^0x', '' }
}

AfterAll {
    if (-not $LabActive) { return }
    $pf = Get-LabIgbPf 1
    foreach ($vf in Get-LabVfAddress $pf.PciAddress) { Write-LabFile "/sys/bus/pci/devices/$vf/driver_override" "`n" }
    Set-LabNumVfs $pf.PciAddress 0
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Export-SriovConfig' -Tag 'Lab' -Skip:($env:SRIOVPS_LAB -ne '1') {
    It 'DevicePlugin: one resource per driver the kernel has the VFs on, with the VFs'' own device id' {
        $config = Export-SriovConfig $Pf.Name -Format DevicePlugin -ErrorAction Stop | ConvertFrom-Json

        $byDriver = @{}
        foreach ($index in 0..3) { $byDriver[(Get-LabLinkName "/sys/bus/pci/devices/$($Vfs[$index])/driver")] += @($index) }
        $byDriver['vfio-pci'] | Should -Be @(0, 2)
        $byDriver['igbvf'] | Should -Be @(1, 3)
        $config.resourceList.Count | Should -Be 2
        $kernel, $vfio = $config.resourceList
        $kernel.selectors[0].drivers | Should -Be @('igbvf')
        $kernel.selectors[0].pfNames | Should -Be @("$($Pf.Name)#1,3")
        $vfio.selectors[0].drivers | Should -Be @('vfio-pci')
        $vfio.selectors[0].pfNames | Should -Be @("$($Pf.Name)#0,2")
        foreach ($resource in $config.resourceList) {
            $resource.deviceType | Should -BeExactly 'netDevice'
            $resource.selectors[0].devices | Should -Be @(Get-LabId "/sys/bus/pci/devices/$($Vfs[0])/device")
            $resource.selectors[0].vendors | Should -Be @(Get-LabId "$($Pf.Device)/vendor")
        }
    }

    It 'SriovNetworkNodePolicy: a policy per driver and contiguous range, with the PF''s device id and VF count' {
        $policies = ConvertFrom-LabYaml (Export-SriovConfig $Pf.Name -Format SriovNetworkNodePolicy -ErrorAction Stop)

        $policies.spec.nicSelector.pfNames | Should -Be @("$($Pf.Name)#1-1", "$($Pf.Name)#3-3", "$($Pf.Name)#0-0", "$($Pf.Name)#2-2")
        $policies.spec.deviceType | Should -Be @('netdevice', 'netdevice', 'vfio-pci', 'vfio-pci')
        foreach ($policy in $policies) {
            $policy.spec.nicSelector.deviceID | Should -Be (Get-LabId "$($Pf.Device)/device")
            $policy.spec.numVfs | Should -Be ([int](Read-LabFile "$($Pf.Device)/sriov_numvfs"))
            $policy.spec.nodeSelector.'kubernetes.io/hostname' | Should -Be (Read-LabFile /proc/sys/kernel/hostname).ToLowerInvariant()
        }
    }

    It 'NetworkAttachmentDefinition: the plugin''s resource names, and the VLAN and spoof check the kernel reports' {
        $plugin = Export-SriovConfig $Pf.Name -Format DevicePlugin -ResourcePrefix lab.example.com -ErrorAction Stop | ConvertFrom-Json
        $nads = ConvertFrom-LabYaml (Export-SriovConfig $Pf.Name -Format NetworkAttachmentDefinition -ResourcePrefix lab.example.com -ErrorAction Stop)

        $nads.metadata.annotations.'k8s.v1.cni.cncf.io/resourceName' | Should -Be @($plugin.resourceList | ForEach-Object { "$($_.resourcePrefix)/$($_.resourceName)" })
        $kernel = $nads[0].spec.config | ConvertFrom-Json
        $vfio = $nads[1].spec.config | ConvertFrom-Json
        $vf1 = Get-LabIpVf $Pf.Name 1
        $vf3 = Get-LabIpVf $Pf.Name 3
        $vf1.vlan_list[0].vlan | Should -Be 42
        $vf3.vlan_list[0].vlan | Should -Be 42
        $kernel.vlan | Should -Be 42
        $kernel.spoofchk | Should -Be $(if ($vf1.spoofchk) { 'on' } else { 'off' })
        $vfio.vlan | Should -Be 0
        # Two VFs: no MAC, which would give both pods the same address.
        $kernel.PSObject.Properties.Name | Should -Not -Contain 'mac'
    }

    It 'one VF piped in carries its MAC as the PF reports it' {
        $nad = ConvertFrom-LabYaml (Get-SriovVf $Pf.Name -Index 1 | Export-SriovConfig -Format NetworkAttachmentDefinition -ErrorAction Stop)

        ($nad[0].spec.config | ConvertFrom-Json).mac | Should -Be (Get-LabIpVf $Pf.Name 1).address
    }

    It 'Nmstate: every VF with the MAC and VLAN the kernel reports, and the PF''s addresses as they are' {
        $state = ConvertFrom-LabYaml (Export-SriovConfig $Pf.Name -Format Nmstate -ErrorAction Stop)

        $interface = $state[0].interfaces[0]
        $interface.name | Should -Be $Pf.Name
        $interface.ethernet.'sr-iov'.'total-vfs' | Should -Be 4
        $interface.ethernet.'sr-iov'.vfs.id | Should -Be @(0, 1, 2, 3)
        foreach ($vf in $interface.ethernet.'sr-iov'.vfs) {
            $reported = Get-LabIpVf $Pf.Name $vf.id
            # iproute2 lists no VLAN for a VF without one.
            $vf.'vlan-id' | Should -Be ([int]($reported.vlan_list | Select-Object -First 1).vlan)
            if ($reported.address -ne '00:00:00:00:00:00') { $vf.'mac-address' | Should -Be $reported.address.ToUpperInvariant() }
        }
        $global = @((Invoke-LabProgram ip -j addr show dev $Pf.Name | Out-String | ConvertFrom-Json)[0].addr_info | Where-Object scope -eq 'global')
        if ($global.Count -eq 0) { $interface.ipv4.enabled | Should -BeFalse } else { $interface.PSObject.Properties.Name | Should -Not -Contain 'ipv4' }
    }

    It '-Path writes the file once; a second run leaves it as it is' {
        $path = Join-Path ([System.IO.Path]::GetTempPath()) "sriovps-export-$PID.json"
        try {
            Export-SriovConfig $Pf.Name -Format DevicePlugin -Path $path -Confirm:$false -ErrorAction Stop
            $written = [System.IO.File]::GetLastWriteTimeUtc($path)
            Export-SriovConfig $Pf.Name -Format DevicePlugin -Path $path -Confirm:$false -ErrorAction Stop

            [System.IO.File]::GetLastWriteTimeUtc($path) | Should -Be $written
            (Get-Content -Raw $path | ConvertFrom-Json).resourceList.Count | Should -Be 2
            Test-Path "$path.sriovps.bak" | Should -BeFalse
        }
        finally { Remove-Item $path, "$path.sriovps.bak" -ErrorAction SilentlyContinue }
    }
}
