#!/usr/bin/env bash
# Runs the Lab tests inside the SR-IOV lab guest: a q35 QEMU guest with an IOMMU and two emulated
# Intel 82576 (igb) NICs with real SR-IOV, booting this machine's own root filesystem, so the test
# assembly built here runs against a real kernel. Sets the lab up when needed.
#
#   tests/lab/run.sh                         every Lab test
#   tests/lab/run.sh 'FullyQualifiedName~IgbDiscovery'   a filter of your own (Category=Lab is added)
#   tests/lab/run.sh --capture               write tests/lab/out/lab-igb.hosttree from the guest's sysfs
#   tests/lab/run.sh --script FILE           run a bash script of your own in the guest (for diagnosis)
#
# Writes tests/lab/out/lab.trx (VSTest TRX) and console.log; exits with the tests' exit code, non-zero
# when any Lab test failed or none ran; 3 when the lab cannot run here ("LAB UNAVAILABLE: <reason>").
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
lab=$(realpath -m "${SRIOVPS_LAB_DIR:-/var/tmp/sriovps-lab}")
out=$here/out
# The lab directory goes on the guest's kernel command line, which splits at spaces.
[[ $lab != *[[:space:]]* ]] || { echo "lab: SRIOVPS_LAB_DIR must not contain spaces: '$lab'" >&2; exit 2; }
mode=tests
filter="Category=Lab"
script=
case ${1:-} in
    --capture) mode=capture ;;
    --script) mode=script script=$(realpath "$2") || exit 2 ;;
    "") ;;
    *) filter="Category=Lab&($1)" ;;
esac

# Clear earlier results first, so nothing old is ever read as this run's.
rm -rf "$out"
mkdir -p "$out"
start=$EPOCHREALTIME
SRIOVPS_LAB_DIR=$lab bash "$here/setup.sh" || exit $?
setup_seconds=$(bc <<<"$EPOCHREALTIME - $start")

# The guest sees the results share as /lab-out, and starts stage 2 from there.
cp "$here/guest/stage2.sh" "$out/stage2.sh"
[[ -z $script ]] || { cp "$script" "$out/script.sh"; script=/lab-out/script.sh; }

# The guest runs what is built here, never building itself (the compiler is slow under emulation).
assembly=$repo/tests/SriovPS.Tests/bin/Release/net10.0/SriovPS.Tests.dll
dotnet build "$repo/tests/SriovPS.Tests" -c Release --nologo -v quiet >"$out/build.log" 2>&1 ||
    { cat "$out/build.log" >&2; exit 1; }
dotnet_path=$(readlink -f "$(command -v dotnet)")
dotnet_root=${DOTNET_ROOT:-${dotnet_path%/*}}
{
    printf 'LAB_MODE=%q\n' "$mode"
    printf 'LAB_REPO=%q\n' "$repo"
    printf 'LAB_ASSEMBLY=%q\n' "$assembly"
    printf 'LAB_FILTER=%q\n' "$filter"
    printf 'LAB_SCRIPT=%q\n' "$script"
    printf 'LAB_DOTNET=%q\n' "$dotnet_path"
    printf 'LAB_DOTNET_ROOT=%q\n' "$dotnet_root"
} >"$out/lab.env"

# Hardware virtualization only where a stock kernel can use it (kvm_intel/kvm_amd); otherwise TCG.
if [[ (-e /sys/module/kvm_intel || -e /sys/module/kvm_amd) && -w /dev/kvm ]]; then
    accel=(-accel kvm -machine q35,kernel-irqchip=split -cpu host)
else
    accel=(-accel tcg,thread=multi -machine q35 -cpu max)
fi
release=$(ls "$lab/k/lib/modules")
boot=$EPOCHREALTIME
# The limit only catches a guest that hangs: under TCG the Lab tests alone take about 8 minutes.
timeout -k 30 "${SRIOVPS_LAB_TIMEOUT:-1800}" qemu-system-x86_64 -nodefaults -no-user-config -no-reboot -display none \
    -serial "file:$out/console.log" "${accel[@]}" -m 3G -smp 2 \
    -device intel-iommu,intremap=on,caching-mode=on \
    -netdev hubport,id=port1,hubid=0 -netdev hubport,id=port2,hubid=0 \
    -device pcie-root-port,id=rp1,chassis=1,slot=1 -device igb,bus=rp1,netdev=port1,mac=52:54:00:12:34:01 \
    -device pcie-root-port,id=rp2,chassis=2,slot=2 -device igb,bus=rp2,netdev=port2,mac=52:54:00:12:34:02 \
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
    -virtfs "local,path=$out,mount_tag=labout,security_model=none" \
    -kernel "$lab/k/vmlinux" -initrd "$lab/initramfs.cpio.gz" \
    -append "console=ttyS0 intel_iommu=on iommu=pt panic=-1 quiet rdinit=/init sriovps.lab=$lab" \
    </dev/null >"$out/qemu.log" 2>&1
qemu_status=$?
guest_seconds=$(bc <<<"$EPOCHREALTIME - $boot")
printf 'lab: setup %.1f s, guest %.1f s (kernel %s)\n' "$setup_seconds" "$guest_seconds" "$release"

if [[ ! -f $out/rc ]]; then
    echo "lab: the guest did not finish (QEMU exit $qemu_status); last console lines:" >&2
    tail -n 30 "$out/console.log" >&2
    exit 1
fi
rc=$(cat "$out/rc")
if [[ $mode != tests ]]; then
    exit "$rc"
fi

trx=$out/lab.trx
if [[ ! -f $trx ]]; then
    echo "lab: no TRX was written; the tests did not run" >&2
    tail -n 30 "$out/guest.log" >&2
    exit 1
fi
counter() { grep -o "$1=\"[0-9]*\"" "$trx" | head -1 | grep -o '[0-9]*'; }
passed=$(counter passed) failed=$(counter failed) executed=$(counter executed)
total=$(counter total)
echo "lab: $passed passed, $failed failed, $((total - executed)) skipped"
if ((executed == 0 || passed == 0)); then
    echo "lab: no Lab test ran" >&2
    exit 1
fi
exit "$rc"
