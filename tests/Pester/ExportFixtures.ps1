# Helpers of the Export-SriovConfig tests, dot-sourced after Fixtures.ps1: real parsers for the
# outputs, a driver move in a copied host tree, and an evaluator of the device plugin's selectors
# that reads the tree's sysfs itself rather than through the module.

# Every document of a YAML stream, read by PyYAML and handed over as JSON.
function ConvertFrom-TestYaml {
    param([Parameter(Mandatory)] [string] $Text)
    $json = $Text | python3 -c 'import sys,json,yaml; print(json.dumps(list(yaml.safe_load_all(sys.stdin))))'
    if ($LASTEXITCODE -ne 0) { throw "PyYAML could not read:`n$Text" }
    @(($json -join "`n") | ConvertFrom-Json)
}

# Strict JSON first (System.Text.Json refuses trailing commas and comments), then objects.
function ConvertFrom-TestJson {
    param([Parameter(Mandatory)] [string] $Text)
    [System.Text.Json.JsonDocument]::Parse($Text).Dispose()
    $Text | ConvertFrom-Json
}

# Moves VF $Address of a copied tree to $Driver as the kernel shows it: the VF's driver link and the
# drivers' own links change, and the VF's interface goes away (vfio-pci and the uio drivers make none).
function Move-TestVfDriver {
    param([string] $Root, [string] $Address, [string] $Driver)
    $vf = Resolve-TestHostLink $Root "/sys/bus/pci/devices/$Address"
    $device = $vf.Substring($Root.Length + '/sys/'.Length)
    $old = [System.IO.Path]::GetFileName([System.IO.Directory]::ResolveLinkTarget("$vf/driver", $false).FullName)
    [System.IO.File]::Delete("$vf/driver")
    $null = [System.IO.File]::CreateSymbolicLink("$vf/driver", "../../../../bus/pci/drivers/$Driver")
    [System.IO.File]::WriteAllText("$vf/driver_override", "$Driver`n")
    [System.IO.File]::Delete("$Root/sys/bus/pci/drivers/$old/$Address")
    $null = [System.IO.Directory]::CreateDirectory("$Root/sys/bus/pci/drivers/$Driver")
    $null = [System.IO.File]::CreateSymbolicLink("$Root/sys/bus/pci/drivers/$Driver/$Address", "../../../../$device")
    if ([System.IO.Directory]::Exists("$vf/net")) {
        foreach ($interface in [System.IO.Directory]::GetDirectories("$vf/net")) {
            [System.IO.File]::Delete("$Root/sys/class/net/$([System.IO.Path]::GetFileName($interface))")
        }
        [System.IO.Directory]::Delete("$vf/net", $true)
    }
}

# A directory of its own under the temporary directory, for files -Path writes.
function New-TestExportDirectory {
    $path = Join-Path ([System.IO.Path]::GetTempPath()) ('sriovps-export-' + [guid]::NewGuid().ToString('N'))
    $null = [System.IO.Directory]::CreateDirectory($path)
    $path
}

# What the device plugin reads of each VF of the host tree at $Root, read from sysfs here rather
# than from the module: vendor and device ids, driver, PF and index, and the link type (the VF's
# interface's, else its PF's).
function Get-TestPluginDevice {
    param([string] $Root)
    foreach ($vf in Get-SriovVf -HostRoot $Root) {
        $sysfs = "$Root/sys/bus/pci/devices/$($vf.PciAddress)"
        $typeFile = "$Root/sys/class/net/$(if ($vf.Name) { $vf.Name } else { $vf.PfName })/type"
        [pscustomobject]@{
            PciAddress = $vf.PciAddress
            Vendor = [System.IO.File]::ReadAllText("$sysfs/vendor").Trim() -replace '^0x'
            Device = [System.IO.File]::ReadAllText("$sysfs/device").Trim() -replace '^0x'
            Driver = [System.IO.Path]::GetFileName([System.IO.File]::ResolveLinkTarget("$sysfs/driver", $false).FullName)
            PfName = $vf.PfName
            PfPciAddress = $vf.PfPciAddress
            Index = $vf.Index
            LinkType = switch ($(if ([System.IO.File]::Exists($typeFile)) { [System.IO.File]::ReadAllText($typeFile).Trim() })) { '1' { 'ether' } '32' { 'infiniband' } default { $null } }
        }
    }
}

# A pfNames or rootDevices list as the plugin reads it: only the first entry whose name part is
# the PF (compared case-insensitively) counts; after '#', indexes and inclusive ranges; no '#'
# means every VF; malformed text selects nothing.
function Test-TestVfList {
    param([string[]] $Entries, [string] $Pf, [int] $Index)
    foreach ($entry in $Entries) {
        $parts = $entry.Split('#')
        if ($parts.Count -gt 2) { return $false }
        if ($parts[0] -ne $Pf) { continue }
        if ($parts.Count -eq 1) { return $true }
        foreach ($item in $parts[1].Split(',')) {
            if ($item -match '^(\d+)-(\d+)$') {
                if ($Index -ge [int] $Matches[1] -and $Index -le [int] $Matches[2]) { return $true }
            }
            elseif ($item -match '^\d+$') {
                if ($Index -eq [int] $item) { return $true }
            }
            else { return $false }
        }
        return $false
    }
    $false
}

# One selector: every key present must match (AND), any value of its list (OR), exact strings.
function Test-TestSelector {
    param([object] $Selector, [object] $Device)
    foreach ($key in $Selector.PSObject.Properties.Name) {
        $values = [string[]] @($Selector.$key)
        $matched = switch -CaseSensitive ($key) {
            'vendors' { $Device.Vendor -cin $values }
            'devices' { $Device.Device -cin $values }
            'drivers' { $Device.Driver -cin $values }
            'pciAddresses' { $Device.PciAddress -cin $values }
            'linkTypes' { $Device.LinkType -cin $values }
            'pfNames' { Test-TestVfList $values $Device.PfName $Device.Index }
            'rootDevices' { Test-TestVfList $values $Device.PfPciAddress $Device.Index }
            # The plugin ignores a key it does not know, which widens the pool: never acceptable here.
            default { throw "The selector has a key the device plugin does not read: '$key'." }
        }
        if (-not $matched) { return $false }
    }
    $true
}

# The device plugin's allocation: resources in order, each taking the devices one of its
# selectors selects that no earlier resource took. Returns '<prefix>/<name>' -> PCI addresses.
function Invoke-TestDevicePlugin {
    param([object] $Config, [object[]] $Devices)
    $taken = @{}
    $pools = [ordered]@{}
    foreach ($resource in $Config.resourceList) {
        $name = "$($resource.resourcePrefix)/$($resource.resourceName)"
        $pools[$name] = @(foreach ($device in $Devices) {
                if ($taken.ContainsKey($device.PciAddress)) { continue }
                if (@($resource.selectors | Where-Object { Test-TestSelector $_ $device }).Count -gt 0) {
                    $taken[$device.PciAddress] = $name
                    $device.PciAddress
                }
            })
    }
    $pools
}
