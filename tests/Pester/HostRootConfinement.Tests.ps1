#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Copied host trees whose directories are links, files or directories where the module does not expect
# them, and the host change lock held by another process. Nothing outside a tree may be read or written;
# what cannot be done is a catalogued error, never a raw exception; the lock leaves no file in a tree.

BeforeAll {
    $script:CallersHostRoot = $env:SRIOVPS_HOST_ROOT
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $script:Grub = '/etc/default/grub'
    $script:GrubText = "GRUB_DEFAULT=0`nGRUB_CMDLINE_LINUX_DEFAULT=`"quiet splash`"`nGRUB_CMDLINE_LINUX=`"`"`n"
    $script:VfioConf = '/etc/modules-load.d/vfio.conf'
    $script:Abstraction = '/etc/apparmor.d/abstractions/libvirt-qemu'
    $script:Local = '/etc/apparmor.d/local/abstractions/libvirt-qemu'
    $script:Rules = '/etc/udev/rules.d/70-sriovps.rules'
    $script:LockDirectory = '/run/lock'

    # A fresh copy of $Fixture with an Intel CPU, /etc/default/grub, and libvirt's AppArmor abstraction
    # including the local file; SRIOVPS_HOST_ROOT names it.
    function New-ConfinementTestHost {
        param([string] $Fixture = 'i350-4port')
        $root = New-SriovTestHost -Fixture $Fixture
        Set-SriovTestHostFile $root '/proc/cpuinfo' "processor`t: 0`nvendor_id`t: GenuineIntel`ncpu family`t: 6`n"
        Set-SriovTestHostFile $root $script:Grub $script:GrubText
        Set-SriovTestHostFile $root '/sys/module/apparmor/parameters/enabled' "Y`n"
        Set-SriovTestHostFile $root $script:Abstraction "  /dev/vfio/vfio rw,`n  #include <local/abstractions/libvirt-qemu>`n"
        $env:SRIOVPS_HOST_ROOT = $root
        $root
    }

    # Replaces the tree's $Directory with a link whose absolute target is $Target (a folder of this machine).
    function Set-LinkedDirectory {
        param([string] $Root, [string] $Directory, [string] $Target)
        $path = $Root + $Directory
        if (Test-Path -LiteralPath $path) { Remove-Item -LiteralPath $path -Recurse -Force }
        $parent = Split-Path -Parent $path
        if (-not (Test-Path -LiteralPath $parent)) { New-Item -ItemType Directory -Path $parent | Out-Null }
        New-Item -ItemType SymbolicLink -Path $path -Target $Target | Out-Null
    }

    # A folder outside every tree, with files a command would edit if it followed a link out of its tree.
    function New-OutsideFolder {
        $folder = Join-Path ([System.IO.Path]::GetTempPath()) ("sriovps-outside-" + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $folder | Out-Null
        Set-Content -LiteralPath (Join-Path $folder 'grub') -Value $script:GrubText -NoNewline
        Set-Content -LiteralPath (Join-Path $folder 'vfio.conf') -Value "# the machine's own`n" -NoNewline
        Set-Content -LiteralPath (Join-Path $folder 'libvirt-qemu') -Value "# the machine's own rules`n" -NoNewline
        $folder
    }

    # Every entry of a folder (files and directories, hidden ones too) with its hash and write time.
    function Get-FolderState {
        param([string] $Path)
        Get-ChildItem -LiteralPath $Path -Recurse -Force | Sort-Object FullName | ForEach-Object {
            $hash = if ($_.PSIsContainer) { 'dir' } else { (Get-FileHash -LiteralPath $_.FullName -Algorithm SHA256).Hash }
            '{0} {1} {2:o}' -f $_.FullName, $hash, $_.LastWriteTimeUtc
        }
    }

    # The tree's files and links and its directories: a refused change leaves both as they were.
    function Get-WholeTreeState {
        param([string] $Root)
        @(Get-SriovTestTreeState $Root) + @(Get-ChildItem -LiteralPath $Root -Recurse -Force -Directory | ForEach-Object FullName | Sort-Object)
    }
}

AfterAll {
    $env:SRIOVPS_HOST_ROOT = $script:CallersHostRoot
    Remove-Module SriovPS -ErrorAction SilentlyContinue
}

Describe 'Host root confinement' -Tag 'CI' {
    BeforeEach {
        $script:Root = $null
        $script:Outside = New-OutsideFolder
        $script:OutsideBefore = @(Get-FolderState $script:Outside)
    }

    AfterEach {
        Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
        if ($script:Root) { Remove-SriovTestHost $script:Root }
        Remove-Item -LiteralPath $script:Outside -Recurse -Force -ErrorAction SilentlyContinue
    }

    Context 'a directory of the tree linked to a folder outside it' {
        It 'Enable-SriovIommu with <Directory> linked out changes nothing outside the tree and names the link' -ForEach @(
            @{ Directory = '/etc/default'; File = '/etc/default/grub' }
            @{ Directory = '/etc/modules-load.d'; File = '/etc/modules-load.d/vfio.conf' }
        ) {
            $script:Root = New-ConfinementTestHost -Fixture 'iommu-off'
            Set-LinkedDirectory $script:Root $Directory $script:Outside

            Enable-SriovIommu -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Out-Null

            @(Get-FolderState $script:Outside) | Should -Be $script:OutsideBefore
            $outsideErrors = @($errors | Where-Object { $_.FullyQualifiedErrorId -like 'HostPathOutsideRoot,*' })
            $outsideErrors.Count | Should -Be 1
            $outsideErrors[0].FullyQualifiedErrorId | Should -Be 'HostPathOutsideRoot,SriovPS.Commands.EnableSriovIommuCommand'
            $outsideErrors[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
            $outsideErrors[0].TargetObject | Should -Be $File
            $outsideErrors[0].Exception.Message | Should -BeLike "*$Directory → $($script:Outside)*not inside the host tree*"
        }

        It 'Repair-VfioAppArmor with /etc/apparmor.d/local/abstractions linked out changes nothing outside the tree' {
            $script:Root = New-ConfinementTestHost
            Set-LinkedDirectory $script:Root '/etc/apparmor.d/local/abstractions' $script:Outside

            Repair-VfioAppArmor -IommuGroup 39 -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Out-Null

            @(Get-FolderState $script:Outside) | Should -Be $script:OutsideBefore
            @($errors).Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be 'HostPathOutsideRoot,SriovPS.Commands.RepairVfioAppArmorCommand'
            $errors[0].TargetObject | Should -Be $script:Local
        }

        It 'Test-SriovHost -Fix with /etc/modules-load.d linked out changes nothing outside the tree' {
            $script:Root = New-ConfinementTestHost
            Set-LinkedDirectory $script:Root '/etc/modules-load.d' $script:Outside

            Test-SriovHost -Fix -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Out-Null

            @(Get-FolderState $script:Outside) | Should -Be $script:OutsideBefore
            @($errors | Where-Object { $_.FullyQualifiedErrorId -eq 'HostPathOutsideRoot,SriovPS.Commands.TestSriovHostCommand' }).Count | Should -Be 1
        }

        It 'follows an absolute link whose target is inside the tree, as the copied host would' {
            $script:Root = New-ConfinementTestHost -Fixture 'iommu-off'
            Set-SriovTestHostFile $script:Root '/etc/static/default/grub' $script:GrubText
            Set-LinkedDirectory $script:Root '/etc/default' '/etc/static/default'

            Enable-SriovIommu -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Out-Null

            $errors.Count | Should -Be 0
            Get-SriovTestHostText $script:Root '/etc/static/default/grub' | Should -Match 'GRUB_CMDLINE_LINUX_DEFAULT="quiet splash intel_iommu=on iommu=pt"'
            (Get-Item -LiteralPath ($script:Root + '/etc/default')).LinkTarget | Should -Be '/etc/static/default'
            @(Get-FolderState $script:Outside) | Should -Be $script:OutsideBefore
        }
    }

    Context 'files and directories in each other''s place' {
        It 'Repair-VfioAppArmor reports a local file that is a directory as such, without ending the command' {
            $script:Root = New-ConfinementTestHost
            New-Item -ItemType Directory -Path ($script:Root + $script:Local) | Out-Null
            $before = Get-WholeTreeState $script:Root

            { Repair-VfioAppArmor -IommuGroup 39 -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Out-Null
                $script:Errors = $errors } | Should -Not -Throw

            $script:Errors.Count | Should -Be 1
            $script:Errors[0].FullyQualifiedErrorId | Should -Be 'HostPathWrongType,SriovPS.Commands.RepairVfioAppArmorCommand'
            $script:Errors[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            $script:Errors[0].Exception.Message | Should -BeLike '*is a directory, not a file*'
            $script:Errors[0].Exception.Message | Should -Not -BeLike '*permission denied*'
            Get-WholeTreeState $script:Root | Should -Be $before
        }

        It 'Set-SriovVfDriver -Persist reports a rules file that is a directory as such, without ending the command' {
            $script:Root = New-ConfinementTestHost
            New-Item -ItemType Directory -Path ($script:Root + $script:Rules) -Force | Out-Null
            $before = Get-WholeTreeState $script:Root

            { Set-SriovVfDriver eno49 -Index 0 -Driver vfio-pci -Persist -WhatIf -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Out-Null
                $script:Errors = $errors } | Should -Not -Throw

            @($script:Errors | Where-Object { $_.FullyQualifiedErrorId -eq 'HostPathWrongType,SriovPS.Commands.SetSriovVfDriverCommand' }).Count | Should -Be 1
            @($script:Errors | Where-Object { $_.Exception -isnot [SriovPS.Errors.SriovException] }).Count | Should -Be 0
            Get-WholeTreeState $script:Root | Should -Be $before
        }

        It 'Enable-SriovIommu reports /run/lock that is a file as such, and writes nothing' {
            $script:Root = New-ConfinementTestHost -Fixture 'iommu-off'
            if (Test-Path -LiteralPath ($script:Root + $script:LockDirectory)) { Remove-Item -LiteralPath ($script:Root + $script:LockDirectory) -Recurse -Force }
            Set-SriovTestHostFile $script:Root $script:LockDirectory "not a directory`n"
            $before = Get-WholeTreeState $script:Root

            Enable-SriovIommu -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Out-Null

            @($errors).Count | Should -BeGreaterThan 0
            foreach ($record in $errors) {
                $record.FullyQualifiedErrorId | Should -Be 'HostPathWrongType,SriovPS.Commands.EnableSriovIommuCommand'
                $record.Exception.Message | Should -BeLike '*/run/lock*is a file, not a directory*'
            }
            Get-WholeTreeState $script:Root | Should -Be $before
        }
    }

    Context 'the host change lock' {
        It 'leaves no lock file (nor its directories) in a tree after a refused repair' {
            $script:Root = New-ConfinementTestHost
            if (Test-Path -LiteralPath ($script:Root + '/run')) { Remove-Item -LiteralPath ($script:Root + '/run') -Recurse -Force }
            Set-SriovTestHostFile $script:Root $script:Local "# the site's own`n"
            [System.IO.File]::SetUnixFileMode($script:Root + $script:Local, 'UserRead, GroupRead, OtherRead')
            $before = Get-WholeTreeState $script:Root

            Repair-VfioAppArmor -IommuGroup 39 -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Out-Null

            @($errors | Where-Object { $_.FullyQualifiedErrorId -like 'ConfigFileReadOnly,*' }).Count | Should -Be 1
            ($script:Root + '/run') | Should -Not -Exist
            Get-WholeTreeState $script:Root | Should -Be $before
        }

        It 'warns within a few seconds that it waits, naming the holder''s PID and command' {
            $script:Root = New-ConfinementTestHost -Fixture 'iommu-off'
            New-Item -ItemType Directory -Path ($script:Root + $script:LockDirectory) -Force | Out-Null
            $lock = $script:Root + '/run/lock/sriovps.lock'
            # Another process holds the lock for 5 s, its PID in the file as SriovPS writes it.
            $start = [System.Diagnostics.ProcessStartInfo]::new('bash')
            foreach ($argument in @('-c', 'echo $$ > "$0"; exec flock "$0" sleep 5', $lock)) { $start.ArgumentList.Add($argument) }
            $holder = [System.Diagnostics.Process]::Start($start)
            $deadline = [DateTime]::UtcNow.AddSeconds(5)
            # Read with cat: .NET's own reads take a shared flock on Unix, which the holder's lock refuses.
            while (-not ((Test-Path -LiteralPath $lock) -and "$(cat -- $lock 2>$null)" -match '\d') -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            Start-Sleep -Milliseconds 300
            try {
                $clock = [System.Diagnostics.Stopwatch]::StartNew()
                Enable-SriovIommu -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue -ErrorVariable errors -ErrorAction SilentlyContinue | Out-Null
                $clock.Stop()
            }
            finally {
                $holder.WaitForExit()
            }

            $waits = @($warnings | Where-Object Message -Like 'Waiting for another SriovPS command*')
            $waits.Count | Should -Be 1
            $waits[0].Message | Should -BeLike "*PID $($holder.Id): flock $lock sleep 5*"
            # It waited for the holder (about 5 s), then made the change.
            $clock.Elapsed.TotalSeconds | Should -BeGreaterThan 2
            $errors.Count | Should -Be 0
            Get-SriovTestHostText $script:Root $script:Grub | Should -Match 'intel_iommu=on'
        }
    }
}
