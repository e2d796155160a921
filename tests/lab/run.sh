#!/usr/bin/env bash
# Runs the Lab tests inside the SR-IOV lab guest: a q35 QEMU guest with an IOMMU and three emulated
# Intel 82576 (igb) NICs with real SR-IOV (the third behind a root port without ACS, so its VFs share
# one IOMMU group), booting this machine's own root filesystem, so what is built here runs against a
# real kernel: the xunit Lab tests, then the Pester Lab tests in the pinned pwsh, in one boot.
#
#   tests/lab/run.sh                         every Lab test, xunit and Pester
#   tests/lab/run.sh 'FullyQualifiedName~IgbDiscovery'   xunit only, a filter of your own (Category=Lab is added)
#   tests/lab/run.sh --pester [NAME...]      Pester only: tests/Pester/Lab/NAME.Lab.Tests.ps1, or all of them
#   tests/lab/run.sh --capture               write tests/lab/out/lab-igb.hosttree from the guest's sysfs
#   tests/lab/run.sh --script FILE           run a bash script of your own in the guest (for diagnosis)
#
# Writes tests/lab/out/lab.trx (VSTest TRX), pester-lab.xml (NUnit 3), console.log, guest.log and
# pester.log, and pester-offline.xml: the guest's host snapshot read back here, outside the guest; exits non-zero when any Lab test failed or a suite asked for ran none; 3 when the lab
# cannot run here ("LAB UNAVAILABLE: <reason>"). SRIOVPS_LAB_PREBUILT=1 skips the build (build.sh Test
# has just built everything).
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
xunit=1 pester=1
pester_paths=$repo/tests/Pester/Lab
case ${1:-} in
    --capture) mode=capture ;;
    --script) mode=script script=$(realpath "$2") || exit 2 ;;
    --pester)
        xunit=0
        shift
        if (($# > 0)); then
            pester_paths=
            for name in "$@"; do
                file=$repo/tests/Pester/Lab/$name.Lab.Tests.ps1
                [[ -f $file ]] || { echo "lab: no $file" >&2; exit 2; }
                pester_paths+=${pester_paths:+$'\n'}$file
            done
        fi
        ;;
    "") ;;
    *) filter="Category=Lab&($1)" pester=0 ;;
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

# The guest runs what is built here, never building itself (the compiler is slow under emulation):
# the test assembly, the module laid out in out/SriovPS, the pinned pwsh and Pester.
assembly=$repo/tests/SriovPS.Tests/bin/Release/net10.0/SriovPS.Tests.dll
if [[ ${SRIOVPS_LAB_PREBUILT:-0} != 1 ]]; then
    (cd "$repo" && dotnet tool restore && dotnet build SriovPS.sln -c Release --nologo -v quiet) >"$out/build.log" 2>&1 ||
        { cat "$out/build.log" >&2; exit 1; }
fi
dotnet_path=$(readlink -f "$(command -v dotnet)")
dotnet_root=${DOTNET_ROOT:-${dotnet_path%/*}}
# Resolved here: asking dotnet in the guest costs seconds under emulation. The guest starts the SDK's
# vstest and the pinned pwsh (.config/dotnet-tools.json, from the NuGet cache) itself: through
# `dotnet test` and `dotnet pwsh` the dotnet CLI would first spend about 8 s on each.
vstest=$dotnet_root/sdk/$(cd "$repo" && dotnet --version)/vstest.console.dll
[[ -f $vstest ]] || { echo "lab: no vstest.console.dll in the SDK ($vstest)" >&2; exit 1; }
nuget_packages=${NUGET_PACKAGES:-$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: *//p')}
nuget_packages=${nuget_packages%/}
pwsh_version=$(sed -n 's/^ *"version": *"\([0-9.]*\)".*/\1/p' "$repo/.config/dotnet-tools.json" | head -1)
pwsh_dll=$(compgen -G "$nuget_packages/powershell/$pwsh_version/tools/*/any/unix/pwsh.dll" | head -1)
if ((pester)) && [[ $mode == tests && ! -f $pwsh_dll ]]; then
    echo "lab: the pinned pwsh $pwsh_version is not in $nuget_packages: run 'dotnet tool restore'" >&2
    exit 1
fi
{
    printf 'LAB_MODE=%q\n' "$mode"
    printf 'LAB_REPO=%q\n' "$repo"
    printf 'LAB_ASSEMBLY=%q\n' "$assembly"
    printf 'LAB_FILTER=%q\n' "$filter"
    printf 'LAB_SCRIPT=%q\n' "$script"
    printf 'LAB_DOTNET=%q\n' "$dotnet_path"
    printf 'LAB_DOTNET_ROOT=%q\n' "$dotnet_root"
    printf 'LAB_NUGET_PACKAGES=%q\n' "$nuget_packages"
    printf 'LAB_PWSH=%q\n' "$pwsh_dll"
    printf 'LAB_VSTEST=%q\n' "$vstest"
    printf 'LAB_XUNIT=%q\n' "$xunit"
    printf 'LAB_PESTER=%q\n' "$pester"
    printf 'LAB_PESTER_PATHS=%q\n' "$pester_paths"
} >"$out/lab.env"

# Hardware virtualization only where a stock kernel can use it (kvm_intel/kvm_amd); otherwise TCG.
if [[ (-e /sys/module/kvm_intel || -e /sys/module/kvm_amd) && -w /dev/kvm ]]; then
    accel=(-accel kvm -machine q35,kernel-irqchip=split -cpu host)
else
    accel=(-accel tcg,thread=multi -machine q35 -cpu max)
fi
release=$(ls "$lab/k/lib/modules")
boot=$EPOCHREALTIME
# The limit only catches a guest that hangs: under TCG the xunit and Pester Lab tests take about 9 minutes.
timeout -k 30 "${SRIOVPS_LAB_TIMEOUT:-1800}" qemu-system-x86_64 -nodefaults -no-user-config -no-reboot -display none \
    -serial "file:$out/console.log" "${accel[@]}" -m 3G -smp 2 \
    -device intel-iommu,intremap=on,caching-mode=on \
    -netdev hubport,id=port1,hubid=0 -netdev hubport,id=port2,hubid=0 \
    -device pcie-root-port,id=rp1,chassis=1,slot=1 -device igb,bus=rp1,netdev=port1,mac=52:54:00:12:34:01 \
    -device pcie-root-port,id=rp2,chassis=2,slot=2 -device igb,bus=rp2,netdev=port2,mac=52:54:00:12:34:02 \
    -netdev hubport,id=port3,hubid=0 \
    -device pcie-root-port,id=rp3,chassis=3,slot=3,disable-acs=on -device igb,bus=rp3,netdev=port3,mac=52:54:00:12:34:03 \
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

status=0
if ((xunit)); then
    trx=$out/lab.trx
    counter() { grep -o "$1=\"[0-9]*\"" "$trx" | head -1 | grep -o '[0-9]*'; }
    if [[ ! -f $trx ]]; then
        echo "lab: no TRX was written; the xunit tests did not run" >&2
        tail -n 30 "$out/guest.log" >&2
        status=1
    else
        passed=$(counter passed) failed=$(counter failed) executed=$(counter executed) total=$(counter total)
        echo "lab: xunit $passed passed, $failed failed, $((total - executed)) skipped"
        ((executed > 0 && passed > 0)) || { echo "lab: no xunit Lab test ran" >&2; status=1; }
        ((failed == 0)) || status=1
    fi
fi
if ((pester)); then
    xml=$out/pester-lab.xml
    if [[ ! -f $xml ]]; then
        echo "lab: no NUnit XML was written; the Pester tests did not run" >&2
        tail -n 30 "$out/pester.log" >&2
        status=1
    else
        # The attributes of <test-run>, the first element with a total.
        attribute() { grep -o "<test-run [^>]*" "$xml" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
        passed=$(attribute passed) failed=$(attribute failed) skipped=$(attribute skipped)
        echo "lab: pester $passed passed, $failed failed, $skipped skipped"
        ((passed > 0)) || { echo "lab: no Pester Lab test ran" >&2; status=1; }
        ((failed == 0)) || status=1
    fi
fi
# The snapshot the guest took (Snapshot.Lab.Tests.ps1), read here, outside the guest, by the pinned pwsh.
if ((pester)) && [[ -f $out/snapshot/lab.tar.gz ]]; then
    offline=$out/pester-offline.xml
    (cd "$repo" && dotnet "$pwsh_dll" -NoLogo -NoProfile -NonInteractive -Command \
        "& ./tests/Pester/Invoke-PesterSuite.ps1 -Tag LabOffline -Path ./tests/Pester/Lab/Snapshot.Offline.Tests.ps1 -ResultPath '$offline' -Output Detailed; exit \$LASTEXITCODE") \
        >"$out/pester-offline.log" 2>&1 || status=1
    if [[ -f $offline ]]; then
        passed=$(grep -o '<test-run [^>]*' "$offline" | grep -o ' passed="[0-9]*"' | grep -o '[0-9]*')
        failed=$(grep -o '<test-run [^>]*' "$offline" | grep -o ' failed="[0-9]*"' | grep -o '[0-9]*')
        echo "lab: snapshot read outside the guest: pester $passed passed, $failed failed ($(stat -c %s "$out/snapshot/lab.tar.gz") bytes)"
        ((passed > 0 && failed == 0)) || status=1
    else
        echo "lab: the snapshot was not read outside the guest; see $out/pester-offline.log" >&2
        tail -n 30 "$out/pester-offline.log" >&2
        status=1
    fi
fi
# The guest's own code covers what the results cannot show (a suite that crashed outside any test).
((rc == 0)) || status=1
exit "$status"
