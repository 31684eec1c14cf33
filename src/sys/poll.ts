// Readiness of a descriptor on Node's own event loop: a libuv poll handle, so the main thread
// learns that a socket can be read or written without a thread, a blocking call or a timer. The
// handle keeps the process alive while it watches something, like an open socket would. On the
// main thread it is started through libuv's own API (uv-poll.ts); elsewhere it is koffi.node.poll's.
import { errnoName, koffi } from "./libc.js";
import { openUvPoll, UV_READABLE, UV_WRITABLE, type UvPoll } from "./uv-poll.js";

type KoffiPollHandle = ReturnType<typeof koffi.node.poll>;

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
  private uvPoll: UvPoll | undefined;
  private koffiPoll: KoffiPollHandle | undefined;
  private opened = false;
  private readable = false;
  private writable = false;
  private closed = false;
  private readonly ready: Readiness = { readable: false, writable: false, error: undefined };
  private readonly onUvPoll = (status: number, events: number) => this.fire(status, (events & UV_READABLE) !== 0, (events & UV_WRITABLE) !== 0);
  private readonly onKoffiPoll = (status: number, events?: { readable: boolean; writable: boolean }) =>
    this.fire(status, events?.readable ?? false, events?.writable ?? false);

  /** `onReady` runs on the main thread; it must not throw (nothing above it could catch it). */
  constructor(
    private readonly fd: number,
    private readonly onReady: (ready: Readiness) => void,
  ) {}

  /** @internal Which handle watches the descriptor: libuv's own (main thread), koffi's, or none yet. */
  get handleKind(): "libuv" | "koffi" | "none" {
    return this.uvPoll ? "libuv" : this.koffiPoll ? "koffi" : "none";
  }

  /** Sets what to watch for; watching nothing stops the handle (and lets the process exit). */
  watch(readable: boolean, writable: boolean): void {
    if (this.closed) return;
    if (readable === this.readable && writable === this.writable && this.opened) return;
    this.readable = readable;
    this.writable = writable;
    if (!this.opened) {
      this.opened = true;
      this.uvPoll = openUvPoll(this.fd, this.onUvPoll);
    }
    if (this.uvPoll) {
      if (readable || writable) this.uvPoll.start((readable ? UV_READABLE : 0) | (writable ? UV_WRITABLE : 0));
      else this.uvPoll.stop();
      return;
    }
    const events = readable ? (writable ? readableAndWritable : readableOnly) : writable ? writableOnly : undefined;
    if (!events) {
      this.koffiPoll?.stop();
      return;
    }
    // koffi's callback receives (status, events); its typings only show the events
    const cb = this.onKoffiPoll as unknown as (ev: { readable: boolean }) => void;
    if (!this.koffiPoll) this.koffiPoll = koffi.node.poll(this.fd, events, cb);
    else this.koffiPoll.start(events, cb);
  }

  /** Stops watching for good. Call before the descriptor is closed. Idempotent. */
  close(): void {
    this.closed = true;
    this.uvPoll?.close();
    this.uvPoll = undefined;
    this.koffiPoll?.close();
    this.koffiPoll = undefined;
  }

  private fire(status: number, readable: boolean, writable: boolean): void {
    const r = this.ready;
    if (status < 0) {
      // libuv has stopped the handle; let the owner try its call and see the real error
      r.readable = this.readable;
      r.writable = this.writable;
      r.error = errnoName(-status);
      this.readable = this.writable = false;
    } else {
      r.readable = readable;
      r.writable = writable;
      r.error = undefined;
    }
    this.onReady(r);
  }
}
