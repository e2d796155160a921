#!/usr/bin/env bash
# Restores the pinned tools (PowerShell 7.6.10, .config/dotnet-tools.json) and hands over to build.ps1.
#   ./build.sh Run     build, then show this host's PFs, VFs and readiness (the sample host where none)
#   ./build.sh Test    build, then every test: xunit, Pester, and the SR-IOV lab where it can run
#   ./build.sh Package build, then out/SriovPS.<version>.nupkg for Install-PSResource
# Needs only the .NET 10 SDK; the tasks install the Debian packages they use (as root).
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE=1
if ! command -v dotnet >/dev/null; then
    echo "build: the .NET 10 SDK (dotnet) is not installed" >&2
    exit 1
fi
dotnet tool restore >/dev/null
exec dotnet pwsh -NoLogo -NoProfile -NonInteractive -File ./build.ps1 "$@"
