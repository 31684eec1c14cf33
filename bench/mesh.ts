// Mesh section: the demo's textured room and a 20k-triangle torus with Lambert shading (untextured)
// rendered headless, each interleaved with the C reference drawing the same frames (frames/s, CPU
// per frame, peak RSS); then OBJ parse throughput on a generated 1M-triangle file, and decode +
// upload time of a 2048x2048 PNG texture.
// Standalone: node dist/bench/mesh.js [--quick]   (prints the figures; RUNS=n for medians)
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Instance, Scope, Format } from "../src/index.js";
import { writeDenseObj } from "../src/assets/generate.js";
import { parseObj } from "../src/assets/obj.js";
import { decodePng } from "../src/assets/png.js";
import { encodePng } from "../src/util/png.js";
import { generateDemoModel, uploadTexture } from "./scenes.js";
import { compareOffscreen } from "./offscreen-compare.js";
import { configLabel, type MeshSpec, type OffscreenConfig } from "./scene-spec.js";
import { benchRuns, median } from "./stats.js";

export interface MeshFigures {
  /** Named figures, e.g. "room 640x480 fps". */
  [name: string]: number;
}

/** A torus (R 0.9, r 0.35, 100x100 segments: 20,000 triangles) as an OBJ with normals and texture coordinates. */
function torusObj(): string {
  const R = 0.9, r = 0.35, n = 100, tau = 2 * Math.PI;
  const v: string[] = [], vt: string[] = [], vn: string[] = [], f: string[] = [];
  for (let i = 0; i <= n; i++) {
    const u = (tau * i) / n;
    for (let j = 0; j <= n; j++) {
      const w = (tau * j) / n;
      v.push(`v ${((R + r * Math.cos(w)) * Math.cos(u)).toFixed(5)} ${((R + r * Math.cos(w)) * Math.sin(u)).toFixed(5)} ${(r * Math.sin(w)).toFixed(5)}`);
      vn.push(`vn ${(Math.cos(w) * Math.cos(u)).toFixed(5)} ${(Math.cos(w) * Math.sin(u)).toFixed(5)} ${Math.sin(w).toFixed(5)}`);
      vt.push(`vt ${(i / n).toFixed(5)} ${(j / n).toFixed(5)}`);
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const a = i * (n + 1) + j + 1, b = a + n + 1, c = b + 1, d = a + 1;
      f.push(`f ${a}/${a}/${a} ${b}/${b}/${b} ${c}/${c}/${c} ${d}/${d}/${d}`);
    }
  }
  return [...v, ...vt, ...vn, ...f, ""].join("\n");
}

/** The demo's defaults (src/scenes/textured-mesh.ts), given explicitly so both sides get them from here. */
const CLEAR = [0.07, 0.08, 0.1, 1] as const;
const LIGHTING = 0.35;

/** The frame-rate configurations, drawn from assets written into `dir`. */
export async function meshConfigs(dir: string, quick = false): Promise<OffscreenConfig[]> {
  const room = await generateDemoModel(join(dir, "room"));
  const torus = join(dir, "torus.obj");
  await writeFile(torus, torusObj());
  const textured: MeshSpec = { ...room, anisotropy: true, clear: CLEAR, lighting: LIGHTING };
  const lambert: MeshSpec = { obj: torus, texture: room.texture, anisotropy: true, fragment: "mesh-lambert.frag.spv", clear: CLEAR, lighting: LIGHTING };
  const frames = (n: number) => (quick ? Math.ceil(n / 10) : n);
  // warm-ups of about half a second at the timed size; ours has had its JIT warm-up before (see scene-spec.ts)
  return [
    { name: "room", scene: { kind: "mesh", mesh: textured }, size: [640, 480], frames: frames(1200), warmup: frames(400) },
    { name: "room", scene: { kind: "mesh", mesh: textured }, size: [1920, 1080], frames: frames(300), warmup: frames(80) },
    { name: "torus20k-lambert", scene: { kind: "mesh", mesh: lambert }, size: [640, 480], frames: frames(1200), warmup: frames(400) },
    { name: "torus20k-lambert", scene: { kind: "mesh", mesh: lambert }, size: [1920, 1080], frames: frames(300), warmup: frames(80) },
  ];
}

export interface MeshBenchOptions {
  /** Fewer frames and a smaller OBJ (a smoke run). */
  quick?: boolean;
  runs?: number;
  log?: (line: string) => void;
}

export async function benchMesh(options: MeshBenchOptions = {}): Promise<MeshFigures> {
  const quick = options.quick ?? false;
  const runs = options.runs ?? benchRuns();
  const log = options.log ?? (() => {});
  const figures: MeshFigures = {};
  const dir = await mkdtemp(join(tmpdir(), "scanout-bench-mesh-"));
  const gpu = await Instance.create({ validation: false });
  try {
    // --- frame rate, beside the C reference ---
    for (const config of await meshConfigs(dir, quick)) {
      const r = await compareOffscreen(config, runs, log);
      const key = configLabel(config);
      figures[`${key} fps`] = r.ours.fps;
      figures[`${key} cpu ms/frame`] = r.ours.cpuMsPerFrame;
      figures[`${key} heap bytes/frame`] = r.ours.heapBytesPerFrame;
      if (r.c && !r.noRatio) figures[`${key} ratio to C reference`] = r.ours.fps / r.c.perSecond;
    }

    // --- OBJ parse throughput, from memory (no disk in the figure) ---
    const big = join(dir, "big.obj");
    const { bytes, triangles } = await writeDenseObj(big, quick ? 100_000 : 1_000_000);
    const text = await readFile(big);
    const times: number[] = [];
    for (let r = 0; r < Math.max(3, runs); r++) {
      const t0 = performance.now();
      parseObj(text, { name: big });
      times.push(performance.now() - t0);
    }
    const parseMs = median(times);
    figures["obj parse MB/s"] = bytes / 1e6 / (parseMs / 1000);
    figures["obj parse ms"] = parseMs;
    figures["obj triangles"] = triangles;
    log(`obj parse: ${(bytes / 1e6).toFixed(1)} MB, ${triangles} triangles in ${parseMs.toFixed(0)} ms → ${figures["obj parse MB/s"]!.toFixed(0)} MB/s`);

    // --- 2048x2048 texture: PNG decode, then staging upload + mip chain by blits ---
    const size = 2048;
    const px = new Uint8Array(size * size * 4);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const o = (y * size + x) * 4;
        px[o] = x & 255;
        px[o + 1] = y & 255;
        px[o + 2] = (x ^ y) & 255;
        px[o + 3] = 255;
      }
    }
    const pngPath = join(dir, "tex2048.png");
    await writeFile(pngPath, encodePng({ width: size, height: size, data: px }));
    const png = await readFile(pngPath);
    const device = gpu.createDevice();
    try {
      const decode: number[] = [], upload: number[] = [];
      for (let r = 0; r < Math.max(3, runs); r++) {
        let t0 = performance.now();
        const image = decodePng(png, { name: pngPath, maxDimension: device.physical.limits.maxImageDimension2D });
        decode.push(performance.now() - t0);
        t0 = performance.now();
        const scope = new Scope("bench texture");
        try {
          uploadTexture(device, scope, image, Format.VK_FORMAT_R8G8B8A8_UNORM, true);
          upload.push(performance.now() - t0);
        } finally {
          scope.close();
        }
      }
      figures["texture 2048 decode ms"] = median(decode);
      figures["texture 2048 upload+mips ms"] = median(upload);
      log(`texture 2048x2048: PNG decode ${median(decode).toFixed(0)} ms, upload + 12 mip levels ${median(upload).toFixed(0)} ms`);
    } finally {
      device.destroy();
    }
  } finally {
    gpu.destroy();
    await rm(dir, { recursive: true, force: true });
  }
  return figures;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = await benchMesh({ quick: process.argv.includes("--quick"), log: (l) => console.log(l) });
  console.log(JSON.stringify(figures, null, 2));
}
