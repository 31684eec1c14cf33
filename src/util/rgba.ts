// Pixel rows as the CPU reads them back (a Vulkan readback, a DRM dumb buffer) → tightly packed RGBA.

/**
 * BGRA or RGBA bytes with row pitch → tightly packed RGBA. `opaque` sets alpha to 255 for formats
 * whose fourth byte is padding (XRGB8888), which a driver may leave at any value.
 */
export function toRgba(src: Uint8Array, width: number, height: number, stride: number, bgra: boolean, opaque = false): Uint8Array {
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const row = src.subarray(y * stride, y * stride + width * 4);
    const o = y * width * 4;
    if (!bgra) out.set(row, o);
    else
      for (let x = 0; x < width * 4; x += 4) {
        out[o + x] = row[x + 2]!;
        out[o + x + 1] = row[x + 1]!;
        out[o + x + 2] = row[x]!;
        out[o + x + 3] = row[x + 3]!;
      }
    if (opaque) for (let x = 3; x < width * 4; x += 4) out[o + x] = 255;
  }
  return out;
}
