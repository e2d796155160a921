#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeDiscovery {
    # The tests run on libvirt's in-process test driver (test:///default), which libvirt.so.0 brings.
    $handle = [IntPtr]::Zero
    $NoLibvirt = -not [System.Runtime.InteropServices.NativeLibrary]::TryLoad('libvirt.so.0', [ref] $handle)
    if ($NoLibvirt) {
        Write-Warning 'Get-LibvirtSriovNetwork tests skipped: libvirt.so.0 is not installed (Debian package libvirt0).'
    }
}

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $script:I350 = New-SriovTestHost -Fixture 'i350-4port'
    $script:Command = 'SriovPS.Commands.GetLibvirtSriovNetworkCommand'
    $script:Uri = 'test:///default'
    # The module keeps its test:///default connection, and so the networks, for the whole session:
    # every network and guest of this file has this prefix and is removed after each test.
    $script:Prefix = 'sriovps-get-' + [guid]::NewGuid().ToString('N').Substring(0, 8)

    function Remove-TestNetwork {
        $env:SRIOVPS_HOST_ROOT = $script:I350
        Remove-LibvirtSriovNetwork "$script:Prefix*" -Uri $script:Uri -Force -Confirm:$false -ErrorAction SilentlyContinue
    }

    # A guest with $Interfaces interfaces on $Network, defined (and started) through the module's own
    # libvirt binding: every connection to test:///default in this process sees the same host.
    function New-TestGuest {
        param([string] $Name, [string] $Network, [int] $Interfaces, [switch] $Start)
        $nics = "<interface type='network'><source network='$Network'/></interface>" * $Interfaces
        $domain = $script:Libvirt.DefineDomain(
            "<domain type='test'><name>$Name</name><memory>65536</memory><os><type>hvm</type></os><devices>$nics</devices></domain>")
        try {
            if ($Start) {
                $domain.Create()
            }
        }
        finally {
            $domain.Dispose()
        }
    }

    function Remove-TestGuest {
        foreach ($domain in $script:Libvirt.ListDomains()) {
            try {
                if ($domain.Name -like "$script:Prefix*") {
                    if ($domain.IsActive) {
                        $domain.Destroy()
                    }
                    $domain.Undefine()
                }
            }
            finally {
                $domain.Dispose()
            }
        }
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

Describe 'Get-LibvirtSriovNetwork' -Tag 'CI' -Skip:$NoLibvirt {
    BeforeAll {
        $script:Libvirt = [SriovPS.Native.Libvirt.LibvirtConnection]::Open($script:Uri)
    }

    AfterAll {
        $script:Libvirt.Dispose()
    }

    BeforeEach {
        $env:SRIOVPS_HOST_ROOT = $script:I350
    }

    AfterEach {
        Remove-TestGuest
        Remove-TestNetwork
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
    }

    Context 'selection' {
        It "lists only hostdev networks: not the test driver's NAT network 'default'" {
            $name = "$script:Prefix-list"
            $null = New-LibvirtSriovNetwork -Name $name -PfName eno49 -Uri $script:Uri

            $networks = Get-LibvirtSriovNetwork -Uri $script:Uri -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 0
            $networks.Name | Should -Contain $name
            $networks.Name | Should -Not -Contain 'default'
        }

        It 'reports an unknown literal name as LibvirtNetworkNotFound (ObjectNotFound)' {
            $name = "$script:Prefix-nosuch"

            $output = Get-LibvirtSriovNetwork $name -Uri $script:Uri -ErrorVariable errors -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "LibvirtNetworkNotFound,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $errors[0].Exception.Message | Should -Be "There is no SR-IOV (hostdev) network '$name' in libvirt."
        }

        It "reports the name of the NAT network 'default' as LibvirtNetworkNotFound" {
            Get-LibvirtSriovNetwork default -Uri $script:Uri -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "LibvirtNetworkNotFound,$script:Command"
        }

        It 'throws LibvirtNetworkNotFound with -ErrorAction Stop' {
            { Get-LibvirtSriovNetwork "$script:Prefix-nosuch" -Uri $script:Uri -ErrorAction Stop } |
                Should -Throw -ErrorId "LibvirtNetworkNotFound,$script:Command"
        }

        It 'outputs nothing, and no error, for a wildcard that matches nothing' {
            $output = Get-LibvirtSriovNetwork "$script:Prefix-nosuch*" -Uri $script:Uri -ErrorVariable errors -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 0
        }

        It 'outputs each network once, however many names select it' {
            $null = New-LibvirtSriovNetwork -Name "$script:Prefix-a" -PfName eno49 -Uri $script:Uri
            $null = New-LibvirtSriovNetwork -Name "$script:Prefix-b" -PfName eno50 -Uri $script:Uri

            $networks = Get-LibvirtSriovNetwork "$script:Prefix-*", "$script:Prefix-a" -Uri $script:Uri

            $networks.Name | Sort-Object | Should -Be @("$script:Prefix-a", "$script:Prefix-b")
        }

        It 'takes names from the pipeline by property name' {
            $name = "$script:Prefix-piped"
            $null = New-LibvirtSriovNetwork -Name $name -PfName eno49 -Uri $script:Uri

            $network = [pscustomobject]@{ Name = $name } | Get-LibvirtSriovNetwork -Uri $script:Uri

            $network.Name | Should -Be $name
        }

        It 'refuses an empty name at parameter binding' {
            $refusal = { Get-LibvirtSriovNetwork '' -Uri $script:Uri } |
                Should -Throw -ErrorId "ParameterArgumentValidationError,$script:Command" -ExceptionType ([System.Management.Automation.ParameterBindingException]) -PassThru

            $refusal.Exception.ParameterName | Should -Be 'Name'
        }
    }

    Context 'a network that names its PF' {
        It "reports the PF's VFs now as its pool, and no guests: NotStarted until it is started" {
            $name = "$script:Prefix-pf"
            $null = New-LibvirtSriovNetwork -Name $name -PfName eno49 -Uri $script:Uri

            $network = Get-LibvirtSriovNetwork $name -Uri $script:Uri

            $network | Should -BeOfType SriovPS.LibvirtSriovNetwork
            $network.Uri | Should -Be 'test:///default'
            $network.PfNames | Should -Be 'eno49'
            $network.FixedVfList | Should -BeFalse
            $network.Active | Should -BeFalse
            $network.Persistent | Should -BeTrue
            $network.PoolSize | Should -Be 7
            $network.InUse | Should -Be 0
            $network.Free | Should -Be 7
            $network.Demand | Should -Be 0
            $network.State | Should -Be 'NotStarted'
            $network.StateReason | Should -BeExactly "The network is defined but not started: a guest on it fails to start (`"network '$name' is not active`")."
            $network.Consumers | Should -BeNullOrEmpty
            $network.RunningConsumers | Should -BeNullOrEmpty
            $network.VfAddresses | Should -HaveCount 7
            $network.VfAddresses[1] | Should -Be '0000:04:10.4'
        }

        It 'is no longer NotStarted once started, and says what it sees of the running pool, not why' {
            # The test driver's running network lists no VFs (the real network driver lists the PF's), so the
            # started pool is Stale here; the lab shows it Ok on a real libvirtd.
            $name = "$script:Prefix-moved"
            $null = New-LibvirtSriovNetwork -Name $name -PfName eno49 -Start -Uri $script:Uri
            $three = New-TestHostWithVfs -PciAddress '0000:04:00.0' -Count 3
            try {
                $env:SRIOVPS_HOST_ROOT = $three

                $network = Get-LibvirtSriovNetwork $name -Uri $script:Uri

                $network.Active | Should -BeTrue
                $network.State | Should -Be 'Stale'
                $network.StateReason | Should -BeExactly 'The running pool lists 0 VFs but eno49 has 3 now.'
            }
            finally {
                Remove-SriovTestHost $three
            }
        }

        It "follows the PF's VF count while it is not started" {
            $name = "$script:Prefix-follow"
            $null = New-LibvirtSriovNetwork -Name $name -PfName eno49 -Uri $script:Uri
            $three = New-TestHostWithVfs -PciAddress '0000:04:00.0' -Count 3
            try {
                $env:SRIOVPS_HOST_ROOT = $three

                $network = Get-LibvirtSriovNetwork $name -Uri $script:Uri

                $network.PoolSize | Should -Be 3
                $network.VfAddresses | Should -HaveCount 3
                $network.State | Should -Be 'NotStarted'
            }
            finally {
                Remove-SriovTestHost $three
            }
        }

        It 'is Exhausted when its PF has no VFs' {
            $name = "$script:Prefix-none"
            $null = New-LibvirtSriovNetwork -Name $name -PfName eno49 -Uri $script:Uri
            $none = New-TestHostWithVfs -PciAddress '0000:04:00.0' -Count 0
            try {
                $env:SRIOVPS_HOST_ROOT = $none

                $network = Get-LibvirtSriovNetwork $name -Uri $script:Uri

                $network.PoolSize | Should -Be 0
                $network.Free | Should -Be 0
                $network.State | Should -Be 'Exhausted'
                $network.StateReason | Should -Be 'The pool has no VFs (its PFs have none now): a guest on it cannot start.'
            }
            finally {
                Remove-SriovTestHost $none
            }
        }
    }

    Context 'guests' {
        It 'counts the interfaces of defined guests as Demand, and names them as Consumers' {
            $name = "$script:Prefix-demand"
            $null = New-LibvirtSriovNetwork -Name $name -PfName eno49 -Uri $script:Uri
            New-TestGuest -Name "$script:Prefix-vm1" -Network $name -Interfaces 2

            $network = Get-LibvirtSriovNetwork $name -Uri $script:Uri

            $network.Demand | Should -Be 2
            $network.Consumers | Should -Be "$script:Prefix-vm1"
            $network.RunningConsumers | Should -BeNullOrEmpty
            $network.State | Should -Be 'NotStarted'
        }

        It 'is Overcommitted when the guests defined on it have more interfaces than it has VFs' {
            # As in the seeds: guests given four VFs each on a pool of 7.
            $name = "$script:Prefix-over"
            $null = New-LibvirtSriovNetwork -Name $name -PfName eno49 -Uri $script:Uri
            New-TestGuest -Name "$script:Prefix-vm1" -Network $name -Interfaces 4
            New-TestGuest -Name "$script:Prefix-vm2" -Network $name -Interfaces 4

            $network = Get-LibvirtSriovNetwork $name -Uri $script:Uri

            $network.Demand | Should -Be 8
            $network.PoolSize | Should -Be 7
            $network.State | Should -Be 'Overcommitted'
            $network.StateReason | Should -Be 'The guests defined on the pool have 8 interfaces on it but it has 7 VFs: they cannot all run at once.'
            $network.Consumers | Should -Be @("$script:Prefix-vm1", "$script:Prefix-vm2")
        }

        It 'names a running guest among RunningConsumers' {
            $name = "$script:Prefix-running"
            $null = New-LibvirtSriovNetwork -Name $name -PfName eno49 -Uri $script:Uri
            New-TestGuest -Name "$script:Prefix-vm1" -Network $name -Interfaces 1 -Start
            New-TestGuest -Name "$script:Prefix-vm2" -Network $name -Interfaces 1

            $network = Get-LibvirtSriovNetwork $name -Uri $script:Uri

            $network.Consumers | Should -Be @("$script:Prefix-vm1", "$script:Prefix-vm2")
            $network.RunningConsumers | Should -Be "$script:Prefix-vm1"
            $network.Demand | Should -Be 2
        }
    }

    Context 'a network that lists VFs by address' {
        It 'counts the listed VFs, Ok while they match the PFs' {
            $name = "$script:Prefix-fixed"
            $null = New-LibvirtSriovNetwork -Name $name -PfName eno49, eno50 -Uri $script:Uri

            $network = Get-LibvirtSriovNetwork $name -Uri $script:Uri

            $network.FixedVfList | Should -BeTrue
            $network.PfNames | Sort-Object | Should -Be @('eno49', 'eno50')
            $network.PoolSize | Should -Be 14
            $network.State | Should -Be 'NotStarted'
        }

        It 'is Stale once a PF has fewer VFs than the list names' {
            $name = "$script:Prefix-stale"
            $null = New-LibvirtSriovNetwork -Name $name -PfName eno49, eno50 -Uri $script:Uri
            $fewer = New-TestHostWithVfs -PciAddress '0000:04:00.1' -Count 3
            try {
                $env:SRIOVPS_HOST_ROOT = $fewer

                $network = Get-LibvirtSriovNetwork $name -Uri $script:Uri

                $network.PoolSize | Should -Be 10
                $network.VfAddresses | Should -HaveCount 14
                $network.State | Should -Be 'Stale'
                $network.StateReason | Should -Match 'names 14 VFs, 4 of which no longer exist'
            }
            finally {
                Remove-SriovTestHost $fewer
            }
        }
    }

    Context 'the libvirt to read' {
        It 'ends the command with LibvirtConnectionFailed (ConnectionError) when libvirtd cannot be reached' {
            $thrown = { Get-LibvirtSriovNetwork -Uri 'qemu:///system?socket=/nonexistent/sock' } |
                Should -Throw -ErrorId "LibvirtConnectionFailed,$script:Command" -PassThru

            $thrown.CategoryInfo.Category | Should -Be 'ConnectionError'
            $thrown.Exception.Message | Should -Match '/nonexistent/sock'
        }

        It 'reads the libvirt of $env:LIBVIRT_DEFAULT_URI without -Uri' {
            $name = "$script:Prefix-default-uri"
            $null = New-LibvirtSriovNetwork -Name $name -PfName eno49 -Uri $script:Uri
            $saved = $env:LIBVIRT_DEFAULT_URI
            try {
                $env:LIBVIRT_DEFAULT_URI = $script:Uri

                $network = Get-LibvirtSriovNetwork $name
            }
            finally {
                $env:LIBVIRT_DEFAULT_URI = $saved
            }

            $network.Name | Should -Be $name
            $network.Uri | Should -Be 'test:///default'
        }
    }
}

Describe 'Get-LibvirtSriovNetwork help' -Tag 'CI' {
    It 'documents the states' {
        $help = Get-Help Get-LibvirtSriovNetwork -Full

        ($help.Examples.Example | Measure-Object).Count | Should -BeGreaterOrEqual 2
        $description = $help.Description.Text -join "`n"
        $description | Should -Match 'Overcommitted'
        $description | Should -Match 'Stale'
        $description | Should -Match 'NotStarted'
    }
}
