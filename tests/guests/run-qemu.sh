#!/bin/sh
# Runs every guest listed in guests.txt, disk-guests.txt, boot-guests.txt and linux-guests.txt under QEMU (the
# ground truth) and checks its serial output against expected/<name>.txt and its exit status. Each guest of
# disk-guests.txt gets a fresh copy of the test disk on the primary ATA master; each of boot-guests.txt is booted
# by SeaBIOS from its disk image (alone, or over the start of the test disk, which must then end as
# expected/<name>.disk.sh makes a copy of it as booted, where there is one); each of linux-guests.txt is a bzImage
# given to -kernel. Usage:
#   tests/guests/run-qemu.sh [OUT [TESTOUT]] [-- name...]     (defaults: target/guest-images, target/test-guests)
#   RECORD=1 tests/guests/run-qemu.sh ...   prints each transcript instead of checking it
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
OUT=$root/target/guest-images
TESTOUT=$root/target/test-guests
if [ $# -gt 0 ] && [ "$1" != "--" ]; then OUT=$1; shift; fi
if [ $# -gt 0 ] && [ "$1" != "--" ]; then TESTOUT=$1; shift; fi
[ $# -gt 0 ] && [ "$1" = "--" ] && shift
QEMU=${QEMU:-qemu-system-i386}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

# match EXPECTED ACTUAL: untagged lines in order; lines tagged "[X] " in order per tag, each after
# the same number of untagged lines as in EXPECTED; expected lines "~ RE" are whole-line EREs.
match() {
    awk '
    function key(line,   t) { return (line ~ /^\[[A-Za-z0-9]+\] /) ? substr(line, 1, index(line, "]")) : "" }
    FNR == 1 { f++ }
    {
        k = key($0); n = ++cnt[f, k]; pos = (k == "") ? n : cnt[f, ""] + 0
        line[f, k, n] = $0; where[f, k, n] = pos; tags[k] = 1
    }
    END {
        bad = 0
        for (k in tags) {
            m = cnt[1, k] > cnt[2, k] ? cnt[1, k] : cnt[2, k]
            for (i = 1; i <= m; i++) {
                e = line[1, k, i]; a = line[2, k, i]
                ok = (e ~ /^~ /) ? (a ~ ("^" substr(e, 3) "$")) : (a == e)
                if (!((1, k, i) in line) || !((2, k, i) in line)) ok = 0
                if (!ok) { printf "    expected: %s\n    actual:   %s\n", e, a; bad = 1; break }
                if (k != "" && where[1, k, i] != where[2, k, i]) {
                    printf "    out of place (after %d untagged lines, expected %d): %s\n", where[2, k, i], where[1, k, i], a
                    bad = 1; break
                }
            }
        }
        exit bad
    }' "$1" "$2"
}

# The test disk: 64 sectors, byte o of sector s is (s * 7 + o) & 0xff.
make_disk() {
    LC_ALL=C awk 'BEGIN { for (s = 0; s < 64; s++) for (o = 0; o < 512; o++) printf "%c", (s * 7 + o) % 256 }'
}

# run [QEMU ARGS...]: boots with $stdin and these arguments; the transcript to $tmp/out, the status in $rc
run() {
    timeout 30 "$QEMU" -M pc -m 64 -serial stdio -display none \
        -monitor none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 "$@" <"$stdin" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}

# Each line as "KIND NAME IMAGE STATUS INPUT REST": KIND "-" (Multiboot, no disk), "disk" (Multiboot and the test
# disk), "boot" (a boot disk; REST is image or pattern), "linux" (a bzImage; INPUT is QEMU's -cpu, REST the cmdline).
{
    grep -v '^#' "$here/guests.txt" | sed 's/^/- /'
    grep -v '^#' "$here/disk-guests.txt" | sed 's/^/disk /'
    grep -v '^#' "$here/boot-guests.txt" | awk 'NF { print "boot", $1, $2, $3, "-", $4 }'
    grep -v '^#' "$here/linux-guests.txt" | awk 'NF { c = $5; for (i = 6; i <= NF; i++) c = c " " $i; print "linux", $1, $2, $3, $4, c }'
} | while read -r disk name image status input cmdline; do
    [ -n "$name" ] || continue
    if [ $# -gt 0 ]; then
        case " $* " in *" $name "*) ;; *) continue ;; esac
    fi
    kernel=$(echo "$image" | sed "s|^OUT/|$OUT/|; s|^TESTOUT/|$TESTOUT/|")
    stdin=/dev/null
    booted=
    [ "$disk" = "-" ] || [ "$disk" = disk ] && [ "$input" != "-" ] && stdin=$here/input/$input
    case "$disk" in
    boot)
        if [ "$cmdline" = pattern ]; then
            make_disk >"$tmp/disk.img"
            dd if="$kernel" of="$tmp/disk.img" conv=notrunc status=none
            if [ -f "$here/expected/$name.disk.sh" ]; then cp "$tmp/disk.img" "$tmp/disk.before"; booted=$kernel; fi
        else
            cp "$kernel" "$tmp/disk.img"
        fi
        run -drive "file=$tmp/disk.img,format=raw,if=ide,index=0" ;;
    linux)
        [ "$cmdline" = "-" ] && cmdline=
        if [ "$input" = "-" ]; then run -kernel "$kernel" -append "$cmdline"
        else run -kernel "$kernel" -append "$cmdline" -cpu "$input"; fi ;;
    *)
        [ "$cmdline" = "-" ] && cmdline=
        if [ "$disk" = disk ]; then
            make_disk >"$tmp/disk.img"
            run -kernel "$kernel" -append "$cmdline" -drive "file=$tmp/disk.img,format=raw,if=ide,index=0"
        else
            run -kernel "$kernel" -append "$cmdline"
        fi ;;
    esac
    if [ "${RECORD:-0}" = 1 ]; then
        echo "=== $name (status $rc)"; cat "$tmp/out"; continue
    fi
    disk_ok=1
    if [ -n "$booted" ]; then
        # expected/<name>.disk.sh turns the disk as it was booted into the disk as QEMU must leave it.
        (cd "$tmp" && sh "$here/expected/$name.disk.sh" disk.before)
        cmp -s "$tmp/disk.before" "$tmp/disk.img" || disk_ok=
    fi
    if [ "$rc" != "$status" ]; then
        echo "FAIL $name: status $rc, expected $status"; cat "$tmp/out" "$tmp/err"; failed=1
    elif [ -z "$disk_ok" ]; then
        echo "FAIL $name: the disk differs from what expected/$name.disk.sh makes"; failed=1
    elif ! match "$here/expected/$name.txt" "$tmp/out" >"$tmp/diff"; then
        echo "FAIL $name: output differs"; cat "$tmp/diff"; failed=1
    else
        echo "ok   $name (status $rc)"
    fi
    echo $failed >"$tmp/failed"
done
[ "$(cat "$tmp/failed" 2>/dev/null || echo 0)" = 0 ]
