#!/bin/bash
# Captures real RTM_NEWLINK replies for the netlink decoder's tests, with iproute2's reading of the
# same state beside each: run on the host as
#   tests/lab/run.sh --script tests/lab/guest/netlink-capture.sh
# and copy tests/lab/out/netlink/* to tests/SriovPS.Tests/Netlink/Captures/.
# igb: the first 82576 PF with 7 VFs configured the way the seeds do; netdevsim: every VF attribute
# including link state and both rates, and a 256-VF PF whose list overflows with statistics.
set -euo pipefail
. /lab-out/lab.env
out=/lab-out/netlink
mkdir -p "$out"
tool=("$LAB_DOTNET" "$LAB_REPO/tools/SriovPS.Build/bin/Release/net10.0/SriovPS.Build.dll")

capture() { # NAME FILE-STEM COMMENT
    "${tool[@]}" netlink-capture "$1" "$out/$2.hex" --comment "$3"
    "${tool[@]}" netlink-capture "$1" "$out/$2-stats.hex" --stats --comment "$3"
    ip -j -d link show dev "$1" >"$out/$2.json"
}
try() { "$@" || echo "capture: refused by the driver: $*"; }

# igb ------------------------------------------------------------------------------------------
pf_pci=$(basename "$(readlink -f /sys/bus/pci/drivers/igb/*:*.0 | head -n1)")
pf=$(ls "/sys/bus/pci/devices/$pf_pci/net")
echo 7 >"/sys/bus/pci/devices/$pf_pci/sriov_numvfs"
ip link set "$pf" up
ip link set "$pf" vf 0 mac 02:53:52:00:00:10 vlan 42 qos 3 spoofchk on trust on
ip link set "$pf" vf 1 mac 02:53:52:00:00:11 spoofchk off
ip link set "$pf" vf 2 vlan 100
try ip link set "$pf" vf 3 max_tx_rate 100
try ip link set "$pf" vf 4 vlan 7 proto 802.1ad
capture "$pf" igb "igb PF $pf_pci, 7 VFs: vf 0 mac 02:53:52:00:00:10 vlan 42 qos 3 spoofchk on trust on; vf 1 mac 02:53:52:00:00:11 spoofchk off; vf 2 vlan 100"

# netdevsim ------------------------------------------------------------------------------------
modprobe netdevsim
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
nsim_pf() { # ID COUNT -> prints the PF interface once its VFs exist
    echo "$1 1" >/sys/bus/netdevsim/new_device
    for _ in $(seq 50); do [[ -d /sys/bus/netdevsim/devices/netdevsim$1/net ]] && break; sleep 0.1; done
    echo "$2" >"/sys/kernel/debug/netdevsim/netdevsim$1/max_vfs"
    echo "$2" >"/sys/bus/netdevsim/devices/netdevsim$1/sriov_numvfs"
    ls "/sys/bus/netdevsim/devices/netdevsim$1/net"
}
ns=$(nsim_pf 10 8)
ip link set "$ns" vf 0 mac 02:53:52:00:01:00 vlan 42 qos 3 proto 802.1ad spoofchk on trust on state enable min_tx_rate 100 max_tx_rate 1000 query_rss on
ip link set "$ns" vf 1 mac 02:53:52:00:01:01 vlan 4095 qos 7 state disable max_tx_rate 10
ip link set "$ns" vf 2 state auto spoofchk off trust off min_tx_rate 5 max_tx_rate 0
ip link set "$ns" vf 7 mac 02:53:52:00:01:07 vlan 1 proto 802.1Q
capture "$ns" netdevsim "netdevsim PF, 8 VFs: vf 0 every attribute; vf 1 vlan 4095 qos 7 state disable; vf 2 min rate only; vf 7 802.1Q"

big=$(nsim_pf 11 256)
ip link set "$big" vf 255 mac 02:53:52:00:02:ff
capture "$big" netdevsim-256 "netdevsim PF with 256 VFs: vf 255 mac 02:53:52:00:02:ff"
ip -d link show dev "$big" >"$out/netdevsim-256.txt" 2>"$out/netdevsim-256.stderr" || true
uname -r >"$out/kernel"
ls -l "$out"
