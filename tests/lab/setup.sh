#!/usr/bin/env bash
# Prepares the SR-IOV lab on a Debian bookworm host (root): QEMU >= 8 from bookworm-backports (its igb
# device is an Intel 82576 with SR-IOV), the newest backports kernel unpacked for the guest (never
# installed on the host), netdevsim built out of tree (Debian does not ship it), and an initramfs that
# mounts the host's own root over 9p. Idempotent: a second run with nothing changed takes seconds.
#
# Environment: SRIOVPS_LAB_DIR (cache, default /var/tmp/sriovps-lab), SRIOVPS_LAB_NETDEVSIM=0 to skip netdevsim.
# Exit codes: 0 ready; 3 the lab cannot run here (reason on stderr, prefixed "LAB UNAVAILABLE:").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lab=${SRIOVPS_LAB_DIR:-/var/tmp/sriovps-lab}
netdevsim=${SRIOVPS_LAB_NETDEVSIM:-1}
export DEBIAN_FRONTEND=noninteractive

unavailable() { echo "LAB UNAVAILABLE: $*" >&2; exit 3; }
step() {
    local name=$1 start=$EPOCHREALTIME status=0
    shift
    "$@" || status=$?
    printf 'lab setup: %-22s %6.1f s\n' "$name" "$(bc <<<"$EPOCHREALTIME - $start")"
    return "$status"
}

[[ $(id -u) == 0 ]] || unavailable "not root: the lab installs packages and boots QEMU"
command -v apt-get >/dev/null || unavailable "not a Debian host (no apt-get)"
. /etc/os-release
[[ ${VERSION_CODENAME:-} == bookworm ]] || unavailable "the lab is set up for Debian bookworm, this is ${PRETTY_NAME:-unknown}"
mkdir -p "$lab/debs"

# The cache key: the scripts that shape the guest. A kernel newer in backports also invalidates it.
key=$(cat "$here/setup.sh" "$here/init" "$here/build-initramfs.sh" "$here/extract-vmlinux.sh" | sha256sum | cut -c1-16)

ensure_packages() {
    "$here/../../tools/ci/backports-source.sh" >&2 || unavailable "no bookworm mirror in apt's sources to add bookworm-backports from"
    local qemu_version
    qemu_version=$(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null || true)
    local needed=()
    for package in busybox-static cpio kmod xz-utils zstd bc iproute2 pciutils; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || needed+=("$package")
    done
    if [[ ${qemu_version%%[:.]*} =~ ^[0-9]+$ ]] && dpkg --compare-versions "${qemu_version#*:}" ge 8 && ((${#needed[@]} == 0)) && [[ -s $lab/apt-updated ]]; then
        return
    fi
    apt-get update -qq || unavailable "apt-get update failed"
    date >"$lab/apt-updated"
    apt-get install -y -qq --no-install-recommends -t bookworm-backports qemu-system-x86 >/dev/null ||
        unavailable "QEMU >= 8 could not be installed from bookworm-backports"
    ((${#needed[@]} == 0)) || apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
    qemu_version=$(dpkg-query -W -f='${Version}' qemu-system-x86)
    dpkg --compare-versions "${qemu_version#*:}" ge 8 || unavailable "QEMU $qemu_version is older than 8: no igb device"
}
step packages ensure_packages

# Backports keeps only its newest kernel, so the version is resolved now, never pinned; package
# lists too old to know it are refreshed once.
newest_kernel() { apt-cache madison linux-image-amd64 | awk '/bookworm-backports/ && !v {v = $3} END {print v}'; }
kver=$(newest_kernel)
if [[ -z $kver ]]; then
    apt-get update -qq || unavailable "apt-get update failed"
    kver=$(newest_kernel)
fi
[[ -n $kver ]] || unavailable "no linux-image-amd64 in bookworm-backports"
kpackage=$(apt-cache show "linux-image-amd64=$kver" | sed -n 's/^Depends: \(linux-image-[^ ,]*\).*/\1/p' | head -1)
krelease=${kpackage#linux-image-}
kbase=${krelease%-amd64}
if [[ -f $lab/ready && $(cat "$lab/ready") == "$key $kver ${SRIOVPS_LAB_NETDEVSIM:-1}" && -s $lab/initramfs.cpio.gz && -s $lab/k/vmlinux ]]; then
    echo "lab setup: ready (kernel $krelease, cached in $lab)"
    exit 0
fi
rm -f "$lab/ready"

download() {
    local packages=("$kpackage=$kver")
    if [[ $netdevsim == 1 ]]; then
        local minor
        minor=$(cut -d. -f1,2 <<<"$krelease")
        packages+=("linux-headers-$krelease=$kver" "linux-headers-$kbase-common=$kver" "linux-kbuild-$kbase=$kver" "linux-source-$minor=$kver")
    fi
    local missing=()
    for package in "${packages[@]}"; do
        local name=${package%%=*}
        compgen -G "$lab/debs/${name}_${kver}_*.deb" >/dev/null || missing+=("$package")
    done
    # Older versions of the same packages would confuse the globs below.
    find "$lab/debs" -name '*.deb' ! -name "*_${kver}_*" -delete
    # apt downloads as the _apt user when it can write the directory.
    ! id _apt >/dev/null 2>&1 || chown _apt "$lab/debs"
    ((${#missing[@]} == 0)) || (cd "$lab/debs" && apt-get download -qq "${missing[@]}") || unavailable "could not download the guest kernel packages"
}
step download download

unpack_kernel() {
    rm -rf "$lab/k"
    mkdir -p "$lab/k"
    dpkg-deb -x "$lab/debs/${kpackage}"_*.deb "$lab/k"
    "$here/extract-vmlinux.sh" "$lab/k/boot/vmlinuz-$krelease" "$lab/k/vmlinux"
}
step kernel unpack_kernel

build_netdevsim() {
    command -v make >/dev/null && command -v gcc >/dev/null || apt-get install -y -qq --no-install-recommends make gcc libc6-dev >/dev/null
    rm -rf "$lab/kh" "$lab/nsim"
    mkdir -p "$lab/kh" "$lab/nsim"
    for deb in "$lab"/debs/linux-headers-*"$kver"*.deb "$lab"/debs/linux-kbuild-*"$kver"*.deb; do dpkg-deb -x "$deb" "$lab/kh"; done
    local headers=$lab/kh/usr/src/linux-headers-$krelease
    sed -i "s|include /usr/src/|include $lab/kh/usr/src/|" "$headers/Makefile"
    dpkg-deb --fsys-tarfile "$lab"/debs/linux-source-*_"$kver"*.deb |
        tar -xO --wildcards './usr/src/linux-source-*.tar.xz' | xz -dc -T0 |
        tar -x -C "$lab/nsim" --strip-components=4 --wildcards '*/drivers/net/netdevsim/*'
    make -s -C "$headers" M="$lab/nsim" CONFIG_NETDEVSIM=m CONFIG_DEBUG_INFO_BTF_MODULES= -j"$(nproc)" modules
    mkdir -p "$lab/k/lib/modules/$krelease/updates"
    cp "$lab/nsim/netdevsim.ko" "$lab/k/lib/modules/$krelease/updates/"
}
# netdevsim only widens what the lab can test; a kernel it does not build against must not stop the lab.
# It builds in its own bash, where errexit holds (it would not inside this condition).
export lab kver krelease
export -f build_netdevsim
if [[ $netdevsim == 1 ]] && ! step netdevsim bash -e -o pipefail -c build_netdevsim; then
    echo "lab setup: netdevsim could not be built for $krelease; its tests will be skipped" >&2
    netdevsim=0
fi

step depmod depmod -b "$lab/k" "$krelease"
step initramfs env SRIOVPS_LAB_DIR="$lab" "$here/build-initramfs.sh"
echo "$key $kver ${SRIOVPS_LAB_NETDEVSIM:-1}" >"$lab/ready"
echo "lab setup: ready (kernel $krelease, cached in $lab)"
