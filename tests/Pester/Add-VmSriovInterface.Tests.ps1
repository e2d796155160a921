#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeDiscovery {
    # The tests run on libvirt's in-process test driver (test:///default), which libvirt.so.0 brings.
    $handle = [IntPtr]::Zero
    $NoLibvirt = -not [System.Runtime.InteropServices.NativeLibrary]::TryLoad('libvirt.so.0', [ref] $handle)
    if ($NoLibvirt) {
        Write-Warning 'Add-VmSriovInterface tests skipped: libvirt.so.0 is not installed (Debian package libvirt0).'
    }
}

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $script:I350 = New-SriovTestHost -Fixture 'i350-4port'
    $script:Command = 'SriovPS.Commands.AddVmSriovInterfaceCommand'
    $script:Uri = 'test:///default'
    # The module keeps its test:///default connection, and so the networks and guests, for the whole
    # session: every network and guest of this file has this prefix and is removed after use. The test
    # driver cannot attach devices (virDomainAttachDeviceFlags), so only what comes before that is tested.
    $script:Prefix = 'sriovps-addvm-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $script:Pool = "$script:Prefix-pool"

    function New-NetworkNic([string] $Network, [string] $Mac) {
        "<interface type='network'><mac address='$Mac'/><source network='$Network'/></interface>"
    }
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    Remove-SriovTestHost $script:I350
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Add-VmSriovInterface' -Tag 'CI' -Skip:$NoLibvirt {
    BeforeAll {
        $script:Libvirt = [SriovPS.Native.Libvirt.LibvirtConnection]::Open($script:Uri)
        $env:SRIOVPS_HOST_ROOT = $script:I350
        $null = New-LibvirtSriovNetwork -Name $script:Pool -PfName eno49 -Uri $script:Uri
    }

    AfterAll {
        Remove-SriovTestGuest $script:Libvirt $script:Prefix
        $env:SRIOVPS_HOST_ROOT = $script:I350
        Remove-LibvirtSriovNetwork $script:Pool -Uri $script:Uri -Force -Confirm:$false -ErrorAction SilentlyContinue
        $script:Libvirt.Dispose()
    }

    BeforeEach {
        $env:SRIOVPS_HOST_ROOT = $script:I350
    }

    AfterEach {
        Remove-SriovTestGuest $script:Libvirt $script:Prefix
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
    }

    Context 'parameter binding' {
        It 'refuses <Case>' -ForEach @(
            @{ Case = '-Vlan 4096'; Parameter = 'Vlan'; Given = @{ VmName = 'test'; Vlan = 4096 } }
            @{ Case = '-Vlan -1'; Parameter = 'Vlan'; Given = @{ VmName = 'test'; Vlan = -1 } }
            @{ Case = '-Count 0'; Parameter = 'Count'; Given = @{ VmName = 'test'; Count = 0 } }
            @{ Case = '-Count 257'; Parameter = 'Count'; Given = @{ VmName = 'test'; Count = 257 } }
            @{ Case = 'an empty -VmName'; Parameter = 'VmName'; Given = @{ VmName = '' } }
        ) {
            $refusal = { Add-VmSriovInterface -Network nosuch -Uri $script:Uri -WhatIf @Given } |
                Should -Throw -ErrorId "ParameterArgumentValidationError,$script:Command" -ExceptionType ([System.Management.Automation.ParameterBindingException]) -PassThru

            $refusal.Exception.ParameterName | Should -Be $Parameter
        }

        It 'refuses -Vf with <Other>: they belong to different parameter sets' -ForEach @(
            @{ Other = '-Count'; Given = @{ Count = 2 } }
            @{ Other = '-Network'; Given = @{ Network = 'nosuch' } }
        ) {
            $vf = Get-SriovVf -PfName eno49 -Index 0 -WarningAction SilentlyContinue

            { Add-VmSriovInterface -VmName test -Vf $vf -Uri $script:Uri -WhatIf @Given } |
                Should -Throw -ErrorId "AmbiguousParameterSet,$script:Command" -ExceptionType ([System.Management.Automation.ParameterBindingException])
        }
    }

    Context 'refusals, before libvirt is changed' {
        BeforeEach {
            New-SriovTestGuest $script:Libvirt -Name "$script:Prefix-off"
            New-SriovTestGuest $script:Libvirt -Name "$script:Prefix-other" -Devices (New-NetworkNic $script:Pool '52:54:00:5a:04:01')
            New-SriovTestGuest $script:Libvirt -Name "$script:Prefix-nat" -Devices (New-NetworkNic default '52:54:00:5a:05:01')
            New-SriovTestGuest $script:Libvirt -Name "$script:Prefix-owner" -Devices ("<interface type='hostdev' managed='yes'><mac address='52:54:00:5a:03:01'/>" +
                "<source><address type='pci' domain='0x0000' bus='0x04' slot='0x10' function='0x0'/></source></interface>")
        }

        # {0} in a string is this file's prefix. Without -WhatIf: a refusal that came too late would be libvirt's.
        It 'refuses <Case> as <Id> (<Category>)' -ForEach @(
            @{ Case = 'an unknown guest'; Given = @{ VmName = '{0}-nosuch' }; Id = 'VmNotFound'; Category = 'ObjectNotFound'; Message = "There is no libvirt guest '{0}-nosuch'." }
            @{ Case = '-Live alone for a stopped guest'; Given = @{ VmName = '{0}-off'; Live = $true }; Id = 'VmNotRunning'; Category = 'InvalidOperation'; Message = "Could not add an interface to the running guest: the guest '{0}-off' is not running." }
            @{ Case = 'a malformed MAC'; Given = @{ MacAddress = 'zz' }; Id = 'InvalidMacAddress'; Category = 'InvalidArgument'; Message = "'zz' is not a MAC address*" }
            @{ Case = 'a multicast MAC'; Given = @{ MacAddress = '01:00:5e:00:00:01' }; Id = 'InvalidMacAddress'; Category = 'InvalidArgument'; Message = "'01:00:5e:00:00:01' is a multicast*" }
            @{ Case = 'two MACs with -Count 3'; Given = @{ MacAddress = '52:54:00:5a:00:01', '52:54:00:5a:00:02'; Count = 3 }; Id = 'InvalidVmInterfaceArgument'; Category = 'InvalidArgument'; Message = '-Count 3 asks for 3 interfaces but -MacAddress gives 2 MACs*' }
            @{ Case = 'one MAC given twice'; Given = @{ MacAddress = '52:54:00:5a:00:01', '52-54-00-5A-00-01' }; Id = 'InvalidVmInterfaceArgument'; Category = 'InvalidArgument'; Message = 'The MAC 52:54:00:5a:00:01 is given twice.' }
            @{ Case = 'a port profile with a space'; Given = @{ VirtualPortProfileId = 'has space' }; Id = 'InvalidVmInterfaceArgument'; Category = 'InvalidArgument'; Message = "'has space' is not an 802.1Qbh port profile id*" }
            @{ Case = '-Vlan with a port profile'; Given = @{ Vlan = 42; VirtualPortProfileId = 'prof-a' }; Id = 'InvalidVmInterfaceArgument'; Category = 'InvalidArgument'; Message = 'libvirt refuses a VLAN together with an 802.1Qbh port profile*' }
            @{ Case = 'a port profile of 40 characters'; Given = @{ VirtualPortProfileId = 'x' * 40 }; Id = 'InvalidVmInterfaceArgument'; Category = 'InvalidArgument'; Message = "'$('x' * 40)' is not an 802.1Qbh*" }
            @{ Case = 'a MAC another guest has'; Given = @{ MacAddress = '52:54:00:5a:04:01' }; Id = 'MacAddressInUse'; Category = 'ResourceExists'; Message = "The MAC 52:54:00:5a:04:01 is already used by an interface of the guest '{0}-other'*" }
            @{ Case = 'a MAC the guest has on another source'; Given = @{ VmName = '{0}-nat'; MacAddress = '52:54:00:5a:05:01' }; Id = 'MacAddressInUse'; Category = 'ResourceExists'; Message = "The guest '{0}-nat' already has an interface with the MAC 52:54:00:5a:05:01, on another source." }
            @{ Case = 'an unknown network'; Given = @{ Network = 'sriovps-addvm-nosuch' }; Id = 'LibvirtNetworkNotFound'; Category = 'ObjectNotFound'; Message = "There is no libvirt network 'sriovps-addvm-nosuch'." }
            @{ Case = "the NAT network 'default'"; Given = @{ Network = 'default' }; Id = 'NotSriovNetwork'; Category = 'InvalidArgument'; Message = "The libvirt network 'default' is not an SR-IOV pool*" }
        ) {
            $arguments = @{ VmName = 'test'; Network = $script:Pool; Uri = $script:Uri }
            foreach ($key in $Given.Keys) {
                $arguments[$key] = if ($Given[$key] -is [string]) { $Given[$key] -f $script:Prefix } else { $Given[$key] }
            }

            $output = Add-VmSriovInterface @arguments -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "$Id,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be $Category
            $errors[0].Exception.Message | Should -BeLike ($Message -f $script:Prefix)
            { Add-VmSriovInterface @arguments -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId "$Id,$script:Command"
        }

        It 'refuses a fixed VF another guest has as VfOwnedByGuest (ResourceBusy), and plans a free one with -WhatIf' {
            $owned, $free = Get-SriovVf -PfName eno49 -Index 0, 1 -WarningAction SilentlyContinue

            Add-VmSriovInterface -VmName test -Vf $owned -Uri $script:Uri -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue
            Add-VmSriovInterface -VmName test -Vf $free -Vlan 100 -Uri $script:Uri -WhatIf -ErrorVariable planned -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "VfOwnedByGuest,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'ResourceBusy'
            $errors[0].Exception.Message | Should -BeLike "VF 0000:04:10.0 (eno49 vf 0) already belongs to the guest '$script:Prefix-owner'*"
            $planned.Count | Should -Be 0
            Get-VmSriovInterface -VmName test -Uri $script:Uri | Should -BeNullOrEmpty
        }

        It 'names the VF fixed in a stopped guest''s definition, and recommends a filter that leaves it out' {
            $owned = Get-SriovVf -PfName eno49 -Index 0 -WarningAction SilentlyContinue

            Add-VmSriovInterface -VmName test -Vf $owned -Uri $script:Uri -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors[0].FullyQualifiedErrorId | Should -Be "VfOwnedByGuest,$script:Command"
            $errors[0].Exception.Message | Should -BeLike "*'$script:Prefix-owner', fixed in its definition (it does not run with it now)*"
            $remedy = $errors[0].ErrorDetails.RecommendedAction
            $remedy | Should -BeLike "*0000:04:10.0 in '$script:Prefix-owner'*"
            # Owner names running guests only: the old advice, Where-Object Owner -eq $null, gave this VF again.
            $filter = [regex]::Match($remedy, 'Get-SriovVf \| Where-Object \{.*?\}').Value
            $filter | Should -Not -BeNullOrEmpty
            $free = @(& ([scriptblock]::Create($filter)) 3>$null)
            $free.PciAddress | Should -Not -Contain '0000:04:10.0'
            $free.PciAddress | Should -Contain '0000:04:10.4'
        }

        It 'finds a fixed VF the guest has rather than adding it twice, and refuses it under another MAC or with two MACs' {
            $vm = "$script:Prefix-fixed"
            New-SriovTestGuest $script:Libvirt -Name $vm -Devices ("<interface type='hostdev' managed='yes'><mac address='52:54:00:5a:07:01'/>" +
                "<source><address type='pci' domain='0x0000' bus='0x04' slot='0x10' function='0x4'/></source></interface>")
            $vf = Get-SriovVf -PfName eno49 -Index 1 -WarningAction SilentlyContinue

            $again = Add-VmSriovInterface $vm -Vf $vf -Uri $script:Uri -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue
            Add-VmSriovInterface $vm -Vf $vf -MacAddress '52:54:00:5a:07:02' -Uri $script:Uri -Confirm:$false -ErrorVariable other -ErrorAction SilentlyContinue
            Add-VmSriovInterface $vm -Vf $vf -MacAddress '52:54:00:5a:07:01', '52:54:00:5a:07:02' -Uri $script:Uri -Confirm:$false -ErrorVariable two -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 0
            $again.MacAddress | Should -Be '52:54:00:5a:07:01'
            $again.SourcePciAddress | Should -Be '0000:04:10.4'
            $other.FullyQualifiedErrorId | Should -Be "VfOwnedByGuest,$script:Command"
            $two.FullyQualifiedErrorId | Should -Be "InvalidVmInterfaceArgument,$script:Command"
        }

        It 'plans a fixed VF named by -PfName and -Index, or piped from another session, as it plans -Vf' {
            $vf = Get-SriovVf -PfName eno49 -Index 2 -WarningAction SilentlyContinue
            $remote = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($vf))

            $byObject = Get-SriovTestWhatIf { Add-VmSriovInterface -VmName test -Vf $vf -MacAddress 52:54:00:5a:08:01 -Uri $script:Uri -WhatIf -ErrorAction Stop }
            $byName = Get-SriovTestWhatIf { Add-VmSriovInterface -VmName test -PfName eno49 -Index 2 -MacAddress 52:54:00:5a:08:01 -Uri $script:Uri -WhatIf -ErrorAction Stop }
            $piped = Get-SriovTestWhatIf { $remote | Add-VmSriovInterface -VmName test -MacAddress 52:54:00:5a:08:01 -Uri $script:Uri -WhatIf -ErrorAction Stop }

            $byObject | Should -HaveCount 1
            $byObject[0] | Should -BeLike '*VF 0000:04:11.0 (eno49 vf 2)*'
            $byName | Should -Be $byObject
            $piped | Should -Be $byObject
        }

        It 'refuses <Case> as <Id>, and adds nothing' -ForEach @(
            @{ Case = 'a wildcard -PfName'; Arguments = @{ PfName = 'eno*'; Index = 0 }; Id = 'InvalidInterfaceName' }
            @{ Case = '-PfName without -Index'; Arguments = @{ PfName = 'eno49' }; Id = 'InvalidVmInterfaceArgument' }
            @{ Case = 'an index the PF lacks'; Arguments = @{ PfName = 'eno49'; Index = 7 }; Id = 'SriovVfNotFound' }
            @{ Case = 'a PF the host lacks'; Arguments = @{ PfName = 'eno99'; Index = 0 }; Id = 'SriovPfNotFound' }
        ) {
            Add-VmSriovInterface -VmName test @Arguments -Uri $script:Uri -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.FullyQualifiedErrorId | Should -Be "$Id,$script:Command"
            Get-VmSriovInterface -VmName test -Uri $script:Uri | Should -BeNullOrEmpty
        }

        It 'refuses a VF the host no longer has as SriovVfNotFound (ObjectNotFound)' {
            $vf = Get-SriovVf -PfName eno49 -Index 6 -WarningAction SilentlyContinue
            # A host whose eno49 (0000:04:00.0) has three VFs: its VF 6, 0000:04:13.0, is gone.
            $env:SRIOVPS_HOST_ROOT = $three = New-SriovTestHost -Fixture 'i350-4port'
            $pf = Join-Path $three 'sys/devices/pci0000:00/0000:00:02.2/0000:04:00.0'
            [System.IO.File]::WriteAllText((Join-Path $pf 'sriov_numvfs'), "3`n")
            3..6 | ForEach-Object { [System.IO.File]::Delete((Join-Path $pf "virtfn$_")) }

            Add-VmSriovInterface -VmName test -Vf $vf -Uri $script:Uri -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue
            Remove-SriovTestHost $three

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "SriovVfNotFound,$script:Command"
            $errors[0].Exception.Message | Should -Be 'There is no VF at 0000:04:13.0 on this host now.'
        }
    }

    Context '-WhatIf and changes' {
        It "plans -Count 1 on a pool for the running guest 'test', and adds nothing" {
            $output = Add-VmSriovInterface -VmName test -Network $script:Pool -Count 1 -Uri $script:Uri -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 0
            Get-VmSriovInterface -VmName test -Uri $script:Uri | Should -BeNullOrEmpty
            (Get-LibvirtSriovNetwork $script:Pool -Uri $script:Uri).Demand | Should -Be 0
        }

        It 'adds to the definition only when a stopped guest is given -Config -Live, saying so in -Verbose' {
            New-SriovTestGuest $script:Libvirt -Name "$script:Prefix-off"

            $result = Add-VmSriovInterface "$script:Prefix-off" $script:Pool -Config -Live -Uri $script:Uri -WhatIf -Verbose -ErrorVariable errors -ErrorAction SilentlyContinue 4>&1

            $errors.Count | Should -Be 0
            ($result | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message |
                Should -Contain "The guest '$script:Prefix-off' is not running: the interfaces go into its definition only."
        }

        It 'warns, before the change, that the pool would be overcommitted' {
            New-SriovTestGuest $script:Libvirt -Name "$script:Prefix-full" -Devices (-join (1..7 | ForEach-Object { New-NetworkNic $script:Pool "52:54:00:5a:06:0$_" }))

            Add-VmSriovInterface test $script:Pool -Uri $script:Uri -WhatIf -WarningVariable warnings -WarningAction SilentlyContinue

            $warnings.Count | Should -Be 1
            $warnings[0].Message | Should -BeLike "With 1 more on 'test', the guests defined on pool '$script:Pool' will have 8 interfaces on it, but it has 7 VFs*"
        }

        It 'outputs an interface the guest already has with that MAC, in any spelling, and changes nothing' {
            $vm = "$script:Prefix-has"
            New-SriovTestGuest $script:Libvirt -Name $vm -Devices (New-NetworkNic $script:Pool '52:54:00:5a:01:01')

            $result = Add-VmSriovInterface $vm $script:Pool -MacAddress '52-54-00-5A-01-01' -Uri $script:Uri -Verbose -ErrorVariable errors -ErrorAction SilentlyContinue 4>&1

            $errors.Count | Should -Be 0
            $item = $result | Where-Object { $_ -is [SriovPS.VmSriovInterface] }
            @($item).Count | Should -Be 1
            $item.VmName | Should -Be $vm
            $item.MacAddress | Should -Be '52:54:00:5a:01:01'
            $item.Network | Should -Be $script:Pool
            $item.InConfig | Should -BeTrue
            $item.Warnings | Should -BeNullOrEmpty
            ($result | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message |
                Should -Contain "The guest '$vm' already has the interface 52:54:00:5a:01:01 on pool '$script:Pool': nothing to add."
        }

        It 'reports what libvirt refuses (the test driver cannot attach) as LibvirtOperationFailed, and outputs nothing' {
            $vm = "$script:Prefix-bare"
            New-SriovTestGuest $script:Libvirt -Name $vm

            $output = Add-VmSriovInterface $vm $script:Pool -MacAddress '52:54:00:5a:02:01' -Uri $script:Uri -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "LibvirtOperationFailed,$script:Command"
            $errors[0].Exception.Message | Should -BeLike "libvirt could not add the interface 52:54:00:5a:02:01 on pool '$script:Pool' to '$vm': *"
            Get-VmSriovInterface -VmName $vm -Uri $script:Uri | Should -BeNullOrEmpty
        }
    }
}

Describe 'Add-VmSriovInterface metadata' -Tag 'CI' {
    It 'asks at ConfirmImpact Medium, has the sets ByNetwork (the default) and ByVf, and takes -VmName by property name with a completer' {
        $command = Get-Command Add-VmSriovInterface
        $metadata = [System.Management.Automation.CommandMetadata]::new($command)
        $vmName = $command.Parameters['VmName']

        $metadata.SupportsShouldProcess | Should -BeTrue
        $metadata.ConfirmImpact | Should -Be 'Medium'
        $command.DefaultParameterSet | Should -Be 'ByNetwork'
        $command.ParameterSets.Name | Sort-Object | Should -Be @('ByNetwork', 'ByVf')
        $command.Parameters['Network'].ParameterSets['ByNetwork'].IsMandatory | Should -BeTrue
        $command.Parameters['Count'].ParameterSets.Keys | Should -Be 'ByNetwork'
        # A fixed VF comes as itself (-Vf, by value) or by -PfName and -Index (by property name, as VFs
        # from remoting do); the command refuses a ByVf call that names neither.
        $command.Parameters['Vf'].ParameterSets['ByVf'].IsMandatory | Should -BeFalse
        $command.Parameters['Vf'].ParameterSets['ByVf'].ValueFromPipeline | Should -BeTrue
        foreach ($name in 'PfName', 'Index') {
            $command.Parameters[$name].ParameterSets.Keys | Should -Be 'ByVf'
            $command.Parameters[$name].ParameterSets['ByVf'].ValueFromPipelineByPropertyName | Should -BeTrue
        }
        $vmName.ParameterSets['__AllParameterSets'].IsMandatory | Should -BeTrue
        $vmName.ParameterSets['__AllParameterSets'].ValueFromPipelineByPropertyName | Should -BeTrue
        $vmName.Attributes.Where({ $_ -is [System.Management.Automation.ArgumentCompleterAttribute] }).Type.FullName | Should -Be 'SriovPS.Completion.VmNameCompleter'
        $command.OutputType.Name | Should -Contain 'SriovPS.VmSriovInterface'
    }
}
