// PNG decoding into tightly packed RGBA8 (what a VK_FORMAT_R8G8B8A8_SRGB/UNORM image wants). Every
// colour type (grey, grey+alpha, RGB, RGBA, palette with or without tRNS), bit depth and Adam7
// interlacing comes out as 4 bytes a pixel; 16-bit samples are scaled down to 8.
//
// Our own decoder (png/): chunks are walked and CRC-checked first (chunks.ts), the image data is
// inflated to exactly the size the header implies and no more (scanlines.ts), and the RGBA image is
// allocated only once that data is there (rgba.ts). So a damaged or hostile file fails with an
// AssetError naming it, and a small file cannot make us allocate what its header merely claims.
import { constants } from "node:buffer";
import { pngjs } from "../util/pngjs.js";
import { AssetError } from "./errors.js";
import { readChunks, SIGNATURE, type Faults } from "./png/chunks.js";
import { colours, passToRgba } from "./png/rgba.js";
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

/** Reads and decodes a PNG file; errors name the file. */
export async function loadPng(path: string, options: PngOptions = {}): Promise<Rgba8Image> {
  return decodePng(await readAssetFile(path, "PNG"), { ...options, name: options.name ?? path });
}

/** Encodes RGBA8 pixels as a PNG (used by the model generator and golden-image tests). */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const png = new (pngjs())({ width, height });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, width * height * 4);
  return pngjs().sync.write(png, { colorType: 6 });
}
