// The promises waiting on a connection (round trips, frame callbacks, buffer releases): each is
// settled by its own event, or rejected when the connection fails, or when an event handler throws
// (any of them may have depended on that handler).
import type { WaylandHandlerError } from "./errors.js";
import { logger } from "../util/log.js";

const log = logger("wayland");

// The Promise executor is one shared function that hands resolve/reject to the Pending being
// built, so a wait allocates its Pending and its promise, and no closures.
let building: Pending<never> | undefined;
function capture(resolve: (v: never) => void, reject: (e: Error) => void): void {
  building!.settleWith(resolve, reject);
}

/** One promise waiting on the connection. Settle it through resolve/reject (never twice). */
export class Pending<T> {
  readonly promise: Promise<T>;
  /** Index in the owner's list; -1 once settled (or never listed). */
  slot = -1;
  private resolveFn!: (v: T) => void;
  private rejectFn!: (e: Error) => void;

  constructor(private readonly owner: Waiters) {
    building = this as unknown as Pending<never>;
    this.promise = new Promise<T>(capture);
    building = undefined;
  }

  /** @internal called by the shared executor */
  settleWith(resolve: (v: T) => void, reject: (e: Error) => void): void {
    this.resolveFn = resolve;
    this.rejectFn = reject;
  }

  resolve(value: T): void {
    this.owner.remove(this);
    this.resolveFn(value);
  }

  reject(error: Error): void {
    this.owner.remove(this);
    this.rejectFn(error);
  }
}

/** What the pending list holds: a promise's place in it and its reject. */
interface Listed {
  slot: number;
  reject(error: Error): void;
}

export class Waiters {
  // Slots with swap-removal and a separate count rather than a Set or push/pop: a Set that
  // empties after every round trip rehashes, and an array that shrinks to empty drops its backing
  // store; both allocate on every wait.
  private readonly pending: (Listed | undefined)[] = [];
  private count = 0;
  /** A handler error that found no waiter: the next wait rejects with it. */
  private undelivered: WaylandHandlerError | undefined;

  /** Promises pending now. */
  get waiting(): number {
    return this.count;
  }

  /**
   * A new pending promise, listed so that `rejectAll`/`handlerFailed` reach it. If a handler error
   * is waiting to be delivered, the promise is rejected with it at once (and not listed).
   */
  add<T>(): Pending<T> {
    const p = new Pending<T>(this);
    const undelivered = this.undelivered;
    if (undelivered) {
      this.undelivered = undefined;
      p.reject(undelivered);
      return p;
    }
    p.slot = this.count;
    this.pending[this.count++] = p;
    return p;
  }

  /** A promise settled through `setup`'s resolve or reject, or by `rejectAll`/`handlerFailed`. */
  wait<T>(setup: (resolve: (v: T) => void, reject: (e: Error) => void) => void): Promise<T> {
    const p = this.add<T>();
    if (p.slot < 0) return p.promise;
    try {
      setup(
        (v) => p.resolve(v),
        (e) => p.reject(e),
      );
    } catch (e) {
      p.reject(e as Error);
    }
    return p.promise;
  }

  /** Rejects every pending promise (the connection failed or closed). */
  rejectAll(error: Error): void {
    const pending = this.pending.slice(0, this.count) as Listed[];
    this.pending.fill(undefined);
    this.count = 0;
    for (const p of pending) p.slot = -1;
    for (const p of pending) p.reject(error);
  }

  /** @internal Unlists a settled promise (Pending calls it). */
  remove(entry: Listed): void {
    if (entry.slot < 0) return;
    const last = this.pending[--this.count]!;
    this.pending[this.count] = undefined;
    if (last !== entry) {
      this.pending[entry.slot] = last;
      last.slot = entry.slot;
    }
    entry.slot = -1;
  }

  /** A handler threw: rejects the promises pending now, or the next one made if none is. */
  handlerFailed(error: WaylandHandlerError): void {
    log.debug(error.message);
    if (this.count) this.rejectAll(error);
    else if (!this.undelivered) this.undelivered = error;
    else log.warn(`${error.message} (an earlier handler error is still undelivered; this one is only logged)`);
  }
}
