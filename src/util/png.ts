// PNG output for captured frames.
import { writeFileSync, readFileSync } from "node:fs";
import { pngjs } from "./pngjs.js";
import type { Pixels } from "../present/presenter.js";

/**
 * Encodes RGBA8 pixels (as Frame.capture() returns them, or a decoded Rgba8Image) as an 8-bit RGBA PNG
 * file in memory. The one encoder of the package: `scanout` and `scanout/assets` export this same function.
 */
export function encodePng(pixels: Pixels): Buffer {
  if (pixels.data16) return encodePng16(pixels, pixels.data16);
  const { width, height, data } = pixels;
  if (data.byteLength < width * height * 4) throw new RangeError(`encodePng: ${width}x${height} needs ${width * height * 4} bytes of RGBA, got ${data.byteLength}`);
  const png = new (pngjs())({ width, height });
  png.data = Buffer.from(data.buffer, data.byteOffset, width * height * 4);
  const file = pngjs().sync.write(png, { colorType: 6 });
  return pixels.colour ? withChunk(file, "cICP", Uint8Array.from(pixels.colour.cicp)) : file;
}

/**
 * A 16-bit RGBA PNG of Pixels.data16 (the encoded values of a 10-bit or FP16 target), with a cICP
 * chunk (primaries, transfer, matrix, range) naming Pixels.colour, so a viewer that reads cICP (e.g.
 * Chromium) shows a PQ frame as HDR; one that does not shows the raw encoded values.
 */
function encodePng16(pixels: Pixels, data16: Uint16Array): Buffer {
  const { width, height } = pixels;
  if (data16.length < width * height * 4) throw new RangeError(`encodePng: ${width}x${height} needs ${width * height * 4} RGBA16 values, got ${data16.length}`);
  const png = new (pngjs())({ width, height, bitDepth: 16 });
  // pngjs reads the whole ArrayBuffer behind png.data as 16-bit values: give it one of exactly this size
  png.data = Buffer.from(new Uint16Array(data16.subarray(0, width * height * 4)).buffer);
  const file = pngjs().sync.write(png, { colorType: 6, bitDepth: 16, inputHasAlpha: true });
  return pixels.colour ? withChunk(file, "cICP", Uint8Array.from(pixels.colour.cicp)) : file;
}

/** The PNG with one more chunk right after IHDR (where cICP must come, before PLTE and IDAT). */
function withChunk(file: Buffer, type: string, body: Uint8Array): Buffer {
  const afterIhdr = 8 + 4 + 4 + 13 + 4;
  const chunk = Buffer.alloc(12 + body.length);
  chunk.writeUInt32BE(body.length, 0);
  chunk.write(type, 4, "latin1");
  chunk.set(body, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + body.length)), 8 + body.length);
  return Buffer.concat([file.subarray(0, afterIhdr), chunk, file.subarray(afterIhdr)]);
}

let crcTable: Uint32Array | undefined;
/** CRC-32 as PNG chunks use it (ISO 3309 polynomial). */
function crc32(bytes: Uint8Array): number {
  const table = (crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  }));
  let c = 0xffffffff;
  for (const b of bytes) c = table[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Writes pixels (as Frame.capture() returns them) to path as a PNG file, synchronously: 8-bit RGBA, or 16-bit with a cICP tag when they carry data16. */
export function writePng(path: string, pixels: Pixels): void {
  writeFileSync(path, encodePng(pixels));
}

/** Reads a PNG as RGBA8 (for tests and tools; scenes use the assets loader with its checks); a 16-bit PNG is scaled to 8 bits. */
export function readPngPixels(path: string): Pixels {
  const png = pngjs().sync.read(readFileSync(path), { skipRescale: false });
  return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
}
