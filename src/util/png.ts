// PNG output for captured frames.
import { writeFileSync, readFileSync } from "node:fs";
import { pngjs } from "./pngjs.js";
import type { Pixels } from "../present/presenter.js";

/**
 * Encodes RGBA8 pixels (as Frame.capture() returns them, or a decoded Rgba8Image) as an 8-bit RGBA PNG
 * file in memory. The one encoder of the package: `scanout` and `scanout/assets` export this same function.
 */
export function encodePng(pixels: Pixels): Buffer {
  const { width, height, data } = pixels;
  if (data.byteLength < width * height * 4) throw new RangeError(`encodePng: ${width}x${height} needs ${width * height * 4} bytes of RGBA, got ${data.byteLength}`);
  const png = new (pngjs())({ width, height });
  png.data = Buffer.from(data.buffer, data.byteOffset, width * height * 4);
  return pngjs().sync.write(png, { colorType: 6 });
}

/** Writes RGBA8 pixels (as Frame.capture() returns them) to path as a PNG file, synchronously. */
export function writePng(path: string, pixels: Pixels): void {
  writeFileSync(path, encodePng(pixels));
}

/** Reads a PNG as RGBA8 (for tests and tools; scenes use the assets loader with its checks). */
export function readPngPixels(path: string): Pixels {
  const png = pngjs().sync.read(readFileSync(path));
  return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
}
