// PNG output for captured frames.
import { writeFileSync, readFileSync } from "node:fs";
import { pngjs } from "./pngjs.js";
import type { Pixels } from "../present/presenter.js";

/** Encodes RGBA8 pixels (as Frame.capture() returns them) as an 8-bit RGBA PNG file in memory. */
export function encodePng(pixels: Pixels): Buffer {
  const png = new (pngjs())({ width: pixels.width, height: pixels.height });
  png.data = Buffer.from(pixels.data.buffer, pixels.data.byteOffset, pixels.data.byteLength);
  return pngjs().sync.write(png);
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
