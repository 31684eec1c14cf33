// What the frame timeline costs, and what the GPU does per frame. Run: node scripts/launch.mjs bench/trace-cost
// - Tracing cost per frame: (a) the tracer calls one frame makes, timed alone in a tight loop (the
//   precise figure); (b) headless triangle runs with and without a tracer, interleaved, medians of JS
//   thread CPU per frame (the end-to-end check, noisier); (c) JS heap bytes per frame both ways.
// - GPU ms per frame (FrameStats.gpuMsPerFrame, a median) for the triangle and the textured mesh.
import { pathToFileURL } from "node:url";
import { FrameTracer, Instance, createHeadlessPresenter, runScene, type Presenter, type Scene } from "../src/index.js";
import { Triangle, loadDemoMesh } from "../src/scenes/index.js";
import { measureAllocation } from "./heap.js";

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** µs per frame of the tracer calls the frame loop makes for one headless frame (6 clock reads, 6 events). */
export function tracerCallsPerFrameUs(frames = 200_000): number {
  const tracer = new FrameTracer(frames * 6);
  const t0 = performance.now();
  for (let f = 0; f < frames; f++) {
    const acquireStart = performance.now();
    const waitStart = performance.now();
    tracer.span("wait fence", f - 2, waitStart);
    tracer.span("gpu", f - 2, waitStart, waitStart);
    const handedOut = performance.now();
    tracer.span("acquire", f, acquireStart, handedOut);
    const submitStart = performance.now();
    tracer.span("record", f, handedOut, submitStart);
    const presentStart = performance.now();
    tracer.span("submit", f, submitStart, presentStart);
    tracer.span("present", f, presentStart);
  }
  return ((performance.now() - t0) * 1000) / frames;
}

interface LoopFigures {
  jsMsPerFrame: number;
  wallMsPerFrame: number;
  gpuMsPerFrame: number | undefined;
}

async function loop(out: Presenter, scene: Scene, frames: number, traced: boolean): Promise<LoopFigures> {
  const s = await runScene(out, scene, { limit: frames, tracer: traced ? new FrameTracer(frames * 8) : undefined });
  return { jsMsPerFrame: s.mainThreadCpuMsPerFrame, wallMsPerFrame: (s.seconds * 1000) / s.frames, gpuMsPerFrame: s.gpuMsPerFrame };
}

export interface TraceCost {
  tracerCallsUs: number;
  jsMsOff: number;
  jsMsOn: number;
  heapBytesOff: number;
  heapBytesOn: number;
}

/** Interleaved headless triangle runs (64x64, so the GPU is not the limit) with and without a tracer. */
export async function benchTraceCost(gpu: Instance, runs: number, log: (line: string) => void): Promise<TraceCost> {
  const frames = 3000;
  const out = createHeadlessPresenter(gpu.createDevice(), { size: [64, 64] }, true);
  const scene = Triangle.create(out);
  try {
    await loop(out, scene, 300, true);
    const off: number[] = [];
    const on: number[] = [];
    for (let r = 0; r < runs; r++) {
      off.push((await loop(out, scene, frames, false)).jsMsPerFrame);
      on.push((await loop(out, scene, frames, true)).jsMsPerFrame);
    }
    const heapOff = (await measureAllocation(() => loop(out, scene, frames, false))).bytes / frames;
    const tracer = new FrameTracer(frames * 8); // made outside the measured stretch, as a user would
    const heapOn = (await measureAllocation(() => runScene(out, scene, { limit: frames, tracer }))).bytes / frames;
    const result = { tracerCallsUs: tracerCallsPerFrameUs(), jsMsOff: median(off), jsMsOn: median(on), heapBytesOff: heapOff, heapBytesOn: heapOn };
    log(`tracing cost: tracer calls ${result.tracerCallsUs.toFixed(3)} µs/frame (alone, 200k frames)`);
    log(`  JS thread ms/frame, medians of ${runs} interleaved runs of ${frames}: off ${result.jsMsOff.toFixed(4)}, on ${result.jsMsOn.toFixed(4)}, difference ${(result.jsMsOn - result.jsMsOff).toFixed(4)}`);
    log(`  JS heap bytes/frame: off ${heapOff.toFixed(0)}, on ${heapOn.toFixed(0)}`);
    return result;
  } finally {
    scene.destroy();
    await out.close();
  }
}

/** GPU ms per frame (median) of the triangle and the textured mesh at two sizes. */
export async function benchGpuTime(gpu: Instance, log: (line: string) => void): Promise<void> {
  const scenes: [string, (out: Presenter) => Promise<Scene>][] = [
    ["triangle", async (out) => Triangle.create(out)],
    ["mesh", (out) => loadDemoMesh(out)],
  ];
  for (const [name, load] of scenes) {
    for (const size of [[640, 480], [1920, 1080]] as const) {
      const out = createHeadlessPresenter(gpu.createDevice(), { size }, true);
      const scene = await load(out);
      try {
        await loop(out, scene, 30, false);
        const f = await loop(out, scene, size[0] > 1000 ? 150 : 600, false);
        log(`GPU time ${name} ${size[0]}x${size[1]}: ${f.gpuMsPerFrame?.toFixed(3) ?? "n/a"} ms/frame (median), wall ${f.wallMsPerFrame.toFixed(3)} ms/frame; clock ${out.gpuClock ? `${out.gpuClock.method}, window ${(out.gpuClock.uncertaintyMs * 1000).toFixed(1)} µs` : "none"}`);
      } finally {
        scene.destroy();
        await out.close();
      }
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const gpu = await Instance.create({ validation: false });
  try {
    await benchTraceCost(gpu, 7, (line) => console.log(line));
    await benchGpuTime(gpu, (line) => console.log(line));
  } finally {
    gpu.destroy();
  }
}
