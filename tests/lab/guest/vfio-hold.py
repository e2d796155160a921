#!/usr/bin/env python3
"""Holds a VF through vfio for the Lab tests, until stdin closes.

  vfio-hold.py group  GROUP ADDRESS   keeps /dev/vfio/GROUP open
  vfio-hold.py device GROUP ADDRESS   does what QEMU does (a container, VFIO_SET_IOMMU,
                                      VFIO_GROUP_GET_DEVICE_FD), then closes the group so that
                                      only the device descriptor names the VF

Prints "ready" once it holds the VF.
"""
import fcntl
import os
import struct
import sys

# include/uapi/linux/vfio.h: _IO(VFIO_TYPE ';', VFIO_BASE 100 + n)
VFIO_CHECK_EXTENSION = 0x3B65
VFIO_SET_IOMMU = 0x3B66
VFIO_GROUP_SET_CONTAINER = 0x3B68
VFIO_GROUP_GET_DEVICE_FD = 0x3B6A
VFIO_TYPE1_IOMMU = 1
VFIO_TYPE1v2_IOMMU = 3

mode, group, address = sys.argv[1:4]
group_fd = os.open(f"/dev/vfio/{group}", os.O_RDWR)
if mode == "device":
    container = os.open("/dev/vfio/vfio", os.O_RDWR)
    fcntl.ioctl(group_fd, VFIO_GROUP_SET_CONTAINER, struct.pack("i", container))
    v2 = fcntl.ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU)
    fcntl.ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU if v2 else VFIO_TYPE1_IOMMU)
    device = fcntl.ioctl(group_fd, VFIO_GROUP_GET_DEVICE_FD, bytearray(address.encode() + b"\0"), True)
    # The device descriptor holds the group; without the group descriptor only it names the VF.
    os.close(group_fd)
    print(f"vfio-hold: device descriptor {device} for {address}", file=sys.stderr)
print("ready", flush=True)
sys.stdin.read()
