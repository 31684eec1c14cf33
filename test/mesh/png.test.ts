import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AssetError } from "../../src/assets/errors.js";
import { decodePng, encodePng, loadPng, pngSize } from "../../src/assets/png.js";

// A minimal PNG writer of our own, so every colour type and bit depth can be produced exactly
// (pngjs cannot write palette images or sub-byte depths).
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
  return Buffer.concat([head, data, crc]);
}
/** samples: one array per row of channel values at the given depth. */
function makePng(opts: { width: number; height: number; depth: number; colorType: number; rows: number[][]; plte?: number[]; trns?: number[] }): Buffer {
  const { width, height, depth, colorType, rows } = opts;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = depth;
  ihdr[9] = colorType;
  const raw: number[] = [];
  for (const row of rows) {
    raw.push(0); // filter: none
    if (depth === 16) for (const s of row) raw.push(s >> 8, s & 0xff);
    else if (depth === 8) raw.push(...row);
    else {
      let acc = 0, bits = 0;
      for (const s of row) {
        acc = (acc << depth) | s;
        bits += depth;
        if (bits === 8) {
          raw.push(acc);
          acc = bits = 0;
        }
      }
      if (bits) raw.push(acc << (8 - bits));
    }
  }
  const parts = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr)];
  if (opts.plte) parts.push(chunk("PLTE", Buffer.from(opts.plte)));
  if (opts.trns) parts.push(chunk("tRNS", Buffer.from(opts.trns)));
  parts.push(chunk("IDAT", deflateSync(Buffer.from(raw))), chunk("IEND", Buffer.alloc(0)));
  return Buffer.concat(parts);
}
const pixels = (img: { data: Uint8Array }) => Array.from(img.data);

describe("PNG colour types decode to RGBA8", () => {
  it("grey 8-bit", () => {
    const img = decodePng(makePng({ width: 2, height: 1, depth: 8, colorType: 0, rows: [[0, 200]] }));
    expect([img.width, img.height]).toEqual([2, 1]);
    expect(pixels(img)).toEqual([0, 0, 0, 255, 200, 200, 200, 255]);
  });

  it("grey 1, 2 and 4-bit are scaled to 0..255", () => {
    expect(pixels(decodePng(makePng({ width: 3, height: 1, depth: 1, colorType: 0, rows: [[1, 0, 1]] })))).toEqual([
      255, 255, 255, 255, 0, 0, 0, 255, 255, 255, 255, 255,
    ]);
    expect(pixels(decodePng(makePng({ width: 2, height: 1, depth: 2, colorType: 0, rows: [[1, 3]] })))).toEqual([
      85, 85, 85, 255, 255, 255, 255, 255,
    ]);
    expect(pixels(decodePng(makePng({ width: 1, height: 1, depth: 4, colorType: 0, rows: [[5]] })))).toEqual([85, 85, 85, 255]);
  });

  it("grey + alpha 8-bit", () => {
    const img = decodePng(makePng({ width: 1, height: 2, depth: 8, colorType: 4, rows: [[10, 20], [30, 255]] }));
    expect(pixels(img)).toEqual([10, 10, 10, 20, 30, 30, 30, 255]);
  });

  it("RGB 8-bit, rows top to bottom", () => {
    const img = decodePng(makePng({ width: 1, height: 2, depth: 8, colorType: 2, rows: [[1, 2, 3], [4, 5, 6]] }));
    expect(pixels(img)).toEqual([1, 2, 3, 255, 4, 5, 6, 255]);
  });

  it("RGBA 8-bit", () => {
    const img = decodePng(makePng({ width: 2, height: 1, depth: 8, colorType: 6, rows: [[1, 2, 3, 4, 250, 251, 252, 0]] }));
    expect(pixels(img)).toEqual([1, 2, 3, 4, 250, 251, 252, 0]);
  });

  it("16-bit RGB and RGBA are reduced to 8 bits", () => {
    const rgb = decodePng(makePng({ width: 1, height: 1, depth: 16, colorType: 2, rows: [[0xffff, 0x8080, 0]] }));
    expect(pixels(rgb)).toEqual([255, 128, 0, 255]);
    const rgba = decodePng(makePng({ width: 1, height: 1, depth: 16, colorType: 6, rows: [[0, 0xffff, 0, 0x8080]] }));
    expect(pixels(rgba)).toEqual([0, 255, 0, 128]);
  });

  it("palette 8-bit and 4-bit, with tRNS alpha", () => {
    const plte = [255, 0, 0, 0, 255, 0, 0, 0, 255];
    const p8 = decodePng(makePng({ width: 3, height: 1, depth: 8, colorType: 3, rows: [[2, 1, 0]], plte }));
    expect(pixels(p8)).toEqual([0, 0, 255, 255, 0, 255, 0, 255, 255, 0, 0, 255]);
    const p4 = decodePng(makePng({ width: 3, height: 1, depth: 4, colorType: 3, rows: [[0, 1, 2]], plte, trns: [128, 0] }));
    expect(pixels(p4)).toEqual([255, 0, 0, 128, 0, 255, 0, 0, 0, 0, 255, 255]);
  });

  it("round-trips what encodePng writes", () => {
    const data = new Uint8Array(4 * 3 * 2).map((_, i) => (i * 37) & 0xff);
    expect(pixels(decodePng(encodePng(3, 2, data)))).toEqual(Array.from(data));
  });
});

describe("bad PNG input names the file", () => {
  let dir: string;
  const good = makePng({ width: 4, height: 4, depth: 8, colorType: 2, rows: Array.from({ length: 4 }, () => new Array(12).fill(7)) });
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "scanout-png-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("missing file", async () => {
    const path = join(dir, "missing.png");
    await expect(loadPng(path)).rejects.toThrow(`${path}: cannot read PNG file: no such file`);
  });

  it("not a PNG, empty, truncated, corrupt", async () => {
    const notPng = join(dir, "text.png");
    await writeFile(notPng, "hello, this is not an image");
    await expect(loadPng(notPng)).rejects.toThrow(`${notPng}: not a PNG file (bad signature)`);
    const empty = join(dir, "empty.png");
    await writeFile(empty, "");
    await expect(loadPng(empty)).rejects.toThrow(`${empty}: empty PNG file (0 bytes)`);
    for (const cut of [20, 40, good.length - 20, good.length - 12]) {
      const truncated = join(dir, `cut${cut}.png`);
      await writeFile(truncated, good.subarray(0, cut));
      const e = await loadPng(truncated).catch((x: unknown) => x);
      expect(e, `cut at ${cut}`).toBeInstanceOf(AssetError);
      expect((e as AssetError).message, `cut at ${cut}`).toMatch(new RegExp(`^${truncated}: (corrupt or )?truncated PNG`));
    }
    const corrupt = Buffer.from(good);
    corrupt[good.length - 20] ^= 0xff; // inside IDAT: CRC mismatch
    const path = join(dir, "corrupt.png");
    await writeFile(path, corrupt);
    await expect(loadPng(path)).rejects.toThrow(new RegExp(`^${path}: corrupt or truncated PNG`));
  });

  it("larger than the device's maximum dimension, checked before decoding", async () => {
    const path = join(dir, "big.png");
    await writeFile(path, good);
    await expect(loadPng(path, { maxDimension: 3 })).rejects.toThrow(`${path}: image is 4x4, larger than the device's maximum of 3x3`);
    await expect(loadPng(path, { maxDimension: 4 })).resolves.toMatchObject({ width: 4, height: 4 });
    // only the header is read: a claimed 100000x2 image with no data still fails on size
    const huge = Buffer.from(good);
    huge.writeUInt32BE(100_000, 16);
    expect(() => decodePng(huge, { name: "huge.png", maxDimension: 16384 })).toThrow(
      "huge.png: image is 100000x4, larger than the device's maximum of 16384x16384",
    );
    expect(pngSize(huge)).toEqual({ width: 100_000, height: 4 });
  });
});
