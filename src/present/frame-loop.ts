// FrameLoop turns a SwapchainBackend into a Presenter: two slots (command buffer + fence) so the
// CPU records frame N+1 while the GPU renders frame N; every per-frame object is made once.
import { Buffer, BufferUsage, CommandPool, Fence, Format, type CommandBuffer, type Device, type PreparedSubmit } from "../vk/index.js";
import type { BackendName, Frame, FrameOptions, FrameStats, Pixels, Presenter, RenderTarget, SwapchainBackend } from "./presenter.js";
import { logger } from "../util/log.js";
import { threadCpuMicros } from "../sys/rusage.js";

const log = logger("present");
export const FRAMES_IN_FLIGHT = 2;

interface CaptureRequest {
  resolve: (pixels: Pixels) => void;
  reject: (error: unknown) => void;
}

class Slot implements Frame {
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
  ) {
    this.submit = device.queue.prepare({ commandBuffers: [cmd], fence });
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
    this.slots = cmds.map((cmd, i) => new Slot(i, cmd, Fence.create(this.device, { signaled: true }), this.device));
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

  async *frames(options: FrameOptions = {}): AsyncGenerator<Frame, void, undefined> {
    if (this.running) throw new Error("frames(): a frame loop is already running on this presenter");
    if (this.closed) throw new Error("frames(): the presenter is closed");
    this.running = true;
    const limit = options.limit ?? Infinity;
    const step = options.fixedTimestep ?? this.swapchain.defaultTimestep;
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const threadStart = threadCpuMicros();
    let count = 0;
    let pending: Slot | undefined;
    try {
      for (let i = 0; i < limit; i++) {
        if (this.swapchain.endReason) {
          log.info(`${this.backend}: frame loop ends: ${this.swapchain.endReason}`);
          break;
        }
        const slot = this.slots[i % FRAMES_IN_FLIGHT]!;
        slot.fence.wait();
        const acquired = this.swapchain.acquire();
        slot.target = acquired instanceof Promise ? await acquired : acquired;
        if (this.swapchain.endReason) break;
        slot.index = i;
        slot.time = step !== undefined ? i * step : (performance.now() - start) / 1000;
        slot.recorded = false;
        slot.cmd.begin({ oneTime: true });
        pending = slot;
        yield slot;
        if (!slot.recorded) throw new Error(`frame ${i}: the loop body did not call frame.record()`);
        this.swapchain.recordAfter?.(slot.cmd, slot.target);
        if (slot.capture_) this.recordCapture(slot);
        slot.cmd.end();
        slot.fence.reset();
        slot.submit.submit();
        pending = undefined;
        const presented = this.swapchain.present(slot.target, slot.fence, i);
        if (presented instanceof Promise) await presented;
        if (slot.capture_) this.finishCapture(slot);
        count++;
      }
      for (const s of this.slots) s.fence.wait();
    } finally {
      if (pending) {
        // The consumer left mid-frame (break or throw): drop the half-recorded commands.
        pending.cmd.end();
        pending.cmd.reset();
        pending.capture_?.reject(new Error(`frame ${pending.index} was never submitted`));
        pending.capture_ = undefined;
      }
      const seconds = (performance.now() - start) / 1000;
      const cpu = process.cpuUsage(cpuStart);
      const thread = threadCpuMicros() - threadStart;
      Object.assign(this.statsValue, {
        frames: count,
        seconds,
        fps: count / (seconds || Infinity),
        cpuMsPerFrame: count ? (cpu.user + cpu.system) / 1000 / count : 0,
        mainThreadCpuMsPerFrame: count ? thread / 1000 / count : 0,
        extra: this.swapchain.stats?.() ?? {},
      });
      this.running = false;
    }
  }

  private recordCapture(slot: Slot): void {
    const { image } = slot.target;
    const size = image.width * image.height * 4;
    if (!slot.readback || slot.readback.size !== size) {
      if (slot.readback) this.device.retire(slot.readback);
      slot.readback = Buffer.create(this.device, { size, usage: BufferUsage.transferDst, memory: "host", what: "capture readback" });
    }
    slot.cmd.copyImageToBuffer(image, slot.readback, slot.target.finalLayout);
  }

  private finishCapture(slot: Slot): void {
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
