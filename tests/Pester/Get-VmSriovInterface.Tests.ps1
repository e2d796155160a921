#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeDiscovery {
    # The tests run on libvirt's in-process test driver (test:///default), which libvirt.so.0 brings.
    $handle = [IntPtr]::Zero
    $NoLibvirt = -not [System.Runtime.InteropServices.NativeLibrary]::TryLoad('libvirt.so.0', [ref] $handle)
    if ($NoLibvirt) {
        Write-Warning 'Get-VmSriovInterface tests skipped: libvirt.so.0 is not installed (Debian package libvirt0).'
    }
}

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $script:I350 = New-SriovTestHost -Fixture 'i350-4port'
    $script:Command = 'SriovPS.Commands.GetVmSriovInterfaceCommand'
    $script:Uri = 'test:///default'
    # The module keeps its test:///default connection, and so the networks and guests, for the whole
    # session: every network and guest of this file has this prefix and is removed after use.
    $script:Prefix = 'sriovps-getvm-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $script:PoolA = "$script:Prefix-a"
    $script:PoolB = "$script:Prefix-b"

    # <interface type='network'> on a pool (or on the NAT network 'default'), with what $Extra adds.
    function New-NetworkNic([string] $Network, [string] $Mac, [string] $Extra) {
        "<interface type='network'><mac address='$Mac'/><source network='$Network'/>$Extra</interface>"
    }

    # <interface type='hostdev'> naming the VF at $Vf (0000:04:10.4): a fixed VF.
    function New-VfNic([string] $Mac, [string] $Vf) {
        $bus, $slot, $fn = $Vf.Substring(5).Split([char[]] ':.')
        "<interface type='hostdev' managed='yes'><mac address='$Mac'/><source><address type='pci' domain='0x0000' " +
        "bus='0x$bus' slot='0x$slot' function='0x$fn'/></source></interface>"
    }
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    Remove-SriovTestHost $script:I350
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Get-VmSriovInterface' -Tag 'CI' -Skip:$NoLibvirt {
    BeforeAll {
        $script:Libvirt = [SriovPS.Native.Libvirt.LibvirtConnection]::Open($script:Uri)
        $env:SRIOVPS_HOST_ROOT = $script:I350
        $null = New-LibvirtSriovNetwork -Name $script:PoolA -PfName eno49 -Uri $script:Uri
        $null = New-LibvirtSriovNetwork -Name $script:PoolB -PfName eno50 -Uri $script:Uri
    }

    AfterAll {
        Remove-SriovTestGuest $script:Libvirt $script:Prefix
        $env:SRIOVPS_HOST_ROOT = $script:I350
        Remove-LibvirtSriovNetwork "$script:Prefix*" -Uri $script:Uri -Force -Confirm:$false -ErrorAction SilentlyContinue
        $script:Libvirt.Dispose()
    }

    BeforeEach {
        $env:SRIOVPS_HOST_ROOT = $script:I350
    }

    AfterEach {
        Remove-SriovTestGuest $script:Libvirt $script:Prefix
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
    }

    Context 'selection' {
        It 'outputs nothing, and no error, for <Case>' -ForEach @(
            @{ Case = "the test driver's guest 'test', which has no SR-IOV interface"; Pattern = 'test' }
            @{ Case = 'a wildcard that matches no guest'; Pattern = 'sriovps-getvm-nosuch-*' }
        ) {
            $output = Get-VmSriovInterface -VmName $Pattern -Uri $script:Uri -ErrorVariable errors -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 0
        }

        It 'reports an unknown literal name as VmNotFound (ObjectNotFound)' {
            $name = "$script:Prefix-nosuch"

            $output = Get-VmSriovInterface -VmName $name -Uri $script:Uri -ErrorVariable errors -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "VmNotFound,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $errors[0].Exception.Message | Should -Be "There is no libvirt guest '$name'."
            { Get-VmSriovInterface $name -Uri $script:Uri -ErrorAction Stop } | Should -Throw -ErrorId "VmNotFound,$script:Command"
        }

        It 'selects guests by wildcard (each once), by property name from the pipeline, and every guest without -VmName' {
            New-SriovTestGuest $script:Libvirt -Name "$script:Prefix-vm1" -Devices (New-NetworkNic $script:PoolA '52:54:00:5c:01:01')
            New-SriovTestGuest $script:Libvirt -Name "$script:Prefix-vm2" -Devices (New-NetworkNic $script:PoolA '52:54:00:5c:02:01')

            $selected = Get-VmSriovInterface "$script:Prefix-vm*", "$script:Prefix-vm1" -Uri $script:Uri
            $piped = [pscustomobject]@{ VmName = "$script:Prefix-vm2" } | Get-VmSriovInterface -Uri $script:Uri
            $all = Get-VmSriovInterface -Uri $script:Uri

            $selected.MacAddress | Sort-Object | Should -Be @('52:54:00:5c:01:01', '52:54:00:5c:02:01')
            $piped.MacAddress | Should -Be '52:54:00:5c:02:01'
            $all.MacAddress | Should -Contain '52:54:00:5c:01:01'
            $all.MacAddress | Should -Contain '52:54:00:5c:02:01'
            $all.VmName | Should -Not -Contain 'test'
        }

        It 'keeps only the interfaces on the pools -Network names, wildcards allowed' {
            New-SriovTestGuest $script:Libvirt -Name "$script:Prefix-two" -Devices ((New-NetworkNic $script:PoolA '52:54:00:5c:04:01') +
                (New-NetworkNic $script:PoolB '52:54:00:5c:04:02') + (New-VfNic '52:54:00:5c:04:03' '0000:04:10.4'))

            $onB = Get-VmSriovInterface "$script:Prefix-two" -Network $script:PoolB -Uri $script:Uri
            $onAny = Get-VmSriovInterface "$script:Prefix-two" -Network "$script:Prefix-*" -Uri $script:Uri

            $onB.MacAddress | Should -Be '52:54:00:5c:04:02'
            $onAny.MacAddress | Should -Be @('52:54:00:5c:04:01', '52:54:00:5c:04:02')
        }

        It 'takes pools from Get-LibvirtSriovNetwork as -Network, and an interface on no pool filters nothing' {
            New-SriovTestGuest $script:Libvirt -Name "$script:Prefix-piped" -Devices ((New-NetworkNic $script:PoolA '52:54:00:5c:05:01') +
                (New-NetworkNic $script:PoolB '52:54:00:5c:05:02') + (New-VfNic '52:54:00:5c:05:03' '0000:04:10.4'))

            $onB = Get-LibvirtSriovNetwork $script:PoolB -Uri $script:Uri | Get-VmSriovInterface -Uri $script:Uri -ErrorVariable errors
            $fixed = Get-VmSriovInterface "$script:Prefix-piped" -Uri $script:Uri | Where-Object MacAddress -EQ '52:54:00:5c:05:03'
            $again = $fixed | Get-VmSriovInterface -Uri $script:Uri

            $errors.Count | Should -Be 0
            $onB.MacAddress | Should -Be '52:54:00:5c:05:02'
            $fixed.Network | Should -BeNullOrEmpty
            $again.MacAddress | Sort-Object | Should -Be @('52:54:00:5c:05:01', '52:54:00:5c:05:02', '52:54:00:5c:05:03')
        }

        It 'refuses a -Network of only empty names with InvalidNetworkName, listing nothing (not every interface)' {
            New-SriovTestGuest $script:Libvirt -Name "$script:Prefix-empty" -Devices (New-NetworkNic $script:PoolA '52:54:00:5c:06:01')

            $output = Get-VmSriovInterface -Network '' -Uri $script:Uri -ErrorVariable errors -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "InvalidNetworkName,$script:Command"
        }

        It 'refuses an empty name at parameter binding' {
            $refusal = { Get-VmSriovInterface -VmName '' -Uri $script:Uri } |
                Should -Throw -ErrorId "ParameterArgumentValidationError,$script:Command" -ExceptionType ([System.Management.Automation.ParameterBindingException]) -PassThru

            $refusal.Exception.ParameterName | Should -Be 'VmName'
        }
    }

    Context 'what an interface reports' {
        It "reports a stopped guest's pool interface and fixed VF, and leaves out its NAT interface" {
            $vm = "$script:Prefix-stopped"
            $extra = "<vlan><tag id='42'/></vlan><virtualport type='802.1Qbh'><parameters profileid='prof-a'/></virtualport>"
            New-SriovTestGuest $script:Libvirt -Name $vm -Devices ((New-NetworkNic $script:PoolA '52:54:00:5c:05:01' $extra) +
                (New-VfNic '52:54:00:5c:05:02' '0000:04:10.4') + (New-NetworkNic default '52:54:00:5c:05:03'))

            $items = @(Get-VmSriovInterface -VmName $vm -Uri $script:Uri -ErrorVariable errors -ErrorAction SilentlyContinue)

            $errors.Count | Should -Be 0
            $items.MacAddress | Should -Be @('52:54:00:5c:05:01', '52:54:00:5c:05:02')
            $items.Source | Should -Be @($script:PoolA, '0000:04:10.4')
            $pool, $fixed = $items
            $pool | Should -BeOfType SriovPS.VmSriovInterface
            $pool.VmName | Should -Be $vm
            $pool.Uri | Should -Be 'test:///default'
            $pool.Network | Should -Be $script:PoolA
            $pool.SourcePciAddress | Should -BeNullOrEmpty
            $pool.Vlan | Should -Be 42
            $pool.VirtualPortProfileId | Should -Be 'prof-a'
            $pool.InConfig | Should -BeTrue
            $pool.Active | Should -BeFalse
            $pool.VmRunning | Should -BeFalse
            $pool.VfPciAddress | Should -BeNullOrEmpty
            $pool.RestartRequired | Should -BeFalse
            $pool.PoolState | Should -Be 'NotStarted'
            $fixed.Network | Should -BeNullOrEmpty
            $fixed.SourcePciAddress | Should -Be '0000:04:10.4'
            $fixed.PfName | Should -Be 'eno49'
            $fixed.VfIndex | Should -Be 1
            $fixed.PoolState | Should -BeNullOrEmpty
        }

        It 'reports a running guest: Active, VmRunning, the VF a fixed interface holds, and every tag of a VLAN trunk' {
            $vm = "$script:Prefix-running"
            $trunk = "<vlan trunk='yes'><tag id='10'/><tag id='20'/></vlan>"
            New-SriovTestGuest $script:Libvirt -Name $vm -Devices ((New-NetworkNic $script:PoolA '52:54:00:5c:06:01' $trunk) + (New-VfNic '52:54:00:5c:06:02' '0000:04:10.4')) -Start

            $pool, $fixed = Get-VmSriovInterface -VmName $vm -Uri $script:Uri

            $pool.Vlan | Should -Be 10
            $pool.VlanTags | Should -Be @(10, 20)
            $pool.InConfig | Should -BeTrue
            $pool.Active | Should -BeTrue
            $pool.VmRunning | Should -BeTrue
            $pool.RestartRequired | Should -BeFalse
            $fixed.Active | Should -BeTrue
            $fixed.VfPciAddress | Should -Be '0000:04:10.4'
            $fixed.PfName | Should -Be 'eno49'
            $fixed.VfIndex | Should -Be 1
        }

        It 'lists an interface on a network that no longer exists (a removed pool), without a PoolState' {
            New-SriovTestGuest $script:Libvirt -Name "$script:Prefix-orphan" -Devices (New-NetworkNic "$script:Prefix-gone" '52:54:00:5c:09:01')

            $item = Get-VmSriovInterface -VmName "$script:Prefix-orphan" -Uri $script:Uri

            $item.MacAddress | Should -Be '52:54:00:5c:09:01'
            $item.Network | Should -Be "$script:Prefix-gone"
            $item.PoolState | Should -BeNullOrEmpty
        }

        It 'carries the state of its pool: Overcommitted when the guests ask for more interfaces than it has VFs' {
            $nics = -join (1..8 | ForEach-Object { New-NetworkNic $script:PoolA ('52:54:00:5c:08:{0:x2}' -f $_) })
            New-SriovTestGuest $script:Libvirt -Name "$script:Prefix-over" -Devices $nics

            $items = @(Get-VmSriovInterface -VmName "$script:Prefix-over" -Uri $script:Uri)

            $items.Count | Should -Be 8
            $items.PoolState | Select-Object -Unique | Should -Be 'Overcommitted'
        }
    }
}

Describe 'Get-VmSriovInterface metadata' -Tag 'CI' {
    It 'changes nothing, takes -VmName by position and by property name, and completes guest and pool names' {
        $command = Get-Command Get-VmSriovInterface
        $vmName = $command.Parameters['VmName']

        [System.Management.Automation.CommandMetadata]::new($command).SupportsShouldProcess | Should -BeFalse
        $vmName.ParameterSets['__AllParameterSets'].Position | Should -Be 0
        $vmName.ParameterSets['__AllParameterSets'].ValueFromPipelineByPropertyName | Should -BeTrue
        $vmName.Attributes.Where({ $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count | Should -Be 1
        $vmName.Attributes.Where({ $_ -is [System.Management.Automation.ArgumentCompleterAttribute] }).Type.FullName | Should -Be 'SriovPS.Completion.VmNameCompleter'
        $command.Parameters['Network'].Attributes.Where({ $_ -is [System.Management.Automation.ArgumentCompleterAttribute] }).Type.FullName |
            Should -Be 'SriovPS.Completion.LibvirtNetworkNameCompleter'
        $command.OutputType.Name | Should -Contain 'SriovPS.VmSriovInterface'
    }
}
