// DRM timeline syncobjs on a real kernel: any DRM node with DRM_CAP_SYNCOBJ_TIMELINE (virtio-gpu's
// render node in the VM: VMTEST_GPU=virtio test/vm/run-suite.sh test/drm/syncobj.vm.test.ts). vkms
// has no syncobjs, so on the default VM this file skips, saying why.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DrmDevice, DrmUnavailableError, listDevices, Syncobj, timelineSupported } from "../../src/drm/index.js";
import { Buffer as VkBuffer, BufferUsage, CommandPool, Fence, Semaphore } from "../../src/index.js";
import { close, openFdCount } from "../../src/sys/libc.js";
import { syncFileSignalled } from "../../src/sys/sync-file.js";
import { validatedGpu } from "../helpers/gpu.js";
import { findTimelineNode } from "../helpers/timeline-node.js";

const node = findTimelineNode();
const skipWhy = node ? "" : "no DRM node with timeline syncobjs here (vkms has none): run with VMTEST_GPU=virtio";
if (skipWhy) console.warn(`[syncobj.vm.test] skipped: ${skipWhy}`);

/** Counts event-loop turns while a promise is pending: a wait that blocked the loop would see none. */
async function ticksWhile<T>(p: Promise<T>): Promise<{ value: T; ticks: number; ms: number }> {
  let ticks = 0;
  const t0 = performance.now();
  const timer = setInterval(() => ticks++, 5);
  try {
    const value = await p;
    return { value, ticks, ms: performance.now() - t0 };
  } finally {
    clearInterval(timer);
  }
}

describe.skipIf(!!skipWhy)(`timeline syncobjs on ${node}`, () => {
  let dev: DrmDevice;
  const gpu = validatedGpu();
  let fdsBefore = 0;

  beforeAll(() => {
    dev = DrmDevice.open(node!, { atomic: false });
    fdsBefore = openFdCount();
  });
  afterAll(() => dev?.close());

  it("signals in order: a wait for point 3 resolves at 3, not at 1 or 2, and never blocks the event loop", async () => {
    const s = Syncobj.create(dev);
    try {
      expect(s.query()).toBe(0n);
      const waiting = s.wait(3n, 10_000);
      const measured = ticksWhile(waiting); // event-loop turns while the wait is in flight
      let settled = false;
      void waiting.then(() => (settled = true));
      s.signal(1n);
      await new Promise((r) => setTimeout(r, 50));
      expect([s.query(), s.signalled(1n), s.signalled(3n), settled]).toEqual([1n, true, false, false]);
      s.signal(2n);
      await new Promise((r) => setTimeout(r, 50));
      expect(settled).toBe(false);
      s.signal(3n);
      const { value, ticks } = await measured;
      expect(value).toBe(true);
      expect(ticks).toBeGreaterThan(5); // the two 50 ms sleeps above ran while the wait was pending
      expect(s.query()).toBe(3n);
    } finally {
      s.destroy();
    }
  });

  it("a wait with a timeout resolves false after about that long, with the event loop running meanwhile", async () => {
    const s = Syncobj.create(dev);
    try {
      const { value, ticks, ms } = await ticksWhile(s.wait(5n, 300));
      expect(value).toBe(false);
      expect(ms).toBeGreaterThanOrEqual(250);
      expect(ms).toBeLessThan(5000);
      expect(ticks).toBeGreaterThan(5); // the loop turned every ~5 ms during the wait (slowly, under TCG)
      s.signal(5n);
      expect(await s.wait(5n, 0)).toBe(true);
    } finally {
      s.destroy();
    }
  });

  it("exports a signalled point as a sync file and imports it at another point of another syncobj", () => {
    const a = Syncobj.create(dev);
    const b = Syncobj.create(dev);
    try {
      a.signal(4n);
      const fd = a.exportSyncFile(4n);
      try {
        expect(syncFileSignalled(fd)).toBe(true);
        b.importSyncFile(fd, 10n);
      } finally {
        close(fd);
      }
      expect(b.query()).toBe(10n);
      expect(b.signalled(10n)).toBe(true);
    } finally {
      a.destroy();
      b.destroy();
    }
  });

  it("a GPU's render-finished sync file imported at a point: the point signals no earlier than the GPU work", async () => {
    const { device } = gpu;
    if (!device.has("VK_KHR_external_semaphore_fd")) return console.warn("no VK_KHR_external_semaphore_fd: skipped");
    // A long copy, so the work is likely still running when its sync file is taken.
    const size = 128 << 20;
    const src = VkBuffer.create(device, { size, usage: BufferUsage.transferSrc, memory: "device" });
    const dst = VkBuffer.create(device, { size, usage: BufferUsage.transferDst, memory: "device" });
    const pool = CommandPool.create(device);
    const sem = Semaphore.create(device, { exportable: true });
    const fence = Fence.create(device);
    const s = Syncobj.create(dev);
    try {
      const [cmd] = pool.allocate(1);
      cmd!.begin({ oneTime: true });
      for (let i = 0; i < 8; i++) cmd!.copyBuffer(src, dst);
      cmd!.end();
      device.queue.submit({ commandBuffers: [cmd!], signal: [sem], fence });
      const fd = sem.exportSyncFile();
      const pendingAtImport = fd >= 0 && !syncFileSignalled(fd);
      if (fd >= 0) {
        try {
          s.importSyncFile(fd, 7n);
        } finally {
          close(fd);
        }
      } else s.signal(7n); // -1: the driver had already finished
      const signalledEarly = s.signalled(7n) && !fence.signaled;
      expect(await s.wait(7n, 60_000)).toBe(true);
      expect(signalledEarly).toBe(false);
      expect(fence.signaled).toBe(true); // the point signalled, so the GPU work is done
      console.log(`syncobj: GPU sync file ${fd >= 0 ? "imported" : "was -1"}, pending at import: ${pendingAtImport}`);
    } finally {
      s.destroy();
      fence.wait();
      for (const r of [fence, sem, pool, src, dst]) r.destroy();
    }
  });

  it("errors name the object: bad handles, bad fds, unsubmitted points, destroyed syncobjs", () => {
    const s = Syncobj.create(dev);
    const h = s.handle;
    expect(() => s.exportSyncFile(9n)).toThrow(new RegExp(`DRM_IOCTL_SYNCOBJ_TRANSFER \\(syncobj ${h} on ${node} point 9\\): EINVAL`));
    expect(() => s.importSyncFile(1_000_000, 2n)).toThrow(new RegExp(`DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE \\(sync file fd 1000000 into syncobj ${h} on ${node} point 2\\): (EINVAL|EBADF)`));
    // an fd that is open but no sync file (the DRM device itself)
    expect(() => s.importSyncFile(dev.fd, 2n)).toThrow(/DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE \(sync file fd \d+ into .* point 2\): EINVAL/);
    s.destroy();
    s.destroy(); // idempotent
    expect(() => s.signal(1n)).toThrow(`syncobj on ${node} was destroyed`);
    // a handle the kernel does not know on this fd
    const bogus = Syncobj.adopt(dev, 999_999);
    expect(() => bogus.query()).toThrow(`DRM_IOCTL_SYNCOBJ_QUERY (syncobj 999999 on ${node}): ENOENT`);
    expect(() => bogus.signalled(1n)).toThrow(`DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT (syncobj 999999 on ${node} point 1): ENOENT`);
    expect(() => Syncobj.adopt(dev, 0)).toThrow("syncobj handle must be a positive integer, got 0");
  });

  it("a node without timeline syncobjs is DrmUnavailableError naming it", () => {
    const noTimeline = listDevices().map((d) => d.primary).find((p) => {
      if (!p) return false;
      const d = DrmDevice.open(p, { atomic: false });
      try {
        return !timelineSupported(d);
      } finally {
        d.close();
      }
    });
    if (!noTimeline) return console.warn("every DRM node here has timeline syncobjs: nothing to check");
    const d = DrmDevice.open(noTimeline, { atomic: false });
    try {
      expect(() => Syncobj.create(d)).toThrow(DrmUnavailableError);
      expect(() => Syncobj.create(d)).toThrow(`${noTimeline} has no timeline syncobjs (DRM_CAP_SYNCOBJ_TIMELINE is 0)`);
    } finally {
      d.close();
    }
  });

  it("leaves no descriptor open", () => {
    expect(openFdCount()).toBe(fdsBefore);
  });
});
