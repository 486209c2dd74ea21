#!/usr/bin/env bash
# Fetches Debian packages (.deb files), pinned and checked, through this machine's own configured Debian archive.
# The one helper for every part of Popek that needs a Debian package: native/find-natives.sh (Unicorn, Capstone),
# the tests' Linux kernel (tests/popek/testing/DebianKernel.java), and container images at run time
# (popek.debian.DebianPackages is its Java caller).
#
#   debian-fetch.sh --suite SUITE [--arch ARCH] [--component COMP] [--out DIR] SPEC...
#   debian-fetch.sh --suite SUITE [--arch ARCH] [--component COMP] --show PKG[=VERSION]...
#
#   SPEC  PKG=VERSION@SHA256  pinned: the .deb must match the archive's signed index (size, SHA-256) and SHA256
#         PKG=VERSION         checked against the archive's signed index only
#         PKG                 the newest version the index has, checked against the index only
#   --suite      a Debian suite (codename): bookworm, trixie, ...              (required)
#   --arch       a Debian architecture: i386, amd64, ...                        (default: dpkg --print-architecture)
#   --component  the archive's component                                        (default: main)
#   --out DIR    also copy the .debs into DIR and print those paths instead of the cache's
#   --show       print each package's record from the signed index (apt-cache show; the newest version if none is
#                given), records separated by a blank line; nothing is downloaded
#
# Output: on success, one absolute path per SPEC on stdout, in the order given (the same line for the same
# package twice). The .debs are kept in the cache, $POPEK_CACHE/debs (else $XDG_CACHE_HOME/popek/debs, else
# ~/.cache/popek/debs), named as apt names them (PKG_VERSION_ARCH.deb, an epoch's ':' as %3a). A pinned or versioned
# package already in the cache and whole (its SHA-256 is the pin, or the one recorded beside it when it was checked
# against the index) is used without any network access; otherwise the suite's index is fetched (apt-get update,
# kept per suite and architecture in $cache/apt/SUITE_ARCH) and the packages with apt-get download.
#
# The archive is the first Debian one configured in /etc/apt (deb822 .sources or one-line .list; security
# suites skipped; entries signed by the Debian archive keyring or whose URI ends in /debian first), tried in turn
# until one gives the suite's index, or $POPEK_DEBIAN_URI if set. apt runs with a private state, cache and sources
# list (Dir::State, Dir::Cache, Dir::Etc::SourceList): the system's apt state is never read or changed. The index's
# signature is checked with /usr/share/keyrings/debian-archive-keyring.{gpg,pgp}. Concurrent runs are serialised
# with flock on $cache/debs/.lock.
#
# Errors: one line each on stderr ("popek: ..."); exit status
#   1  a check failed (size or SHA-256 against the index or the pin), or something else went wrong
#   2  usage error
#   3  a package, or that version of it, is not in the suite's index (nothing downloaded)
#   4  cannot fetch on this machine: no apt-get, dpkg-deb, flock or keyring, no Debian archive configured, the
#      archive unreachable (callers that can do without the package, like tests, skip with this line as the reason)
set -euo pipefail
die() { local code=$1; shift; echo "popek: $*" >&2; exit "$code"; }

suite="" arch="" component=main out="" show=0 specs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --suite) suite=${2:?}; shift 2 ;;
    --arch) arch=${2:?}; shift 2 ;;
    --component) component=${2:?}; shift 2 ;;
    --out) out=${2:?}; shift 2 ;;
    --show) show=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
    -*) die 2 "debian-fetch.sh: unknown option $1 (see --help)" ;;
    *) specs+=("$1"); shift ;;
  esac
done
[ -n "$suite" ] || die 2 "debian-fetch.sh: --suite is required (see --help)"
[ ${#specs[@]} -gt 0 ] || die 2 "debian-fetch.sh: no package given (see --help)"
[[ "$suite$component" =~ ^[a-z0-9.+_-]+$ ]] || die 2 "debian-fetch.sh: bad suite or component '$suite' '$component'"
for s in "${specs[@]}"; do
  [[ "$s" =~ ^[a-z0-9][a-z0-9.+-]*(=[A-Za-z0-9.+~:-]+(@[0-9a-f]{64})?)?$ ]] \
    || die 2 "debian-fetch.sh: bad package '$s' (PKG, PKG=VERSION or PKG=VERSION@SHA256 with a lower-case hex SHA-256)"
  [ $show = 0 ] || [[ "$s" != *@* ]] || die 2 "debian-fetch.sh: --show takes PKG or PKG=VERSION, not a pin: '$s'"
done
if [ -z "$arch" ]; then
  command -v dpkg >/dev/null || die 4 "no dpkg to tell this machine's architecture; give --arch"
  arch=$(dpkg --print-architecture)
fi
[[ "$arch" =~ ^[a-z0-9-]+$ ]] || die 2 "debian-fetch.sh: bad architecture '$arch'"

cache=${POPEK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/popek}
debs="$cache/debs"
sha256() { sha256sum "$1" | awk '{ print $1 }'; }

# The cached .deb of PKG=VERSION, if it is whole: its SHA-256 equals the pin, else the one recorded beside it.
cached() {  # pkg version pin
  local f esc=${2//:/%3a}
  for f in "$debs/${1}_${esc}_${arch}.deb" "$debs/${1}_${esc}_all.deb"; do
    [ -f "$f" ] || continue
    local want=$3
    [ -n "$want" ] || want=$(cat "$f.sha256" 2>/dev/null || true)
    [ -n "$want" ] && [ "$(sha256 "$f")" = "$want" ] && { echo "$f"; return 0; }
  done
  return 1
}

# Prints the results (copied into --out if given), in the order of the specs.
emit() {
  local p
  [ -z "$out" ] || mkdir -p "$out"
  for p in "$@"; do
    if [ -n "$out" ]; then
      cp -f "$p" "$out/" && p="$(cd "$out" && pwd)/$(basename "$p")"
    fi
    echo "$p"
  done
  exit 0
}

# 1. Everything already in the cache: no network, no lock.
if [ $show = 0 ]; then
  hits=()
  for s in "${specs[@]}"; do
    [[ "$s" == *=* ]] || break
    nv=${s%@*}; pin=""; [[ "$s" == *@* ]] && pin=${s#*@}
    f=$(cached "${nv%%=*}" "${nv#*=}" "$pin") || break
    hits+=("$f")
  done
  [ ${#hits[@]} -lt ${#specs[@]} ] || emit "${hits[@]}"
fi

# 2. Fetch: the tools, the keyring, the configured archive.
for t in apt-get apt-cache dpkg-deb flock sha256sum; do
  command -v $t >/dev/null || die 4 "cannot fetch Debian packages: no $t on this machine"
done
keyring=""
for k in /usr/share/keyrings/debian-archive-keyring.gpg /usr/share/keyrings/debian-archive-keyring.pgp; do
  [ -f "$k" ] && { keyring=$k; break; }
done
[ -n "$keyring" ] || die 4 "cannot fetch Debian packages: no /usr/share/keyrings/debian-archive-keyring.gpg to check the archive with (install debian-archive-keyring)"

# The URIs of the machine's configured apt sources, Debian's first (signed by its keyring, or a path ending in
# /debian), then the rest; security suites and deb-src entries left out.
configured_uris() {
  if [ -n "${POPEK_DEBIAN_URI:-}" ]; then echo "$POPEK_DEBIAN_URI"; return; fi
  {
    for f in /etc/apt/sources.list.d/*.sources; do
      [ -f "$f" ] || continue
      awk 'function flush() { if (types ~ /(^| )deb( |$)/ && suites !~ /-security/ && uris != "" && enabled !~ /^[Nn]o/) {
                                n = split(uris, u, " "); for (i = 1; i <= n; i++) print (keys ~ /debian-archive-keyring/ ? 0 : 1), u[i] }
                              types = suites = uris = keys = enabled = "" }
           /^[ \t]*#/ { next }
           /^[ \t]*$/ { flush(); next }
           { key = tolower($1); $1 = ""; sub(/^ +/, "") }
           key == "types:" { types = $0 } key == "suites:" { suites = $0 } key == "uris:" { uris = $0 }
           key == "signed-by:" { keys = $0 } key == "enabled:" { enabled = $0 }
           END { flush() }' "$f"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [ -f "$f" ] || continue
      awk '$1 != "deb" { next }
           { opts = ""; i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) { opts = opts " " $i; i++ } opts = opts " " $i; i++ } }
           $(i + 1) ~ /-security/ { next }
           { print (opts ~ /debian-archive-keyring/ ? 0 : 1), $i }' "$f"
    done
  } | awk '{ p = $1; if (p == 1 && $2 ~ /\/debian\/?$/) p = 0; print NR, p, $2 }' | sort -k2,2n -k1,1n | awk '!seen[$3]++ { print $3 }'
}
mapfile -t uris < <(configured_uris)
[ ${#uris[@]} -gt 0 ] || die 4 "cannot fetch Debian packages: no Debian archive is configured in /etc/apt (or set POPEK_DEBIAN_URI)"

mkdir -p "$debs"
exec 9>"$debs/.lock"
flock -w 1800 9 || die 1 "another debian-fetch.sh held $debs/.lock for 30 minutes"

# 1 again, now under the lock: another run may have fetched them meanwhile.
if [ $show = 0 ]; then
  hits=()
  for s in "${specs[@]}"; do
    [[ "$s" == *=* ]] || break
    nv=${s%@*}; pin=""; [[ "$s" == *@* ]] && pin=${s#*@}
    f=$(cached "${nv%%=*}" "${nv#*=}" "$pin") || break
    hits+=("$f")
  done
  [ ${#hits[@]} -lt ${#specs[@]} ] || emit "${hits[@]}"
fi

state="$cache/apt/${suite}_${arch}_${component}"
mkdir -p "$state"/{lists/partial,archives/partial}
work=$(mktemp -d "$debs/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
aptopts=(-o Dir::State="$state" -o Dir::State::status=/dev/null -o Dir::Cache="$state" -o Dir::Cache::pkgcache=
         -o Dir::Cache::srcpkgcache= -o Dir::Etc::SourceList="$state/sources.list" -o Dir::Etc::SourceParts=/dev/null
         -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
         -o APT::Architecture="$arch" -o APT::Architectures="$arch" -o Debug::NoLocking=1
         -o APT::Sandbox::User=root -o Acquire::Retries=1 -o Acquire::http::Timeout=30 -o Acquire::https::Timeout=30 -q)
# The first error or warning apt gave, else its last line.
last_line() { { grep -m1 -E '^(E|W): ' "$1" || grep -v '^\s*$' "$1" | tail -n 1; } | cut -c1-300; }

# The suite's signed index, from the first configured archive that has it.
index=""; tried=()
for uri in "${uris[@]}"; do
  echo "deb [arch=$arch signed-by=$keyring] $uri $suite $component" > "$state/sources.list"
  m=${uri#*://}; m=${m%/}; m=${m//\//_}   # apt's name for this archive's files in lists/
  if apt-get "${aptopts[@]}" update >"$work/update.log" 2>&1 && ! grep -qE '^(E: |W: (Failed to fetch|GPG error|The repository))' "$work/update.log" \
     && ls "$state/lists/${m}_dists_${suite}_${component}_binary-${arch}_Packages"* >/dev/null 2>&1; then
    index=$uri; break
  fi
  tried+=("$uri: $(last_line "$work/update.log")")
done
[ -n "$index" ] || die 4 "cannot fetch Debian packages: no configured archive gave the signed index of $suite/$component for $arch (${tried[*]})"

# The index's record of PKG[=VERSION] (the newest when no version is given), or nothing.
record() { { apt-cache "${aptopts[@]}" show --no-all-versions "$1" 2>/dev/null || true; } | awk 'NR > 1 && /^$/ { exit } { print }'; }
field() { awk -v f="$1:" '$1 == f { print $2; exit }'; }

if [ $show = 1 ]; then
  first=1
  for s in "${specs[@]}"; do
    r=$(record "$s")
    [ -n "$r" ] || die 3 "$s is not in the $suite/$component index for $arch (from $index)"
    [ $first = 1 ] || echo; first=0
    echo "$r"
  done
  exit 0
fi

results=()
for s in "${specs[@]}"; do
  nv=${s%@*}; pin=""; [[ "$s" == *@* ]] && pin=${s#*@}
  pkg=${nv%%=*}
  r=$(record "$nv")
  [ -n "$r" ] || die 3 "$nv is not in the $suite/$component index for $arch (from $index)"
  ver=$(field Version <<<"$r"); size=$(field Size <<<"$r"); sha=$(field SHA256 <<<"$r")
  [ -n "$ver" ] && [ -n "$size" ] && [ -n "$sha" ] || die 1 "the index's record of $nv has no Version, Size or SHA256"
  if f=$(cached "$pkg" "$ver" "$pin"); then results+=("$f"); continue; fi
  rm -rf "$work/dl"; mkdir -p "$work/dl"
  if ! (cd "$work/dl" && apt-get "${aptopts[@]}" download "$pkg=$ver") >"$work/download.log" 2>&1; then
    die 4 "cannot fetch Debian packages: apt-get download $pkg=$ver from $index failed: $(last_line "$work/download.log")"
  fi
  deb=$(ls "$work"/dl/*.deb)
  got=$(sha256 "$deb"); gotsize=$(stat -c %s "$deb")
  [ "$gotsize" = "$size" ] && [ "$got" = "$sha" ] \
    || die 1 "$(basename "$deb"): $gotsize bytes, SHA-256 $got; the archive's signed index says $size bytes, $sha"
  [ -z "$pin" ] || [ "$got" = "$pin" ] || die 1 "$(basename "$deb"): SHA-256 $got is not the pinned $pin"
  dest="$debs/$(basename "$deb")"
  echo "$got" > "$dest.sha256.tmp" && mv -f "$dest.sha256.tmp" "$dest.sha256"
  mv -f "$deb" "$dest"
  results+=("$dest")
done
emit "${results[@]}"
