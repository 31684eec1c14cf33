// The Vulkan KMS presenter on a real kernel driver (VM only; vkms, or virtio-gpu with
// VMTEST_GPU=virtio): frames rendered by lavapipe reach the display through PRIME import where the
// driver takes our dmabufs (vkms), else through the dumb-buffer fallback (virtio-gpu), paced by flips;
// what the display shows equals what we rendered (read back through a writeback connector where the
// driver has one, else from the scanned-out dumb buffer); the state is restored. Differences between
// drivers are found by probing capabilities, never by the driver's name.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AtomicRequest, DrmDevice, DrmError, DrmEvents, DumbBuffer, DRM_FORMAT_XRGB8888, summarizeState, type CrtcId, type StateSummary,
} from "../../src/drm/index.js";
import { drmIoctl } from "../../src/drm/ioctl.js";
import { BackendUnavailableError } from "../../src/present/errors.js";
import { KmsBackend, kmsBackendOpener } from "../../src/present/kms.js";
import { FrameLoop } from "../../src/present/frame-loop.js";
import { Format, Image, ImageUsage, Instance, type Device } from "../../src/vk/index.js";
import { close as closeFd, koffi, mmap, openFdCount, PROT_READ, SysError } from "../../src/sys/libc.js";
import type { Pixels } from "../../src/present/presenter.js";
import { Triangle } from "../../src/scenes/index.js";
import { loadDemoMesh } from "../../src/scenes/index.js";

const CARD = "/dev/dri/card0";
const skipWhy = !existsSync(CARD)
  ? "no /dev/dri/card0 on this machine: run the KMS suite in the VM with test/vm/run-suite.sh"
  : !existsSync("/dev/udmabuf") ? "no /dev/udmabuf: lavapipe cannot export dmabufs here" : "";
if (skipWhy) console.warn(`[kms-present.vm.test] skipped: ${skipWhy}`);

type Shown = { px: Uint32Array; pitch: number; width: number; height: number };

/** Whether the driver imports a lavapipe dmabuf as a framebuffer (undefined), else the error saying why not. */
function primeImportFailure(drm: DrmDevice, device: Device): string | undefined {
  const image = Image.create(device, { width: 64, height: 64, format: Format.VK_FORMAT_B8G8R8A8_UNORM, usage: ImageUsage.colorAttachment, exportDmabuf: {} });
  const exp = image.exportDmabuf();
  try {
    drm.removeFramebuffer(drm.framebufferFromDmabuf({ fd: exp.fd, width: 64, height: 64, format: DRM_FORMAT_XRGB8888, planes: exp.planes }));
    return undefined;
  } catch (e) {
    return (e as Error).message;
  } finally {
    closeFd(exp.fd);
    image.destroy();
  }
}

/** Whether the CRTC counts vblanks (flip events then carry increasing sequence numbers). */
async function countsVblanks(drm: DrmDevice, crtc: CrtcId): Promise<boolean> {
  try {
    await DrmEvents.of(drm).vblank(crtc);
    return true;
  } catch (e) {
    if (e instanceof SysError && e.code === "EOPNOTSUPP") return false;
    throw e;
  }
}

/** What the display shows: through a writeback connector if the driver has one, else the scanned-out buffer. */
function shownOnDisplay(drm: DrmDevice, crtc: CrtcId): Promise<Shown> | Shown {
  const wb = drm.resources().connectors.map((c) => drm.connector(c)).find((c) => c.type === "Writeback");
  return wb ? writeback(drm, crtc) : scannedOut(drm, crtc);
}

/** The primary plane's framebuffer contents (GETFB + MAP_DUMB: a dumb or shmem-backed buffer, as root). */
function scannedOut(drm: DrmDevice, crtc: CrtcId): Shown {
  const plane = summarizeState(drm).planes.find((p) => p.crtc === crtc && p.fb !== undefined);
  expect(plane, `a plane shows a framebuffer on crtc ${crtc}`).toBeDefined();
  const fb = Buffer.alloc(28); // struct drm_mode_fb_cmd { u32 fb_id, width, height, pitch, bpp, depth, handle }
  fb.writeUInt32LE(plane!.fb!, 0);
  drmIoctl(drm.fd, "MODE_GETFB", fb, `framebuffer ${plane!.fb}`);
  const [width, height, pitch, handle] = [fb.readUInt32LE(4), fb.readUInt32LE(8), fb.readUInt32LE(12), fb.readUInt32LE(24)];
  try {
    const map = Buffer.alloc(16); // struct drm_mode_map_dumb { u32 handle, pad; u64 offset }
    map.writeUInt32LE(handle, 0);
    drmIoctl(drm.fd, "MODE_MAP_DUMB", map, `GEM handle ${handle}`);
    const m = mmap(drm.fd, pitch * height, PROT_READ, Number(map.readBigUInt64LE(8)));
    try {
      return { px: new Uint32Array(m.buffer.slice(0)), pitch: pitch / 4, width, height };
    } finally {
      m.unmap();
    }
  } finally {
    const close = Buffer.alloc(8);
    close.writeUInt32LE(handle, 0);
    drmIoctl(drm.fd, "GEM_CLOSE", close, `GEM handle ${handle}`);
  }
}

/** Reads what the CRTC composes through the Writeback-1 connector into a dumb buffer (XRGB8888). */
async function writeback(drm: DrmDevice, crtc: CrtcId): Promise<Shown> {
  const res = drm.resources();
  const wb = res.connectors.map((c) => drm.connector(c)).find((c) => c.type === "Writeback");
  expect(wb, "the driver offers a writeback connector").toBeDefined();
  const crtcInfo = drm.crtc(crtc, res.crtcs);
  const { hdisplay: w, vdisplay: h } = crtcInfo.mode!;
  const buf = DumbBuffer.create(drm, w, h);
  try {
    buf.fill(0x00ff00ff); // magenta: any pixel left unwritten shows
    // vkms cannot clone Virtual-1 and Writeback-1 (possible_clones), so the CRTC feeds only the
    // writeback connector meanwhile; the planes (our framebuffer) stay as they are
    const shown = res.connectors.filter((c) => c !== wb!.id && drm.properties("connector", c).number("CRTC_ID") === crtc);
    // the kernel writes a sync_file fd here; it signals when the writeback is complete
    const fencePtr = Buffer.alloc(4);
    fencePtr.writeInt32LE(-1, 0);
    const swap = (toWriteback: boolean) => {
      const req = new AtomicRequest(drm).connector(wb!.id, toWriteback
        ? { CRTC_ID: crtc, WRITEBACK_FB_ID: buf.fb, WRITEBACK_OUT_FENCE_PTR: koffi.address(fencePtr) as bigint }
        : { CRTC_ID: undefined });
      for (const c of shown) req.connector(c, { CRTC_ID: toWriteback ? undefined : crtc });
      req.commit({ allowModeset: true, preflight: !toWriteback }); // a test-only pass would not fill the fence
    };
    swap(true);
    const fence = fencePtr.readInt32LE(0);
    expect(fence, "writeback out-fence fd").toBeGreaterThanOrEqual(0);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          h.close();
          reject(new Error("writeback fence did not signal within 10 s"));
        }, 10_000);
        const h = koffi.node.poll(fence, { readable: true }, () => {
          clearTimeout(timer);
          h.close();
          resolve();
        });
      });
    } finally {
      closeFd(fence);
    }
    const px = new Uint32Array(buf.pixels.buffer.slice(0));
    swap(false);
    return { px, pitch: buf.pitch / 4, width: w, height: h };
  } finally {
    buf.destroy();
  }
}

function expectSamePixels(shown: Shown, rendered: Pixels): void {
  expect([shown.width, shown.height]).toEqual([rendered.width, rendered.height]);
  let worst = 0;
  let differing = 0;
  const where: string[] = [];
  for (let y = 0; y < rendered.height; y++)
    for (let x = 0; x < rendered.width; x++) {
      const p = shown.px[y * shown.pitch + x]!;
      const o = (y * rendered.width + x) * 4;
      const d = Math.max(
        Math.abs(((p >> 16) & 0xff) - rendered.data[o]!),
        Math.abs(((p >> 8) & 0xff) - rendered.data[o + 1]!),
        Math.abs((p & 0xff) - rendered.data[o + 2]!),
      );
      if (d > 1 && differing++ < 3) where.push(`(${x},${y}) shown ${(p & 0xffffff).toString(16)} rendered ${[0, 1, 2].map((i) => rendered.data[o + i]!.toString(16)).join(",")}`);
      worst = Math.max(worst, d);
    }
  expect(differing, `pixels differing by more than 1 (worst ${worst}) at ${where.join("; ")}`).toBe(0);
  // and the picture is not trivially uniform: the triangle is there
  const center = shown.px[(rendered.height >> 1) * shown.pitch + (rendered.width >> 1)]! & 0xffffff;
  const corner = shown.px[0]! & 0xffffff;
  expect(center).not.toBe(corner);
}

describe.skipIf(!!skipWhy)("KMS presenter (VM)", () => {
  let gpu: Instance;
  let device: Device;
  let drm: DrmDevice;
  let initial: StateSummary;
  /** Why PRIME import fails on this driver (the presenter then copies into dumb buffers), if it does. */
  let noPrime: string | undefined;
  let vblankCounter = true;

  beforeAll(async () => {
    gpu = await Instance.create({ validation: true, requireValidation: true });
    device = gpu.createDevice();
    drm = DrmDevice.open(CARD);
    try {
      drm.setClientCap("writebackConnectors", 1);
    } catch {
      /* a driver without writeback support (virtio-gpu): the display is read back from the scanned-out buffer */
    }
    initial = summarizeState(drm);
    noPrime = primeImportFailure(drm, device);
    vblankCounter = await countsVblanks(drm, initial.crtcs.find((c) => c.active)!.id as CrtcId);
    console.log(`[kms-present.vm.test] ${drm.version().name}: PRIME import ${noPrime ? `fails (${noPrime})` : "works"}, vblank counter ${vblankCounter ? "yes" : "no"}`);
  });
  afterAll(async () => {
    drm?.close();
    device?.destroy();
    gpu?.destroy();
  });

  // PRIME with the kernel waiting on our render fence (IN_FENCE_FD, when the driver exports sync
  // files, as lavapipe does here), PRIME with a CPU wait, and the dumb-buffer copy fallback.
  const variants = [
    { name: "prime, in-fence", path: "prime", sync: "in-fence", options: {}, scene: "triangle" },
    { name: "prime, cpu-wait", path: "prime", sync: "cpu-wait", options: { sync: "cpu-wait" }, scene: "triangle" },
    { name: "dumb-copy", path: "dumb-copy", sync: "cpu-wait", options: { forceCopy: true }, scene: "triangle" },
    // the textured mesh with its depth buffer, rendered straight into scanout images
    { name: "prime, in-fence, textured mesh", path: "prime", sync: "in-fence", options: {}, scene: "mesh" },
  ] as const;
  for (const { name, path, sync, options, scene: sceneName } of variants) {
    it(`${name}: N frames flip in order, the display shows exactly what we rendered, state restored`, async () => {
      const fds = openFdCount();
      const backend = KmsBackend.open(device, { drm, size: [640, 480], ...options });
      const out = new FrameLoop(backend, false);
      const scene = sceneName === "mesh" ? await loadDemoMesh(out) : Triangle.create(out);
      let last: Promise<Pixels> | undefined;
      let seenOnScreen = false;
      try {
        if (noPrime && path === "prime") {
          // the driver cannot scan out our dmabufs: the presenter says why and copies instead
          expect(backend.path).toBe("dumb-copy");
          const anyFd = (m: string | undefined) => m?.replace(/fd \d+/g, "fd N");
          expect(anyFd(backend.fallbackReason)).toBe(anyFd(`dmabuf import failed: ${noPrime}`));
          expect(backend.sync).toBe("cpu-wait");
        } else {
          expect(backend.path, `fallback: ${backend.fallbackReason}`).toBe(path);
          if (sync === "in-fence") expect(device.has("VK_KHR_external_semaphore_fd"), "lavapipe in the VM exports sync files").toBe(true);
          expect(backend.sync).toBe(sync);
        }
        expect(out.size).toEqual([640, 480]);
        const N = 30;
        for await (const frame of out.frames({ limit: N })) {
          scene.update(frame);
          frame.record((cmd) => scene.draw(cmd, frame));
          if (frame.index === N - 1) last = frame.capture();
          if (frame.index === 10) {
            const state = readFileSync("/sys/kernel/debug/dri/0/state", "utf8");
            const fb = /^plane\[\d+\]: plane-0\n\tcrtc=crtc-0\n\tfb=(\d+)/m.exec(state);
            seenOnScreen = !!fb && backend.framebuffers.includes(Number(fb[1]) as never);
          }
        }
        await backend.idle();
        expect(seenOnScreen, "debugfs shows one of our framebuffers on the primary plane mid-run").toBe(true);
        const flips = backend.flipEvents;
        expect(flips).toHaveLength(N);
        for (let i = 1; i < flips.length; i++) {
          expect(flips[i]!.timeUs).toBeGreaterThanOrEqual(flips[i - 1]!.timeUs);
          if (vblankCounter) expect(flips[i]!.sequence).toBeGreaterThan(flips[i - 1]!.sequence);
        }
        const s = backend.stats();
        expect(s.flipsPerSecond).toBeLessThanOrEqual(backend.refresh * 1.05);
        console.log(`[kms-present.vm.test] ${name}: ${JSON.stringify(s)}, loop ${out.stats.fps.toFixed(1)} fps, ${out.stats.cpuMsPerFrame.toFixed(2)} ms CPU/frame`);
        expectSamePixels(await shownOnDisplay(drm, backend.output.crtc), await last!);
      } finally {
        scene.destroy();
        await out.close();
      }
      expect(summarizeState(drm)).toEqual(initial);
      expect(openFdCount()).toBe(fds);
      expect(gpu.validationMessages).toEqual([]);
    });
  }

  describe("the opener used by automatic backend choice, when KMS cannot work here", () => {
    /** What kmsBackendOpener threw, as plain data. */
    async function openerError(options: { connector?: string } = {}) {
      const fds = openFdCount();
      const e = await kmsBackendOpener(gpu, { device, ownsDevice: false, size: [640, 480], ...options }).then(
        async (presenter) => {
          await presenter.close();
          throw new Error("the KMS opener opened");
        },
        (error: unknown) => error as Error,
      );
      expect(openFdCount(), "the opener closed what it opened").toBe(fds);
      expect(summarizeState(drm)).toEqual(initial);
      return e;
    }

    it("another process is DRM master: unavailable, saying so", async () => {
      expect(drm.isMaster(), "this test's own fd holds master").toBe(true);
      const e = await openerError();
      expect(e).toBeInstanceOf(BackendUnavailableError);
      expect(e.message).toBe("kms: /dev/dri/card0: not DRM master (a compositor or another program owns the display)");
    });

    it("any other error propagates unchanged: a connector that does not exist", async () => {
      drm.dropMaster(); // the opener's own fd becomes master
      try {
        const e = await openerError({ connector: "HDMI-A-9" });
        expect(e).not.toBeInstanceOf(BackendUnavailableError);
        expect(e).toBeInstanceOf(DrmError);
        expect(e.message).toMatch(/^no connector named HDMI-A-9 on \/dev\/dri\/card0 \(it has Virtual-1/);
      } finally {
        drm.setMaster();
      }
    });

    const setpriv = spawnSync("setpriv", ["--version"]).status === 0;
    it.skipIf(!setpriv)("permission denied on the node (a user outside the video group): unavailable, naming node and errno", () => {
      // a real unprivileged process: card0 is root-only (0600) in the VM, so open() fails with EACCES
      const child = `
        const { Instance } = await import(${JSON.stringify(`${process.cwd()}/dist/src/vk/index.js`)});
        const { kmsBackendOpener } = await import(${JSON.stringify(`${process.cwd()}/dist/src/present/kms.js`)});
        const gpu = await Instance.create({ validation: true, requireValidation: true });
        const device = gpu.createDevice();
        const e = await kmsBackendOpener(gpu, { device, ownsDevice: false, size: [640, 480] }).then(() => undefined, (e) => e);
        device.destroy();
        console.log(JSON.stringify({ uid: process.getuid(), name: e?.name, backend: e?.backend, message: e?.message, cause: e?.cause?.name, validation: gpu.validationMessages }));
        gpu.destroy();`;
      const out = execFileSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, "--input-type=module", "-e", child], {
        encoding: "utf8", env: { ...process.env, HOME: "/tmp" },
      });
      expect(JSON.parse(out.trim().split("\n").pop()!)).toEqual({
        uid: 65534,
        name: "BackendUnavailableError",
        backend: "kms",
        message: "kms: cannot open DRM device /dev/dri/card0: permission denied (EACCES; needs root or the video group)",
        cause: "DrmUnavailableError",
        validation: [],
      });
    });
  });
});
