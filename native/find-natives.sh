#!/usr/bin/env bash
# Finds libunicorn.so.2 (Unicorn 2.1.x) and libcapstone.so.5 (Capstone 5.x) for Popek and prints two lines:
#   POPEK_UNICORN=/abs/path/libunicorn.so.2
#   POPEK_CAPSTONE=/abs/path/libcapstone.so.5
# Order: $POPEK_UNICORN/$POPEK_CAPSTONE if set; a system copy of the right version (the Debian 13 packages);
# else the pinned Debian 13 .debs, fetched with apt-get download through this machine's own configured Debian
# archive into a private apt state (the 'trixie' suite), checked against native/versions, and extracted into a
# cache. Nothing on the system is changed. Debian 12's Unicorn 2.0.1 is never used: its paging is broken.
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

# 4. Fetch the pinned .debs with a private apt state (no system change), verify, extract.
command -v apt-get >/dev/null || die "no Unicorn 2.1 found and no apt-get to fetch Debian 13's libunicorn2t64 $uc_ver; install it, or set POPEK_UNICORN and POPEK_CAPSTONE to the libraries' paths"
work=$(mktemp -d "${TMPDIR:-/tmp}/popek-natives.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{state/lists/partial,cache/archives/partial,debs,root}
# The machine's own configured Debian archive (deb822 .sources or one-line sources.list), not a hard-coded host.
uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ { print $2; exit }')
[ -n "$uri" ] || uri=$(grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
                       | grep -v security | awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' | head -n 1)
[ -n "$uri" ] || die "no Debian archive is configured in /etc/apt to fetch libunicorn2t64 from; set POPEK_UNICORN and POPEK_CAPSTONE instead"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || die "no $keyring to verify Debian's archive; install debian-archive-keyring"
echo "deb [signed-by=$keyring] $uri trixie main" > "$work/sources.list"
aptopts=(-o Dir::State="$work/state" -o Dir::Cache="$work/cache" -o Dir::Etc::SourceList="$work/sources.list"
         -o Dir::Etc::SourceParts=/dev/null -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
         -o Debug::NoLocking=1 -o APT::Sandbox::User=root -q)
echo "popek: fetching Debian 13's $uc_pkg $uc_ver and $cs_pkg $cs_ver into $dest (once)" >&2
apt-get "${aptopts[@]}" update >"$work/apt.log" 2>&1 || die "apt-get update of the trixie suite failed (see: $(tail -n 1 "$work/apt.log"))"
(cd "$work/debs" && apt-get "${aptopts[@]}" download "$uc_pkg=$uc_ver" "$cs_pkg=$cs_ver") >>"$work/apt.log" 2>&1 \
  || die "apt-get download $uc_pkg=$uc_ver $cs_pkg=$cs_ver failed (see: $(tail -n 1 "$work/apt.log"))"
for p in $uc_pkg $cs_pkg; do
  deb=$(ls "$work/debs/${p}_"*.deb)
  want=$(pin $p 3); got=$(sha256sum "$deb" | awk '{ print $1 }')
  [ "$want" = "$got" ] || die "$(basename "$deb"): checksum $got does not match native/versions ($want)"
  dpkg-deb -x "$deb" "$work/root"
done
mkdir -p "$dest.tmp.$$"
cp -L "$work/root/usr/lib/$multiarch/libunicorn.so.2" "$work/root/usr/lib/$multiarch/libcapstone.so.5" "$dest.tmp.$$/"
rm -rf "$dest"; mv "$dest.tmp.$$" "$dest"
emit "$dest/libunicorn.so.2" "$dest/libcapstone.so.5"
