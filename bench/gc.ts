// GC pauses in a long steady run: the triangle and the demo room, headless 640x480, 10,000 frames
// each (after a warm-up), in this process, with every collection observed through perf_hooks.
// Reports collections, the longest pause, the total and the JS heap bytes allocated per frame.
import { PerformanceObserver, type PerformanceEntry } from "node:perf_hooks";
import { createHeadlessPresenter, Instance, runScene, type Presenter, type Scene } from "../src/index.js";
import { loadDemoMesh } from "../src/scenes/index.js";
import { measureAllocation } from "./heap.js";
import { Triangle } from "./scenes.js";
import { BENCH_TIMESTEP, TARGET_FORMAT } from "./scene-spec.js";
import { fmt } from "./stats.js";

export interface GcFigures {
  frames: number;
  collections: number;
  longestPauseMs: number;
  totalPauseMs: number;
  heapBytesPerFrame: number;
}

async function measure(out: Presenter, scene: Scene, frames: number): Promise<GcFigures> {
  await runScene(out, scene, { limit: 300, fixedTimestep: BENCH_TIMESTEP });
  const pauses: number[] = [];
  const observer = new PerformanceObserver((list) => list.getEntries().forEach((e: PerformanceEntry) => pauses.push(e.duration)));
  observer.observe({ entryTypes: ["gc"] });
  const { bytes } = await measureAllocation(() => runScene(out, scene, { limit: frames, fixedTimestep: BENCH_TIMESTEP }));
  await new Promise((r) => setImmediate(r)); // the observer's last entries arrive on a later turn
  observer.disconnect();
  return {
    frames,
    collections: pauses.length,
    longestPauseMs: pauses.length ? Math.max(...pauses) : 0,
    totalPauseMs: pauses.reduce((a, b) => a + b, 0),
    heapBytesPerFrame: bytes / frames,
  };
}

/** Runs both scenes for `frames` frames and prints one line each. */
export async function benchGc(frames: number, log: (line: string) => void): Promise<Record<string, GcFigures>> {
  await using gpu = await Instance.create({});
  const results: Record<string, GcFigures> = {};
  for (const name of ["triangle", "mesh"] as const) {
    const out = createHeadlessPresenter(gpu.createDevice(), { size: [640, 480], format: TARGET_FORMAT }, true);
    const scene: Scene = name === "triangle" ? Triangle.create(out) : await loadDemoMesh(out);
    try {
      const r = (results[name] = await measure(out, scene, frames));
      log(
        `${name} 640x480, ${r.frames} frames: ${r.collections} GCs, longest pause ${fmt(r.longestPauseMs, 3)} ms, ` +
          `total ${fmt(r.totalPauseMs, 2)} ms, ${fmt(r.heapBytesPerFrame, 0)} heap bytes/frame`,
      );
    } finally {
      scene.destroy();
      await out.close();
    }
  }
  return results;
}
