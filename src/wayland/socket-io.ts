// The connection's socket I/O, all on the main thread and never blocking: a libuv poll handle says
// when the socket is readable, and each wake-up reads everything there is (non-blocking recvmsg
// straight into the receive buffer) and dispatches it; requests are encoded into the send buffer
// and written once per event-loop turn (a microtask after the code that made them), or when the
// socket has room again if the kernel buffer was full. An owner that knows nothing it waits for can
// come before a given time (fifo's next `presented` feedback) may pause reading until then
// (pauseReads): what arrives meanwhile (a buffer release) is read in the same wake-up as what it waits
// for, one event-loop wake-up instead of two.
import { SysError } from "../sys/libc.js";
import { type Readiness, type UnixSocket, WOULD_BLOCK } from "../sys/socket.js";
import { WaylandConnectionError } from "./errors.js";
import { Incoming } from "./incoming.js";
import { Outgoing } from "./outgoing.js";
import { WireError } from "./wire.js";
import { openUvTimer, type UvTimer } from "../sys/uv-timer.js";

/** @internal What the connection talks through: a Unix socket, or anything that moves bytes and descriptors alike. */
export type Transport = Pick<UnixSocket, "receive" | "sendSome" | "watch" | "wantWritable" | "close"> & Partial<Pick<UnixSocket, "pauseReading">>;

/** Reads per wake-up before yielding to the rest of the event loop (a flood must not starve it). */
const MAX_READS_PER_WAKE = 64;

const settled = Promise.resolve();

export interface SocketIoHost {
  /** Dispatches every complete message in `incoming`; throws WireError on malformed input. */
  dispatchAvailable(): void;
  /** The connection failed for good (the host calls `stop`). */
  fail(error: Error): void;
}

export class SocketIo {
  readonly incoming = new Incoming();
  readonly outgoing = new Outgoing();
  private stopped = false;
  private flushScheduled = false;
  private waitingForRoom = false;
  private drainedWaiters: { resolve(): void; reject(e: Error): void }[] = [];
  private readonly flushTask = () => {
    this.flushScheduled = false;
    try {
      this.writeOut();
    } catch (e) {
      this.host.fail(e instanceof Error ? e : new WaylandConnectionError(`writing to the compositor socket threw ${String(e)}`)); // a bug: not an unhandled rejection
    }
  };
  private readonly onReady = (ready: Readiness) => this.ready(ready);
  /** pauseReads: the socket's readability is not watched until the timer fires (or resumeReads). */
  private readsPaused = false;
  private resumeTimer: UvTimer | undefined;
  private readonly onResumeTimer = () => this.resumeReads();
  /** Pauses taken, and resumes that found nothing to read (the pause ended before what it waited for came). */
  readonly pauseCounts = { pauses: 0, emptyResumes: 0 };

  constructor(
    private readonly transport: Transport,
    private readonly path: string,
    private readonly host: SocketIoHost,
  ) {
    transport.watch(this.onReady);
  }

  /** Writes the queue at the end of this turn (once, however many requests the turn makes). */
  scheduleFlush(): void {
    if (this.flushScheduled || this.stopped) return;
    this.flushScheduled = true;
    // a reaction on a settled promise: a microtask without queueMicrotask's per-call async resource
    settled.then(this.flushTask);
  }

  /** Writes what the socket takes now, never waiting (closing uses it: nothing may hang there). */
  writeNow(): void {
    this.writeOut();
  }

  /** Writes what is queued now; resolves once the kernel has all of it. */
  flush(): Promise<void> {
    this.writeOut();
    if (this.outgoing.empty) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.drainedWaiters.push({ resolve, reject }));
  }

  /**
   * Stops reading for `ms` (or until resumeReads): bytes that arrive meanwhile wake nothing; then
   * everything that came is read and dispatched at once and the socket is watched again. False where
   * the transport cannot pause (then nothing changes). Writing goes on as ever. The owner bounds the
   * pause: events (input, configure, ping) wait through it.
   */
  pauseReads(ms: number): boolean {
    if (this.stopped || !this.transport.pauseReading) return false;
    (this.resumeTimer ??= openUvTimer(this.onResumeTimer)).start(ms);
    if (!this.readsPaused) {
      this.readsPaused = true;
      this.transport.pauseReading(true);
    }
    this.pauseCounts.pauses++;
    return true;
  }

  /** Whether reading is paused now (pauseReads). */
  get readingPaused(): boolean {
    return this.readsPaused;
  }

  /** Ends a pause: reads and dispatches what arrived, and watches the socket again. */
  resumeReads(): void {
    if (!this.readsPaused) return;
    this.readsPaused = false;
    this.resumeTimer?.stop();
    if (this.stopped) return;
    try {
      this.transport.pauseReading!(false);
      if (!this.readAvailable(false)) this.pauseCounts.emptyResumes++;
    } catch (e) {
      this.host.fail(e instanceof Error ? e : new WaylandConnectionError(`watching the compositor socket again threw ${String(e)}`)); // runs from a timer: nothing may escape
    }
  }

  /** Stops all I/O: closes the transport, drops queued bytes and descriptors. Idempotent. */
  stop(error: Error): void {
    if (this.stopped) return;
    this.stopped = true;
    this.readsPaused = false;
    this.resumeTimer?.close();
    this.resumeTimer = undefined;
    this.incoming.discard();
    this.outgoing.discard();
    this.transport.close();
    for (const w of this.drainedWaiters.splice(0)) w.reject(error);
  }

  private ready(ready: Readiness): void {
    // runs straight from libuv: nothing may escape it
    try {
      if (ready.writable && this.waitingForRoom) this.writeOut();
      if (ready.error) {
        // libuv reports a socket error (a peer that hung up on unread requests: ECONNRESET) as
        // EBADF; the socket still holds the compositor's last events and then says what happened.
        this.readAvailable(true);
        if (!this.stopped) this.host.fail(new WaylandConnectionError(`waiting on the compositor socket failed (${this.path}, ${ready.error})`));
      } else if (ready.readable) this.readAvailable(false);
    } catch (e) {
      this.host.fail(e instanceof Error ? e : new WaylandConnectionError(`reading the compositor socket threw ${String(e)}`));
    }
  }

  /**
   * Reads and dispatches until the socket has nothing more (or MAX_READS_PER_WAKE reads). `toEnd`
   * reads on until the socket says "would block", ends or fails (no more wake-ups will come).
   * Returns whether anything was read (or the connection ended).
   */
  private readAvailable(toEnd: boolean): boolean {
    for (let reads = 0; (toEnd || reads < MAX_READS_PER_WAKE) && !this.stopped; reads++) {
      const room = this.incoming.room;
      const fdsBefore = this.incoming.queuedFds;
      let n: number;
      try {
        n = this.incoming.receiveFrom(this.transport);
      } catch (e) {
        this.host.fail(this.receiveError(e));
        return true;
      }
      if (n === WOULD_BLOCK) return reads > 0;
      const gotFds = this.incoming.queuedFds !== fdsBefore;
      if (n === 0) {
        this.host.fail(new WaylandConnectionError(`the compositor closed the connection (${this.path})`));
        return true;
      }
      try {
        this.host.dispatchAvailable();
      } catch (e) {
        // Only bytes that made no sense are "malformed"; anything else is itself (a bug shows as one).
        this.host.fail(e instanceof WireError ? new WaylandConnectionError(`malformed message from the compositor: ${e.message}`, { cause: e }) : (e as Error));
        return true;
      }
      // A short read without descriptors emptied the socket (the kernel stops early only after
      // a message that carried descriptors); if more arrived since, the poll handle fires again.
      if (n < room && !gotFds && !toEnd) return true;
    }
    return true;
  }

  private writeOut(): void {
    if (this.stopped) return;
    let done: boolean;
    try {
      done = this.outgoing.writeTo(this.transport);
    } catch (e) {
      return this.sendFailed(e);
    }
    if (done) {
      if (this.waitingForRoom) {
        this.waitingForRoom = false;
        this.transport.wantWritable(false);
      }
      if (this.drainedWaiters.length) for (const w of this.drainedWaiters.splice(0)) w.resolve();
    } else if (!this.waitingForRoom) {
      this.waitingForRoom = true;
      this.transport.wantWritable(true);
    }
  }

  private sendFailed(e: unknown): void {
    const hangup = e instanceof SysError && (e.code === "EPIPE" || e.code === "ECONNRESET");
    // A compositor that hangs up usually said why first (wl_display.error): read that before
    // blaming the hang-up.
    if (hangup) this.readAvailable(true);
    if (this.stopped) return;
    this.host.fail(
      e instanceof Error && !(e instanceof SysError)
        ? e
        : new WaylandConnectionError(
            hangup
              ? `the compositor closed the connection (${this.path}, ${(e as SysError).code} on send)`
              : `sending to the compositor failed: ${(e as Error).message}`,
            { cause: e },
          ),
    );
  }

  private receiveError(e: unknown): Error {
    if (e instanceof WireError) return new WaylandConnectionError(`malformed message from the compositor: ${e.message}`, { cause: e });
    const hangup = e instanceof SysError && e.code === "ECONNRESET";
    return new WaylandConnectionError(
      hangup ? `the compositor closed the connection (${this.path}, ${e.code})` : `receiving from the compositor failed: ${(e as Error).message}`,
      { cause: e },
    );
  }
}
