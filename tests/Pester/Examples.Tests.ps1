#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Runs every example of README.md (its ```powershell blocks) and of docs/help/*.md (the block of each
# "### Example N"), read from the files when the tests are discovered, one test each. Each example runs
# with $WhatIfPreference set in its own scope, on a fresh copy of the I350 sample host (SRIOVPS_HOST_ROOT)
# dressed as the examples' Debian host (GRUB, AppArmor with libvirt's abstraction, netplan), with
# LIBVIRT_DEFAULT_URI=test:///default so the libvirt commands reach libvirt's in-process test driver.
# What an example presumes there is set up first and removed after: the guests it names (running when it
# uses -Live; with the MACs it removes, else one interface on a pool; with the VFs it names as fixed VFs)
# and the pools it names (started); one pool, and one guest, when it lists them without naming any.
# It passes when it writes no error record (not even one it silences or collects with -ErrorVariable)
# and throws nothing, and the host tree is byte-identical afterwards (so is the shipped sample host, which
# some examples name themselves). An example that names host snapshots by file name (kvm1.tar.gz) runs
# in a directory of its own holding a snapshot of that host under each name, with the cache of unpacked
# snapshots there too (XDG_CACHE_HOME). Statements or examples that cannot work on a copied sample host
# are listed in $SkippedExamples with the reason, and reported as skipped tests.

BeforeDiscovery {
    $RepoRoot = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../..'))

    # What cannot run here. File, and Example (the N of "### Example N") or Statement (the text of one
    # top-level statement of the example, blanks collapsed) or both: with Statement, only that statement
    # is left out and the rest of the example runs; without, the whole example. Each entry must name
    # exactly one example (and statement) of the files, or the test 'skip entry ...' fails.
    $SkippedExamples = @(
        @{
            File = 'README.md'; Section = 'Many hosts'
            Reason = 'they reach hosts over SSH remoting: tests/Pester/Fleet/Fleet.Recipes.Tests.ps1 runs them on the fleet of tests/fleet'
        }
        @{
            File = 'README.md'; Section = 'Open vSwitch offload'
            Reason = 'enp59s0f0 is a ConnectX port in switchdev mode of another host; tests/Pester/Test-SriovHost.OvsOffload.Tests.ps1 judges such a host, and the Lab tests offload on netdevsim'
        }
        @{
            File = 'README.md'; Statement = 'Set-SriovPf enp59s0f0 -EswitchMode Switchdev'
            Reason = 'enp59s0f0 is a ConnectX port of another host (devlink eswitch modes are mlx5''s); the sample host has only igb PFs'
        }
        @{
            File = 'Set-SriovPf.md'; Example = 4
            Reason = 'enp10s0f0np0 is a ConnectX-5 port of another host (devlink eswitch modes are mlx5''s); the sample host has only igb PFs'
        }
        @{
            File = 'README.md'; Statement = 'Repair-VfioAppArmor'
            Reason = 'without -IommuGroup, piped VFs or -AllGroups it reads the pools'' VFs from this machine''s libvirt, which a copied host tree refuses (LiveHostRequired, as its help says)'
        }
        @{
            File = 'Repair-VfioAppArmor.md'; Example = 1
            Reason = 'without -IommuGroup, piped VFs or -AllGroups it reads the pools'' VFs from this machine''s libvirt, which a copied host tree refuses (LiveHostRequired, as its help says)'
        }
        @{
            File = 'Repair-VfioAppArmor.md'; Example = 4; Statement = 'Repair-VfioAppArmor -Verbose'
            Reason = 'without -IommuGroup, piped VFs or -AllGroups it reads the pools'' VFs from this machine''s libvirt, which a copied host tree refuses (LiveHostRequired, as its help says)'
        }
        @{
            File = 'Enable-SriovIommu.md'; Example = 4; Statement = 'grub2-mkconfig -o /boot/grub2/grub.cfg'
            Reason = 'an external program, which -WhatIf does not hold back (and a Fedora/RHEL one: Debian has update-grub)'
        }
        @{
            File = 'Get-LibvirtSriovNetwork.md'; Example = 5
            Reason = 'it connects over SSH to another host''s libvirtd (qemu+ssh://root@kvm2/system)'
        }
        @{
            File = 'Export-SriovConfig.md'; Example = 6
            Reason = 'the sample host''s VFs are all on igbvf, and -WhatIf keeps Set-SriovVfDriver from moving any to vfio-pci, so KubeVirtInterface has no vfio-pci VF to write (NoVfioVfs, as its help says)'
        }
        @{
            File = 'README.md'; Statement = 'Test-SriovConfiguration -Path host.json'
            Reason = '-WhatIf, under which the examples run, holds back Set-Content, so host.json is not written here: the statement before it only shows what it would write'
        }
        @{
            File = 'README.md'; Statement = 'Set-SriovConfiguration -Path host.json -WhatIf'
            Reason = '-WhatIf, under which the examples run, holds back Set-Content, so host.json is not written here: the statement before it only shows what it would write'
        }
        @{
            File = 'README.md'; Statement = 'Set-SriovConfiguration -Path host.json'
            Reason = '-WhatIf, under which the examples run, holds back Set-Content, so host.json is not written here: the statement before it only shows what it would write'
        }
        @{
            File = 'Get-SriovConfiguration.md'; Example = 2; Statement = 'Set-SriovConfiguration -Path host.json -WhatIf'
            Reason = '-WhatIf, under which the examples run, holds back Set-Content, so host.json is not written here: the statement before it only shows what it would write'
        }
        @{
            File = 'Test-SriovConfiguration.md'; Example = 6
            Reason = 'it shows the errors a wrong document gives, and every error record fails an example here; ConfigurationExamples.Tests.ps1 runs it and checks them'
        }
        @{
            File = 'Test-SriovHost.md'; Example = 9; Statement = "`$env:SRIOVPS_HOST_ROOT = '/srv/host-trees/kvm3'"
            Reason = 'it names a host tree of the reader''s (/srv/host-trees/kvm3); the rest runs on the fresh copy of the sample host, a copied tree as well'
        }
        @{
            File = 'Save-SriovHostSnapshot.md'; Example = 3; Statement = 'Get-LibvirtSriovNetwork -HostRoot kvm1.tar.gz'
            Reason = 'the examples'' snapshots are saved from a copied host tree, which has no libvirt to keep, so the snapshot holds none to list'
        }
        @{
            File = 'Save-SriovHostSnapshot.md'; Example = 3; Statement = 'Get-VmSriovInterface'
            Reason = 'the examples'' snapshots are saved from a copied host tree, which has no libvirt to keep, so the snapshot holds none to list'
        }
    )

    # The ```powershell blocks of a Markdown file; of a help page, only those of its "### Example N".
    function Get-MarkdownExample {
        param([string] $Path, [switch] $HelpPage)
        $file = [System.IO.Path]::GetFileName($Path)
        $lines = [System.IO.File]::ReadAllLines($Path)
        $number = $null
        $title = $null
        $blocks = 0
        $section = $null
        for ($i = 0; $i -lt $lines.Count; $i++) {
            $line = $lines[$i]
            if ($HelpPage -and $line -match '^#{1,3} ') {
                if ($null -ne $number -and $blocks -eq 0) {
                    # A heading without code: reported, not dropped.
                    [pscustomobject]@{ File = $file; Number = $number; Title = $title; Line = $i; Code = $null; Name = "$file Example $number" }
                }
                $number = $null
                $blocks = 0
                if ($line -match '^### Example (\d+)(?::\s*(.*))?$') {
                    $number = [int] $Matches[1]
                    $title = $Matches[2]
                }
                continue
            }
            if (-not $HelpPage -and $line -match '^#{2,4} (.+)$') { $section = $Matches[1].Trim(); continue }
            if ($line -notmatch '^```powershell\s*$') { continue }

            $first = $i + 2   # the line number of the block's first line of code
            $code = [System.Collections.Generic.List[string]]::new()
            for ($i++; $i -lt $lines.Count -and $lines[$i] -notmatch '^```\s*$'; $i++) { $code.Add($lines[$i]) }
            $blocks++
            $name = if (-not $HelpPage) { "$file line $first" }
            elseif ($null -eq $number) { "$file line $first (a block outside the examples)" }
            elseif ($blocks -eq 1) { "$file Example $number" }
            else { "$file Example $number, block $blocks" }
            [pscustomobject]@{ File = $file; Number = $number; Title = $title; Line = $first; Code = $code -join "`n"; Name = $name; Section = $section }
        }
        if ($null -ne $number -and $blocks -eq 0) {
            [pscustomobject]@{ File = $file; Number = $number; Title = $title; Line = $lines.Count; Code = $null; Name = "$file Example $number" }
        }
    }

    function Format-Statement([string] $Text) { ($Text -replace '\s+', ' ').Trim() }

    $examples = @(
        Get-MarkdownExample (Join-Path $RepoRoot 'README.md')
        foreach ($page in Get-ChildItem (Join-Path $RepoRoot 'docs/help') -Filter '*.md' | Sort-Object Name) {
            Get-MarkdownExample $page.FullName -HelpPage
        }
    )

    # One test case per example, each followed by one per statement of it that is skipped.
    $matched = @{}
    $Cases = foreach ($example in $examples) {
        $tokens = $null
        $parseErrors = $null
        $statements = @()
        if ($null -ne $example.Code) {
            $ast = [System.Management.Automation.Language.Parser]::ParseInput($example.Code, [ref] $tokens, [ref] $parseErrors)
            $statements = @($ast.EndBlock.Statements)
        }
        $skipWhole = $null
        $skipped = @()
        $kept = $statements
        for ($e = 0; $e -lt $SkippedExamples.Count; $e++) {
            $entry = $SkippedExamples[$e]
            if ($entry.File -ne $example.File -or ($entry.ContainsKey('Example') -and $entry.Example -ne $example.Number)) { continue }
            if ($entry.ContainsKey('Section')) {
                # A whole README section: every example of it, counted as one.
                if ($entry.Section -ne $example.Section) { continue }
                $skipWhole = $entry.Reason
                $matched[$e] = @(@($matched[$e]) | Where-Object { $_ }) + "section '$($entry.Section)'" | Sort-Object -Unique
                continue
            }
            if (-not $entry.ContainsKey('Statement')) {
                $skipWhole = $entry.Reason
                $matched[$e] = @($matched[$e]) + $example.Name
                continue
            }
            foreach ($statement in $statements) {
                if ((Format-Statement $statement.Extent.Text) -eq $entry.Statement) {
                    $skipped += @{ Statement = $statement; Reason = $entry.Reason }
                    $matched[$e] = @($matched[$e]) + "$($example.Name): $($entry.Statement)"
                }
            }
        }

        $code = $example.Code
        if ($skipped.Count -gt 0) {
            $kept = @($statements | Where-Object { $_ -notin $skipped.Statement })
            $code = ($kept | ForEach-Object { $_.Extent.Text }) -join "`n"
        }
        $title = if ($example.Title) { ": $($example.Title)" }
        elseif ($statements.Count -gt 0) { ': ' + (Format-Statement $statements[0].Extent.Text) }
        # When every statement is skipped, only their own cases are reported.
        if ($skipWhole -or $kept.Count -gt 0 -or $skipped.Count -eq 0) {
            @{
                Name = "$($example.Name)$title"; Code = $code; SkipReason = $skipWhole
                ParseErrors = @($parseErrors | ForEach-Object { "line $($_.Extent.StartLineNumber): $($_.Message)" })
            }
        }
        foreach ($skip in $skipped) {
            $line = $example.Line + $skip.Statement.Extent.StartLineNumber - 1
            $where = if ($null -ne $example.Number) { "$($example.File) Example $($example.Number), line $line" } else { "$($example.File) line $line" }
            @{ Name = "${where}: $(Format-Statement $skip.Statement.Extent.Text)"; Code = $null; SkipReason = $skip.Reason; ParseErrors = @() }
        }
    }

    $SkipChecks = for ($e = 0; $e -lt $SkippedExamples.Count; $e++) {
        $entry = $SkippedExamples[$e]
        $what = @($entry.File; if ($entry.ContainsKey('Section')) { "section '$($entry.Section)'" }; if ($entry.ContainsKey('Example')) { "Example $($entry.Example)" }; if ($entry.ContainsKey('Statement')) { "'$($entry.Statement)'" }) -join ' '
        @{ What = $what; Found = @($matched[$e] | Where-Object { $_ }) }
    }

    $handle = [IntPtr]::Zero
    $NoLibvirt = -not [System.Runtime.InteropServices.NativeLibrary]::TryLoad('libvirt.so.0', [ref] $handle)
    if ($NoLibvirt) {
        Write-Warning 'Examples that use libvirt are skipped: libvirt.so.0 is not installed (Debian package libvirt0).'
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/SriovPS') -Force
    . (Join-Path $PSScriptRoot 'Fixtures.ps1')
    $script:RepoRoot = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../..'))
    $script:Uri = 'test:///default'
    # The shipped sample host, which some examples name themselves: they must leave it as it is too.
    $script:ShippedSample = Join-Path (Get-Module SriovPS).ModuleBase 'samples/i350-4port.tar.gz'
    $script:ShippedSampleState = Get-SriovTestTreeState $script:ShippedSample

    # The files of a Debian libvirt host that the examples presume, beyond the sysfs of the sample.
    function Add-DebianHostFile {
        param([string] $Root)
        Set-SriovTestHostFile $Root '/etc/default/grub' ((@(
                    "# If you change this file, run 'update-grub' afterwards to update"
                    '# /boot/grub/grub.cfg.'
                    '# For full documentation of the options in this file, see:'
                    "#   info -f grub -n 'Simple configuration'"
                    ''
                    'GRUB_DEFAULT=0'
                    'GRUB_TIMEOUT=5'
                    'GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`'
                    'GRUB_CMDLINE_LINUX_DEFAULT="quiet"'
                    'GRUB_CMDLINE_LINUX=""'
                ) -join "`n") + "`n")
        Set-SriovTestHostFile $Root '/proc/cpuinfo' "processor`t: 0`nvendor_id`t: GenuineIntel`ncpu family`t: 6`n"
        Set-SriovTestHostFile $Root '/sys/firmware/acpi/tables/DMAR' ''
        Set-SriovTestHostFile $Root '/sys/module/apparmor/parameters/enabled' "Y`n"
        Set-SriovTestHostFile $Root '/etc/apparmor.d/abstractions/libvirt-qemu' ((@(
                    '# vim:syntax=apparmor'
                    '  #include <abstractions/base>'
                    '  /dev/net/tun rw,'
                    '  /dev/kvm rw,'
                    '  /dev/vfio/vfio rw,'
                    ''
                    '  # Site-specific additions and overrides. See local/README for details.'
                    '  #include <local/abstractions/libvirt-qemu>'
                ) -join "`n") + "`n")
        Set-SriovTestHostFile $Root '/etc/netplan/50-cloud-init.yaml' "network:`n  version: 2`n  ethernets:`n    eno1:`n      dhcp4: true`n"
        Set-SriovTestHostFile $Root '/usr/sbin/netplan' ''
        # iproute2's ip, which the VF MAC lines of Set-SriovVf -Persist run.
        Set-SriovTestHostFile $Root '/usr/sbin/ip' ''
    }

    # The lines of Get-SriovTestTreeState that differ, relative to the tree's root.
    function Compare-TreeState {
        param([string[]] $Before, [string[]] $After, [string] $Root)
        Compare-Object @($Before) @($After) -CaseSensitive | ForEach-Object {
            $side = if ($_.SideIndicator -eq '=>') { '+' } else { '-' }
            "$side $($_.InputObject.Replace($Root, ''))"
        }
    }

    # The literal strings an argument holds: a word, a quoted string, a number or a list of them.
    function Get-ArgumentText {
        param($Binding, [string] $Parameter)
        if (-not $Binding.BoundParameters.ContainsKey($Parameter)) { return }
        $pending = [System.Collections.Generic.Queue[object]]::new()
        $pending.Enqueue($Binding.BoundParameters[$Parameter].Value)
        while ($pending.Count -gt 0) {
            $value = $pending.Dequeue()
            if ($value -is [System.Management.Automation.Language.ArrayLiteralAst]) { $value.Elements | ForEach-Object { $pending.Enqueue($_) } }
            elseif ($value -is [System.Management.Automation.Language.StringConstantExpressionAst]) { $value.Value }
            elseif ($value -is [System.Management.Automation.Language.ConstantExpressionAst]) { "$($value.Value)" }
        }
    }

    # The guests and pools an example names, read from the arguments of its commands.
    function Get-ExampleScene {
        param([string] $Code)
        $pfs = @(Get-SriovPf -WarningAction SilentlyContinue | ForEach-Object Name)
        $vfs = @(Get-SriovVf -WarningAction SilentlyContinue)
        $defaultPools = @($pfs | ForEach-Object { "$_-sr-iov" })
        $pools = [ordered]@{}      # name -> PF
        $guests = [ordered]@{}     # name -> @{ Running; Pools; Macs; Vfs }
        function Add-Pool([string] $Name) {
            if ([System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($Name)) {
                $pattern = [System.Management.Automation.WildcardPattern]::new($Name, 'IgnoreCase')
                foreach ($pool in $defaultPools | Where-Object { $pattern.IsMatch($_) }) { Add-Pool $pool }
            }
            elseif (-not $pools.Contains($Name)) {
                $pf = $pfs | Where-Object { "$_-sr-iov" -eq $Name } | Select-Object -First 1
                $pools[$Name] = if ($pf) { $pf } else { $pfs[0] }
            }
        }

        $ast = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref] $null, [ref] $null)
        $pipelines = $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.PipelineAst] }, $true)
        $readsPools = $false
        $readsGuests = $false
        foreach ($pipeline in $pipelines) {
            $live = $false
            $named = @()
            $networks = @()
            $macs = @()
            foreach ($command in $pipeline.PipelineElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandAst] }) {
                $binding = [System.Management.Automation.Language.StaticParameterBinder]::BindCommand($command, $true)
                if ($binding.BoundParameters.ContainsKey('Live')) { $live = $true }
                switch -Wildcard ($command.GetCommandName()) {
                    '*-VmSriovInterface' {
                        $readsGuests = $true
                        $named += Get-ArgumentText $binding 'VmName'
                        $networks += Get-ArgumentText $binding 'Network'
                        if ($_ -eq 'Remove-VmSriovInterface') { $macs += Get-ArgumentText $binding 'MacAddress' }
                    }
                    '*-LibvirtSriovNetwork' {
                        if ($_ -ne 'New-LibvirtSriovNetwork') {
                            $readsPools = $true
                            $networks += Get-ArgumentText $binding 'Name'
                        }
                    }
                    'Test-SriovHost' { $networks += Get-ArgumentText $binding 'Network' }
                }
            }
            foreach ($network in $networks) { Add-Pool $network }
            foreach ($guest in $named) {
                if (-not $guests.Contains($guest)) { $guests[$guest] = @{ Running = $false; Pools = @(); Macs = @(); Vfs = @() } }
                $guests[$guest].Running = $guests[$guest].Running -or $live
                $guests[$guest].Pools = @($guests[$guest].Pools + @($networks | Where-Object { $pools.Contains($_) }) | Select-Object -Unique)
                $guests[$guest].Macs += $macs
            }
        }

        # An example that lists guests or pools without naming any gets one of each to list.
        if ($readsGuests -and $guests.Count -eq 0) {
            $guests['sriovps-example-guest'] = @{ Running = $false; Pools = @(); Macs = @(); Vfs = @() }
        }
        if (($readsPools -or $guests.Count -gt 0) -and $pools.Count -eq 0) { Add-Pool $defaultPools[0] }
        if ($guests.Count -gt 0) {
            # VFs the example names by address are the first guest's fixed VFs.
            $constants = $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.StringConstantExpressionAst] }, $true).Value
            $first = @($guests.Values)[0]
            $first.Vfs = @($vfs | Where-Object { $_.PciAddress -in $constants })
            foreach ($guest in $guests.Values) {
                if ($guest.Pools.Count -eq 0) { $guest.Pools = @(@($pools.Keys)[0]) }
            }
        }
        @{ Pools = $pools; Guests = $guests }
    }

    function New-ExampleScene {
        param($Scene, $Connection)
        foreach ($pool in $Scene.Pools.Keys) {
            $null = New-LibvirtSriovNetwork -Name $pool -PfName $Scene.Pools[$pool] -Start -Uri $script:Uri -Confirm:$false -WhatIf:$false -ErrorAction Stop
        }
        $n = 0
        foreach ($name in $Scene.Guests.Keys) {
            $guest = $Scene.Guests[$name]
            $n++
            $macs = if ($guest.Macs.Count -gt 0) { $guest.Macs } else { '52:54:00:e0:00:{0:x2}' -f $n }
            $devices = foreach ($mac in $macs) {
                "<interface type='network'><mac address='$mac'/><source network='$($guest.Pools[0])'/></interface>"
            }
            $v = 0
            $devices += foreach ($vf in $guest.Vfs) {
                $v++
                $bus, $slot, $function = $vf.PciAddress -split '[:.]' | Select-Object -Skip 1
                "<interface type='hostdev' managed='yes'><mac address='$('52:54:00:e1:{0:x2}:{1:x2}' -f $n, $v)'/>" +
                "<source><address type='pci' domain='0x0000' bus='0x$bus' slot='0x$slot' function='0x$function'/></source></interface>"
            }
            New-SriovTestGuest $Connection -Name $name -Devices ($devices -join '') -Start:$guest.Running
        }
    }

    function Remove-ExampleScene {
        param($Scene, $Connection)
        foreach ($name in $Scene.Guests.Keys) {
            foreach ($domain in $Connection.ListDomains()) {
                try {
                    if ($domain.Name -ceq $name) {
                        if ($domain.IsActive) { $domain.Destroy() }
                        $domain.Undefine()
                    }
                }
                finally { $domain.Dispose() }
            }
        }
        if ($Scene.Pools.Count -gt 0) {
            Remove-LibvirtSriovNetwork ([string[]] $Scene.Pools.Keys) -Uri $script:Uri -Force -Confirm:$false -WhatIf:$false -ErrorAction SilentlyContinue
        }
    }
}

Describe 'Examples of README.md and docs/help' -Tag 'CI' {
    BeforeAll {
        if (-not $NoLibvirt) {
            $script:Libvirt = [SriovPS.Native.Libvirt.LibvirtConnection]::Open($script:Uri)
        }
        # The shipped sample is a snapshot archive: examples that name it unpack it here, not in the user's cache.
        $script:SampleCache = Join-Path ([System.IO.Path]::GetTempPath()) "sriovps-example-cache-$([guid]::NewGuid().ToString('N'))"
    }

    AfterAll {
        if ($script:Libvirt) { $script:Libvirt.Dispose() }
        Remove-Item -LiteralPath $script:SampleCache -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'finds examples in README.md and in every page of docs/help' -ForEach @{ Files = @($examples.File | Sort-Object -Unique) } {
        $files = $Files
        $files | Should -Contain 'README.md'
        foreach ($page in Get-ChildItem (Join-Path $script:RepoRoot 'docs/help') -Filter '*.md') {
            $files | Should -Contain $page.Name
        }
    }

    Context 'the skip table' {
        It 'skip entry <What> names exactly one example' -ForEach $SkipChecks {
            $Found.Count | Should -Be 1 -Because "the entry must name an example that is still there (found: $($Found -join '; '))"
        }
    }

    Context 'examples' {
        BeforeEach {
            # The caller's environment, restored after each example.
            $script:SavedEnvironment = @{}
            foreach ($variable in Get-ChildItem Env:) { $script:SavedEnvironment[$variable.Name] = $variable.Value }
            $script:SavedLocation = Get-Location
        }

        AfterEach {
            Set-Location $script:SavedLocation
            foreach ($name in @(Get-ChildItem Env: | ForEach-Object Name)) {
                if (-not $script:SavedEnvironment.ContainsKey($name)) { Remove-Item "Env:$name" }
            }
            foreach ($name in $script:SavedEnvironment.Keys) {
                if ([Environment]::GetEnvironmentVariable($name) -cne $script:SavedEnvironment[$name]) {
                    [Environment]::SetEnvironmentVariable($name, $script:SavedEnvironment[$name])
                }
            }
        }

        It '<Name>' -ForEach $Cases {
            if ($SkipReason) {
                Set-ItResult -Skipped -Because $SkipReason
                return
            }
            if ($NoLibvirt -and $Code -match 'Libvirt|VmSriov') {
                Set-ItResult -Skipped -Because 'libvirt.so.0 is not installed (Debian package libvirt0)'
                return
            }
            $ParseErrors | Should -BeNullOrEmpty -Because 'the example must be valid PowerShell'
            $Code | Should -Not -BeNullOrEmpty -Because 'an example heading needs a ```powershell block'

            $root = New-SriovTestHost -Fixture 'i350-4port'
            $scene = $null
            $snapshots = $null
            try {
                Add-DebianHostFile $root
                $env:SRIOVPS_HOST_ROOT = $root
                $env:XDG_CACHE_HOME = $script:SampleCache
                $env:LIBVIRT_DEFAULT_URI = $script:Uri
                Set-Location $script:RepoRoot
                # The snapshots it reads, saved from its host first: -WhatIf keeps the example's own
                # Save-SriovHostSnapshot from writing them.
                $archives = @([regex]::Matches($Code, '(?<![\w$/.-])[A-Za-z0-9][\w-]*\.(?:tar\.gz|tgz)\b').Value | Select-Object -Unique)
                if ($archives.Count -gt 0) {
                    $snapshots = Join-Path ([System.IO.Path]::GetTempPath()) "sriovps-example-snapshots-$([guid]::NewGuid().ToString('N'))"
                    $null = New-Item -ItemType Directory $snapshots
                    foreach ($archive in $archives) {
                        $null = Save-SriovHostSnapshot -Path (Join-Path $snapshots $archive) -HostRoot $root -WhatIf:$false -Confirm:$false -WarningAction SilentlyContinue -ErrorAction Stop
                    }
                    $env:XDG_CACHE_HOME = Join-Path $snapshots 'cache'
                    Set-Location $snapshots
                }
                $scene = Get-ExampleScene $Code
                if ($script:Libvirt) {
                    Remove-ExampleScene $scene $script:Libvirt   # leftovers of an earlier run
                    New-ExampleScene $scene $script:Libvirt
                }
                $before = Get-SriovTestTreeState $root

                $example = [scriptblock]::Create($Code)
                $lastError = if ($Error.Count -gt 0) { $Error[0] }
                $records = @()
                $thrown = $null
                try {
                    $records = & {
                        $WhatIfPreference = $true
                        $ErrorActionPreference = 'Continue'
                        . $example
                    } *>&1
                }
                catch {
                    $thrown = $_
                }

                # Every error record: written to the error stream, added to $Error (also those the example
                # silences or collects with -ErrorVariable), or thrown.
                $errors = [System.Collections.Generic.List[string]]::new()
                $newErrors = foreach ($entry in $Error) { if ([object]::ReferenceEquals($entry, $lastError)) { break }; $entry }
                foreach ($record in @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) + @($newErrors) + @($thrown)) {
                    if ($null -eq $record) { continue }
                    $text = if ($record -is [System.Management.Automation.ErrorRecord]) {
                        "$($record.FullyQualifiedErrorId): $($record.Exception.Message)"
                    }
                    else { "$($record.GetType().Name): $($record.Message)" }
                    if (-not $errors.Contains($text)) { $errors.Add($text) }
                }
                $errors | Should -BeNullOrEmpty -Because "the example ran under -WhatIf on the sample host:`n$Code`n"
                Compare-TreeState $before (Get-SriovTestTreeState $root) $root |
                    Should -BeNullOrEmpty -Because '-WhatIf leaves the host tree byte-identical (+ added or changed, - removed or changed)'
                if ($Code -match 'SRIOVPS_HOST_ROOT') {
                    Compare-TreeState $script:ShippedSampleState (Get-SriovTestTreeState $script:ShippedSample) $script:ShippedSample |
                        Should -BeNullOrEmpty -Because 'the examples that name the shipped sample host only read it'
                }
            }
            finally {
                if ($scene -and $script:Libvirt) {
                    $env:SRIOVPS_HOST_ROOT = $root
                    Remove-ExampleScene $scene $script:Libvirt
                }
                Remove-SriovTestHost $root
                if ($snapshots) {
                    Set-Location $script:SavedLocation
                    Remove-Item -LiteralPath $snapshots -Recurse -Force -ErrorAction SilentlyContinue
                }
            }
        }
    }
}
