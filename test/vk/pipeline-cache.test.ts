// The on-disk pipeline cache on lavapipe with validation on: a valid file is loaded and the frame
// rendered through it is unchanged; corrupt, truncated and foreign files are ignored without an
// error; files are replaced by a rename, never rewritten in place.
import { mkdtempSync, mkdirSync, openSync, readFileSync, readSync, closeSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Instance, createHeadlessPresenter, type Pixels } from "../../src/index.js";
import { decodePipelineCacheFile, defaultPipelineCacheFile, encodePipelineCacheFile, PipelineCache, writePipelineCacheFile } from "../../src/vk/pipeline-cache.js";
import { Triangle } from "../../src/scenes/index.js";
import { compareWithGolden } from "../helpers/golden.js";
import { captureFrame } from "../helpers/capture.js";

const SIZE = [160, 120] as const;

/** The decoded driver data as plain numbers (or the refusal, which then fails the comparison). */
const dataOf = (r: { data: Uint8Array } | { reason: string }): number[] | string => ("data" in r ? [...r.data] : r.reason);

describe("pipeline cache on disk (headless, lavapipe, validation on)", () => {
  let gpu: Instance;
  let dir: string;
  let reference: Pixels;
  /** What the driver's cache holds for this device right after creation (at least its Vulkan header). */
  let driverData: Uint8Array;

  /** Renders the triangle's frame 0 on a new device whose pipeline cache file is `file`; returns it and the bytes the cache loaded. */
  async function render(file: string | false): Promise<{ pixels: Pixels; loaded: number }> {
    const device = gpu.createDevice({ pipelineCache: file });
    const loaded = device.pipelineCache.loadedBytes;
    const out = createHeadlessPresenter(device, { size: SIZE }, true);
    return { pixels: await captureFrame(out, Triangle.create(out)), loaded };
  }

  beforeAll(async () => {
    gpu = await Instance.create({ validation: true, requireValidation: true });
    dir = mkdtempSync(join(tmpdir(), "scanout-pipeline-cache-"));
    reference = (await render(false)).pixels;
    const device = gpu.createDevice({ pipelineCache: false });
    driverData = device.pipelineCache.data();
    device.destroy();
  });
  afterAll(() => {
    gpu?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("renders the golden triangle without a cache file (the reference for the other tests)", () => {
    expect(compareWithGolden("triangle-frame0.png", reference).differing).toBe(0);
    expect(driverData.byteLength).toBeGreaterThanOrEqual(32); // a Vulkan pipeline cache header at least
  });

  it("loads a file holding this driver's data, and the frame rendered through it is unchanged", async () => {
    const file = join(dir, "valid.bin");
    writePipelineCacheFile(file, driverData);
    const r = await render(file);
    expect(r.loaded).toBe(driverData.byteLength);
    expect(Buffer.from(r.pixels.data).equals(Buffer.from(reference.data))).toBe(true);
    expect(gpu.validationErrors).toEqual([]);
  });

  it("ignores corrupt, truncated, foreign and garbage files: the cache starts empty, nothing throws, the frame is unchanged", async () => {
    const good = encodePipelineCacheFile(driverData);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 1]! ^= 0xff; // payload no longer matches its checksum
    const foreignData = Uint8Array.from(driverData);
    foreignData[16]! ^= 0xff; // another pipelineCacheUUID, with a valid checksum over it
    const variants: [string, Uint8Array][] = [
      ["corrupt", flipped],
      ["truncated", good.subarray(0, good.length - 5)],
      ["foreign", encodePipelineCacheFile(foreignData)],
      ["garbage", Buffer.from("not a pipeline cache at all, just some text in its place")],
      ["empty", new Uint8Array(0)],
    ];
    for (const [name, bytes] of variants) {
      const file = join(dir, `${name}.bin`);
      writeFileSync(file, bytes);
      const r = await render(file);
      expect(r.loaded, name).toBe(0);
      expect(Buffer.from(r.pixels.data).equals(Buffer.from(reference.data)), name).toBe(true);
    }
    expect(gpu.validationErrors).toEqual([]);
  });

  it("says why a file is refused", () => {
    const physical = gpu.selectPhysicalDevice();
    const good = encodePipelineCacheFile(driverData);
    expect(dataOf(decodePipelineCacheFile(good, physical))).toEqual([...driverData]);
    const foreign = Uint8Array.from(driverData);
    foreign[8]! ^= 1; // vendor ID
    expect(decodePipelineCacheFile(encodePipelineCacheFile(foreign), physical)).toMatchObject({ reason: expect.stringContaining("another device or driver") });
    const flipped = Buffer.from(good);
    flipped[40]! ^= 1;
    expect(decodePipelineCacheFile(flipped, physical)).toMatchObject({ reason: expect.stringContaining("checksum") });
    expect(decodePipelineCacheFile(good.subarray(0, 40), physical)).toMatchObject({ reason: expect.stringContaining("truncated") });
    expect(decodePipelineCacheFile(Buffer.from("SOPX" + "\0".repeat(40)), physical)).toMatchObject({ reason: expect.stringContaining("magic") });
  });

  it("replaces a file by renaming a complete new one over it: a reader of the old file still reads all of it", () => {
    const file = join(dir, "atomic", "cache.bin");
    const first = new Uint8Array([...driverData, ...new Uint8Array(4096).fill(1)]);
    const second = new Uint8Array([...driverData, ...new Uint8Array(8192).fill(2)]);
    writePipelineCacheFile(file, first);
    const before = statSync(file).ino;
    const fd = openSync(file, "r");
    try {
      writePipelineCacheFile(file, second);
      const old = Buffer.alloc(encodePipelineCacheFile(first).length + 16);
      const n = readSync(fd, old, 0, old.length, 0);
      expect(Buffer.from(old.subarray(0, n)).equals(encodePipelineCacheFile(first))).toBe(true);
    } finally {
      closeSync(fd);
    }
    expect(statSync(file).ino).not.toBe(before);
    expect(readFileSync(file).equals(encodePipelineCacheFile(second))).toBe(true);
    expect(readdirSync(join(dir, "atomic"))).toEqual(["cache.bin"]); // no temporary file left behind
  });

  // lavapipe's cache holds only its header, so for what save() writes the driver's data is stood in
  // for: its real header plus 64 bytes (a fake, for data no driver here produces)
  it("save() writes changed data once; a cache destroyed before its background save writes it then", () => {
    const device = gpu.createDevice({ pipelineCache: false });
    const fake = new Uint8Array([...driverData, ...Array.from({ length: 64 }, (_, i) => i)]);
    try {
      const file = join(dir, "user", "explicit.bin");
      const cache = PipelineCache.create(device, { file });
      Object.defineProperty(cache, "data", { value: () => fake });
      expect(cache.save()).toBe(true);
      expect(dataOf(decodePipelineCacheFile(readFileSync(file), gpu.selectPhysicalDevice()))).toEqual([...fake]);
      expect(cache.save()).toBe(false); // unchanged: not written again
      cache.destroy();

      const late = join(dir, "user", "late.bin");
      const second = PipelineCache.create(device, { file: late });
      Object.defineProperty(second, "data", { value: () => fake });
      second.created(); // a pipeline was made: the background save is due in a second
      expect(existsSync(late)).toBe(false);
      second.destroy();
      expect(dataOf(decodePipelineCacheFile(readFileSync(late), gpu.selectPhysicalDevice()))).toEqual([...fake]);
    } finally {
      device.destroy();
    }
    expect(gpu.validationErrors).toEqual([]);
  });

  it("writing into the default folder deletes the oldest other files there (never in a folder the app chose)", () => {
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = join(dir, "xdg");
    const device = gpu.createDevice({ pipelineCache: false });
    const fake = new Uint8Array([...driverData, 1, 2, 3, 4]);
    try {
      const file = defaultPipelineCacheFile(gpu.selectPhysicalDevice());
      const folder = dirname(file);
      const chosen = join(dir, "chosen");
      for (const d of [folder, chosen]) {
        mkdirSync(d, { recursive: true });
        for (let i = 0; i < 6; i++) {
          writeFileSync(join(d, `old-${i}.bin`), "x");
          utimesSync(join(d, `old-${i}.bin`), 1_000_000 + i, 1_000_000 + i); // old-5 the newest
        }
      }
      for (const f of [file, join(chosen, "mine.bin")]) {
        const cache = PipelineCache.create(device, { file: f });
        Object.defineProperty(cache, "data", { value: () => fake });
        expect(cache.save()).toBe(true);
        cache.destroy();
      }
      expect(readdirSync(folder).sort()).toEqual([basename(file), "old-3.bin", "old-4.bin", "old-5.bin"].sort());
      expect(readdirSync(chosen)).toHaveLength(7);
    } finally {
      device.destroy();
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
  });

  it("saves the device's cache when the device is destroyed, unless the driver caches nothing (lavapipe keeps only a header)", async () => {
    const file = join(dir, "saved", "cache.bin");
    const device = gpu.createDevice({ pipelineCache: file });
    const out = createHeadlessPresenter(device, { size: SIZE }, true);
    const scene = Triangle.create(out);
    const data = device.pipelineCache.data();
    scene.destroy();
    await out.close();
    if (data.byteLength > 32) {
      expect(dataOf(decodePipelineCacheFile(readFileSync(file), gpu.selectPhysicalDevice()))).toEqual([...data]);
    } else {
      expect(existsSync(file)).toBe(false);
    }
  });
});
