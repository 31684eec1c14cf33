// The promises waiting on a connection (round trips, frame callbacks, buffer releases): each is
// settled by its own event, or rejected when the connection fails, or when an event handler throws
// (any of them may have depended on that handler).
import type { WaylandHandlerError } from "./errors.js";
import { logger } from "../util/log.js";

const log = logger("wayland");

export class Waiters {
  private readonly pending = new Set<(e: Error) => void>();
  /** A handler error that found no waiter: the next `wait` rejects with it. */
  private undelivered: WaylandHandlerError | undefined;

  /** A promise settled through `setup`'s resolve or reject, or by `rejectAll`/`handlerFailed`. */
  wait<T>(setup: (resolve: (v: T) => void, reject: (e: Error) => void) => void): Promise<T> {
    const undelivered = this.undelivered;
    if (undelivered) {
      this.undelivered = undefined;
      return Promise.reject(undelivered);
    }
    return new Promise<T>((resolve, reject) => {
      const onFail = (e: Error) => reject(e);
      this.pending.add(onFail);
      setup(
        (v) => {
          this.pending.delete(onFail);
          resolve(v);
        },
        (e) => {
          this.pending.delete(onFail);
          reject(e);
        },
      );
    });
  }

  /** Rejects every pending promise (the connection failed or closed). */
  rejectAll(error: Error): void {
    const pending = [...this.pending];
    this.pending.clear();
    for (const fail of pending) fail(error);
  }

  /** A handler threw: rejects the promises pending now, or the next one made if none is. */
  handlerFailed(error: WaylandHandlerError): void {
    log.debug(error.message);
    if (this.pending.size) this.rejectAll(error);
    else if (!this.undelivered) this.undelivered = error;
    else log.warn(`${error.message} (an earlier handler error is still undelivered; this one is only logged)`);
  }
}
