#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeDiscovery {
    # The tests run on libvirt's in-process test driver (test:///default), which libvirt.so.0 brings.
    $handle = [IntPtr]::Zero
    $NoLibvirt = -not [System.Runtime.InteropServices.NativeLibrary]::TryLoad('libvirt.so.0', [ref] $handle)
    if ($NoLibvirt) {
        Write-Warning 'Remove-LibvirtSriovNetwork tests skipped: libvirt.so.0 is not installed (Debian package libvirt0).'
    }
}

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $script:I350 = New-SriovTestHost -Fixture 'i350-4port'
    $script:Command = 'SriovPS.Commands.RemoveLibvirtSriovNetworkCommand'
    $script:Uri = 'test:///default'
    # The module keeps its test:///default connection, and so the networks, for the whole session:
    # every network and guest of this file has this prefix and is removed after each test.
    $script:Prefix = 'sriovps-remove-' + [guid]::NewGuid().ToString('N').Substring(0, 8)

    function Remove-TestNetwork {
        $env:SRIOVPS_HOST_ROOT = $script:I350
        Remove-LibvirtSriovNetwork "$script:Prefix*" -Uri $script:Uri -Force -Confirm:$false -ErrorAction SilentlyContinue
    }

    # Whether libvirt has a network of that name, of any kind, as the module's own binding sees it.
    function Test-LibvirtNetwork {
        param([string] $Name)
        $network = $script:Libvirt.LookupNetwork($Name)
        if ($null -eq $network) {
            return $false
        }
        $network.Dispose()
        $true
    }

    # A guest with one interface on $Network, defined (and started) through the module's own libvirt
    # binding: every connection to test:///default in this process sees the same host.
    function New-TestGuest {
        param([string] $Name, [string] $Network, [switch] $Start)
        $domain = $script:Libvirt.DefineDomain(
            "<domain type='test'><name>$Name</name><memory>65536</memory><os><type>hvm</type></os>" +
            "<devices><interface type='network'><source network='$Network'/></interface></devices></domain>")
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
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    Remove-SriovTestHost $script:I350
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Remove-LibvirtSriovNetwork' -Tag 'CI' -Skip:$NoLibvirt {
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
        It 'reports an unknown literal name as LibvirtNetworkNotFound (ObjectNotFound)' {
            Remove-LibvirtSriovNetwork "$script:Prefix-nosuch" -Uri $script:Uri -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "LibvirtNetworkNotFound,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }

        It 'throws LibvirtNetworkNotFound with -ErrorAction Stop' {
            { Remove-LibvirtSriovNetwork "$script:Prefix-nosuch" -Uri $script:Uri -Confirm:$false -ErrorAction Stop } |
                Should -Throw -ErrorId "LibvirtNetworkNotFound,$script:Command"
        }

        It 'does nothing, without error, for a wildcard that matches nothing' {
            Remove-LibvirtSriovNetwork "$script:Prefix-nosuch*" -Uri $script:Uri -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 0
        }

        It "never matches a network of another kind: the test driver's NAT network 'default' stays" {
            Remove-LibvirtSriovNetwork default -Uri $script:Uri -Force -Confirm:$false -ErrorVariable literal -ErrorAction SilentlyContinue
            Remove-LibvirtSriovNetwork 'defaul*' -Uri $script:Uri -Force -Confirm:$false -ErrorVariable wildcard -ErrorAction SilentlyContinue

            $literal.Count | Should -Be 1
            $literal[0].FullyQualifiedErrorId | Should -Be "LibvirtNetworkNotFound,$script:Command"
            $wildcard.Count | Should -Be 0
            Test-LibvirtNetwork 'default' | Should -BeTrue
        }

        It 'refuses an empty name at parameter binding' {
            $refusal = { Remove-LibvirtSriovNetwork '' -Uri $script:Uri -Confirm:$false } |
                Should -Throw -ErrorId "ParameterArgumentValidationError,$script:Command" -ExceptionType ([System.Management.Automation.ParameterBindingException]) -PassThru

            $refusal.Exception.ParameterName | Should -Be 'Name'
        }
    }

    Context 'removal' {
        It 'keeps the network with -WhatIf' {
            $name = "$script:Prefix-whatif"
            $null = New-LibvirtSriovNetwork -Name $name -PfName eno49 -Start -Uri $script:Uri

            $output = Remove-LibvirtSriovNetwork $name -Uri $script:Uri -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 0
            $network = Get-LibvirtSriovNetwork $name -Uri $script:Uri
            $network.Active | Should -BeTrue
            $network.Persistent | Should -BeTrue
        }

        It 'undefines a network that is not started, outputs nothing, and Get-LibvirtSriovNetwork no longer finds it' {
            $name = "$script:Prefix-defined"
            $null = New-LibvirtSriovNetwork -Name $name -PfName eno49 -Uri $script:Uri

            $result = Remove-LibvirtSriovNetwork $name -Uri $script:Uri -Confirm:$false -Verbose -ErrorVariable errors -ErrorAction SilentlyContinue 4>&1

            $errors.Count | Should -Be 0
            $result | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] } | Should -BeNullOrEmpty
            $verbose = ($result | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message
            $verbose | Should -Contain "Undefined network '$name'."
            $verbose | Should -Not -Contain "Stopped network '$name'."
            Test-LibvirtNetwork $name | Should -BeFalse
            Get-LibvirtSriovNetwork $name -Uri $script:Uri -ErrorVariable notFound -ErrorAction SilentlyContinue
            $notFound[0].FullyQualifiedErrorId | Should -Be 'LibvirtNetworkNotFound,SriovPS.Commands.GetLibvirtSriovNetworkCommand'
        }

        It 'stops a started network, then undefines it' {
            $name = "$script:Prefix-started"
            $null = New-LibvirtSriovNetwork -Name $name -PfName eno49 -Autostart -Start -Uri $script:Uri

            $result = Remove-LibvirtSriovNetwork $name -Uri $script:Uri -Confirm:$false -Verbose -ErrorVariable errors -ErrorAction SilentlyContinue 4>&1

            $errors.Count | Should -Be 0
            $verbose = @(($result | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message)
            $verbose | Should -Contain "Stopped network '$name'."
            $verbose | Should -Contain "Undefined network '$name'."
            [array]::IndexOf($verbose, "Stopped network '$name'.") | Should -BeLessThan ([array]::IndexOf($verbose, "Undefined network '$name'."))
            Test-LibvirtNetwork $name | Should -BeFalse
        }

        It 'removes every network a wildcard selects, and those piped from Get-LibvirtSriovNetwork' {
            $null = New-LibvirtSriovNetwork -Name "$script:Prefix-w1" -PfName eno49 -Uri $script:Uri
            $null = New-LibvirtSriovNetwork -Name "$script:Prefix-w2" -PfName eno50 -Uri $script:Uri
            $null = New-LibvirtSriovNetwork -Name "$script:Prefix-p1" -PfName eno51 -Uri $script:Uri
            $null = New-LibvirtSriovNetwork -Name "$script:Prefix-p2" -PfName eno52 -Uri $script:Uri

            Remove-LibvirtSriovNetwork "$script:Prefix-w*" -Uri $script:Uri -Confirm:$false -ErrorVariable wildcard -ErrorAction SilentlyContinue
            Get-LibvirtSriovNetwork "$script:Prefix-p*" -Uri $script:Uri |
                Remove-LibvirtSriovNetwork -Uri $script:Uri -Confirm:$false -ErrorVariable piped -ErrorAction SilentlyContinue

            $wildcard.Count | Should -Be 0
            $piped.Count | Should -Be 0
            $left = Get-LibvirtSriovNetwork "$script:Prefix*" -Uri $script:Uri
            $left | Should -BeNullOrEmpty
        }
    }

    Context 'guests' {
        It 'refuses a network a running guest uses as LibvirtNetworkInUse (ResourceBusy), and leaves it' {
            $name = "$script:Prefix-busy"
            $guest = "$script:Prefix-vm1"
            $null = New-LibvirtSriovNetwork -Name $name -PfName eno49 -Uri $script:Uri
            New-TestGuest -Name $guest -Network $name -Start

            Remove-LibvirtSriovNetwork $name -Uri $script:Uri -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "LibvirtNetworkInUse,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'ResourceBusy'
            $errors[0].Exception.Message | Should -Be "The network '$name' is used by running guests ($guest), so it was left as it is."
            Test-LibvirtNetwork $name | Should -BeTrue
        }

        It 'refuses it under -WhatIf too' {
            $name = "$script:Prefix-busy"
            $null = New-LibvirtSriovNetwork -Name $name -PfName eno49 -Uri $script:Uri
            New-TestGuest -Name "$script:Prefix-vm1" -Network $name -Start

            Remove-LibvirtSriovNetwork $name -Uri $script:Uri -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "LibvirtNetworkInUse,$script:Command"
            Test-LibvirtNetwork $name | Should -BeTrue
        }

        It 'removes it with -Force, warning that the running guest keeps its VF' {
            $name = "$script:Prefix-forced"
            $guest = "$script:Prefix-vm1"
            $null = New-LibvirtSriovNetwork -Name $name -PfName eno49 -Uri $script:Uri
            New-TestGuest -Name $guest -Network $name -Start

            Remove-LibvirtSriovNetwork $name -Force -Uri $script:Uri -Confirm:$false `
                -ErrorVariable errors -ErrorAction SilentlyContinue -WarningVariable warnings -WarningAction SilentlyContinue

            $errors.Count | Should -Be 0
            $warnings.Count | Should -Be 1
            $warnings[0].Message | Should -Match ([regex]::Escape("while running guests use it ($guest)"))
            Test-LibvirtNetwork $name | Should -BeFalse
        }

        It 'removes a network that guests only have in their definition' {
            $name = "$script:Prefix-defined-only"
            $null = New-LibvirtSriovNetwork -Name $name -PfName eno49 -Uri $script:Uri
            New-TestGuest -Name "$script:Prefix-vm1" -Network $name

            Remove-LibvirtSriovNetwork $name -Uri $script:Uri -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors.Count | Should -Be 0
            Test-LibvirtNetwork $name | Should -BeFalse
        }
    }
}

Describe 'Remove-LibvirtSriovNetwork metadata and help' -Tag 'CI' {
    It 'asks before removing unless -Confirm:$false: its ConfirmImpact is High' {
        $metadata = [System.Management.Automation.CommandMetadata]::new((Get-Command Remove-LibvirtSriovNetwork))

        $metadata.SupportsShouldProcess | Should -BeTrue
        $metadata.ConfirmImpact | Should -Be 'High'
    }

    It 'documents the refusal of a network in use' {
        $help = Get-Help Remove-LibvirtSriovNetwork -Full

        ($help.Examples.Example | Measure-Object).Count | Should -BeGreaterOrEqual 2
        ($help.Parameters.Parameter | Where-Object Name -EQ 'Force').Description.Text | Should -Match 'running guests'
    }
}
