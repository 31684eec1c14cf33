#!/usr/bin/env bash
# Installs the Debian packages scanout needs to render and test on a fresh Debian 12 machine:
# Mesa 25 lavapipe (bookworm-backports), Khronos validation layers, glslang, Weston and libdrm,
# and a C toolchain with Vulkan and Wayland headers for the benchmark's C references.
# With --test (what `npm test` runs) also the test beds' own tools: chromium (the status page is
# checked in a real browser), seatd (Weston's DRM backend in the VM), Sway, grim, wtype and KWin;
# and mmdebstrap, with which it then builds (or reuses) the Debian forky root the 2026 compositors
# run in (scripts/forky-root.sh; it never fails the setup, it records why it skipped instead).
# Idempotent: a fast no-op when everything is present. SCANOUT_SKIP_SYSTEM_SETUP=1 skips it.
set -euo pipefail
[ "${SCANOUT_SKIP_SYSTEM_SETUP:-0}" = 1 ] && exit 0

# package=minimum-version-prefix check (empty: any version)
need_pkgs=(mesa-vulkan-drivers vulkan-validationlayers libvulkan1 glslang-tools weston wayland-utils
           libwayland-dev wayland-protocols libdrm2 libdrm-tests
           gcc libc6-dev libvulkan-dev  # these three build bench/c-reference
           libxkbcommon0 xkb-data libinput10  # keyboard layouts (both paths) and KMS input
           libdisplay-info2)  # EDID facts of KMS outputs (make, model, HDR); bookworm has it in backports only
backports_pkgs=(mesa-vulkan-drivers weston wayland-utils wayland-protocols libdisplay-info2)
# Test beds: Sway (+ grim screenshots, wtype text input) as a second compositor, KWin (+ dbus) in the VM.
[ "${1:-}" = --test ] && need_pkgs+=(chromium seatd sway grim wtype kwin-wayland dbus udev  # udev: systemd-udevd tags the VM's uinput devices for libinput
                                     mmdebstrap)  # builds the forky root (scripts/forky-root.sh)
# The test beds' forky root comes last, on every path that succeeds (it exits 0 even when it cannot build).
finish() {
  if [ "${1:-}" = --test ]; then bash "$(dirname "$0")/forky-root.sh"; fi
  exit 0
}

at_least() {  # package minimum-version
  local v; v=$(dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true)
  [ -n "$v" ] && dpkg --compare-versions "$v" ge "$2"
}
# lavapipe must come from Mesa >= 25 (bookworm's 22.3 is too old); the protocol generator reads
# linux-drm-syncobj-v1.xml, which wayland-protocols has from 1.34 (bookworm has 1.31).
backports_ok() { at_least mesa-vulkan-drivers 25 && at_least wayland-protocols 1.43; }
missing=()
for p in "${need_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ] && backports_ok; then finish "${1:-}"; fi

if [ "$(id -u)" != 0 ]; then
  echo "scanout setup: missing system packages: ${missing[*]:-mesa-vulkan-drivers>=25 wayland-protocols>=1.43 (bookworm-backports)}" >&2
  echo "scanout setup: run 'sudo bash scripts/setup-system.sh' once, or set SCANOUT_SKIP_SYSTEM_SETUP=1" >&2
  exit 3
fi
echo "scanout setup: installing ${missing[*]:-newer packages from bookworm-backports} (one-off)" >&2
export DEBIAN_FRONTEND=noninteractive
list=/etc/apt/sources.list.d/scanout-bookworm-backports.list
if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  mirror=$(bash "$(dirname "$0")/debian-mirror.sh") || { echo "scanout setup: no Debian mirror in this machine's apt sources to add bookworm-backports from" >&2; exit 4; }
  echo "deb $mirror bookworm-backports main" > "$list"
fi
apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need_pkgs[@]}" >&2
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends -t bookworm-backports "${backports_pkgs[@]}" >&2
backports_ok || { echo "scanout setup: Mesa >= 25 / wayland-protocols >= 1.43 could not be installed from bookworm-backports" >&2; exit 4; }
echo "scanout setup: done" >&2
finish "${1:-}"
