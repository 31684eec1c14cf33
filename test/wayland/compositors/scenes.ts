// Shared by the compositor matrix: run the triangle or the textured mesh through a presenter, render
// the same frame headless, and compare a window's region of a screenshot with it.
import { createHeadlessPresenter, type Instance, type Pixels, type Presenter, type Scene, type TargetInfo } from "../../../src/index.js";
import { loadDemoMesh, Triangle } from "../../../src/scenes/index.js";
import { captureFrame } from "../../helpers/capture.js";

/** The two scenes every compositor runs. */
export type SceneName = "triangle" | "mesh";

/** Builds a scene for a presenter. */
export async function loadScene(name: SceneName, out: TargetInfo): Promise<Scene> {
  return name === "triangle" ? Triangle.create(out) : loadDemoMesh(out);
}

/** Runs `frames` frames of a scene on `out` at 1/60 s per frame (so a headless run renders the same instants). */
export async function runScene(out: Presenter, name: SceneName, frames: number, each?: (index: number) => void | Promise<void>): Promise<void> {
  const scene = await loadScene(name, out);
  try {
    for await (const frame of out.frames({ limit: frames, fixedTimestep: 1 / 60 })) {
      await each?.(frame.index);
      scene.update(frame);
      frame.record((cmd) => scene.draw(cmd, frame));
    }
  } finally {
    scene.destroy();
  }
}

/** The headless render of frame `index` of a scene at `size`. */
export async function headlessFrame(gpu: Instance, name: SceneName, size: readonly [number, number], index: number): Promise<Pixels> {
  const out = createHeadlessPresenter(gpu.createDevice(), { size }, true);
  return captureFrame(out, await loadScene(name, out), index, { fixedTimestep: 1 / 60 });
}

/** An RGBA image such as a pngjs PNG. */
export interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Pixels of `ref` that differ by more than 2 in any channel from `shot` at offset (x, y); outside the screenshot counts as differing. */
export function differingPixels(shot: Rgba, ref: Pixels, x = 0, y = 0): number {
  return compareRegion(shot, ref, x, y, 2).differing;
}

/** Pixels that are not background black: the scene really drew something. */
export function litPixels(ref: Pixels): number {
  let n = 0;
  for (let i = 0; i < ref.data.length; i += 4) if (ref.data[i]! > 60 || ref.data[i + 1]! > 60 || ref.data[i + 2]! > 60) n++;
  return n;
}

/** Pixels allowed to differ by more than 1: one in 10,000, for edge pixels a quarter turn rasterizes the other way. */
export const EDGE_PIXELS = (ref: Pixels) => Math.ceil((ref.width * ref.height) / 10_000);

/** Pixels of `ref` differing from the shot at (x, y) by more than `tolerance` in a channel, and the largest difference. */
export function compareRegion(shot: Rgba, ref: Pixels, x: number, y: number, tolerance = 1): { differing: number; maxDiff: number } {
  let differing = 0;
  let maxDiff = 0;
  for (let ry = 0; ry < ref.height; ry++)
    for (let rx = 0; rx < ref.width; rx++) {
      const sx = rx + x;
      const sy = ry + y;
      if (sx < 0 || sy < 0 || sx >= shot.width || sy >= shot.height) {
        differing++;
        continue;
      }
      const j = (sy * shot.width + sx) * 4;
      const i = (ry * ref.width + rx) * 4;
      let d = 0;
      for (let c = 0; c < 3; c++) d = Math.max(d, Math.abs(shot.data[j + c]! - ref.data[i + c]!));
      maxDiff = Math.max(maxDiff, d);
      if (d > tolerance) differing++;
    }
  return { differing, maxDiff };
}
