// The buffers a client presents in turn, whatever their memory (wl_shm or dmabuf). Each moves
// free -> rendering -> attached -> (wl_buffer.release) -> free: a buffer the compositor holds is
// never handed out, and waiting for a free one is a promise resolved by the release event. Traced,
// a release is labelled with the frame given to markAttached and a wait with the frame given to acquire.
import { logger } from "../util/log.js";
import type { FrameTracer } from "../util/trace.js";
import type { Connection } from "./connection.js";
import { BufferStateError } from "./errors.js";
import type { WlBuffer } from "./protocol/wayland.js";

const log = logger("wayland");

/** Where a ring finds its tracer when something happens (a WaylandWindow: the one traceTo gave it). */
export interface TracingSource {
  readonly tracer: FrameTracer | undefined;
}

/** Options of a BufferRing. */
export interface RingOptions<B> {
  /** Runs when a buffer comes back, before a waiter is woken (e.g. to destroy it). */
  onRelease?: (buffer: B) => void;
  /** Records releases and waits into its tracer, while it has one. */
  tracing?: TracingSource;
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
  /** The frame each attached buffer carries, while traced. */
  private readonly attachedFrames = new Map<B, number>();
  private readonly onRelease: ((buffer: B) => void) | undefined;
  private readonly tracing: TracingSource | undefined;

  constructor(
    private readonly connection: Connection,
    options: RingOptions<B> = {},
  ) {
    this.onRelease = options.onRelease;
    this.tracing = options.tracing;
  }

  /** Adds a buffer (free) and listens for its release. */
  add(buffer: B): B {
    buffer.wlBuffer.listen({
      release: () => {
        if (buffer.state !== "attached") log.warn(`${buffer.wlBuffer}: release while ${buffer.state}`);
        buffer.state = "free";
        const frame = this.attachedFrames.get(buffer);
        this.attachedFrames.delete(buffer);
        if (frame !== undefined) this.tracing?.tracer?.point("release", frame);
        this.onRelease?.(buffer);
        this.wakeOne();
      },
    });
    this.buffers.push(buffer);
    return buffer;
  }

  /** A free buffer (or a new one from `grow`), marked `rendering`; else waits for a release (traced as a wait of `frame`, when given). */
  async acquire(options: AcquireOptions<B> = {}, frame?: number): Promise<B> {
    for (;;) {
      const buffer = this.tryAcquire(options);
      if (buffer) return buffer;
      const waitStart = performance.now();
      await this.connection.waitFor<void>((resolve) => this.waiters.push(() => resolve()));
      if (frame !== undefined) this.tracing?.tracer?.span("wait release", frame, waitStart);
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

  /**
   * Marks a buffer as handed to the compositor (call right before attach/commit) for `frame`, which
   * labels its release in a trace (the release is not traced when omitted).
   */
  markAttached(buffer: B, frame?: number): void {
    if (buffer.state !== "rendering") throw new BufferStateError(String(buffer.wlBuffer), "markAttached", buffer.state);
    buffer.state = "attached";
    if (frame !== undefined && this.tracing?.tracer) this.attachedFrames.set(buffer, frame);
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
