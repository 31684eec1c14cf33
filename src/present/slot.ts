// One of the frame loop's in-flight slots: a command buffer, the fence its submission signals, and
// the Frame the application records into. Slots are made once and reused for every frame.
import type { CommandBuffer, Device, Fence, PreparedSubmit, Semaphore } from "../vk/index.js";
import type { Frame, Pixels, RenderTarget } from "./presenter.js";
import type { Buffer } from "../vk/index.js";

interface CaptureRequest {
  resolve: (pixels: Pixels) => void;
  reject: (error: unknown) => void;
}

export class Slot implements Frame {
  index = 0;
  time = 0;
  target!: RenderTarget;
  recorded = false;
  /** Set while the frame is handed to the application and not yet submitted or abandoned. */
  open = false;
  /** Submitted and its fence not yet waited for. */
  inFlight = false;
  captureRequest: CaptureRequest | undefined;
  readback: Buffer | undefined;
  readonly submit: PreparedSubmit;

  constructor(
    readonly slot: number,
    readonly cmd: CommandBuffer,
    readonly fence: Fence,
    device: Device,
    signal: readonly Semaphore[],
  ) {
    this.submit = device.queue.prepare({ commandBuffers: [cmd], signal, fence });
  }

  record(fn: (cmd: CommandBuffer) => void): void {
    // A frame abandoned by close() is dropped: its commands would never be submitted.
    if (!this.open) return;
    if (this.recorded) throw new Error(`frame ${this.index}: record() called twice`);
    this.recorded = true;
    fn(this.cmd);
  }

  capture(): Promise<Pixels> {
    if (this.captureRequest) throw new Error(`frame ${this.index}: capture() called twice`);
    if (!this.open) return Promise.reject(new Error(`frame ${this.index}: the presenter was closed before it was submitted`));
    return new Promise((resolve, reject) => (this.captureRequest = { resolve, reject }));
  }

  /** Waits until the GPU has finished this slot's last submission (at once when none is pending). */
  settle(): void {
    if (!this.inFlight) return;
    this.fence.wait();
    this.inFlight = false;
  }

  /** Drops a frame that was handed out but will not be submitted: the recording is thrown away. */
  abandon(why: string): void {
    if (!this.open) return;
    this.open = false;
    // Resetting a buffer that is still recording is allowed and needs no vkEndCommandBuffer, which
    // would fail inside a render pass left open by a throwing draw.
    this.cmd.reset();
    this.captureRequest?.reject(new Error(`frame ${this.index} was never submitted: ${why}`));
    this.captureRequest = undefined;
  }
}
