# Helpers of the configuration document tests, dot-sourced after Fixtures.ps1: the documents the
# tests share, an independent JSON Schema validator (python jsonschema) for the shipped schema, the
# "mac": "auto" rule worked out here rather than by the module, and drifts as comparable text.

# The schema as the module ships it beside SriovPS.psd1; the source copy when the build did not lay it
# out (one test says so), so that the other tests still judge the schema itself.
function Get-TestSchemaPath {
    $shipped = Join-Path $PSScriptRoot '../../out/SriovPS/SriovPS.Configuration.schema.json'
    if (Test-Path -LiteralPath $shipped) { return (Resolve-Path -LiteralPath $shipped).Path }
    (Resolve-Path -LiteralPath (Join-Path $PSScriptRoot '../../src/SriovPS/SriovPS.Configuration.schema.json')).Path
}

# python jsonschema's verdict on each document of $Documents (name -> JSON text): name -> the errors
# it found, none when the document is valid. Text that is not JSON gets one error saying so.
function Get-TestSchemaVerdict {
    param(
        [Parameter(Mandatory)] [System.Collections.IDictionary] $Documents,
        [string] $Schema = (Get-TestSchemaPath)
    )
    $program = @'
import json, sys
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1], encoding='utf-8'))
Draft202012Validator.check_schema(schema)
validator = Draft202012Validator(schema)
verdicts = {}
for name, text in json.load(sys.stdin).items():
    try:
        instance = json.loads(text)
    except ValueError as e:
        verdicts[name] = ['not JSON: ' + str(e)]
        continue
    verdicts[name] = ['/'.join(str(p) for p in e.absolute_path) + ': ' + e.message for e in validator.iter_errors(instance)]
json.dump(verdicts, sys.stdout)
'@
    if (-not (Get-Command python3 -CommandType Application -ErrorAction SilentlyContinue)) {
        throw 'python3 with the jsonschema module is needed (tools/ci/install-packages.sh test installs python3-jsonschema).'
    }
    $output = ($Documents | ConvertTo-Json -Compress) | python3 -c $program $Schema 2>&1
    if ($LASTEXITCODE -ne 0) { throw "python jsonschema failed (python3-jsonschema installed?):`n$($output -join "`n")" }
    ($output -join "`n") | ConvertFrom-Json -AsHashtable
}

# The MAC "auto" gives VF $Index of the PF whose MAC is $PfMac: the PF's first three octets folded into
# six bits, marked locally administered and unicast, then its last three octets, then the index.
function Get-TestAutoMac {
    param([Parameter(Mandatory)] [string] $PfMac, [Parameter(Mandatory)] [int] $Index)
    $pf = $PfMac.Split(':') | ForEach-Object { [Convert]::ToByte($_, 16) }
    $first = (($pf[0] -bxor $pf[1] -bxor $pf[2]) -band 0xFC) -bor 0x02
    (@($first, $pf[3], $pf[4], $pf[5], ($Index -shr 8), ($Index -band 0xFF)) | ForEach-Object { '{0:x2}' -f $_ }) -join ':'
}

# A drift as one line of text, for comparing the results of several commands.
function Format-TestDrift {
    process { '{0}|{1}|{2}|{3}|{4}|{5}' -f $_.Target, $_.Property, $_.Desired, $_.Actual, $_.Step, $_.Path }
}

# The MACs the "ip link set ... vf N ... mac M" lines of -WhatIf messages set, keyed "PF vf N".
function Get-TestWhatIfMac {
    param([AllowEmptyCollection()] [string[]] $WhatIf)
    $macs = [ordered]@{}
    foreach ($match in [regex]::Matches(($WhatIf -join "`n"), 'ip link set (\S+) vf (\d+) .*?mac ([0-9a-f:]{17})')) {
        $macs["$($match.Groups[1].Value) vf $($match.Groups[2].Value)"] = $match.Groups[3].Value
    }
    $macs
}

# Documents the module refuses on the i350-4port tree, each with the one error it gives: its id and
# category, the JSON path it names, and what its message says after the path. Schema says whether the
# shipped schema should refuse it too; where it cannot, Why says what the schema cannot see.
function Get-TestBadDocument {
    $vf = { param($Settings) '{"pfs":[{"match":{"name":"eno49"},"vfs":[' + $Settings + ']}]}' }
    @(
        @{ Case = 'an unknown key (numVf)'; Path = 'pfs[0].numVf'; Message = "is not a key of pfs\[0\]: did you mean 'numVfs'\?"
            Json = '{"pfs":[{"match":{"name":"eno49"},"numVf":4}]}' }
        @{ Case = 'VLAN 5000'; Path = 'pfs[0].vfs[0].vlan'; Message = '5000 is outside the VLAN range 0–4095'
            Json = (& $vf '{"index":0,"vlan":5000}') }
        @{ Case = 'numVfs 9 on igb'; Path = 'pfs[0].numVfs'; Message = '9 is more VFs than eno49 \(igb 8086:1521, 0000:04:00\.0\) can have: its sriov_totalvfs is 7'
            Json = '{"pfs":[{"match":{"name":"eno49"},"numVfs":9}]}'; Why = 'the PF''s TotalVfs is the host''s' }
        @{ Case = 'a multicast MAC'; Path = 'pfs[0].vfs[0].mac'; Message = "'01:00:5e:00:00:01' is a multicast or broadcast address"
            Json = (& $vf '{"index":0,"mac":"01:00:5e:00:00:01"}') }
        @{ Case = 'two VF ranges that overlap'; Path = 'pfs[0].vfs[1].index'; Message = 'VF 2 is also named by pfs\[0\]\.vfs\[0\]'
            Json = (& $vf '{"index":"0-3","trust":true},{"index":"2-5","trust":false}'); Why = 'ranges are compared across entries' }
        @{ Case = 'a literal MAC on a range'; Path = 'pfs[0].vfs[0].mac'; Message = 'gives 02:53:52:00:00:10 to 2 VFs'
            Json = (& $vf '{"index":"0-1","mac":"02:53:52:00:00:10"}') }
        @{ Case = 'one literal MAC on two entries'; Path = 'pfs[1].vfs[0].mac'; Message = '02:53:52:00:00:10 is also given by pfs\[0\]\.vfs\[0\]'
            Json = '{"pfs":[{"match":{"name":"eno49"},"vfs":[{"index":0,"mac":"02:53:52:00:00:10"}]},{"match":{"name":"eno50"},"vfs":[{"index":0,"mac":"02:53:52:00:00:10"}]}]}'
            Why = 'MACs are compared across entries' }
        @{ Case = 'QoS 3 with VLAN 0'; Path = 'pfs[0].vfs[0].qos'; Message = '^3 is the priority of the VF''s VLAN tag, and vlan 0 sends it untagged: give a VLAN from 1 to 4095, or leave qos out\.$'
            Json = (& $vf '{"index":0,"vlan":0,"qos":3}') }
        @{ Case = 'a minimum rate above the maximum'; Path = 'pfs[0].vfs[0].minTxRate'; Message = '^100 Mbit/s is above maxTxRate 10: raise maxTxRate, or make it 0 \(no limit\)\.$'
            Json = (& $vf '{"index":0,"minTxRate":100,"maxTxRate":10}'); Why = 'one value is compared with another' }
        @{ Case = 'persist with only VF settings'; Path = 'pfs[0].persist'; Message = '^keeps the VF count, the VF drivers and the PF''s link across boots, and this entry names none of them \(VF settings are the running kernel''s and are not kept\)\.$'
            Json = '{"pfs":[{"match":{"name":"eno49"},"persist":true,"vfs":[{"index":0,"vlan":3}]}]}'; Why = 'what persist keeps is read from the other keys' }
        @{ Case = 'an index beyond numVfs'; Path = 'pfs[0].vfs[0].index'; Message = 'VF 5 is beyond the 4 VFs eno49 is to have \(0–3\)'
            Json = '{"pfs":[{"match":{"name":"eno49"},"numVfs":4,"vfs":[{"index":5,"trust":true}]}]}'; Why = 'an index is compared with numVfs' }
        @{ Case = 'a pool over a PF the document gives numVfs 0'; Path = 'pools[0].pfs[0]'; Message = 'the pool would hand out the VFs of eno49, which the document leaves with none \(pfs\[0\]\.numVfs\)'
            Json = '{"pfs":[{"id":"uplink","match":{"name":"eno49"},"numVfs":0}],"pools":[{"name":"sriov-net","pfs":["uplink"]}]}'; Why = 'a pool refers to a PF entry' }
        @{ Case = 'a pool naming an unknown PF'; Path = 'pools[0].pfs[0]'; Message = "'nosuch' is neither the id of a PF entry nor the interface of a PF of this host"
            Json = '{"pfs":[{"id":"uplink","match":{"name":"eno49"}}],"pools":[{"name":"sriov-net","pfs":["nosuch"]}]}'; Why = 'a pool may name the host''s interfaces' }
        @{ Case = 'a literal MAC on an entry matching four PFs'; Path = 'pfs[0].vfs[0].mac'; Message = '^02:53:52:00:00:10 would go to eno49 vf 0 and to eno50 vf 0 \(the entry matches 4 PFs\)'
            Json = '{"pfs":[{"match":{"driver":"igb"},"vfs":[{"index":0,"mac":"02:53:52:00:00:10"}]}]}'; Why = 'the PFs matched are the host''s' }
        @{ Case = 'a match with no key'; Path = 'pfs[0].match'; Message = 'names nothing to match: give name, pciAddress, driver or deviceId'
            Json = '{"pfs":[{"match":{},"numVfs":4}]}' }
        @{ Case = 'a match that matches nothing'; Path = 'pfs[0].match'; Id = 'ConfigurationNotMatched'; Category = 'ObjectNotFound'
            Message = 'no PF of this host has driver ixgbe\. Its PFs: eno49 \(igb 8086:1521, 0000:04:00\.0\); eno50 \(igb 8086:1521, 0000:04:00\.1\); eno51 \(igb 8086:1521, 0000:04:00\.2\); eno52 \(igb 8086:1521, 0000:04:00\.3\)\.$'
            Json = '{"pfs":[{"match":{"driver":"ixgbe"},"numVfs":4}]}'; Why = 'the PFs are the host''s' }
        @{ Case = 'two entries matching one PF'; Path = 'pfs[1].match'; Message = 'eno49 \(igb 8086:1521, 0000:04:00\.0\) is also matched by pfs\[0\]'
            Json = '{"pfs":[{"match":{"name":"eno49"},"numVfs":4},{"match":{"driver":"igb","pciAddress":"0000:04:00.0"},"numVfs":4}]}'; Why = 'the PFs are the host''s' }
        @{ Case = 'boot.iommu false'; Path = 'boot.iommu'; Message = 'false is not something the module does'
            Json = '{"boot":{"iommu":false}}' }
        @{ Case = 'invalid JSON'; Path = '$'; Message = 'is not JSON'
            Json = '{"pfs":[{"match":{"name":"eno49"},"numVfs":4}' }
        @{ Case = 'a wrong type ("numVfs": "7")'; Path = 'pfs[0].numVfs'; Message = 'is the string "7"; a whole number was expected'
            Json = '{"pfs":[{"match":{"name":"eno49"},"numVfs":"7"}]}' }
        @{ Case = 'an unknown driver name'; Path = 'pfs[0].vfs[0].driver'; Message = "There is no PCI driver 'nosuchdrv' on this host"
            Json = (& $vf '{"index":0,"driver":"nosuchdrv"}'); Why = 'the drivers are the host''s' }
        @{ Case = 'a range that runs backwards'; Path = 'pfs[0].vfs[0].index'; Message = '"5-2" runs backwards'
            Json = (& $vf '{"index":"5-2","trust":true}'); Why = 'the two ends of a range are compared' }
        @{ Case = 'one key given twice in two cases'; Path = 'pfs[0].NumVfs'; Message = 'is given twice'
            Json = '{"pfs":[{"match":{"name":"eno49"},"numVfs":4,"NumVfs":5}]}' }
        @{ Case = 'the all-zeros MAC'; Path = 'pfs[0].vfs[0].mac'; Message = '^''00:00:00:00:00:00'' is all zeros'
            Json = (& $vf '{"index":0,"mac":"00:00:00:00:00:00"}') }
        @{ Case = 'a null value ("vlan": null)'; Path = 'pfs[0].vfs[0].vlan'; Message = $null
            Json = (& $vf '{"index":0,"vlan":null}') }
        @{ Case = 'a null index'; Path = 'pfs[0].vfs[0].index'; Message = $null
            Json = (& $vf '{"index":null,"vlan":3}') }
        @{ Case = 'a null match criterion'; Path = 'pfs[0].match.name'; Message = $null
            Json = '{"pfs":[{"match":{"name":null},"numVfs":4}]}' }
        @{ Case = 'a pool with no PFs ("pfs": [])'; Path = 'pools[0].pfs'; Message = '^is empty: name the PFs whose VFs the pool hands out \(a PF entry''s id, or an interface name\)\.$'
            Json = '{"pools":[{"name":"sriov-net","pfs":[]}]}' }
        @{ Case = 'a pool whose PFs are null'; Path = 'pools[0].pfs'; Message = $null
            Json = '{"pools":[{"name":"sriov-net","pfs":null}]}' }
        @{ Case = 'a pool whose name is null'; Path = 'pools[0].name'; Message = $null
            Json = '{"pools":[{"name":null,"pfs":["eno49"]}]}' }
    ) | ForEach-Object {
        # A null is one error of its own, never also "is missing".
        $_.Message = if ($null -ne $_.Message) { $_.Message } else { '^is null: leave the key out to leave the setting alone, or give it a value\.$' }
        $_.Id = if ($_.Id) { $_.Id } else { 'InvalidConfiguration' }
        $_.Category = if ($_.Category) { $_.Category } else { 'InvalidData' }
        $_
    }
}

# The document of the issue for the i350-4port host, with "mac": "auto" on VFs 2-3 of eno49.
function Get-TestFullDocument {
    param([switch] $WithoutPoolsAndBoot)
    $pools = if ($WithoutPoolsAndBoot) { '' } else {
        ',
  "pools": [ { "name": "sriov-net", "pfs": ["uplink"], "autostart": true, "started": true } ],
  "boot": { "iommu": true, "vfioModules": true, "appArmor": true }'
    }
    @"
{ "pfs": [ { "id": "uplink", "match": { "name": "eno49" },
             "numVfs": 4, "driversAutoprobe": false, "eswitchMode": "legacy", "linkState": "up", "mtu": 9000, "persist": true,
             "vfs": [ { "index": 1, "driver": "vfio-pci" },
                      { "index": "2-3", "mac": "auto", "vlan": 10, "qos": 3, "vlanProtocol": "802.1Q",
                        "spoofCheck": true, "trust": true, "linkState": "auto", "minTxRate": 0, "maxTxRate": 0 } ] } ]$pools }
"@
}

# Documents the module takes on the i350-4port tree (without an error), which the schema must take too.
function Get-TestGoodDocument {
    @(
        @{ Case = 'the full document (PFs, pools, boot)'; Json = (Get-TestFullDocument) }
        @{ Case = 'the empty document'; Json = '{}' }
        @{ Case = 'a match by short PCI address'; Json = '{"pfs":[{"match":{"pciAddress":"04:00.1"},"numVfs":7,"linkState":"down"}]}' }
        @{ Case = 'a match by driver and upper-case deviceId'; Json = '{"pfs":[{"match":{"driver":"igb","deviceId":"8086:1521"},"numVfs":7,"driversAutoprobe":true}]}' }
        @{ Case = 'VF settings of every kind'
            Json = '{"pfs":[{"match":{"name":"eno50"},"vfs":[{"index":"0","mac":"02:53:52:00:00:10"},{"index":1,"vlan":10,"qos":7,"vlanProtocol":"802.1ad","linkState":"disable","minTxRate":10,"maxTxRate":100},{"index":"2-6","mac":"auto","spoofCheck":false,"trust":true,"driver":"default"}]}]}' }
        @{ Case = 'a pool over a PF by interface name'; Json = '{"pools":[{"name":"sriov-net","pfs":["eno51"],"autostart":false}]}' }
        @{ Case = 'numVfs 7.0, as ConvertTo-Json writes a [double]'; Json = '{"pfs":[{"match":{"name":"eno49"},"numVfs":7.0}]}' }
        @{ Case = 'every other number written with .0'; Json = '{"pfs":[{"match":{"name":"eno49"},"mtu":9000.0,"vfs":[{"index":1,"vlan":10.0,"qos":3.0,"minTxRate":0.0,"maxTxRate":100.0}]}]}' }
        @{ Case = 'an index written 3.0'; Json = '{"pfs":[{"match":{"name":"eno49"},"vfs":[{"index":3.0,"trust":true}]}]}' }
        @{ Case = 'persist with a VF driver only'; Json = '{"pfs":[{"match":{"name":"eno49"},"persist":true,"vfs":[{"index":0,"driver":"vfio-pci"}]}]}' }
    )
}
