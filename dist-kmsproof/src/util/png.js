// PNG output for captured frames.
import { writeFileSync, readFileSync } from "node:fs";
import { PNG } from "pngjs";
export function encodePng(pixels) {
    const png = new PNG({ width: pixels.width, height: pixels.height });
    png.data = Buffer.from(pixels.data.buffer, pixels.data.byteOffset, pixels.data.byteLength);
    return PNG.sync.write(png);
}
export function writePng(path, pixels) {
    writeFileSync(path, encodePng(pixels));
}
/** Reads a PNG as RGBA8 (for tests and tools; scenes use the assets loader with its checks). */
export function readPngPixels(path) {
    const png = PNG.sync.read(readFileSync(path));
    return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
}
//# sourceMappingURL=png.js.map