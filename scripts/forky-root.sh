#!/usr/bin/env bash
# Builds the Debian forky (testing) root that test/helpers/forky-bed.ts starts the 2026 compositors
# in (Weston 16, Sway 1.12, Mutter 50, KWin 6.7, labwc where forky has it), with mmdebstrap from the
# mirror this machine's apt sources use. The root lives in ~/.cache/scanout/forky-<hash of what goes
# into it>: reused while the package list is unchanged, rebuilt when it changes (older roots removed).
#
# Never fails a newcomer's `npm test`: when the root cannot be built (not root, no mmdebstrap, no
# mirror, mmdebstrap fails) it prints SKIP, writes the reason into $CACHE/forky.skip for the tests
# to report, and exits 0. On success $CACHE/forky.path holds the root's path.
# Idempotent and safe to run twice at once (the second waits on a lock, then finds the root ready).
# SCANOUT_SKIP_FORKY=1 skips it (the reason is recorded too). SCANOUT_CACHE overrides the cache dir.
set -uo pipefail

cache=${SCANOUT_CACHE:-$HOME/.cache/scanout}
suite=forky
packages=(weston sway mutter kwin-wayland grim dbus dbus-user-session wayland-utils
          mesa-vulkan-drivers libgl1-mesa-dri xwayland seatd wtype procps passwd
          wl-clipboard                       # the clipboard's real peers (wl-copy, wl-paste)
          wayland-protocols plasma-wayland-protocols  # newer protocol XML (colour v2, color-representation, KWin fake input)
          gcc make libc6-dev libelf1t64)     # builds vkms for the 7.x test kernel (its kbuild tools need a new glibc)
optional=(labwc hyprland)  # installed when the suite has them; absent ones are noted in the build log
recipe="v1 variant=apt suite=$suite include=${packages[*]} optional=${optional[*]}"
hash=$(printf '%s' "$recipe" | sha256sum | cut -c1-12)
root=$cache/forky-$hash

say() { echo "scanout forky root: $*" >&2; }
skip() {  # reason
  mkdir -p "$cache" 2>/dev/null && { printf '%s\n' "$1" > "$cache/forky.skip"; rm -f "$cache/forky.path"; }
  say "SKIP: $1 (the 2026 compositor tests will skip)"
  exit 0
}

# Removes a root folder safely: whatever a test or an interrupted build left mounted under it is
# unmounted first (deepest first), and rm never crosses into another file system, so a stray
# rbind of /dev or /sys can never take the host's files with it.
remove_root() {  # dir
  local dir=$1 m
  [ -d "$dir" ] || return 0
  while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done < <(awk -v d="$dir" '{ gsub(/\\040/, " ", $5); if ($5 == d || index($5, d "/") == 1) print $5 }' /proc/self/mountinfo | sort -r)
  if awk -v d="$dir" '{ if ($5 == d || index($5, d "/") == 1) f = 1 } END { exit !f }' /proc/self/mountinfo; then
    say "not removing $dir: something is still mounted under it"
    return 1
  fi
  rm -rf --one-file-system "$dir"
}

[ "${SCANOUT_SKIP_FORKY:-0}" = 1 ] && skip "SCANOUT_SKIP_FORKY=1"
[ "$(id -u)" = 0 ] || skip "building the forky root needs root (mmdebstrap, chroot and mounts); run 'sudo bash scripts/forky-root.sh'"
command -v mmdebstrap >/dev/null || skip "mmdebstrap is not installed (sudo bash scripts/setup-system.sh --test installs it)"
mkdir -p "$cache" || skip "cannot create $cache"

exec 9> "$cache/forky.lock"
if ! flock -n 9; then
  say "another build holds $cache/forky.lock; waiting for it"
  flock 9
fi

if [ -f "$root/.scanout-ready" ]; then
  printf '%s\n' "$root" > "$cache/forky.path"; rm -f "$cache/forky.skip"
  say "ready at $root"
  exit 0
fi

# (its output, not its status: under pipefail its `head -n1` can make it exit 1 after printing)
mirror=$(bash "$(dirname "$0")/debian-mirror.sh" 2>/dev/null | head -n1)
[ -n "$mirror" ] || skip "no Debian mirror in this machine's apt sources"
log=$cache/forky-$hash.log
part=$root.part
remove_root "$part" || skip "a previous build left $part mounted"
remove_root "$root" || skip "$root is incomplete and still mounted"
say "building $suite into $root (log: $log; ~10 minutes on 2 cores)"
start=$SECONDS
# The mirror's copy of forky's Release file can be past its Valid-Until date; the root's own apt
# keeps that option (mmdebstrap writes --aptopt into it), so the optional install below works too.
optional_hook='for p in '"${optional[*]}"'; do
  if chroot "$1" apt-cache show "$p" >/dev/null 2>&1; then chroot "$1" apt-get install -y "$p"; else echo "optional package $p is not in this suite"; fi
done'
if ! mmdebstrap --variant=apt --mode=root \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --include="$(IFS=,; echo "${packages[*]}")" \
    --customize-hook="$optional_hook" \
    "$suite" "$part" "$mirror" > "$log" 2>&1; then
  tail -n 15 "$log" >&2
  remove_root "$part" || true
  skip "mmdebstrap could not build the $suite root (see $log)"
fi
printf '%s\n' "$recipe" > "$part/.scanout-ready"
mv "$part" "$root"
printf '%s\n' "$root" > "$cache/forky.path"; rm -f "$cache/forky.skip"
for old in "$cache"/forky-*/; do
  old=${old%/}
  [ "$old" = "$root" ] || { remove_root "$old" && rm -f "$old.log"; } || true
done
say "built in $((SECONDS - start)) s: $root ($(du -sh --one-file-system "$root" | cut -f1))"
