#!/bin/bash
# test/vm/run-in-vm.sh 'COMMAND STRING' -- scanout's KMS test bed (adapted from the team's tools/run-in-vm.sh).
# Boots Debian's bookworm-backports 6.12 kernel (+ out-of-tree vkms.ko, built-in udmabuf) in QEMU and
# runs COMMAND (bash -c, as root) inside it. The guest sees the host's / read-only over virtio-9p with a
# tmpfs overlay on top (writes are discarded), same cwd, same environment. /dev/udmabuf exists and
# debugfs is mounted. The display device is chosen with VMTEST_GPU:
#   vkms (default)  vkms is modprobed: /dev/dri/card0 (one Virtual-1 connector, 60 Hz), no render node
#   virtio          QEMU gets -device virtio-gpu-pci and virtio-gpu is modprobed: /dev/dri/card0 +
#                   /dev/dri/renderD128 (one Virtual-1 connector, timeline syncobjs)
#   both            virtio-gpu as card0 + renderD128, then vkms as card1
#   none            no DRM device (VMTEST_VKMS=0, the older switch, means the same)
# Output is streamed to stdout; the exit status is the command's. 124 = VM timed out, 125 = VM died
# without reporting a status, 126 = one-off setup failed (see $VMTEST_DIR/setup.log).
# The one-off setup (~1 min, cached in $VMTEST_DIR/ready) apt-installs qemu-system-x86 and friends and
# downloads the kernel, so the first run needs root and the Debian mirrors; later runs need neither.
# Env: VMTEST_DIR (/tmp/vmtest) VMTEST_MEM (2G) VMTEST_SMP (nproc) VMTEST_TIMEOUT (900 s)
#      VMTEST_ACCEL (auto|tcg|kvm) VMTEST_CPU (tcg model: max) VMTEST_GPU (vkms) VMTEST_KEEP (0: delete run dir)
#      VMTEST_SUITE (bookworm-backports)
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 'command'" >&2; exit 2; }
GPU=${VMTEST_GPU:-vkms}; [ "${VMTEST_VKMS:-1}" = 0 ] && GPU=none
case $GPU in vkms|virtio|both|none) ;; *) echo "run-in-vm: VMTEST_GPU must be vkms, virtio, both or none, not '$GPU'" >&2; exit 2;; esac
VMDIR=${VMTEST_DIR:-/tmp/vmtest}
SUITE=${VMTEST_SUITE:-bookworm-backports}
mkdir -p "$VMDIR"

setup() { # one-off, ~1 min, result cached in $VMDIR/ready
  set -x
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends \
    qemu-system-x86 busybox-static kmod cpio zstd xz-utils make gcc-12 libc6-dev libelf1 >&2
  local d="$VMDIR/build"; rm -rf "$d"; mkdir -p "$d/debs"; cd "$d/debs"
  apt-get download "linux-image-amd64/$SUITE" >&2
  local dep; dep=$(dpkg-deb -f linux-image-amd64_*.deb Depends)      # linux-image-KV (= VER)
  local KV VER; KV=$(sed -n 's/^linux-image-\([^ ]*\) .*/\1/p' <<<"$dep"); VER=$(sed -n 's/.*(= \(.*\)).*/\1/p' <<<"$dep")
  local KB=${KV%-amd64} SER; SER=$(cut -d. -f1,2 <<<"$KV")
  apt-get download "linux-image-$KV=$VER" "linux-headers-$KV=$VER" "linux-headers-$KB-common=$VER" \
    "linux-kbuild-$KB=$VER" "linux-source-$SER=$VER" >&2
  mkdir -p "$d/root" "$d/kb"
  dpkg -x linux-image-"$KV"_*.deb "$d/root"
  for p in linux-headers-* linux-kbuild-*; do dpkg -x "$p" "$d/kb"; done
  local HD="$d/kb/usr/src/linux-headers-$KV"
  sed -i "s#^include /usr/src/#include $d/kb/usr/src/#" "$HD/Makefile"   # headers were made for /usr/src
  # Debian does not enable CONFIG_DRM_VKMS: build it out of tree from the matching linux-source.
  mkdir -p "$d/vkms"
  dpkg-deb --fsys-tarfile linux-source-*.deb | tar -xO "./usr/src/linux-source-$SER.tar.xz" | xz -dc -T0 |
    tar -x -C "$d/vkms" --strip-components=5 --wildcards "linux-source-$SER/drivers/gpu/drm/vkms/*"
  sed -i 's/obj-$(CONFIG_DRM_VKMS)/obj-m/' "$d/vkms/Makefile"
  make -C "$HD" M="$d/vkms" -j"$(nproc)" CONFIG_DEBUG_INFO_BTF_MODULES= modules >&2   # no pahole => no BTF
  local MD="$d/root/lib/modules/$KV"
  mkdir -p "$MD/updates"; strip --strip-debug -o "$MD/updates/vkms.ko" "$d/vkms/vkms.ko"
  depmod -b "$d/root" "$KV"
  grep -q '^CONFIG_UDMABUF=y' "$d/root/boot/config-$KV"
  # Uncompressed vmlinux boots via PVH: skips the decompressor (~4 s faster under TCG).
  local off; for off in $(LC_ALL=C grep -obUaP '\x28\xb5\x2f\xfd' "$d/root/boot/vmlinuz-$KV" | cut -d: -f1); do
    tail -c +$((off + 1)) "$d/root/boot/vmlinuz-$KV" | zstd -dcq 2>/dev/null > "$d/vmlinux" || true
    [ "$(head -c4 "$d/vmlinux" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] && break; rm -f "$d/vmlinux"
  done
  [ -s "$d/vmlinux" ] || cp "$d/root/boot/vmlinuz-$KV" "$d/vmlinux"
  # initramfs: static busybox + 9p/overlay modules + /init
  local I="$d/initramfs"; mkdir -p "$I"/{bin,mod,proc,sys,dev,lower,rw,newroot,out}
  cp /bin/busybox "$I/bin/busybox"
  for m in netfs 9pnet 9pnet_virtio 9p overlay; do xz -dc "$(find "$MD" -name "$m.ko.xz")" > "$I/mod/$m.ko"; done
  cat > "$I/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin; export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
die() { echo "vmtest init: $*" > /dev/ttyS0; poweroff -f; }
for m in netfs 9pnet 9pnet_virtio 9p overlay; do insmod /mod/$m.ko || die "insmod $m"; done
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
  echo "$KV" > "$d/kver"
  rm -rf "$d/debs" "$d/vkms" "$d/kb" "$I"
  rm -rf "$VMDIR/ready"; mv "$d" "$VMDIR/ready"
  set +x
}
exec 9>"$VMDIR/.lock"; flock 9            # serialize the one-off setup between parallel callers
if [ ! -s "$VMDIR/ready/kver" ]; then
  set +e; (setup) >"$VMDIR/setup.log" 2>&1; src=$?; set -e   # not in a || list, so errexit works inside
  [ $src = 0 ] || { tail -30 "$VMDIR/setup.log" >&2; exit 126; }
fi
flock -u 9; exec 9>&-
B="$VMDIR/ready"; KV=$(cat "$B/kver")

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
  case $GPU in vkms|both) echo 'modprobe vkms || echo "run-in-vm: modprobe vkms failed" >&2';; esac
  printf 'cd %q 2>/dev/null || cd /\n' "$PWD"
  printf 'exec bash -c %q\n' "$1"
} > "$RUN/cmd.sh"

ACCEL=${VMTEST_ACCEL:-auto}
if [ "$ACCEL" = auto ]; then   # needs real VT-x/AMD-V; a software hypervisor such as kvm_pvm cannot run stock kernels
  ACCEL=tcg; [ -w /dev/kvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; } && ACCEL=kvm
fi
if [ "$ACCEL" = kvm ]; then CPU=(-accel kvm -cpu host); else CPU=(-accel tcg -cpu "${VMTEST_CPU:-max}"); fi
GPUDEV=(); case $GPU in virtio|both) GPUDEV=(-device virtio-gpu-pci);; esac

timeout -k 5 "${VMTEST_TIMEOUT:-900}" qemu-system-x86_64 "${CPU[@]}" -M q35 -smp "${VMTEST_SMP:-$(nproc)}" \
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
