#!/bin/bash
# Runs libvirtd (its real network and QEMU drivers) with its configuration, state and sockets in DIR,
# bound over /etc/libvirt, /var/lib/libvirt, /var/cache/libvirt and /run/libvirt in a private mount
# namespace, so the machine's own libvirt is never touched. Reached as
# qemu+unix:///system?socket=DIR/run/libvirt-sock; the daemon logs to DIR/libvirtd.log.
#   unshare --mount bash tests/tools/private-libvirtd.sh DIR
set -e
dir=$1
exec >"$dir/libvirtd.log" 2>&1
mount --make-rprivate /
for d in etc lib cache run; do mkdir -p "$dir/$d"; done
mkdir -p /run/libvirt /var/lib/libvirt /var/cache/libvirt
# Guests log to files, so no virtlogd is needed.
printf 'stdio_handler = "file"\n' >"$dir/etc/qemu.conf"
mount --bind "$dir/etc" /etc/libvirt
mount --bind "$dir/lib" /var/lib/libvirt
mount --bind "$dir/cache" /var/cache/libvirt
mount --bind "$dir/run" /run/libvirt
# Its own pid file, so a libvirtd the machine runs does not stop it.
exec /usr/sbin/libvirtd --pid-file "$dir/libvirtd.pid"
