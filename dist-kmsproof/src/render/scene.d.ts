import type { CommandBuffer } from "../vk/index.js";
import type { Frame } from "../present/presenter.js";
export interface Scene {
    /** CPU work for this frame (uniforms for frame.slot), while the GPU may still render the previous one. */
    update(frame: Frame): void;
    /** Records the frame's commands into cmd, rendering into frame.target. */
    draw(cmd: CommandBuffer, frame: Frame): void;
    /** Frees GPU resources; the presenter's device must still be alive. */
    destroy(): void;
}
