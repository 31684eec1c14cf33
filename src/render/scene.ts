// What the frame loop expects from something that draws: per-frame CPU work, then commands.
import type { CommandBuffer } from "../vk/index.js";
import type { Frame } from "../present/presenter.js";

/** Something that draws frames for a presenter (runScene drives it): per-frame CPU work in update(), commands in draw(), and destroy() at the end. */
export interface Scene {
  /** CPU work for this frame (uniforms for frame.slot), while the GPU may still render the previous one. */
  update(frame: Frame): void;
  /** Records the frame's commands into cmd, rendering into frame.target. */
  draw(cmd: CommandBuffer, frame: Frame): void;
  /** Frees GPU resources; the presenter's device must still be alive. */
  destroy(): void;
}
