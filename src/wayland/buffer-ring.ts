// The buffers a client presents in turn, whatever their memory (wl_shm or dmabuf). Each moves
// free -> rendering -> attached -> (wl_buffer.release) -> free: a buffer the compositor holds is
// never handed out, and waiting for a free one is a promise resolved by the release event.
import { logger } from "../util/log.js";
import type { FrameTracer } from "../util/trace.js";
import type { Connection } from "./connection.js";
import type { WlBuffer } from "./protocol/wayland.js";

const log = logger("wayland");

/** Tracers of connections whose rings record releases and waits (see traceBufferRings). */
const tracers = new WeakMap<Connection, FrameTracer>();

/**
 * Records, into `tracer`, every release of a buffer attached through a ring on `connection` (with
 * the frame that attached it: tracer.currentFrame at markAttached) and every wait for one;
 * undefined stops. The window does this for its connection (WaylandWindow.traceTo).
 */
export function traceBufferRings(connection: Connection, tracer: FrameTracer | undefined): void {
  if (tracer) tracers.set(connection, tracer);
  else tracers.delete(connection);
}

/** Where a buffer is in its cycle: free (can be handed out), rendering (handed out, not yet attached), attached (the compositor holds it until wl_buffer.release). */
export type BufferState = "free" | "rendering" | "attached";

/** What a BufferRing cycles: a wl_buffer (shm or dmabuf) and its state, which the ring updates. */
export interface RingBuffer {
  readonly wlBuffer: WlBuffer;
  state: BufferState;
}

/** Options of BufferRing.acquire. */
export interface AcquireOptions<B> {
  /** A new buffer when none is free (undefined: wait for a release instead). */
  grow?: () => B | undefined;
  /** Runs before every look for a free buffer; throws to stop waiting (retired, failed). */
  check?: () => void;
}

/**
 * The buffers a Wayland client presents in turn, whatever their memory. A buffer the compositor holds is never handed out;
 * acquire() waits for its wl_buffer.release instead (a promise, no polling).
 */
export class BufferRing<B extends RingBuffer> {
  readonly buffers: B[] = [];
  private readonly waiters: Array<() => void> = [];
  /** The frame each buffer was last attached for, while traced. */
  private readonly attachedFrames = new Map<B, number>();

  /** `onRelease` runs when a buffer comes back, before a waiter is woken (e.g. to destroy it). */
  constructor(
    private readonly connection: Connection,
    private readonly onRelease?: (buffer: B) => void,
  ) {}

  /** Adds a buffer (free) and listens for its release. */
  add(buffer: B): B {
    buffer.wlBuffer.listen({
      release: () => {
        if (buffer.state !== "attached") log.warn(`${buffer.wlBuffer}: release while ${buffer.state}`);
        buffer.state = "free";
        const tracer = tracers.get(this.connection);
        const frame = this.attachedFrames.get(buffer);
        if (tracer && frame !== undefined) tracer.point("release", frame);
        this.onRelease?.(buffer);
        this.wakeOne();
      },
    });
    this.buffers.push(buffer);
    return buffer;
  }

  /** A free buffer (or a new one from `grow`), marked `rendering`; else waits for a release. */
  async acquire(options: AcquireOptions<B> = {}): Promise<B> {
    for (;;) {
      const buffer = this.tryAcquire(options);
      if (buffer) return buffer;
      const tracer = tracers.get(this.connection);
      const waitStart = tracer ? performance.now() : 0;
      await this.connection.waitFor<void>((resolve) => this.waiters.push(() => resolve()));
      tracer?.span("wait release", tracer.currentFrame, waitStart);
    }
  }

  /** A free buffer (or a new one from `grow`), marked `rendering`, without waiting; undefined when none. */
  tryAcquire(options: AcquireOptions<B> = {}): B | undefined {
    options.check?.();
    let buffer: B | undefined;
    for (const b of this.buffers) {
      if (b.state === "free") {
        buffer = b;
        break;
      }
    }
    buffer ??= options.grow?.();
    if (buffer) buffer.state = "rendering";
    return buffer;
  }

  /** Whether `acquire` would return at once without growing. */
  get hasFree(): boolean {
    for (const b of this.buffers) if (b.state === "free") return true;
    return false;
  }

  /** Marks a buffer as handed to the compositor (call right before attach/commit). */
  markAttached(buffer: B): void {
    if (buffer.state !== "rendering") throw new Error(`${buffer.wlBuffer} attached while ${buffer.state}`);
    buffer.state = "attached";
    const tracer = tracers.get(this.connection);
    if (tracer) this.attachedFrames.set(buffer, tracer.currentFrame);
  }

  /** Returns a buffer that was acquired but will not be attached. */
  cancel(buffer: B): void {
    if (buffer.state === "rendering") buffer.state = "free";
    this.wakeOne();
  }

  /** Wakes every waiter so it looks again (its `check` decides whether to go on). */
  wakeAll(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private wakeOne(): void {
    this.waiters.shift()?.();
  }
}
