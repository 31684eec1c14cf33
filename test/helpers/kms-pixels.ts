// Pixel helpers of the KMS VM tests over several outputs: an output's view of a headless render,
// turned as a plane's rotation turns it, and a comparison that says where and by how much pixels differ.
import type { Pixels } from "../../src/present/presenter.js";
import { summarizeState, type CrtcId, type DrmDevice, type Viewport } from "../../src/drm/index.js";
import { drmIoctl } from "../../src/drm/ioctl.js";
import { mmap, PROT_READ } from "../../src/sys/libc.js";
import { createHeadlessPresenter } from "../../src/present/headless.js";
import { Triangle } from "../../src/scenes/index.js";
import type { Device } from "../../src/vk/index.js";

/** RGBA rectangle `vp` of `p`, turned counter-clockwise by `turn` (what a plane with that rotation shows). */
export function view(p: Pixels, vp: Viewport, turn: 0 | 90 | 180 | 270 = 0): Pixels {
  const odd = turn === 90 || turn === 270;
  const [w, h] = odd ? [vp.height, vp.width] : [vp.width, vp.height];
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      // display pixel (x, y) comes from picture pixel (sx, sy) of the viewport
      const [sx, sy] = turn === 0 ? [x, y] : turn === 90 ? [vp.width - 1 - y, x] : turn === 180 ? [vp.width - 1 - x, vp.height - 1 - y] : [y, vp.height - 1 - x];
      const o = ((vp.y + sy) * p.width + vp.x + sx) * 4;
      data.set(p.data.subarray(o, o + 4), (y * w + x) * 4);
    }
  return { width: w, height: h, data };
}

/** Pixels differing by more than `tolerance` in any colour channel (up to 3 named), and the worst difference. Throws on different sizes. */
export function compare(shown: Pixels, want: Pixels, tolerance = 1): { differing: number; worst: number; where: string[] } {
  if (shown.width !== want.width || shown.height !== want.height)
    throw new Error(`compare: ${shown.width}x${shown.height} shown, ${want.width}x${want.height} wanted`);
  let differing = 0;
  let worst = 0;
  const where: string[] = [];
  for (let i = 0; i < want.data.length; i += 4) {
    const d = Math.max(...[0, 1, 2].map((c) => Math.abs(shown.data[i + c]! - want.data[i + c]!)));
    worst = Math.max(worst, d);
    if (d > tolerance && differing++ < 3) where.push(`(${(i / 4) % want.width},${Math.floor(i / 4 / want.width)})`);
  }
  return { differing, worst, where };
}

/** The headless render of the triangle's frame `frames - 1` at `size`, upright. */
export async function headlessTriangle(device: Device, size: readonly [number, number], frames: number): Promise<Pixels> {
  const out = createHeadlessPresenter(device, { size });
  const scene = Triangle.create(out);
  let last: Promise<Pixels> | undefined;
  try {
    for await (const frame of out.frames({ limit: frames })) {
      scene.update(frame);
      frame.record((cmd) => scene.draw(cmd, frame));
      if (frame.index === frames - 1) last = frame.capture();
    }
    return await last!;
  } finally {
    scene.destroy();
    await out.close();
  }
}

/** Whether the picture has more than two colours (the triangle is there, not a cleared screen). */
export function hasPicture(p: Pixels): boolean {
  return new Set(Array.from(new Uint32Array(p.data.buffer, p.data.byteOffset, p.data.length / 4))).size > 2;
}

/**
 * What CRTC `crtc`'s primary plane scans out, as RGBA: its framebuffer read through GETFB + MAP_DUMB
 * (a dumb buffer, as the dumb-copy path shows; needs root). For drivers without writeback (virtio-gpu).
 */
export function scannedOut(drm: DrmDevice, crtc: CrtcId): Pixels {
  const plane = summarizeState(drm).planes.find((p) => p.crtc === crtc && p.fb !== undefined);
  if (!plane) throw new Error(`no plane shows a framebuffer on crtc ${crtc}`);
  const fb = Buffer.alloc(28); // struct drm_mode_fb_cmd { u32 fb_id, width, height, pitch, bpp, depth, handle }
  fb.writeUInt32LE(plane.fb!, 0);
  drmIoctl(drm.fd, "MODE_GETFB", fb, `framebuffer ${plane.fb}`);
  const [width, height, pitch, handle] = [fb.readUInt32LE(4), fb.readUInt32LE(8), fb.readUInt32LE(12), fb.readUInt32LE(24)];
  try {
    const map = Buffer.alloc(16); // struct drm_mode_map_dumb { u32 handle, pad; u64 offset }
    map.writeUInt32LE(handle, 0);
    drmIoctl(drm.fd, "MODE_MAP_DUMB", map, `GEM handle ${handle}`);
    const m = mmap(drm.fd, pitch * height, PROT_READ, Number(map.readBigUInt64LE(8)));
    try {
      const src = new Uint8Array(m.buffer);
      const data = new Uint8Array(width * height * 4);
      for (let y = 0; y < height; y++)
        for (let x = 0; x < width; x++) {
          const s = y * pitch + x * 4; // XRGB8888: B, G, R, X in memory
          const d = (y * width + x) * 4;
          data[d] = src[s + 2]!;
          data[d + 1] = src[s + 1]!;
          data[d + 2] = src[s]!;
          data[d + 3] = 255;
        }
      return { width, height, data };
    } finally {
      m.unmap();
    }
  } finally {
    const close = Buffer.alloc(8);
    close.writeUInt32LE(handle, 0);
    drmIoctl(drm.fd, "GEM_CLOSE", close, `GEM handle ${handle}`);
  }
}
