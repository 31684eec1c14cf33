#!/bin/bash
# test/vm/run-in-vm.sh 'COMMAND STRING' -- scanout's KMS test bed (adapted from the team's tools/run-in-vm.sh).
# Boots a Debian kernel (+ out-of-tree vkms.ko, built-in udmabuf) in QEMU and runs COMMAND (bash -c, as
# root) inside it. The guest sees the host's / read-only over virtio-9p with a tmpfs overlay on top
# (writes are discarded), same cwd, same environment. /dev/udmabuf exists and debugfs is mounted.
# The kernel is chosen with VMTEST_KERNEL:
#   7 (default; also 7.x, 7.3, trixie-backports)  Debian trixie-backports' 7.x (7.3.4 when written). Its
#                   kbuild tools need trixie's glibc, so vkms is built inside the forky root
#                   (scripts/forky-root.sh) through a throw-away overlay; without that root it says so
#                   and boots 6.12 instead.
#   6.12 (also 6, bookworm-backports)  Debian bookworm-backports' 6.12, as before (cache: $VMDIR/ready).
# The display device is chosen with VMTEST_GPU:
#   vkms (default)  vkms is modprobed: /dev/dri/card0 (one Virtual-1 connector, 60 Hz), no render node
#   virtio          QEMU gets -device virtio-gpu-pci and virtio-gpu is modprobed: /dev/dri/card0 +
#                   /dev/dri/renderD128 (one Virtual-1 connector, timeline syncobjs)
#   both            virtio-gpu as card0 + renderD128, then vkms as card1
#   none            no DRM device (VMTEST_VKMS=0, the older switch, means the same)
# VMTEST_VKMS=configfs (kernel 7.x only): vkms is loaded with create_default_dev=0
# enable_plane_pipeline=1 and configfs is mounted at /sys/kernel/config, so there is no vkms device until
# a test builds one under /sys/kernel/config/vkms (test/helpers/vkms-configfs.ts). With VMTEST_GPU=vkms
# there is then no /dev/dri at all at the start; with both, virtio-gpu is card0.
# Output is streamed to stdout; the exit status is the command's. 124 = VM timed out, 125 = VM died
# without reporting a status, 126 = one-off setup failed (see $VMTEST_DIR/setup-SUITE.log).
# The one-off setup (~1-2 min per kernel, cached in $VMTEST_DIR/ready[-SUITE]) apt-installs
# qemu-system-x86 and friends and downloads the kernel (from the machine's own Debian mirror, through a
# private apt configuration: the host's apt sources are left alone), so the first run needs root and
# the mirror; later runs need neither.
# Env: VMTEST_DIR (~/.cache/scanout/vm) VMTEST_MEM (2G) VMTEST_SMP (nproc) VMTEST_TIMEOUT (2400 s x host load per CPU, 1-1.5)
#      VMTEST_ACCEL (auto|tcg|kvm) VMTEST_CPU (tcg model: max) VMTEST_GPU (vkms) VMTEST_KEEP (0: delete run dir)
#      VMTEST_KERNEL (7) VMTEST_VKMS (1|0|configfs) VMTEST_SUITE (overrides VMTEST_KERNEL's suite)
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 'command'" >&2; exit 2; }
GPU=${VMTEST_GPU:-vkms}; [ "${VMTEST_VKMS:-1}" = 0 ] && GPU=none
case $GPU in vkms|virtio|both|none) ;; *) echo "run-in-vm: VMTEST_GPU must be vkms, virtio, both or none, not '$GPU'" >&2; exit 2;; esac
VKMS_MODE=default; [ "${VMTEST_VKMS:-1}" = configfs ] && VKMS_MODE=configfs
case ${VMTEST_VKMS:-1} in 0|1|configfs) ;; *) echo "run-in-vm: VMTEST_VKMS must be 1, 0 or configfs, not '$VMTEST_VKMS'" >&2; exit 2;; esac
case ${VMTEST_KERNEL:-7} in
  7|7.x|7.*|trixie-backports) SUITE=trixie-backports;;
  6.12|6|bookworm-backports) SUITE=bookworm-backports;;
  *) echo "run-in-vm: VMTEST_KERNEL must be 7 (trixie-backports) or 6.12 (bookworm-backports), not '$VMTEST_KERNEL'" >&2; exit 2;;
esac
SUITE=${VMTEST_SUITE:-$SUITE}
VMDIR=${VMTEST_DIR:-${SCANOUT_CACHE:-$HOME/.cache/scanout}/vm}  # kept across reboots, beside the forky root
mkdir -p "$VMDIR"
# One cache per suite. bookworm-backports keeps the name it always had ($VMDIR/ready); the others carry
# a recipe version, bumped when what setup() makes for them changes.
RECIPE=k7-1
ready_dir() { if [ "$1" = bookworm-backports ]; then echo "$VMDIR/ready"; else echo "$VMDIR/ready-$1"; fi; }
FORKY_PATH=${SCANOUT_CACHE:-$HOME/.cache/scanout}/forky.path
forky_root() { # the forky root's path when it is ready (scripts/forky-root.sh), else nothing
  local r; r=$(cat "$FORKY_PATH" 2>/dev/null) || return 0
  [ -f "$r/.scanout-ready" ] && echo "$r"; return 0
}
if [ "$SUITE" != bookworm-backports ] && [ ! -s "$(ready_dir "$SUITE")/kver" ] && [ -z "$(forky_root)" ]; then
  echo "run-in-vm: kernel 7.x needs the forky root to build vkms (sudo bash scripts/forky-root.sh); booting bookworm-backports' 6.12 instead" >&2
  SUITE=bookworm-backports
fi
if [ "$VKMS_MODE" = configfs ] && [ "$SUITE" = bookworm-backports ]; then
  echo "run-in-vm: VMTEST_VKMS=configfs needs kernel 7.x (6.12's vkms has no configfs)" >&2; exit 2
fi
B=$(ready_dir "$SUITE")

apt_private() { # apt-get/apt-cache with a private configuration for $SUITE under $d/apt (host sources untouched)
  local tool=$1; shift
  "$tool" -o Dir::Etc::SourceList="$d/apt/sources.list" -o Dir::Etc::SourceParts=- \
    -o Dir::State::Lists="$d/apt/lists" -o Dir::Cache="$d/apt/cache" \
    -o Dir::Etc::Preferences="$d/apt/preferences" -o Dir::Etc::PreferencesParts="$d/apt/preferences.d" \
    -o Acquire::Check-Valid-Until=false -o APT::Sandbox::User=root "$@"
}
unpack() { case $1 in *.xz) xz -dc "$1";; *.zst) zstd -dcq "$1";; *.gz) gzip -dc "$1";; *) cat "$1";; esac; }
forky_make() { # KV: builds $d/vkms inside the forky root: its gcc and glibc run 7.x's kbuild tools
  # A throw-away overlay over the root (the root itself is never written); only proc is mounted, and
  # everything is unmounted however this ends.
  local KV=$1 F o="$d/ovl" rc=0 cc=x86_64-linux-gnu-gcc
  F=$(forky_root); [ -n "$F" ] || { echo "no forky root (scripts/forky-root.sh)" >&2; return 1; }
  mkdir -p "$o/upper" "$o/work" "$o/m"
  mount -t overlay -o "lowerdir=$F,upperdir=$o/upper,workdir=$o/work" scanout-vkms-build "$o/m" || return 1
  ( set -e
    mount -t proc proc "$o/m/proc"
    for n in null:3 zero:5 urandom:9; do rm -f "$o/m/dev/${n%:*}"; mknod -m 666 "$o/m/dev/${n%:*}" c 1 "${n#*:}"; done
    cp -a "$d/kb/usr/." "$o/m/usr/"; rm -rf "$o/m/vkms-build"; cp -a "$d/vkms" "$o/m/vkms-build"
    # the kernel was built with gcc-14: use it where the root has it, else the root's gcc (its version
    # check is off in Debian's headers; the module's C ABI does not change between gcc versions)
    [ -x "$o/m/usr/bin/x86_64-linux-gnu-gcc-14" ] && cc=x86_64-linux-gnu-gcc-14
    chroot "$o/m" make -C "/usr/src/linux-headers-$KV" M=/vkms-build -j"$(nproc)" CC=$cc CONFIG_DEBUG_INFO_BTF_MODULES= modules
    cp "$o/m/vkms-build/vkms.ko" "$d/vkms/vkms.ko" ) || rc=$?
  umount "$o/m/proc" 2>/dev/null || umount -l "$o/m/proc" 2>/dev/null || true
  umount "$o/m" || umount -l "$o/m" || rc=1
  if ! grep -qF " $o/m" /proc/self/mountinfo; then rm -rf --one-file-system "$o"; fi
  return $rc
}
setup() { # one-off per suite, ~1-2 min, result cached in $B
  set -x
  export DEBIAN_FRONTEND=noninteractive
  local pkgs=(qemu-system-x86 busybox-static kmod cpio zstd xz-utils)
  # 6.12's kbuild tools run on Debian 12; 7.x's are built against trixie's glibc (see forky_make)
  [ "$SUITE" = bookworm-backports ] && pkgs+=(make gcc-12 libc6-dev libelf1)
  apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${pkgs[@]}" >&2
  d="$B.build"; rm -rf "$d"; mkdir -p "$d/debs" "$d/apt/lists/partial" "$d/apt/cache/archives/partial" "$d/apt/preferences.d"
  local mirror; mirror=$(bash "$ROOT/scripts/debian-mirror.sh" | head -n1)
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $SUITE main" > "$d/apt/sources.list"
  apt_private apt-get update >&2
  cd "$d/debs"
  apt_private apt-get download "linux-image-amd64/$SUITE" >&2
  local dep; dep=$(dpkg-deb -f linux-image-amd64_*.deb Depends)  # ..., linux-image-KV (= VER), ...
  local KV VER; KV=$(grep -oP 'linux-image-\K[^ ,]+(?= \(=)' <<<"$dep" | head -n1); VER=$(grep -oP 'linux-image-[^ ,]+ \(= \K[^)]+' <<<"$dep" | head -n1)
  [ -n "$KV" ] && [ -n "$VER" ] || { echo "cannot read the kernel version from: $dep" >&2; return 1; }
  local KB=${KV%-amd64} SER; SER=$(cut -d. -f1,2 <<<"$KV")
  apt_private apt-get download "linux-image-$KV=$VER" >&2
  # 7.x splits the image into linux-base-KV (config, System.map), linux-binary-KV (vmlinuz) and
  # linux-modules-KV, all under /usr/lib/modules/KV; 6.12 has one package with /boot and /lib/modules.
  local parts; parts=$(dpkg-deb -f linux-image-"$KV"_*.deb Depends | tr ',' '\n' | grep -oP "^ *\Klinux-[a-z]+-\Q$KV\E(?= )" || true)
  local p; for p in $parts; do apt_private apt-get download "$p=$VER" >&2; done
  apt_private apt-get download "linux-headers-$KV=$VER" "linux-headers-$KB-common=$VER" \
    "linux-kbuild-$KB=$VER" "linux-source-$SER=$VER" >&2
  mkdir -p "$d/root" "$d/kb"
  dpkg -x linux-image-"$KV"_*.deb "$d/root"
  for p in $parts; do dpkg -x "$p"_*.deb "$d/root"; done
  for p in linux-headers-* linux-kbuild-*; do dpkg -x "$p" "$d/kb"; done
  # one layout for both: root/lib/modules/KV (a link to usr/lib on 7.x, as on a merged-/usr system)
  [ -d "$d/root/usr/lib/modules/$KV" ] && [ ! -e "$d/root/lib" ] && ln -s usr/lib "$d/root/lib"
  local MD="$d/root/lib/modules/$KV" IMG CFG
  IMG=$d/root/boot/vmlinuz-$KV; [ -f "$IMG" ] || IMG=$MD/vmlinuz
  CFG=$d/root/boot/config-$KV; [ -f "$CFG" ] || CFG=$MD/config
  grep -q '^CONFIG_UDMABUF=y' "$CFG"
  # Debian does not enable CONFIG_DRM_VKMS: build it out of tree from the matching linux-source.
  mkdir -p "$d/vkms"
  dpkg-deb --fsys-tarfile linux-source-*.deb | tar -xO "./usr/src/linux-source-$SER.tar.xz" | xz -dc -T0 |
    tar -x -C "$d/vkms" --strip-components=5 --wildcards "linux-source-$SER/drivers/gpu/drm/vkms/*"
  sed -i 's/obj-$(CONFIG_DRM_VKMS)/obj-m/' "$d/vkms/Makefile"
  if [ "$SUITE" = bookworm-backports ]; then
    local HD="$d/kb/usr/src/linux-headers-$KV"
    sed -i "s#^include /usr/src/#include $d/kb/usr/src/#" "$HD/Makefile"   # headers were made for /usr/src
    make -C "$HD" M="$d/vkms" -j"$(nproc)" CONFIG_DEBUG_INFO_BTF_MODULES= modules >&2   # no pahole => no BTF
  else
    forky_make "$KV" >&2
  fi
  mkdir -p "$MD/updates"; strip --strip-debug -o "$MD/updates/vkms.ko" "$d/vkms/vkms.ko"
  depmod -b "$d/root" "$KV"
  modinfo -b "$d/root" -k "$KV" vkms >&2
  # Uncompressed vmlinux boots via PVH: skips the decompressor (~4 s faster under TCG).
  local off; for off in $(LC_ALL=C grep -obUaP '\x28\xb5\x2f\xfd' "$IMG" | cut -d: -f1); do
    tail -c +$((off + 1)) "$IMG" | zstd -dcq 2>/dev/null > "$d/vmlinux" || true
    [ "$(head -c4 "$d/vmlinux" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] && break; rm -f "$d/vmlinux"
  done
  [ -s "$d/vmlinux" ] || cp "$IMG" "$d/vmlinux"
  # initramfs: static busybox + 9p/overlay modules + /init
  local I="$d/initramfs"; mkdir -p "$I"/{bin,mod,proc,sys,dev,lower,rw,newroot,out}
  cp /bin/busybox "$I/bin/busybox"
  # the modules for the 9p root and the overlay, with what they need, in load order (modules.dep)
  local mods=() f m; while read -r f; do
    m=$(basename "$f"); m=${m%%.ko*}; [[ " ${mods[*]} " == *" $m "* ]] && continue
    unpack "$f" > "$I/mod/$m.ko"; mods+=("$m")
  done < <(modprobe -d "$d/root" -S "$KV" -a --show-depends 9p 9pnet_virtio overlay | awk '$1 == "insmod" {print $2}')
  printf '%s\n' "${mods[@]}" > "$I/mod/order"
  cat > "$I/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin; export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
die() { echo "vmtest init: $*" > /dev/ttyS0; dmesg | tail -n 15 > /dev/ttyS0; poweroff -f; }
for m in $(cat /mod/order); do insmod /mod/$m.ko || die "insmod $m"; done
for a in $(cat /proc/cmdline); do case $a in vmt.kver=*) KV=${a#*=};; vmt.moddir=*) MODDIR=${a#*=};; esac; done
O=trans=virtio,version=9p2000.L,msize=512000
mount -t 9p -o $O,ro,cache=loose hostroot /lower || die "mount hostroot"
mount -t 9p -o $O vmout /out || die "mount vmout"
mount -t tmpfs -o mode=755 rw /rw; mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot || die overlay
R=/newroot
mount -t proc proc $R/proc; mount -t sysfs sys $R/sys; mount -t devtmpfs dev $R/dev
mkdir -p $R/dev/pts $R/dev/shm; mount -t devpts devpts $R/dev/pts; mount -t tmpfs shm $R/dev/shm
ln -sf /proc/self/fd $R/dev/fd; for i in 0:stdin 1:stdout 2:stderr; do ln -sf /proc/self/fd/${i%%:*} $R/dev/${i#*:}; done
mount -t tmpfs run $R/run; mount -t debugfs debugfs $R/sys/kernel/debug 2>/dev/null
mkdir -p $R/run/vmtest-out; mount --bind /out $R/run/vmtest-out
mkdir -p $R/lib/modules/$KV; mount --bind $R$MODDIR $R/lib/modules/$KV
ip link set lo up; hostname vmtest
OUTDEV=/dev/ttyS0
for p in /sys/class/virtio-ports/*; do [ "$(cat $p/name 2>/dev/null)" = out ] && OUTDEV=/dev/${p##*/}; done
chroot $R /bin/bash /run/vmtest-out/cmd.sh > $OUTDEV 2>&1 < /dev/null
echo $? > /out/rc
sync; poweroff -f
EOF
  chmod +x "$I/init"
  (cd "$I" && find . | cpio -o -H newc --quiet | gzip -1) > "$d/initramfs.cpio.gz"
  echo "$RECIPE" > "$d/recipe"
  echo "$KV" > "$d/kver"
  rm -rf "$d/debs" "$d/vkms" "$d/kb" "$d/apt" "$I"
  rm -rf "$B"; mv "$d" "$B"
  set +x
}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
exec 9>"$VMDIR/.lock"; flock 9            # serialize the one-off setup between parallel callers
# (6.12's cache predates the recipe file: it is ready when it has kver)
if [ ! -s "$B/kver" ] || { [ "$SUITE" != bookworm-backports ] && [ "$(cat "$B/recipe" 2>/dev/null)" != "$RECIPE" ]; }; then
  echo "run-in-vm: one-off setup of the $SUITE kernel in $B (log: $VMDIR/setup-$SUITE.log)" >&2
  set +e; (setup) >"$VMDIR/setup-$SUITE.log" 2>&1; src=$?; set -e   # not in a || list, so errexit works inside
  [ $src = 0 ] || { tail -30 "$VMDIR/setup-$SUITE.log" >&2; exit 126; }
fi
flock -u 9; exec 9>&-
KV=$(cat "$B/kver")

RUN=$(mktemp -d "$VMDIR/run.XXXXXX")
QPID= TPID=
cleanup() {
  [ -n "$TPID" ] && kill "$TPID" 2>/dev/null
  [ -n "$QPID" ] && kill "$QPID" 2>/dev/null && wait "$QPID" 2>/dev/null   # timeout(1) relays TERM to qemu
  [ "${VMTEST_KEEP:-0}" = 1 ] || rm -rf "$RUN"
}
trap cleanup EXIT; trap 'exit 130' INT; trap 'exit 143' TERM
{
  echo '#!/bin/bash'
  export -p | grep -Ev '^declare -x (DISPLAY|WAYLAND_DISPLAY|XDG_RUNTIME_DIR|DBUS_SESSION_BUS_ADDRESS|SSH_[A-Z_]*|OLDPWD|PWD|SHLVL|_|TMPDIR|VMTEST_[A-Z_]*)='
  echo 'export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin" XDG_RUNTIME_DIR=/run/user/0'
  echo 'mkdir -p -m 0700 /run/user/0'
  # virtio-gpu first so that it is card0 with "both"; no udev in the guest, so modules are loaded here
  case $GPU in virtio|both) echo 'modprobe virtio-gpu || echo "run-in-vm: modprobe virtio-gpu failed" >&2';; esac
  # vkms's parameters: VMTEST_VKMS=configfs starts without a device; VMTEST_VKMS_PARAMS adds more (7.3
  # has enable_cursor, enable_writeback, enable_overlay, enable_plane_pipeline, create_default_dev;
  # enable_plane_pipeline only reaches the default device: 7.3's configfs planes have no pipeline)
  params=${VMTEST_VKMS_PARAMS:-}; [ "$VKMS_MODE" = configfs ] && params="create_default_dev=0 enable_plane_pipeline=1 $params"
  case $GPU in vkms|both) printf 'modprobe vkms %s || echo "run-in-vm: modprobe vkms failed" >&2\n' "$params";; esac
  # 7.x: vkms brings configfs with it; mounted where the kernel documents it, for tests to build devices
  if [ "$SUITE" != bookworm-backports ] && { [ "$GPU" = vkms ] || [ "$GPU" = both ]; }; then
    echo 'mount -t configfs none /sys/kernel/config || echo "run-in-vm: mounting configfs failed" >&2'
  fi
  printf 'cd %q 2>/dev/null || cd /\n' "$PWD"
  printf 'exec bash -c %q\n' "$1"
} > "$RUN/cmd.sh"

ACCEL=${VMTEST_ACCEL:-auto}
if [ "$ACCEL" = auto ]; then   # needs real VT-x/AMD-V; a software hypervisor such as kvm_pvm cannot run stock kernels
  ACCEL=tcg; [ -w /dev/kvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; } && ACCEL=kvm
fi
if [ "$ACCEL" = kvm ]; then CPU=(-accel kvm -cpu host); else CPU=(-accel tcg -cpu "${VMTEST_CPU:-max}"); fi
GPUDEV=(); case $GPU in virtio|both) GPUDEV=(-device virtio-gpu-pci);; esac

# The limit only catches a guest that hangs (vitest's own timeouts catch a hung test). Unset, it is
# 2400 s scaled by how busy the host is when the guest starts (load per CPU, 1 to 1.5 times): under
# TCG the vkms boot's 30 files take ~630 s on a calm 2-CPU host and went past 1200 s at a load of
# 2-3 (a 900 s limit was hit earlier with several VMs at once). CI's own limit bounds the scaling.
TIMEOUT=${VMTEST_TIMEOUT:-}
if [ -z "$TIMEOUT" ]; then
  TIMEOUT=$(awk -v n="$(nproc)" '{ f = $1 / n; if (f < 1) f = 1; if (f > 1.5) f = 1.5; printf "%d", 2400 * f }' /proc/loadavg)
  [ "$TIMEOUT" -gt 2400 ] && echo "run-in-vm: the host is busy (load $(cut -d' ' -f1 /proc/loadavg) on $(nproc) CPUs): the guest may take up to $TIMEOUT s" >&2
fi
timeout -k 5 "$TIMEOUT" qemu-system-x86_64 "${CPU[@]}" -M q35 -smp "${VMTEST_SMP:-$(nproc)}" \
  -m "${VMTEST_MEM:-2G}" -nodefaults -no-user-config -display none -vga none -no-reboot \
  -kernel "$B/vmlinux" -initrd "$B/initramfs.cpio.gz" \
  -append "console=ttyS0 quiet panic=-1 vmt.kver=$KV vmt.moddir=$B/root/lib/modules/$KV" \
  -serial "file:$RUN/console.log" \
  "${GPUDEV[@]}" \
  -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
  -virtfs "local,path=$RUN,mount_tag=vmout,security_model=none" \
  -device virtio-serial-pci -chardev "file,id=out,path=$RUN/out.log" -device virtserialport,chardev=out,name=out \
  </dev/null >"$RUN/qemu.log" 2>&1 &
QPID=$!
until [ -e "$RUN/out.log" ] || ! kill -0 $QPID 2>/dev/null; do sleep 0.1; done
tail -n +1 -s 0.2 -f --pid=$QPID "$RUN/out.log" 2>/dev/null &   # stream guest output
TPID=$!
wait $QPID && QRC=0 || QRC=$?; QPID=     # (wait, unlike a foreground command, lets traps run at once)
wait $TPID || true; TPID=
if [ -s "$RUN/rc" ]; then exit "$(cat "$RUN/rc")"; fi
{ echo "run-in-vm: no exit status from guest (qemu rc=$QRC)"; tail -n 20 "$RUN/qemu.log" "$RUN/console.log" || true; } >&2
[ "$QRC" = 124 ] && exit 124; exit 125
