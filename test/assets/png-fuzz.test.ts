// Fuzzing the PNG loader with mutated files, seeded (SCANOUT_FUZZ_SEED replays a run): starting from
// the texture src/assets/generate.ts writes (and small images in the other colour types, bit depths
// and interlacing, drawn with the generator's texel colours), 10,000 inputs with damaged chunks
// (CRCs fixed so the damage reaches the decoder, or left wrong), absurd header fields, reordered,
// duplicated and unknown chunks, broken zlib streams and scanline filters, and random byte damage.
// Every input must decode or be refused with an AssetError naming the file, quickly and without
// allocating what a header merely claims.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync, inflateSync } from "node:zlib";
import { afterAll, beforeAll, expect, it } from "vitest";
import { demoTexel, generateDemoModel } from "../../src/assets/generate.js";
import { DEFAULT_MAX_PIXELS, decodePng, type Rgba8Image } from "../../src/assets/png.js";
import { FUZZ_SEED, fuzz, mutateBytes, rng, sometimesMutateBytes, type Rng } from "./mutate.js";
import { chunk, makePng, SIGNATURE, type PngSpec } from "./png-writer.js";

const INPUTS = 10_000;
/** A device limit as TexturedMesh passes it (maxImageDimension2D). */
const MAX_DIMENSION = 16384;

interface Chunk {
  type: string;
  data: Buffer;
  /** A CRC to write instead of the right one. */
  badCrc?: number;
}

let seeds: { name: string; chunks: Chunk[] }[] = [];
let dir: string;

/** Small images of the demo texture's colours in every colour type the generator does not write. */
function variants(): { name: string; png: Buffer }[] {
  const size = 13; // odd: partial bytes at low depths, every Adam7 pass non-empty and uneven
  const texel = (x: number, y: number) => demoTexel(x * 37, y * 37);
  const rows = (f: (rgb: readonly number[], x: number, y: number) => number[]) =>
    Array.from({ length: size }, (_, y) => Array.from({ length: size }, (_, x) => f(texel(x, y), x, y)).flat());
  const grey = (c: readonly number[]) => (c[0] + c[1] + c[2]) / 3;
  const palette = [...new Set(Array.from({ length: size * size }, (_, i) => texel(i % size, Math.floor(i / size)).join(",")))];
  const specs: [string, PngSpec][] = [
    ["grey1-interlaced", { width: size, height: size, depth: 1, colorType: 0, interlace: true, rows: rows((c) => [grey(c) > 100 ? 1 : 0]) }],
    ["grey16-trns", { width: size, height: size, depth: 16, colorType: 0, trns: [0, 0], rows: rows((c) => [Math.round(grey(c) * 257)]) }],
    ["rgb16-interlaced", { width: size, height: size, depth: 16, colorType: 2, interlace: true, rows: rows((c) => c.map((v) => v * 257)) }],
    ["grey-alpha8", { width: size, height: size, depth: 8, colorType: 4, rows: rows((c, x) => [Math.round(grey(c)), (x * 20) & 255]) }],
    ["palette8-trns", {
      width: size, height: size, depth: 8, colorType: 3,
      plte: palette.flatMap((p) => p.split(",").map(Number)), trns: palette.map((_, i) => (i * 50) & 255),
      rows: rows((c) => [palette.indexOf(c.join(","))]),
    }],
  ];
  return specs.map(([name, spec]) => ({ name: `${name}.png`, png: makePng(spec) }));
}

function parseChunks(png: Buffer): Chunk[] {
  const out: Chunk[] = [];
  for (let pos = 8; pos < png.length; ) {
    const length = png.readUInt32BE(pos);
    out.push({ type: png.toString("latin1", pos + 4, pos + 8), data: png.subarray(pos + 8, pos + 8 + length) });
    pos += 12 + length;
  }
  return out;
}

function build(chunks: readonly Chunk[]): Buffer {
  return Buffer.concat([
    SIGNATURE,
    ...chunks.map((c) => {
      const b = chunk(c.type, c.data);
      if (c.badCrc !== undefined) b.writeUInt32BE(c.badCrc >>> 0, b.length - 4);
      return b;
    }),
  ]);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "scanout-png-fuzz-"));
  const room = await generateDemoModel(join(dir, "room"));
  seeds = [{ name: "room.png", png: await readFile(room.texture) }, ...variants()].map(({ name, png }) => ({ name, chunks: parseChunks(png) }));
  for (const s of seeds) decodePng(build(s.chunks), { name: s.name }); // every seed is valid to begin with
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const SIDES = [0, 1, 2, 7, 511, 513, 4096, 16385, 65535, 100_000, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1];
const HEADER_BYTES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 16, 255];

/** The IDAT stream inflated, or undefined when it does not inflate. */
function scanlinesOf(chunks: readonly Chunk[]): Buffer | undefined {
  try {
    return inflateSync(Buffer.concat(chunks.filter((c) => c.type === "IDAT").map((c) => c.data)));
  } catch {
    return undefined;
  }
}

/** `chunks` with the IDATs replaced by one holding `data`. */
function withImageData(chunks: Chunk[], data: Buffer): Chunk[] {
  const first = chunks.findIndex((c) => c.type === "IDAT");
  const rest = chunks.filter((c) => c.type !== "IDAT");
  rest.splice(first < 0 ? rest.length - 1 : first, 0, { type: "IDAT", data });
  return rest;
}

/** One PNG-aware mutation of `chunks` (a copy comes back); returns what it did. */
function mutateChunks(r: Rng, chunks: Chunk[]): { chunks: Chunk[]; what: string } {
  const c = chunks.map((x) => ({ ...x }));
  const i = r.int(c.length);
  switch (r.int(10)) {
    case 0: {
      const m = mutateBytes(r, c[i].data);
      c[i].data = m.bytes;
      return { chunks: c, what: `${c[i].type}: ${m.what}, CRC fixed` };
    }
    case 1: {
      const at = c.findIndex((x) => x.type === "IHDR" && x.data.length === 13);
      if (at < 0) return { chunks: c, what: "IHDR: none" };
      const ihdr = Buffer.from(c[at].data);
      const field = r.int(7);
      if (field < 2) ihdr.writeUInt32BE(r.pick(SIDES) >>> 0, 4 * field);
      else ihdr[6 + field] = r.pick(HEADER_BYTES);
      c[at].data = ihdr;
      return { chunks: c, what: `IHDR field ${field} set` };
    }
    case 2:
      c.splice(r.int(c.length + 1), 0, { ...c[i] });
      return { chunks: c, what: `duplicate ${c[i].type}` };
    case 3:
      c.splice(i, 1);
      return { chunks: c, what: `remove ${chunks[i].type}` };
    case 4: {
      const j = r.int(c.length);
      [c[i], c[j]] = [c[j], c[i]];
      return { chunks: c, what: `swap ${c[j].type} and ${c[i].type}` };
    }
    case 5: {
      const type = r.pick(["ZZZZ", "zzZz", "IHDR", "PLTE", "tRNS", "IDAT", "IEND", "gAMA", "sRGB"]);
      const data = Buffer.from(Array.from({ length: r.pick([0, 1, 2, 3, 6, 13, 300, 769]) }, () => r.int(256)));
      c.splice(1 + r.int(c.length), 0, { type, data });
      return { chunks: c, what: `insert ${type} of ${data.length} bytes` };
    }
    case 6: {
      // damage the scanlines themselves (filter bytes, pixels, length), recompressed so it inflates
      const raw = scanlinesOf(c);
      if (!raw) return { chunks: c, what: "scanlines: none" };
      const m = r.int(2) ? mutateBytes(r, raw) : { bytes: Buffer.from(raw).fill(r.int(256), r.int(raw.length), raw.length), what: "fill tail" };
      return { chunks: withImageData(c, deflateSync(m.bytes, { level: 1 })), what: `scanlines: ${m.what}` };
    }
    case 7: {
      // a broken zlib stream: cut short, damaged, or split into many IDATs
      const data = Buffer.concat(c.filter((x) => x.type === "IDAT").map((x) => x.data));
      const form = r.int(3);
      if (form === 2) {
        const parts: Chunk[] = [];
        for (let p = 0; p < data.length; ) {
          const n = 1 + r.int(64);
          parts.push({ type: "IDAT", data: data.subarray(p, p + n) });
          p += n;
        }
        const first = c.findIndex((x) => x.type === "IDAT");
        return { chunks: [...c.slice(0, first), ...parts, ...c.slice(first).filter((x) => x.type !== "IDAT")], what: `IDAT in ${parts.length} chunks` };
      }
      const bad = form === 0 ? data.subarray(0, r.int(data.length)) : mutateBytes(r, data).bytes;
      return { chunks: withImageData(c, bad), what: form === 0 ? "zlib stream cut short" : "zlib stream damaged" };
    }
    case 8:
      c[i].badCrc = r.int(2 ** 32);
      return { chunks: c, what: `bad CRC on ${c[i].type}` };
    default:
      return { chunks: c, what: "unchanged" };
  }
}

function makeInput(r: Rng): { bytes: Uint8Array; what: string } {
  const seed = r.pick(seeds);
  let chunks = seed.chunks;
  const steps = [seed.name];
  for (let n = 1 + r.int(2); n > 0; n--) {
    const m = mutateChunks(r, chunks);
    chunks = m.chunks;
    steps.push(m.what);
  }
  // and sometimes damage across chunk boundaries: lengths, signature, CRCs, truncation
  return { bytes: sometimesMutateBytes(r, build(chunks), steps, 4), what: steps.join(", ") };
}

function checkImage(img: Rgba8Image): string | undefined {
  if (img.data.length !== img.width * img.height * 4) return `${img.data.length} bytes for ${img.width}x${img.height}`;
  if (img.width * img.height > DEFAULT_MAX_PIXELS) return `${img.width}x${img.height} passed the limit`;
  return undefined;
}

it(`${INPUTS} mutated PNG files: an image or an AssetError naming the file, nothing else`, () => {
  const r = rng(FUZZ_SEED);
  const rss0 = process.resourceUsage().maxRSS;
  const t0 = performance.now();
  const report = fuzz({
    count: INPUTS,
    make: () => makeInput(r),
    // half with a device limit (as TexturedMesh loads), half with only the default pixel limit
    load: (bytes, name, i) => decodePng(bytes, i % 2 ? { name, maxDimension: MAX_DIMENSION } : { name }),
    check: checkImage,
    limitMs: 1000,
    label: "fuzz.png",
  });
  const s = (performance.now() - t0) / 1000;
  const peakGrowthMB = (process.resourceUsage().maxRSS - rss0) / 1024;
  console.log(
    `PNG fuzz (seed ${FUZZ_SEED}): ${report.inputs} inputs in ${s.toFixed(1)} s, ${report.loaded} decoded, ${report.refused} refused ` +
      `(${report.kinds.size} distinct messages), slowest ${report.slowestMs.toFixed(0)} ms, peak RSS +${peakGrowthMB.toFixed(0)} MiB; ` +
      `making inputs ${report.makeSeconds.toFixed(1)} s, decoding ${report.loadSeconds.toFixed(1)} s`,
  );
  expect(report.failure).toBeUndefined();
  expect(report.inputs).toBe(INPUTS);
  expect(report.loaded).toBeGreaterThan(INPUTS / 20);
  expect(report.refused).toBeGreaterThan(INPUTS / 2);
  // the damage reaches every layer: structure, header, limits, zlib, filters, palette
  for (const kind of ["CRC mismatch", "not allowed for", "more than the limit", "does not inflate", "inflates to", "unknown filter type", "palette index", "truncated PNG", "bad signature"]) {
    expect([...report.kinds].some((k) => k.includes(kind)), kind).toBe(true);
  }
  // nothing a header claimed was allocated: the largest real image here is 512x512 (1 MiB)
  expect(peakGrowthMB).toBeLessThan(256);
});
