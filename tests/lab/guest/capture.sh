#!/bin/bash
# Runs in the lab guest (tests/lab/run.sh --capture): puts the first igb PF in a known state (7 VFs,
# VF 0 on vfio-pci, the others on igbvf), captures sysfs as a host-tree manifest into
# /lab-out/lab-igb.hosttree, and restores 0 VFs.
set -euo pipefail
. /lab-out/lab.env
export PATH="${LAB_DOTNET%/*}:$PATH" DOTNET_ROOT="$LAB_DOTNET_ROOT"
pf=$(ls /sys/bus/pci/drivers/igb | grep -m1 '^[0-9a-f]\{4\}:')
device=/sys/bus/pci/devices/$pf
echo 7 >"$device/sriov_numvfs"
wait_for() { for _ in $(seq 300); do eval "$1" && return 0; sleep 0.1; done; echo "timed out: $1" >&2; return 1; }
wait_for '[ "$(ls -d $device/virtfn*/driver 2>/dev/null | wc -l)" = 7 ]'
vf0=$(basename "$(readlink "$device/virtfn0")")
echo vfio-pci >"/sys/bus/pci/devices/$vf0/driver_override"
echo "$vf0" >"/sys/bus/pci/devices/$vf0/driver/unbind"
echo "$vf0" >/sys/bus/pci/drivers_probe
wait_for '[ "$(basename "$(readlink /sys/bus/pci/devices/$vf0/driver)")" = vfio-pci ]'
dotnet "$LAB_REPO/tools/SriovPS.Build/bin/Release/net10.0/SriovPS.Build.dll" capture / /lab-out/lab-igb.hosttree
echo 0 >"$device/sriov_numvfs"
