#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# What a command does with the objects piped to it: a VF never stands for its whole PF in a command
# that acts on whole PFs, objects that came from another computer through remoting are not applied
# here, and a PF is found again by its PCI address even without an interface name.

BeforeDiscovery {
    $handle = [IntPtr]::Zero
    $NoLibvirt = -not [System.Runtime.InteropServices.NativeLibrary]::TryLoad('libvirt.so.0', [ref] $handle)
}

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    $script:CallersUri = $env:LIBVIRT_DEFAULT_URI
    Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $script:I350 = New-SriovTestHost -Fixture 'i350-4port'
    $script:NoDriver = New-SriovTestHost -Fixture 'e810-nodriver'

    # What Invoke-Command returns for $Object run on $Computer: a property bag with PSComputerName.
    function ConvertTo-RemoteObject([object] $Object, [string] $Computer) {
        $bag = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($Object))
        $bag | Add-Member -NotePropertyName PSComputerName -NotePropertyValue $Computer -PassThru
    }

    function Get-ErrorId([System.Management.Automation.ErrorRecord[]] $Records) {
        @($Records | ForEach-Object { $_.FullyQualifiedErrorId.Split(',')[0] })
    }
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    $env:LIBVIRT_DEFAULT_URI = $script:CallersUri
    Remove-SriovTestHost $script:I350
    Remove-SriovTestHost $script:NoDriver
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'A VF piped to a command that acts on whole PFs' -Tag 'CI' {
    BeforeAll {
        $script:Vf0 = Get-SriovVf eno49 -Index 0 -HostRoot $script:I350 -WarningAction SilentlyContinue
        $script:Vfs01 = Get-SriovVf eno49 -Index 0, 1 -HostRoot $script:I350 -WarningAction SilentlyContinue
        $script:Before = Get-SriovTestTreeState $script:I350
    }

    AfterEach {
        Get-SriovTestTreeState $script:I350 | Should -Be $script:Before
    }

    It '<Name> refuses it with VfGivenForPf, plans nothing and changes nothing' -ForEach @(
        @{ Name = 'Disable-SriovVf'; Run = { $args[0] | Disable-SriovVf -HostRoot $args[1] -WhatIf -ErrorVariable +e -ErrorAction SilentlyContinue -WarningAction SilentlyContinue } }
        @{ Name = 'Enable-SriovVf'; Run = { $args[0] | Enable-SriovVf -Count 2 -HostRoot $args[1] -WhatIf -ErrorVariable +e -ErrorAction SilentlyContinue -WarningAction SilentlyContinue } }
        @{ Name = 'Set-SriovPf'; Run = { $args[0] | Set-SriovPf -Mtu 9000 -HostRoot $args[1] -WhatIf -ErrorVariable +e -ErrorAction SilentlyContinue -WarningAction SilentlyContinue } }
    ) {
        $e = [System.Collections.ArrayList]::new()
        $vfs = $script:Vfs01
        $whatIf = Get-SriovTestWhatIf { & $Run $vfs $script:I350 }
        # Run again outside the transcript to read the errors, which Get-SriovTestWhatIf does not return.
        $e.Clear()
        $null = & $Run $vfs $script:I350

        $whatIf | Should -BeNullOrEmpty
        Get-ErrorId $e | Should -Be @('VfGivenForPf', 'VfGivenForPf')
        $e[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e[0].Exception.Message | Should -BeLike "$Name acts on a whole PF, and the object piped in is a VF*"
        $e[0].ErrorDetails.RecommendedAction | Should -BeLike '*Get-SriovPf*-PfName*'
    }

    It 'is refused when it came through remoting from this very host too (Deserialized.SriovPS.SriovVf)' {
        $bag = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($script:Vf0))
        $bag.pstypenames[0] | Should -Be 'Deserialized.SriovPS.SriovVf'

        $bag | Disable-SriovVf -HostRoot $script:I350 -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

        Get-ErrorId $errors | Should -Be 'VfGivenForPf'
    }

    It 'is refused as a guest''s interface too (one VF), naming its PF: Set-SriovPf would take the link from every guest on it' {
        $interface = [pscustomobject]@{ PSTypeName = 'SriovPS.VmSriovInterface'; VmName = 'web1'; PfName = 'eno49'; MacAddress = '52:54:00:00:00:01' }

        $interface | Set-SriovPf -LinkState Down -HostRoot $script:I350 -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

        Get-ErrorId $errors | Should -Be 'VfGivenForPf'
        $errors[0].Exception.Message | Should -BeLike "*is a guest's SR-IOV interface (one VF) of eno49*"
    }

    It 'leaves the PF itself to be changed: Get-SriovPf eno49 | Disable-SriovVf plans the removal of its 7 VFs' {
        $whatIf = Get-SriovTestWhatIf {
            Get-SriovPf eno49 -HostRoot $script:I350 | Disable-SriovVf -HostRoot $script:I350 -WhatIf -ErrorAction Stop -WarningAction SilentlyContinue
        }

        $whatIf | Should -Be 'What if: Performing the operation "remove all 7 VFs" on target "0000:04:00.0 (eno49)".'
    }

    It 'binds to its PF in Get-SriovPf, not its own interface name' {
        $pf = $script:Vf0 | Get-SriovPf -HostRoot $script:I350 -ErrorAction Stop

        $pf.Name | Should -Be 'eno49'
        $pf.PciAddress | Should -Be $script:Vf0.PfPciAddress
    }

    It 'binds to its PF in Get-SriovVf' {
        $vfs = $script:Vf0 | Get-SriovVf -HostRoot $script:I350 -ErrorAction Stop -WarningAction SilentlyContinue

        $vfs.PfName | Select-Object -Unique | Should -Be 'eno49'
        $vfs.Count | Should -Be 7
    }

    It 'is refused by New-LibvirtSriovNetwork, which defines nothing' -Skip:$NoLibvirt {
        $name = 'sriovps-piped-' + [guid]::NewGuid().ToString('N').Substring(0, 8)

        $script:Vf0 | New-LibvirtSriovNetwork -Name $name -HostRoot $script:I350 -Uri 'test:///default' -ErrorVariable errors -ErrorAction SilentlyContinue

        Get-ErrorId $errors | Should -Be 'VfGivenForPf'
        Get-LibvirtSriovNetwork -Uri 'test:///default' -HostRoot $script:I350 | Where-Object Name -EQ $name | Should -BeNullOrEmpty
    }
}

Describe 'Objects that came from another computer' -Tag 'CI' {
    BeforeAll {
        $script:Pf = Get-SriovPf eno49 -HostRoot $script:I350
        $script:Vf = Get-SriovVf eno49 -Index 0 -HostRoot $script:I350 -WarningAction SilentlyContinue
        $script:RemotePf = ConvertTo-RemoteObject $script:Pf 'kvm-node-07'
        $script:RemoteVf = ConvertTo-RemoteObject $script:Vf 'kvm-node-07'
        $script:Before = Get-SriovTestTreeState $script:I350
    }

    AfterEach {
        Get-SriovTestTreeState $script:I350 | Should -Be $script:Before
    }

    It '<Name> refuses them with ObjectFromOtherHost naming both hosts, and plans nothing' -ForEach @(
        @{ Name = 'Disable-SriovVf'; Kind = 'Pf'; Run = { $args[0] | Disable-SriovVf -HostRoot $args[1] -WhatIf -ErrorVariable +e -ErrorAction SilentlyContinue -WarningAction SilentlyContinue } }
        @{ Name = 'Enable-SriovVf'; Kind = 'Pf'; Run = { $args[0] | Enable-SriovVf -Count 2 -HostRoot $args[1] -WhatIf -ErrorVariable +e -ErrorAction SilentlyContinue -WarningAction SilentlyContinue } }
        @{ Name = 'Set-SriovPf'; Kind = 'Pf'; Run = { $args[0] | Set-SriovPf -LinkState Down -HostRoot $args[1] -WhatIf -ErrorVariable +e -ErrorAction SilentlyContinue -WarningAction SilentlyContinue } }
        @{ Name = 'Get-SriovVf'; Kind = 'Pf'; Run = { $args[0] | Get-SriovVf -HostRoot $args[1] -ErrorVariable +e -ErrorAction SilentlyContinue -WarningAction SilentlyContinue } }
        @{ Name = 'Set-SriovVf'; Kind = 'Vf'; Run = { $args[0] | Set-SriovVf -Vlan 10 -HostRoot $args[1] -WhatIf -ErrorVariable +e -ErrorAction SilentlyContinue -WarningAction SilentlyContinue } }
        @{ Name = 'Set-SriovVfDriver'; Kind = 'Vf'; Run = { $args[0] | Set-SriovVfDriver -Driver vfio-pci -HostRoot $args[1] -WhatIf -ErrorVariable +e -ErrorAction SilentlyContinue -WarningAction SilentlyContinue } }
        @{ Name = 'Repair-VfioAppArmor'; Kind = 'Vf'; Run = { $args[0] | Repair-VfioAppArmor -HostRoot $args[1] -WhatIf -ErrorVariable +e -ErrorAction SilentlyContinue -WarningAction SilentlyContinue } }
    ) {
        $e = [System.Collections.ArrayList]::new()
        $object = if ($Kind -eq 'Pf') { $script:RemotePf } else { $script:RemoteVf }
        $whatIf = Get-SriovTestWhatIf { $null = & $Run $object $script:I350 }
        $e.Clear()
        $output = & $Run $object $script:I350

        $whatIf | Should -BeNullOrEmpty
        $output | Should -BeNullOrEmpty
        Get-ErrorId $e | Should -Be 'ObjectFromOtherHost'
        $e[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e[0].Exception.Message | Should -BeLike "*came from 'kvm-node-07'*$Name works on the host tree '$($script:I350)'*"
        $e[0].ErrorDetails.RecommendedAction | Should -BeLike '*Invoke-Command -ComputerName kvm-node-07*'
    }

    It 'are taken when they came from the host the command works on (a tree whose /etc/hostname names it)' {
        $named = New-SriovTestHost -Fixture 'i350-4port'
        try {
            Set-SriovTestHostFile $named '/etc/hostname' "kvm-node-07`n"

            $whatIf = Get-SriovTestWhatIf {
                $script:RemotePf | Disable-SriovVf -HostRoot $named -WhatIf -ErrorAction Stop -WarningAction SilentlyContinue
            }
            $fqdn = ConvertTo-RemoteObject $script:Pf 'KVM-NODE-07.example.net' | Get-SriovVf -HostRoot $named -ErrorAction Stop -WarningAction SilentlyContinue

            $whatIf | Should -Be 'What if: Performing the operation "remove all 7 VFs" on target "0000:04:00.0 (eno49)".'
            $fqdn.Count | Should -Be 7
        }
        finally {
            Remove-SriovTestHost $named
        }
    }

    It 'are taken when they carry the name of the host the command works on (SriovHost), whatever their PSComputerName' {
        $named = New-SriovTestHost -Fixture 'i350-4port'
        try {
            Set-SriovTestHostFile $named '/etc/hostname' "kvm-node-07`n"
            # The client reached the host by its address: PSComputerName is no name of it.
            $byAddress = ConvertTo-RemoteObject $script:Pf '192.0.2.7' | Add-Member -NotePropertyName SriovHost -NotePropertyValue 'kvm-node-07' -PassThru
            $fromElsewhere = ConvertTo-RemoteObject $script:Pf '192.0.2.8' | Add-Member -NotePropertyName SriovHost -NotePropertyValue 'kvm-node-08' -PassThru

            # Loopback names, and a name only like this one, name no host in particular.
            $vague = foreach ($origin in 'localhost', '127.0.0.1', 'kvm-node-07.example.net', 'KVM-NODE') {
                ConvertTo-RemoteObject $script:Pf '192.0.2.9' | Add-Member -NotePropertyName SriovHost -NotePropertyValue $origin -PassThru
            }

            $vfs = $byAddress | Get-SriovVf -HostRoot $named -ErrorAction Stop -WarningAction SilentlyContinue
            $refused = $fromElsewhere | Get-SriovVf -HostRoot $named -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
            $vagueRefused = $vague | Get-SriovVf -HostRoot $named -ErrorVariable vagueErrors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            @($vfs).Count | Should -Be 7
            $refused | Should -BeNullOrEmpty
            Get-ErrorId $errors | Should -Be 'ObjectFromOtherHost'
            $errors[0].Exception.Message | Should -BeLike "*came from '192.0.2.8' (its PSComputerName; read on 'kvm-node-08')*"
            $vagueRefused | Should -BeNullOrEmpty
            Get-ErrorId $vagueErrors | Should -Be 'ObjectFromOtherHost', 'ObjectFromOtherHost', 'ObjectFromOtherHost', 'ObjectFromOtherHost'
        }
        finally {
            Remove-SriovTestHost $named
        }
    }

    It 'are marked with the host''s own name (SriovHost) when a command runs in a remote session, and only there' {
        $named = New-SriovTestHost -Fixture 'i350-4port'
        try {
            Set-SriovTestHostFile $named '/etc/hostname' "kvm-node-07`n"
            $local = Get-SriovPf eno49 -HostRoot $named
            # $PSSenderInfo is what tells a remote session (about_Automatic_Variables).
            $global:PSSenderInfo = [pscustomobject]@{ ConnectionString = 'ssh' }
            try {
                $remote = Get-SriovPf eno49 -HostRoot $named
                $remoteVf = Get-SriovVf eno49 -Index 0 -HostRoot $named -WarningAction SilentlyContinue
            }
            finally {
                Remove-Variable -Name PSSenderInfo -Scope Global
            }

            $local.PSObject.Properties['SriovHost'] | Should -BeNullOrEmpty
            $remote.SriovHost | Should -Be 'kvm-node-07'
            $remoteVf.SriovHost | Should -Be 'kvm-node-07'
            $remote.pstypenames[0] | Should -Be 'SriovPS.SriovPf'
            # Through remoting it keeps the mark, and a changer on that host takes it under another name.
            $back = ConvertTo-RemoteObject $remote '192.0.2.7'
            $back.SriovHost | Should -Be 'kvm-node-07'
            $whatIf = Get-SriovTestWhatIf { $back | Disable-SriovVf -HostRoot $named -WhatIf -ErrorAction Stop -WarningAction SilentlyContinue }
            $whatIf | Should -Be 'What if: Performing the operation "remove all 7 VFs" on target "0000:04:00.0 (eno49)".'
        }
        finally {
            Remove-SriovTestHost $named
        }
    }

    It 'are refused by the libvirt commands unless -Uri names that computer' -Skip:$NoLibvirt {
        $pool = [pscustomobject]@{ Name = 'sriovps-nosuch-pool'; PSComputerName = 'kvm-node-07' }

        $pool | Remove-LibvirtSriovNetwork -HostRoot $script:I350 -Uri 'test:///default' -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue

        Get-ErrorId $errors | Should -Be 'ObjectFromOtherHost'
        $errors[0].Exception.Message | Should -BeLike "*came from 'kvm-node-07'*"
    }
}

Describe 'A PF piped in without an interface name' -Tag 'CI' {
    It '<Name> finds it by its PCI address and gives its own refusal, not a name error' -ForEach @(
        @{ Name = 'Enable-SriovVf'; Id = 'PfDriverMissing'; Run = { $args[0] | Enable-SriovVf -Count 2 -HostRoot $args[1] -WhatIf -ErrorVariable +e -ErrorAction SilentlyContinue -WarningAction SilentlyContinue } }
        @{ Name = 'Set-SriovPf'; Id = 'PfInterfaceMissing'; Run = { $args[0] | Set-SriovPf -Mtu 9000 -HostRoot $args[1] -WhatIf -ErrorVariable +e -ErrorAction SilentlyContinue -WarningAction SilentlyContinue } }
    ) {
        $e = [System.Collections.ArrayList]::new()
        $before = Get-SriovTestTreeState $script:NoDriver
        $pf = Get-SriovPf -HostRoot $script:NoDriver | Where-Object Name -EQ $null | Select-Object -First 1
        $pf | Should -Not -BeNullOrEmpty

        & $Run $pf $script:NoDriver

        Get-ErrorId $e | Should -Be $Id
        $e[0].Exception.Message | Should -BeLike "*$($pf.PciAddress)*"
        Get-SriovTestTreeState $script:NoDriver | Should -Be $before
    }
}

Describe 'Get-SriovVf -Index' -Tag 'CI' {
    It 'asked of every PF, is an error only when no PF has that VF: a spare port without VFs is none' {
        $x540 = New-SriovTestHost -Fixture 'connectx5'
        try {
            $withVfs = @(Get-SriovPf -HostRoot $x540 | Where-Object NumVfs -GT 0)
            $spare = @(Get-SriovPf -HostRoot $x540 | Where-Object NumVfs -EQ 0)
            $vfs = Get-SriovVf -Index 0 -HostRoot $x540 -ErrorVariable none -WarningAction SilentlyContinue
            $null = Get-SriovVf -Index 0, 99 -HostRoot $x540 -ErrorVariable missing -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        }
        finally {
            Remove-SriovTestHost $x540
        }

        $withVfs.Count | Should -BeGreaterThan 0
        $spare.Count | Should -BeGreaterThan 0
        @($vfs).Count | Should -Be $withVfs.Count
        $none.Count | Should -Be 0
        $missing.Count | Should -Be 1
        $missing[0].Exception.Message | Should -Be 'No PF here has a VF 99.'
    }

    It 'reports each index the PF lacks as SriovVfNotFound and still lists the others' {
        $vfs = Get-SriovVf eno49 -Index 6, 7, 99 -HostRoot $script:I350 -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

        $vfs.Index | Should -Be 6
        Get-ErrorId $errors | Should -Be @('SriovVfNotFound', 'SriovVfNotFound')
        $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errors.Exception.Message | Should -Be @('eno49 has 7 VFs (0–6): there is no VF 7.', 'eno49 has 7 VFs (0–6): there is no VF 99.')
    }

    It 'fails a script that asks for a VF that is not there ($? is false, -ErrorAction Stop throws)' {
        { Get-SriovVf eno49 -Index 99 -HostRoot $script:I350 -ErrorAction Stop -WarningAction SilentlyContinue } |
            Should -Throw -ErrorId 'SriovVfNotFound,SriovPS.Commands.GetSriovVfCommand'
        $null = Get-SriovVf eno49 -Index 99 -HostRoot $script:I350 -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $? | Should -BeFalse
    }
}

Describe 'A pool piped to Test-SriovHost' -Tag 'CI' -Skip:$NoLibvirt {
    BeforeAll {
        $script:Pool = 'sriovps-piped-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        $null = New-LibvirtSriovNetwork -Name $script:Pool -PfName eno49 -HostRoot $script:I350 -Uri 'test:///default'
    }

    AfterAll {
        Remove-LibvirtSriovNetwork $script:Pool -HostRoot $script:I350 -Uri 'test:///default' -Force -Confirm:$false -ErrorAction SilentlyContinue
    }

    It 'binds its name to -Network (not to -PfName): the same checks as -Network names it' {
        $byName = @(Test-SriovHost -Network $script:Pool -Uri 'test:///default' -WarningAction SilentlyContinue -InformationAction Ignore)
        $piped = @(Get-LibvirtSriovNetwork $script:Pool -HostRoot $script:I350 -Uri 'test:///default' |
            Test-SriovHost -Uri 'test:///default' -ErrorVariable errors -WarningAction SilentlyContinue -InformationAction Ignore)

        $errors.Count | Should -Be 0
        $piped.Target | Should -Contain $script:Pool
        ($piped | ForEach-Object { "$($_.Id) $($_.Target) $($_.Status)" }) | Should -Be ($byName | ForEach-Object { "$($_.Id) $($_.Target) $($_.Status)" })
    }

    It 'answers -Quiet $false for a pool libvirt does not have' {
        $pool = [pscustomobject]@{ Network = 'sriovps-nosuch-pool' }

        $answer = $pool | Test-SriovHost -Uri 'test:///default' -Quiet -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

        $answer | Should -BeFalse
        $errors[0].FullyQualifiedErrorId | Should -Be 'LibvirtNetworkNotFound,SriovPS.Commands.TestSriovHostCommand'
    }
}
