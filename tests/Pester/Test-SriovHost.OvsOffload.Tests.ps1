#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Test-SriovHost -For OvsOffload on the snapshot of a ConnectX-5 host ready for Open vSwitch offload
# (tests/fixtures/snapshots/connectx5-switchdev: port 0 in switchdev with 8 VFs and their representors,
# hw-tc-offload on, OVS running with hw-offload and the ports in br-sriov), and on copies of it with one
# thing undone in its ovs.json, kernel.json or host files: each check fails with its remedy.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    # Runs once Test-SriovHost has -For; skipped (not failed) by a module without it.
    $NoFor = -not (Get-Command Test-SriovHost).Parameters.ContainsKey('For')
}

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    $script:CallersCache = $env:XDG_CACHE_HOME
    Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $script:Work = Join-Path ([System.IO.Path]::GetTempPath()) ('sriovps-ovs-' + [guid]::NewGuid().ToString('N'))
    $null = [System.IO.Directory]::CreateDirectory($script:Work)
    $env:XDG_CACHE_HOME = Join-Path $script:Work 'cache'
    $script:Ready = Join-Path $PSScriptRoot '../fixtures/snapshots/connectx5-switchdev'
    $script:Pf = 'enp10s0f0np0'
    $script:Representors = 0..7 | ForEach-Object { "enp10s0f0npf0vf$_" }
    $PSDefaultParameterValues = @{ 'Test-SriovHost:WarningAction' = 'SilentlyContinue' }

    # A copy of the ready snapshot, changed by $Edit (given the copy's directory); a cache entry of its own.
    function New-TestSnapshot {
        param([scriptblock] $Edit)
        $copy = Join-Path $script:Work ([guid]::NewGuid().ToString('N'))
        $null = [System.IO.Directory]::CreateDirectory($copy)
        Copy-Item (Join-Path $script:Ready '*') $copy
        Add-Content (Join-Path $copy 'host.hosttree') "# copy $(Split-Path $copy -Leaf)"
        if ($Edit) { & $Edit $copy }
        $copy
    }

    function Edit-TestJson {
        param([string] $Path, [scriptblock] $Edit)
        $json = Get-Content -Raw $Path | ConvertFrom-Json -AsHashtable
        & $Edit $json
        $json | ConvertTo-Json -Depth 20 | Set-Content $Path
    }

    function Get-OvsCheck {
        param([string] $Snapshot)
        @(Test-SriovHost -For OvsOffload -HostRoot $Snapshot | Where-Object Id -like 'Ovs.*')
    }
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    $env:XDG_CACHE_HOME = $script:CallersCache
    Remove-Item -Recurse -Force $script:Work -ErrorAction SilentlyContinue
}

Describe 'Test-SriovHost -For OvsOffload' -Tag 'CI' -Skip:$NoFor {
    It 'passes every Open vSwitch check on the ready host but the note on connection tracking' {
        $checks = Get-OvsCheck (New-TestSnapshot)

        foreach ($id in 'Ovs.Running', 'Ovs.HwOffload') { (Get-Check $checks $id).Status | Should -Be 'Pass' -Because $id }
        foreach ($id in 'Ovs.Switchdev', 'Ovs.HwTcOffload', 'Ovs.Representors', 'Ovs.Bridge') {
            (Get-Check $checks $id $script:Pf).Status | Should -Be 'Pass' -Because "$id of $($script:Pf)"
        }
        (Get-Check $checks 'Ovs.Conntrack').Status | Should -Be 'Warning'
        (Get-Check $checks 'Ovs.Bridge' $script:Pf).Finding | Should -BeLike '*bridge br-sriov*'
    }

    It 'leaves the unused legacy port without VFs unjudged, and judges it once named with -PfName' {
        $snapshot = New-TestSnapshot
        $checks = Get-OvsCheck $snapshot
        foreach ($id in 'Ovs.Switchdev', 'Ovs.HwTcOffload', 'Ovs.Representors', 'Ovs.Bridge') {
            $check = Get-Check $checks $id 'enp10s0f1np1'
            $check.Status | Should -Be 'Skipped' -Because $id
            $check.Finding | Should -BeLike '*has no VFs and is in legacy mode: not set up for offload.'
        }

        $named = @(Test-SriovHost -For OvsOffload -HostRoot $snapshot -PfName enp10s0f1np1 | Where-Object Id -EQ 'Ovs.Switchdev')
        $named.Status | Should -Be 'Fail'
        $named.Remedy | Should -Be 'Set-SriovPf -Name enp10s0f1np1 -EswitchMode Switchdev'
    }

    It 'makes a bridge of the PF''s own when the representors'' bridge holds another uplink' {
        $snapshot = New-TestSnapshot -Edit {
            param($Copy)
            Edit-TestJson (Join-Path $Copy 'ovs.json') { param($Ovs) $Ovs.bridges = @{ 'br-sriov' = @('enp10s0f1np1') + $script:Representors } }
        }
        $check = Get-Check (Get-OvsCheck $snapshot) 'Ovs.Bridge' $script:Pf
        $check.Status | Should -Be 'Fail'
        $check.Finding | Should -BeLike '*holds the uplink enp10s0f1np1*'
        $check.Remedy | Should -BeLike "ovs-vsctl --may-exist add-br br-$($script:Pf); *"
        $check.Remedy | Should -Not -BeLike "*add-port br-sriov $($script:Pf)*"
    }

    It 'fails Ovs.HwOffload while other_config:hw-offload is not true, with the setting and the restart' {
        $snapshot = New-TestSnapshot {
            param($Copy)
            Edit-TestJson (Join-Path $Copy 'ovs.json') { param($Ovs) $Ovs.otherConfig = @{} }
        }

        $check = Get-Check (Get-OvsCheck $snapshot) 'Ovs.HwOffload'

        $check.Status | Should -Be 'Fail'
        $check.Finding | Should -BeLike '*hw-offload is not set*'
        $check.Remedy | Should -BeLike 'ovs-vsctl set Open_vSwitch . other_config:hw-offload=true; then systemctl restart openvswitch-switch*'
    }

    It 'fails Ovs.Running while ovs-vswitchd does not run' {
        $snapshot = New-TestSnapshot {
            param($Copy)
            Edit-TestJson (Join-Path $Copy 'ovs.json') { param($Ovs) $Ovs.vswitchdRunning = $false }
        }

        $check = Get-Check (Get-OvsCheck $snapshot) 'Ovs.Running'

        $check.Status | Should -Be 'Fail'
        $check.Remedy | Should -Be 'systemctl enable --now openvswitch-switch (openvswitch on Red Hat)'
    }

    It 'fails Ovs.Switchdev and Ovs.Representors on a PF in legacy mode' {
        $snapshot = New-TestSnapshot {
            param($Copy)
            Edit-TestJson (Join-Path $Copy 'kernel.json') { param($Kernel) $Kernel.eswitchModes['0000:0a:00.0'] = 'legacy' }
            $tree = Join-Path $Copy 'host.hosttree'
            # Representors exist only in switchdev.
            (Get-Content $tree) | Where-Object { $_ -notmatch 'npf0vf\d/phys_port_name' } | Set-Content $tree
        }

        $checks = Get-OvsCheck $snapshot

        (Get-Check $checks 'Ovs.Switchdev' $script:Pf).Remedy | Should -Be "Set-SriovPf -Name $($script:Pf) -EswitchMode Switchdev"
        $representors = Get-Check $checks 'Ovs.Representors' $script:Pf
        $representors.Status | Should -Be 'Fail'
        $representors.Finding | Should -BeLike '*Ovs.Switchdev*'
    }

    It 'fails Ovs.HwTcOffload while hw-tc-offload is off, with Set-SriovPf -HwTcOffload' {
        $snapshot = New-TestSnapshot {
            param($Copy)
            Edit-TestJson (Join-Path $Copy 'kernel.json') { param($Kernel) $Kernel.hwTcOffload[$script:Pf].active = $false }
        }

        $check = Get-Check (Get-OvsCheck $snapshot) 'Ovs.HwTcOffload' $script:Pf

        $check.Status | Should -Be 'Fail'
        $check.Remedy | Should -BeLike "Set-SriovPf -Name $($script:Pf) -HwTcOffload `$true*"
    }

    It 'fails Ovs.Representors while a representor is down, with ip link set up' {
        $snapshot = New-TestSnapshot {
            param($Copy)
            $tree = Join-Path $Copy 'host.hosttree'
            (Get-Content $tree) -replace '(npf0vf4/flags) 0x1003$', '$1 0x1002' | Set-Content $tree
        }

        $check = Get-Check (Get-OvsCheck $snapshot) 'Ovs.Representors' $script:Pf

        $check.Status | Should -Be 'Fail'
        $check.Remedy | Should -Be 'ip link set dev enp10s0f0npf0vf4 up'
    }

    It 'fails Ovs.Bridge while representors are in no bridge, with add-port lines' {
        $snapshot = New-TestSnapshot {
            param($Copy)
            Edit-TestJson (Join-Path $Copy 'ovs.json') { param($Ovs) $Ovs.bridges = @{ 'br-sriov' = @($script:Pf) } }
        }

        $check = Get-Check (Get-OvsCheck $snapshot) 'Ovs.Bridge' $script:Pf

        $check.Status | Should -Be 'Fail'
        $check.Remedy | Should -Be (($script:Representors | ForEach-Object { "ovs-vsctl add-port br-sriov $_" }) -join '; ')
    }
}
