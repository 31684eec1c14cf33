// The timeline half of drm-syncobj sync (src/wayland/drm-syncobj.ts) on the kernel's timeline
// syncobjs: point pairs, the acquire point following a sync file, waiting for a release point. The
// protocol half meets KWin 6.7 in test/wayland/desktop-2026.vm.test.ts; here the release point is
// signalled the way a compositor would, through its own syncobj fd.
// Needs a node with timeline syncobjs: VMTEST_GPU=virtio test/vm/run-suite.sh test/wayland/drm-syncobj.vm.test.ts
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DrmDevice, Syncobj } from "../../src/drm/index.js";
import { close } from "../../src/sys/libc.js";
import { drmIoctl } from "../../src/drm/ioctl.js";
import { CommitTimeline } from "../../src/wayland/drm-syncobj.js";
import { findTimelineNode } from "../helpers/timeline-node.js";

const node = findTimelineNode();
const skipWhy = node ? "" : "no DRM node with timeline syncobjs here (vkms has none): run with VMTEST_GPU=virtio";
if (skipWhy) console.warn(`[drm-syncobj.vm.test] skipped: ${skipWhy}`);

describe.skipIf(!node)("drm-syncobj commit timeline (real kernel syncobjs)", () => {
  let dev: DrmDevice;
  beforeAll(() => {
    dev = DrmDevice.open(node!, { atomic: false });
  });
  afterAll(() => dev?.close());

  it("hands out increasing acquire/release pairs; an already finished frame's acquire point is signalled at once, its release point is not", () => {
    const t = CommitTimeline.create(dev);
    try {
      const a = t.next(-1);
      expect([a.acquire, a.release]).toEqual([1n, 2n]);
      expect([t.syncobj.signalled(a.acquire), t.syncobj.signalled(a.release)]).toEqual([true, false]);
      t.syncobj.signal(a.release); // the compositor is done with the buffer
      const b = t.next(-1);
      expect([b.acquire, b.release]).toEqual([3n, 4n]);
      expect([t.syncobj.signalled(b.acquire), t.syncobj.signalled(b.release)]).toEqual([true, false]);
    } finally {
      t.destroy();
    }
  });

  it("the acquire point follows the frame's sync file (imported at that point)", async () => {
    const t = CommitTimeline.create(dev);
    const frame = Syncobj.create(dev); // stands for the GPU's render-finished fence
    try {
      frame.signal(1n);
      const fd = frame.exportSyncFile(1n);
      try {
        const p = t.next(fd);
        expect(await t.syncobj.wait(p.acquire, 2000)).toBe(true);
        expect(t.syncobj.signalled(p.release)).toBe(false);
      } finally {
        close(fd);
      }
      expect(() => t.next(987)).toThrow(/987/); // not a sync file: the error names the fd
    } finally {
      frame.destroy();
      t.destroy();
    }
  });

  it("waits for a release point without blocking the event loop, and times out when nobody releases", async () => {
    const t = CommitTimeline.create(dev);
    // the compositor's side: the same timeline imported from its fd, as the protocol hands it over
    const fd = t.syncobj.exportFd();
    try {
      const p = t.next(-1);
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      const released = t.released(p, 3000);
      await new Promise((r) => setTimeout(r, 60));
      const compositor = Syncobj.adopt(dev, importHandle(dev, fd));
      compositor.signal(p.release);
      expect(await released).toBe(true);
      clearInterval(timer);
      expect(ticks).toBeGreaterThan(0); // the loop turned while the wait was pending (slowly, under TCG)
      compositor.destroy();
      const q = t.next(-1); // the buffer's next commit, after its release
      expect(await t.released(q, 100)).toBe(false); // nobody releases it: a timeout, not a hang
    } finally {
      close(fd);
      t.destroy();
    }
  });
});

/** DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE of a syncobj fd: what the compositor does with import_timeline's fd. */
function importHandle(dev: DrmDevice, fd: number): number {
  const h = Buffer.alloc(16); // struct drm_syncobj_handle { u32 handle, flags; s32 fd; u32 pad }
  h.writeInt32LE(fd, 8);
  drmIoctl(dev.fd, "SYNCOBJ_FD_TO_HANDLE", h, `syncobj fd ${fd} into ${dev.path}`);
  return h.readUInt32LE(0);
}
