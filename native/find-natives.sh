#!/usr/bin/env bash
# Finds libunicorn.so.2 (Unicorn 2.1.x) and libcapstone.so.5 (Capstone 5.x) for Popek and prints two lines:
#   POPEK_UNICORN=/abs/path/libunicorn.so.2
#   POPEK_CAPSTONE=/abs/path/libcapstone.so.5
# Order: $POPEK_UNICORN/$POPEK_CAPSTONE if set; a system copy of the right version (the Debian 13 packages);
# else the pinned Debian 13 .debs, fetched by native/debian-fetch.sh through this machine's own configured Debian
# archive (the 'trixie' suite, a private apt state), checked against native/versions, and extracted into a cache.
# Nothing on the system is changed. Debian 12's Unicorn 2.0.1 is never used: its paging is broken.
# Errors go to stderr as one line each; exit status 1 on failure.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${POPEK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/popek}
die() { echo "popek: $*" >&2; exit 1; }

read_pins() { grep -vE '^\s*(#|$)' "$here/versions"; }
pin() { read_pins | awk -v p="$1" -v f="$2" '$1 == p { print $f }'; }

uc_pkg=libunicorn2t64; cs_pkg=libcapstone5
uc_ver=$(pin $uc_pkg 2); cs_ver=$(pin $cs_pkg 2)
dest="$cache/native/unicorn-$uc_ver-capstone-$cs_ver"

emit() { echo "POPEK_UNICORN=$1"; echo "POPEK_CAPSTONE=$2"; exit 0; }

# 1. Explicit override (the Java side still refuses Unicorn < 2.1 when it loads it).
if [ -n "${POPEK_UNICORN:-}" ] && [ -n "${POPEK_CAPSTONE:-}" ]; then
  [ -f "$POPEK_UNICORN" ] || die "POPEK_UNICORN=$POPEK_UNICORN: no such file"
  [ -f "$POPEK_CAPSTONE" ] || die "POPEK_CAPSTONE=$POPEK_CAPSTONE: no such file"
  emit "$POPEK_UNICORN" "$POPEK_CAPSTONE"
fi

# 2. Already in the cache.
if [ -f "$dest/libunicorn.so.2" ] && [ -f "$dest/libcapstone.so.5" ]; then
  emit "$dest/libunicorn.so.2" "$dest/libcapstone.so.5"
fi

# 3. A system copy of the right version: the Debian 13 packages installed with dpkg.
sys_version() { dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null | awk '$3 == "installed" { print $4 }'; }
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
suv=$(sys_version $uc_pkg || true); scv=$(sys_version $cs_pkg || true)
if [[ "$suv" == 2.1.* ]] && [[ "$scv" == 5.* ]] \
   && [ -f "/usr/lib/$multiarch/libunicorn.so.2" ] && [ -f "/usr/lib/$multiarch/libcapstone.so.5" ]; then
  emit "/usr/lib/$multiarch/libunicorn.so.2" "/usr/lib/$multiarch/libcapstone.so.5"
fi

# 4. Fetch the pinned .debs (native/debian-fetch.sh: a private apt state, checked against the signed index and
#    native/versions), extract.
debs=$("$here/debian-fetch.sh" --suite trixie "$uc_pkg=$uc_ver@$(pin $uc_pkg 3)" "$cs_pkg=$cs_ver@$(pin $cs_pkg 3)") \
  || die "no Unicorn 2.1 found, and Debian 13's $uc_pkg $uc_ver could not be fetched (above); install it, or set POPEK_UNICORN and POPEK_CAPSTONE to the libraries' paths"
work=$(mktemp -d "${TMPDIR:-/tmp}/popek-natives.XXXXXX")
trap 'rm -rf "$work"' EXIT
while read -r deb; do dpkg-deb -x "$deb" "$work/root"; done <<<"$debs"
mkdir -p "$dest.tmp.$$"
cp -L "$work/root/usr/lib/$multiarch/libunicorn.so.2" "$work/root/usr/lib/$multiarch/libcapstone.so.5" "$dest.tmp.$$/"
rm -rf "$dest"; mv "$dest.tmp.$$" "$dest"
emit "$dest/libunicorn.so.2" "$dest/libcapstone.so.5"
