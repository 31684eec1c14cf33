// PNG decoding into tightly packed RGBA8 (what a VK_FORMAT_R8G8B8A8_SRGB/UNORM image wants), through
// pngjs. Every colour type (grey, grey+alpha, RGB, RGBA, palette with or without tRNS) and bit depth
// comes out as 4 bytes a pixel; 16-bit samples are scaled down to 8.
import { readFile } from "node:fs/promises";
import { PNG } from "pngjs";
import { AssetError } from "./errors.js";
const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Reads width and height from the IHDR chunk without decoding, so oversize images fail early. */
export function pngSize(buf, name = "<png>") {
    if (buf.length < SIGNATURE.length || SIGNATURE.some((b, i) => buf[i] !== b)) {
        throw new AssetError(name, buf.length === 0 ? "empty PNG file (0 bytes)" : "not a PNG file (bad signature)");
    }
    // signature(8) + length(4) + "IHDR"(4) + width(4) + height(4)
    if (buf.length < 24)
        throw new AssetError(name, `truncated PNG (${buf.length} bytes, no complete IHDR chunk)`);
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    if (String.fromCharCode(buf[12], buf[13], buf[14], buf[15]) !== "IHDR") {
        throw new AssetError(name, "corrupt PNG: first chunk is not IHDR");
    }
    const width = dv.getUint32(16), height = dv.getUint32(20);
    if (width === 0 || height === 0)
        throw new AssetError(name, `corrupt PNG: image size ${width}x${height}`);
    return { width, height };
}
/** Decodes a PNG held in memory. */
export function decodePng(buf, options = {}) {
    const name = options.name ?? "<png>";
    const { width, height } = pngSize(buf, name);
    const max = options.maxDimension;
    if (max !== undefined && (width > max || height > max)) {
        throw new AssetError(name, `image is ${width}x${height}, larger than the device's maximum of ${max}x${max}`);
    }
    let png;
    try {
        png = PNG.sync.read(Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength));
    }
    catch (e) {
        throw new AssetError(name, `corrupt or truncated PNG (${e.message})`);
    }
    const expected = width * height * 4;
    if (png.width !== width || png.height !== height || png.data.length !== expected) {
        throw new AssetError(name, `corrupt or truncated PNG (decoded ${png.data.length} bytes, expected ${expected})`);
    }
    return { name, width, height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, expected) };
}
/** Reads and decodes a PNG file; errors name the file. */
export async function loadPng(path, options = {}) {
    let data;
    try {
        data = await readFile(path);
    }
    catch (e) {
        const code = e.code;
        throw new AssetError(path, `cannot read PNG file${code === "ENOENT" ? ": no such file" : code ? `: ${code}` : ""}`);
    }
    return decodePng(data, { ...options, name: options.name ?? path });
}
/** Encodes RGBA8 pixels as a PNG (used by the model generator and golden-image tests). */
export function encodePng(width, height, rgba) {
    const png = new PNG({ width, height });
    png.data = Buffer.from(rgba.buffer, rgba.byteOffset, width * height * 4);
    return PNG.sync.write(png, { colorType: 6 });
}
//# sourceMappingURL=png.js.map