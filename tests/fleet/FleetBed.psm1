#Requires -Version 7.4
# A fleet of simulated hosts on this machine, for the remoting tests: each host is a network namespace
# with its own address and its own sshd (throwaway host key, root by a throwaway key), whose
# "powershell" subsystem runs the pinned pwsh with the host's data (a fixture tree or a snapshot) as
# SRIOVPS_HOST_ROOT and the installed module on its module path. The clients run in one more
# namespace, joined to the hosts by a bridge, where the host names resolve (/etc/netns/<name>/hosts):
# no traffic leaves the namespaces made here. Stop-SriovFleet removes everything Start-SriovFleet made.

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

. (Join-Path $PSScriptRoot '../Pester/Fixtures.ps1')

# What each host is, in turn: fixture trees and snapshots of them (directory and archive), the lab
# guest's snapshot taken on its running kernel (tests/fixtures/snapshots: VF counters, a guest holding
# VFs, a pool), NICs of several makers, igb PFs under different names, a host with the IOMMU off and
# one with no SR-IOV.
$script:HostKinds = @(
    @{ Fixture = 'i350-4port'; Form = 'Tree' }
    @{ Fixture = 'lab-igb'; Form = 'Archive' }
    @{ Fixture = 'x540-2port'; Form = 'Tree' }
    @{ Fixture = 'lab-guest'; Form = 'Saved' }
    @{ Fixture = 'iommu-off'; Form = 'Tree' }
    @{ Fixture = 'connectx5'; Form = 'Directory' }
    @{ Fixture = 'i350-4port'; Form = 'Archive' }
    @{ Fixture = 'virtio-vm'; Form = 'Tree' }
    @{ Fixture = 'lab-igb'; Form = 'Tree' }
)

# The hosts' subnet; the clients' namespace is .1, host N is .(10+N).
$script:Subnet = '10.231.0'

function Invoke-FleetNative {
    $program, $arguments = $args
    $output = & $program @arguments 2>&1
    if ($LASTEXITCODE -ne 0) {
        throw "$program $($arguments -join ' ') failed (exit code $LASTEXITCODE): $($output -join "`n")"
    }
    $output
}

function Get-SriovFleetUnavailableReason {
    <#
    .SYNOPSIS
    Why this machine cannot run the fleet (not root, a program missing), or $null when it can.
    #>
    if ((& id -u) -ne '0') { return 'not root: network namespaces and sshd need root' }
    foreach ($program in '/usr/sbin/sshd', 'ssh', 'ssh-keygen', 'ip') {
        if (-not (Get-Command $program -CommandType Application -ErrorAction Ignore)) {
            return "$program is missing (Debian: openssh-server, openssh-client, iproute2)"
        }
    }
    $null
}

function New-FleetHostData {
    param([string] $Fixture, [string] $Form, [string] $Name, [string] $Directory)

    if ($Form -eq 'Saved') {
        $saved = Join-Path $Directory 'snapshot'
        Copy-Item -LiteralPath (Join-Path $PSScriptRoot "../fixtures/snapshots/$Fixture") -Destination $saved -Recurse
        # Each host names itself once in the fleet, as real hosts do: the copy takes the host's name.
        $manifest = Join-Path $saved 'snapshot.json'
        $snapshot = Get-Content -Raw -LiteralPath $manifest | ConvertFrom-Json -AsHashtable
        $snapshot.hostName = $Name
        $snapshot | ConvertTo-Json -Depth 8 | Set-Content -LiteralPath $manifest
        return $saved
    }

    $tree = New-SriovTestHost -Fixture $Fixture
    $null = [System.IO.Directory]::CreateDirectory((Join-Path $tree 'etc'))
    [System.IO.File]::WriteAllText((Join-Path $tree 'etc/hostname'), "$Name`n")
    if ($Form -eq 'Tree') {
        $root = Join-Path $Directory 'root'
        [System.IO.Directory]::Move($tree, $root)
        return $root
    }

    try {
        $path = if ($Form -eq 'Archive') { Join-Path $Directory "$Name.tar.gz" } else { Join-Path $Directory 'snapshot' }
        $null = Save-SriovHostSnapshot -Path $path -HostRoot $tree -WarningAction SilentlyContinue
        $path
    }
    finally {
        Remove-SriovTestHost $tree
    }
}

function Start-SriovFleetHost {
    <#
    .SYNOPSIS
    Starts the sshd of one fleet host (again), and waits until it listens.
    #>
    param([Parameter(Mandatory)] $Fleet, [Parameter(Mandatory)] [string] $Name)

    $hostEntry = $Fleet.Hosts | Where-Object Name -EQ $Name
    if (-not $hostEntry) { throw "The fleet has no host '$Name'." }
    Remove-Item -LiteralPath $hostEntry.PidFile -ErrorAction Ignore
    Invoke-FleetNative ip netns exec $hostEntry.Namespace /usr/sbin/sshd -f $hostEntry.Config -E $hostEntry.Log | Out-Null
    $deadline = [DateTime]::UtcNow.AddSeconds(20)
    while (-not (Test-FleetHostListening $hostEntry)) {
        if ([DateTime]::UtcNow -gt $deadline) {
            throw "The sshd of fleet host $Name did not start: $(Get-Content -Raw -LiteralPath $hostEntry.Log -ErrorAction Ignore)"
        }
        Start-Sleep -Milliseconds 50
    }
}

function Stop-SriovFleetHost {
    <#
    .SYNOPSIS
    Stops the sshd of one fleet host, as a host that is down: new connections are refused.
    #>
    param([Parameter(Mandatory)] $Fleet, [Parameter(Mandatory)] [string] $Name)

    $hostEntry = $Fleet.Hosts | Where-Object Name -EQ $Name
    if (-not $hostEntry) { throw "The fleet has no host '$Name'." }
    Stop-FleetSshd $hostEntry
}

function Test-FleetHostListening($HostEntry) {
    # ss in the host's namespace: the listener is there once sshd has bound its address.
    (Test-Path -LiteralPath $HostEntry.PidFile) -and
        [bool](& ip netns exec $HostEntry.Namespace ss -Hltn "src $($HostEntry.Address):22" 2>$null)
}

function Stop-FleetSshd($HostEntry) {
    if (-not (Test-Path -LiteralPath $HostEntry.PidFile)) { return }
    Stop-FleetProcess @([int](Get-Content -Raw -LiteralPath $HostEntry.PidFile).Trim())
    Remove-Item -LiteralPath $HostEntry.PidFile -ErrorAction Ignore
}

function Stop-FleetProcess([int[]] $Id) {
    # Killed together, then waited for together. A daemon's parent is init, which may reap it late:
    # a process that is only a zombie has stopped (it holds no socket and runs nothing).
    foreach ($one in $Id) { try { [System.Diagnostics.Process]::GetProcessById($one).Kill() } catch { } }
    $deadline = [DateTime]::UtcNow.AddSeconds(20)
    while ($Id | Where-Object { Test-FleetProcessRunning $_ }) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "Processes $($Id -join ', ') did not stop." }
        Start-Sleep -Milliseconds 50
    }
}

function Test-FleetProcessRunning([int] $Id) {
    try { $stat = [System.IO.File]::ReadAllText("/proc/$Id/stat") } catch { return $false }
    # The state follows the command name, which is in parentheses and may itself hold blanks.
    $stat.Substring($stat.LastIndexOf(')') + 2, 1) -ne 'Z'
}

# The name of a fleet's client namespace, which its hosts' namespaces and its /etc/netns entry share:
# from its folder's name, so that what a fleet made can be found from the folder alone.
function Get-FleetNamespace([string] $Path) {
    "sriovps-fleet-$([System.IO.Path]::GetFileName($Path) -replace '^sriovps-fleet-', '')"
}

function Save-FleetRecord($Fleet) {
    $Fleet | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath (Join-Path $Fleet.Path 'fleet.json')
}

function Start-SriovFleet {
    <#
    .SYNOPSIS
    Starts -Count simulated hosts, kvm01 … kvmNN, and returns the fleet (also written to fleet.json in
    -Path): host names, the namespace the clients must run in, the key and the ssh options to reach them.
    -ModulePath is the folder holding the installed SriovPS module the hosts load. The SriovPS module
    must be imported here: it writes the hosts' snapshots.
    #>
    param(
        [Parameter(Mandatory)] [ValidateRange(1, 200)] [int] $Count,
        [Parameter(Mandatory)] [string] $ModulePath,
        [string] $Path = (Join-Path ([System.IO.Path]::GetTempPath()) "sriovps-fleet-$([guid]::NewGuid().ToString('N').Substring(0, 8))")
    )

    if (Get-SriovFleetUnavailableReason) { throw "The fleet cannot run here: $(Get-SriovFleetUnavailableReason)." }
    if (-not (Get-Command Save-SriovHostSnapshot -ErrorAction Ignore)) { throw 'Import SriovPS first: the hosts are given snapshots it writes.' }
    $pwsh = Join-Path $PSHOME 'pwsh'
    if ($pwsh.Contains(' ')) { throw "The pwsh path '$pwsh' holds a space, which an sshd Subsystem line cannot." }

    $Path = [System.IO.Path]::GetFullPath($Path)
    # sshd_config splits its lines at blanks: the paths in SetEnv and AuthorizedKeysFile must hold none.
    if ($Path -match '\s') { throw "The fleet's folder '$Path' holds a blank, which sshd_config cannot." }
    $null = [System.IO.Directory]::CreateDirectory($Path)
    $client = Get-FleetNamespace $Path
    $fleet = [ordered]@{
        Path            = $Path
        ClientNamespace = $client
        NetnsEtc        = "/etc/netns/$client"
        # What existed before, so that Stop-SriovFleet removes only what it made.
        MadeNetnsRoot   = -not (Test-Path -LiteralPath /etc/netns)
        MadeSshdRun     = -not (Test-Path -LiteralPath /run/sshd)
        KeyFilePath     = Join-Path $Path 'client_key'
        KnownHostsPath  = Join-Path $Path 'known_hosts'
        ModulePath      = [System.IO.Path]::GetFullPath($ModulePath)
        Hosts           = [System.Collections.Generic.List[object]]::new()
    }
    # Written first, so that Stop-SriovFleet finds whatever was made if a later step fails.
    Save-FleetRecord $fleet
    try {
        Invoke-FleetNative ssh-keygen -q -t ed25519 -N '' -C sriovps-fleet-client -f $fleet.KeyFilePath | Out-Null
        Copy-Item -LiteralPath "$($fleet.KeyFilePath).pub" -Destination (Join-Path $Path 'authorized_keys')

        # sshd refuses to start as root without its privilege separation directory.
        $null = [System.IO.Directory]::CreateDirectory('/run/sshd')
        Invoke-FleetNative ip netns add $client | Out-Null
        Invoke-FleetNative ip -n $client link set lo up | Out-Null
        Invoke-FleetNative ip -n $client link add fleet0 type bridge | Out-Null
        Invoke-FleetNative ip -n $client addr add "$script:Subnet.1/24" dev fleet0 | Out-Null
        Invoke-FleetNative ip -n $client link set fleet0 up | Out-Null

        $hostsFile = [System.Text.StringBuilder]::new("127.0.0.1 localhost`n")
        $knownHosts = [System.Text.StringBuilder]::new()
        for ($n = 1; $n -le $Count; $n++) {
            $name = 'kvm{0:d2}' -f $n
            $kind = $script:HostKinds[($n - 1) % $script:HostKinds.Count]
            $directory = Join-Path $Path "hosts/$name"
            $null = [System.IO.Directory]::CreateDirectory($directory)
            $entry = [ordered]@{
                Name      = $name
                Address   = "$script:Subnet.$(10 + $n)"
                Namespace = "$client-$name"
                Fixture   = $kind.Fixture
                Form      = $kind.Form
                Root      = New-FleetHostData -Fixture $kind.Fixture -Form $kind.Form -Name $name -Directory $directory
                Config    = Join-Path $directory 'sshd_config'
                PidFile   = Join-Path $directory 'sshd.pid'
                Log       = Join-Path $directory 'sshd.log'
            }
            $fleet.Hosts.Add([pscustomobject]$entry)
            Save-FleetRecord $fleet

            $hostKey = Join-Path $directory 'ssh_host_ed25519_key'
            Invoke-FleetNative ssh-keygen -q -t ed25519 -N '' -C $name -f $hostKey | Out-Null
            $null = $knownHosts.AppendLine("$name $((Get-Content -Raw -LiteralPath "$hostKey.pub").Trim())")
            $null = $hostsFile.AppendLine("$($entry.Address) $name")

            Invoke-FleetNative ip netns add $entry.Namespace | Out-Null
            Invoke-FleetNative ip -n $entry.Namespace link set lo up | Out-Null
            Invoke-FleetNative ip -n $client link add $name type veth peer name eth0 netns $entry.Namespace | Out-Null
            Invoke-FleetNative ip -n $client link set $name master fleet0 up | Out-Null
            Invoke-FleetNative ip -n $entry.Namespace addr add "$($entry.Address)/24" dev eth0 | Out-Null
            Invoke-FleetNative ip -n $entry.Namespace link set eth0 up | Out-Null

            foreach ($state in 'data', 'cache', 'config') { $null = [System.IO.Directory]::CreateDirectory((Join-Path $directory $state)) }
            # The host's own data, module and XDG folders reach the subsystem through SetEnv (sshd_config(5)).
            $environment = @(
                "SRIOVPS_HOST_ROOT=$($entry.Root)"
                "PSModulePath=$($fleet.ModulePath)"
                "XDG_DATA_HOME=$directory/data"
                "XDG_CACHE_HOME=$directory/cache"
                "XDG_CONFIG_HOME=$directory/config"
            )
            @(
                "ListenAddress $($entry.Address)"
                'Port 22'
                "HostKey $hostKey"
                "PidFile $($entry.PidFile)"
                "AuthorizedKeysFile $Path/authorized_keys"
                'PermitRootLogin prohibit-password'
                'PubkeyAuthentication yes'
                'PasswordAuthentication no'
                'KbdInteractiveAuthentication no'
                'UsePAM no'
                'StrictModes no'
                'PrintMotd no'
                'MaxStartups 200'
                "SetEnv $($environment -join ' ')"
                "Subsystem powershell $pwsh -sshs -NoLogo"
            ) | Set-Content -LiteralPath $entry.Config
            Invoke-FleetNative /usr/sbin/sshd -t -f $entry.Config | Out-Null
        }

        Set-Content -LiteralPath $fleet.KnownHostsPath -Value $knownHosts.ToString() -NoNewline
        $null = [System.IO.Directory]::CreateDirectory($fleet.NetnsEtc)
        Set-Content -LiteralPath (Join-Path $fleet.NetnsEtc 'hosts') -Value $hostsFile.ToString() -NoNewline
        foreach ($entry in $fleet.Hosts) { Start-SriovFleetHost -Fleet $fleet -Name $entry.Name }
    }
    catch {
        Stop-SriovFleet -Path $Path
        throw
    }

    Save-FleetRecord $fleet
    Read-SriovFleet -Path $Path
}

function Read-SriovFleet {
    <#
    .SYNOPSIS
    The fleet that Start-SriovFleet wrote to -Path, with the remoting parameters to reach its hosts.
    #>
    param([Parameter(Mandatory)] [string] $Path)

    $fleet = Get-Content -Raw -LiteralPath (Join-Path $Path 'fleet.json') | ConvertFrom-Json
    # What Invoke-Command -HostName and New-PSSession -HostName take to reach a fleet host.
    $connection = @{
        UserName    = 'root'
        KeyFilePath = $fleet.KeyFilePath
        Options     = @{
            UserKnownHostsFile    = $fleet.KnownHostsPath
            StrictHostKeyChecking = 'yes'
            BatchMode             = 'yes'
            LogLevel              = 'ERROR'
            ConnectTimeout        = '20'
        }
    }
    $fleet | Add-Member -NotePropertyName Connection -NotePropertyValue $connection -PassThru
}

function Stop-SriovFleet {
    <#
    .SYNOPSIS
    Stops every host of the fleet in -Path and removes all it made: processes, namespaces, files.
    #>
    param([Parameter(Mandatory)] [string] $Path)

    $file = Join-Path $Path 'fleet.json'
    if (-not (Test-Path -LiteralPath $file)) { return }
    $fleet = Get-Content -Raw -LiteralPath $file | ConvertFrom-Json
    $namespaces = @(@($fleet.Hosts | ForEach-Object Namespace) + $fleet.ClientNamespace | Where-Object { Test-Path -LiteralPath "/run/netns/$_" })
    # The sshds, and the sessions still open (their sshd and pwsh): every process in the namespaces.
    $ids = @($fleet.Hosts | Where-Object { Test-Path -LiteralPath $_.PidFile } | ForEach-Object { [int](Get-Content -Raw -LiteralPath $_.PidFile).Trim() })
    $ids += @($namespaces | ForEach-Object { & ip netns pids $_ 2>$null } | ForEach-Object { [int]$_ })
    Stop-FleetProcess @($ids | Sort-Object -Unique)
    $fleet.Hosts | ForEach-Object { Remove-Item -LiteralPath $_.PidFile -ErrorAction Ignore }
    foreach ($namespace in $namespaces) { & ip netns del $namespace 2>$null }
    if ($fleet.NetnsEtc -and (Test-Path -LiteralPath $fleet.NetnsEtc)) { Remove-Item -LiteralPath $fleet.NetnsEtc -Recurse -Force }
    if ($fleet.MadeNetnsRoot -and (Test-Path -LiteralPath /etc/netns) -and -not (Get-ChildItem -LiteralPath /etc/netns -Force)) { Remove-Item -LiteralPath /etc/netns }
    # sshd's privilege separation directory, made for the fleet, unless another sshd runs now.
    if ($fleet.MadeSshdRun -and -not (Get-Process -Name sshd -ErrorAction Ignore)) { Remove-Item -LiteralPath /run/sshd -Recurse -Force -ErrorAction Ignore }
    # Directory.Delete removes the trees' symbolic links without following them.
    [System.IO.Directory]::Delete($Path, $true)
}

function Get-SriovFleetLeftover {
    <#
    .SYNOPSIS
    What the fleet of -Path left on this machine after Stop-SriovFleet, also when it never fully
    started: its namespaces, its /etc/netns entry, its folder, and any process that still has its
    folder in its command line or environment (sshd, a session's sshd or pwsh).
    #>
    param([Parameter(Mandatory)] [string] $Path)

    $Path = [System.IO.Path]::GetFullPath($Path)
    $prefix = Get-FleetNamespace $Path
    @(& ip netns list 2>$null | ForEach-Object { ($_ -split ' ')[0] } | Where-Object { $_ -eq $prefix -or $_.StartsWith("$prefix-") })
    if (Test-Path -LiteralPath "/etc/netns/$prefix") { "/etc/netns/$prefix" }
    if (Test-Path -LiteralPath $Path) { $Path }
    foreach ($process in [System.IO.Directory]::GetDirectories('/proc') | Where-Object { [System.IO.Path]::GetFileName($_) -match '^\d+$' }) {
        $text = foreach ($file in 'cmdline', 'environ') {
            try { [System.IO.File]::ReadAllText((Join-Path $process $file)) } catch { '' }
        }
        if (($text -join "`0").Contains($Path)) { "process $([System.IO.Path]::GetFileName($process)): $(($text[0] -replace "`0", ' ').Trim())" }
    }
}

Export-ModuleMember -Function Start-SriovFleet, Stop-SriovFleet, Read-SriovFleet, Start-SriovFleetHost, Stop-SriovFleetHost, Get-SriovFleetUnavailableReason, Get-SriovFleetLeftover
