// The plain frame loop: update and draw a scene for every frame a presenter gives.
import type { Frame, FrameOptions, FrameStats, Presenter } from "../present/presenter.js";
import type { CommandBuffer } from "../vk/index.js";
import type { Scene } from "./scene.js";

/** Runs `scene` on `out` until the presenter or `options.limit` ends the loop; returns the loop's stats. */
export function runScene(out: Presenter, scene: Scene, options: FrameOptions = {}): Promise<FrameStats> {
  let current!: Frame;
  const draw = (cmd: CommandBuffer) => scene.draw(cmd, current); // made once, not per frame
  // out.run rather than for-await: a frame ready at once costs no promise or microtask
  return out.run((frame) => {
    current = frame;
    scene.update(frame);
    frame.record(draw);
  }, options);
}
