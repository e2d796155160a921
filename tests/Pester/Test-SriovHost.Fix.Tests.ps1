#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Test-SriovHost -Fix on copied host trees, each test on a fresh one, and the check of stale AppArmor
# rules it repairs; the checks themselves are in Test-SriovHost.Tests.ps1.

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $script:Command = 'SriovPS.Commands.TestSriovHostCommand'
    $script:Abstraction = '/etc/apparmor.d/abstractions/libvirt-qemu'
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Test-SriovHost -Fix and Libvirt.AppArmorStaleRules' -Tag 'CI' {
    BeforeAll {
        $script:LocalAbstraction = '/etc/apparmor.d/local/abstractions/libvirt-qemu'
        $script:VfioConf = '/etc/modules-load.d/vfio.conf'
        $script:VfioConfText = "# vfio for VFs given to guests (vfio-pci), loaded at boot; written by Enable-SriovIommu.`nvfio`nvfio_iommu_type1`nvfio_pci`n"
        $script:StaleRule = "/dev/vfio/39 rw,  # SriovPS group of 0000:ff:1f.7: VF 0 of eno49 in pool 'eno49-sr-iov'"
        $script:FreshRule = '/dev/vfio/39 rw,  # SriovPS group of 0000:04:10.0: IOMMU group 39 given to Repair-VfioAppArmor, holding 0000:04:10.0'

        # AppArmor active, libvirt's abstraction including the local file (unless -NoInclude), and the local file
        # with a comment on line 1 and $Rules from line 2 on.
        function Set-TestLocalRules {
            param(
                [Parameter(Mandatory)] [string] $Root,
                [string[]] $Rules = @(),
                [switch] $NoInclude
            )
            Set-SriovTestHostFile -Root $Root -Path '/sys/module/apparmor/parameters/enabled' -Text "Y`n"
            $text = "# libvirt-qemu (excerpt)`n  #include <abstractions/base>`n  /dev/kvm rw,`n  /dev/vfio/vfio rw,`n"
            if (-not $NoInclude) {
                $text += "`n  # Site-specific additions and overrides. See local/README for details.`n  #include <local/abstractions/libvirt-qemu>`n"
            }
            Set-SriovTestHostFile -Root $Root -Path $script:Abstraction -Text $text
            $local = (@("# Site-specific additions and overrides for 'abstractions/libvirt-qemu'.") + $Rules) -join "`n"
            Set-SriovTestHostFile -Root $Root -Path $script:LocalAbstraction -Text ($local + "`n")
        }

        # A check as one line, to compare two runs.
        function Format-Check {
            param([Parameter(ValueFromPipeline)] $Check)
            process { '{0}|{1}|{2}|{3}|{4}' -f $Check.Id, $Check.Target, $Check.Status, $Check.Finding, $Check.Remedy }
        }
    }

    BeforeEach {
        $script:FixRoot = New-SriovTestHost -Fixture 'i350-4port'
        $env:SRIOVPS_HOST_ROOT = $script:FixRoot
    }

    AfterEach {
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
        Remove-SriovTestHost $script:FixRoot
    }

    Context 'the command' {
        It 'supports -WhatIf and -Confirm, takes -Fix as a switch, asks at ConfirmImpact High, and declares both output types' {
            $command = Get-Command Test-SriovHost

            $command.Parameters.ContainsKey('WhatIf') | Should -BeTrue
            $command.Parameters.ContainsKey('Confirm') | Should -BeTrue
            $command.Parameters['Fix'].SwitchParameter | Should -BeTrue
            # High: every change is asked about at the default $ConfirmPreference.
            $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact |
                Should -Be 'High'
            $command.OutputType.Name | Should -Contain 'SriovPS.SriovHostCheck'
            $command.OutputType.Name | Should -Contain 'SriovPS.SriovHostChange'
        }
    }

    Context '-Fix asks before each change, in a child pwsh' {
        BeforeAll {
            # Runs $Script in a new pwsh with the module imported and SRIOVPS_HOST_ROOT set to $Root, typing
            # $Answers at its prompts (its standard input); the script's last line, after 'RESULT:', is JSON.
            function Invoke-ChildPwsh {
                param([string] $Root, [string] $Script, [string[]] $Answers = @(), [switch] $NonInteractive)
                $self = (Get-Process -Id $PID).Path
                $start = [System.Diagnostics.ProcessStartInfo]::new($self)
                if ([System.IO.Path]::GetFileNameWithoutExtension($self) -ne 'pwsh') {
                    $start.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll'))
                }
                $module = Join-Path $PSScriptRoot '../../out/SriovPS'
                $arguments = @('-NoProfile') + @(if ($NonInteractive) { '-NonInteractive' }) + @('-Command', "Import-Module '$module'; $Script")
                foreach ($argument in $arguments) {
                    $start.ArgumentList.Add($argument)
                }
                $start.Environment['SRIOVPS_HOST_ROOT'] = $Root
                $start.RedirectStandardInput = $start.RedirectStandardOutput = $start.RedirectStandardError = $true
                $start.UseShellExecute = $false
                $process = [System.Diagnostics.Process]::Start($start)
                try {
                    $stdout = $process.StandardOutput.ReadToEndAsync()
                    $stderr = $process.StandardError.ReadToEndAsync()
                    foreach ($answer in $Answers) {
                        $process.StandardInput.WriteLine($answer)
                    }
                    $process.StandardInput.Close()
                    if (-not $process.WaitForExit(120000)) {
                        $process.Kill($true)
                        throw "The child pwsh did not finish: $($stdout.Result)"
                    }
                    $line = @($stdout.Result -split "`n" | Where-Object { $_.StartsWith('RESULT:') })
                    if ($line.Count -ne 1) {
                        throw "The child pwsh gave no result: $($stdout.Result) $($stderr.Result)"
                    }
                    [pscustomobject]@{ Shown = $stdout.Result; Result = $line[0].Substring(7) | ConvertFrom-Json }
                }
                finally {
                    $process.Dispose()
                }
            }

            # -Fix at the default preferences (no -Confirm), reporting what came out.
            $script:FixScript = '$out = @(Test-SriovHost -Fix -WarningAction SilentlyContinue -ErrorVariable e -ErrorAction SilentlyContinue); ' +
                '"RESULT:" + (@{ Changes = @($out | Where-Object { $_ -is [SriovPS.SriovHostChange] } | ForEach-Object Path); ' +
                'Checks = @($out | Where-Object { $_ -is [SriovPS.SriovHostCheck] }).Count; Errors = @($e | ForEach-Object FullyQualifiedErrorId) } | ConvertTo-Json -Compress)'
        }

        It 'changes nothing when the user answers No, and returns the checks' {
            $before = Get-SriovTestTreeState $script:FixRoot

            $run = Invoke-ChildPwsh -Root $script:FixRoot -Script $script:FixScript -Answers 'N', 'N', 'N'

            $run.Shown | Should -Match ([regex]::Escape('on target "/etc/modules-load.d/vfio.conf"'))
            $run.Shown | Should -Match ([regex]::Escape('[Y] Yes  [A] Yes to All  [N] No'))
            @($run.Result.Changes).Count | Should -Be 0
            $run.Result.Checks | Should -BeGreaterThan 0
            Get-SriovTestTreeState $script:FixRoot | Should -Be $before
        }

        It 'makes the change the user answers Yes to, and returns its SriovHostChange' {
            $run = Invoke-ChildPwsh -Root $script:FixRoot -Script $script:FixScript -Answers 'Y', 'Y', 'Y'

            @($run.Result.Changes) | Should -Be @($script:VfioConf)
            [System.IO.File]::ReadAllText($script:FixRoot + $script:VfioConf) | Should -BeExactly $script:VfioConfText
        }

        It 'changes nothing in a non-interactive pwsh, and says that the change waits for a confirmation' {
            $before = Get-SriovTestTreeState $script:FixRoot

            $run = Invoke-ChildPwsh -Root $script:FixRoot -Script $script:FixScript -NonInteractive

            @($run.Result.Errors) | Should -Be @("ConfirmationUnavailable,$script:Command")
            @($run.Result.Changes).Count | Should -Be 0
            $run.Result.Checks | Should -BeGreaterThan 0
            Get-SriovTestTreeState $script:FixRoot | Should -Be $before
        }
    }

    Context '-Fix returns the files it changed' {
        It 'returns the checks, then one SriovHostChange per file, with the backup of a file it replaced' {
            Set-SriovTestHostFile -Root $script:FixRoot -Path $script:VfioConf -Text "# the site's own`nvfio`n"

            $out = @(Test-SriovHost -Fix -Confirm:$false -WarningAction SilentlyContinue -InformationVariable information)
            $changes = @($out | Where-Object { $_ -is [SriovPS.SriovHostChange] })
            $checks = @($out | Where-Object { $_ -is [SriovPS.SriovHostCheck] })

            $changes.Count | Should -Be 1
            $out.Count | Should -Be ($checks.Count + 1)
            $out[-1] | Should -Be $changes[0]
            $changes[0].Path | Should -Be $script:VfioConf
            $changes[0].Changed | Should -BeTrue
            $changes[0].BackupPath | Should -Be "$script:VfioConf.sriovps.bak"
            [System.IO.File]::ReadAllText($script:FixRoot + $changes[0].BackupPath) | Should -BeExactly "# the site's own`nvfio`n"
            (Get-Check $checks 'Vfio.LoadAtBoot').Status | Should -Be 'Pass'
            "$($information[-1].MessageData)" | Should -Match '; -Fix changed 1 file, listed after the checks\)\.$'
            # Scripts that select checks by Status are not disturbed by the change records.
            @($out | Where-Object Status -EQ 'Pass').Count | Should -Be @($checks | Where-Object Status -EQ 'Pass').Count
        }

        It 'returns no SriovHostChange with -WhatIf' {
            @(Test-SriovHost -Fix -WhatIf -WarningAction SilentlyContinue | Where-Object { $_ -is [SriovPS.SriovHostChange] }).Count | Should -Be 0
        }
    }

    Context '-Fix on a copied tree' {
        It 'writes vfio.conf for the Vfio.LoadAtBoot warning, and returns the checks made again, Vfio.LoadAtBoot passing' {
            (Get-Check (Test-SriovHost) 'Vfio.LoadAtBoot').Status | Should -Be 'Warning'

            $checks = @(Test-SriovHost -Fix -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)

            $errors.Count | Should -Be 0
            [System.IO.File]::ReadAllText($script:FixRoot + $script:VfioConf) | Should -BeExactly $script:VfioConfText
            $check = Get-Check $checks 'Vfio.LoadAtBoot'
            $check.Status | Should -Be 'Pass'
            $check.Finding | Should -BeExactly 'vfio_pci is loaded at boot by /etc/modules-load.d/vfio.conf line 4 (vfio and vfio_iommu_type1 too).'
            # Only the modules were named: the kernel command line is not touched.
            Join-Path $script:FixRoot 'etc/default/grub' | Should -Not -Exist
        }

        It 'changes nothing with -Fix -WhatIf, and returns the same results as without -Fix' {
            $plain = @(Test-SriovHost | Format-Check)
            $before = Get-SriovTestTreeState $script:FixRoot

            $fixed = @(Test-SriovHost -Fix -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)

            $errors.Count | Should -Be 0
            @($fixed | Format-Check) | Should -Be $plain
            (Get-Check $fixed 'Vfio.LoadAtBoot').Status | Should -Be 'Warning'
            Get-SriovTestTreeState $script:FixRoot | Should -Be $before
            Join-Path $script:FixRoot 'etc/modules-load.d/vfio.conf' | Should -Not -Exist
        }

        It 'returns the new verdict with -Quiet' {
            $result = @(Test-SriovHost -Fix -Quiet -Confirm:$false -WarningAction SilentlyContinue)

            $result.Count | Should -Be 1
            $result[0] | Should -BeOfType 'System.Boolean'
            $result[0] | Should -BeTrue
            Join-Path $script:FixRoot 'etc/modules-load.d/vfio.conf' | Should -Exist
        }

        It 'says LiveHostRequired for a PF administratively down, and still writes vfio.conf' {
            $net = Resolve-TestHostLink -Root $script:FixRoot -Path '/sys/class/net/eno49'
            [System.IO.File]::WriteAllText((Join-Path $net 'flags'), "0x1002`n")

            $checks = @(Test-SriovHost -Fix -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)

            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "LiveHostRequired,$script:Command"
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            $errors[0].Exception.Message | Should -Match '^eno49 belongs to the copied host tree'
            (Get-Check $checks 'Pf.LinkUp' 'eno49').Status | Should -Be 'Fail'
            (Get-Check $checks 'Vfio.LoadAtBoot').Status | Should -Be 'Pass'
        }

        It 'does not run Repair-VfioAppArmor for a stale rule it wrote: libvirt is not read for a copied tree' {
            Set-TestLocalRules -Root $script:FixRoot -Rules $script:StaleRule
            $localHash = (Get-FileHash -LiteralPath ($script:FixRoot + $script:LocalAbstraction)).Hash

            $checks = @(Test-SriovHost -Fix -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue)

            @($warnings | Where-Object Message -Match '^Repair-VfioAppArmor is not run').Count | Should -Be 1
            (Get-FileHash -LiteralPath ($script:FixRoot + $script:LocalAbstraction)).Hash | Should -Be $localHash
            (Get-Check $checks 'Libvirt.AppArmorStaleRules').Status | Should -Be 'Warning'
        }
    }

    Context 'Libvirt.AppArmorStaleRules' {
        It 'warns for a rule SriovPS wrote whose group no longer holds the device it names, with Repair-VfioAppArmor as the remedy' {
            Set-TestLocalRules -Root $script:FixRoot -Rules $script:StaleRule

            $check = Get-Check (Test-SriovHost) 'Libvirt.AppArmorStaleRules'

            $check.Status | Should -Be 'Warning'
            $check.Target | Should -Be $script:LocalAbstraction
            $check.Finding | Should -Match ('^Stale AppArmor rules on vfio groups: ' +
                [regex]::Escape("'$script:StaleRule' ($script:LocalAbstraction line 2): IOMMU group 39 now holds 0000:04:10.0, not 0000:ff:1f.7"))
            $check.Remedy | Should -BeExactly 'Repair-VfioAppArmor (rewrites the rules it wrote for the groups the VFs are in now).'
        }

        It 'names the line to delete for a rule of the site''s own on a group that no longer exists' {
            Set-TestLocalRules -Root $script:FixRoot -Rules '  /dev/vfio/999 rw,'

            $check = Get-Check (Test-SriovHost) 'Libvirt.AppArmorStaleRules'

            $check.Status | Should -Be 'Warning'
            $check.Finding | Should -Match 'IOMMU group 999 no longer exists'
            $check.Remedy | Should -BeExactly "Delete line 2 of $script:LocalAbstraction, then run Repair-VfioAppArmor."
        }

        It 'passes for a rule whose group still holds the device it was written for' {
            Set-TestLocalRules -Root $script:FixRoot -Rules $script:FreshRule, '  /dev/vfio/40 rw,'

            $check = Get-Check (Test-SriovHost) 'Libvirt.AppArmorStaleRules'

            $check.Status | Should -Be 'Pass'
            $check.Target | Should -Be $script:LocalAbstraction
            $check.Finding | Should -BeExactly 'The 2 AppArmor rules on single vfio groups (/dev/vfio/39 and /dev/vfio/40) name groups that hold the devices they were written for.'
        }

        It 'names the abstraction as its Target when the rules on single groups, all passing, are in the abstraction' {
            Set-TestLocalRules -Root $script:FixRoot -NoInclude
            Set-SriovTestHostFile -Root $script:FixRoot -Path $script:Abstraction -Text "# libvirt-qemu (excerpt)`n  #include <abstractions/base>`n  /dev/kvm rw,`n  /dev/vfio/40 rw,`n"

            $check = Get-Check (Test-SriovHost) 'Libvirt.AppArmorStaleRules'

            $check.Status | Should -Be 'Pass'
            $check.Target | Should -Be $script:Abstraction
        }

        It 'is absent when <Why>' -ForEach @(
            @{ Why = 'no rule names a single group'; Rules = @('  /dev/vfio/* rw,', '  /srv/vm-images/** rwk,'); NoInclude = $false }
            @{ Why = 'the abstraction does not include the local file that holds the rule'; Rules = @("/dev/vfio/39 rw,  # SriovPS group of 0000:ff:1f.7: VF 0 of eno49 in pool 'eno49-sr-iov'"); NoInclude = $true }
        ) {
            Set-TestLocalRules -Root $script:FixRoot -Rules $Rules -NoInclude:$NoInclude

            @(Test-SriovHost | Where-Object Id -EQ 'Libvirt.AppArmorStaleRules').Count | Should -Be 0
        }
    }
}
