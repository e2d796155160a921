#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Every test reads a copied host tree (SRIOVPS_HOST_ROOT), so libvirt is never asked. Tests that write
# into a tree get a fresh one of their own.

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $script:Command = 'SriovPS.Commands.TestSriovHostCommand'
    $script:Hosts = @{}
    foreach ($fixture in 'i350-4port', 'iommu-off', 'x540-2port', 'e810-nodriver', 'virtio-vm', 'connectx5') {
        $script:Hosts[$fixture] = New-SriovTestHost -Fixture $fixture
    }

    # The checks that do not belong to a PF, on a copied tree (libvirt is not asked, so no Pool.State or Guest.PciSlots).
    $script:HostWideIds = @(
        'Iommu.Enabled', 'Iommu.Passthrough', 'Iommu.InterruptRemapping', 'Vfio.Loaded', 'Vfio.LoadAtBoot',
        'Libvirt.Reachable', 'Libvirt.DynamicOwnership', 'Libvirt.AppArmorVfio')
    $script:PfIds = @(
        'Pf.SriovCapable', 'Pf.Driver', 'Pf.VfsEnabled', 'Pf.VfCountPersisted', 'Pf.LinkUp', 'Pf.VfIsolation', 'Pf.BarSpace')
    $script:Abstraction = '/etc/apparmor.d/abstractions/libvirt-qemu'

    # Binds, in the tree, the PCI function at $PciAddress to $Driver as sysfs shows it: the device's
    # driver link and the driver's link back.
    function Set-TestPciDriver {
        param(
            [Parameter(Mandatory)] [string] $Root,
            [Parameter(Mandatory)] [string] $PciAddress,
            [Parameter(Mandatory)] [string] $Driver
        )
        $device = Resolve-TestHostLink -Root $Root -Path "/sys/bus/pci/devices/$PciAddress"
        $link = Join-Path $device 'driver'
        $oldTarget = [System.IO.FileInfo]::new($link).LinkTarget
        $drivers = "$Root/sys/bus/pci/drivers"
        [System.IO.File]::Delete($link)
        [System.IO.File]::Delete("$drivers/$(Split-Path $oldTarget -Leaf)/$PciAddress")
        $null = [System.IO.Directory]::CreateDirectory("$drivers/$Driver")
        $null = [System.IO.File]::CreateSymbolicLink($link, $oldTarget.Substring(0, $oldTarget.LastIndexOf('/') + 1) + $Driver)
        $null = [System.IO.File]::CreateSymbolicLink("$drivers/$Driver/$PciAddress", [System.IO.Path]::GetRelativePath("$drivers/$Driver", $device))
    }

    # AppArmor active, with libvirt's abstraction granting the vfio container but no group node.
    function Enable-TestAppArmor {
        param(
            [Parameter(Mandatory)] [string] $Root
        )
        Set-SriovTestHostFile -Root $Root -Path '/sys/module/apparmor/parameters/enabled' -Text "Y`n"
        $text = "# libvirt-qemu (excerpt)`n" +
            "  #include <abstractions/base>`n" +
            "  /dev/kvm rw,`n" +
            "  /dev/net/tun rw,`n" +
            "  /dev/vfio/vfio rw,`n"
        Set-SriovTestHostFile -Root $Root -Path $script:Abstraction -Text $text
    }
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    foreach ($root in $script:Hosts.Values) {
        Remove-SriovTestHost $root
    }
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Test-SriovHost' -Tag 'CI' {
    AfterEach {
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
    }

    Context 'on the seeds'' 4-port I350 host, where nothing fails' {
        BeforeEach {
            $env:SRIOVPS_HOST_ROOT = $script:Hosts['i350-4port']
        }

        It 'returns SriovPS.SriovHostCheck objects, each with an Id, a Target, a Finding and one of the four statuses' {
            $checks = @(Test-SriovHost)

            $checks.Count | Should -BeGreaterThan 0
            foreach ($check in $checks) {
                $check | Should -BeOfType 'SriovPS.SriovHostCheck'
                $check.PSObject.TypeNames[0] | Should -Be 'SriovPS.SriovHostCheck'
                $check.Id | Should -Not -BeNullOrEmpty
                $check.Target | Should -Not -BeNullOrEmpty
                $check.Finding | Should -Not -BeNullOrEmpty
                $check.Status | Should -BeOfType 'SriovPS.SriovCheckStatus'
                $check.Status.ToString() | Should -BeIn @('Fail', 'Warning', 'Pass', 'Skipped')
            }
        }

        It 'makes each host-wide check once, and the seven PF checks once for each of eno49 to eno52' {
            $checks = @(Test-SriovHost)

            @($checks | Where-Object Id -NotLike 'Pf.*').Id | Sort-Object | Should -Be ($script:HostWideIds | Sort-Object)
            foreach ($pf in 'eno49', 'eno50', 'eno51', 'eno52') {
                @($checks | Where-Object Target -EQ $pf).Id | Sort-Object | Should -Be ($script:PfIds | Sort-Object)
            }
            $checks.Count | Should -Be ($script:HostWideIds.Count + 4 * $script:PfIds.Count)
        }

        It 'judges <Id> <Status>' -ForEach @(
            @{ Id = 'Iommu.Enabled'; Status = 'Pass' }
            @{ Id = 'Iommu.Passthrough'; Status = 'Pass' }
            @{ Id = 'Iommu.InterruptRemapping'; Status = 'Skipped' }
            @{ Id = 'Vfio.Loaded'; Status = 'Skipped' }
            @{ Id = 'Vfio.LoadAtBoot'; Status = 'Warning' }
            @{ Id = 'Libvirt.Reachable'; Status = 'Skipped' }
            @{ Id = 'Libvirt.DynamicOwnership'; Status = 'Skipped' }
            @{ Id = 'Libvirt.AppArmorVfio'; Status = 'Skipped' }
        ) {
            (Get-Check (Test-SriovHost) $Id).Status | Should -Be $Status
        }

        It 'judges <Id> <Status> on each PF' -ForEach @(
            @{ Id = 'Pf.SriovCapable'; Status = 'Pass' }
            @{ Id = 'Pf.Driver'; Status = 'Pass' }
            @{ Id = 'Pf.VfsEnabled'; Status = 'Pass' }
            @{ Id = 'Pf.VfCountPersisted'; Status = 'Warning' }
            @{ Id = 'Pf.LinkUp'; Status = 'Pass' }
            @{ Id = 'Pf.VfIsolation'; Status = 'Pass' }
            @{ Id = 'Pf.BarSpace'; Status = 'Skipped' }
        ) {
            $checks = @(Test-SriovHost | Where-Object Id -EQ $Id)

            $checks.Target | Should -Be @('eno49', 'eno50', 'eno51', 'eno52')
            $checks.Status | Should -Be @($Status, $Status, $Status, $Status)
        }

        It 'passes Iommu.Enabled on the IOMMU groups it finds, naming the IOMMU units' {
            $check = Get-Check (Test-SriovHost) 'Iommu.Enabled'

            $check.Status | Should -Be 'Pass'
            $check.Finding | Should -Match '^The IOMMU is on: dmar0, dmar1 in /sys/class/iommu, \d+ IOMMU groups in /sys/kernel/iommu_groups\.$'
            $check.Remedy | Should -BeNullOrEmpty
        }

        It 'passes Iommu.Passthrough on iommu=pt when the groups do not say their type' {
            $check = Get-Check (Test-SriovHost) 'Iommu.Passthrough'

            $check.Status | Should -Be 'Pass'
            $check.Finding | Should -Be 'Host devices bypass IOMMU translation: iommu=pt is on the kernel command line.'
        }

        It 'passes Pf.VfIsolation when every VF is alone in its IOMMU group' {
            $check = Get-Check (Test-SriovHost) 'Pf.VfIsolation' 'eno49'

            $check.Status | Should -Be 'Pass'
            $check.Finding | Should -Match '^Each of the 7 VFs is alone in its IOMMU group'
        }

        It 'warns that no udev rule keeps the 7 VFs of each PF across a reboot' {
            $check = Get-Check (Test-SriovHost) 'Pf.VfCountPersisted' 'eno50'

            $check.Finding | Should -Match 'nothing makes VFs at boot \(no udev rule for it\)'
            $check.Remedy | Should -BeExactly 'Enable-SriovVf -PfName eno50 -Count 7 -Persist'
        }

        It 'skips Libvirt.Reachable on a copied tree: libvirt is not asked, so pools and guests are not checked' {
            $checks = @(Test-SriovHost -Uri 'test:///default')
            $check = Get-Check $checks 'Libvirt.Reachable'

            $check.Status | Should -Be 'Skipped'
            $check.Target | Should -Be 'test:///default'
            $check.Finding | Should -Match 'SRIOVPS_HOST_ROOT or -HostRoot names a copied host tree'
            $check.Remedy | Should -BeNullOrEmpty
            @($checks | Where-Object Id -In 'Pool.State', 'Guest.PciSlots').Count | Should -Be 0
        }

        It 'names the host-wide checks by the tree''s directory when it has no /etc/hostname' {
            $root = [System.IO.Path]::TrimEndingDirectorySeparator([System.IO.Path]::GetFullPath($script:Hosts['i350-4port']))

            (Get-Check (Test-SriovHost) 'Iommu.Enabled').Target | Should -Be $root
        }

        It 'returns a single $true with -Quiet, as no check fails' {
            @(Test-SriovHost | Where-Object Status -EQ 'Fail').Count | Should -Be 0

            $result = @(Test-SriovHost -Quiet)

            $result.Count | Should -Be 1
            $result[0] | Should -BeOfType 'System.Boolean'
            $result[0] | Should -BeTrue
        }

        It 'changes nothing in the tree' {
            $before = Get-SriovTestTreeState $script:Hosts['i350-4port']

            $null = Test-SriovHost

            Get-SriovTestTreeState $script:Hosts['i350-4port'] | Should -Be $before
        }
    }

    Context 'narrowed to PFs and networks' {
        BeforeEach {
            $env:SRIOVPS_HOST_ROOT = $script:Hosts['i350-4port']
        }

        It 'checks only eno49 with -PfName eno49, and every host-wide check still' {
            $checks = @(Test-SriovHost -PfName eno49)
            $pfChecks = @($checks | Where-Object Id -Like 'Pf.*')

            $pfChecks.Id | Sort-Object | Should -Be ($script:PfIds | Sort-Object)
            $pfChecks.Target | Sort-Object -Unique | Should -Be 'eno49'
            @($checks | Where-Object Id -NotLike 'Pf.*').Id | Sort-Object | Should -Be ($script:HostWideIds | Sort-Object)
        }

        It 'takes -PfName by position, by its alias Name, and with wildcards' {
            @(Test-SriovHost eno50 | Where-Object Id -Like 'Pf.*').Target | Sort-Object -Unique | Should -Be 'eno50'
            @(Test-SriovHost -Name eno51 | Where-Object Id -Like 'Pf.*').Target | Sort-Object -Unique | Should -Be 'eno51'
            @(Test-SriovHost -PfName 'eno5*' | Where-Object Id -Like 'Pf.*').Target | Sort-Object -Unique |
                Should -Be @('eno50', 'eno51', 'eno52')
        }

        It 'takes PF names through the pipeline by property name, and checks the host once' {
            $checks = @([pscustomobject]@{ Name = 'eno52' }, [pscustomobject]@{ PfName = 'eno50' } | Test-SriovHost)

            @($checks | Where-Object Id -Like 'Pf.*').Target | Sort-Object -Unique | Should -Be @('eno50', 'eno52')
            @($checks | Where-Object Id -EQ 'Iommu.Enabled').Count | Should -Be 1
        }

        It 'checks the PFs that Get-SriovPf passes down the pipeline' {
            $checks = @(Get-SriovPf eno49 -WarningAction SilentlyContinue | Test-SriovHost)

            @($checks | Where-Object Id -Like 'Pf.*').Target | Sort-Object -Unique | Should -Be 'eno49'
            @($checks | Where-Object Id -EQ 'Iommu.Enabled').Count | Should -Be 1
        }

        It 'reports a literal -PfName that matches no PF as SriovPfNotFound, and still makes the host-wide checks' {
            $checks = @(Test-SriovHost -PfName 'nosuch', 'eno49' -ErrorVariable errors -ErrorAction SilentlyContinue)

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "SriovPfNotFound,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $errors[0].TargetObject | Should -Be 'nosuch'
            @($checks | Where-Object Id -Like 'Pf.*').Target | Sort-Object -Unique | Should -Be 'eno49'
            @($checks | Where-Object Id -NotLike 'Pf.*').Id | Sort-Object | Should -Be ($script:HostWideIds | Sort-Object)
        }

        It 'makes no PF check, but the host-wide ones, when the only -PfName matches no PF' {
            $checks = @(Test-SriovHost -PfName 'nosuch' -ErrorVariable errors -ErrorAction SilentlyContinue)

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "SriovPfNotFound,$script:Command"
            @($checks | Where-Object Id -Like 'Pf.*').Count | Should -Be 0
            $checks.Id | Should -Contain 'Iommu.Enabled'
            $checks.Id | Should -Contain 'Libvirt.Reachable'
        }

        It 'answers -Quiet with $false, and the error, for a -PfName that matches no PF' {
            $result = @(Test-SriovHost -PfName eno99 -Quiet -ErrorVariable errors -ErrorAction SilentlyContinue)

            $result | Should -Be @($false)
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "SriovPfNotFound,$script:Command"
            # One name of two is enough: the script asked about both.
            Test-SriovHost -PfName eno49, eno99 -Quiet -ErrorAction SilentlyContinue | Should -BeFalse
            Test-SriovHost -PfName eno49 -Quiet | Should -BeTrue
        }

        It 'answers -Quiet with $false for <Case>, which selects nothing to check' -ForEach @(
            @{ Case = 'a wildcard that matches no PF'; Given = @{ PfName = 'ens*' } }
            @{ Case = 'a malformed name'; Given = @{ PfName = 'a/b' } }
            @{ Case = 'an empty name'; Given = @{ PfName = '' } }
            @{ Case = 'a -Network that cannot be looked up on a copied tree'; Given = @{ Network = 'nosuch' } }
        ) {
            Test-SriovHost @Given -Quiet -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Should -BeFalse
        }

        It 'throws SriovPfNotFound with -ErrorAction Stop' {
            { Test-SriovHost -PfName 'nosuch' -ErrorAction Stop } | Should -Throw -ErrorId "SriovPfNotFound,$script:Command"
        }

        It 'writes no error and makes no PF check for a wildcard that matches no PF' {
            $checks = @(Test-SriovHost -PfName 'ens*' -ErrorVariable errors)

            $errors | Should -BeNullOrEmpty
            @($checks | Where-Object Id -Like 'Pf.*').Count | Should -Be 0
            $checks.Id | Should -Contain 'Iommu.Enabled'
        }

        It 'rejects a malformed -PfName as InvalidInterfaceName' {
            $checks = @(Test-SriovHost -PfName 'a/b' -ErrorVariable errors -ErrorAction SilentlyContinue)

            $errors[0].FullyQualifiedErrorId | Should -Be "InvalidInterfaceName,$script:Command"
            @($checks | Where-Object Id -Like 'Pf.*').Count | Should -Be 0
        }

        It 'warns that -Network narrows nothing on a copied tree, and checks every PF' {
            $checks = @(Test-SriovHost -Network 'eno49-sr-iov' -WarningVariable warnings -WarningAction SilentlyContinue `
                    -ErrorVariable errors -ErrorAction SilentlyContinue)

            $errors.Count | Should -Be 0
            @($warnings | Where-Object Message -Match '^-Network narrows nothing').Count | Should -Be 1
            @($checks | Where-Object Id -Like 'Pf.*').Target | Sort-Object -Unique | Should -Be @('eno49', 'eno50', 'eno51', 'eno52')
            @($checks | Where-Object Id -EQ 'Pool.State').Count | Should -Be 0
        }
    }

    Context 'on hosts that are not ready' {
        It 'fails Iommu.Enabled on a host booted without intel_iommu=on, and skips what depends on it' {
            $env:SRIOVPS_HOST_ROOT = $script:Hosts['iommu-off']

            $checks = @(Test-SriovHost)
            $check = Get-Check $checks 'Iommu.Enabled'

            $check.Status | Should -Be 'Fail'
            $check.Finding | Should -Match '/sys/kernel/iommu_groups is empty and /sys/class/iommu lists no IOMMU'
            $check.Finding | Should -Match 'the kernel command line lacks intel_iommu=on'
            $check.Remedy | Should -Match 'Enable-SriovIommu'
            (Get-Check $checks 'Iommu.Passthrough').Status | Should -Be 'Skipped'
            (Get-Check $checks 'Iommu.InterruptRemapping').Status | Should -Be 'Skipped'
            (Get-Check $checks 'Iommu.InterruptRemapping').Finding | Should -Match 'the IOMMU is off \(Iommu\.Enabled\)'
            @($checks | Where-Object Id -EQ 'Pf.VfIsolation').Status | Should -Be @('Skipped', 'Skipped')
        }

        It 'orders the checks Fail, Warning, Pass, Skipped, each status in the order the checks were made' {
            $env:SRIOVPS_HOST_ROOT = $script:Hosts['iommu-off']
            $rank = @{ Fail = 0; Warning = 1; Pass = 2; Skipped = 3 }

            $checks = @(Test-SriovHost)
            $ranks = @($checks | ForEach-Object { $rank[$_.Status.ToString()] })

            $ranks | Should -Be @($ranks | Sort-Object)
            @($checks | ForEach-Object { $_.Status.ToString() } | Select-Object -Unique) | Should -Be @('Fail', 'Warning', 'Pass', 'Skipped')
            @($checks | Where-Object Status -EQ 'Skipped')[0..1].Id | Should -Be @('Iommu.Passthrough', 'Iommu.InterruptRemapping')
        }

        It 'returns a single $false with -Quiet when a check fails' {
            $env:SRIOVPS_HOST_ROOT = $script:Hosts['iommu-off']

            $result = @(Test-SriovHost -Quiet)

            $result.Count | Should -Be 1
            $result[0] | Should -BeOfType 'System.Boolean'
            $result[0] | Should -BeFalse
        }

        It 'returns with -Quiet whether no check fails, on <Fixture>' -ForEach @(
            @{ Fixture = 'i350-4port' }
            @{ Fixture = 'iommu-off' }
            @{ Fixture = 'x540-2port' }
            @{ Fixture = 'e810-nodriver' }
            @{ Fixture = 'virtio-vm' }
            @{ Fixture = 'connectx5' }
        ) {
            $env:SRIOVPS_HOST_ROOT = $script:Hosts[$Fixture]
            $ready = @(Test-SriovHost | Where-Object Status -EQ 'Fail').Count -eq 0

            Test-SriovHost -Quiet | Should -Be $ready
        }

        It 'gives a Remedy to each Warning and Fail and none to a Pass or Skipped check, on <Fixture>' -ForEach @(
            @{ Fixture = 'i350-4port' }
            @{ Fixture = 'iommu-off' }
            @{ Fixture = 'x540-2port' }
            @{ Fixture = 'e810-nodriver' }
            @{ Fixture = 'virtio-vm' }
            @{ Fixture = 'connectx5' }
        ) {
            $env:SRIOVPS_HOST_ROOT = $script:Hosts[$Fixture]

            foreach ($check in Test-SriovHost) {
                if ($check.Status.ToString() -in 'Fail', 'Warning') {
                    $check.Remedy | Should -Not -BeNullOrEmpty -Because "$($check.Id) on $($check.Target) is $($check.Status)"
                }
                else {
                    $check.Remedy | Should -BeNullOrEmpty -Because "$($check.Id) on $($check.Target) is $($check.Status)"
                }
            }
        }

        It 'warns Pf.LinkUp for the administratively down X540 port that has no VFs and no pool, and warns that neither port has VFs' {
            $env:SRIOVPS_HOST_ROOT = $script:Hosts['x540-2port']

            $checks = @(Test-SriovHost)
            $down = Get-Check $checks 'Pf.LinkUp' 'eno2'

            $down.Status | Should -Be 'Warning'
            $down.Finding | Should -Match 'eno2 is administratively down \(flags 0x1002, operstate down\), but it has no VFs and no pool uses it'
            $down.Remedy | Should -BeExactly 'Set-SriovPf -Name eno2 -LinkState Up -Persist'
            @($checks | Where-Object Status -EQ 'Fail').Count | Should -Be 0
            Test-SriovHost -Quiet | Should -BeTrue
            (Get-Check $checks 'Pf.LinkUp' 'eno1').Status | Should -Be 'Pass'
            (Get-Check $checks 'Pf.VfsEnabled' 'eno1').Status | Should -Be 'Warning'
            (Get-Check $checks 'Pf.VfsEnabled' 'eno1').Remedy | Should -BeExactly 'Enable-SriovVf -PfName eno1 -Count 63 -Persist'
            (Get-Check $checks 'Pf.VfCountPersisted' 'eno1').Finding | Should -Be 'No VFs now and none at boot: nothing to keep.'
            (Get-Check $checks 'Pf.VfIsolation' 'eno1').Status | Should -Be 'Skipped'
        }

        It 'warns Iommu.Passthrough when the kernel command line lacks iommu=pt' {
            $env:SRIOVPS_HOST_ROOT = $script:Hosts['x540-2port']

            $check = Get-Check (Test-SriovHost) 'Iommu.Passthrough'

            $check.Status | Should -Be 'Warning'
            $check.Finding | Should -Match 'the kernel command line lacks iommu=pt'
            $check.Remedy | Should -BeExactly 'Enable-SriovIommu (adds iommu=pt), then reboot.'
        }

        It 'fails Pf.Driver for the E810 without its driver, named by its PCI address, and skips Pf.VfsEnabled' {
            $env:SRIOVPS_HOST_ROOT = $script:Hosts['e810-nodriver']

            $checks = @(Test-SriovHost)
            $check = Get-Check $checks 'Pf.Driver' '0000:17:00.0'

            $check.Status | Should -Be 'Fail'
            $check.Finding | Should -Match '^No driver is bound to 0000:17:00\.0'
            $check.Remedy | Should -BeLike 'Bind the PF''s driver: *'
            (Get-Check $checks 'Pf.VfsEnabled' '0000:17:00.0').Status | Should -Be 'Skipped'
            @($checks | Where-Object Id -EQ 'Pf.LinkUp').Count | Should -Be 0
        }

        It 'fails Pf.SriovCapable for the whole host when it has no SR-IOV NIC' {
            $env:SRIOVPS_HOST_ROOT = $script:Hosts['virtio-vm']

            $checks = @(Test-SriovHost)
            $check = Get-Check $checks 'Pf.SriovCapable'

            $check.Status | Should -Be 'Fail'
            $check.Target | Should -Be (Get-Check $checks 'Iommu.Enabled').Target
            $check.Remedy | Should -Match 'Get-SriovPf -IncludeNotCapable'
        }

        It 'fails Pf.SriovCapable for a NIC without SR-IOV that -PfName names' {
            $env:SRIOVPS_HOST_ROOT = $script:Hosts['virtio-vm']

            $checks = @(Test-SriovHost -PfName eth0 | Where-Object Id -Like 'Pf.*')

            $checks.Count | Should -Be 1
            $checks[0].Id | Should -Be 'Pf.SriovCapable'
            $checks[0].Target | Should -Be 'eth0'
            $checks[0].Status | Should -Be 'Fail'
            $checks[0].Finding | Should -BeLike 'eth0 (*) has no SR-IOV capability (no sriov_totalvfs), so it cannot create VFs.'
        }
    }

    Context 'live state and configuration written into a fresh I350 tree' {
        BeforeEach {
            $script:Root = New-SriovTestHost -Fixture 'i350-4port'
            $env:SRIOVPS_HOST_ROOT = $script:Root
        }

        AfterEach {
            Remove-SriovTestHost $script:Root
        }

        It 'fails Pf.LinkUp for a PF that is administratively down, quoting libvirt''s "PF is not online"' {
            $net = Resolve-TestHostLink -Root $script:Root -Path '/sys/class/net/eno49'
            [System.IO.File]::WriteAllText((Join-Path $net 'flags'), "0x1002`n")

            $checks = @(Test-SriovHost)
            $check = Get-Check $checks 'Pf.LinkUp' 'eno49'

            $check.Status | Should -Be 'Fail'
            $check.Remedy | Should -BeExactly 'Set-SriovPf -Name eno49 -LinkState Up -Persist'
            $check.Finding | Should -Match 'because the PF is not online'
            $check.Finding | Should -Match ([regex]::Escape("Unable to configure VF 0 of PF 'eno49' because the PF is not online"))
            $check.Finding | Should -Match '^eno49 is administratively down \(flags 0x1002, operstate up\)'
            (Get-Check $checks 'Pf.LinkUp' 'eno50').Status | Should -Be 'Pass'
            Test-SriovHost -Quiet | Should -BeFalse
        }

        It 'fails Pf.LinkUp for a down PF with VFs, and warns for a down one without VFs (<Vfs> VFs)' -ForEach @(
            @{ Vfs = 7; Status = 'Fail' }
            @{ Vfs = 0; Status = 'Warning' }
        ) {
            $net = Resolve-TestHostLink -Root $script:Root -Path '/sys/class/net/eno49'
            [System.IO.File]::WriteAllText((Join-Path $net 'flags'), "0x1002`n")
            $device = Split-Path (Split-Path $net)
            [System.IO.File]::WriteAllText((Join-Path $device 'sriov_numvfs'), "$Vfs`n")

            $check = Get-Check (Test-SriovHost) 'Pf.LinkUp' 'eno49'

            $check.Status | Should -Be $Status
            Test-SriovHost -Quiet | Should -Be ($Status -ne 'Fail')
        }

        It 'warns Pf.LinkUp for a PF that is up without a link' {
            $net = Resolve-TestHostLink -Root $script:Root -Path '/sys/class/net/eno49'
            [System.IO.File]::WriteAllText((Join-Path $net 'operstate'), "down`n")

            $check = Get-Check (Test-SriovHost) 'Pf.LinkUp' 'eno49'

            $check.Status | Should -Be 'Warning'
            $check.Finding | Should -Match '^eno49 is up but has no link \(operstate down\)'
            $check.Remedy | Should -BeExactly 'Check the cable and the switch port of eno49.'
        }

        It 'names the host-wide checks by /etc/hostname' {
            Set-SriovTestHostFile -Root $script:Root -Path '/etc/hostname' -Text "kvm1`n"

            $checks = @(Test-SriovHost)

            (Get-Check $checks 'Iommu.Enabled').Target | Should -Be 'kvm1'
            (Get-Check $checks 'Vfio.LoadAtBoot').Target | Should -Be 'kvm1'
        }

        It 'judges Iommu.Passthrough by the groups'' type before the kernel command line' {
            Set-SriovTestHostFile -Root $script:Root -Path '/sys/kernel/iommu_groups/0/type' -Text "DMA-FQ`n"

            $check = Get-Check (Test-SriovHost) 'Iommu.Passthrough'

            $check.Status | Should -Be 'Warning'
            $check.Finding | Should -Match 'IOMMU group 0 is of type DMA-FQ, although the kernel command line has iommu=pt'

            Set-SriovTestHostFile -Root $script:Root -Path '/sys/kernel/iommu_groups/0/type' -Text "identity`n"

            $check = Get-Check (Test-SriovHost) 'Iommu.Passthrough'

            $check.Status | Should -Be 'Pass'
            $check.Finding | Should -Match 'IOMMU group 0 is of type identity \(iommu=pt is on the kernel command line\)'
        }

        It 'passes Iommu.InterruptRemapping on IR- interrupts, and warns without them' {
            Set-SriovTestHostFile -Root $script:Root -Path '/proc/interrupts' -Text (
                "            CPU0       CPU1`n" +
                "  24:          0          0  IR-PCI-MSI 524288-edge      eno49`n")

            $check = Get-Check (Test-SriovHost) 'Iommu.InterruptRemapping'

            $check.Status | Should -Be 'Pass'
            $check.Finding | Should -Match 'IR-PCI-MSI'

            Set-SriovTestHostFile -Root $script:Root -Path '/proc/interrupts' -Text (
                "            CPU0       CPU1`n" +
                "  24:          0          0  PCI-MSI 524288-edge      eno49`n")

            $check = Get-Check (Test-SriovHost) 'Iommu.InterruptRemapping'

            $check.Status | Should -Be 'Warning'
            $check.Finding | Should -Match 'No interrupt remapping support'
            $check.Remedy | Should -Match 'allow_unsafe_interrupts'
        }

        It 'says where allow_unsafe_interrupts is set when interrupts are not remapped' {
            Set-SriovTestHostFile -Root $script:Root -Path '/proc/interrupts' -Text "  24:          0  PCI-MSI 524288-edge      eno49`n"
            Set-SriovTestHostFile -Root $script:Root -Path '/etc/modprobe.d/iommu_unsafe_interrupts.conf' `
                -Text "options vfio_iommu_type1 allow_unsafe_interrupts=1`n"

            $check = Get-Check (Test-SriovHost) 'Iommu.InterruptRemapping'

            $check.Status | Should -Be 'Warning'
            $check.Finding | Should -Match ([regex]::Escape('allow_unsafe_interrupts is set (/etc/modprobe.d/iommu_unsafe_interrupts.conf line 1)'))
        }

        It 'passes Vfio.Loaded when vfio, vfio_iommu_type1 and vfio_pci are in /sys/module, and warns for the missing ones' {
            $null = New-Item -ItemType Directory -Path (Join-Path $script:Root 'sys/module/vfio') -Force

            $check = Get-Check (Test-SriovHost) 'Vfio.Loaded'

            $check.Status | Should -Be 'Warning'
            $check.Finding | Should -Match '^vfio_iommu_type1 and vfio_pci are not loaded'
            $check.Remedy | Should -Match 'modprobe vfio-pci'

            $null = New-Item -ItemType Directory -Path (Join-Path $script:Root 'sys/module/vfio_iommu_type1'), (Join-Path $script:Root 'sys/module/vfio_pci') -Force

            $check = Get-Check (Test-SriovHost) 'Vfio.Loaded'

            $check.Status | Should -Be 'Pass'
            $check.Finding | Should -Be 'vfio, vfio_iommu_type1 and vfio_pci are loaded (/sys/module).'
        }

        It 'passes Vfio.LoadAtBoot for vfio-pci in a modules-load.d file' {
            Set-SriovTestHostFile -Root $script:Root -Path '/etc/modules-load.d/vfio.conf' -Text "# vfio for guests`nvfio-pci`n"

            $check = Get-Check (Test-SriovHost) 'Vfio.LoadAtBoot'

            $check.Status | Should -Be 'Pass'
            $check.Finding | Should -Match ([regex]::Escape('vfio_pci is loaded at boot by /etc/modules-load.d/vfio.conf line 2'))
        }

        It 'still warns Vfio.LoadAtBoot when /etc/modules lists only vfio' {
            Set-SriovTestHostFile -Root $script:Root -Path '/etc/modules' -Text "vfio`n"

            $check = Get-Check (Test-SriovHost) 'Vfio.LoadAtBoot'

            $check.Status | Should -Be 'Warning'
            $check.Finding | Should -Match 'vfio is listed, which does not bind VFs'
            $check.Remedy | Should -BeExactly 'Enable-SriovIommu -VfioOnly (writes /etc/modules-load.d/vfio.conf).'
        }

        It 'passes Vfio.LoadAtBoot when the running kernel has vfio-pci built in' {
            Set-SriovTestHostFile -Root $script:Root -Path '/proc/sys/kernel/osrelease' -Text "6.8.0-40-generic`n"
            Set-SriovTestHostFile -Root $script:Root -Path '/lib/modules/6.8.0-40-generic/modules.builtin' `
                -Text "kernel/drivers/vfio/vfio.ko`nkernel/drivers/vfio/pci/vfio-pci.ko`n"

            $check = Get-Check (Test-SriovHost) 'Vfio.LoadAtBoot'

            $check.Status | Should -Be 'Pass'
            $check.Finding | Should -Match 'built into the running kernel'
        }

        It 'passes Pf.VfCountPersisted when the module''s udev rule makes as many VFs at boot, and warns when it makes another count' {
            Set-SriovTestHostFile -Root $script:Root -Path '/etc/udev/rules.d/70-sriovps.rules' -Text (
                'ACTION=="add", SUBSYSTEM=="net", KERNELS=="0000:04:00.0", ATTR{device/sriov_numvfs}="7"' + "`n" +
                'ACTION=="add", SUBSYSTEM=="net", KERNELS=="0000:04:00.1", ATTR{device/sriov_numvfs}="3"' + "`n")

            $checks = @(Test-SriovHost)

            (Get-Check $checks 'Pf.VfCountPersisted' 'eno49').Status | Should -Be 'Pass'
            (Get-Check $checks 'Pf.VfCountPersisted' 'eno49').Finding | Should -Be '7 VFs now, and /etc/udev/rules.d/70-sriovps.rules makes 7 at boot.'
            $eno50 = Get-Check $checks 'Pf.VfCountPersisted' 'eno50'
            $eno50.Status | Should -Be 'Warning'
            $eno50.Finding | Should -Match '^7 VFs now, but /etc/udev/rules\.d/70-sriovps\.rules makes 3 at boot'
            $eno50.Remedy | Should -BeExactly 'Enable-SriovVf -PfName eno50 -Count 7 -Persist'
        }

        It 'passes Pf.VfCountPersisted, without comparing, for another udev rule that writes sriov_numvfs' {
            Set-SriovTestHostFile -Root $script:Root -Path '/etc/udev/rules.d/80-vfs.rules' `
                -Text ('ACTION=="add", SUBSYSTEM=="net", KERNEL=="eno51", ATTR{device/sriov_numvfs}="4"' + "`n")

            $check = Get-Check (Test-SriovHost) 'Pf.VfCountPersisted' 'eno51'

            $check.Status | Should -Be 'Pass'
            $check.Finding | Should -Match ([regex]::Escape('/etc/udev/rules.d/80-vfs.rules line 1 sets the VF count at boot'))
        }

        It 'fails Libvirt.DynamicOwnership on dynamic_ownership = 0 in qemu.conf' {
            Set-SriovTestHostFile -Root $script:Root -Path '/etc/libvirt/qemu.conf' `
                -Text "# Master configuration file for the QEMU driver.`n#dynamic_ownership = 1`ndynamic_ownership = 0`n"

            $check = Get-Check (Test-SriovHost) 'Libvirt.DynamicOwnership'

            $check.Status | Should -Be 'Fail'
            $check.Target | Should -Be '/etc/libvirt/qemu.conf'
            $check.Finding | Should -Match ([regex]::Escape('dynamic_ownership = 0 (/etc/libvirt/qemu.conf line 3)'))
            $check.Finding | Should -Match ([regex]::Escape('failed to open /dev/vfio/N: Permission denied'))
            $check.Remedy | Should -Match 'dynamic_ownership = 1'
            Test-SriovHost -Quiet | Should -BeFalse
        }

        It 'passes Libvirt.DynamicOwnership when qemu.conf leaves it commented out' {
            Set-SriovTestHostFile -Root $script:Root -Path '/etc/libvirt/qemu.conf' -Text "#dynamic_ownership = 0`n"

            $check = Get-Check (Test-SriovHost) 'Libvirt.DynamicOwnership'

            $check.Status | Should -Be 'Pass'
            $check.Finding | Should -Match 'does not set dynamic_ownership, which defaults to 1'
        }

        It 'skips Libvirt.AppArmorVfio on a copied tree once AppArmor confines QEMU: the groups to allow are those of pool VFs, which libvirt names' {
            Enable-TestAppArmor -Root $script:Root
            Set-TestPciDriver -Root $script:Root -PciAddress '0000:04:10.0' -Driver 'vfio-pci'

            $check = Get-Check (Test-SriovHost) 'Libvirt.AppArmorVfio'

            $check.Status | Should -Be 'Skipped'
            $check.Target | Should -Be $script:Abstraction
            $check.Finding | Should -Match 'libvirt was not read'
            $check.Remedy | Should -BeNullOrEmpty
        }

        It 'passes Libvirt.AppArmorVfio when qemu.conf turns the AppArmor security driver off' {
            Enable-TestAppArmor -Root $script:Root
            Set-SriovTestHostFile -Root $script:Root -Path '/etc/libvirt/qemu.conf' -Text "security_driver = `"none`"`n"

            $check = Get-Check (Test-SriovHost) 'Libvirt.AppArmorVfio'

            $check.Status | Should -Be 'Pass'
            $check.Finding | Should -Match 'libvirt does not confine QEMU with AppArmor'
        }

        It 'passes Libvirt.AppArmorVfio when AppArmor is not active' {
            Enable-TestAppArmor -Root $script:Root
            Set-SriovTestHostFile -Root $script:Root -Path '/sys/module/apparmor/parameters/enabled' -Text "N`n"

            $check = Get-Check (Test-SriovHost) 'Libvirt.AppArmorVfio'

            $check.Status | Should -Be 'Pass'
            $check.Finding | Should -Match 'AppArmor is not active'
        }
    }

    Context 'formatting' {
        BeforeEach {
            # The X540 host: Warnings whose remedies are commands, and a host-wide check whose remedy is prose.
            $env:SRIOVPS_HOST_ROOT = $script:Hosts['x540-2port']
        }

        BeforeAll {
            # The console's text, without the colours $PSStyle may give headers.
            function Get-ShownText([object[]] $InputObject, [int] $Width, [switch] $List) {
                $shown = if ($List) { $InputObject | Format-List | Out-String -Width $Width } else { $InputObject | Out-String -Width $Width }
                $shown -replace '\x1b\[[0-9;]*m', ''
            }
        }

        It 'shows Status, Id, Target and Remedy, failures first, with each remedy command whole at 120 columns' {
            $env:SRIOVPS_HOST_ROOT = $script:Hosts['iommu-off']
            $checks = @(Test-SriovHost)

            $text = Get-ShownText $checks -Width 120

            $text | Should -Match '(?m)^Status\s+Id\s+Target\s+Remedy\s*$'
            $text | Should -Not -Match 'Finding'
            $rows = @([regex]::Matches($text, '(?m)^(Fail|Warning|Pass|Skipped)\s') | ForEach-Object { $_.Groups[1].Value })
            $rows.Count | Should -Be $checks.Count
            $rows | Select-Object -Unique | Should -Be @('Fail', 'Warning', 'Pass', 'Skipped')
        }

        It 'keeps a remedy command on one line at <Width> columns, and the Remedy column at 80' -ForEach @(
            @{ Width = 120 }
            @{ Width = 100 }
        ) {
            $text = Get-ShownText @(Test-SriovHost) -Width $Width

            $text | Should -Match ([regex]::Escape('Set-SriovPf -Name eno2 -LinkState Up -Persist'))
            $text | Should -Match ([regex]::Escape('Enable-SriovVf -PfName eno1 -Count 63 -Persist'))
            Get-ShownText @(Test-SriovHost) -Width 80 | Should -Match '(?m)^Status\s+Id\s+Target\s+Remedy\s*$'
        }

        It 'shows the Finding in the list view' {
            $check = Get-Check (Test-SriovHost) 'Pf.LinkUp' 'eno2'

            $text = Get-ShownText $check -Width 200 -List

            $text | Should -Match '(?m)^Status\s+: Warning'
            $text | Should -Match '(?m)^Finding\s+: eno2 is administratively down'
            $text | Should -Match '(?m)^Remedy\s+: Set-SriovPf -Name eno2'
        }

        It 'says in one line on the host how many checks have each status, leaving the output to the checks' {
            $checks = @(Test-SriovHost -InformationVariable information)
            $count = { param($status) @($checks | Where-Object Status -EQ $status).Count }

            $information.Count | Should -Be 1
            $information[0].Tags | Should -Contain 'PSHOST'
            "$($information[0].MessageData)" | Should -BeExactly ("Test-SriovHost: {0} Fail, {1} Warning, {2} Pass, {3} Skipped ({4} checks)." -f
                (& $count Fail), (& $count Warning), (& $count Pass), (& $count Skipped), $checks.Count)
            $checks | ForEach-Object { $_ | Should -BeOfType 'SriovPS.SriovHostCheck' }
            @(Test-SriovHost -InformationAction Ignore | Where-Object Status -EQ Warning).Count | Should -Be (& $count Warning)
            @(Test-SriovHost -Quiet -InformationVariable quiet) | Should -Be @($true)
            $quiet.Count | Should -Be 0
        }
    }

    Context 'help' {
        It 'has the synopsis, every parameter and at least two examples from the MAML help' {
            $help = Get-Help Test-SriovHost -Full

            $help.Synopsis | Should -Match 'IOMMU, vfio, each PF, libvirt, AppArmor, pools and guests'
            @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2
            foreach ($name in 'PfName', 'Network', 'Uri', 'Quiet') {
                $help.Parameters.Parameter.Name | Should -Contain $name
            }
        }
    }
}
