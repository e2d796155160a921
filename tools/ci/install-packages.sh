#!/usr/bin/env bash
# Installs the Debian packages a task needs, where missing (root; Debian bookworm or later).
#   install-packages.sh run    what the module itself uses on a host: libvirt0 and iproute2
#   install-packages.sh test   what the tests use, QEMU >= 8 from bookworm-backports first
# Not root, or not Debian: says what it would need and exits 0, so the caller goes on without.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export DEBIAN_FRONTEND=noninteractive

# run: libvirt.so.0 for the libvirt commands and checks; iproute2 for ip(8), which the help's examples compare with.
# test, besides:
#   udev, python3: the lab guest runs this machine's root, where the VF count tests check the module's
#     udev rule with `udevadm test` and hold a VF through vfio with a small python helper.
#   libvirt-clients, libvirt-daemon-system, libvirt-daemon-driver-qemu: the library's test driver, the
#     embedded QEMU driver and a private libvirtd (its real network driver), here and in the lab guest.
#   apparmor: apparmor_parser checks the rules Repair-VfioAppArmor writes against libvirt's abstraction.
#   python3-yaml: a YAML parser independent of the module reads what Export-SriovConfig writes.
#   python3-jsonschema: a JSON Schema validator independent of the module judges the configuration
#     documents against SriovPS.Configuration.schema.json.
#   openssh-server, openssh-client: the fleet's simulated hosts each run an sshd, reached by ssh
#     through PowerShell remoting (tests/fleet).
#   openvswitch-switch, ethtool: the lab guest starts Open vSwitch with hardware offload on netdevsim's
#     representors, and reads features back with ethtool -k, as Test-SriovHost -For OvsOffload judges them.
case ${1:-} in
    run) packages=(libvirt0 iproute2) ;;
    test) packages=(libvirt0 iproute2 udev python3 libvirt-clients libvirt-daemon-system libvirt-daemon-driver-qemu apparmor python3-yaml python3-jsonschema openssh-server openssh-client openvswitch-switch ethtool) ;;
    *) echo "usage: $0 run|test" >&2; exit 2 ;;
esac

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
missing=()
command -v dpkg-query >/dev/null || { echo "packages: not a Debian machine; install the equivalents of ${packages[*]} yourself" >&2; exit 0; }
for package in "${packages[@]}"; do
    installed "$package" || missing+=("$package")
done
qemu_version=$(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null || true)
need_qemu=0
if [[ $1 == test ]] && ! { installed qemu-system-x86 && dpkg --compare-versions "${qemu_version#*:}" ge 8; }; then
    need_qemu=1
fi
((${#missing[@]} > 0 || need_qemu)) || exit 0
if [[ $(id -u) != 0 ]]; then
    echo "packages: not root, so not installing: ${missing[*]}$( ((need_qemu)) && echo ' qemu-system-x86 (>= 8)')" >&2
    exit 0
fi

# One QEMU for the lab and for libvirt: QEMU >= 8 from bookworm-backports (its igb device has SR-IOV),
# installed before libvirt so that libvirt's QEMU driver never pulls in bookworm's older one.
updated=0
if ((need_qemu)); then
    . /etc/os-release
    if [[ ${VERSION_CODENAME:-} == bookworm ]] && "$here/backports-source.sh"; then
        echo "packages: installing qemu-system-x86 from bookworm-backports"
        apt-get update -qq && updated=1
        apt-get install -y -qq --no-install-recommends -t bookworm-backports qemu-system-x86 >/dev/null ||
            echo "packages: QEMU >= 8 could not be installed from bookworm-backports; the lab will say why it skips" >&2
    else
        echo "packages: no bookworm-backports here for QEMU >= 8; the lab will say why it skips" >&2
    fi
fi
if ((${#missing[@]} > 0)); then
    echo "packages: installing ${missing[*]}"
    ((updated)) || apt-get update -qq
    # The tests run daemons of their own: an sshd per fleet host, Open vSwitch in the lab guest. The
    # packages' system-wide daemons are kept from starting during the install (policy-rc.d, Debian's switch
    # for that, in a transaction of their own) and from starting at boot, so that installing them opens no
    # port and changes no network of this machine.
    daemons=()
    for package in openssh-server openvswitch-switch; do
        [[ " ${missing[*]} " != *" $package "* ]] || { daemons+=("$package"); missing=("${missing[@]/$package/}"); }
    done
    if ((${#daemons[@]} > 0)); then
        policy=/usr/sbin/policy-rc.d
        if [[ ! -e $policy ]]; then
            trap 'rm -f "$policy"' EXIT
            printf '#!/bin/sh\nexit 101\n' >"$policy"
            chmod 755 "$policy"
        fi
        apt-get install -y -qq --no-install-recommends "${daemons[@]}" >/dev/null
        [[ $(trap -p EXIT) ]] && rm -f "$policy" && trap - EXIT
        # systemctl disables the units without a running systemd too (their links, and SysV's).
        if command -v systemctl >/dev/null; then
            units=(ssh.service ssh.socket openvswitch-switch.service ovs-vswitchd.service ovsdb-server.service)
            systemctl disable "${units[@]}" >/dev/null 2>&1 || true
            [[ ! -d /run/systemd/system ]] || systemctl stop "${units[@]}" >/dev/null 2>&1 || true
        fi
    fi
    missing=($(printf '%s\n' "${missing[@]}" | grep .)) || missing=()
    ((${#missing[@]} == 0)) || apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
