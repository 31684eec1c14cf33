// Readiness of a descriptor on Node's own event loop: a libuv poll handle (koffi.node.poll), so the
// main thread learns that a socket can be read or written without a thread, a blocking call or a
// timer. The handle keeps the process alive while it watches something, like an open socket would.
import { errnoName, koffi } from "./libc.js";

type PollHandle = ReturnType<typeof koffi.node.poll>;

/** What the descriptor is ready for. `error` is set when the poll itself failed (libuv stops it). */
export interface Readiness {
  readable: boolean;
  writable: boolean;
  error: string | undefined;
}

const readableOnly = { readable: true, writable: false };
const readableAndWritable = { readable: true, writable: true };
const writableOnly = { readable: false, writable: true };

/** Watches one descriptor; at most one FdPoll per descriptor (libuv allows one poll handle per fd). */
export class FdPoll {
  private handle: PollHandle | undefined;
  private readable = false;
  private writable = false;
  private closed = false;
  private readonly ready: Readiness = { readable: false, writable: false, error: undefined };
  private readonly callback = (status: number, events?: { readable: boolean; writable: boolean }) => this.fire(status, events);

  /** `onReady` runs on the main thread; it must not throw (nothing above it could catch it). */
  constructor(
    private readonly fd: number,
    private readonly onReady: (ready: Readiness) => void,
  ) {}

  /** Sets what to watch for; watching nothing stops the handle (and lets the process exit). */
  watch(readable: boolean, writable: boolean): void {
    if (this.closed) return;
    if (readable === this.readable && writable === this.writable && this.handle) return;
    this.readable = readable;
    this.writable = writable;
    const events = readable ? (writable ? readableAndWritable : readableOnly) : writable ? writableOnly : undefined;
    if (!events) {
      this.handle?.stop();
      return;
    }
    // koffi's callback receives (status, events); its typings only show the events
    const cb = this.callback as unknown as (ev: { readable: boolean }) => void;
    if (!this.handle) this.handle = koffi.node.poll(this.fd, events, cb);
    else this.handle.start(events, cb);
  }

  /** Stops watching for good. Call before the descriptor is closed. Idempotent. */
  close(): void {
    this.closed = true;
    this.handle?.close();
    this.handle = undefined;
  }

  private fire(status: number, events: { readable: boolean; writable: boolean } | undefined): void {
    const r = this.ready;
    if (status < 0) {
      // libuv has stopped the handle; let the owner try its call and see the real error
      r.readable = this.readable;
      r.writable = this.writable;
      r.error = errnoName(-status);
      this.readable = this.writable = false;
    } else {
      r.readable = events?.readable ?? false;
      r.writable = events?.writable ?? false;
      r.error = undefined;
    }
    this.onReady(r);
  }
}
