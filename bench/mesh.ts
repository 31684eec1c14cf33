// Textured-mesh benchmark: frames/s and CPU per frame for the generated room (and the C reference's
// 20k-triangle torus written as an OBJ, run beside the reference when it is built), OBJ parse throughput on a generated
// 1M-triangle file, and decode + upload time of a 2048x2048 PNG texture.
// Standalone: node dist/bench/mesh.js [--quick]   (prints the figures; RUNS=n for medians)
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Instance, Scope, createHeadlessPresenter, Format, runScene } from "../src/index.js";
import { generateDemoModel, writeDenseObj } from "../src/assets/generate.js";
import { parseObj } from "../src/assets/obj.js";
import { decodePng, encodePng } from "../src/assets/png.js";
import { TexturedMesh, uploadTexture } from "../examples/mesh.js";
import { measureAllocation } from "./heap.js";
import { haveReference, runReference } from "./reference.js";

export interface MeshFigures {
  /** Named figures, e.g. "room 640x480 fps". */
  [name: string]: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * The C reference's torus (R 0.9, r 0.35, 100x100 segments, 20,000 triangles) as an OBJ with
 * texture coordinates, so both programs draw the same geometry (ours textured, theirs vertex-coloured).
 */
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

type Assets = { obj: string; texture: string; anisotropy?: boolean; shaders?: { fragment?: string } };

async function frameRate(gpu: Instance, assets: Assets, size: readonly [number, number], frames: number) {
  const out = createHeadlessPresenter(gpu.createDevice(), { size }, true);
  let scene: TexturedMesh | undefined;
  try {
    const mesh = (scene = await TexturedMesh.load(out, assets));
    await runScene(out, mesh, { limit: Math.min(60, frames) }); // warm-up: framebuffers, depth buffer, JIT
    const { bytes } = await measureAllocation(() => runScene(out, mesh, { limit: frames }));
    return { fps: out.stats.fps, cpuMsPerFrame: out.stats.cpuMsPerFrame, heapBytesPerFrame: bytes / frames };
  } finally {
    scene?.destroy();
    await out.close();
  }
}

export interface MeshBenchOptions {
  /** Fewer frames and a smaller OBJ (a smoke run). */
  quick?: boolean;
  runs?: number;
  log?: (line: string) => void;
}

export async function benchMesh(options: MeshBenchOptions = {}): Promise<MeshFigures> {
  const quick = options.quick ?? false;
  const runs = options.runs ?? Number(process.env.RUNS ?? 3);
  const log = options.log ?? (() => {});
  const figures: MeshFigures = {};
  const dir = await mkdtemp(join(tmpdir(), "scanout-bench-mesh-"));
  const gpu = await Instance.create({ validation: false });
  try {
    // --- frame rate: generated room, and a 20k-triangle grid beside the C reference's torus ---
    const room = await generateDemoModel(join(dir, "room"));
    const torus = join(dir, "torus.obj");
    await writeFile(torus, torusObj());
    const withRef = haveReference();
    const configs: [string, Assets, readonly [number, number], number][] = [
      ["room", room, [640, 480], quick ? 60 : 600],
      ["room", room, [1920, 1080], quick ? 20 : 200],
      ["torus20k", { obj: torus, texture: room.texture }, [640, 480], quick ? 60 : 600],
      ["torus20k", { obj: torus, texture: room.texture }, [1920, 1080], quick ? 20 : 200],
      // lavapipe samples anisotropically in software: the same torus without it
      ["torus20k-noaniso", { obj: torus, texture: room.texture, anisotropy: false }, [640, 480], quick ? 60 : 600],
      ["torus20k-noaniso", { obj: torus, texture: room.texture, anisotropy: false }, [1920, 1080], quick ? 20 : 200],
      // the C reference's own per-pixel work (Lambert, no texture): the like-for-like ratio
      ["torus20k-lambert", { obj: torus, texture: room.texture, shaders: { fragment: "mesh-lambert.frag.spv" } }, [640, 480], quick ? 60 : 1000],
      ["torus20k-lambert", { obj: torus, texture: room.texture, shaders: { fragment: "mesh-lambert.frag.spv" } }, [1920, 1080], quick ? 20 : 200],
    ];
    for (const [name, assets, size, frames] of configs) {
      const ours: { fps: number; cpuMsPerFrame: number; heapBytesPerFrame: number }[] = [];
      const ref: number[] = [];
      for (let r = 0; r < runs; r++) {
        ours.push(await frameRate(gpu, assets, size, frames));
        if (withRef && name.startsWith("torus20k")) ref.push(runReference("mesh", size, frames).fps);
      }
      const key = `${name} ${size[0]}x${size[1]}`;
      figures[`${key} fps`] = median(ours.map((o) => o.fps));
      figures[`${key} cpu ms/frame`] = median(ours.map((o) => o.cpuMsPerFrame));
      figures[`${key} heap bytes/frame`] = median(ours.map((o) => o.heapBytesPerFrame));
      let line = `mesh ${key} frames=${frames}: ${figures[`${key} fps`]!.toFixed(1)} fps, ${figures[`${key} cpu ms/frame`]!.toFixed(3)} CPU ms/frame, ${figures[`${key} heap bytes/frame`]!.toFixed(0)} heap bytes/frame`;
      if (ref.length) {
        figures[`${key} C reference torus fps`] = median(ref);
        figures[`${key} ratio to C reference`] = figures[`${key} fps`]! / median(ref);
        line += ` | C reference torus ${median(ref).toFixed(1)} fps → ratio ${figures[`${key} ratio to C reference`]!.toFixed(3)}x`;
      }
      log(line);
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
    await writeFile(pngPath, encodePng(size, size, px));
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
