#!/bin/bash
# test/vm/run-suite.sh [TEST FILES...] -- the KMS suite on a real kernel.
# Builds dist/ on the host (the tests spawn compiled child programs), boots the VM once and runs vitest
# on the *.vm.test.ts files (or the files given) inside it. Exit status is vitest's.
# VMTEST_GPU picks the display driver (see run-in-vm.sh): vkms, virtio, or both, which boots once per
# driver and runs the files on each; the tests adapt to what the device offers. Unset and with no
# files given (what npm test does): every file on vkms, then, in a second boot, on virtio-gpu the
# files that need what only it has (timeline syncobjs, Weston's DRM backend, a second KMS driver).
# VMTEST_KERNEL=6.12 boots bookworm-backports' 6.12 instead (see run-in-vm.sh).
VIRTIO_FILES=(test/drm/syncobj.vm.test.ts test/wayland/drm-syncobj.vm.test.ts test/wayland/weston-drm.vm.test.ts test/drm/kms.vm.test.ts test/wayland/desktop-2026.vm.test.ts test/wayland/pre-rotation.vm.test.ts test/wayland/colour-dmabuf.vm.test.ts test/present/kms-rotate.vm.test.ts)
# Exits 0 with a SKIP line when the VM cannot run here (not root and no qemu / no cached setup).
set -euo pipefail
cd "$(dirname "$0")/../.."
VMDIR=${VMTEST_DIR:-${SCANOUT_CACHE:-$HOME/.cache/scanout}/vm}  # kept across reboots, beside the forky root
# (a cached kernel: 6.12's in $VMDIR/ready, 7.x's in $VMDIR/ready-trixie-backports; see run-in-vm.sh)
if [ ! -s "$VMDIR/ready/kver" ] && [ ! -s "$VMDIR/ready-trixie-backports/kver" ] && [ "$(id -u)" != 0 ]; then
  echo "SKIP test:vm: the one-off VM setup needs root (apt-get install qemu-system-x86, kernel download)"; exit 0
fi
if ! command -v qemu-system-x86_64 >/dev/null && [ "$(id -u)" != 0 ]; then
  echo "SKIP test:vm: qemu-system-x86_64 is not installed and we are not root to install it"; exit 0
fi
# tsc emits even when some file has type errors; say so but still run (the VM tests name what fails)
npx tsc -p tsconfig.json >&2 || echo "run-suite: tsc reported errors; dist/ was still emitted" >&2
# no files given: every *.vm.test.ts that test/vm/vitest.vm.config.ts includes
files=("$@")
# vitest through node directly: npx would cost several seconds of emulated start-up in the guest
# The guest's writes vanish with it, so its summary is kept from the output stream on the host
# (test-results/vm.log); .ci/run adds those counts to the host suite's.
mkdir -p test-results
default=0
case ${VMTEST_GPU:-} in
  both) gpus=(vkms virtio);;
  "") gpus=(vkms); if [ ${#files[@]} -eq 0 ]; then gpus=(vkms virtio); default=1; fi;;
  *) gpus=("$VMTEST_GPU");;
esac
status=0
: > test-results/vm.log
for gpu in "${gpus[@]}"; do
  run_files=("${files[@]}")
  kernel=${VMTEST_KERNEL:-}
  [ "$default" = 1 ] && [ "$gpu" = virtio ] && run_files=("${VIRTIO_FILES[@]}")
  cmd="node node_modules/vitest/vitest.mjs run --config test/vm/vitest.vm.config.ts ${run_files[*]}"
  echo "run-suite: VMTEST_GPU=$gpu${kernel:+ VMTEST_KERNEL=$kernel} ${run_files[*]}" | tee -a test-results/vm.log
  set +e
  for boot in 1 2; do
    NO_COLOR=1 VMTEST_GPU=$gpu VMTEST_KERNEL=${kernel:-7} test/vm/run-in-vm.sh "$cmd" 2>&1 | tee "test-results/vm-$gpu.log"
    rc=${PIPESTATUS[0]}
    # 125: the guest never reported. Before vitest even started, that is the emulated kernel dying at
    # boot (seen once: an int3 oops in sched_clock_cpu under TCG), not a test: boot once more.
    # A guest that dies while tests run still fails the suite.
    if [ "$rc" = 125 ] && [ "$boot" = 1 ] && ! grep -q "RUN  v" "test-results/vm-$gpu.log"; then
      echo "run-suite: the $gpu guest died before the tests started; booting it once more" | tee -a test-results/vm.log
      cat "test-results/vm-$gpu.log" >> test-results/vm.log
      continue
    fi
    break
  done
  set -e
  cat "test-results/vm-$gpu.log" >> test-results/vm.log
  [ "$rc" = 0 ] || status=$rc
done
if [ ${#gpus[@]} -gt 1 ]; then
  # one summary line over all drivers, last in vm.log, where .ci/run reads the counts
  total() { for g in "${gpus[@]}"; do sed 's/\x1b\[[0-9;]*m//g' "test-results/vm-$g.log"; done | grep -E '^\s*Tests\s' | grep -oE "[0-9]+ $1" | awk '{s+=$1} END {print s+0}'; }
  echo "      Tests  $(total failed) failed | $(total passed) passed | $(total skipped) skipped (${gpus[*]})" | tee -a test-results/vm.log
fi
exit "$status"
