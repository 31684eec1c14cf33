// The plain frame loop: update and draw a scene for every frame a presenter gives.
import type { FrameOptions, FrameStats, Presenter } from "../present/presenter.js";
import type { Scene } from "./scene.js";

/** Runs `scene` on `out` until the presenter or `options.limit` ends the loop; returns the loop's stats. */
export async function runScene(out: Presenter, scene: Scene, options: FrameOptions = {}): Promise<FrameStats> {
  for await (const frame of out.frames(options)) {
    scene.update(frame);
    frame.record((cmd) => scene.draw(cmd, frame));
  }
  return out.stats;
}
