// The image data of a PNG: the IDAT zlib stream inflated to exactly the size the header implies,
// then split into passes (one, or Adam7's seven when interlaced) of filtered scanlines, which are
// reconstructed in place.
import { inflateSync } from "node:zlib";
import type { Faults, PngChunks } from "./chunks.js";
import type { PngHeader } from "./header.js";

/** One pass over the image: its pixels are (x0 + i*dx, y0 + j*dy) for i < width, j < height. */
export interface Pass {
  x0: number;
  y0: number;
  dx: number;
  dy: number;
  width: number;
  height: number;
  /** Bytes of one scanline's pixels (the filter byte before each is not counted). */
  rowBytes: number;
}

// Adam7: [x0, y0, dx, dy] of the seven passes
const ADAM7 = [
  [0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2],
] as const;

/** The passes that hold pixels, in file order. */
export function passes(h: PngHeader): Pass[] {
  const layout = h.interlaced ? ADAM7 : ([[0, 0, 1, 1]] as const);
  const out: Pass[] = [];
  for (const [x0, y0, dx, dy] of layout) {
    const width = Math.ceil((h.width - x0) / dx), height = Math.ceil((h.height - y0) / dy);
    if (width > 0 && height > 0) out.push({ x0, y0, dx, dy, width, height, rowBytes: Math.ceil((width * h.bitsPerPixel) / 8) });
  }
  return out;
}

/** Bytes the inflated image data must have: every pass's scanlines, each with its filter byte. */
export function scanlineBytes(ps: readonly Pass[]): number {
  let n = 0;
  for (const p of ps) n += (p.rowBytes + 1) * p.height;
  return n;
}

/**
 * Inflates the IDAT stream, refusing it as soon as it runs past `expected` bytes (so a small file
 * cannot make us allocate more than its header promises) and when it ends short of them.
 */
export function inflateScanlines(chunks: PngChunks, expected: number, faults: Faults): Buffer {
  const stream = chunks.imageData.length === 1 ? chunks.imageData[0] : Buffer.concat(chunks.imageData);
  // output buffers grow with what actually inflates, not with what the header claims
  const chunkSize = Math.max(64, Math.min(expected, 64 * chunks.imageDataBytes));
  let raw: Buffer;
  try {
    raw = inflateSync(stream, { maxOutputLength: expected, chunkSize });
  } catch (e) {
    const { code, message } = e as NodeJS.ErrnoException;
    if (code === "ERR_BUFFER_TOO_LARGE") throw faults.corrupt(`image data inflates to more than the ${expected} bytes the image needs`);
    throw faults.corrupt(`image data does not inflate (${message})`);
  }
  if (raw.length !== expected) throw faults.corrupt(`image data inflates to ${raw.length} bytes, the image needs ${expected}`);
  return raw;
}

/**
 * Reverses the per-scanline filters of `pass`, whose first filter byte is at `raw[offset]`, in
 * place; returns the offset just past the pass. `bpp` is bytes per complete pixel (at least 1).
 * On the first scanline the row above counts as zeros, and so do bytes left of the first pixel.
 */
export function unfilter(raw: Uint8Array, offset: number, pass: Pass, bpp: number, faults: Faults): number {
  const n = pass.rowBytes;
  for (let y = 0; y < pass.height; y++, offset += n + 1) {
    const cur = offset + 1, up = cur - n - 1; // `up` is only read when y > 0
    const filter = raw[offset];
    if (filter === 0) continue; // None
    if (filter === 1 || (filter === 4 && y === 0)) {
      // Sub (and Paeth with nothing above, which picks the left byte)
      for (let i = bpp; i < n; i++) raw[cur + i] += raw[cur + i - bpp];
    } else if (filter === 2) {
      if (y > 0) for (let i = 0; i < n; i++) raw[cur + i] += raw[up + i]; // Up
    } else if (filter === 3) {
      // Average of left and above
      if (y === 0) for (let i = bpp; i < n; i++) raw[cur + i] += raw[cur + i - bpp] >> 1;
      else {
        for (let i = 0; i < bpp; i++) raw[cur + i] += raw[up + i] >> 1;
        for (let i = bpp; i < n; i++) raw[cur + i] += (raw[cur + i - bpp] + raw[up + i]) >> 1;
      }
    } else if (filter === 4) {
      // Paeth: of left (a), above (b) and upper left (c), the one nearest to a + b - c
      for (let i = 0; i < bpp; i++) raw[cur + i] += raw[up + i];
      for (let i = bpp; i < n; i++) {
        const a = raw[cur + i - bpp], b = raw[up + i], c = raw[up + i - bpp];
        const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c);
        raw[cur + i] += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
    } else {
      throw faults.corrupt(`unknown filter type ${filter} at byte ${offset} of the inflated image data`);
    }
  }
  return offset;
}
