// Writeback capture (src/drm/writeback.ts) on a real kernel: a vkms device of our own (configfs,
// kernel 7.x in the VM) with a writeback connector on its CRTC. What a plain atomic commit shows (a
// known dumb-buffer pattern) and what our KMS presenter shows (lavapipe frames) come back from the
// writeback connector exactly, while the display connector stays routed (7.x vkms clones them).
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AtomicRequest, DRM_MODE_TYPE_PREFERRED, DrmDevice, DrmError, DrmUnavailableError, DumbBuffer, fixed16, summarizeState, WritebackCapture, writebackConnectors, type CrtcId,
  type PlaneId, type WritebackFrame,
} from "../../src/drm/index.js";
import { KmsBackend } from "../../src/present/kms.js";
import { FrameLoop } from "../../src/present/frame-loop.js";
import type { Pixels } from "../../src/present/presenter.js";
import { Triangle } from "../../src/scenes/index.js";
import { openFdCount } from "../../src/sys/libc.js";
import { Instance, type Device } from "../../src/vk/index.js";
import { outputsTopology, VkmsConfigfsDevice, vkmsConfigfsSkipReason } from "../helpers/vkms-configfs.js";

const skipWhy = vkmsConfigfsSkipReason() ?? (existsSync("/dev/udmabuf") ? undefined : "no /dev/udmabuf: lavapipe cannot export dmabufs here");
if (skipWhy) console.warn(`[writeback.vm.test] skipped: ${skipWhy}`);

/** The XRGB8888 pattern's pixel at x, as RGBA: DumbBuffer.fillPattern's colour bars. */
function patternRgba(buf: DumbBuffer, x: number, y: number): number[] {
  const px = new Uint32Array(buf.pixels.buffer)[y * (buf.pitch / 4) + x]!;
  return [(px >> 16) & 0xff, (px >> 8) & 0xff, px & 0xff, 255];
}

function differences(a: Pixels | WritebackFrame, b: Pixels, tolerance: number): string[] {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  const out: string[] = [];
  for (let i = 0; i < a.data.length; i += 4)
    for (let c = 0; c < 3; c++)
      if (Math.abs(a.data[i + c]! - b.data[i + c]!) > tolerance) {
        const p = i / 4;
        if (out.length < 5) out.push(`(${p % a.width},${Math.floor(p / a.width)}) ${[...a.data.subarray(i, i + 4)]} vs ${[...b.data.subarray(i, i + 4)]}`);
        break;
      }
  return out;
}

describe.skipIf(!!skipWhy)("writeback capture (VM, vkms through configfs)", () => {
  let vkms: VkmsConfigfsDevice;
  let drm: DrmDevice;
  let crtc: CrtcId;

  beforeAll(async () => {
    vkms = await VkmsConfigfsDevice.create("scanout-writeback", outputsTopology(1, { writeback: true }));
    drm = DrmDevice.open(vkms.card);
    crtc = drm.resources().crtcs[0]!;
  });
  afterAll(() => {
    drm?.close();
    vkms?.destroy();
  });

  it("lists the writeback connector with its CRTC and formats", () => {
    const wb = writebackConnectors(drm);
    expect(wb).toHaveLength(1);
    expect(wb[0]!.name).toMatch(/^Writeback-\d+$/);
    expect(wb[0]!.possibleCrtcs).toEqual([crtc]);
    expect(wb[0]!.formats.map((f) => String.fromCharCode(f & 0xff, (f >> 8) & 0xff, (f >> 16) & 0xff, f >>> 24))).toEqual(
      expect.arrayContaining(["XR24", "AR24", "AB24", "XR48", "AR48"]),
    );
  });

  it("a dumb-buffer pattern committed on the CRTC comes back exactly, in 8 and 16 bits per channel, the display still routed", async () => {
    const conn = vkms.connector(0).id;
    const mode = drm.connector(conn).modes.find((m) => m.type & DRM_MODE_TYPE_PREFERRED) ?? drm.connector(conn).modes[0]!;
    const buf = DumbBuffer.create(drm, mode.hdisplay, mode.vdisplay);
    buf.fillPattern(3);
    // a coloured square in a corner, so orientation errors show
    const px = new Uint32Array(buf.pixels.buffer);
    for (let y = 0; y < 16; y++) px.fill(0x123456, y * (buf.pitch / 4), y * (buf.pitch / 4) + 16);
    const plane = drm.planes().find((p) => drm.plane(p).type === "Primary")! as PlaneId;
    const blob = drm.createModeBlob(mode);
    const wasActive = drm.crtc(crtc).mode !== undefined;
    new AtomicRequest(drm)
      .crtc(crtc, { ACTIVE: true, MODE_ID: blob })
      .connector(conn, { CRTC_ID: crtc })
      .plane(plane, {
        FB_ID: buf.fb, CRTC_ID: crtc, SRC_X: fixed16(0), SRC_Y: fixed16(0), SRC_W: fixed16(mode.hdisplay), SRC_H: fixed16(mode.vdisplay),
        CRTC_X: 0, CRTC_Y: 0, CRTC_W: mode.hdisplay, CRTC_H: mode.vdisplay,
      })
      .commit({ allowModeset: true });
    const wb = await WritebackCapture.attach(drm, crtc);
    try {
      expect(drm.properties("connector", conn).number("CRTC_ID"), "7.x vkms clones: the display connector stays on the CRTC").toBe(crtc);
      const f8 = await wb.capture();
      expect([f8.width, f8.height]).toEqual([mode.hdisplay, mode.vdisplay]);
      const bad: string[] = [];
      for (let y = 0; y < f8.height && bad.length < 5; y += 7)
        for (let x = 0; x < f8.width && bad.length < 5; x++) {
          const want = patternRgba(buf, x, y);
          const got = [...f8.data.subarray((y * f8.width + x) * 4, (y * f8.width + x) * 4 + 4)];
          if (got.join() !== want.join()) bad.push(`(${x},${y}) ${got} want ${want}`);
        }
      expect(bad).toEqual([]);
      expect([...f8.data.subarray(0, 4)]).toEqual([0x12, 0x34, 0x56, 255]);
      const f16 = await wb.capture({ depth: 16 });
      expect(f16.data).toBeInstanceOf(Uint16Array);
      // 8-bit values widen by * 257 in vkms's 16-bit composition, exactly
      expect([...f16.data.subarray(0, 4)]).toEqual([0x12 * 257, 0x34 * 257, 0x56 * 257, 0xffff]);
      for (let i = 0; i < f8.data.length; i += 997) expect(f16.data[i], `channel ${i}`).toBe(f8.data[i]! * 257);
    } finally {
      await wb.detach();
      if (!wasActive) new AtomicRequest(drm).crtc(crtc, { ACTIVE: false, MODE_ID: undefined }).connector(conn, { CRTC_ID: undefined }).plane(plane, { FB_ID: undefined, CRTC_ID: undefined }).commit({ allowModeset: true });
      drm.destroyBlob(blob);
      buf.destroy();
    }
    expect(drm.properties("connector", writebackConnectors(drm)[0]!.id).number("CRTC_ID"), "detached").toBe(0);
  });

  it("errors: an inactive CRTC, a CRTC without writeback", async () => {
    const off = drm.crtc(crtc).mode === undefined;
    if (off) await expect(WritebackCapture.attach(drm, crtc)).rejects.toThrow(DrmError);
    await expect(WritebackCapture.attach(drm, 9999 as CrtcId)).rejects.toThrow(DrmUnavailableError);
    await expect(WritebackCapture.attach(drm, 9999 as CrtcId)).rejects.toThrow(/no writeback connector can capture crtc 9999 \(writeback connectors: Writeback-\d+ \(id \d+, crtcs \d+\)\)/);
  });

  describe("our KMS presenter", () => {
    let gpu: Instance;
    let device: Device;
    beforeAll(async () => {
      gpu = await Instance.create({ validation: true, requireValidation: true });
      device = gpu.createDevice();
    });
    afterAll(() => {
      device?.destroy();
      gpu?.destroy();
    });

    it("what it shows is what it rendered, read through writeback between its flips; the state is restored", async () => {
      drm.setClientCap("writebackConnectors", 0); // the state the presenter saves and restores lists no writeback connector
      const initial = summarizeState(drm);
      const fds = openFdCount();
      const backend = KmsBackend.open(device, { drm, size: [640, 480] });
      const out = new FrameLoop(backend, false);
      const scene = Triangle.create(out);
      let last: Promise<Pixels> | undefined;
      let mid: WritebackFrame | undefined;
      let wb: WritebackCapture | undefined;
      try {
        const N = 20;
        for await (const frame of out.frames({ limit: N })) {
          scene.update(frame);
          frame.record((cmd) => scene.draw(cmd, frame));
          if (frame.index === 5) {
            // attached while frames flip: a modeset between two of the presenter's commits
            wb = await WritebackCapture.attach(drm, backend.output.crtc);
            mid = await wb.capture();
          }
          if (frame.index === N - 1) last = frame.capture();
        }
        await backend.idle();
        const shown = await wb!.capture();
        expect(differences(shown, await last!, 1)).toEqual([]);
        // mid-run the triangle was already there (not the fbcon console, not black)
        const c = ((mid!.height >> 1) * mid!.width + (mid!.width >> 1)) * 4;
        expect([...mid!.data.subarray(c, c + 3)]).not.toEqual([...mid!.data.subarray(0, 3)]);
        // the attach's modeset lands between two flips; under load it can take that frame's slot (19
        // flips seen twice with other VM files running), which costs one flip, never more
        expect(backend.flipEvents.length).toBeGreaterThanOrEqual(N - 1);
        expect(backend.flipEvents.length).toBeLessThanOrEqual(N);
      } finally {
        await wb?.detach();
        drm.setClientCap("writebackConnectors", 0);
        scene.destroy();
        await out.close();
      }
      expect(summarizeState(drm)).toEqual(initial);
      expect(openFdCount()).toBe(fds);
      expect(gpu.validationMessages).toEqual([]);
    });
  });
});
