// The queue between whoever produces input (the Wayland seat, libinput on KMS) and the app:
// events are pushed as they are decoded and read either by awaiting (events()) or by draining
// inside the frame loop (drain()). Bounded, so an app that never reads input does not grow.
import { InputError } from "./errors.js";
import type { InputEvent } from "./events.js";

/** Where a presenter's input comes from: a backend's seat, or nothing (headless). */
export interface InputSource {
  /** The events queued since the last drain, oldest first (a shared empty array when there are none). */
  drain(): readonly InputEvent[];
  /** Every event from now on until close(), as an async iterator (one iterator at a time). */
  events(): AsyncIterableIterator<InputEvent>;
  /** Events dropped because the queue was full (nobody read them). */
  readonly dropped: number;
  /** True after close(): no more events; a running events() iterator ends. */
  readonly closed: boolean;
  /** Ends the stream (the presenter closes it with itself). */
  close(): void;
}

const EMPTY: readonly InputEvent[] = Object.freeze([]);
const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/**
 * A bounded FIFO of input events implementing InputSource. Producers call push(); when more than
 * `capacity` events are waiting, the oldest are dropped (counted in `dropped`).
 */
export class InputQueue implements InputSource {
  private buf: InputEvent[] = [];
  private head = 0;
  private waiter: ((r: IteratorResult<InputEvent>) => void) | undefined;
  private iterating = false;
  private droppedCount = 0;
  private isClosed = false;

  /** @param capacity most events kept unread (default 4096; 0: a source that keeps nothing, e.g. headless). */
  constructor(readonly capacity = 4096) {}

  get dropped(): number {
    return this.droppedCount;
  }
  get closed(): boolean {
    return this.isClosed;
  }
  /** Events waiting to be read. */
  get length(): number {
    return this.buf.length - this.head;
  }

  /** Adds an event (handed straight to a waiting events() iterator if there is one). Ignored after close(). */
  push(event: InputEvent): void {
    if (this.isClosed) return;
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w({ value: event, done: false });
      return;
    }
    if (this.capacity <= 0) {
      this.droppedCount++;
      return;
    }
    if (this.length >= this.capacity) {
      this.head++;
      this.droppedCount++;
    }
    this.buf.push(event);
  }

  drain(): readonly InputEvent[] {
    if (this.head >= this.buf.length) {
      if (this.buf.length) this.reset();
      return EMPTY;
    }
    const out = this.head === 0 ? this.buf : this.buf.slice(this.head);
    this.buf = [];
    this.head = 0;
    return out;
  }

  events(): AsyncIterableIterator<InputEvent> {
    if (this.iterating) throw new InputError("input(): an input iterator is already running on this presenter");
    this.iterating = true;
    const finish = (): void => {
      this.iterating = false;
      const w = this.waiter;
      this.waiter = undefined;
      w?.(DONE);
    };
    const it: AsyncIterableIterator<InputEvent> = {
      [Symbol.asyncIterator]: () => it,
      next: () => {
        if (!this.iterating) return Promise.resolve(DONE);
        if (this.head < this.buf.length) {
          const value = this.buf[this.head++]!;
          if (this.head === this.buf.length) this.reset();
          return Promise.resolve({ value, done: false });
        }
        if (this.isClosed) {
          finish();
          return Promise.resolve(DONE);
        }
        if (this.waiter) return Promise.reject(new InputError("input(): next() called again before the previous one settled"));
        return new Promise((resolve) => (this.waiter = resolve));
      },
      return: () => {
        finish();
        return Promise.resolve(DONE);
      },
    };
    return it;
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const w = this.waiter;
    this.waiter = undefined;
    if (w) {
      this.iterating = false;
      w(DONE);
    }
  }

  private reset(): void {
    this.buf.length = 0;
    this.head = 0;
  }
}
