// The IHDR chunk: image size and pixel format, checked against what the PNG specification allows.
import { AssetError } from "../errors.js";

export const GREY = 0, RGB = 2, PALETTE = 3, GREY_ALPHA = 4, RGBA = 6;

/** Bit depths each colour type may use, and its samples per pixel. */
const FORMATS: Record<number, { depths: readonly number[]; channels: number; label: string }> = {
  [GREY]: { depths: [1, 2, 4, 8, 16], channels: 1, label: "greyscale" },
  [RGB]: { depths: [8, 16], channels: 3, label: "RGB" },
  [PALETTE]: { depths: [1, 2, 4, 8], channels: 1, label: "palette" },
  [GREY_ALPHA]: { depths: [8, 16], channels: 2, label: "greyscale + alpha" },
  [RGBA]: { depths: [8, 16], channels: 4, label: "RGBA" },
};

/** Largest width or height the format can state (2^31 - 1). */
const MAX_SIDE = 0x7fffffff;

export interface PngHeader {
  width: number;
  height: number;
  depth: number;
  colourType: number;
  /** Samples per pixel. */
  channels: number;
  bitsPerPixel: number;
  interlaced: boolean;
}

/** Parses and checks the 13 bytes of IHDR; `corrupt` builds the error for a bad field. */
export function parseHeader(data: Uint8Array, corrupt: (detail: string) => AssetError): PngHeader {
  if (data.length !== 13) throw corrupt(`IHDR chunk is ${data.length} bytes, not 13`);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const width = dv.getUint32(0), height = dv.getUint32(4);
  const [depth, colourType, compression, filter, interlace] = data.subarray(8);
  if (width === 0 || height === 0 || width > MAX_SIDE || height > MAX_SIDE) throw corrupt(`image size ${width}x${height}`);
  const format = FORMATS[colourType];
  if (!format) throw corrupt(`unknown colour type ${colourType}`);
  if (!format.depths.includes(depth)) throw corrupt(`bit depth ${depth} is not allowed for ${format.label} images`);
  if (compression !== 0) throw corrupt(`unknown compression method ${compression}`);
  if (filter !== 0) throw corrupt(`unknown filter method ${filter}`);
  if (interlace > 1) throw corrupt(`unknown interlace method ${interlace}`);
  return { width, height, depth, colourType, channels: format.channels, bitsPerPixel: depth * format.channels, interlaced: interlace === 1 };
}
