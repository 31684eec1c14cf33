// FrameLoop turns a SwapchainBackend into a Presenter: two slots (command buffer + fence) so the
// CPU records frame N+1 while the GPU renders frame N; every per-frame object is made once.
import { Buffer, BufferUsage, CommandPool, Fence, Format, type CommandBuffer, type Device, type PreparedSubmit, type Semaphore } from "../vk/index.js";
import type { BackendName, Frame, FrameOptions, FrameStats, Pixels, Presenter, RenderTarget, SwapchainBackend } from "./presenter.js";
import { logger } from "../util/log.js";
import { threadCpuMicros } from "../sys/rusage.js";
import type { FrameTracer } from "../util/trace.js";

const log = logger("present");
export const FRAMES_IN_FLIGHT = 2;

interface CaptureRequest {
  resolve: (pixels: Pixels) => void;
  reject: (error: unknown) => void;
}

export class Slot implements Frame {
  index = 0;
  time = 0;
  target!: RenderTarget;
  recorded = false;
  capture_: CaptureRequest | undefined;
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
    if (this.recorded) throw new Error(`frame ${this.index}: record() called twice`);
    this.recorded = true;
    fn(this.cmd);
  }

  capture(): Promise<Pixels> {
    if (this.capture_) throw new Error(`frame ${this.index}: capture() called twice`);
    return new Promise((resolve, reject) => (this.capture_ = { resolve, reject }));
  }
}

/** BGRA or RGBA bytes with row pitch → tightly packed RGBA. */
export function toRgba(src: Uint8Array, width: number, height: number, stride: number, bgra: boolean): Uint8Array {
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const row = src.subarray(y * stride, y * stride + width * 4);
    const o = y * width * 4;
    if (!bgra) {
      out.set(row, o);
      continue;
    }
    for (let x = 0; x < width * 4; x += 4) {
      out[o + x] = row[x + 2]!;
      out[o + x + 1] = row[x + 1]!;
      out[o + x + 2] = row[x]!;
      out[o + x + 3] = row[x + 3]!;
    }
  }
  return out;
}

export class FrameLoop implements Presenter {
  readonly backend: BackendName;
  readonly device: Device;
  private readonly pool: CommandPool;
  private readonly slots: Slot[];
  private running = false;
  private closed = false;
  private readonly statsValue: FrameStats = { frames: 0, seconds: 0, fps: 0, cpuMsPerFrame: 0, mainThreadCpuMsPerFrame: 0, extra: {} };

  constructor(
    private readonly swapchain: SwapchainBackend,
    private readonly ownsDevice: boolean,
  ) {
    this.backend = swapchain.name;
    this.device = swapchain.device;
    this.pool = CommandPool.create(this.device);
    const cmds = this.pool.allocate(FRAMES_IN_FLIGHT);
    const signal = swapchain.renderFinished ? [swapchain.renderFinished] : [];
    this.slots = cmds.map((cmd, i) => new Slot(i, cmd, Fence.create(this.device, { signaled: true }), this.device, signal));
  }

  get format() {
    return this.swapchain.format;
  }
  get finalLayout() {
    return this.swapchain.finalLayout;
  }
  get size(): readonly [number, number] {
    return this.swapchain.size;
  }
  get stats(): FrameStats {
    return this.statsValue;
  }
  get endReason(): string | undefined {
    return this.swapchain.endReason;
  }

  /**
   * The frame loop, as an async iterator: each step finishes the previous frame (submit, present)
   * and starts the next (wait for its slot, acquire a target). Hand-written rather than an async
   * generator so a step in the steady state allocates almost nothing.
   */
  frames(options: FrameOptions = {}): AsyncIterableIterator<Frame> {
    if (this.running) throw new Error("frames(): a frame loop is already running on this presenter");
    if (this.closed) throw new Error("frames(): the presenter is closed");
    this.running = true;
    return new FrameRun(this, this.swapchain, this.slots, options);
  }

  /** @internal FrameRun reports its totals here when it ends. */
  finishRun(stats: FrameStats): void {
    Object.assign(this.statsValue, stats, { extra: this.swapchain.stats?.() ?? {} });
    this.running = false;
  }

  /** @internal */
  recordCapture(slot: Slot): void {
    const { image } = slot.target;
    const size = image.width * image.height * 4;
    if (!slot.readback || slot.readback.size !== size) {
      if (slot.readback) this.device.retire(slot.readback);
      slot.readback = Buffer.create(this.device, { size, usage: BufferUsage.transferDst, memory: "host", what: "capture readback" });
    }
    slot.cmd.copyImageToBuffer(image, slot.readback, slot.target.finalLayout);
  }

  /** @internal */
  finishCapture(slot: Slot): void {
    const request = slot.capture_!;
    slot.capture_ = undefined;
    try {
      slot.fence.wait();
      const { width, height, format } = slot.target;
      const bgra = format === Format.VK_FORMAT_B8G8R8A8_UNORM || format === Format.VK_FORMAT_B8G8R8A8_SRGB;
      request.resolve({ width, height, data: toRgba(new Uint8Array(slot.readback!.mapped), width, height, width * 4, bgra) });
    } catch (error) {
      request.reject(error);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.slots) s.fence.wait();
    await this.swapchain.destroy();
    for (const s of this.slots) {
      s.fence.destroy();
      s.readback?.destroy();
    }
    this.pool.destroy();
    if (this.ownsDevice) this.device.destroy();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/** One run of the frame loop (see FrameLoop.frames). */
class FrameRun implements AsyncIterableIterator<Frame> {
  private index = 0;
  private count = 0;
  /** The frame handed to the consumer and not yet submitted. */
  private current: Slot | undefined;
  private ended = false;
  private readonly limit: number;
  private readonly step: number | undefined;
  private readonly start = performance.now();
  private readonly cpuStart = process.cpuUsage();
  private readonly threadStart = threadCpuMicros();
  // The consumer reads `value` before asking for the next frame, so one result object serves all.
  private readonly result: IteratorYieldResult<Frame> = { value: undefined as unknown as Frame, done: false };
  private readonly ready = Promise.resolve(this.result);
  private readonly tracer: FrameTracer | undefined;
  /** When the consumer got the current frame (start of its "record" span) and when present began. */
  private handedOut = 0;
  private presentStart = 0;
  private acquireStart = 0;

  constructor(
    private readonly loop: FrameLoop,
    private readonly swapchain: SwapchainBackend,
    private readonly slots: readonly Slot[],
    options: FrameOptions,
  ) {
    this.limit = options.limit ?? Infinity;
    this.step = options.fixedTimestep ?? swapchain.defaultTimestep;
    this.tracer = options.tracer;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Frame>> {
    if (this.ended) return Promise.resolve(DONE);
    try {
      const presented = this.current ? this.submitCurrent() : undefined;
      return presented ? presented.then(() => this.afterPresent(), (e) => this.fail(e)) : this.begin();
    } catch (error) {
      return this.fail(error);
    }
  }

  /** The consumer left the loop (break, return or a throw in its body). */
  async return(): Promise<IteratorResult<Frame>> {
    this.abandonCurrent();
    this.end();
    return DONE;
  }

  private afterPresent(): Promise<IteratorResult<Frame>> {
    const slot = this.slots[(this.index - 1) % FRAMES_IN_FLIGHT]!;
    this.tracer?.span("present", slot.index, this.presentStart);
    if (slot.capture_) this.loop.finishCapture(slot);
    return this.begin();
  }

  /** Ends the previous frame's recording, submits it and hands it to the backend. */
  private submitCurrent(): Promise<void> | undefined {
    const slot = this.current!;
    if (!slot.recorded) throw new Error(`frame ${slot.index}: the loop body did not call frame.record()`);
    const tracer = this.tracer;
    const submitStart = tracer ? performance.now() : 0;
    tracer?.span("record", slot.index, this.handedOut, submitStart);
    this.swapchain.recordAfter?.(slot.cmd, slot.target);
    if (slot.capture_) this.loop.recordCapture(slot);
    slot.cmd.end();
    slot.fence.reset();
    slot.submit.submit();
    this.current = undefined;
    this.count++;
    if (tracer) tracer.span("submit", slot.index, submitStart, (this.presentStart = performance.now()));
    const presented = this.swapchain.present(slot.target, slot.fence, slot.index);
    if (presented instanceof Promise) return presented;
    tracer?.span("present", slot.index, this.presentStart);
    if (slot.capture_) this.loop.finishCapture(slot);
    return undefined;
  }

  /** Waits for the next slot, acquires a target and starts recording. */
  private begin(): Promise<IteratorResult<Frame>> {
    try {
      if (this.index >= this.limit || this.swapchain.endReason) return this.finish();
      const slot = this.slots[this.index % FRAMES_IN_FLIGHT]!;
      this.acquireStart = this.tracer ? performance.now() : 0;
      slot.fence.wait();
      const acquired = this.swapchain.acquire();
      if (acquired instanceof Promise) return acquired.then((t) => this.started(slot, t), (e) => this.fail(e));
      return this.started(slot, acquired);
    } catch (error) {
      return this.fail(error);
    }
  }

  private started(slot: Slot, target: RenderTarget): Promise<IteratorResult<Frame>> {
    if (this.swapchain.endReason) return this.finish();
    slot.target = target;
    slot.index = this.index++;
    slot.time = this.step !== undefined ? slot.index * this.step : (performance.now() - this.start) / 1000;
    slot.recorded = false;
    slot.cmd.begin({ oneTime: true });
    this.current = slot;
    this.result.value = slot;
    if (this.tracer) this.tracer.span("acquire", slot.index, this.acquireStart, (this.handedOut = performance.now()));
    return this.ready;
  }

  /** Normal end: wait for the GPU so the timing covers all the work, like the C reference's idle wait. */
  private finish(): Promise<IteratorResult<Frame>> {
    if (this.swapchain.endReason) log.info(`${this.swapchain.name}: frame loop ends: ${this.swapchain.endReason}`);
    for (const s of this.slots) s.fence.wait();
    this.end();
    return Promise.resolve(DONE);
  }

  private fail(error: unknown): Promise<never> {
    this.abandonCurrent();
    this.end();
    return Promise.reject(error);
  }

  private abandonCurrent(): void {
    const slot = this.current;
    if (!slot) return;
    this.current = undefined;
    slot.cmd.end();
    slot.cmd.reset();
    slot.capture_?.reject(new Error(`frame ${slot.index} was never submitted`));
    slot.capture_ = undefined;
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    const seconds = (performance.now() - this.start) / 1000;
    const cpu = process.cpuUsage(this.cpuStart);
    const thread = threadCpuMicros() - this.threadStart;
    const n = this.count;
    this.loop.finishRun({
      frames: n,
      seconds,
      fps: n / (seconds || Infinity),
      cpuMsPerFrame: n ? (cpu.user + cpu.system) / 1000 / n : 0,
      mainThreadCpuMsPerFrame: n ? thread / 1000 / n : 0,
      extra: {},
    });
  }
}
