// One of the frame loop's in-flight slots: a command buffer, the fence its submission signals, and
// the Frame the application records into. Slots are made once and reused for every frame.
// With timestamps, each frame's commands are bracketed by two GPU timestamps (the slot's pair of
// queries), read back once the fence has signalled: no stall, and nothing allocated.
import type { ColourSpace } from "../util/colour.js";
import type { CommandBuffer, Device, Fence, GpuClock, PreparedSubmit, QueryPool, Semaphore } from "../vk/index.js";
import type { Frame, GpuTime, Pixels, RenderTarget } from "./presenter.js";
import type { Buffer } from "../vk/index.js";
import type { FrameTracer } from "../util/trace.js";
import type { RunClock } from "./run-stats.js";

/**
 * The frame loop's timestamp queries (two per slot), the mapped buffer the GPU copies their results
 * into, the clock that reads them, and the latest frame's times.
 */
export interface SlotTimestamps {
  readonly pool: QueryPool;
  /** Host buffer of two 64-bit results per slot, written by the frame's own commands. */
  readonly results: Buffer;
  /** `results` as 32-bit words: slot s's start at [4s], [4s + 1], its end at [4s + 2], [4s + 3]. */
  readonly words: Uint32Array;
  readonly clock: GpuClock;
  readonly latest: { frame: number; startMs: number; endMs: number; ms: number };
}

const ONE_TIME = { oneTime: true } as const;

interface CaptureRequest {
  resolve: (pixels: Pixels) => void;
  reject: (error: unknown) => void;
}

export class Slot implements Frame {
  index = 0;
  time = 0;
  predictedPresentMs = 0;
  /** The target time Frame.presentAt set (NaN: none). */
  presentAtMs = NaN;
  target!: RenderTarget;
  recorded = false;
  /** Set while the frame is handed to the application and not yet submitted or abandoned. */
  open = false;
  /** Submitted and its fence not yet waited for. */
  inFlight = false;
  captureRequest: CaptureRequest | undefined;
  readback: Buffer | undefined;
  /** The colour the captured frame was encoded in (set when its capture copy is recorded). */
  colour: ColourSpace | undefined;
  readonly submit: PreparedSubmit;
  /** Where the current run's waits and GPU spans go, and its GPU time samples (set by each run). */
  tracer: FrameTracer | undefined;
  runClock: RunClock | undefined;

  constructor(
    readonly slot: number,
    readonly cmd: CommandBuffer,
    readonly fence: Fence,
    device: Device,
    signal: readonly Semaphore[],
    private readonly timestamps: SlotTimestamps | undefined,
  ) {
    this.submit = device.queue.prepare({ commandBuffers: [cmd], signal, fence });
  }

  get gpuTime(): GpuTime | undefined {
    const latest = this.timestamps?.latest;
    return latest && latest.frame >= 0 ? latest : undefined;
  }

  /** Whether the frame in this slot is bracketed by timestamps (see FrameOptions.gpuTimeEvery). */
  private timed = false;

  /** Starts the frame's command buffer; a `timed` frame's queries are reset and its start timestamp written. */
  beginCommands(timed: boolean): void {
    this.cmd.begin(ONE_TIME);
    this.timed = timed && this.timestamps !== undefined;
    if (!this.timed || !this.timestamps) return;
    this.timestamps.pool.reset(this.cmd, this.slot * 2, 2);
    this.timestamps.pool.writeTimestamp(this.cmd, "top", this.slot * 2);
  }

  /**
   * Ends the frame's command buffer after the end timestamp (once every command before it is done),
   * and the copy of both timestamps into the results buffer, read when the fence has signalled.
   */
  endCommands(): void {
    const ts = this.timestamps;
    if (this.timed && ts) {
      ts.pool.writeTimestamp(this.cmd, "bottom", this.slot * 2 + 1);
      ts.pool.copyResults(this.cmd, this.slot * 2, 2, ts.results, this.slot * 16);
    }
    this.cmd.end();
  }

  record(fn: (cmd: CommandBuffer) => void): void {
    // A frame abandoned by close() is dropped: its commands would never be submitted.
    if (!this.open) return;
    if (this.recorded) throw new Error(`frame ${this.index}: record() called twice`);
    this.recorded = true;
    fn(this.cmd);
  }

  presentAt(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError(`frame ${this.index}: presentAt takes a time in performance.now() ms, got ${ms}`);
    this.presentAtMs = ms;
  }

  capture(): Promise<Pixels> {
    if (this.captureRequest) throw new Error(`frame ${this.index}: capture() called twice`);
    if (!this.open) return Promise.reject(new Error(`frame ${this.index}: the presenter was closed before it was submitted`));
    return new Promise((resolve, reject) => (this.captureRequest = { resolve, reject }));
  }

  /** Waits until the GPU has finished this slot's last submission (at once when none is pending). */
  settle(): void {
    if (!this.inFlight) return;
    const tracer = this.tracer;
    const waitStart = tracer ? performance.now() : 0;
    this.fence.wait();
    this.inFlight = false;
    tracer?.span("wait fence", this.index, waitStart); // ends when the fence was seen signalled
    if (this.timed && this.timestamps) this.readGpuTime(this.timestamps);
    this.timed = false;
  }

  /** The finished frame's two timestamps, on the performance.now() clock. */
  private readGpuTime({ words, clock, latest }: SlotTimestamps): void {
    latest.frame = this.index;
    clock.spanToNowMs(words, this.slot * 4, latest);
    this.runClock?.addGpuTime(latest);
    this.tracer?.span("gpu", this.index, latest.startMs, latest.endMs);
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
