#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $script:I350 = New-SriovTestHost -Fixture 'i350-4port'
    $script:Command = 'SriovPS.Commands.EnableSriovVfCommand'

    # VF 0 of eno49 (0000:04:10.0, IOMMU group 39) on vfio-pci, its group held by a QEMU as /proc shows it.
    function Add-VfioHolder {
        param([string] $Root)
        $vf = Join-Path $Root 'sys/devices/pci0000:00/0000:00:02.2/0000:04:10.0'
        [System.IO.File]::Delete((Join-Path $vf 'driver'))
        [System.IO.File]::CreateSymbolicLink((Join-Path $vf 'driver'), '../../../../bus/pci/drivers/vfio-pci') | Out-Null
        # The class link first, while its target exists; .NET removes a link itself, never what it points at.
        [System.IO.File]::Delete((Join-Path $Root 'sys/class/net/enp4s16f0'))
        [System.IO.Directory]::Delete((Join-Path $vf 'net'), $true)
        $process = Join-Path $Root 'proc/4242'
        $null = New-Item -ItemType Directory -Path (Join-Path $process 'fd') -Force
        [System.IO.File]::WriteAllText((Join-Path $process 'cmdline'), "qemu-system-x86_64`0-name`0guest=vm1`0")
        [System.IO.File]::CreateSymbolicLink((Join-Path $process 'fd/23'), '/dev/vfio/39') | Out-Null
    }
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    Remove-SriovTestHost $script:I350
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Enable-SriovVf' -Tag 'CI' {
    BeforeEach {
        $env:SRIOVPS_HOST_ROOT = $script:I350
    }

    AfterEach {
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
    }

    Context 'validation, before anything is written' {
        It 'refuses <Count> VFs on a PF with TotalVfs 7 as VfCountOutOfRange (LimitsExceeded)' -ForEach @(
            @{ Count = 8 }
            @{ Count = 0 }
            @{ Count = -1 }
        ) {
            $before = Get-SriovTestTreeState $script:I350

            Enable-SriovVf eno49 -Count $Count -Force -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "VfCountOutOfRange,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
            $errors[0].Exception.Message | Should -Match 'eno49 takes 1 to 7 VFs'
            Get-SriovTestTreeState $script:I350 | Should -Be $before
        }

        It 'throws with -ErrorAction Stop' {
            { Enable-SriovVf eno49 -Count 8 -ErrorAction Stop -WarningAction SilentlyContinue } |
                Should -Throw -ErrorId "VfCountOutOfRange,$script:Command"
        }

        It 'goes on with the next PF of the pipeline after a refusal' {
            Get-SriovPf eno49, eno50 -WarningAction SilentlyContinue |
                Enable-SriovVf -Count 9 -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            $errors.Count | Should -Be 2
            $errors[1].Exception.Message | Should -Match 'eno50 takes 1 to 7'
        }

        It 'reports a PF that does not exist as SriovPfNotFound' {
            Enable-SriovVf nosuch -Count 2 -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            $errors[0].FullyQualifiedErrorId | Should -Be "SriovPfNotFound,$script:Command"
        }
    }

    Context 'on a copied host tree' {
        It 'changes nothing with -WhatIf, -Persist included, and warns once that it cannot apply' {
            # A tree of its own: the warning is given once per command line and tree.
            $tree = New-SriovTestHost -Fixture 'i350-4port'
            $env:SRIOVPS_HOST_ROOT = $tree
            $before = Get-SriovTestTreeState $tree

            $output = Enable-SriovVf eno49 -Count 3 -Persist -DriversAutoprobe $false -PreserveSettings -WhatIf `
                -WarningVariable warnings -WarningAction SilentlyContinue -ErrorVariable errors -ErrorAction SilentlyContinue

            $output | Should -BeNullOrEmpty
            $errors.Count | Should -Be 0
            ($warnings | Where-Object Message -Match 'kernel are shown \(-WhatIf\) but not made').Count | Should -Be 1
            Get-SriovTestTreeState $tree | Should -Be $before
            Join-Path $tree 'etc/udev/rules.d/70-sriovps.rules' | Should -Not -Exist
            Remove-SriovTestHost $tree
        }

        It 'says LiveHostRequired without -WhatIf, and changes nothing' {
            $before = Get-SriovTestTreeState $script:I350

            Enable-SriovVf eno49 -Count 3 -Force -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "LiveHostRequired,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            Get-SriovTestTreeState $script:I350 | Should -Be $before
        }

        It 'writes nothing for the count a PF already has, says so, and passes its VFs through' {
            $vfs = Enable-SriovVf eno49 -Count 7 -PassThru -Verbose -Confirm:$false `
                -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue 4>&1

            $errors.Count | Should -Be 0
            ($vfs | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Contain 'eno49 already has 7 VFs: nothing written.'
            ($vfs | Where-Object { $_ -is [SriovPS.SriovVf] }).Count | Should -Be 7
        }
    }

    Context 'holders' {
        BeforeAll {
            $script:Held = New-SriovTestHost -Fixture 'i350-4port'
            Add-VfioHolder $script:Held
        }

        AfterAll {
            Remove-SriovTestHost $script:Held
        }

        It 'refuses with VfsInUse naming the process, before any question and also with -Force' {
            $env:SRIOVPS_HOST_ROOT = $script:Held
            $before = Get-SriovTestTreeState $script:Held

            Enable-SriovVf eno49 -Count 3 -Force -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "VfsInUse,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'ResourceBusy'
            $errors[0].Exception.Message | Should -Match 'PID 4242 \(qemu-system-x86_64 -name guest=vm1\) has /dev/vfio/39 open'
            Get-SriovTestTreeState $script:Held | Should -Be $before
        }
    }

    Context 'help' {
        It 'documents the holder check and -Persist' {
            $help = Get-Help Enable-SriovVf -Full

            ($help.Examples.Example | Measure-Object).Count | Should -BeGreaterOrEqual 2
            ($help.Parameters.Parameter | Where-Object Name -EQ 'Persist').Description.Text | Should -Match '70-sriovps.rules'
        }
    }
}
