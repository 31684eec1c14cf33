// frame.capture(): a copy of the target into a host-visible buffer, recorded after the scene's
// commands, and read back once the frame's fence has signalled. Only frames that ask pay for it.
import { Buffer, BufferUsage, Format, type Device } from "../vk/index.js";
import type { Slot } from "./slot.js";
import type { Pixels } from "./presenter.js";
import type { ColourSpace } from "../util/colour.js";
import { bytesPerPixel } from "./colour-formats.js";
import { toRgba } from "../util/rgba.js";

/** Records the copy of the slot's target into its readback buffer (made or resized on demand). */
export function recordCapture(device: Device, slot: Slot): void {
  const { image } = slot.target;
  const size = image.width * image.height * bytesPerPixel(slot.target.format);
  if (!slot.readback || slot.readback.size !== size) {
    if (slot.readback) device.retire(slot.readback);
    slot.readback = Buffer.create(device, { size, usage: BufferUsage.transferDst, memory: "host", what: "capture readback" });
  }
  slot.cmd.copyImageToBuffer(image, slot.readback, slot.target.finalLayout);
}

/** Resolves the slot's capture request with its pixels once the GPU is done (waits for the fence). */
export function finishCapture(slot: Slot): void {
  const request = slot.captureRequest;
  if (!request) return;
  slot.captureRequest = undefined;
  try {
    slot.settle();
    const { width, height, format } = slot.target;
    request.resolve(decodeTarget(slot.readback!.mapped, width, height, format, slot.colour));
  } catch (error) {
    request.reject(error);
  }
}

export { toRgba } from "../util/rgba.js";

/**
 * A target's bytes (tightly packed rows) → Pixels: RGBA8, plus RGBA16 of the encoded values for
 * 10-bit and FP16 formats (see Pixels.data16), tagged with the colour they are encoded in.
 */
export function decodeTarget(mapped: ArrayBuffer, width: number, height: number, format: Format, colour?: ColourSpace): Pixels {
  const tag = colour && colour.name !== "srgb" ? { colour } : {};
  if (format === Format.VK_FORMAT_A2R10G10B10_UNORM_PACK32 || format === Format.VK_FORMAT_A2B10G10R10_UNORM_PACK32) {
    const words = new Uint32Array(mapped, 0, width * height);
    const redFirst = format === Format.VK_FORMAT_A2B10G10R10_UNORM_PACK32; // R in bits 0-9
    const data16 = new Uint16Array(width * height * 4);
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      const lo = w & 0x3ff, mid = (w >>> 10) & 0x3ff, hi = (w >>> 20) & 0x3ff;
      const o = i * 4;
      data16[o] = Math.round(((redFirst ? lo : hi) * 65535) / 1023);
      data16[o + 1] = Math.round((mid * 65535) / 1023);
      data16[o + 2] = Math.round(((redFirst ? hi : lo) * 65535) / 1023);
      data16[o + 3] = Math.round(((w >>> 30) * 65535) / 3);
    }
    return { width, height, data: top8(data16), data16, ...tag };
  }
  if (format === Format.VK_FORMAT_R16G16B16A16_SFLOAT) {
    const halves = new Uint16Array(mapped, 0, width * height * 4);
    const data16 = new Uint16Array(halves.length);
    for (let i = 0; i < halves.length; i++) data16[i] = Math.round(Math.min(Math.max(halfToFloat(halves[i]!), 0), 1) * 65535);
    return { width, height, data: top8(data16), data16, ...tag };
  }
  const bgra = format === Format.VK_FORMAT_B8G8R8A8_UNORM || format === Format.VK_FORMAT_B8G8R8A8_SRGB;
  return { width, height, data: toRgba(new Uint8Array(mapped), width, height, width * 4, bgra), ...tag };
}

/** 16-bit values → 8-bit, rounded (v * 255 / 65535). */
function top8(data16: Uint16Array): Uint8Array {
  const out = new Uint8Array(data16.length);
  for (let i = 0; i < data16.length; i++) out[i] = Math.round((data16[i]! * 255) / 65535);
  return out;
}

/** IEEE 754 half → number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
