// The KMS presenter's second layer on a real kernel: a vkms device of our own (configfs, kernel 7.x in
// the VM) with one output that has an overlay plane and a writeback connector. A HUD with opaque,
// half-transparent and clear parts goes on the overlay plane the driver accepted with TEST_ONLY, and
// what the CRTC composes (read through writeback) is the frame with the HUD blended over it. With the
// refusal faked (forceRefuse: vkms accepts the plane, so only a fake can refuse it) the HUD is composed
// into each frame on the GPU, and the writeback shows the same picture within 1 per channel.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DrmDevice, summarizeState, WritebackCapture, type WritebackFrame } from "../../src/drm/index.js";
import { KmsBackend } from "../../src/present/kms.js";
import { FrameLoop } from "../../src/present/frame-loop.js";
import type { KmsOverlayOptions, OverlayImage } from "../../src/present/kms-overlay.js";
import type { Pixels } from "../../src/present/presenter.js";
import { Triangle } from "../../src/scenes/index.js";
import { openFdCount } from "../../src/sys/libc.js";
import { Instance, type Device } from "../../src/vk/index.js";
import { outputsTopology, VkmsConfigfsDevice, vkmsConfigfsSkipReason } from "../helpers/vkms-configfs.js";

const skipWhy = vkmsConfigfsSkipReason();
if (skipWhy) console.warn(`[overlay.vm.test] skipped: ${skipWhy}`);

/** A 96x64 HUD: an opaque red bar, a half-transparent green block, a clear hole, an alpha ramp in blue. */
function hud(): OverlayImage {
  const width = 96;
  const height = 64;
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const px = y < 16 ? [230, 30, 20, 255] : x < 32 ? [20, 220, 60, 128] : x < 48 ? [0, 0, 0, 0] : [40, 80, 250, Math.round(((x - 48) / 47) * 255)];
      data.set(px, o);
    }
  return { width, height, data };
}

const AT = { x: 120, y: 90 };

/** The frame with the HUD blended over it at AT (straight alpha), as a display would show it. */
function blended(frame: Pixels, layer: OverlayImage): Uint8Array {
  const out = Uint8Array.from(frame.data);
  for (let y = 0; y < layer.height; y++)
    for (let x = 0; x < layer.width; x++) {
      const s = (y * layer.width + x) * 4;
      const d = ((AT.y + y) * frame.width + AT.x + x) * 4;
      const a = layer.data[s + 3]! / 255;
      for (let c = 0; c < 3; c++) out[d + c] = Math.round(layer.data[s + c]! * a + out[d + c]! * (1 - a));
    }
  return out;
}

/** Pixels whose R, G or B differ by more than `tolerance` (the first five, and the count). */
function differences(a: Uint8Array, b: Uint8Array, width: number, tolerance: number): { count: number; first: string[] } {
  expect(a.length).toBe(b.length);
  let count = 0;
  const first: string[] = [];
  for (let i = 0; i < a.length; i += 4)
    for (let c = 0; c < 3; c++)
      if (Math.abs(a[i + c]! - b[i + c]!) > tolerance) {
        count++;
        const p = i / 4;
        if (first.length < 5) first.push(`(${p % width},${Math.floor(p / width)}) ${[...a.subarray(i, i + 3)]} vs ${[...b.subarray(i, i + 3)]}`);
        break;
      }
  return { count, first };
}

describe.skipIf(!!skipWhy)("overlay plane with a TEST_ONLY fallback (VM, vkms through configfs)", () => {
  let vkms: VkmsConfigfsDevice;
  let drm: DrmDevice;
  let gpu: Instance;
  let device: Device;
  const shown: Record<string, { wb: WritebackFrame; frame: Pixels; stats: Record<string, number | string>; overlayFb?: number }> = {};

  beforeAll(async () => {
    vkms = await VkmsConfigfsDevice.create("scanout-overlay", outputsTopology(1, { overlays: 1, writeback: true }));
    drm = DrmDevice.open(vkms.card);
    gpu = await Instance.create({ validation: true, requireValidation: true });
    device = gpu.createDevice();
  });
  afterAll(() => {
    device?.destroy();
    gpu?.destroy();
    drm?.close();
    vkms?.destroy();
  });

  /** Runs the presenter for N frames with the HUD, reads the last frame back and the display through writeback. */
  async function run(name: string, overlay: Omit<KmsOverlayOptions, "image">, forceCopy = false): Promise<void> {
    drm.setClientCap("writebackConnectors", 0); // the state the presenter saves and restores lists no writeback connector
    const initial = summarizeState(drm);
    const fds = openFdCount();
    const image = hud();
    const backend = KmsBackend.open(device, { drm, size: [640, 480], input: false, forceCopy, overlay: { image, ...AT, ...overlay } });
    const out = new FrameLoop(backend, false);
    const scene = Triangle.create(out);
    let last: Promise<Pixels> | undefined;
    let wb: WritebackCapture | undefined;
    try {
      const N = 8;
      for await (const frame of out.frames({ limit: N })) {
        scene.update(frame);
        frame.record((cmd) => scene.draw(cmd, frame));
        if (frame.index === N - 1) last = frame.capture();
      }
      await backend.idle();
      const planeId = backend.features.overlay?.placement.kind === "plane" ? backend.features.overlay.placement.plane : undefined;
      const overlayFb = planeId === undefined ? undefined : drm.plane(planeId).fb;
      wb = await WritebackCapture.attach(drm, backend.output.crtc);
      shown[name] = { wb: await wb.capture(), frame: await last!, stats: backend.stats(), overlayFb };
      console.log(`[overlay.vm.test] ${name}: ${JSON.stringify(backend.stats())}`);
    } finally {
      await wb?.detach();
      drm.setClientCap("writebackConnectors", 0);
      scene.destroy();
      await out.close();
    }
    expect(summarizeState(drm), "the display state is given back").toEqual(initial);
    expect(openFdCount()).toBe(fds);
    expect(gpu.validationMessages).toEqual([]);
  }

  it("the driver accepts the overlay plane: the display shows the frame with the HUD blended over it", async () => {
    await run("plane", {});
    const { wb, frame, stats, overlayFb } = shown.plane!;
    expect(stats.overlay).toMatch(/^plane \d+$/);
    expect(overlayFb, "the overlay plane showed a framebuffer").toBeDefined();
    expect([wb.width, wb.height]).toEqual([frame.width, frame.height]);
    // the frame read back has no HUD (the plane adds it), the display has it
    expect(differences(wb.data, frame.data, wb.width, 1).count).toBeGreaterThan(40 * 64);
    const d = differences(wb.data, blended(frame, hud()), wb.width, 1);
    expect(d.first).toEqual([]);
  });

  it("with TEST_ONLY forced to refuse, the HUD is composed into each frame: the same picture (within 1)", async () => {
    await run("composed", { forceRefuse: true });
    const { wb, frame, stats } = shown.composed!;
    expect(stats.overlay).toBe("composed");
    expect(String(stats.overlayReason)).toMatch(/refused by forceRefuse \(a fake refusal for tests\)/);
    // composed on the GPU: the frame read back has the HUD already, and the display shows exactly it
    expect(differences(wb.data, frame.data, wb.width, 0).first).toEqual([]);
    expect(differences(wb.data, blended(frame, hud()), wb.width, 1).count, "the HUD is in the frame once, not twice").toBeGreaterThan(0);
    const plane = shown.plane;
    if (!plane) throw new Error("the plane run failed, nothing to compare with");
    const d = differences(wb.data, plane.wb.data, wb.width, 1);
    console.log(`[overlay.vm.test] composed vs plane: ${d.count} pixels differ by more than 1`);
    expect(d.first).toEqual([]);
  });

  it("composed on the dumb-buffer copy path too (the layer drawn before the frame is copied out)", async () => {
    await run("composed-copy", { forceRefuse: true }, true);
    const { wb, frame, stats } = shown["composed-copy"]!;
    expect(stats.path).toBe("dumb-copy");
    expect(stats.overlay).toBe("composed");
    expect(differences(wb.data, frame.data, wb.width, 0).first).toEqual([]);
    const plane = shown.plane;
    if (!plane) throw new Error("the plane run failed, nothing to compare with");
    expect(differences(wb.data, plane.wb.data, wb.width, 1).first).toEqual([]);
  });
});
