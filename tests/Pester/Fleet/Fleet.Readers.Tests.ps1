#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# The readers over PowerShell remoting (SSH) across a fleet of simulated hosts (tests/fleet): each
# host's answer must be what the same command gives on the same host data here, property by property,
# nested data included, marked with the host's name and shown with the module's views.

BeforeDiscovery {
    $script:NoFleet = -not $env:SRIOVPS_FLEET
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'FleetFixtures.ps1')
    $script:Fleet = Initialize-FleetTest
    $script:Hosts = $Fleet.TestHosts
    $script:Names = @($Hosts.Name)
    $script:Connection = $Fleet.Connection
    $script:Sessions = New-PSSession -HostName $Names @Connection
    # Sessions open in any order; tests reach a host by its name.
    $script:SessionOf = @{}
    foreach ($session in $Sessions) { $SessionOf[$session.ComputerName] = $session }
    $script:RootOf = $Fleet.RootOf
}

AfterAll {
    if ($script:Sessions) { $Sessions | Remove-PSSession }
}

Describe 'The readers across a fleet, over SSH remoting' -Tag 'Fleet' -Skip:$NoFleet {
    It 'opened a session on each of the 8 hosts' {
        $Sessions.Count | Should -Be 8
        @($Sessions | Where-Object State -EQ 'Opened').Count | Should -Be 8
        ($Sessions.ComputerName | Sort-Object) -join ',' | Should -Be (($Names | Sort-Object) -join ',')
    }

    It 'Get-SriovPf through Invoke-Command -HostName: each host''s PFs, as the host gives them, marked with its name' {
        $result = Invoke-Command -HostName $Names @Connection -ScriptBlock { Get-SriovPf } -WarningAction SilentlyContinue
        foreach ($name in $Names) {
            $local = @(Get-SriovPf -HostRoot $RootOf[$name] -WarningAction SilentlyContinue)
            $remote = Get-FleetHostOutput $result $name
            if ($name -eq 'kvm08') { $local.Count | Should -Be 0 -Because 'kvm08 has no SR-IOV NIC' }
            else { $local.Count | Should -BeGreaterThan 0 }
            $properties = if ($local) { Get-FleetPropertyName $local[0] } else { @('Name') }
            ConvertTo-FleetComparable $remote $properties | Should -Be (ConvertTo-FleetComparable $local $properties) -Because "$name answered"
            $remote | ForEach-Object { $_.pstypenames[0] | Should -Be 'Deserialized.SriovPS.SriovPf' }
        }
        (Get-FleetHostOutput $result kvm01).Name | Should -Be 'eno49', 'eno50', 'eno51', 'eno52'
        (Get-FleetHostOutput $result kvm02).Name | Should -Be 'eth0', 'eth1'
        (Get-FleetHostOutput $result kvm03).Driver | Sort-Object -Unique | Should -Be 'ixgbe'
        # The host's own name rides along, whatever name the client used: a tree's /etc/hostname, a snapshot's host.
        foreach ($name in $Names | Where-Object { $_ -ne 'kvm08' }) {
            (Get-FleetHostOutput $result $name).SriovHost | Sort-Object -Unique | Should -Be $name
        }
    }

    It 'shows remote PFs and VFs with the module''s views, the computer once, as its last column' {
        $pfs = Invoke-Command -Session $SessionOf['kvm01'] -ScriptBlock { Get-SriovPf } -WarningAction SilentlyContinue
        $localTable = (Get-SriovPf -HostRoot $RootOf['kvm01'] -WarningAction SilentlyContinue | Format-Table | Out-String -Width 250) -split "`n"
        $remoteTable = ($pfs | Format-Table | Out-String -Width 250) -split "`n"
        $localHeader = @($localTable | Where-Object { $_ -match '\S' })[0].Trim() -split '\s+'
        $remoteHeader = @($remoteTable | Where-Object { $_ -match '\S' })[0].Trim() -split '\s+'
        $remoteHeader | Should -Be (@($localHeader) + 'PSComputerName')
        # The view's own rows, not a property dump of a property bag.
        $remoteTable -match '^eno49\s+0000:04:00\.0\s+igb' | Should -Not -BeNullOrEmpty

        $vfs = Invoke-Command -Session $SessionOf['kvm04'] -ScriptBlock { Get-SriovVf -PfName eth1 } -WarningAction SilentlyContinue
        $text = $vfs | Format-Table | Out-String -Width 250
        $text | Should -Match 'PfName: eth1'
        $text | Should -Match 'z-snapshot-1\s+kvm04'
        ($vfs | Format-List | Out-String -Width 250) | Should -Match 'PSComputerName\s*:\s*kvm04'
    }

    It 'Get-SriovVf -IncludeStatistics: every VF with its settings, owner and counters, nested counters whole' {
        $result = Invoke-Command -Session $Sessions -ScriptBlock { Get-SriovVf -IncludeStatistics } -WarningAction SilentlyContinue
        foreach ($name in $Names) {
            $local = @(Get-SriovVf -HostRoot $RootOf[$name] -IncludeStatistics -WarningAction SilentlyContinue)
            $remote = Get-FleetHostOutput $result $name
            $properties = if ($local) { Get-FleetPropertyName $local[0] } else { @('Index') }
            ConvertTo-FleetComparable $remote $properties | Should -Be (ConvertTo-FleetComparable $local $properties) -Because "$name answered"
        }
        # kvm04 is the lab guest's snapshot, taken on its running kernel: settings, owners and counters.
        $held = @(Get-FleetHostOutput $result kvm04 | Where-Object Owner)
        $held.Count | Should -Be 2
        $held.Owner | Sort-Object -Unique | Should -Be 'z-snapshot-1'
        $vf = Get-FleetHostOutput $result kvm04 | Where-Object { $_.PfName -eq 'eth0' -and $_.Index -eq 0 }
        $vf.Statistics.pstypenames[0] | Should -Be 'Deserialized.SriovPS.SriovVfStatistics'
        $vf.Statistics.PSObject.Properties.Name | Should -Contain 'RxPackets'
        $vf.Statistics.RxBytes | Should -BeOfType [ulong]
        # An enumeration arrives as its name, as the view and Where-Object expect.
        $vf.LinkState | Should -BeOfType [string]
        @(Get-FleetHostOutput $result kvm04 | Where-Object LinkState -EQ 'Auto').Count | Should -BeGreaterThan 0
    }

    It 'Test-SriovHost: each host''s checks as the host judges them, and -Quiet per host' {
        $result = Invoke-Command -Session $Sessions -ScriptBlock { Test-SriovHost -InformationAction Ignore } -WarningAction SilentlyContinue
        $properties = 'Status', 'Id', 'Target', 'Finding', 'Remedy'
        foreach ($name in $Names) {
            $local = @(Test-SriovHost -HostRoot $RootOf[$name] -InformationAction Ignore -WarningAction SilentlyContinue)
            $local.Count | Should -BeGreaterThan 0
            ConvertTo-FleetComparable (Get-FleetHostOutput $result $name) $properties |
                Should -Be (ConvertTo-FleetComparable $local $properties) -Because "$name answered"
        }
        (Get-FleetHostOutput $result kvm08 | Where-Object Status -EQ 'Fail').Id | Should -Contain 'Pf.SriovCapable'
        (Get-FleetHostOutput $result kvm05 | Where-Object Status -EQ 'Fail').Target | Should -Contain 'kvm05'

        $quiet = Invoke-Command -Session $Sessions -ScriptBlock { Test-SriovHost -Quiet -InformationAction Ignore } -WarningAction SilentlyContinue
        foreach ($name in $Names) {
            $expected = Test-SriovHost -HostRoot $RootOf[$name] -Quiet -InformationAction Ignore -WarningAction SilentlyContinue
            ($quiet | Where-Object PSComputerName -EQ $name) | Should -Be $expected -Because "$name answered"
        }
    }

    It 'Get-SriovConfiguration arrives whole, and a host''s own document tests clean on it' {
        $documents = Invoke-Command -Session $Sessions -ScriptBlock { Get-SriovConfiguration } -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
        foreach ($name in $Names | Where-Object { $_ -ne 'kvm08' }) {
            $remote = @(Get-FleetHostOutput $documents $name)
            $remote.Count | Should -Be 1
            $remote[0].pstypenames[0] | Should -Be 'Deserialized.SriovPS.SriovConfiguration'
            $local = Get-SriovConfiguration -HostRoot $RootOf[$name] -WarningAction SilentlyContinue
            $remoteJson = $remote[0] | Select-Object -Property * -ExcludeProperty PSComputerName, RunspaceId, PSShowComputerName | ConvertTo-Json -Depth 12
            $remoteJson | Should -Be ($local | ConvertTo-Json -Depth 12) -Because "$name answered"
            $remote[0].pfs[0].match.PSObject.Properties.Name | Should -Not -BeNullOrEmpty
        }

        # Each host's document, sent back to it, describes it.
        $clean = foreach ($session in $Sessions | Where-Object ComputerName -NE 'kvm08') {
            $document = Get-FleetHostOutput $documents $session.ComputerName
            Invoke-Command -Session $session -ScriptBlock { $using:document | Test-SriovConfiguration -Quiet } -WarningAction SilentlyContinue
        }
        @($clean).Count | Should -Be 7
        $clean | Should -Not -Contain $false
    }

    It 'Test-SriovConfiguration of one host''s document on the others: no drift on its twin, errors attributed to the hosts it does not fit' {
        $document = Invoke-Command -Session $SessionOf['kvm01'] -ScriptBlock { Get-SriovConfiguration } -WarningAction SilentlyContinue
        $drifts = Invoke-Command -Session $Sessions -ScriptBlock { $using:document | Test-SriovConfiguration } -WarningAction SilentlyContinue -ErrorVariable failed -ErrorAction SilentlyContinue
        # kvm07 is a snapshot of the same I350 host as kvm01.
        @(Get-FleetHostOutput $drifts kvm07).Count | Should -Be 0
        @(Get-FleetHostOutput $drifts kvm01).Count | Should -Be 0
        # The other hosts name their PFs otherwise: each refusal is its host's, and names the PF sought.
        $refused = @($failed | ForEach-Object { $_.OriginInfo.PSComputerName } | Sort-Object -Unique)
        $refused | Should -Be 'kvm02', 'kvm03', 'kvm04', 'kvm05', 'kvm06', 'kvm08'
        $failed | ForEach-Object { $_.Exception.Message | Should -Match 'no PF of this host has name eno(49|50|51|52)\. Its PFs: ' }
        $failed | Where-Object { $_.OriginInfo.PSComputerName -eq 'kvm02' } | ForEach-Object { $_.Exception.Message | Should -Match 'eth0 \(igb' }
    }

    It 'Export-SriovConfig: each host''s device-plugin configuration as the host writes it, or its refusal' {
        $result = Invoke-Command -Session $Sessions -ScriptBlock { Export-SriovConfig -Format DevicePlugin } -WarningAction SilentlyContinue -ErrorVariable failed -ErrorAction SilentlyContinue
        $exported = 0
        foreach ($name in $Names) {
            $remote = Get-FleetHostOutput $result $name
            $refusal = @($failed | Where-Object { $_.OriginInfo.PSComputerName -eq $name })
            try {
                $local = Export-SriovConfig -HostRoot $RootOf[$name] -Format DevicePlugin -WarningAction SilentlyContinue -ErrorAction Stop
            }
            catch {
                # A host with no VFs has nothing to export, there as here.
                $refusal.Count | Should -Be 1 -Because "$name refused here: $_"
                $refusal[0].Exception.Message | Should -BeExactly $_.Exception.Message
                $refusal[0].FullyQualifiedErrorId | Should -BeLike "$($_.FullyQualifiedErrorId.Split(',')[0]),*"
                $remote | Should -BeNullOrEmpty
                continue
            }
            $refusal | Should -BeNullOrEmpty -Because "$name exported here"
            "$remote" | Should -BeExactly "$local" -Because "$name answered"
            ("$remote" | ConvertFrom-Json).resourceList | Should -Not -BeNullOrEmpty
            $exported++
        }
        $exported | Should -BeGreaterOrEqual 4
    }
}
