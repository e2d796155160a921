# The real kernel of the SR-IOV lab guest (its stage 2 sets SRIOVPS_LAB=1) for the Pester
# Lab tests: sysfs read and written directly and iproute2, devlink and virsh asked, so the cmdlets are
# checked against the kernel's and libvirt's own account, never only against the module's objects.

# The Describes skip themselves outside the guest (-Skip:($env:SRIOVPS_LAB -ne '1')); their setup
# returns at once there.
$script:LabActive = $env:SRIOVPS_LAB -eq '1'

# Runs a program with arguments; throws with what it wrote to stderr when it fails.
function Invoke-LabProgram {
    $program = $args[0]
    $arguments = @($args | Select-Object -Skip 1)
    $errorFile = [System.IO.Path]::GetTempFileName()
    try {
        $output = & $program @arguments 2>$errorFile
        if ($LASTEXITCODE -ne 0) {
            throw "$program $($arguments -join ' ') failed (exit code $LASTEXITCODE): $([System.IO.File]::ReadAllText($errorFile))"
        }
        $output
    }
    finally { [System.IO.File]::Delete($errorFile) }
}

# Each Lab file's start: the live host (never a copied tree) and the module as built.
function Import-LabModule {
    Remove-Item Env:SRIOVPS_HOST_ROOT -ErrorAction SilentlyContinue
    Import-Module (Join-Path $PSScriptRoot '../../../out/SriovPS') -Force -Global
}

function Read-LabFile([string] $Path) { [System.IO.File]::ReadAllText($Path).TrimEnd("`n") }

function Write-LabFile([string] $Path, [string] $Text) { [System.IO.File]::WriteAllText($Path, $Text) }

# The name of the link's target (a device's driver, a VF's IOMMU group), or $null.
function Get-LabLinkName([string] $Path) {
    $item = Get-Item -LiteralPath $Path -Force -ErrorAction SilentlyContinue
    if ($item -and $item.LinkTarget) { Split-Path -Leaf $item.LinkTarget }
}

function Wait-LabCondition {
    param([Parameter(Mandatory)] [scriptblock] $Condition, [Parameter(Mandatory)] [string] $What, [int] $Seconds = 30)
    $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
    while (-not (& $Condition)) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out after $Seconds s waiting for $What." }
        Start-Sleep -Milliseconds 100
    }
}

# The lab's igb PFs in PCI order: PciAddress, Name (its interface now) and Device (its sysfs directory).
# The third sits behind a root port without ACS: its VFs share one IOMMU group with it.
function Get-LabIgbPf([int] $Position) {
    $addresses = @(Get-ChildItem /sys/bus/pci/drivers/igb -Name | Where-Object { $_ -match '^[0-9a-f]{4}:' } | Sort-Object)
    if ($Position -ge $addresses.Count) { throw "The lab has $($addresses.Count) igb PFs, not $($Position + 1)." }
    $address = $addresses[$Position]
    [pscustomobject]@{
        PciAddress = $address
        Name       = Get-ChildItem "/sys/bus/pci/devices/$address/net" -Name | Select-Object -First 1
        Device     = "/sys/bus/pci/devices/$address"
    }
}

# The PCI addresses of a PF's VFs, by VF number.
function Get-LabVfAddress([string] $PfPciAddress) {
    $device = "/sys/bus/pci/devices/$PfPciAddress"
    $count = [int](Read-LabFile "$device/sriov_numvfs")
    for ($i = 0; $i -lt $count; $i++) { Get-LabLinkName "$device/virtfn$i" }
}

# Sets a PF's VF count through sysfs as an admin would (through 0), and waits for the VFs.
function Set-LabNumVfs([string] $PfPciAddress, [int] $Count) {
    $device = "/sys/bus/pci/devices/$PfPciAddress"
    if ((Read-LabFile "$device/sriov_numvfs") -ne '0') { Write-LabFile "$device/sriov_numvfs" '0' }
    if ($Count -eq 0) { return }
    Write-LabFile "$device/sriov_numvfs" "$Count"
    Wait-LabCondition { Test-Path "$device/virtfn$($Count - 1)" } "$Count VFs on $PfPciAddress"
}

# The VF driver igbvf, loaded or not: without it new VFs are created at once, with it each is probed
# (seconds under emulation), so tests that do not look at VF interfaces run without it.
function Set-LabVfDriverLoaded([bool] $Loaded) {
    if ($Loaded) { Invoke-LabProgram modprobe igbvf }
    elseif (Test-Path /sys/module/igbvf) { Invoke-LabProgram modprobe -r igbvf }
}

# iproute2's account of an interface: `ip -j -d link show dev NAME`.
function Get-LabLink([string] $Name) {
    (Invoke-LabProgram ip -j -d link show dev $Name | Out-String | ConvertFrom-Json)[0]
}

# One VF as the PF's driver reports it to iproute2 (vfinfo_list).
function Get-LabIpVf([string] $PfName, [int] $Index) {
    (Get-LabLink $PfName).vfinfo_list | Where-Object vf -eq $Index
}

function Test-LabLinkUp([string] $Name) { (Get-LabLink $Name).flags -contains 'UP' }

# A VF bound to a driver the way driverctl does it: driver_override, unbind, drivers_probe.
function Set-LabVfDriver([string] $PciAddress, [string] $Driver) {
    $device = "/sys/bus/pci/devices/$PciAddress"
    Write-LabFile "$device/driver_override" $(if ($Driver) { $Driver } else { "`n" })
    if (Test-Path "$device/driver") { Write-LabFile "$device/driver/unbind" $PciAddress }
    Write-LabFile /sys/bus/pci/drivers_probe $PciAddress
    if ($Driver) { Wait-LabCondition { (Get-LabLinkName "$device/driver") -eq $Driver } "$PciAddress on $Driver" }
}

# tests/lab/guest/vfio-hold.py holding a VF through vfio: its group ("group"), or a device descriptor
# obtained the way QEMU does ("device"). Stop-LabVfioHolder releases it.
function Start-LabVfioHolder([ValidateSet('group', 'device')] [string] $Mode, [string] $PciAddress) {
    $group = Get-LabLinkName "/sys/bus/pci/devices/$PciAddress/iommu_group"
    $start = [System.Diagnostics.ProcessStartInfo]::new('/usr/bin/python3')
    foreach ($argument in (Join-Path $PSScriptRoot '../../lab/guest/vfio-hold.py'), $Mode, $group, $PciAddress) { $start.ArgumentList.Add($argument) }
    $start.RedirectStandardInput = $start.RedirectStandardOutput = $start.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($start)
    if ($process.StandardOutput.ReadLine() -ne 'ready') {
        $null = $process.WaitForExit(5000)
        throw "vfio-hold.py $Mode did not hold ${PciAddress}: $($process.StandardError.ReadToEnd())"
    }
    $process
}

function Stop-LabVfioHolder([System.Diagnostics.Process] $Process) {
    if (-not $Process) { return }
    $Process.StandardInput.Close()
    if (-not $Process.WaitForExit(10000)) { $Process.Kill(); $Process.WaitForExit() }
    $Process.Dispose()
}

# A libvirtd of its own (tests/tools/private-libvirtd.sh) that the commands reach through
# LIBVIRT_DEFAULT_URI, as a host's own would be, and virsh through the returned object's Uri;
# Exit-LabLibvirt stops it and gives the caller's URI back.
function Enter-LabLibvirt {
    $directory = (New-Item -ItemType Directory -Path ([System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), "sriovps-libvirtd-$([guid]::NewGuid().ToString('N'))"))).FullName
    $start = [System.Diagnostics.ProcessStartInfo]::new('unshare')
    foreach ($argument in '--mount', 'bash', (Join-Path $PSScriptRoot '../../tools/private-libvirtd.sh'), $directory) { $start.ArgumentList.Add($argument) }
    $process = [System.Diagnostics.Process]::Start($start)
    $socket = Join-Path $directory 'run/libvirt-sock'
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while (-not (Test-Path -LiteralPath $socket)) {
        if ($process.HasExited -or [DateTime]::UtcNow -gt $deadline) {
            throw "libvirtd did not start: $(Get-Content -Raw -LiteralPath (Join-Path $directory 'libvirtd.log') -ErrorAction SilentlyContinue)"
        }
        Start-Sleep -Milliseconds 100
    }
    $daemon = [pscustomobject]@{ Uri = "qemu+unix:///system?socket=$socket"; Directory = $directory; Process = $process; CallersUri = $env:LIBVIRT_DEFAULT_URI }
    $env:LIBVIRT_DEFAULT_URI = $daemon.Uri
    $daemon
}

function Exit-LabLibvirt($Daemon) {
    if (-not $Daemon) { return }
    if (-not $Daemon.Process.HasExited) { $Daemon.Process.Kill(); $Daemon.Process.WaitForExit() }
    Remove-Item -LiteralPath $Daemon.Directory -Recurse -Force -ErrorAction SilentlyContinue
    $env:LIBVIRT_DEFAULT_URI = $Daemon.CallersUri
}

# Defines a small guest with no disk and no OS: enough for QEMU, started paused, to take the VFs it is given.
function Register-LabGuest([string] $Uri, [string] $Name) {
    $definition = Join-Path ([System.IO.Path]::GetTempPath()) "$Name.xml"
    Write-LabFile $definition @"
<domain type='qemu'>
  <name>$Name</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <features><acpi/></features>
  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>
</domain>
"@
    try { $null = Invoke-LabVirsh $Uri define $definition }
    finally { Remove-Item $definition }
}

# Stops and forgets a guest of Register-LabGuest, if there is one, then stops the daemon.
function Exit-LabGuestAndLibvirt($Daemon, [string] $Name) {
    if ($Daemon) {
        virsh -c $Daemon.Uri destroy $Name 2>$null | Out-Null
        virsh -c $Daemon.Uri undefine $Name 2>$null | Out-Null
    }
    Exit-LabLibvirt $Daemon
}

# virsh against a daemon, its output as one string.
function Invoke-LabVirsh([string] $Uri) {
    (Invoke-LabProgram virsh -c $Uri @args) -join "`n"
}

# The error IDs of records, without the command's name ("VfsInUse,SriovPS.Commands.…" → "VfsInUse").
function Get-LabErrorId($Records) { @($Records | ForEach-Object { $_.FullyQualifiedErrorId.Split(',')[0] }) }
