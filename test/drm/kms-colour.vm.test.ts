// The KMS presenter's colour on a real kernel (test/vm/run-suite.sh test/drm/kms-colour.vm.test.ts):
// a vkms device of our own (configfs, kernel 7.x) with a writeback connector. vkms's connector has no
// HDR_OUTPUT_METADATA and no Colorspace, so hdr10 and display-p3 become sRGB with the reason, and
// the frame still shows: what the writeback connector reads back equals the headless render of the
// same frozen frame in the colour in effect (±1 per channel). A 16-bpc request scans out XB48 and
// reads back deeper than 8 bits. Every run leaves the display's state as it found it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DrmDevice, summarizeState, WritebackCapture, type CrtcId } from "../../src/drm/index.js";
import { KmsBackend } from "../../src/present/kms.js";
import { FrameLoop } from "../../src/present/frame-loop.js";
import { createHeadlessPresenter, type ColourChoice, type ChannelDepth, type Pixels } from "../../src/index.js";
import { loadDemoMesh } from "../../src/scenes/index.js";
import { openFdCount } from "../../src/sys/libc.js";
import { Instance, type Device } from "../../src/vk/index.js";
import { captureFrame } from "../helpers/capture.js";
import { outputsTopology, VkmsConfigfsDevice, vkmsConfigfsSkipReason } from "../helpers/vkms-configfs.js";

const skipWhy = vkmsConfigfsSkipReason();
if (skipWhy) console.warn(`[kms-colour.vm.test] skipped: ${skipWhy}`);
const log = (s: string) => console.log(`[kms-colour.vm.test] ${s}`);
/** The demo's HDR scene frozen at 2 s: a 1000-nit panel over the room. */
const SCENE = { highlightNits: 1000 };
const AT = { frozenTime: 2 };

/** Largest |a - b| per channel (r, g, b) and the pixel where the worst one is. */
function worst(w: number, h: number, a: (i: number) => number, b: (i: number) => number): { max: number[]; at: string } {
  const max = [0, 0, 0];
  let at = "";
  for (let p = 0; p < w * h; p++)
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(a(p * 4 + c) - b(p * 4 + c));
      if (d > max[c]!) {
        max[c] = d;
        at = `(${p % w},${Math.floor(p / w)}) channel ${c}: ${a(p * 4 + c)} vs ${b(p * 4 + c)}`;
      }
    }
  return { max, at };
}

describe.skipIf(!!skipWhy)("KMS presenter colour (VM, vkms through configfs, writeback)", () => {
  let vkms: VkmsConfigfsDevice;
  let drm: DrmDevice;
  let crtc: CrtcId;
  let gpu: Instance;
  let device: Device;
  let reference: Pixels;
  let size: [number, number];

  beforeAll(async () => {
    vkms = await VkmsConfigfsDevice.create("scanout-kms-colour", outputsTopology(1, { writeback: true }));
    drm = DrmDevice.open(vkms.card);
    crtc = drm.resources().crtcs[0]!;
    gpu = await Instance.create({ validation: true, requireValidation: true });
    device = gpu.createDevice();
    const mode = drm.connector(vkms.connector(0).id).modes[0]!;
    size = [mode.hdisplay, mode.vdisplay];
    // what the colour in effect (sRGB) looks like, rendered headless
    const out = createHeadlessPresenter(device, { size, color: "srgb" });
    reference = await captureFrame(out, await loadDemoMesh(out, SCENE), 0, AT);
  }, 300_000);
  afterAll(() => {
    device?.destroy();
    gpu?.destroy();
    drm?.close();
    vkms?.destroy();
  });

  /** Presents the frozen scene for a few frames with `color`, reads what the CRTC shows through writeback, closes, and checks the state came back. */
  async function present(color: ColourChoice, depth?: ChannelDepth, forceCopy = false) {
    drm.setClientCap("writebackConnectors", 0); // the state the presenter saves lists no writeback connector
    const initial = summarizeState(drm);
    const fds = openFdCount();
    const backend = KmsBackend.open(device, { drm, size, color, depth, forceCopy, input: false });
    const out = new FrameLoop(backend, false);
    const scene = await loadDemoMesh(out, SCENE);
    let wb: WritebackCapture | undefined;
    try {
      for await (const frame of out.frames({ ...AT, limit: 3 })) {
        scene.update(frame);
        frame.record((cmd) => scene.draw(cmd, frame));
      }
      await backend.idle();
      wb = await WritebackCapture.attach(drm, crtc);
      const shown8 = await wb.capture();
      const shown16 = await wb.capture({ depth: 16 });
      return { backend, stats: out.stats, shown8, shown16, extra: backend.stats() };
    } finally {
      await wb?.detach();
      drm.setClientCap("writebackConnectors", 0);
      scene.destroy();
      await out.close();
      expect(summarizeState(drm), "the display's state is restored").toEqual(initial);
      expect(openFdCount()).toBe(fds);
      expect(gpu.validationMessages).toEqual([]);
    }
  }

  for (const color of ["hdr10", "display-p3"] as const) {
    it(`${color} on a connector without the HDR properties: sRGB with the reason, and the frame equals the headless sRGB render (±1)`, async () => {
      const r = await present(color);
      log(`${color}: ${JSON.stringify(r.stats.colour)} path ${r.extra.path}`);
      expect(r.backend.colour.space.name).toBe("srgb");
      expect(r.stats.colour!.inEffect).toBe("srgb (srgb, gamma22, 8-bit XR24)");
      expect(r.stats.colour!.reason).toMatch(color === "hdr10" ? /Virtual-\d+|connector \d+/ : /Display P3 \(Colorspace property missing\)/);
      if (color === "hdr10") expect(r.stats.colour!.reason).toBe(`connector ${vkms.connector(0).id} has no HDR_OUTPUT_METADATA property (the driver cannot send HDR metadata)`);
      const d = worst(size[0], size[1], (i) => r.shown8.data[i]!, (i) => reference.data[i]!);
      log(`${color}: writeback vs headless srgb, max difference r,g,b ${d.max} ${d.at}`);
      expect(d.max.every((m) => m <= 1), d.at).toBe(true);
    }, 300_000);
  }

  for (const path of ["prime", "dumb-copy"] as const) {
    it(`depth 16, ${path}: XBGR16161616 scanout (R16G16B16A16_UNORM), read back deeper than 8 bits, equal to the headless render (±1 of 8 bits)`, async () => {
      const r = await present("srgb", 16, path === "dumb-copy");
      log(`depth 16: ${JSON.stringify(r.stats.colour)} path ${r.extra.path}`);
      expect(r.extra.path).toBe(path);
      expect(r.stats.colour!.inEffect).toBe("srgb (srgb, gamma22, 16-bit XB48)");
      expect(r.extra.format).toBe("XB48");
      const d = worst(size[0], size[1], (i) => r.shown16.data[i]! / 257, (i) => reference.data[i]!);
      log(`depth 16: writeback/257 vs headless srgb 8-bit, max difference r,g,b ${d.max.map((m) => m.toFixed(2))} ${d.at}`);
      expect(d.max.every((m) => m <= 1), d.at).toBe(true);
      // an 8-bit scanout widens to multiples of 257 exactly; this one carries values between them
      let between = 0;
      for (let i = 0; i < r.shown16.data.length; i++) if (i % 4 !== 3 && r.shown16.data[i]! % 257 !== 0) between++;
      log(`depth 16: ${between} of ${(r.shown16.data.length / 4) * 3} channel values lie between 8-bit steps`);
      expect(between).toBeGreaterThan(1000);
    }, 300_000);
  }
});
