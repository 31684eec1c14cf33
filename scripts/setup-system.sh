#!/usr/bin/env bash
# Installs the Debian packages scanout needs to render and test on a fresh Debian 12 machine:
# Mesa 25 lavapipe (bookworm-backports), Khronos validation layers, glslang, Weston and libdrm.
# Idempotent: a fast no-op when everything is present. SCANOUT_SKIP_SYSTEM_SETUP=1 skips it.
set -euo pipefail
[ "${SCANOUT_SKIP_SYSTEM_SETUP:-0}" = 1 ] && exit 0

# package=minimum-version-prefix check (empty: any version)
need_pkgs=(mesa-vulkan-drivers vulkan-validationlayers libvulkan1 glslang-tools weston wayland-utils
           libwayland-dev wayland-protocols libdrm2 libdrm-tests)
backports_pkgs=(mesa-vulkan-drivers weston wayland-utils)

mesa_ok() {   # lavapipe must come from Mesa >= 25 (bookworm's 22.3 is too old)
  local v; v=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)
  [ -n "$v" ] && dpkg --compare-versions "$v" ge 25
}
missing=()
for p in "${need_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ] && mesa_ok; then exit 0; fi

if [ "$(id -u)" != 0 ]; then
  echo "scanout setup: missing system packages: ${missing[*]:-mesa-vulkan-drivers>=25}" >&2
  echo "scanout setup: run 'sudo bash scripts/setup-system.sh' once, or set SCANOUT_SKIP_SYSTEM_SETUP=1" >&2
  exit 3
fi
echo "scanout setup: installing ${missing[*]:-Mesa 25} (one-off)" >&2
export DEBIAN_FRONTEND=noninteractive
list=/etc/apt/sources.list.d/scanout-bookworm-backports.list
if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "deb http://deb.debian.org/debian bookworm-backports main" > "$list"
fi
apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need_pkgs[@]}" >&2
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends -t bookworm-backports "${backports_pkgs[@]}" >&2
mesa_ok || { echo "scanout setup: Mesa >= 25 lavapipe could not be installed" >&2; exit 4; }
echo "scanout setup: done" >&2
