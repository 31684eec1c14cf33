// One offscreen configuration, scanout against its C reference: first the same-work check (frame
// CAPTURE_FRAME from each side, compared), then RUNS interleaved runs (ours, C, ours, C, ...), each
// side in a process of its own, and medians. A ratio is printed only when the frames matched. Ours
// runs with GPU timing off, as the C reference reads no timestamps (OffscreenConfig.gpuTimeEvery).
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildC } from "./c-build.js";
import { captureOursInChild, runOursInChild } from "./ours-child.js";
import type { OursFigures } from "./ours.js";
import { runOffscreenC, type CFigures } from "./reference.js";
import { writeSceneFile } from "./scene-file.js";
import { configLabel, type OffscreenConfig } from "./scene-spec.js";
import { CAPTURE_FRAME, compareFrames, describeComparison, type FrameComparison } from "./same-work.js";
import { fmt, median, pairedRatios } from "./stats.js";

export interface OffscreenComparison {
  ours: OursFigures;
  c?: CFigures;
  frames?: FrameComparison;
  /** Why there is no ratio (no C reference, or the frames differ). */
  noRatio?: string;
}

/** Medians of each field over the runs. */
function medians<T extends object>(runs: T[]): T {
  const out = {} as Record<string, number>;
  for (const key of Object.keys(runs[0]!)) out[key] = median(runs.map((r) => (r as Record<string, number>)[key]!));
  return out as T;
}

const mb = (kb: number) => `${fmt(kb / 1024)} MB`;

async function sameFrame(binary: string, config: OffscreenConfig, sceneFile: string, dir: string): Promise<FrameComparison> {
  const oursPath = join(dir, "ours.rgba"), cPath = join(dir, "c.rgba");
  captureOursInChild(config.scene, config.size, CAPTURE_FRAME, oursPath);
  runOffscreenC(binary, sceneFile, { warmup: 0, frames: CAPTURE_FRAME + 1, capture: cPath });
  return compareFrames(await readFile(oursPath), await readFile(cPath));
}

export interface CompareOptions {
  /** Also run ours with the presenter's default GPU timing, interleaved, and print what it costs. */
  timingCost?: boolean;
}

export async function compareOffscreen(
  config: OffscreenConfig,
  runs: number,
  log: (line: string) => void,
  options: CompareOptions = {},
): Promise<OffscreenComparison> {
  const dir = await mkdtemp(join(tmpdir(), "scanout-bench-"));
  try {
    const build = buildC("offscreen");
    const sceneFile = join(dir, "scene.bin");
    let frames: FrameComparison | undefined;
    if (build.ok) {
      await writeSceneFile(sceneFile, config.scene, config.size);
      frames = await sameFrame(build.path, config, sceneFile, dir);
    }
    const ours: OursFigures[] = [];
    const c: CFigures[] = [];
    const timed: OursFigures[] = [];
    for (let r = 0; r < runs; r++) {
      ours.push(runOursInChild(config));
      if (build.ok) c.push(runOffscreenC(build.path, sceneFile, config));
      if (options.timingCost) timed.push(runOursInChild({ ...config, gpuTimeEvery: "default" }));
    }
    const result: OffscreenComparison = { ours: medians(ours), c: c.length ? medians(c) : undefined, frames };
    const o = result.ours;
    log(
      `${configLabel(config)} frames=${config.frames}: ${fmt(o.fps)} fps, ${fmt(o.cpuMsPerFrame, 3)} CPU ms/frame ` +
        `(${fmt(o.threadCpuMsPerFrame, 3)} JS thread), ${fmt(o.heapBytesPerFrame, 0)} heap bytes/frame, peak RSS ${mb(o.maxRssKb)}`,
    );
    if (timed.length) {
      const t = medians(timed);
      log(
        `  ours with GPU timing at the presenter's default (1 frame in 16 on lavapipe, every frame on a GPU): ${fmt(t.fps)} fps ` +
          `(${fmt(t.fps / o.fps, 3)}x untimed), ${fmt(t.threadCpuMsPerFrame, 3)} JS thread ms/frame`,
      );
    }
    if (!build.ok) {
      result.noRatio = build.reason;
      log(`  no ratio: ${build.reason}`);
      return result;
    }
    const ref = result.c!;
    log(`  C reference: ${fmt(ref.perSecond)} fps, ${fmt(ref.cpuMsPerFrame, 3)} CPU ms/frame (${fmt(ref.threadCpuMsPerFrame, 3)} app thread), peak RSS ${mb(ref.maxRssKb)}`);
    log(`  ${describeComparison(frames!)}`);
    if (!frames!.same) {
      result.noRatio = describeComparison(frames!);
      log("  no ratio: the two programs did not draw the same frame");
      return result;
    }
    log(
      `  → fps ratio ${fmt(o.fps / ref.perSecond, 3)}x${pairedRatios(ours.map((r) => r.fps), c.map((r) => r.perSecond))}, ` +
        `CPU/frame ${fmt(o.cpuMsPerFrame / ref.cpuMsPerFrame, 2)}x, ` +
        `JS thread / C app thread CPU ${fmt(o.threadCpuMsPerFrame / ref.threadCpuMsPerFrame, 2)}x` +
        `${pairedRatios(ours.map((r) => r.threadCpuMsPerFrame), c.map((r) => r.threadCpuMsPerFrame))}, peak RSS ${fmt(o.maxRssKb / ref.maxRssKb, 2)}x`,
    );
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
