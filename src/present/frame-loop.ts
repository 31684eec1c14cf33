// FrameLoop turns a SwapchainBackend into a Presenter: two slots (command buffer + fence) so the
// CPU records frame N+1 while the GPU renders frame N; every per-frame object is made once.
//
// One frame's path, top to bottom (FrameRun below, in this order):
//   1. acquire: wait for the slot's previous submission (its fence) and read that frame's GPU
//               timestamps, then a free target from the backend
//   2. record:  the slot's command buffer starts with a GPU timestamp; the application records
//               into it (frame.record)
//   3. submit:  the backend's trailing commands, a capture copy if asked and the end timestamp,
//               then one vkQueueSubmit that signals the slot's fence (and the backend's
//               renderFinished semaphore)
//   4. present: the backend hands the target to the compositor or display
//   5. release: the backend gets the target back (wl_buffer.release, next flip); the slot's fence
//               frees the command buffer for the frame after next
// However the loop ends (limit, break, return, a throw, close()), the GPU has finished everything
// it submitted before control returns, so the application may destroy what its frames used.
// With FrameOptions.tracer, steps 1-4 are spans on the JS thread's track; the slots add fence waits
// and GPU spans, the backend's window or display adds presentation, releases and its own waits.
import { Buffer as VkBuffer, BufferUsage, CommandPool, Fence, GpuClock, QueryPool, type Device, type Format, type ImageLayout } from "../vk/index.js";
import type { BackendName, Frame, FrameOptions, FrameStats, Presenter, RenderTarget, SwapchainBackend } from "./presenter.js";
import { logger } from "../util/log.js";
import type { FrameTracer } from "../util/trace.js";
import { Slot, type SlotTimestamps } from "./slot.js";
import { finishCapture, recordCapture } from "./capture.js";
import { RunClock } from "./run-stats.js";
import { BackendUnavailableError, UnavailableError } from "./errors.js";
import type { PresentMode } from "./pacing.js";
import { InputQueue, type InputSource } from "../input/queue.js";
import type { InputEvent } from "../input/events.js";
import { inAsyncContext, openLoopTurn, type LoopTurn } from "../sys/loop-turn.js";
import { loopHasWork } from "../sys/loop-work.js";

const log = logger("present");
/** How many frames the CPU may record ahead of the GPU: each has its own command buffer and fence (and Frame.slot, 0 or 1). */
export const FRAMES_IN_FLIGHT = 2;

/** What a step of the loop returns when it started a wait that settles the pending next() later. */
const WAITING = Symbol("waiting");

export class FrameLoop implements Presenter {
  readonly backend: BackendName;
  readonly device: Device;
  private readonly pool: CommandPool;
  private readonly slots: Slot[];
  /** GPU timestamps of every frame, when the queue writes them. */
  private readonly timestamps: SlotTimestamps | undefined;
  private activeRun: FrameRun | undefined;
  private closed = false;
  private readonly statsValue: FrameStats = { frames: 0, seconds: 0, fps: 0, cpuMsPerFrame: 0, mainThreadCpuMsPerFrame: 0, extra: {} };
  /** The backend's input, or an empty stream that ends on close (headless). */
  private readonly inputSource: InputSource;
  /** The event-loop turns a run takes when its backend never waits on I/O (see FrameRun.handOut). */
  private readonly turn: LoopTurn = openLoopTurn(() => this.activeRun?.turnDue());

  constructor(
    private readonly swapchain: SwapchainBackend,
    private readonly ownsDevice: boolean,
  ) {
    this.backend = swapchain.name;
    this.device = swapchain.device;
    this.inputSource = swapchain.input ?? new InputQueue(0);
    this.pool = CommandPool.create(this.device);
    const cmds = this.pool.allocate(FRAMES_IN_FLIGHT);
    const signal = swapchain.renderFinished ? [swapchain.renderFinished] : [];
    this.timestamps = frameTimestamps(this.device);
    this.slots = cmds.map((cmd, i) => new Slot(i, cmd, Fence.create(this.device, { signaled: true }), this.device, signal, this.timestamps));
  }

  /** The Vulkan format of the targets frames render into (the backend's choice, e.g. B8G8R8A8_UNORM for XRGB8888 scanout). */
  get format(): Format {
    return this.swapchain.format;
  }
  /** The layout a scene's render pass must leave each target in (e.g. TRANSFER_SRC_OPTIMAL when the backend copies it out). */
  get finalLayout(): ImageLayout {
    return this.swapchain.finalLayout;
  }
  /** The current target size in pixels [width, height]; changes after resize() or a window resize. */
  get size(): readonly [number, number] {
    return this.swapchain.size;
  }
  /** While a loop runs, its figures so far (computed when read, nothing per frame); after it, the finished run's (all zero before the first one ends). */
  get stats(): FrameStats {
    return this.activeRun?.liveStats() ?? this.statsValue;
  }
  get endReason(): string | undefined {
    return this.swapchain.endReason;
  }
  /** The present mode in effect (fifo for a backend without a choice). */
  get presentMode(): PresentMode {
    return this.swapchain.pacing?.mode ?? "fifo";
  }
  /** The clock GPU timestamps are read with (how it is calibrated, how close), or undefined without timestamps. */
  get gpuClock(): GpuClock | undefined {
    return this.timestamps?.clock;
  }

  /**
   * The frame loop, as an async iterator: each step finishes the previous frame (submit, present)
   * and starts the next (wait for its slot, acquire a target). Hand-written rather than an async
   * generator so a step in the steady state allocates almost nothing.
   */
  frames(options: FrameOptions = {}): AsyncIterableIterator<Frame> {
    return this.startRun(options);
  }

  private startRun(options: FrameOptions): FrameRun {
    if (this.activeRun) throw new Error("frames(): a frame loop is already running on this presenter");
    if (this.closed) throw new Error("frames(): the presenter is closed");
    this.timestamps?.clock.calibrate();
    // Late events of a run (the last frames' presentation and release) still reach its tracer.
    this.swapchain.window?.traceTo(options.tracer);
    this.swapchain.traceTo?.(options.tracer);
    this.activeRun = new FrameRun(this.device, this.swapchain, this.slots, options, this.timestamps !== undefined, this.turn, (stats) => this.finishRun(stats));
    return this.activeRun;
  }

  /**
   * The frame loop with a callback: `body` gets each frame, as the body of
   * `for await (const frame of frames(options))` would. A frame that is ready at once is handed over
   * without a promise or a microtask, so the steady state allocates nothing per frame; the event
   * loop still gets a turn every few milliseconds. Resolves with the run's stats; `body` returning
   * false ends the run as `break` would (that frame is dropped), and a throw in it ends the run and
   * rejects with that error.
   */
  async run(body: (frame: Frame) => void | boolean, options: FrameOptions = {}): Promise<FrameStats> {
    await this.startRun(options).drive(body);
    return this.stats;
  }

  private finishRun(stats: FrameStats): void {
    Object.assign(this.statsValue, stats, { extra: this.swapchain.stats?.() ?? {}, pacing: this.swapchain.pacing?.stats() });
    this.activeRun = undefined;
  }

  resize(width: number, height: number): void {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
      throw new RangeError(`resize: size must be two positive integers, got ${width}x${height}`);
    }
    if (!this.swapchain.resize) throw new Error(`resize: the ${this.backend} backend cannot choose its size`);
    this.swapchain.resize(width, height);
  }

  setFullscreen(on: boolean): void {
    if (!this.swapchain.setFullscreen) throw new Error(`setFullscreen: the ${this.backend} backend has no window`);
    this.swapchain.setFullscreen(on);
  }

  setMaximized(on: boolean): void {
    if (!this.swapchain.setMaximized) throw new Error(`setMaximized: the ${this.backend} backend has no window`);
    this.swapchain.setMaximized(on);
  }

  /** Input events as an async iterator (see Presenter.input); ends when the presenter closes. */
  input(): AsyncIterableIterator<InputEvent> {
    return this.inputSource.events();
  }
  /** Input events since the last call, without waiting (see Presenter.pollInput). */
  pollInput(): readonly InputEvent[] {
    return this.inputSource.drain();
  }

  /** Ends a running loop (its held frame is dropped), waits for the GPU, frees everything. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.inputSource.close();
    this.activeRun?.stop("the presenter was closed");
    this.turn.close();
    for (const s of this.slots) s.settle();
    await this.swapchain.destroy();
    for (const s of this.slots) {
      s.fence.destroy();
      s.readback?.destroy();
    }
    this.timestamps?.pool.destroy();
    this.timestamps?.results.destroy();
    this.pool.destroy();
    if (this.ownsDevice) this.device.destroy();
  }

  /** `await using` support: calls close(). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };
const DONE_PROMISE: Promise<IteratorResult<Frame>> = Promise.resolve(DONE);
/** What a step returns to drive() when a wait started: the wait's end calls the loop back (never settles). */
const DRIVE_WAITING: Promise<IteratorResult<Frame>> = new Promise(() => {});
/** Longest stretch a frame loop keeps the event loop to itself while the loop has work waiting. */
const EVENT_LOOP_TURN_MS = 8;
/**
 * Longest stretch between turns when the event loop looked idle at every check: what the check
 * cannot see (unref'd timers and immediates, process.nextTick from the loop's body) waits this long.
 */
const QUIET_TURN_MS = 32;
/** How early before its due time (maxFps) a frame is handed out rather than waited for with another timer. */
const CAP_SLACK_MS = 0.2;

/** One run of the frame loop (see FrameLoop.frames). */
class FrameRun implements AsyncIterableIterator<Frame> {
  private index = 0;
  private count = 0;
  /** The frame handed to the consumer and not yet submitted. */
  private current: Slot | undefined;
  private ended = false;
  private readonly limit: number;
  private readonly step: number | undefined;
  private readonly clock: RunClock;
  /** Frames between GPU-timed ones (0: none); see FrameOptions.gpuTimeEvery. */
  private readonly timeEvery: number;
  /** When handOut last asked whether to turn, and when the event loop last had a turn. */
  private lastTurnCheck = performance.now();
  private lastTurn = this.lastTurnCheck;
  /** The event loop's idle time at the last check: if it grew, the loop has waited for I/O since (a turn). */
  private lastIdle = performance.nodeTiming.idleTime;
  // The consumer reads `value` before asking for the next frame, so one result object serves all.
  private readonly result: IteratorYieldResult<Frame> = { value: undefined as unknown as Frame, done: false };
  private readonly ready = Promise.resolve(this.result);
  private readonly tracer: FrameTracer | undefined;
  /** When the consumer got the current frame (start of its "record" span) and when present began. */
  private handedOut = 0;
  private presentStart = 0;
  private acquireStart = 0;
  /**
   * Minimum ms between frames handed out (maxFps), and the earliest time the next frame may be.
   * A timer fires on a whole millisecond of a loop time that may be stale, up to a millisecond
   * early: with one timer from each hand-out, a cap of 200 fps ran at ~234 fps. So the wait is
   * checked again when its timer fires, and due times lie on a grid one interval apart: a frame
   * handed out late shortens the next wait, and the rate averages the cap, never more.
   */
  private readonly minIntervalMs: number;
  private nextDue = -Infinity;
  /**
   * While next() waits (on the backend, the frame cap or an event-loop turn): how to settle the
   * promise it returned. stop() settles it with DONE at once, so no wait outlives the run; the
   * handlers below are made once per run, so a wait allocates only its promise.
   */
  private resolveWait: ((r: IteratorResult<Frame>) => void) | undefined;
  private rejectWait: ((e: unknown) => void) | undefined;
  /** The slot the pending acquire is for, and the maxFps timer while it runs. */
  private acquiring: Slot | undefined;
  private capTimer: NodeJS.Timeout | undefined;
  private readonly captureWait = (resolve: (r: IteratorResult<Frame>) => void, reject: (e: unknown) => void): void => {
    this.resolveWait = resolve;
    this.rejectWait = reject;
  };
  private readonly onPresented = (): void => {
    if (!this.resolveWait) return; // the run stopped meanwhile
    try {
      this.settleWith(this.afterPresent());
    } catch (error) {
      this.onWaitFailed(error);
    }
  };
  private readonly onCapElapsed = (): void => {
    this.capTimer = undefined;
    if (!this.resolveWait) return;
    try {
      this.settleWith(this.acquireStep()); // checks the due time again: the timer may have fired early
    } catch (error) {
      this.onWaitFailed(error);
    }
  };
  private readonly onAcquired = (target: RenderTarget): void => {
    const slot = this.acquiring;
    this.acquiring = undefined;
    if (!this.resolveWait || !slot) return; // the run stopped meanwhile: the target is dropped, as before
    try {
      this.settleWith(this.handOut(slot, target));
    } catch (error) {
      this.onWaitFailed(error);
    }
  };
  /** The run started in an async context (AsyncLocalStorage): its turns keep it (sys/loop-turn.ts). */
  private readonly inAsyncContext = inAsyncContext();

  /** The event-loop turn handOut asked for has come: the frame it handed out goes to the consumer. */
  turnDue(): void {
    const resolve = this.resolveWait;
    this.resolveWait = this.rejectWait = undefined;
    resolve?.(this.result);
  }
  /** A backend's wait failed: the run ends and next() rejects with the error (unless it had already ended). */
  private readonly onWaitFailed = (error: unknown): void => {
    this.acquiring = undefined;
    if (this.rejectWait) void this.fail(error);
  };

  constructor(
    private readonly device: Device,
    private readonly swapchain: SwapchainBackend,
    private readonly slots: readonly Slot[],
    options: FrameOptions,
    gpuTimed: boolean,
    private readonly turn: LoopTurn,
    private readonly onEnd: (stats: FrameStats) => void,
  ) {
    this.limit = options.limit ?? Infinity;
    this.step = options.fixedTimestep ?? swapchain.defaultTimestep;
    this.tracer = options.tracer;
    this.clock = new RunClock(gpuTimed);
    this.timeEvery = gpuTimeEvery(options, device);
    const maxFps = swapchain.pacing?.maxFps;
    this.minIntervalMs = maxFps ? 1000 / maxFps : 0;
    for (const s of slots) {
      s.tracer = this.tracer;
      s.runClock = this.clock;
    }
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The run's figures up to now (FrameLoop.stats while the loop runs). */
  liveStats(): FrameStats {
    return { ...this.clock.stats(this.count), extra: this.swapchain.stats?.() ?? {}, pacing: this.swapchain.pacing?.stats() };
  }

  next(): Promise<IteratorResult<Frame>> {
    if (this.ended) return DONE_PROMISE;
    try {
      const presented = this.current ? this.submitCurrent() : undefined;
      if (!presented) return this.acquire();
      presented.then(this.onPresented, this.onWaitFailed);
      return this.pendingWait();
    } catch (error) {
      return this.fail(error);
    }
  }

  /**
   * Hands every frame to `body` (FrameLoop.run): a frame that next() has ready at once is handed
   * over synchronously. A wait (the backend, the frame cap, an event-loop turn) calls the loop back
   * through onDriveWaitEnded instead of settling a promise that is awaited: an event-loop turn then
   * allocates ~60 heap bytes (or setImmediate's ~370, see sys/loop-turn.ts), not also a promise,
   * its resolvers and an await (~420 more), which at 200 frames/s and a turn every 8 ms was ~540
   * bytes a frame.
   */
  drive(body: (frame: Frame) => void | boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      this.driver = { body, resolve, reject };
      this.continueDrive();
    });
  }

  /** While drive() runs: its body and how to settle its promise. */
  private driver: { body: (frame: Frame) => void | boolean; resolve: () => void; reject: (error: unknown) => void } | undefined;

  /** Hands out what is ready; returns with a wait pending (its end calls back) or drive() settled. */
  private continueDrive(): void {
    const driver = this.driver;
    if (!driver) return;
    let wait: Promise<IteratorResult<Frame>> | undefined;
    try {
      wait = this.pump(driver.body);
    } catch (error) {
      return this.endDrive(true, error);
    }
    if (wait === DRIVE_WAITING) return;
    if (!wait) return this.endDrive(false);
    wait.then(this.onDriveWaitEnded, this.onDriveWaitFailed); // a failure of ours, already rejected
  }

  /** A wait of drive()'s ended (resolveWait): hand the frame over and go on, or settle drive(). */
  private readonly onDriveWaitEnded = (result: IteratorResult<Frame>): void => {
    const driver = this.driver;
    if (!driver) return;
    if (result.done) return this.endDrive(false);
    try {
      if (!this.handTo(driver.body, result.value)) return this.endDrive(false);
    } catch (error) {
      return this.endDrive(true, error);
    }
    this.continueDrive();
  };
  private readonly onDriveWaitFailed = (error: unknown): void => this.endDrive(true, error);

  /** Settles drive(): resolved, or (failed) rejected with `error`. */
  private endDrive(failed: boolean, error?: unknown): void {
    const driver = this.driver;
    this.driver = undefined;
    if (failed) driver?.reject(error);
    else driver?.resolve();
  }

  /** The promise next() returns for a wait; under drive(), the wait's end calls the loop back instead. */
  private pendingWait(): Promise<IteratorResult<Frame>> {
    if (!this.driver) return new Promise(this.captureWait);
    this.resolveWait = this.onDriveWaitEnded;
    this.rejectWait = this.onDriveWaitFailed;
    return DRIVE_WAITING;
  }

  /**
   * Hands `body` every frame that is ready at once; returns DRIVE_WAITING when a wait started (its
   * end calls the loop back), a failure of ours (a rejected promise), or undefined once the run has
   * ended. The per-frame loop lives here, in a plain function, and not in an async function
   * resumed after each wait: V8 optimised this loop within the first 1,000 frames (--trace-opt),
   * while the same loop inside the resumed async function was optimised only after several thousand.
   */
  private pump(body: (frame: Frame) => void | boolean): Promise<IteratorResult<Frame>> | undefined {
    for (;;) {
      const step = this.next();
      if (step === DONE_PROMISE) return undefined;
      if (step !== this.ready) return step;
      if (!this.handTo(body, this.result.value)) return undefined;
    }
  }

  /** Runs `body` on one frame: false when it ended the run (returned false); a throw ends the run and propagates. */
  private handTo(body: (frame: Frame) => void | boolean, frame: Frame): boolean {
    let go: void | boolean;
    try {
      go = body(frame);
    } catch (error) {
      this.stop("the loop body threw");
      throw error;
    }
    if (go !== false) return true;
    this.stop("the loop body returned false");
    return false;
  }

  /** The consumer left the loop (break, return or a throw in its body). */
  async return(): Promise<IteratorResult<Frame>> {
    this.stop("the loop was left");
    return DONE;
  }

  /** Ends the run now: the held frame is dropped and the GPU finishes what was submitted. */
  stop(why: string): void {
    if (this.ended) return;
    // a pending next() ends now (a backend's acquire may wait long: a hidden window with whenHidden
    // "pause"): with DONE, or with the error if ending fails (a fence wait that finds the device
    // lost), which would otherwise be a rejection nobody handles after a quiet DONE
    const resolve = this.resolveWait;
    const reject = this.rejectWait;
    this.resolveWait = this.rejectWait = undefined;
    this.acquiring = undefined;
    this.turn.cancel();
    if (this.capTimer) clearTimeout(this.capTimer);
    this.capTimer = undefined;
    const current = this.current;
    this.current = undefined;
    try {
      try {
        current?.abandon(why);
      } finally {
        try {
          this.settleAll();
          this.swapchain.endRun?.();
        } finally {
          this.end();
        }
      }
    } catch (error) {
      if (!reject) throw error;
      reject(error);
      return;
    }
    resolve?.(DONE);
  }

  /**
   * Settles the pending next() with the outcome of a step taken after a wait: a promise of ours
   * that is already settled (ready, DONE, a failure), or a new wait that takes the handlers over.
   */
  private settleWith(step: Promise<IteratorResult<Frame>> | typeof WAITING): void {
    if (step === WAITING) return; // the step started another wait that settles the same next()
    const resolve = this.resolveWait;
    const reject = this.rejectWait;
    if (!resolve || !reject) return; // the step settled it itself (stop() with DONE, fail() with the error)
    this.resolveWait = this.rejectWait = undefined;
    if (step === this.ready) resolve(this.result);
    else step.then(resolve, reject);
  }

  // 1. acquire ---------------------------------------------------------------------------------

  /** Waits for the next slot, acquires a target and hands the frame out. */
  private acquire(): Promise<IteratorResult<Frame>> {
    const step = this.acquireStep();
    return step === WAITING ? this.pendingWait() : step;
  }

  /** acquire(), for a caller that either has a pending next() (WAITING: its handlers are in use) or makes one. */
  private acquireStep(): Promise<IteratorResult<Frame>> | typeof WAITING {
    try {
      if (this.index >= this.limit || this.swapchain.endReason) return this.finish();
      // maxFps: wait out the rest of the frame interval first (stop() clears the timer and ends the wait)
      if (this.minIntervalMs > 0) {
        const early = this.nextDue - performance.now();
        if (early > CAP_SLACK_MS) {
          this.capTimer = setTimeout(this.onCapElapsed, early);
          return WAITING;
        }
      }
      return this.acquireNow();
    } catch (error) {
      return this.fail(error);
    }
  }

  private acquireNow(): Promise<IteratorResult<Frame>> | typeof WAITING {
    if (this.ended) return DONE_PROMISE;
    try {
      const slot = this.slots[this.index % FRAMES_IN_FLIGHT]!;
      if (this.tracer) {
        this.tracer.currentFrame = this.index; // the backend's waits during acquire belong to this frame
        this.acquireStart = performance.now();
      }
      slot.settle();
      const acquired = this.swapchain.acquire();
      if (!(acquired instanceof Promise)) return this.handOut(slot, acquired);
      // stop() ends the wait at once; a failure of the backend rejects next() (see onWaitFailed)
      this.acquiring = slot;
      acquired.then(this.onAcquired, this.onWaitFailed);
      return WAITING;
    } catch (error) {
      return this.fail(error);
    }
  }

  // 2. record (by the application, between handOut and the next call to next()) ---------------

  private handOut(slot: Slot, target: RenderTarget): Promise<IteratorResult<Frame>> | typeof WAITING {
    if (this.ended) return DONE_PROMISE; // closed while the backend was acquiring
    if (this.swapchain.endReason) return this.finish();
    slot.target = target;
    slot.index = this.index++;
    const now = performance.now();
    if (this.minIntervalMs > 0) {
      // the next due time one interval on; after a frame later than that (a slow frame, a pause), the grid starts again from now
      this.nextDue = now - this.nextDue >= this.minIntervalMs ? now + this.minIntervalMs : this.nextDue + this.minIntervalMs;
    }
    slot.time = this.step !== undefined ? slot.index * this.step : (now - this.clock.start) / 1000;
    slot.predictedPresentMs = this.swapchain.predictPresentMs?.(now) ?? this.swapchain.pacing?.predict(now) ?? now;
    slot.recorded = false;
    slot.beginCommands(this.timeEvery > 0 && slot.index % this.timeEvery === 0);
    slot.open = true;
    this.current = slot;
    this.result.value = slot;
    if (this.tracer) this.tracer.span("acquire", slot.index, this.acquireStart, (this.handedOut = performance.now()));
    // A loop whose backend never waits on I/O (headless) would otherwise run on microtasks alone and
    // starve timers, sockets and signal handlers: every few milliseconds, give the event loop a turn
    // if it has work waiting (sys/loop-work.ts), and at least every QUIET_TURN_MS, unless it has had
    // one anyway (it waited for I/O since: a display's frame callback or flip). The turn
    // (sys/loop-turn.ts) costs ~60 heap bytes where the loop runs in no async context.
    if (now - this.lastTurnCheck < EVENT_LOOP_TURN_MS) return this.ready;
    this.lastTurnCheck = now;
    const idle = performance.nodeTiming.idleTime;
    if (idle !== this.lastIdle) {
      this.lastIdle = idle;
      this.lastTurn = now;
      return this.ready;
    }
    if (now - this.lastTurn < QUIET_TURN_MS && !loopHasWork()) return this.ready;
    this.lastTurn = now;
    this.turn.request(this.inAsyncContext); // calls turnDue() back
    return WAITING;
  }

  // 3. submit and 4. present -------------------------------------------------------------------

  /** Ends the current frame's recording, submits it and hands it to the backend. */
  private submitCurrent(): Promise<void> | undefined {
    const slot = this.current!;
    if (!slot.recorded) throw new Error(`frame ${slot.index}: the loop body did not call frame.record()`);
    const tracer = this.tracer;
    const submitStart = tracer ? performance.now() : 0;
    tracer?.span("record", slot.index, this.handedOut, submitStart);
    this.swapchain.recordAfter?.(slot.cmd, slot.target);
    if (slot.captureRequest) recordCapture(this.device, slot);
    slot.endCommands();
    slot.fence.reset();
    slot.submit.submit();
    slot.inFlight = true;
    slot.open = false;
    this.current = undefined;
    this.count++;
    if (tracer) {
      tracer.span("submit", slot.index, submitStart, (this.presentStart = performance.now()));
      tracer.currentFrame = slot.index; // the backend's presentation events belong to this frame
    }
    const presented = this.swapchain.present(slot.target, slot.fence, slot.index, this.index >= this.limit);
    if (presented instanceof Promise) return presented;
    tracer?.span("present", slot.index, this.presentStart);
    finishCapture(slot);
    return undefined;
  }

  private afterPresent(): Promise<IteratorResult<Frame>> | typeof WAITING {
    if (this.ended) return DONE_PROMISE;
    const slot = this.slots[(this.index - 1) % FRAMES_IN_FLIGHT]!;
    this.tracer?.span("present", slot.index, this.presentStart);
    finishCapture(slot);
    return this.acquireStep();
  }

  // 5. release is the backend's (acquire waits for it); the end of the run: -------------------

  /** Normal end: wait for the GPU so the timing covers all the work, like the C reference's idle wait. */
  private finish(): Promise<IteratorResult<Frame>> {
    if (this.swapchain.endReason) log.info(`${this.swapchain.name}: frame loop ends: ${this.swapchain.endReason}`);
    this.stop("the loop ended");
    return DONE_PROMISE;
  }

  /**
   * Ends the run with `error`: the pending next() (after a wait) rejects with it, else the
   * returned promise does. stop() must not settle the pending next() with DONE first: the app
   * would see a quiet end instead of the error.
   */
  private fail(error: unknown): Promise<IteratorResult<Frame>> {
    const reject = this.rejectWait;
    this.resolveWait = this.rejectWait = undefined;
    try {
      this.stop(`the loop failed: ${(error as Error)?.message ?? String(error)}`);
    } catch (secondary) {
      log.warn(`while ending a failed frame loop: ${(secondary as Error).message}`);
    }
    if (!reject) return Promise.reject(error);
    reject(error);
    return DONE_PROMISE; // not seen: settleWith() finds the wait settled
  }

  private settleAll(): void {
    for (const s of this.slots) s.settle();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd(this.clock.stats(this.count));
  }
}

/**
 * Opens a backend and wraps it in a FrameLoop. A part's "cannot work on this machine" (any
 * UnavailableError: no DRM card, no compositor socket) becomes a BackendUnavailableError naming the
 * backend, for automatic choice; if the loop cannot be made, the backend is destroyed before the
 * error propagates.
 */
export async function openFrameLoop(
  name: string,
  open: () => Promise<SwapchainBackend> | SwapchainBackend,
  ownsDevice: boolean,
): Promise<FrameLoop> {
  let backend: SwapchainBackend;
  try {
    backend = await open();
  } catch (e) {
    if (e instanceof UnavailableError && !(e instanceof BackendUnavailableError)) throw new BackendUnavailableError(name, e.reason, { cause: e });
    throw e;
  }
  try {
    return new FrameLoop(backend, ownsDevice);
  } catch (e) {
    await backend.destroy();
    throw e;
  }
}

/**
 * How often a run brackets a frame with timestamps. On a CPU implementation (lavapipe) each timestamp
 * makes the rasterizer flush: timing every frame halved the triangle's frame rate at 640x480
 * (~1,800 against ~3,600 fps), so there one frame in 16 is timed unless a tracer wants every one.
 */
function gpuTimeEvery(options: FrameOptions, device: Device): number {
  const every = options.gpuTimeEvery ?? (options.tracer || device.physical.type !== "cpu" ? 1 : 16);
  if (!Number.isInteger(every) || every < 0) throw new RangeError(`frames(): gpuTimeEvery must be a whole number >= 0, got ${every}`);
  return every;
}

/** Two timestamp queries per slot and a calibrated clock, or undefined when the queue writes no timestamps. */
function frameTimestamps(device: Device): SlotTimestamps | undefined {
  const clock = GpuClock.create(device);
  if (!clock) {
    log.info(`${device.physical.name}: the queue writes no timestamps; FrameStats.gpuMsPerFrame stays undefined`);
    return undefined;
  }
  log.debug(`GPU time: ${clock.validBits}-bit timestamps, ${clock.periodNs} ns per tick, ${clock.method} clock (within ${clock.uncertaintyMs.toFixed(3)} ms)`);
  const pool = QueryPool.create(device, { type: "timestamp", count: FRAMES_IN_FLIGHT * 2, what: "frame GPU time" });
  let results: VkBuffer;
  try {
    results = VkBuffer.create(device, { size: FRAMES_IN_FLIGHT * 16, usage: BufferUsage.transferDst, memory: "host", what: "frame GPU time results" });
  } catch (error) {
    pool.destroy();
    throw error;
  }
  // NaN rather than 0: the fields start as doubles, so writing a frame's times into them boxes nothing
  return { pool, results, words: new Uint32Array(results.mapped, 0, FRAMES_IN_FLIGHT * 4), clock, latest: { frame: -1, startMs: NaN, endMs: NaN, ms: NaN } };
}
