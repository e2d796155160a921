#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeDiscovery {
    # The tests run on libvirt's in-process test driver (test:///default), which libvirt.so.0 brings.
    $handle = [IntPtr]::Zero
    $NoLibvirt = -not [System.Runtime.InteropServices.NativeLibrary]::TryLoad('libvirt.so.0', [ref] $handle)
    if ($NoLibvirt) {
        Write-Warning 'Remove-VmSriovInterface tests skipped: libvirt.so.0 is not installed (Debian package libvirt0).'
    }
}

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $script:I350 = New-SriovTestHost -Fixture 'i350-4port'
    $script:Command = 'SriovPS.Commands.RemoveVmSriovInterfaceCommand'
    $script:Uri = 'test:///default'
    # The module keeps its test:///default connection, and so the networks and guests, for the whole
    # session: every network and guest of this file has this prefix and is removed after use. The test
    # driver cannot detach devices (virDomainDetachDeviceFlags), so only what comes before that is tested.
    $script:Prefix = 'sriovps-removevm-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $script:Pool = "$script:Prefix-pool"
    $script:Vm = "$script:Prefix-vm"
    $script:PoolMac = '52:54:00:5b:00:01'
    $script:VfMac = '52:54:00:5b:00:02'
    $script:NatMac = '52:54:00:5b:00:03'

    # The guest of every test, stopped: an interface on the pool, a fixed VF (eno49 vf 1) and one on the NAT network 'default'.
    function New-TestGuest {
        $domain = $script:Libvirt.DefineDomain(
            "<domain type='test'><name>$script:Vm</name><memory>65536</memory><os><type>hvm</type></os><devices>" +
            "<interface type='network'><mac address='$script:PoolMac'/><source network='$script:Pool'/></interface>" +
            "<interface type='hostdev' managed='yes'><mac address='$script:VfMac'/><source>" +
            "<address type='pci' domain='0x0000' bus='0x04' slot='0x10' function='0x4'/></source></interface>" +
            "<interface type='network'><mac address='$script:NatMac'/><source network='default'/></interface></devices></domain>")
        $domain.Dispose()
    }

    function Remove-TestGuest {
        $domain = $script:Libvirt.LookupDomain($script:Vm)
        if ($null -ne $domain) {
            try { $domain.Undefine() } finally { $domain.Dispose() }
        }
    }

    # The guest's SR-IOV interfaces as one line each: a refused or -WhatIf removal must leave them as they were.
    function Get-TestInterfaceState {
        Get-VmSriovInterface -VmName $script:Vm -Uri $script:Uri | ForEach-Object { '{0} {1} {2} {3}' -f $_.MacAddress, $_.Source, $_.InConfig, $_.Active }
    }
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    Remove-SriovTestHost $script:I350
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Remove-VmSriovInterface' -Tag 'CI' -Skip:$NoLibvirt {
    BeforeAll {
        $script:Libvirt = [SriovPS.Native.Libvirt.LibvirtConnection]::Open($script:Uri)
        $env:SRIOVPS_HOST_ROOT = $script:I350
        $null = New-LibvirtSriovNetwork -Name $script:Pool -PfName eno49 -Uri $script:Uri
    }

    AfterAll {
        Remove-TestGuest
        $env:SRIOVPS_HOST_ROOT = $script:I350
        Remove-LibvirtSriovNetwork $script:Pool -Uri $script:Uri -Force -Confirm:$false -ErrorAction SilentlyContinue
        $script:Libvirt.Dispose()
    }

    BeforeEach {
        $env:SRIOVPS_HOST_ROOT = $script:I350
        New-TestGuest
        $script:Before = Get-TestInterfaceState
    }

    AfterEach {
        Remove-TestGuest
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
    }

    It 'starts from a guest with two SR-IOV interfaces' {
        $script:Before | Should -Be @("$script:PoolMac $script:Pool True False", "$script:VfMac 0000:04:10.4 True False")
    }

    Context 'refusals' {
        # {0} is the test guest, {1} this file's prefix.
        It 'refuses <Case> as <Id> (<Category>), and changes nothing' -ForEach @(
            @{ Case = 'an unknown guest'; VmName = '{1}-nosuch'; Mac = '52:54:00:5b:00:01'; Id = 'VmNotFound'; Category = 'ObjectNotFound'; Message = "There is no libvirt guest '{1}-nosuch'." }
            @{ Case = 'a malformed MAC'; VmName = '{0}'; Mac = 'zz'; Id = 'InvalidMacAddress'; Category = 'InvalidArgument'; Message = "'zz' is not a MAC address*" }
            @{ Case = 'a MAC the guest does not have'; VmName = '{0}'; Mac = '52:54:00:5b:00:99'; Id = 'VmSriovInterfaceNotFound'; Category = 'ObjectNotFound'; Message = "The guest '{0}' has no interface with the MAC 52:54:00:5b:00:99." }
            @{ Case = 'the MAC of its NAT interface'; VmName = '{0}'; Mac = '52:54:00:5b:00:03'; Id = 'NotSriovInterface'; Category = 'InvalidArgument'; Message = "The interface 52:54:00:5b:00:03 of the guest '{0}' is not an SR-IOV interface*" }
        ) {
            $name = $VmName -f $script:Vm, $script:Prefix

            Remove-VmSriovInterface -VmName $name -MacAddress $Mac -Uri $script:Uri -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "$Id,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be $Category
            $errors[0].Exception.Message | Should -BeLike ($Message -f $script:Vm, $script:Prefix)
            { Remove-VmSriovInterface $name $Mac -Uri $script:Uri -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId "$Id,$script:Command"
            Get-TestInterfaceState | Should -Be $script:Before
        }

        It 'refuses only the MAC it cannot find, of several' {
            Remove-VmSriovInterface $script:Vm '52:54:00:5b:00:99', $script:PoolMac -Uri $script:Uri -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "VmSriovInterfaceNotFound,$script:Command"
            $errors[0].TargetObject | Should -Be '52:54:00:5b:00:99'
        }

        It "refuses an empty <Parameter> at parameter binding" -ForEach @(
            @{ Parameter = '-VmName'; Given = @{ VmName = ''; MacAddress = '52:54:00:5b:00:01' } }
            @{ Parameter = '-MacAddress'; Given = @{ VmName = 'test'; MacAddress = '' } }
        ) {
            $refusal = { Remove-VmSriovInterface @Given -Uri 'test:///default' -Confirm:$false } |
                Should -Throw -ErrorId "ParameterArgumentValidationError,$script:Command" -ExceptionType ([System.Management.Automation.ParameterBindingException]) -PassThru

            $refusal.Exception.ParameterName | Should -Be $Parameter.TrimStart('-')
        }

        It 'reports what libvirt refuses (the test driver cannot detach) as LibvirtOperationFailed, and keeps the interface' {
            Remove-VmSriovInterface $script:Vm $script:PoolMac -Uri $script:Uri -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "LibvirtOperationFailed,$script:Command"
            $errors[0].Exception.Message | Should -BeLike "libvirt could not remove the interface $script:PoolMac from '$script:Vm': *"
            Get-TestInterfaceState | Should -Be $script:Before
        }
    }

    Context '-WhatIf' {
        It 'removes nothing, for a pool interface and a fixed VF, in any spelling of the MAC' {
            $output = Remove-VmSriovInterface $script:Vm '52-54-00-5B-00-01', $script:VfMac -Uri $script:Uri -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 0
            Get-TestInterfaceState | Should -Be $script:Before
        }

        It 'removes nothing for what Get-VmSriovInterface pipes, taking -VmName and -MacAddress by property name' {
            Get-VmSriovInterface -VmName $script:Vm -Uri $script:Uri |
                Remove-VmSriovInterface -Uri $script:Uri -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 0
            Get-TestInterfaceState | Should -Be $script:Before
        }
    }

    It 'refuses -Live alone for a stopped guest as VmNotRunning (InvalidOperation), and changes nothing' {
        Remove-VmSriovInterface $script:Vm $script:PoolMac -Live -Uri $script:Uri -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue

        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be "VmNotRunning,$script:Command"
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $errors[0].Exception.Message | Should -Be "Could not remove an interface from the running guest: the guest '$script:Vm' is not running."
        Get-TestInterfaceState | Should -Be $script:Before
    }
}

Describe 'Remove-VmSriovInterface metadata' -Tag 'CI' {
    It 'asks before removing unless -Confirm:$false (ConfirmImpact High), and takes -VmName and -MacAddress by property name' {
        $command = Get-Command Remove-VmSriovInterface
        $metadata = [System.Management.Automation.CommandMetadata]::new($command)

        $metadata.SupportsShouldProcess | Should -BeTrue
        $metadata.ConfirmImpact | Should -Be 'High'
        $command.ParameterSets.Name | Should -Be '__AllParameterSets'
        foreach ($name in 'VmName', 'MacAddress') {
            $set = $command.Parameters[$name].ParameterSets['__AllParameterSets']
            $set.IsMandatory | Should -BeTrue -Because "-$name is mandatory"
            $set.ValueFromPipelineByPropertyName | Should -BeTrue -Because "-$name comes from Get-VmSriovInterface"
        }
        $command.Parameters['VmName'].ParameterSets['__AllParameterSets'].Position | Should -Be 0
        $command.Parameters['MacAddress'].ParameterSets['__AllParameterSets'].Position | Should -Be 1
        $command.Parameters['VmName'].Attributes.Where({ $_ -is [System.Management.Automation.ArgumentCompleterAttribute] }).Type.FullName |
            Should -Be 'SriovPS.Completion.VmNameCompleter'
    }
}
