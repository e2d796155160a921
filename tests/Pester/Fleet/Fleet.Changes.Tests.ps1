#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Changes across a fleet over SSH remoting: objects that came back from a host, piped into a changer on
# that same host (-WhatIf), are recognised as its own whatever name the client used; objects from
# another host are refused there; one document applied everywhere matches each host's PFs by driver;
# a host that is down is named in its error while the others answer in full.

BeforeDiscovery {
    $script:NoFleet = -not $env:SRIOVPS_FLEET
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'FleetFixtures.ps1')
    . (Join-Path $PSScriptRoot '../Fixtures.ps1')
    $script:Fleet = Initialize-FleetTest
    $script:Hosts = $Fleet.TestHosts
    $script:Names = @($Hosts.Name)
    $script:Connection = $Fleet.Connection
    $script:RootOf = $Fleet.RootOf
    # The hosts' files, so that each test can show -WhatIf and refusals left them as they were.
    $script:TreeState = @{}
    foreach ($entry in $Hosts | Where-Object Form -EQ 'Tree') { $TreeState[$entry.Name] = Get-SriovTestTreeState -Root $entry.Root }
}

AfterAll {
    foreach ($name in $script:TreeState.Keys) {
        Get-SriovTestTreeState -Root $RootOf[$name] | Should -Be $TreeState[$name] -Because "$name's files must be as they were"
    }
}

Describe 'Changes across a fleet, over SSH remoting' -Tag 'Fleet' -Skip:$NoFleet {
    It 'a PF that came back from a host, piped into Enable-SriovVf there, plans what the host itself would' {
        $lines = Invoke-FleetClient $Fleet @'
$session = New-PSSession -HostName kvm01 @Connection
$pf = Invoke-Command -Session $session { Get-SriovPf eno49 -WarningAction SilentlyContinue }
"=== kvm01"
Invoke-Command -Session $session { $using:pf | Enable-SriovVf -Count 3 -WhatIf -WarningAction SilentlyContinue }
"=== kvm01-input"
$pf | Invoke-Command -Session $session { $input | Enable-SriovVf -Count 3 -WhatIf -WarningAction SilentlyContinue }
"=== end"
'@
        $whatIf = Split-FleetWhatIf $lines
        $local = Get-SriovTestWhatIf { Get-SriovPf eno49 -HostRoot $RootOf['kvm01'] | Enable-SriovVf -Count 3 -HostRoot $RootOf['kvm01'] -WhatIf -WarningAction SilentlyContinue }
        $local | Should -Not -BeNullOrEmpty
        $whatIf['kvm01'] | Should -Be $local -Because ($lines -join "`n")
        $whatIf['kvm01-input'] | Should -Be $local
        $whatIf['kvm01'] -join "`n" | Should -Match 're-create its VFs, 7 → 3 .* on target "0000:04:00\.0 \(eno49\)"'
    }

    It 'VFs that came back from a host, as $using: and as $input, drive Set-SriovVfDriver and Set-SriovVf there' {
        $lines = Invoke-FleetClient $Fleet @'
$sessions = New-PSSession -HostName kvm01, kvm04 @Connection
$kvm01 = $sessions | Where-Object ComputerName -EQ kvm01
$kvm04 = $sessions | Where-Object ComputerName -EQ kvm04
$vfs = Invoke-Command -Session $kvm01 { Get-SriovVf -PfName eno50 -WarningAction SilentlyContinue }
"=== kvm01"
$vfs | Select-Object -First 2 | Invoke-Command -Session $kvm01 { $input | Set-SriovVfDriver -Driver vfio-pci -WhatIf -WarningAction SilentlyContinue }
$saved = Invoke-Command -Session $kvm04 { Get-SriovVf -PfName eth0 -WarningAction SilentlyContinue }
"=== kvm04"
Invoke-Command -Session $kvm04 { $using:saved | Set-SriovVf -Trust $false -SpoofCheck $false -WhatIf -WarningAction SilentlyContinue }
"=== kvm04-applied"
Invoke-Command -Session $kvm04 { $using:saved | Set-SriovVf -Trust $false -WarningAction SilentlyContinue } -ErrorVariable failed -ErrorAction SilentlyContinue
$failed | ForEach-Object { "ERROR $($_.OriginInfo.PSComputerName) $($_.FullyQualifiedErrorId) $($_.CategoryInfo.Category)" }
'@
        $whatIf = Split-FleetWhatIf $lines
        $local = Get-SriovTestWhatIf { Get-SriovVf -PfName eno50 -HostRoot $RootOf['kvm01'] -WarningAction SilentlyContinue | Select-Object -First 2 | Set-SriovVfDriver -Driver vfio-pci -HostRoot $RootOf['kvm01'] -WhatIf -WarningAction SilentlyContinue }
        $local | Should -Not -BeNullOrEmpty
        $whatIf['kvm01'] | Should -Be $local -Because ($lines -join "`n")

        # kvm04 is a snapshot: the plan is shown, and carrying it out is refused on that host.
        $vfCount = @(Get-SriovVf -PfName eth0 -HostRoot $RootOf['kvm04'] -WarningAction SilentlyContinue).Count
        $vfCount | Should -BeGreaterThan 0
        @($whatIf['kvm04']).Count | Should -Be $vfCount
        $whatIf['kvm04'] | ForEach-Object { $_ | Should -Match '^What if: .*"ip link set eth0 vf \d+ (spoofchk off )?trust off' }
        @($whatIf['kvm04-applied']).Count | Should -Be 0
        $errors = @($lines | Where-Object { $_ -like 'ERROR *' })
        $errors.Count | Should -BeGreaterThan 0
        $errors | ForEach-Object { $_ | Should -BeLike 'ERROR kvm04 SnapshotReadOnly,SriovPS.Commands.SetSriovVfCommand InvalidOperation' }
    }

    It 'objects from one host piped into a changer on another are refused there, named, with nothing changed' {
        $lines = Invoke-FleetClient $Fleet @'
$sessions = New-PSSession -HostName kvm01, kvm07 @Connection
$kvm01 = $sessions | Where-Object ComputerName -EQ kvm01
$kvm07 = $sessions | Where-Object ComputerName -EQ kvm07
$pf = Invoke-Command -Session $kvm07 { Get-SriovPf eno49 -WarningAction SilentlyContinue }
"=== kvm01"
Invoke-Command -Session $kvm01 { $using:pf | Enable-SriovVf -Count 2 -WhatIf -WarningAction SilentlyContinue } -ErrorVariable failed -ErrorAction SilentlyContinue
$failed | ForEach-Object { "ERROR $($_.OriginInfo.PSComputerName) $($_.FullyQualifiedErrorId) $($_.CategoryInfo.Category) $($_.Exception.Message)" }
'@
        (Split-FleetWhatIf $lines)['kvm01'] | Should -BeNullOrEmpty -Because ($lines -join "`n")
        $errors = @($lines | Where-Object { $_ -like 'ERROR *' })
        $errors.Count | Should -Be 1
        $errors[0] | Should -BeLike "ERROR kvm01 ObjectFromOtherHost,SriovPS.Commands.EnableSriovVfCommand InvalidArgument The object piped in came from 'kvm07' (its PSComputerName; read on 'kvm07')*"
    }

    It 'one document applied with Set-SriovConfiguration -WhatIf on every host matches its igb PFs by driver, whatever their names' {
        $lines = Invoke-FleetClient $Fleet @'
$document = @{ pfs = @(@{ id = 'uplink'; match = @{ driver = 'igb' }; numVfs = 4; vfs = @(@{ index = '0-1'; driver = 'vfio-pci' }) }) }
$sessions = New-PSSession -HostName ($Fleet.Hosts | Select-Object -First 8).Name @Connection
foreach ($session in $sessions | Sort-Object ComputerName) {
    "=== $($session.ComputerName)"
    Invoke-Command -Session $session { $using:document | Set-SriovConfiguration -WhatIf -WarningAction SilentlyContinue } -ErrorVariable failed -ErrorAction SilentlyContinue
    $failed | ForEach-Object { "ERROR $($_.OriginInfo.PSComputerName) $($_.FullyQualifiedErrorId) $($_.Exception.Message)" }
}
'@
        $whatIf = Split-FleetWhatIf $lines
        $document = @{ pfs = @(@{ id = 'uplink'; match = @{ driver = 'igb' }; numVfs = 4; vfs = @(@{ index = '0-1'; driver = 'vfio-pci' }) }) }
        $expectedPfs = @{ kvm01 = 'eno49', 'eno50', 'eno51', 'eno52'; kvm02 = 'eth0', 'eth1'; kvm05 = 'eno1', 'eno2'; kvm07 = 'eno49', 'eno50', 'eno51', 'eno52' }
        foreach ($name in $expectedPfs.Keys) {
            $local = Get-SriovTestWhatIf { $document | Set-SriovConfiguration -HostRoot $RootOf[$name] -WhatIf -WarningAction SilentlyContinue }
            $whatIf[$name] | Should -Be $local -Because "$name plans as the host itself would"
            foreach ($pf in $expectedPfs[$name]) {
                @($whatIf[$name] | Where-Object { $_ -match "\($pf\)`"\.?$" -and $_ -match 'VFs' }).Count | Should -Be 2 -Because "$name plans the VF count and the drivers of $pf"
            }
        }
        # The hosts without igb PFs, and the one whose VFs a guest holds, refuse it: each error is its host's.
        $errors = @($lines | Where-Object { $_ -like 'ERROR *' })
        ($errors | ForEach-Object { ($_ -split ' ')[1] } | Sort-Object -Unique) -join ',' | Should -Be 'kvm03,kvm04,kvm06,kvm08'
        $errors | Where-Object { $_ -like 'ERROR kvm03 *' } | Should -Match 'no PF of this host has driver igb. Its PFs: eno1 \(ixgbe'
        $errors | Where-Object { $_ -like 'ERROR kvm04 *' } | Should -Match 'VfsInUse,SriovPS\.Commands\.SetSriovConfigurationCommand eth1''s 3 VFs cannot be re-created as 4 while they are in use' 
        foreach ($name in 'kvm03', 'kvm04', 'kvm06', 'kvm08') { $whatIf[$name] | Should -BeNullOrEmpty }
    }

    It 'a host whose sshd is down gives one error naming it, while the others answer in full' {
        $all = Invoke-Command -HostName $Names @Connection -ScriptBlock { Get-SriovPf -WarningAction SilentlyContinue }
        Stop-SriovFleetHost -Fleet $Fleet -Name kvm03
        try {
            $some = Invoke-Command -HostName $Names @Connection -ScriptBlock { Get-SriovPf -WarningAction SilentlyContinue } -ErrorVariable failed -ErrorAction SilentlyContinue
        }
        finally {
            Start-SriovFleetHost -Fleet $Fleet -Name kvm03
        }
        $failed.Count | Should -Be 1
        $failed[0].TargetObject | Should -Be 'kvm03'
        "$($failed[0])" | Should -Match '^\[kvm03\] '
        $failed[0].FullyQualifiedErrorId | Should -BeLike '*PSSessionStateBroken*'
        $failed[0].CategoryInfo.Category | Should -Be 'OpenError'
        @($some | Where-Object PSComputerName -EQ 'kvm03').Count | Should -Be 0
        $properties = 'Name', 'PciAddress', 'Driver', 'NumVfs', 'TotalVfs'
        foreach ($name in $Names | Where-Object { $_ -ne 'kvm03' }) {
            ConvertTo-FleetComparable (Get-FleetHostOutput $some $name) $properties |
                Should -Be (ConvertTo-FleetComparable (Get-FleetHostOutput $all $name) $properties) -Because "$name answered in full"
        }
        # Up again, it answers.
        (Invoke-Command -HostName kvm03 @Connection -ScriptBlock { Get-SriovPf -WarningAction SilentlyContinue }).Name | Should -Be 'eno1', 'eno2'
    }
}
