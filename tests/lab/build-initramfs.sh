#!/usr/bin/env bash
# A tiny initramfs: static busybox, the five modules that mount the host root over 9p with a tmpfs
# overlay (netfs 9pnet 9pnet_virtio 9p overlay), and tests/lab/init as /init.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lab=${SRIOVPS_LAB_DIR:-/var/tmp/sriovps-lab}
kernel_dir=$lab/k
release=$(ls "$kernel_dir/lib/modules")
root=$lab/initramfs-src
rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,lower,ovl,newroot,lib/mod}
cp /bin/busybox "$root/bin/busybox"
for module in netfs 9pnet 9pnet_virtio 9p overlay; do
    file=$(modprobe -d "$kernel_dir" -S "$release" --show-depends "$module" | awk '/^insmod/ {f = $2} END {print f}')
    # A module built into this kernel needs no file; init's insmod of it then just fails harmlessly.
    [[ -n $file ]] || continue
    case $file in
        *.xz) xz -dc "$file" >"$root/lib/mod/$module.ko" ;;
        *.zst) zstd -qdc "$file" >"$root/lib/mod/$module.ko" ;;
        *) cp "$file" "$root/lib/mod/$module.ko" ;;
    esac
done
install -m 755 "$here/init" "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$lab/initramfs.cpio.gz"
