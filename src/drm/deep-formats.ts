// Scanout formats deeper than 8 bits per channel: 16 bits per channel (XRGB16161616 and friends,
// drm_fourcc.h "XR48"...) and 10 bits (XRGB2101010 "XR30"...), and picking the deepest one a plane
// lists. CPU packing of 16-bpc pixels is here too (test patterns, dumb-buffer frames).
import type { Plane } from "./objects.js";
import { fourcc } from "../util/fourcc.js";

/** "XR48": 64-bit pixels, little-endian u16 B, G, R, X: 16 bits per channel, no alpha. */
export const DRM_FORMAT_XRGB16161616 = fourcc("XR48");
/** "AR48": as XR48 with alpha in the top u16. */
export const DRM_FORMAT_ARGB16161616 = fourcc("AR48");
/** "XB48": 64-bit pixels, little-endian u16 R, G, B, X. */
export const DRM_FORMAT_XBGR16161616 = fourcc("XB48");
/** "AB48": as XB48 with alpha in the top u16. */
export const DRM_FORMAT_ABGR16161616 = fourcc("AB48");
/** "XR30": 32-bit pixels, 2:10:10:10 xRGB. */
export const DRM_FORMAT_XRGB2101010 = fourcc("XR30");
/** "XB30": 32-bit pixels, 2:10:10:10 xBGR. */
export const DRM_FORMAT_XBGR2101010 = fourcc("XB30");

const BITS = new Map<number, number>([
  [DRM_FORMAT_XRGB16161616, 16], [DRM_FORMAT_ARGB16161616, 16], [DRM_FORMAT_XBGR16161616, 16], [DRM_FORMAT_ABGR16161616, 16],
  [DRM_FORMAT_XRGB2101010, 10], [DRM_FORMAT_XBGR2101010, 10], [fourcc("AR30"), 10], [fourcc("AB30"), 10],
  [fourcc("XR24"), 8], [fourcc("AR24"), 8], [fourcc("XB24"), 8], [fourcc("AB24"), 8],
]);

/** Bits per colour channel of an RGB format (undefined for formats this table does not know). */
export function bitsPerChannel(format: number): number | undefined {
  return BITS.get(format);
}

/** The first of `preference` (deepest first, e.g. [XR48, XR30, XR24]) that `plane` lists, or undefined. */
export function pickScanoutFormat(plane: Pick<Plane, "formats">, preference: readonly number[]): number | undefined {
  return preference.find((f) => plane.formats.includes(f));
}

/**
 * Writes 16-bpc pixels (r, g, b as u16 per pixel, `width` * `height` of them, row-major) as XRGB16161616 into `dst`
 * with rows `pitch` bytes apart; X is written as 0xffff.
 */
export function packXrgb16161616(dst: Uint8Array, pitch: number, width: number, height: number, rgb: Uint16Array): void {
  if (rgb.length < width * height * 3) throw new RangeError(`XRGB16161616: ${rgb.length} values are fewer than ${width}x${height}x3`);
  if (pitch < width * 8 || dst.length < pitch * (height - 1) + width * 8) throw new RangeError(`XRGB16161616: ${dst.length} bytes with pitch ${pitch} do not hold ${width}x${height}`);
  const view = new DataView(dst.buffer, dst.byteOffset, dst.byteLength);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const o = y * pitch + x * 8;
      view.setUint16(o, rgb[i + 2]!, true);
      view.setUint16(o + 2, rgb[i + 1]!, true);
      view.setUint16(o + 4, rgb[i]!, true);
      view.setUint16(o + 6, 0xffff, true);
    }
}
