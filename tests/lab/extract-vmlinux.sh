#!/usr/bin/env bash
# Writes the ELF vmlinux inside a bzImage (zstd for 6.x backports kernels, xz for older) to $2, so
# QEMU can boot it directly without a bootloader.
set -uo pipefail
image=$1 output=$2
for signature in '\x28\xb5\x2f\xfd:zstd -dc' '\xfd7zXZ\x00:xz -dc'; do
    pattern=${signature%%:*}
    decompress=${signature#*:}
    for offset in $(LC_ALL=C grep -aboP "$pattern" "$image" | cut -d: -f1); do
        tail -c+$((offset + 1)) "$image" | $decompress >"$output" 2>/dev/null
        if [[ $(head -c4 "$output" | od -An -c | tr -d ' ') == '177ELF' ]]; then
            exit 0
        fi
    done
done
echo "no ELF kernel found in $image" >&2
exit 1
