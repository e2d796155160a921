#!/bin/bash
# Stage 2 of the lab guest: runs on this machine's own root (read-only 9p under a tmpfs overlay).
# Loads the SR-IOV drivers (no udev here), then runs what /lab-out/lab.env asks for: the xunit Lab
# tests from the test assembly built on the host and the Pester Lab tests in the pinned pwsh, or a
# capture of this guest's sysfs. Writes the exit code to /lab-out/rc and powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb LANG=C.UTF-8
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 DOTNET_CLI_HOME=/root
export SRIOVPS_LAB=1
# Under emulation (TCG) dotnet starts more slowly: give vstest time to reach its testhost. Without
# dynamic PGO the JIT does not instrument methods first, which saves seconds per process here.
export VSTEST_CONNECTION_TIMEOUT=300 DOTNET_TieredPGO=0
mount -t tmpfs tmpfs /run
# /tmp stays the host's (under the writable overlay): a checkout may live there.
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs shm /dev/shm
hostname sriovps-lab
# vstest talks to its testhost over 127.0.0.1; nothing else brings loopback up here.
ip link set lo up
echo "lab: stage 2 at $(cut -d' ' -f1 /proc/uptime) s"
# shellcheck source=/dev/null
. /lab-out/lab.env
# The host's dotnet, wherever it is installed.
export PATH="${LAB_DOTNET%/*}:$PATH" DOTNET_ROOT="$LAB_DOTNET_ROOT" NUGET_PACKAGES="$LAB_NUGET_PACKAGES"
modprobe -a igb igbvf vfio-pci
rc=0
case ${LAB_MODE:-tests} in
    tests)
        if [[ ${LAB_XUNIT:-1} == 1 ]]; then
            echo "lab: xunit at $(cut -d' ' -f1 /proc/uptime) s"
            dotnet "$LAB_VSTEST" "$LAB_ASSEMBLY" "--TestCaseFilter:$LAB_FILTER" "--logger:trx;LogFileName=lab.trx" \
                "--logger:console;verbosity=normal" --ResultsDirectory:/lab-out 2>&1 | tee /lab-out/guest.log
            rc=${PIPESTATUS[0]}
        fi
        if [[ ${LAB_PESTER:-1} == 1 ]]; then
            echo "lab: Pester at $(cut -d' ' -f1 /proc/uptime) s"
            cd "$LAB_REPO"
            mapfile -t paths <<<"$LAB_PESTER_PATHS"
            quoted=$(printf ",'%s'" "${paths[@]//\'/\'\'}")
            # The pinned pwsh of the repository's tool manifest, as run.sh found it in the NuGet cache.
            dotnet "$LAB_PWSH" -NoLogo -NoProfile -NonInteractive -Command \
                "& ./tests/Pester/Invoke-PesterSuite.ps1 -Tag Lab -Path ${quoted#,} -ResultPath /lab-out/pester-lab.xml -Output Detailed; exit \$LASTEXITCODE" \
                2>&1 | tee /lab-out/pester.log
            ((PIPESTATUS[0] == 0)) || rc=1
        fi
        ;;
    script)
        bash "$LAB_SCRIPT" 2>&1 | tee /lab-out/guest.log
        rc=${PIPESTATUS[0]}
        ;;
    capture)
        bash "$LAB_REPO/tests/lab/guest/capture.sh" 2>&1 | tee /lab-out/guest.log
        rc=${PIPESTATUS[0]}
        ;;
esac
echo "$rc" >/lab-out/rc
echo "lab: done rc=$rc at $(cut -d' ' -f1 /proc/uptime) s"
sync
echo o >/proc/sysrq-trigger
sleep 10
