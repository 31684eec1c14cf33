// Colour section: the hdr scene (the demo room with its 1000 cd/m² light) rendered headless in each
// colour, interleaved round by round in one process (one sitting): frame time of sRGB against HDR10
// (PQ encoding, BT.2020 matrix, 10-bit target), Display P3 (matrix, 8-bit) and scRGB (FP16), and the
// room without colour encoding (mesh.frag) as the floor. Each run: a fresh presenter and scene, a
// warm-up, then timed frames; medians of RUNS rounds, ratios of CPU time to sRGB's per round.
// Standalone: node dist/bench/colour.js   (SIZE=WxH, FRAMES=n, RUNS=n)
import { pathToFileURL } from "node:url";
import { Instance, createHeadlessPresenter, type ColourChoice } from "../src/index.js";
import { loadDemoMesh } from "../src/scenes/index.js";
import { benchRuns, fmt, median } from "./stats.js";

interface Config {
  readonly label: string;
  readonly color: ColourChoice;
  /** false: the plain room (mesh.frag, no light): what encoding adds to. */
  readonly hdrScene: boolean;
}

const CONFIGS: readonly Config[] = [
  { label: "room, no encoding (mesh.frag), 8-bit", color: "srgb", hdrScene: false },
  { label: "hdr scene, srgb, 8-bit", color: "srgb", hdrScene: true },
  { label: "hdr scene, display-p3, 8-bit", color: "display-p3", hdrScene: true },
  { label: "hdr scene, hdr10 (PQ), 10-bit", color: "hdr10", hdrScene: true },
  { label: "hdr scene, scrgb (linear), FP16", color: "scrgb", hdrScene: true },
];

/** Wall and CPU (whole process, rasterizer threads included) ms per frame of one run: `frames` timed frames after `warmup`. */
async function oneRun(gpu: Instance, config: Config, size: readonly [number, number], warmup: number, frames: number): Promise<{ ms: number; cpuMs: number; inEffect: string }> {
  const out = createHeadlessPresenter(gpu.createDevice(), { size, color: config.color }, true);
  try {
    const scene = await loadDemoMesh(out, config.hdrScene ? { highlightNits: 1000 } : {});
    try {
      const body = (frame: Parameters<Parameters<typeof out.run>[0]>[0]) => {
        scene.update(frame);
        frame.record((cmd) => scene.draw(cmd, frame));
      };
      await out.run(body, { limit: warmup });
      const stats = await out.run(body, { limit: frames });
      return { ms: (stats.seconds * 1000) / stats.frames, cpuMs: stats.cpuMsPerFrame, inEffect: stats.colour?.inEffect ?? "?" };
    } finally {
      scene.destroy();
    }
  } finally {
    await out.close();
  }
}

/** Runs the section and prints its table; returns ms per frame medians by label. */
export async function benchColour(log: (line: string) => void = console.log): Promise<Record<string, number>> {
  const runs = benchRuns();
  const [w, h] = (process.env.SIZE ?? "1280x720").split("x").map(Number) as [number, number];
  const frames = Number(process.env.FRAMES ?? 120);
  const warmup = 20;
  await using gpu = await Instance.create({ validation: false });
  const ms = new Map<string, number[]>(CONFIGS.map((c) => [c.label, []]));
  const cpu = new Map<string, number[]>(CONFIGS.map((c) => [c.label, []]));
  const ratios = new Map<string, number[]>(CONFIGS.map((c) => [c.label, []]));
  const effect = new Map<string, string>();
  for (let round = 0; round < runs; round++) {
    const base = new Map<string, number>();
    // the order turns each round, so no configuration always runs first or last
    for (let k = 0; k < CONFIGS.length; k++) {
      const config = CONFIGS[(k + round) % CONFIGS.length]!;
      const r = await oneRun(gpu, config, [w, h], warmup, frames);
      ms.get(config.label)!.push(r.ms);
      cpu.get(config.label)!.push(r.cpuMs);
      // CPU time, not wall time, for the ratio: on a shared machine the rasterizer threads wait for
      // CPUs, which stretches wall time but not the work done
      base.set(config.label, r.cpuMs);
      effect.set(config.label, r.inEffect);
    }
    const srgb = base.get(CONFIGS[1]!.label)!;
    for (const c of CONFIGS) ratios.get(c.label)!.push(base.get(c.label)! / srgb);
  }
  log(`${w}x${h}, ${frames} frames per run after ${warmup} of warm-up, ${runs} rounds; ${gpu.physicalDevices()[0]?.name ?? "?"}`);
  log(`| configuration | colour in effect | wall ms/frame | fps | CPU ms/frame | CPU vs hdr scene srgb (median of rounds, range) |`);
  log(`|---|---|---|---|---|---|`);
  const result: Record<string, number> = {};
  for (const c of CONFIGS) {
    const m = median(ms.get(c.label)!);
    result[c.label] = m;
    const r = ratios.get(c.label)!;
    log(`| ${c.label} | ${effect.get(c.label)} | ${fmt(m, 2)} | ${fmt(1000 / m, 1)} | ${fmt(median(cpu.get(c.label)!), 2)} | ${fmt(median(r), 3)}x (${fmt(Math.min(...r), 3)}-${fmt(Math.max(...r), 3)}) |`);
  }
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await benchColour();
