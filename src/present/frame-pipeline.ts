// The frame pipeline: one frame's GPU steps, top to bottom, for the scheduler (frame-scheduler.ts)
// to run in order. Two slots (command buffer + fence) let the CPU record frame N+1 while the GPU
// renders frame N; every per-frame object is made once.
//   1. acquire: wait for the slot's previous submission (its fence) and read that frame's GPU
//               timestamps, then take a free target from the backend (which may wait)
//   2. hand out: the slot's command buffer starts, with a GPU timestamp; the application records
//               into it (frame.record)
//   3. submit:  the backend's trailing commands, a capture copy if asked and the end timestamp,
//               then one vkQueueSubmit that signals the slot's fence (and the backend's
//               renderFinished semaphore)
//   4. present: the backend hands the target to its display (present-queue.ts paces it)
//   5. release: the backend gets the target back (wl_buffer.release, next flip); the slot's fence
//               frees the command buffer for the frame after next
// With a tracer, steps 1-4 are spans on the JS thread's track, labelled with the frame they serve.
import type { Device } from "../vk/index.js";
import type { FrameTracer } from "../util/trace.js";
import type { ColourStats, FrameStats, RenderTarget, SwapchainBackend } from "./presenter.js";
import { describeColour, type ColourState } from "../util/colour.js";
import type { FrameSteps } from "./frame-scheduler.js";
import type { Slot } from "./slot.js";
import { finishCapture, recordCapture } from "./capture.js";
import { RunClock } from "./run-stats.js";
import { UsageError } from "./errors.js";

/** How often a run times frames, and the clock of its timeline. */
export interface PipelineOptions {
  /** Seconds per frame for Frame.time (undefined: wall clock). */
  readonly step: number | undefined;
  /** The colour stats report for a backend that encodes none (FrameLoop.colour). */
  readonly colour: ColourState;
  /** Frame.time of every frame, when the run freezes its clock (FrameOptions.frozenTime). */
  readonly frozenTime?: number;
  /** Frames between GPU-timed ones (0: none). */
  readonly timeEvery: number;
  readonly tracer: FrameTracer | undefined;
  readonly gpuTimed: boolean;
}

/** The GPU steps of one run of frames over a backend's targets. */
export class FramePipeline implements FrameSteps<Slot, RenderTarget> {
  /** Frames submitted so far. */
  private submitted = 0;
  private readonly clock: RunClock;
  private readonly tracer: FrameTracer | undefined;
  /** The slot of the frame being acquired, and the one last submitted (its capture completes after presentation). */
  private acquiring!: Slot;
  private lastSubmitted: Slot | undefined;
  /** Span starts: acquire, the hand-out (record begins), present. */
  private acquireStart = 0;
  private handedOut = 0;
  private presentStart = 0;

  constructor(
    readonly device: Device,
    private readonly backend: SwapchainBackend,
    private readonly slots: readonly Slot[],
    private readonly options: PipelineOptions,
  ) {
    this.tracer = options.tracer;
    this.clock = new RunClock(options.gpuTimed);
    for (const s of slots) {
      s.tracer = this.tracer;
      s.runClock = this.clock;
    }
  }

  get endReason(): string | undefined {
    return this.backend.endReason;
  }

  // 1. acquire
  acquire(frame: number): RenderTarget | Promise<RenderTarget> {
    const slot = (this.acquiring = this.slots[frame % this.slots.length]!);
    if (this.tracer) this.acquireStart = performance.now();
    slot.settle();
    return this.backend.acquire(frame);
  }

  // 2. hand out
  handOut(target: RenderTarget, frame: number, nowMs: number): Slot {
    const slot = this.acquiring;
    this.backend.handingOut?.(frame);
    slot.target = target;
    slot.index = frame;
    slot.time = this.options.frozenTime !== undefined ? this.options.frozenTime : this.options.step !== undefined ? frame * this.options.step : (nowMs - this.clock.start) / 1000;
    slot.predictedPresentMs = this.backend.predictPresentMs?.(nowMs) ?? this.backend.pacing?.predict(nowMs) ?? nowMs;
    slot.recorded = false;
    slot.presentAtMs = NaN;
    slot.beginCommands(this.options.timeEvery > 0 && frame % this.options.timeEvery === 0);
    slot.open = true;
    if (this.tracer) this.tracer.span("acquire", frame, this.acquireStart, (this.handedOut = performance.now()));
    return slot;
  }

  // 3. submit and 4. present
  submit(slot: Slot, last: boolean): Promise<void> | void {
    if (!slot.recorded) throw new UsageError(`frame ${slot.index}: the loop body did not call frame.record()`);
    const tracer = this.tracer;
    const submitStart = tracer ? performance.now() : 0;
    tracer?.span("record", slot.index, this.handedOut, submitStart);
    this.backend.recordAfter?.(slot.cmd, slot.target);
    if (slot.captureRequest) {
      slot.colour = this.backend.colour?.space;
      recordCapture(this.device, slot);
    }
    slot.endCommands();
    slot.fence.reset();
    slot.submit.submit();
    slot.inFlight = true;
    slot.open = false;
    this.submitted++;
    this.lastSubmitted = slot;
    if (tracer) tracer.span("submit", slot.index, submitStart, (this.presentStart = performance.now()));
    return this.backend.present(slot.target, slot.fence, slot.index, last, slot.presentAtMs);
  }

  presented(): void {
    const slot = this.lastSubmitted!;
    this.tracer?.span("present", slot.index, this.presentStart);
    finishCapture(slot);
  }

  abandon(slot: Slot, why: string): void {
    slot.abandon(why);
  }

  // 5. the end of the run: the GPU finishes everything, so the application may destroy what its frames used
  end(): void {
    for (const s of this.slots) s.settle();
    this.backend.endRun?.();
  }

  /** The run's figures so far. */
  stats(): FrameStats {
    return { ...this.clock.stats(this.submitted), extra: this.backend.stats?.() ?? {}, pacing: this.backend.pacing?.stats(), colour: colourStats(this.backend, this.options.colour) };
  }
}

/** FrameStats.colour of a backend: sRGB at 8 bits when it says nothing about colour. */
function colourStats(backend: SwapchainBackend, fallback: ColourState): ColourStats | undefined {
  const c = backend.colour ?? fallback;
  if (!c) return undefined;
  const descriptions = backend.colourStats?.();
  return { requested: c.requested, inEffect: describeColour(c), ...(c.reason ? { reason: c.reason } : {}), ...(descriptions ? { descriptions } : {}) };
}
