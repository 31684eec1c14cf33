// PNG decoding into tightly packed RGBA8 (what a VK_FORMAT_R8G8B8A8_SRGB/UNORM image wants). Every
// colour type (grey, grey+alpha, RGB, RGBA, palette with or without tRNS), bit depth and Adam7
// interlacing comes out as 4 bytes a pixel; 16-bit samples are scaled down to 8.
//
// Our own decoder (png/): chunks are walked and CRC-checked first (chunks.ts), the image data is
// inflated to exactly the size the header implies and no more (scanlines.ts), and the RGBA image is
// allocated only once that data is there (rgba.ts). So a damaged or hostile file fails with an
// AssetError naming it, and a small file cannot make us allocate what its header merely claims.
import { constants } from "node:buffer";
import { AssetError } from "./errors.js";
import { readChunks, SIGNATURE, type Faults } from "./png/chunks.js";
import { colours, passToRgba } from "./png/rgba.js";
import { RGBA } from "./png/header.js";
import { inflateScanlines, passes, scanlineBytes, unfilter } from "./png/scanlines.js";
import { readAssetFile } from "./read-file.js";

/** A decoded image: 8-bit RGBA, 4 bytes a pixel, no row padding. */
export interface Rgba8Image {
  name: string;
  width: number;
  height: number;
  /** width * height * 4 bytes, rows top to bottom. */
  data: Uint8Array;
}

/** Options of {@link decodePng} and {@link loadPng}. */
export interface PngOptions {
  /** Name used in errors (defaults to the path, or "<png>"). */
  name?: string;
  /** Largest width or height accepted: pass the device's maxImageDimension2D. */
  maxDimension?: number;
  /** Largest width * height accepted. Default DEFAULT_MAX_PIXELS. */
  maxPixels?: number;
}

/** 16384 x 16384 (1 GiB as RGBA8): the largest texture most GPUs take. */
export const DEFAULT_MAX_PIXELS = 16384 * 16384;

/** Reads width and height from the IHDR chunk without decoding, so oversize images fail early. */
export function pngSize(buf: Uint8Array, name = "<png>"): { width: number; height: number } {
  if (buf.length < SIGNATURE.length || SIGNATURE.some((b, i) => buf[i] !== b)) {
    throw new AssetError(name, buf.length === 0 ? "empty PNG file (0 bytes)" : "not a PNG file (bad signature)");
  }
  // signature(8) + length(4) + "IHDR"(4) + width(4) + height(4)
  if (buf.length < 24) throw new AssetError(name, `truncated PNG (${buf.length} bytes, no complete IHDR chunk)`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (String.fromCharCode(buf[12], buf[13], buf[14], buf[15]) !== "IHDR") {
    throw new AssetError(name, "corrupt PNG: first chunk is not IHDR");
  }
  const width = dv.getUint32(16), height = dv.getUint32(20);
  if (width === 0 || height === 0) throw new AssetError(name, `corrupt PNG: image size ${width}x${height}`);
  return { width, height };
}

/** Decodes a PNG held in memory. */
export function decodePng(buf: Uint8Array, options: PngOptions = {}): Rgba8Image {
  const name = options.name ?? "<png>";
  const { width, height } = pngSize(buf, name);
  const max = options.maxDimension;
  if (max !== undefined && (width > max || height > max)) {
    throw new AssetError(name, `image is ${width}x${height}, larger than the device's maximum of ${max}x${max}`);
  }
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (width * height > maxPixels) {
    throw new AssetError(name, `image is ${width}x${height} (${width * height} pixels), more than the limit of ${maxPixels} pixels`);
  }
  const faults: Faults = {
    truncated: (detail) => new AssetError(name, `truncated PNG (${detail})`),
    corrupt: (detail) => new AssetError(name, `corrupt or truncated PNG (${detail})`),
  };
  const chunks = readChunks(buf, faults);
  const h = chunks.header;
  const layout = passes(h);
  const expected = scanlineBytes(layout);
  if (Math.max(expected, width * height * 4) > constants.MAX_LENGTH) {
    throw new AssetError(name, `image is ${width}x${height}, too large to decode in memory`);
  }
  const raw = inflateScanlines(chunks, expected, faults);
  if (h.colourType === RGBA && h.depth === 8 && !h.interlaced) return { name, width, height, data: unfilterRgba8(raw, width, height, faults) };
  const c = colours(chunks);
  const data = new Uint8Array(width * height * 4);
  const bpp = Math.max(1, h.bitsPerPixel >> 3);
  let offset = 0;
  for (const pass of layout) {
    const start = offset;
    offset = unfilter(raw, offset, pass, bpp, faults);
    passToRgba(h, c, raw, start, pass, data, faults);
  }
  return { name, width, height, data };
}

/**
 * The common case, 8-bit RGBA without interlacing: each scanline is copied into the output and
 * unfiltered there against the row above it, already reconstructed. Output rows are 4-byte aligned,
 * so Sub and Up (the filters encoders pick most) add whole pixels as 32-bit words, four byte lanes
 * at once. Each filter is a small function called once a row because V8 optimizes a function it
 * calls often long before a long loop inside one call: this decoder mostly runs cold, at start-up
 * (a 512x512 texture: ~7 ms instead of ~20 ms for the generic in-place path on first use).
 */
function unfilterRgba8(raw: Uint8Array, width: number, height: number, faults: Faults): Uint8Array {
  const rowBytes = width * 4;
  const out = new Uint8Array(rowBytes * height);
  const words = new Uint32Array(out.buffer, 0, width * height);
  for (let y = 0, src = 0; y < height; y++, src += rowBytes + 1) {
    const filter = raw[src];
    const row = y * width; // in words; the byte offset is 4 * row
    out.set(raw.subarray(src + 1, src + 1 + rowBytes), 4 * row);
    if (filter === 0) continue; // None
    if (filter === 1 || (filter === 4 && y === 0)) subWords(words, row, width); // Paeth with nothing above picks the left pixel
    else if (filter === 2) {
      if (y > 0) upWords(words, row, row - width, width);
    } else if (filter === 3) averageRow(out, 4 * row, y > 0 ? 4 * (row - width) : -1, rowBytes);
    else if (filter === 4) paethRow(out, 4 * row, 4 * (row - width), rowBytes);
    else throw faults.corrupt(`unknown filter type ${filter} at byte ${src} of the inflated image data`);
  }
  return out;
}

// Byte-wise addition modulo 256 of two words: the low seven bits of each byte add without carrying
// into the next byte, and the top bits are added by XOR (their carry is the one that wraps).
/** Sub: each pixel adds the reconstructed pixel left of it. */
function subWords(w: Uint32Array, row: number, count: number): void {
  let left = w[row];
  for (let k = row + 1; k < row + count; k++) {
    const a = w[k];
    left = ((a & 0x7f7f7f7f) + (left & 0x7f7f7f7f)) ^ ((a ^ left) & 0x80808080);
    w[k] = left;
  }
}

/** Up: each pixel adds the reconstructed pixel above it. */
function upWords(w: Uint32Array, row: number, above: number, count: number): void {
  for (let k = 0; k < count; k++) {
    const a = w[row + k], b = w[above + k];
    w[row + k] = ((a & 0x7f7f7f7f) + (b & 0x7f7f7f7f)) ^ ((a ^ b) & 0x80808080);
  }
}

/** Average: each byte adds the mean of the bytes left and above (above is -1 on the first row: zeros). */
function averageRow(o: Uint8Array, cur: number, above: number, n: number): void {
  if (above < 0) {
    for (let i = 4; i < n; i++) o[cur + i] += o[cur + i - 4] >> 1;
    return;
  }
  for (let i = 0; i < 4; i++) o[cur + i] += o[above + i] >> 1;
  for (let i = 4; i < n; i++) o[cur + i] += (o[cur + i - 4] + o[above + i]) >> 1;
}

/** Paeth: of left (a), above (b) and upper left (c), each byte adds the one nearest to a + b - c. */
function paethRow(o: Uint8Array, cur: number, above: number, n: number): void {
  for (let i = 0; i < 4; i++) o[cur + i] += o[above + i];
  for (let i = 4; i < n; i++) {
    const a = o[cur + i - 4], b = o[above + i], c = o[above + i - 4];
    const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c);
    o[cur + i] += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
  }
}

/** Reads and decodes a PNG file; errors name the file. */
export async function loadPng(path: string, options: PngOptions = {}): Promise<Rgba8Image> {
  return decodePng(await readAssetFile(path, "PNG"), { ...options, name: options.name ?? path });
}
