import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AssetError } from "../../src/assets/errors.js";
import { decodePng, loadPng, pngSize } from "../../src/assets/png.js";
import { encodePng } from "../../src/assets/index.js";
import { chunk, ihdr, makePng, scanlines, SIGNATURE, type PngSpec } from "../assets/png-writer.js";

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
    expect(pixels(decodePng(encodePng({ width: 3, height: 2, data })))).toEqual(Array.from(data));
  });
});

describe("PNG structure", () => {
  /** A deterministic image with detail in every channel, so each filter has work to do. */
  function noisy(width: number, height: number): Uint8Array {
    const px = new Uint8Array(width * height * 4);
    for (let i = 0, seed = 12345; i < px.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      px[i] = (i % 4 === 3 ? 128 + (i % 97) : (i * 7) & 0xff) ^ (seed >>> 29);
    }
    return px;
  }

  it("every scanline filter (None, Sub, Up, Average, Paeth) is reversed, for RGBA and RGB", () => {
    const [width, height] = [37, 23];
    for (const colorType of [6, 2] as const) {
      // opaque for RGB: pngjs would blend a translucent source with its background when dropping alpha
      const px = noisy(width, height).map((v, i) => (colorType === 2 && i % 4 === 3 ? 255 : v));
      for (const filterType of [0, 1, 2, 3, 4]) {
        const png = new PNG({ width, height, colorType, inputColorType: 6, inputHasAlpha: true, filterType, bitDepth: 8 });
        png.data = Buffer.from(px);
        const img = decodePng(PNG.sync.write(png, { colorType, inputColorType: 6, inputHasAlpha: true, filterType, bitDepth: 8 }));
        expect(pixels(img), `colour type ${colorType}, filter ${filterType}`).toEqual(Array.from(px));
      }
    }
  });

  it("Adam7 interlaced images decode to the same pixels as plain ones, for every colour type and odd sizes", () => {
    const forms: Omit<PngSpec, "width" | "height" | "rows">[] = [
      { depth: 1, colorType: 0 },
      { depth: 4, colorType: 0 },
      { depth: 16, colorType: 0 },
      { depth: 8, colorType: 2 },
      { depth: 16, colorType: 6 },
      { depth: 8, colorType: 4 },
      { depth: 2, colorType: 3, plte: [10, 20, 30, 40, 50, 60, 70, 80, 90, 200, 210, 220], trns: [0, 128] },
    ];
    const channels: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
    for (const form of forms) {
      for (const [width, height] of [[1, 1], [3, 5], [9, 9], [17, 2]]) {
        const levels = form.colorType === 3 ? 4 : 2 ** form.depth;
        const rows = Array.from({ length: height }, (_, y) =>
          Array.from({ length: width * channels[form.colorType] }, (_, i) => (y * 31 + i * 17) % levels),
        );
        const spec = { ...form, width, height, rows };
        const plain = decodePng(makePng(spec));
        const interlaced = decodePng(makePng({ ...spec, interlace: true }));
        expect(pixels(interlaced), `${JSON.stringify(form)} ${width}x${height}`).toEqual(pixels(plain));
      }
    }
    // and the plain decode is right: a 3x2 RGB image read back pixel by pixel
    const rgb = decodePng(makePng({ width: 3, height: 2, depth: 8, colorType: 2, interlace: true, rows: [[1, 2, 3, 4, 5, 6, 7, 8, 9], [10, 11, 12, 13, 14, 15, 16, 17, 18]] }));
    expect(pixels(rgb)).toEqual([1, 2, 3, 255, 4, 5, 6, 255, 7, 8, 9, 255, 10, 11, 12, 255, 13, 14, 15, 255, 16, 17, 18, 255]);
  });

  it("tRNS colour keys make matching grey and RGB pixels transparent (16-bit keys compared before scaling)", () => {
    const grey = decodePng(makePng({ width: 3, height: 1, depth: 8, colorType: 0, rows: [[5, 6, 5]], trns: [0, 5] }));
    expect(pixels(grey)).toEqual([5, 5, 5, 0, 6, 6, 6, 255, 5, 5, 5, 0]);
    const rgb16 = decodePng(makePng({ width: 2, height: 1, depth: 16, colorType: 2, rows: [[0x0101, 0x0202, 0x0303, 0x0101, 0x0202, 0x0304]], trns: [1, 1, 2, 2, 3, 3] }));
    expect(pixels(rgb16)).toEqual([1, 2, 3, 0, 1, 2, 3, 255]);
  });

  it("ancillary chunks it does not know are skipped; IDAT split over several chunks is joined", () => {
    const spec: PngSpec = { width: 2, height: 2, depth: 8, colorType: 0, rows: [[1, 2], [3, 4]] };
    const z = deflateSync(scanlines(spec));
    const png = Buffer.concat([
      SIGNATURE, ihdr(spec), chunk("tEXt", Buffer.from("Comment\0hello")),
      chunk("IDAT", z.subarray(0, 3)), chunk("IDAT", z.subarray(3)), chunk("IEND", Buffer.alloc(0)),
    ]);
    expect(pixels(decodePng(png)).filter((_, i) => i % 4 === 0)).toEqual([1, 2, 3, 4]);
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

  it("damaged structure and image data: an AssetError naming the file and what is wrong", () => {
    const spec: PngSpec = { width: 4, height: 2, depth: 8, colorType: 0, rows: [[1, 2, 3, 4], [5, 6, 7, 8]] };
    const raw = scanlines(spec);
    const build = (...middle: Buffer[]) => Buffer.concat([SIGNATURE, ihdr(spec), ...middle, chunk("IEND", Buffer.alloc(0))]);
    const idat = (data: Uint8Array) => chunk("IDAT", deflateSync(data));
    const noEnd = Buffer.concat([SIGNATURE, ihdr(spec), idat(raw)]);
    const badFilter = Buffer.from(raw);
    badFilter[5] = 9; // second scanline's filter byte
    const cases: [Buffer, string][] = [
      [build(chunk("ZZZZ", Buffer.alloc(1)), idat(raw)), "corrupt or truncated PNG (unknown critical chunk ZZZZ at byte 33)"],
      [build(idat(badFilter)), "corrupt or truncated PNG (unknown filter type 9 at byte 5 of the inflated image data)"],
      [build(idat(raw.subarray(0, 7))), "corrupt or truncated PNG (image data inflates to 7 bytes, the image needs 10)"],
      [build(idat(Buffer.concat([raw, raw]))), "corrupt or truncated PNG (image data inflates to more than the 10 bytes the image needs)"],
      [build(chunk("IDAT", Buffer.from("not zlib at all"))), "corrupt or truncated PNG (image data does not inflate (incorrect header check))"],
      [build(), "corrupt or truncated PNG (no IDAT chunk)"],
      [build(chunk("PLTE", Buffer.from([1, 2, 3])), idat(raw)), "corrupt or truncated PNG (PLTE chunk in a greyscale image)"],
      [build(chunk("tRNS", Buffer.from([1])), idat(raw)), "corrupt or truncated PNG (tRNS chunk of 1 bytes does not fit this image)"],
      [noEnd, `truncated PNG (file ends at byte ${noEnd.length}, before the IEND chunk)`],
      [Buffer.concat([SIGNATURE, ihdr({ ...spec, depth: 3 }), idat(raw)]), "corrupt or truncated PNG (bit depth 3 is not allowed for greyscale images)"],
      [Buffer.concat([SIGNATURE, ihdr({ ...spec, colorType: 3 }), idat(raw), chunk("IEND", Buffer.alloc(0))]), "corrupt or truncated PNG (palette image without a PLTE chunk)"],
    ];
    for (const [png, message] of cases) {
      const e = (() => {
        try {
          decodePng(png, { name: "bad.png" });
        } catch (x) {
          return x;
        }
      })();
      expect(e, message).toBeInstanceOf(AssetError);
      expect((e as AssetError).message).toBe(`bad.png: ${message}`);
    }
    // a palette index past the palette's end
    const pal = makePng({ width: 2, height: 1, depth: 8, colorType: 3, rows: [[0, 2]], plte: [1, 2, 3, 4, 5, 6] });
    expect(() => decodePng(pal, { name: "pal.png" })).toThrow("pal.png: corrupt or truncated PNG (palette index 2 out of range (2 entries))");
  });

  it("a header claiming 100000x100000 is refused before anything is allocated, with or without a device limit", () => {
    const claim = (width: number, height: number) =>
      Buffer.concat([SIGNATURE, ihdr({ width, height, depth: 8, colorType: 6 }), chunk("IDAT", deflateSync(Buffer.alloc(100))), chunk("IEND", Buffer.alloc(0))]);
    const before = process.memoryUsage().arrayBuffers;
    expect(() => decodePng(claim(100_000, 100_000), { name: "huge.png" })).toThrow(
      "huge.png: image is 100000x100000 (10000000000 pixels), more than the limit of 268435456 pixels",
    );
    expect(() => decodePng(claim(100_000, 100_000), { name: "huge.png", maxPixels: Infinity })).toThrow(
      "huge.png: image is 100000x100000, too large to decode in memory",
    );
    // allowed by every limit but far more than the data holds: refused when the data runs out
    expect(() => decodePng(claim(30_000, 30_000), { name: "big.png", maxPixels: Infinity })).toThrow(
      "big.png: corrupt or truncated PNG (image data inflates to 100 bytes, the image needs 3600030000)",
    );
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 2 ** 20);
  });
});
