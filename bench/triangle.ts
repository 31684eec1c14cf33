// Triangle section: headless frames/s, CPU per frame (process and JS thread), heap bytes per
// frame and peak RSS, interleaved with the C reference drawing the same triangle.
import { compareOffscreen, type OffscreenComparison } from "./offscreen-compare.js";
import type { OffscreenConfig } from "./scene-spec.js";

export const TRIANGLE_CONFIGS: readonly OffscreenConfig[] = [
  { name: "triangle", scene: { kind: "triangle" }, size: [640, 480], frames: 5000, warmup: 1500 },
  { name: "triangle", scene: { kind: "triangle" }, size: [1920, 1080], frames: 800, warmup: 300 },
];

export async function benchTriangle(runs: number, log: (line: string) => void): Promise<OffscreenComparison[]> {
  const results: OffscreenComparison[] = [];
  // the highest frame rates here: where GPU timing's share of a frame is largest
  for (const config of TRIANGLE_CONFIGS) results.push(await compareOffscreen(config, runs, log, { timingCost: true }));
  return results;
}
