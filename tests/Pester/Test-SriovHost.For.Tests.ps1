#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Test-SriovHost -For: each consumer's checks on copied host trees (libvirt is never asked) and on the
# lab's snapshot, which holds the VF MACs the kernel reported and the /dev/vfio nodes there were.

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $script:Command = 'SriovPS.Commands.TestSriovHostCommand'
    $script:Hosts = @{}
    foreach ($fixture in 'lab-igb', 'connectx5', 'i350-4port') {
        $script:Hosts[$fixture] = New-SriovTestHost -Fixture $fixture
    }

    $script:Snapshot = Join-Path $PSScriptRoot '../fixtures/snapshots/lab-guest'
    $script:HostWide = @('Iommu.Enabled', 'Iommu.Passthrough', 'Iommu.InterruptRemapping', 'Vfio.Loaded', 'Vfio.LoadAtBoot')
    $script:PfBasics = @('Pf.SriovCapable', 'Pf.Driver', 'Pf.VfsEnabled', 'Pf.VfCountPersisted', 'Pf.LinkUp')
    $script:PerPf = @{
        Kata     = $script:PfBasics + @('Pf.VfIsolation', 'Pf.BarSpace', 'Vf.VfioDriver', 'Vf.VfioDevice')
        KubeVirt = $script:PfBasics + @('Pf.VfIsolation', 'Pf.BarSpace', 'Vf.VfioDriver', 'Vf.VfioDevice', 'KubeVirt.DevicePlugin')
        Docker   = $script:PfBasics + @('Vf.KernelDriver', 'Vf.MacSet')
    }
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    foreach ($root in $script:Hosts.Values) {
        Remove-SriovTestHost $root
    }
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Test-SriovHost -For' -Tag 'CI' {
    AfterEach {
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
    }

    Context 'the checks each consumer runs' {
        It 'runs exactly <For>''s checks on every PF of lab-igb' -ForEach @(
            @{ For = 'Kata' }, @{ For = 'KubeVirt' }, @{ For = 'Docker' }
        ) {
            $env:SRIOVPS_HOST_ROOT = $script:Hosts['lab-igb']
            $checks = @(Test-SriovHost -For $For 6>$null)
            $hostWide = if ($For -eq 'Docker') { @() } else { $script:HostWide }
            @($checks | Where-Object Target -NotIn 'eth0', 'eth1' | ForEach-Object Id | Sort-Object) | Should -Be @($hostWide | Sort-Object)
            foreach ($pf in 'eth0', 'eth1') {
                @($checks | Where-Object Target -EQ $pf | ForEach-Object Id | Sort-Object) | Should -Be @($script:PerPf[$For] | Sort-Object)
            }
        }

        It 'runs the PF checks but no IOMMU, vfio or libvirt check for OvsOffload' {
            $env:SRIOVPS_HOST_ROOT = $script:Hosts['connectx5']
            $checks = @(Test-SriovHost -For OvsOffload 6>$null)
            @($checks | Where-Object { $_.Target -eq 'enp10s0f0np0' -and $_.Id -like 'Pf.*' } | ForEach-Object Id | Sort-Object) | Should -Be @($script:PfBasics | Sort-Object)
            $checks | Where-Object Id -Match '^(Iommu|Vfio|Libvirt|Pool|Guest)\.' | Should -BeNullOrEmpty
        }

        It 'gives the same checks with -For Libvirt as without -For' {
            $env:SRIOVPS_HOST_ROOT = $script:Hosts['i350-4port']
            $default = Test-SriovHost 6>$null | ForEach-Object { "$($_.Id) $($_.Target) $($_.Status) $($_.Finding) $($_.Remedy)" }
            $libvirt = Test-SriovHost -For Libvirt 6>$null | ForEach-Object { "$($_.Id) $($_.Target) $($_.Status) $($_.Finding) $($_.Remedy)" }
            $libvirt | Should -Be $default
            $default -match '^Libvirt\.Reachable ' | Should -Not -BeNullOrEmpty
        }

        It 'refuses a consumer it does not know, at parameter binding' {
            $env:SRIOVPS_HOST_ROOT = $script:Hosts['lab-igb']
            { Test-SriovHost -For Podman } | Should -Throw -ErrorId "CannotConvertArgumentNoMessage,$script:Command"
        }
    }

    Context 'what fails on lab-igb (VF 0 of eth0 on vfio-pci, the others on igbvf; both PFs down)' {
        BeforeEach {
            $env:SRIOVPS_HOST_ROOT = $script:Hosts['lab-igb']
        }

        It 'fails Kata on the VFs not on vfio-pci and on vfio-pci not loaded at boot' {
            $checks = @(Test-SriovHost -For Kata 6>$null)
            $vfio = $checks | Where-Object { $_.Id -eq 'Vf.VfioDriver' -and $_.Target -eq 'eth0' }
            $vfio.Status | Should -Be 'Fail'
            $vfio.Finding | Should -BeLike '6 of 7 VFs of eth0 are not on vfio-pci (vf 1 on igbvf, *'
            $vfio.Remedy | Should -Be 'Set-SriovVfDriver -PfName eth0 -Index 1,2,3,4,5,6 -Driver vfio-pci -Persist'
            ($checks | Where-Object Id -EQ 'Vfio.LoadAtBoot').Status | Should -Be 'Fail'
            ($checks | Where-Object { $_.Id -eq 'Vf.VfioDevice' -and $_.Target -eq 'eth0' }).Status | Should -Be 'Skipped'
        }

        It 'warns KubeVirt that no device plugin configuration selects the VFs, naming the export that writes it' {
            $check = Test-SriovHost -For KubeVirt 6>$null | Where-Object { $_.Id -eq 'KubeVirt.DevicePlugin' -and $_.Target -eq 'eth0' }
            $check.Status | Should -Be 'Warning'
            $check.Finding | Should -BeLike '/etc/pcidp/config.json does not exist*'
            $check.Remedy | Should -BeLike 'Export-SriovConfig -Format DevicePlugin -PfName eth0 -Path /etc/pcidp/config.json *'
        }

        It 'fails Docker on the VF on vfio-pci and on each PF down' {
            $checks = @(Test-SriovHost -For Docker 6>$null)
            $driver = $checks | Where-Object { $_.Id -eq 'Vf.KernelDriver' -and $_.Target -eq 'eth0' }
            $driver.Status | Should -Be 'Fail'
            $driver.Finding | Should -BeLike '1 of 7 VFs of eth0 are not on a kernel network driver (vf 0 on vfio-pci)*'
            $driver.Remedy | Should -Be 'Set-SriovVfDriver -PfName eth0 -Index 0 -Driver Default -Persist'
            @($checks | Where-Object { $_.Id -eq 'Pf.LinkUp' -and $_.Status -eq 'Fail' } | ForEach-Object Target | Sort-Object) | Should -Be @('eth0', 'eth1')
            ($checks | Where-Object { $_.Id -eq 'Pf.LinkUp' -and $_.Target -eq 'eth1' }).Remedy | Should -Be 'Set-SriovPf -Name eth1 -LinkState Up -Persist'
            @($checks | Where-Object Id -EQ 'Vf.MacSet' | ForEach-Object Status | Select-Object -Unique) | Should -Be @('Skipped')
        }

        It 'answers $false with -Quiet when a check fails, and $true on a host where none does' {
            Test-SriovHost -For Docker -Quiet | Should -BeExactly $false
            $env:SRIOVPS_HOST_ROOT = $script:Hosts['i350-4port']
            Test-SriovHost -For Docker -PfName eno49 -Quiet | Should -BeExactly $true
        }

        It 'names the consumer in the summary line' {
            $summary = Test-SriovHost -For Docker -InformationVariable info 6>$null
            "$($info[0].MessageData)" | Should -Match '^Test-SriovHost -For Docker: \d+ Fail, \d+ Warning, \d+ Pass, \d+ Skipped \(\d+ checks\)\.$'
        }

        It 'narrows the PF checks with -PfName, and takes PFs from the pipeline' {
            $named = @(Test-SriovHost -For Docker -PfName eth1 6>$null)
            @($named | ForEach-Object Target | Select-Object -Unique) | Should -Be @('eth1')
            $piped = @(Get-SriovPf eth1 | Test-SriovHost -For Docker 6>$null)
            @($piped | ForEach-Object Id) | Should -Be @($named | ForEach-Object Id)
        }
    }

    Context 'on the lab''s snapshot' {
        It 'fails Docker on the VFs whose MAC the PF did not set, and on those whose interface does not carry it, naming both remedies' {
            $checks = @(Test-SriovHost -HostRoot $script:Snapshot -For Docker 6>$null 3>$null)
            $mac = $checks | Where-Object { $_.Id -eq 'Vf.MacSet' -and $_.Target -eq 'eth0' }
            $mac.Status | Should -Be 'Fail'
            $mac.Finding | Should -BeLike 'eth0 sets no MAC for 2 of its 4 VFs (vf 2 00:00:00:00:00:00, vf 3 00:00:00:00:00:00)*'
            # The snapshot kept each VF interface's address: eth3 and eth4 still carry the MACs igbvf made up.
            $mac.Finding | Should -BeLike '*(vf 0 eth3 carries 76:aa:b3:1d:dd:75, the PF sets 02:53:4e:00:00:10, vf 1 eth4 carries 26:01:f0:a1:9e:9d, the PF sets 02:53:4e:00:00:11)*'
            $mac.Remedy | Should -Be 'Set-SriovVf -PfName eth0 -Index 2,3 -MacAddress Auto -Persist -Rebind; Set-SriovVf -PfName eth0 -Index 0,1 -Rebind'
            $checks | Where-Object Id -Like 'Libvirt.*' | Should -BeNullOrEmpty
        }

        It 'passes Kata''s vfio node check on the nodes the snapshot kept' {
            $checks = @(Test-SriovHost -HostRoot $script:Snapshot -For Kata -PfName eth1 6>$null 3>$null)
            $node = $checks | Where-Object Id -EQ 'Vf.VfioDevice'
            $node.Status | Should -Be 'Pass'
            $node.Finding | Should -Be 'Each of the 2 VFs of eth1 on vfio-pci has its group''s node (/dev/vfio/13, /dev/vfio/14).'
        }
    }
}
