// KMS colour on vkms in the VM (test/vm/run-suite.sh test/drm/colour.vm.test.ts): a 16-bpc plane, a
// CRTC gamma LUT and a plane colour pipeline (kernel 6.19+), each read back through the writeback
// connector and compared with the same transform computed here on the CPU (±1 per channel). The
// pattern covers every 8-bit value in every channel. Skips elsewhere, saying why.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AtomicRequest, BlobBag, chooseOutput, crtcColourSupport, describePipeline, DRM_FORMAT_XRGB16161616, DrmDevice, DumbBuffer,
  enableColorPipelines, fixed16, fourcc, fourccName, planKmsColour, applyKmsColour, readColorPipelines, sampleLut, setCrtcColour,
  setPlaneColour, restoreState, saveState, type BlobId, type ConnectorId, type FbId, type KmsState, type Output, type LutEntry,
} from "../../src/drm/index.js";
import { close as closeFd, koffi } from "../../src/sys/libc.js";

const XR24 = fourcc("XR24");
const inVm = existsSync("/sys/module/vkms");
const skipWhy = !inVm ? "no vkms module: run in the VM with test/vm/run-suite.sh test/drm/colour.vm.test.ts" : "";
if (skipWhy) console.warn(`[colour.vm.test] skipped: ${skipWhy}`);
const kernel = readFileSync("/proc/sys/kernel/osrelease", "utf8").trim();
const log = (s: string) => console.log(`[colour.vm.test ${kernel}] ${s}`);

/** The vkms card: the first /dev/dri/cardN whose device is vkms's (a platform device on 6.12, on the faux bus on 7.x). */
function vkmsCard(): string | undefined {
  for (let i = 0; i < 8; i++) {
    const dev = `/sys/class/drm/card${i}/device`;
    if (existsSync(dev) && realpathSync(dev).split("/").pop() === "vkms") return `/dev/dri/card${i}`;
  }
  return undefined;
}

const PARAMS = "/sys/module/vkms/parameters";
const param = (name: string): string | undefined => (existsSync(`${PARAMS}/${name}`) ? readFileSync(`${PARAMS}/${name}`, "utf8").trim() : undefined);

/**
 * On 6.19+ vkms gives the default device's planes a colour pipeline only with enable_plane_pipeline=1, and configfs
 * devices (7.3) never have one. When the suite loaded vkms otherwise, it is reloaded with a default device and pipelines
 * for this file (the guest is ours alone; files run one at a time) and put back as it was afterwards. Returns the
 * parameters to reload with afterwards, or the reason it could not.
 */
function vkmsWithPipelines(): { restore: string[] | undefined } | { reason: string } {
  const pipeline = param("enable_plane_pipeline");
  if (pipeline === undefined) return { restore: undefined }; // a kernel before 6.19: nothing to reload for
  const defaultDev = param("create_default_dev") ?? "Y";
  if (pipeline === "Y" && defaultDev === "Y") return { restore: undefined };
  const was = ["enable_plane_pipeline", "create_default_dev", "enable_writeback", "enable_overlay", "enable_cursor"]
    .flatMap((n) => (param(n) === undefined ? [] : [`${n}=${param(n) === "Y" ? 1 : 0}`]));
  try {
    execFileSync("modprobe", ["-r", "vkms"], { stdio: "pipe" });
    execFileSync("modprobe", ["vkms", "enable_plane_pipeline=1", "create_default_dev=1", "enable_writeback=1"], { stdio: "pipe" });
    return { restore: was };
  } catch (e) {
    return { reason: `reloading vkms with enable_plane_pipeline=1 failed (${(e as { stderr?: Buffer }).stderr?.toString().trim() || e}); it was loaded with ${was.join(" ")}` };
  }
}

/** A CPU-written scanout buffer of 32 (XRGB8888) or 64 (XRGB16161616) bits per pixel with its framebuffer. */
function scanoutBuffer(dev: DrmDevice, w: number, h: number, format: number): { buf: DumbBuffer; fb: FbId } {
  const buf = DumbBuffer.create(dev, w, h, format === DRM_FORMAT_XRGB16161616 ? 64 : 32);
  const fb = dev.addFramebuffer({ width: w, height: h, format, handles: [buf.handle], pitches: [buf.pitch], offsets: [0] });
  return { buf, fb };
}

/** 16-bit r, g, b of the test pattern at (x, y): every 8-bit value in every channel over a 256-wide stretch, channels decorrelated. */
function pattern8(x: number, y: number): [number, number, number] {
  return [x & 255, (x * 3 + y) & 255, (x * 7 + y * 5 + 11) & 255];
}

/** What the CRTC composes, read through the writeback connector into a buffer of `format`. */
async function writeback(dev: DrmDevice, out: Output, wb: ConnectorId, format: number): Promise<{ data: Buffer; pitch: number }> {
  const { hdisplay: w, vdisplay: h } = out.mode;
  const { buf, fb } = scanoutBuffer(dev, w, h, format);
  try {
    const fencePtr = Buffer.alloc(4);
    fencePtr.writeInt32LE(-1, 0);
    // vkms cannot feed the display and the writeback connector at once: the CRTC feeds only the latter meanwhile
    const swap = (toWriteback: boolean) =>
      new AtomicRequest(dev)
        .connector(wb, toWriteback ? { CRTC_ID: out.crtc, WRITEBACK_FB_ID: fb, WRITEBACK_OUT_FENCE_PTR: koffi.address(fencePtr) as bigint } : { CRTC_ID: undefined })
        .connector(out.connector.id, { CRTC_ID: toWriteback ? undefined : out.crtc })
        .commit({ allowModeset: true, preflight: !toWriteback });
    swap(true);
    const fence = fencePtr.readInt32LE(0);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => (handle.close(), reject(new Error("writeback fence did not signal within 20 s"))), 20_000);
        const handle = koffi.node.poll(fence, { readable: true }, () => (clearTimeout(timer), handle.close(), resolve()));
      });
    } finally {
      closeFd(fence);
    }
    const data = Buffer.from(buf.pixels.buffer.slice(0));
    swap(false);
    return { data, pitch: buf.pitch };
  } finally {
    dev.removeFramebuffer(fb);
    buf.destroy();
  }
}

/** Largest |written back - expected| per channel over the frame, for 8-bit (XRGB8888) read-backs. */
function compare8(data: Buffer, pitch: number, w: number, h: number, expected: (x: number, y: number) => readonly number[]): number[] {
  const worst = [0, 0, 0];
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const o = y * pitch + x * 4;
      const got = [data[o + 2]!, data[o + 1]!, data[o]!];
      const want = expected(x, y);
      for (let c = 0; c < 3; c++) worst[c] = Math.max(worst[c]!, Math.abs(got[c]! - want[c]!));
    }
  return worst;
}

describe.skipIf(!!skipWhy)(`KMS colour through vkms writeback (VM, ${kernel})`, () => {
  let dev: DrmDevice;
  let out: Output;
  let wb: ConnectorId;
  let saved: KmsState;
  let wbFormats: number[] = [];
  let skipAll = "";
  let modeBlob: BlobId;
  const W = () => out.mode.hdisplay;
  const H = () => out.mode.vdisplay;
  let reload: string[] | undefined;

  beforeAll(() => {
    const r = vkmsWithPipelines();
    if ("reason" in r) log(r.reason);
    else reload = r.restore;
    if (reload) log(`vkms reloaded with enable_plane_pipeline=1 create_default_dev=1 for this file (was ${reload.join(" ")})`);
    const card = vkmsCard();
    if (!card) {
      skipAll = "no vkms card (with VMTEST_VKMS=configfs, a test must build a device first)";
      return;
    }
    dev = DrmDevice.open(card);
    dev.setMaster();
    try {
      dev.setClientCap("writebackConnectors", 1);
    } catch (e) {
      skipAll = `writeback connectors refused: ${e instanceof Error ? e.message : e}`;
      return;
    }
    const res = dev.resources();
    const wbConn = res.connectors.map((c) => dev.connector(c)).find((c) => c.type === "Writeback");
    if (!wbConn) {
      skipAll = `${card} has no writeback connector (vkms enable_writeback=${readFileSync("/sys/module/vkms/parameters/enable_writeback", "utf8").trim()})`;
      return;
    }
    wb = wbConn.id;
    const blob = dev.properties("connector", wb).blob("WRITEBACK_PIXEL_FORMATS");
    const f = blob === undefined ? Buffer.alloc(0) : dev.blob(blob);
    wbFormats = Array.from({ length: f.length / 4 }, (_, i) => f.readUInt32LE(i * 4));
    out = chooseOutput(dev);
    saved = saveState(dev);
    modeBlob = dev.createModeBlob(out.mode);
    log(`${card}: ${out.connector.name} ${W()}x${H()}, crtc ${out.crtc}, plane ${out.plane.id}; writeback formats ${wbFormats.map(fourccName).join(" ")}; plane formats ${out.plane.formats.map(fourccName).join(" ")}`);
  });

  afterAll(() => {
    if (dev) {
      if (saved) restoreState(dev, saved);
      if (modeBlob !== undefined) dev.destroyBlob(modeBlob);
      dev.close();
    }
    if (reload) {
      execFileSync("modprobe", ["-r", "vkms"], { stdio: "pipe" });
      execFileSync("modprobe", ["vkms", ...reload], { stdio: "pipe" });
    }
  });

  /** Shows `fb` full screen (a modeset), with `extra` (colour settings) in the same commit. */
  function show(fb: FbId, extra?: (req: AtomicRequest) => void): void {
    const req = new AtomicRequest(dev)
      .connector(out.connector.id, { CRTC_ID: out.crtc })
      .crtc(out.crtc, { ACTIVE: true, MODE_ID: modeBlob })
      .plane(out.plane.id, {
        FB_ID: fb, CRTC_ID: out.crtc, SRC_X: fixed16(0), SRC_Y: fixed16(0), SRC_W: fixed16(W()), SRC_H: fixed16(H()),
        CRTC_X: 0, CRTC_Y: 0, CRTC_W: W(), CRTC_H: H(),
      });
    extra?.(req);
    req.commit({ allowModeset: true });
  }

  /** An XRGB8888 frame of pattern8. */
  function pattern8Frame(): { buf: DumbBuffer; fb: FbId } {
    const s = scanoutBuffer(dev, W(), H(), XR24);
    const px = new Uint32Array(s.buf.pixels.buffer);
    for (let y = 0; y < H(); y++)
      for (let x = 0; x < W(); x++) {
        const [r, g, b] = pattern8(x, y);
        px[(y * s.buf.pitch) / 4 + x] = (r << 16) | (g << 8) | b;
      }
    return s;
  }

  it("the writeback read-back is faithful: the 8-bit pattern comes back unchanged with no colour set (the baseline the transforms are measured against)", async (ctx) => {
    if (skipAll) ctx.skip();
    const s = pattern8Frame();
    try {
      show(s.fb);
      const r = await writeback(dev, out, wb, XR24);
      const worst = compare8(r.data, r.pitch, W(), H(), pattern8);
      log(`baseline: max |diff| r,g,b = ${worst.join(",")}`);
      expect(worst).toEqual([0, 0, 0]);
    } finally {
      dev.removeFramebuffer(s.fb);
      s.buf.destroy();
    }
  });

  it("a 16-bpc plane (XRGB16161616) scans out all 16 bits: written back as XRGB16161616, every channel within ±1 of what was written", async (ctx) => {
    if (skipAll) ctx.skip();
    if (!out.plane.formats.includes(DRM_FORMAT_XRGB16161616)) return ctx.skip();
    if (!wbFormats.includes(DRM_FORMAT_XRGB16161616)) return ctx.skip();
    const w = W();
    const h = H();
    // values that are not multiples of 257: an 8-bit path anywhere would lose their low byte (errors up to 128)
    const val = (x: number, y: number, c: number) => (x * 64 + y * 37 + c * 12345 + 7) & 0xffff;
    const s = scanoutBuffer(dev, w, h, DRM_FORMAT_XRGB16161616);
    const view = new DataView(s.buf.pixels.buffer);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const o = y * s.buf.pitch + x * 8;
        view.setUint16(o + 4, val(x, y, 0), true);
        view.setUint16(o + 2, val(x, y, 1), true);
        view.setUint16(o, val(x, y, 2), true);
        view.setUint16(o + 6, 0xffff, true);
      }
    try {
      show(s.fb);
      const r = await writeback(dev, out, wb, DRM_FORMAT_XRGB16161616);
      const worst = [0, 0, 0];
      let lowByteSeen = 0;
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const o = y * r.pitch + x * 8;
          const got = [r.data.readUInt16LE(o + 4), r.data.readUInt16LE(o + 2), r.data.readUInt16LE(o)];
          for (let c = 0; c < 3; c++) {
            worst[c] = Math.max(worst[c]!, Math.abs(got[c]! - val(x, y, c)));
            if (got[c]! % 257 !== 0) lowByteSeen++;
          }
        }
      log(`16-bpc plane -> XRGB16161616 writeback: max |diff| r,g,b = ${worst.join(",")} (of 65535); ${lowByteSeen} of ${w * h * 3} channel values carry bits an 8-bit path would drop`);
      expect(worst.every((d) => d <= 1)).toBe(true);
      expect(lowByteSeen).toBeGreaterThan(w * h * 3 * 0.9);
    } finally {
      dev.removeFramebuffer(s.fb);
      s.buf.destroy();
    }
  });

  it("a CRTC gamma LUT (GAMMA_LUT_SIZE entries, a different curve per channel) applies as computed on the CPU, ±1 per channel", async (ctx) => {
    if (skipAll) ctx.skip();
    const support = crtcColourSupport(dev.properties("crtc", out.crtc));
    log(`crtc ${out.crtc} colour: gamma ${support.gammaSize}, degamma ${support.degammaSize}, CTM ${support.ctm}`);
    if (support.gammaSize === 0) return ctx.skip();
    const curve = (x: number): LutEntry => [x ** (1 / 2.2), 1 - x, x ** 2.4];
    const lut = sampleLut(support.gammaSize, curve);
    // what the CRTC lacks, or a LUT of another size, is refused before the kernel sees it, naming the CRTC
    const probe = new AtomicRequest(dev);
    const none = new BlobBag(dev);
    if (!support.ctm) expect(() => setCrtcColour(probe, out.crtc, support, { ctm: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, none)).toThrow(`crtc ${out.crtc} has no CTM`);
    expect(() => setCrtcColour(probe, out.crtc, support, { gamma: sampleLut(17, (x) => x) }, none)).toThrow(`GAMMA_LUT has 17 entries, the CRTC takes ${support.gammaSize}`);
    expect(none.size).toBe(0);
    const s = pattern8Frame();
    const blobs = new BlobBag(dev);
    try {
      show(s.fb, (req) => setCrtcColour(req, out.crtc, support, { gamma: lut }, blobs));
      const r = await writeback(dev, out, wb, XR24);
      // the CPU's version: each 8-bit channel through its curve, linearly interpolated between LUT entries as 16-bit values
      const n = support.gammaSize;
      const u16lut = lut.map((e) => e.map((v) => Math.round(v * 65535)));
      const apply = (v8: number, c: number) => {
        const pos = ((v8 * 257) / 65535) * (n - 1);
        const i = Math.min(Math.floor(pos), n - 1);
        const j = Math.min(i + 1, n - 1);
        const v16 = u16lut[i]![c]! + (u16lut[j]![c]! - u16lut[i]![c]!) * (pos - i);
        return Math.round(v16 / 257);
      };
      const worst = compare8(r.data, r.pitch, W(), H(), (x, y) => pattern8(x, y).map((v, c) => apply(v, c)));
      // how far the LUT moved the pixels: a test that passes with the LUT ignored would prove nothing
      const moved = compare8(r.data, r.pitch, W(), H(), pattern8);
      log(`gamma LUT (${n} entries; r x^(1/2.2), g 1-x, b x^2.4): max |diff| vs CPU r,g,b = ${worst.join(",")}; vs the unchanged pattern ${moved.join(",")}`);
      expect(worst.every((d) => d <= 1)).toBe(true);
      expect(Math.min(...moved)).toBeGreaterThan(50);
    } finally {
      show(s.fb, (req) => setCrtcColour(req, out.crtc, support, { gamma: null }, blobs));
      blobs.release();
      dev.removeFramebuffer(s.fb);
      s.buf.destroy();
    }
  });

  it("HDR10 asked of a connector without HDR_OUTPUT_METADATA: planKmsColour says sRGB and why, and the frame still shows", async (ctx) => {
    if (skipAll) ctx.skip();
    const props = dev.properties("connector", out.connector.id);
    if (props.has("HDR_OUTPUT_METADATA")) return ctx.skip(); // this driver has it: the reason path is not reachable here
    const plan = planKmsColour(props, { encoding: "hdr10", bitsPerChannel: 10 });
    log(`hdr10 on ${out.connector.name}: in effect ${plan.inEffect} (${plan.reason})`);
    expect(plan.inEffect).toBe("srgb");
    expect(plan.reason).toMatch(/has no HDR_OUTPUT_METADATA property/);
    const s = pattern8Frame();
    const blobs = new BlobBag(dev);
    try {
      let result: ReturnType<typeof applyKmsColour> | undefined;
      show(s.fb, (req) => (result = applyKmsColour(req, out.connector.id, props, plan, blobs)));
      expect(result!.missing).toEqual([]);
      const r = await writeback(dev, out, wb, XR24);
      expect(compare8(r.data, r.pitch, W(), H(), pattern8)).toEqual([0, 0, 0]);
    } finally {
      blobs.release();
      dev.removeFramebuffer(s.fb);
      s.buf.destroy();
    }
  });

  it("a plane colour pipeline (sRGB EOTF -> 3x4 matrix -> sRGB inverse EOTF) converts as computed on the CPU, ±1 per channel", async (ctx) => {
    if (skipAll) ctx.skip();
    const why = enableColorPipelines(dev);
    if (why) {
      log(`colour pipeline: ${why}`);
      return ctx.skip();
    }
    const pipelines = readColorPipelines(dev, out.plane.id);
    log(`plane ${out.plane.id} pipelines: ${pipelines.map(describePipeline).join("; ") || "none"}`);
    if (pipelines.length === 0) return ctx.skip();
    // in linear light: channels mixed (rows sum to at most 1, so nothing clips). No offsets (4th column): vkms 7.3
    // adds them in its 16-bit integer units (an offset of 0.05 moves a channel by 0.05/65535, seen as a blue error
    // of up to 63 of 255 against offsets meant on the 0..1 scale), so they are left out of this proof.
    const m = [0.6, 0.3, 0.1, 0, 0, 0.2, 0.8, 0, 0.5, 0, 0.45, 0];
    const eotf = (v: number) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    const inv = (l: number) => (l <= 0.0031308 ? l * 12.92 : 1.055 * l ** (1 / 2.4) - 0.055);
    const cpu = (x: number, y: number) => {
      const lin = pattern8(x, y).map((v) => eotf(v / 255));
      return [0, 1, 2].map((r) => {
        const l = m[r * 4]! * lin[0]! + m[r * 4 + 1]! * lin[1]! + m[r * 4 + 2]! * lin[2]! + m[r * 4 + 3]!;
        return Math.round(inv(Math.min(1, Math.max(0, l))) * 255);
      });
    };
    const s = pattern8Frame();
    const blobs = new BlobBag(dev);
    try {
      let used: ReturnType<typeof setPlaneColour> | undefined;
      show(s.fb, (req) => (used = setPlaneColour(req, out.plane.id, pipelines, [{ curve: "sRGB EOTF" }, { matrix: m }, { curve: "sRGB Inverse EOTF" }], blobs)));
      expect(used).toHaveProperty("pipeline");
      const r = await writeback(dev, out, wb, XR24);
      const worst = compare8(r.data, r.pitch, W(), H(), cpu);
      const moved = compare8(r.data, r.pitch, W(), H(), pattern8);
      log(`colour pipeline ${"pipeline" in used! ? used.pipeline.name : ""}: max |diff| vs CPU r,g,b = ${worst.join(",")}; vs the unchanged pattern ${moved.join(",")}`);
      expect(worst.every((d) => d <= 1)).toBe(true);
      expect(Math.min(...moved)).toBeGreaterThan(50);
      // restore (what the presenter runs on exit) turns the pipeline off although the state was saved before the cap
      restoreState(dev, saved);
      expect(dev.properties("plane", out.plane.id).raw("COLOR_PIPELINE")).toBe(0n);
    } finally {
      blobs.release();
      dev.removeFramebuffer(s.fb);
      s.buf.destroy();
    }
  });
});
