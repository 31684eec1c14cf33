// Our own wl_shm swapchain: buffers in one memfd-backed wl_shm_pool, cycled by a BufferRing (a
// buffer the compositor holds is never reused). The pool grows only when every buffer is busy (up
// to `maxBuffers`).
import { SharedMemory } from "../sys/memfd.js";
import { DRM_FORMAT_ARGB8888, DRM_FORMAT_XRGB8888, formatName } from "../util/fourcc.js";
import { logger } from "../util/log.js";
import { BufferRing, type BufferState, type RingBuffer, type TracingSource } from "./buffer-ring.js";
import type { Connection } from "./connection.js";
import { CompositorDataError, ObjectRetiredError } from "./errors.js";
import { type WlBuffer, type WlShm, WlShmFormat, type WlShmPool } from "./protocol/wayland.js";

const log = logger("wayland");

/** Where an shm buffer is in its cycle (see BufferState). */
export type ShmBufferState = BufferState;

/** One wl_buffer of an ShmSwapchain: width x height 32-bit pixels at `offset` bytes into the chain's shared memory, rows `stride` bytes apart. */
export class ShmBuffer implements RingBuffer {
  state: ShmBufferState = "free";
  /** Times this buffer was handed out, for tests and stats. */
  uses = 0;
  constructor(
    readonly chain: ShmSwapchain,
    readonly wlBuffer: WlBuffer,
    readonly offset: number,
    readonly width: number,
    readonly height: number,
    readonly stride: number,
  ) {}
  private view: Uint8Array | undefined;
  /** Where the buffer's bytes start in this process (for a Vulkan import; valid while the chain's memory is mapped where it is). */
  get address(): bigint {
    return this.chain.memory.address + BigInt(this.offset);
  }
  /** The buffer's bytes (B, G, R, X/A per pixel). Valid until the chain's next `acquire`. */
  get pixels(): Uint8Array {
    // made again only when the pool grew (its memory is mapped anew)
    const memory = this.chain.memory.buffer;
    if (this.view?.buffer !== memory) this.view = new Uint8Array(memory, this.offset, this.stride * this.height);
    return this.view;
  }
}

/**
 * A wl_shm format's DRM fourcc name ("XR24"): wl_shm.format values are fourcc codes except the two
 * every compositor supports, argb8888 (0) and xrgb8888 (1).
 */
export function shmFormatName(format: number): string {
  if (format === WlShmFormat.argb8888) return formatName(DRM_FORMAT_ARGB8888);
  if (format === WlShmFormat.xrgb8888) return formatName(DRM_FORMAT_XRGB8888);
  return formatName(format);
}

/** Picks a 32-bit format the compositor lists: XRGB8888 unless alpha is wanted. */
export function chooseShmFormat(formats: ReadonlySet<number>, alpha = false): number {
  const order = alpha ? [WlShmFormat.argb8888, WlShmFormat.xrgb8888] : [WlShmFormat.xrgb8888, WlShmFormat.argb8888];
  for (const f of order) if (formats.has(f)) return f;
  // wl_shm requires both; a compositor listing neither is broken
  throw new CompositorDataError("wl_shm.format", `neither XRGB8888 nor ARGB8888 is listed (got ${[...formats].map(shmFormatName).join(", ") || "none"})`);
}

/** Collects wl_shm.format events (they arrive right after binding). */
export function listenShmFormats(shm: WlShm): Set<number> {
  const formats = new Set<number>();
  shm.listen({ format: (f) => void formats.add(f) });
  return formats;
}

/** Options of an ShmSwapchain. */
export interface ShmSwapchainOptions {
  /** The most buffers the pool grows to when all are busy (default 4). */
  maxBuffers?: number;
  /** Buffers made at once (default 2). */
  initialBuffers?: number;
  /** Records buffer releases and waits into its tracer (the window the buffers are presented on). */
  tracing?: TracingSource;
  /** Bytes per pixel of the format (default 4; 8 for the 16-bit-per-channel formats such as ABGR16161616F). */
  bytesPerPixel?: 4 | 8;
  /** Bytes between rows (default width * bytesPerPixel; more where a GPU's row pitch says so). */
  stride?: number;
  /** Bytes each buffer takes in the pool (default stride * height; more to keep every buffer aligned for a Vulkan import). */
  bufferBytes?: number;
  /**
   * Map room for maxBuffers buffers up front, so the pool grows without moving its mapping: buffer
   * addresses (ShmBuffer.address) stay valid for as long as the chain lives.
   */
  fixedAddresses?: boolean;
}

/**
 * Buffers in one memfd-backed wl_shm_pool, all width x height in one format (stride width * bytesPerPixel), reused as the
 * compositor releases them: starts with 2 and grows up to maxBuffers (default 4) when all are busy. Throws RangeError
 * for a size outside 1..16384.
 */
export class ShmSwapchain {
  readonly memory: SharedMemory;
  private readonly ring: BufferRing<ShmBuffer>;
  private readonly pool: WlShmPool;
  private retired = false;
  private poolDestroyed = false;
  readonly stride: number;
  readonly maxBuffers: number;
  private readonly bufferSize: number;
  /** How acquire grows the pool and refuses a retired chain (made once: acquire runs every frame). */
  private readonly acquireOptions = {
    grow: (): ShmBuffer | undefined => (this.buffers.length < this.maxBuffers ? this.addBuffer() : undefined),
    check: (): void => {
      if (this.retired) throw new ObjectRetiredError(`shm swapchain ${this.width}x${this.height}`, "acquire", "retired");
    },
  };

  constructor(
    private readonly connection: Connection,
    shm: WlShm,
    readonly width: number,
    readonly height: number,
    readonly format: number,
    options: ShmSwapchainOptions = {},
  ) {
    if (width <= 0 || height <= 0 || width > 16384 || height > 16384) throw new RangeError(`shm swapchain: bad size ${width}x${height}`);
    this.maxBuffers = options.maxBuffers ?? 4;
    const initialBuffers = options.initialBuffers ?? 2;
    this.stride = options.stride ?? width * (options.bytesPerPixel ?? 4);
    if (this.stride < width * (options.bytesPerPixel ?? 4)) throw new RangeError(`shm swapchain: stride ${this.stride} is less than a row of ${width} pixels`);
    this.bufferSize = Math.max(options.bufferBytes ?? 0, this.stride * height);
    this.ring = new BufferRing(connection, {
      onRelease: (b) => {
        if (this.retired) this.destroyBuffer(b);
      },
      tracing: options.tracing,
    });
    const reserve = options.fixedAddresses ? this.bufferSize * Math.max(this.maxBuffers, initialBuffers) : 0;
    this.memory = SharedMemory.create(`scanout-shm-${width}x${height}`, this.bufferSize * initialBuffers, { reserve });
    try {
      this.pool = shm.create_pool(this.memory.fd, this.memory.size);
      for (let i = 0; i < initialBuffers; i++) this.addBuffer();
    } catch (e) {
      this.memory.close();
      throw e;
    }
  }

  /** Every buffer made so far, in creation order. */
  get buffers(): readonly ShmBuffer[] {
    return this.ring.buffers;
  }

  /** Whether `acquire` would return a buffer without waiting for a release. */
  get canAcquireNow(): boolean {
    return this.ring.hasFree || this.buffers.length < this.maxBuffers;
  }

  private addBuffer(): ShmBuffer {
    const offset = this.buffers.length * this.bufferSize;
    if (offset + this.bufferSize > this.memory.size) {
      this.memory.grow(offset + this.bufferSize);
      this.pool.resize(this.memory.size);
      log.debug(`shm pool grown to ${this.memory.size} bytes (${this.buffers.length + 1} buffers)`);
    }
    const wl = this.pool.create_buffer(offset, this.width, this.height, this.stride, this.format);
    return this.ring.add(new ShmBuffer(this, wl, offset, this.width, this.height, this.stride));
  }

  /** A free buffer, marked `rendering`. Grows the pool when all are busy, else waits for a release (traced as a wait of `frame`, when given). */
  async acquire(frame?: number): Promise<ShmBuffer> {
    const b = await this.ring.acquire(this.acquireOptions, frame);
    b.uses++;
    return b;
  }

  /** A free buffer, marked `rendering`, growing the pool when all are busy; undefined rather than a wait. */
  tryAcquire(): ShmBuffer | undefined {
    const b = this.ring.tryAcquire(this.acquireOptions);
    if (b) b.uses++;
    return b;
  }

  /** Marks a buffer as handed to the compositor (call right before attach/commit) for `frame`, which labels its release in a trace. */
  markAttached(b: ShmBuffer, frame?: number): void {
    this.ring.markAttached(b, frame);
  }

  /** Returns a buffer that was acquired but will not be attached. */
  cancel(b: ShmBuffer): void {
    this.ring.cancel(b);
  }

  private destroyBuffer(b: ShmBuffer): void {
    if (!b.wlBuffer.destroyed && !this.connection.error) b.wlBuffer.destroy();
    b.wlBuffer.destroyed = true;
    this.maybeFinish();
  }

  private maybeFinish(): void {
    if (!this.retired || this.buffers.some((b) => !b.wlBuffer.destroyed)) return;
    if (!this.poolDestroyed) {
      this.poolDestroyed = true;
      if (!this.connection.error && !this.pool.destroyed) this.pool.destroy();
      this.memory.close();
    }
  }

  /**
   * Retires the chain (on resize or close): free buffers go now, attached ones when the compositor
   * releases them; the pool and memfd go with the last buffer. With `force` (connection gone or
   * closing) everything goes now.
   */
  retire(force = false): void {
    this.retired = true;
    this.ring.wakeAll();
    for (const b of this.buffers)
      if (!b.wlBuffer.destroyed && (force || b.state !== "attached")) this.destroyBuffer(b);
    if (force && !this.poolDestroyed) {
      for (const b of this.buffers) b.wlBuffer.destroyed = true;
      this.maybeFinish();
    }
  }
}
