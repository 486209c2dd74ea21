#!/bin/sh
# How boot-disk leaves the test disk (run by run-qemu.sh on a copy of the disk as booted, $1): sector 41 rewritten
# with the 256 little-endian words 0xB000 + i (bytes i, 0xB0 = 176), nothing else touched. DiskBootTest checks
# Popek's copy the same way.
LC_ALL=C awk 'BEGIN { for (i = 0; i < 256; i++) printf "%c%c", i, 176 }' \
  | dd of="$1" bs=512 seek=41 count=1 conv=notrunc status=none
