// FrameLoop turns a SwapchainBackend into a Presenter: the public face of a frame loop. A run of
// frames is a FrameScheduler (frame-scheduler.ts: every wait, as one state) over a FramePipeline
// (frame-pipeline.ts: one frame's GPU steps, top to bottom); the loop owns what outlives runs: the
// two slots (command buffer + fence), GPU timestamps, input, and the backend itself.
// However a run ends (limit, break, return, a throw, close()), the GPU has finished everything it
// submitted before control returns, so the application may destroy what its frames used.
import { Buffer as VkBuffer, BufferUsage, CommandPool, Fence, GpuClock, QueryPool, Scope, type Device, type Format, type ImageLayout } from "../vk/index.js";
import type { BackendName, Frame, FrameOptions, FrameStats, Presenter, RenderTarget, SwapchainBackend } from "./presenter.js";
import { logger } from "../util/log.js";
import { Slot, type SlotTimestamps } from "./slot.js";
import { BackendUnavailableError, UnavailableError, UsageError } from "./errors.js";
import type { PresentMode } from "./pacing.js";
import { InputQueue, type InputSource } from "../input/queue.js";
import type { InputEvent } from "../input/events.js";
import type { DesktopWindow } from "../wayland/desktop-window.js";
import { openLoopTurn, type LoopTurn } from "../sys/loop-turn.js";
import { FrameScheduler } from "./frame-scheduler.js";
import { FramePipeline } from "./frame-pipeline.js";
import { COLOUR_SPACES, colourState, type ColourChoice, type ColourState } from "../util/colour.js";

const SRGB_8: ColourState = colourState("srgb", COLOUR_SPACES.srgb, 8);

const log = logger("present");
/** How many frames the CPU may record ahead of the GPU: each has its own command buffer and fence (and Frame.slot, 0 or 1). */
export const FRAMES_IN_FLIGHT = 2;

/** One run of frames: its scheduler (the waits) and its pipeline (the GPU steps). */
interface Run {
  readonly scheduler: FrameScheduler<Slot, RenderTarget>;
  readonly pipeline: FramePipeline;
}

export class FrameLoop implements Presenter {
  readonly backend: BackendName;
  readonly device: Device;
  /** Owns what outlives runs: the command pool, the slots' fences and capture buffers, the timestamp queries. */
  private readonly scope = new Scope("frame loop");
  private readonly pool: CommandPool;
  private readonly slots: Slot[];
  /** GPU timestamps of every frame, when the queue writes them. */
  private readonly timestamps: SlotTimestamps | undefined;
  private activeRun: Run | undefined;
  private closed = false;
  private readonly statsValue: FrameStats = { frames: 0, seconds: 0, fps: 0, cpuMsPerFrame: 0, mainThreadCpuMsPerFrame: 0, extra: {} };
  /** The backend's input, or an empty stream that ends on close (headless). */
  private readonly inputSource: InputSource;
  /** The event-loop turns a run takes when its backend never waits on I/O (see FrameScheduler.turnDue). */
  private readonly turn: LoopTurn = openLoopTurn(() => this.activeRun?.scheduler.onTurn());

  constructor(
    private readonly swapchain: SwapchainBackend,
    private readonly ownsDevice: boolean,
  ) {
    this.backend = swapchain.name;
    this.device = swapchain.device;
    this.inputSource = swapchain.input ?? new InputQueue(0);
    const scope = this.scope;
    const device = this.device;
    try {
      this.pool = scope.add(CommandPool.create(device));
      const cmds = this.pool.allocate(FRAMES_IN_FLIGHT);
      const signal = swapchain.renderFinished ? [swapchain.renderFinished] : [];
      this.timestamps = frameTimestamps(device, scope);
      this.slots = cmds.map((cmd, i) => new Slot(i, cmd, scope.add(Fence.create(device, { signaled: true })), device, signal, this.timestamps));
      scope.defer(() => this.slots.forEach((s) => s.readback?.destroy())); // capture buffers, made on demand
    } catch (error) {
      scope.close();
      throw error;
    }
  }

  /** The Vulkan format of the targets frames render into (the backend's choice, e.g. B8G8R8A8_UNORM for XRGB8888 scanout). */
  get format(): Format {
    return this.swapchain.format;
  }
  /** The colour frames are encoded for: the backend's, or sRGB at 8 bits for a backend without a colour choice. */
  get colour(): ColourState {
    return this.swapchain.colour ?? this.unencoded;
  }
  private unencoded = SRGB_8;
  /**
   * Records the colour the app asked for on a backend that encodes none (it shows sRGB at 8 bits),
   * so Presenter.colour and FrameStats.colour say so with the reason.
   */
  colourAsked(choice: ColourChoice): void {
    if (this.swapchain.colour || choice === "srgb") return;
    this.unencoded = colourState(choice, COLOUR_SPACES.srgb, 8, `the ${this.backend} backend does not encode colour yet`);
  }
  /** The layout a scene's render pass must leave each target in (e.g. TRANSFER_SRC_OPTIMAL when the backend copies it out). */
  get finalLayout(): ImageLayout {
    return this.swapchain.finalLayout;
  }
  /** The current target size in pixels [width, height]; changes after resize() or a window resize. */
  get size(): readonly [number, number] {
    return this.swapchain.size;
  }
  /**
   * While a loop runs, its figures so far (computed when read, nothing per frame); after it, the
   * finished run's (all zero before the first one ends), except `pacing`, which stays current: the
   * last frames' presentation is reported after the run ends (see shown()).
   */
  get stats(): FrameStats {
    if (this.activeRun) return this.activeRun.pipeline.stats();
    if (this.statsValue.pacing && this.swapchain.pacing) this.statsValue.pacing = this.swapchain.pacing.stats();
    return this.statsValue;
  }
  get endReason(): string | undefined {
    return this.swapchain.endReason;
  }
  /** The present mode in effect (fifo for a backend without a choice). */
  get presentMode(): PresentMode {
    return this.swapchain.pacing?.mode ?? "fifo";
  }
  /**
   * Resolves true once frame `frame` (or a later frame, which covers it) is reported on screen:
   * wp_presentation feedback on Wayland, the page-flip event on KMS. False after `timeoutMs`, on
   * close(), or at once where the backend reports no presentation (headless); a Wayland compositor
   * without wp_presentation never reports one. For a screenshot or a measurement that must see the
   * last frame: `await presenter.shown(presenter.stats.frames - 1)` after a run.
   */
  shown(frame: number, timeoutMs = 1000): Promise<boolean> {
    if (!Number.isInteger(frame) || frame < 0) throw new RangeError(`shown(): frame must be a frame index (an integer from 0), got ${frame}`);
    const pacing = this.swapchain.pacing;
    if (!pacing || this.closed || this.backend === "headless") return Promise.resolve(false);
    return pacing.whenShown(frame, timeoutMs);
  }
  /** The window's desktop services (Wayland backends), else undefined. */
  get window(): DesktopWindow | undefined {
    return this.swapchain.desktop;
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

  private startRun(options: FrameOptions): FrameScheduler<Slot, RenderTarget> {
    if (this.activeRun) throw new UsageError("frames(): a frame loop is already running on this presenter");
    if (this.closed) throw new UsageError("frames(): the presenter is closed");
    const timeEvery = gpuTimeEvery(options, this.device);
    this.swapchain.pacing?.newRun();
    this.timestamps?.clock.calibrate();
    // Late events of a run (the last frames' presentation and release) still reach its tracer.
    this.swapchain.window?.traceTo(options.tracer);
    this.swapchain.traceTo?.(options.tracer);
    const step = options.fixedTimestep ?? this.swapchain.defaultTimestep;
    if (options.frozenTime !== undefined && !Number.isFinite(options.frozenTime)) throw new RangeError(`frames(): frozenTime must be a finite number of seconds, got ${options.frozenTime}`);
    const pipeline = new FramePipeline(this.device, this.swapchain, this.slots, { step, frozenTime: options.frozenTime, colour: this.colour, timeEvery, tracer: options.tracer, gpuTimed: this.timestamps !== undefined });
    const maxFps = this.swapchain.pacing?.maxFps;
    const schedule = { limit: options.limit ?? Infinity, minIntervalMs: maxFps ? 1000 / maxFps : 0 };
    const scheduler = new FrameScheduler(pipeline, schedule, this.turn, () => this.finishRun(pipeline.stats()));
    this.activeRun = { scheduler, pipeline };
    return scheduler;
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
    Object.assign(this.statsValue, stats);
    this.activeRun = undefined;
  }

  resize(width: number, height: number): void {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
      throw new RangeError(`resize: size must be two positive integers, got ${width}x${height}`);
    }
    if (!this.swapchain.resize) throw new UsageError(`resize: the ${this.backend} backend cannot choose its size`);
    this.swapchain.resize(width, height);
  }

  setFullscreen(on: boolean): void {
    if (!this.swapchain.setFullscreen) throw new UsageError(`setFullscreen: the ${this.backend} backend has no window`);
    this.swapchain.setFullscreen(on);
  }

  setMaximized(on: boolean): void {
    if (!this.swapchain.setMaximized) throw new UsageError(`setMaximized: the ${this.backend} backend has no window`);
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
  close(): Promise<void> {
    // a second close() (the loop's own, after one from an input handler) waits for the first to finish
    return (this.closing ??= this.closeOnce());
  }
  private closing: Promise<void> | undefined;

  private async closeOnce(): Promise<void> {
    this.closed = true;
    this.swapchain.pacing?.endWaits();
    this.inputSource.close();
    this.activeRun?.scheduler.stop("the presenter was closed");
    this.turn.close();
    for (const s of this.slots) s.settle();
    await this.swapchain.destroy();
    this.scope.close();
    if (this.ownsDevice) this.device.destroy();
  }

  /** `await using` support: calls close(). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
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
  device: Device,
): Promise<FrameLoop> {
  let backend: SwapchainBackend;
  try {
    backend = await open();
  } catch (e) {
    // a device handed over to the presenter is the presenter's to free, also when it never opens
    if (ownsDevice) device.destroy();
    if (e instanceof UnavailableError && !(e instanceof BackendUnavailableError)) throw new BackendUnavailableError(name, e.reason, { cause: e });
    throw e;
  }
  try {
    return new FrameLoop(backend, ownsDevice);
  } catch (e) {
    await backend.destroy();
    if (ownsDevice) backend.device.destroy();
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
function frameTimestamps(device: Device, scope: Scope): SlotTimestamps | undefined {
  const clock = GpuClock.create(device);
  if (!clock) {
    log.info(`${device.physical.name}: the queue writes no timestamps; FrameStats.gpuMsPerFrame stays undefined`);
    return undefined;
  }
  log.debug(`GPU time: ${clock.validBits}-bit timestamps, ${clock.periodNs} ns per tick, ${clock.method} clock (within ${clock.uncertaintyMs.toFixed(3)} ms)`);
  const pool = scope.add(QueryPool.create(device, { type: "timestamp", count: FRAMES_IN_FLIGHT * 2, what: "frame GPU time" }));
  const results = scope.add(VkBuffer.create(device, { size: FRAMES_IN_FLIGHT * 16, usage: BufferUsage.transferDst, memory: "host", what: "frame GPU time results" }));
  // NaN rather than 0: the fields start as doubles, so writing a frame's times into them boxes nothing
  return { pool, results, words: new Uint32Array(results.mapped, 0, FRAMES_IN_FLIGHT * 4), clock, latest: { frame: -1, startMs: NaN, endMs: NaN, ms: NaN } };
}
