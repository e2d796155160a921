#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeDiscovery {
    # The tests run on libvirt's in-process test driver (test:///default), which libvirt.so.0 brings.
    $handle = [IntPtr]::Zero
    $NoLibvirt = -not [System.Runtime.InteropServices.NativeLibrary]::TryLoad('libvirt.so.0', [ref] $handle)
    if ($NoLibvirt) {
        Write-Warning 'New-LibvirtSriovNetwork tests skipped: libvirt.so.0 is not installed (Debian package libvirt0).'
    }
}

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $script:I350 = New-SriovTestHost -Fixture 'i350-4port'
    $script:Command = 'SriovPS.Commands.NewLibvirtSriovNetworkCommand'
    $script:Uri = 'test:///default'
    # The module keeps its test:///default connection, and so the networks, for the whole session:
    # every network of this file has this prefix (or a PF's default name) and is removed after each test.
    $script:Prefix = 'sriovps-new-' + [guid]::NewGuid().ToString('N').Substring(0, 8)

    function Remove-TestNetwork {
        $env:SRIOVPS_HOST_ROOT = $script:I350
        Remove-LibvirtSriovNetwork "$script:Prefix*", 'eno49-sr-iov', 'eno50-sr-iov' -Uri $script:Uri -Force -Confirm:$false -ErrorAction SilentlyContinue
    }

    # A copy of the I350 host in which the PF at $PciAddress has only its first $Count VFs.
    function New-TestHostWithVfs {
        param([string] $PciAddress, [int] $Count)
        $root = New-SriovTestHost -Fixture 'i350-4port'
        $pf = Join-Path $root "sys/devices/pci0000:00/0000:00:02.2/$PciAddress"
        [System.IO.File]::WriteAllText((Join-Path $pf 'sriov_numvfs'), "$Count`n")
        for ($index = $Count; $index -lt 7; $index++) {
            [System.IO.File]::Delete((Join-Path $pf "virtfn$index"))
        }
        $root
    }
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    Remove-SriovTestHost $script:I350
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'New-LibvirtSriovNetwork' -Tag 'CI' -Skip:$NoLibvirt {
    BeforeEach {
        $env:SRIOVPS_HOST_ROOT = $script:I350
    }

    AfterEach {
        Remove-TestNetwork
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
    }

    Context 'validation, before libvirt is changed' {
        It 'refuses a name <Case> as InvalidNetworkName (InvalidArgument)' -ForEach @(
            @{ Case = "with '/'"; NetworkName = 'pools/eno49' }
            @{ Case = 'beginning with white space'; NetworkName = ' eno49-sr-iov' }
            @{ Case = "'..'"; NetworkName = '..' }
        ) {
            $output = New-LibvirtSriovNetwork -Name $NetworkName -PfName eno49 -Uri $script:Uri -ErrorVariable errors -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "InvalidNetworkName,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        }

        It 'throws InvalidNetworkName with -ErrorAction Stop' {
            { New-LibvirtSriovNetwork -Name 'pools/eno49' -PfName eno49 -Uri $script:Uri -ErrorAction Stop } |
                Should -Throw -ErrorId "InvalidNetworkName,$script:Command"
        }

        It 'refuses an empty <Parameter> at parameter binding' -ForEach @(
            @{ Parameter = '-Name'; Splat = @{ Name = ''; PfName = 'eno49'; Uri = 'test:///default' } }
            @{ Parameter = '-Uri'; Splat = @{ PfName = 'eno49'; Uri = '' } }
        ) {
            $refusal = { New-LibvirtSriovNetwork @Splat } |
                Should -Throw -ErrorId "ParameterArgumentValidationError,$script:Command" -ExceptionType ([System.Management.Automation.ParameterBindingException]) -PassThru

            $refusal.Exception.ParameterName | Should -Be $Parameter.TrimStart('-')
        }

        # An empty PF name reaches the command (a piped object can carry one) and selects no PF, never all.
        It 'refuses an empty -PfName as InvalidInterfaceName, and defines nothing' {
            $output = New-LibvirtSriovNetwork -Name "$script:Prefix-empty" -PfName '' -Uri $script:Uri -ErrorVariable errors -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.FullyQualifiedErrorId | Should -Be "InvalidInterfaceName,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            Get-LibvirtSriovNetwork "$script:Prefix*" -Uri $script:Uri | Should -BeNullOrEmpty
        }

        It 'reports a PF that does not exist as SriovPfNotFound, and defines nothing' {
            $output = New-LibvirtSriovNetwork -Name "$script:Prefix-nopf" -PfName nosuch -Uri $script:Uri -ErrorVariable errors -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "SriovPfNotFound,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $found = Get-LibvirtSriovNetwork "$script:Prefix*" -Uri $script:Uri
            $found | Should -BeNullOrEmpty
        }
    }

    Context '-WhatIf' {
        It 'defines nothing and outputs nothing' {
            $name = "$script:Prefix-whatif"

            $output = New-LibvirtSriovNetwork -Name $name -PfName eno49 -Autostart -Start -Uri $script:Uri -WhatIf `
                -ErrorVariable errors -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 0
            $found = Get-LibvirtSriovNetwork -Uri $script:Uri | Where-Object Name -EQ $name
            $found | Should -BeNullOrEmpty
        }
    }

    Context 'one PF' {
        It 'defines a network that names the PF, persistent and not started, and outputs it as read back' {
            $name = "$script:Prefix-one"

            $network = New-LibvirtSriovNetwork -Name $name -PfName eno49 -Uri $script:Uri -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 0
            @($network).Count | Should -Be 1
            $network | Should -BeOfType SriovPS.LibvirtSriovNetwork
            $network.Name | Should -Be $name
            $network.Uri | Should -Be 'test:///default'
            $network.PfNames | Should -Be 'eno49'
            $network.FixedVfList | Should -BeFalse
            $network.Persistent | Should -BeTrue
            $network.Active | Should -BeFalse
            $network.Autostart | Should -BeFalse
            $network.PoolSize | Should -Be 7
            $network.VfAddresses[0] | Should -Be '0000:04:10.0'
            $network.State | Should -Be 'NotStarted'
            $network.StateReason | Should -Match 'defined but not started'
        }

        It 'changes nothing when called again with the same definition, and outputs the same network' {
            $name = "$script:Prefix-again"
            $first = New-LibvirtSriovNetwork -Name $name -PfName eno49 -Uri $script:Uri

            $result = New-LibvirtSriovNetwork -Name $name -PfName eno49 -Uri $script:Uri -Verbose `
                -ErrorVariable errors -ErrorAction SilentlyContinue 4>&1

            $errors.Count | Should -Be 0
            $verbose = ($result | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message
            $verbose | Should -Contain "The network '$name' already has this definition: not defined again."
            $verbose | Should -Not -Contain "Defined network '$name'."
            $second = @($result | Where-Object { $_ -is [SriovPS.LibvirtSriovNetwork] })
            $second.Count | Should -Be 1
            foreach ($property in 'Name', 'FixedVfList', 'Active', 'Autostart', 'Persistent', 'PoolSize', 'State') {
                $second[0].$property | Should -Be $first.$property -Because "$property is unchanged"
            }
            $second[0].PfNames -join ',' | Should -Be ($first.PfNames -join ',')
        }

        It 'marks an existing network autostart and starts it when asked, without defining it again' {
            $name = "$script:Prefix-start"
            $null = New-LibvirtSriovNetwork -Name $name -PfName eno49 -Uri $script:Uri

            $result = New-LibvirtSriovNetwork -Name $name -PfName eno49 -Autostart -Start -Uri $script:Uri -Verbose `
                -ErrorVariable errors -ErrorAction SilentlyContinue 4>&1

            $errors.Count | Should -Be 0
            $verbose = ($result | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message
            $verbose | Should -Contain "Marked network '$name' to start with libvirtd."
            $verbose | Should -Contain "Started network '$name'."
            $verbose | Should -Not -Contain "Defined network '$name'."
            $network = $result | Where-Object { $_ -is [SriovPS.LibvirtSriovNetwork] }
            $network.Autostart | Should -BeTrue
            $network.Active | Should -BeTrue
            # The test driver's running networks list no VFs, so the state of a started one is not asserted.
        }

        It 'refuses another definition under the same name as LibvirtNetworkExists (ResourceExists), and leaves the network' {
            $name = "$script:Prefix-taken"
            $null = New-LibvirtSriovNetwork -Name $name -PfName eno49 -Uri $script:Uri

            $output = New-LibvirtSriovNetwork -Name $name -PfName eno50 -Uri $script:Uri -ErrorVariable errors -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "LibvirtNetworkExists,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'ResourceExists'
            $errors[0].Exception.Message | Should -Be "The libvirt network '$name' exists with another definition (PF eno49), so it was left as it is."
            (Get-LibvirtSriovNetwork $name -Uri $script:Uri).PfNames | Should -Be 'eno49'
        }

        It "refuses the name of the test driver's NAT network 'default' as LibvirtNetworkExists" {
            New-LibvirtSriovNetwork -Name default -PfName eno49 -Uri $script:Uri -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "LibvirtNetworkExists,$script:Command"
            $errors[0].Exception.Message | Should -Match 'it is not a hostdev pool'
        }
    }

    Context 'a PF without VFs' {
        BeforeAll {
            $script:NoVfs = New-TestHostWithVfs -PciAddress '0000:04:00.3' -Count 0
        }

        AfterAll {
            Remove-SriovTestHost $script:NoVfs
        }

        It 'refuses -Start as SriovPoolEmpty, and defines nothing' {
            $env:SRIOVPS_HOST_ROOT = $script:NoVfs
            $name = "$script:Prefix-empty"

            $output = New-LibvirtSriovNetwork -Name $name -PfName eno52 -Start -Uri $script:Uri -ErrorVariable errors -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "SriovPoolEmpty,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            $errors[0].Exception.Message | Should -Be "eno52 has no VFs, so the pool '$name' could not start: nothing was defined."
            $found = Get-LibvirtSriovNetwork -Uri $script:Uri | Where-Object Name -EQ $name
            $found | Should -BeNullOrEmpty
        }

        It 'defines the network without -Start, Exhausted until the PF has VFs' {
            $env:SRIOVPS_HOST_ROOT = $script:NoVfs

            $network = New-LibvirtSriovNetwork -Name "$script:Prefix-idle" -PfName eno52 -Uri $script:Uri -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 0
            $network.PoolSize | Should -Be 0
            $network.State | Should -Be 'Exhausted'
            $network.StateReason | Should -Match 'no VFs'
        }
    }

    Context 'several PFs' {
        It 'makes one network of the PFs given with -Name, listing their 14 VFs by address' {
            $network = New-LibvirtSriovNetwork -Name "$script:Prefix-two" -PfName eno49, eno50 -Uri $script:Uri `
                -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 0
            @($network).Count | Should -Be 1
            $network.FixedVfList | Should -BeTrue
            $network.PfNames | Sort-Object | Should -Be @('eno49', 'eno50')
            $network.PoolSize | Should -Be 14
            $network.VfAddresses | Should -HaveCount 14
            $network.VfAddresses | Should -Contain '0000:04:10.0'
            $network.VfAddresses | Should -Contain '0000:04:13.1'
            $network.State | Should -Be 'NotStarted'
        }

        It 'makes one network of the PFs of a whole pipeline with -Name' {
            $network = Get-SriovPf eno49, eno50 -WarningAction SilentlyContinue |
                New-LibvirtSriovNetwork -Name "$script:Prefix-piped" -Uri $script:Uri -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 0
            @($network).Count | Should -Be 1
            $network.FixedVfList | Should -BeTrue
            $network.PoolSize | Should -Be 14
        }
    }

    Context 'names from the PFs' {
        It 'names the network of a piped PF after it: eno49-sr-iov' {
            $network = Get-SriovPf eno49 -WarningAction SilentlyContinue |
                New-LibvirtSriovNetwork -Uri $script:Uri -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 0
            $network.Name | Should -Be 'eno49-sr-iov'
            $network.PfNames | Should -Be 'eno49'
            $network.FixedVfList | Should -BeFalse
            $network.PoolSize | Should -Be 7
        }

        It 'takes the README pipeline: Get-SriovPf eno49 | New-LibvirtSriovNetwork -Autostart -Start' {
            $network = Get-SriovPf eno49 -WarningAction SilentlyContinue |
                New-LibvirtSriovNetwork -Autostart -Start -Uri $script:Uri -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 0
            $network.Name | Should -Be 'eno49-sr-iov'
            $network.Active | Should -BeTrue
            $network.Autostart | Should -BeTrue
        }

        It 'takes PFs that came through remoting (Deserialized.SriovPS.SriovPf) by their name' {
            $pf = Get-SriovPf eno50 -WarningAction SilentlyContinue
            $remote = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($pf))
            $remote.PSObject.TypeNames[0] | Should -Be 'Deserialized.SriovPS.SriovPf'

            $network = $remote | New-LibvirtSriovNetwork -Uri $script:Uri -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 0
            $network.Name | Should -Be 'eno50-sr-iov'
            $network.PfNames | Should -Be 'eno50'
        }

        It 'gives each PF its own network without -Name' {
            $networks = New-LibvirtSriovNetwork -PfName eno49, eno50 -Uri $script:Uri -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 0
            $networks.Name | Should -Be @('eno49-sr-iov', 'eno50-sr-iov')
            $networks.PoolSize | Should -Be @(7, 7)
            $networks.FixedVfList | Should -Be @($false, $false)
        }
    }
}

Describe 'New-LibvirtSriovNetwork help' -Tag 'CI' {
    It 'documents the default name and the fixed list of several PFs' {
        $help = Get-Help New-LibvirtSriovNetwork -Full

        ($help.Examples.Example | Measure-Object).Count | Should -BeGreaterOrEqual 2
        ($help.Parameters.Parameter | Where-Object Name -EQ 'Name').Description.Text | Should -Match 'eno49-sr-iov'
        $description = $help.Description.Text -join "`n"
        $description | Should -Match 'FixedVfList'
    }
}
