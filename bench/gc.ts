// GC pauses in a long steady run: the triangle and the demo room, headless 640x480, 10,000 frames
// each (after a warm-up), with every collection observed through perf_hooks. Reports collections,
// the longest pause, the total and the JS heap bytes allocated per frame.
// Each run is a process of its own (node dist/bench/gc.js FRAMES), started once with node's
// defaults and once with the flags scanout's programs run with (NODE_FLAGS_FOR_FRAME_LOOPS): V8's
// memory reducer takes a loop that allocates under 1 KB/ms for an idle page and, about 8 s after
// a full collection that grew the heap (loading a scene), runs two compacting collections of
// 2-18 ms on the main thread.
import { constants, PerformanceObserver, type PerformanceEntry } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { createHeadlessPresenter, Instance, NODE_FLAGS_FOR_FRAME_LOOPS, runScene, type Presenter, type Scene } from "../src/index.js";
import { loadDemoMesh } from "../src/scenes/index.js";
import { runJsonChild } from "./child-process.js";
import { measureAllocation } from "./heap.js";
import { Triangle } from "./scenes.js";
import { BENCH_TIMESTEP, TARGET_FORMAT } from "./scene-spec.js";
import { fmt, median } from "./stats.js";

export interface GcFigures {
  frames: number;
  collections: number;
  longestPauseMs: number;
  totalPauseMs: number;
  /** What the longest pause was: scavenge (young generation), mark-compact, incremental marking step, weak callbacks. */
  longestKind: string;
  /** Longest young-generation pause: the steady state's kind (a mark-compact here is V8's memory reducer, once, ~8 s after loading). */
  longestScavengeMs: number;
  /** Collections by kind, e.g. { scavenge: 3, "mark-compact": 1 }. */
  kinds: Record<string, number>;
  heapBytesPerFrame: number;
}

/** perf_hooks' names for a "gc" entry's detail.kind. */
const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: "scavenge",
  [constants.NODE_PERFORMANCE_GC_MAJOR]: "mark-compact",
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incremental",
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weak callbacks",
};

function gcKind(entry: PerformanceEntry): string {
  const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
  return kind === undefined ? "unknown" : (GC_KINDS[kind] ?? `kind ${kind}`);
}

/**
 * Frames run before measuring: enough for the JIT to have optimised the frame path (a few hundred
 * frames leave it partly unoptimised, where numbers are boxed on the heap: that is start-up, not
 * the steady state). GC_WARMUP overrides it.
 */
export const GC_WARMUP_FRAMES = Number(process.env.GC_WARMUP ?? 2000);

async function measure(out: Presenter, scene: Scene, frames: number): Promise<GcFigures> {
  await runScene(out, scene, { limit: GC_WARMUP_FRAMES, fixedTimestep: BENCH_TIMESTEP });
  const pauses: { ms: number; kind: string }[] = [];
  const observer = new PerformanceObserver((list) => list.getEntries().forEach((e) => pauses.push({ ms: e.duration, kind: gcKind(e) })));
  // observed from inside: measureAllocation's own scavenge before the run is not the run's
  const { bytes } = await measureAllocation(() => {
    observer.observe({ entryTypes: ["gc"] });
    return runScene(out, scene, { limit: frames, fixedTimestep: BENCH_TIMESTEP });
  });
  await new Promise((r) => setImmediate(r)); // the observer's last entries arrive on a later turn
  observer.disconnect();
  const longest = pauses.reduce<{ ms: number; kind: string } | undefined>((a, p) => (a && a.ms >= p.ms ? a : p), undefined);
  const kinds: Record<string, number> = {};
  for (const p of pauses) kinds[p.kind] = (kinds[p.kind] ?? 0) + 1;
  return {
    frames,
    collections: pauses.length,
    longestPauseMs: longest?.ms ?? 0,
    totalPauseMs: pauses.reduce((a, p) => a + p.ms, 0),
    longestKind: longest?.kind ?? "none",
    longestScavengeMs: pauses.reduce((a, p) => (p.kind === "scavenge" ? Math.max(a, p.ms) : a), 0),
    kinds,
    heapBytesPerFrame: bytes / frames,
  };
}

/** Runs both scenes for `frames` frames in this process and prints one line each. */
export async function benchGc(frames: number, log: (line: string) => void): Promise<Record<string, GcFigures>> {
  await using gpu = await Instance.create({});
  const results: Record<string, GcFigures> = {};
  for (const name of ["triangle", "mesh"] as const) {
    const out = createHeadlessPresenter(gpu.createDevice(), { size: [640, 480], format: TARGET_FORMAT }, true);
    const scene: Scene = name === "triangle" ? Triangle.create(out) : await loadDemoMesh(out);
    try {
      const r = (results[name] = await measure(out, scene, frames));
      log(
        `${name} 640x480, ${r.frames} frames after ${GC_WARMUP_FRAMES} of warm-up: ${r.collections} GCs (${Object.entries(r.kinds).map(([k, n]) => `${n} ${k}`).join(", ") || "none"}), ` +
          `longest pause ${fmt(r.longestPauseMs, 3)} ms (${r.longestKind}), longest scavenge ${fmt(r.longestScavengeMs, 3)} ms, ` +
          `total ${fmt(r.totalPauseMs, 2)} ms, ${fmt(r.heapBytesPerFrame, 0)} heap bytes/frame`,
      );
    } finally {
      scene.destroy();
      await out.close();
    }
  }
  return results;
}

const RESULT = "gc result: ";
const SCENES = ["triangle", "mesh"] as const;

/** One run of both scenes in a fresh node started with `flags`. */
function runInChild(flags: readonly string[], frames: number): Record<string, GcFigures> {
  return runJsonChild<Record<string, GcFigures>>(fileURLToPath(import.meta.url), [String(frames)], RESULT, flags);
}

/**
 * `runs` runs of both scenes under node's defaults and under NODE_FLAGS_FOR_FRAME_LOOPS; one line
 * per scene and configuration with the longest pause over all its runs (the worst case is what a
 * frame loop feels) and each run's longest.
 */
export function benchGcConfigurations(frames: number, runs: number, log: (line: string) => void): Record<string, Record<string, GcFigures[]>> {
  const configurations = { "node defaults": [], [NODE_FLAGS_FOR_FRAME_LOOPS.join(" ")]: NODE_FLAGS_FOR_FRAME_LOOPS } as Record<string, readonly string[]>;
  const all: Record<string, Record<string, GcFigures[]>> = {};
  for (const [label, flags] of Object.entries(configurations)) {
    const byScene: Record<string, GcFigures[]> = (all[label] = {});
    for (let i = 0; i < runs; i++) {
      const result = runInChild(flags, frames);
      for (const scene of SCENES) (byScene[scene] ??= []).push(result[scene]!);
    }
    for (const scene of SCENES) {
      const rs = byScene[scene]!;
      const worst = rs.reduce((a, r) => (r.longestPauseMs > a.longestPauseMs ? r : a));
      const kinds = rs.map((r) => Object.entries(r.kinds).map(([k, n]) => `${n} ${k}`).join(", ") || "none");
      log(
        `${scene} 640x480, ${label}: longest pause ${fmt(worst.longestPauseMs, 3)} ms (${worst.longestKind}) over ${rs.length} runs ` +
          `(per run: ${rs.map((r) => fmt(r.longestPauseMs, 2)).join(", ")} ms), longest scavenge ${fmt(Math.max(...rs.map((r) => r.longestScavengeMs)), 3)} ms, ` +
          `GCs per run: ${kinds.join(" | ")}; ${fmt(median(rs.map((r) => r.heapBytesPerFrame)), 0)} heap bytes/frame (median)`,
      );
    }
  }
  return all;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // the lines go to stderr: shown when the child fails, the parent prints its own summary
  const results = await benchGc(Number(process.argv[2] ?? 10_000), (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${RESULT}${JSON.stringify(results)}\n`);
}
