// A typed set of listeners for one kind of event: what a module exposes instead of a single
// `onX` hook field that one subscriber sets and another silently overwrites. add() returns the
// function that removes the listener again, so the subscriber that added it is the one that ends it.

/** Listeners of events of type T; `emit` calls them in the order they were added. */
export class Listeners<T = void> {
  private readonly fns: ((event: T) => void)[] = [];

  /** Adds `fn`; the returned function removes it (calling it twice is harmless). */
  add(fn: (event: T) => void): () => void {
    this.fns.push(fn);
    return () => {
      const i = this.fns.indexOf(fn);
      if (i >= 0) this.fns.splice(i, 1);
    };
  }

  /** Whether anyone listens (an emitter may skip preparing an event nobody reads). */
  get any(): boolean {
    return this.fns.length > 0;
  }

  /** Calls every listener with `event`; one added or removed during the call takes effect from the next emit. */
  emit(event: T): void {
    const n = this.fns.length;
    if (n === 1) return this.fns[0]!(event); // the common case: no copy
    if (n === 0) return;
    for (const fn of this.fns.slice()) fn(event);
  }
}
