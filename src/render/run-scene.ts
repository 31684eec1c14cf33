// The plain frame loop: update and draw a scene for every frame a presenter gives.
import type { Frame, FrameOptions, FrameStats, Presenter } from "../present/presenter.js";
import type { CommandBuffer } from "../vk/index.js";
import type { Scene } from "./scene.js";

/** Runs `scene` on `out` until the presenter or `options.limit` ends the loop; returns the loop's stats. */
export async function runScene(out: Presenter, scene: Scene, options: FrameOptions = {}): Promise<FrameStats> {
  let current!: Frame;
  const draw = (cmd: CommandBuffer) => scene.draw(cmd, current); // made once, not per frame
  for await (const frame of out.frames(options)) {
    current = frame;
    scene.update(frame);
    frame.record(draw);
  }
  return out.stats;
}
