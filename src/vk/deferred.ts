// Deferred destruction: a resource the GPU may still use is destroyed only once the submission
// that last used it is known to be complete. Submissions are numbered; fences report completion.

interface Pending {
  serial: number;
  destroy: () => void;
}

/** Destructions waiting for the GPU: each runs once the numbered queue submission that last used its resource has completed (Device.retire uses one). */
export class DeferredQueue {
  private pending: Pending[] = [];
  private completed = 0;

  /** Queues destroy() to run once submission `serial` has completed (at once if it already has). */
  push(serial: number, destroy: () => void): void {
    if (serial <= this.completed) destroy();
    else this.pending.push({ serial, destroy });
  }

  /** The highest submission number known to have completed (0 before any). */
  get completedSerial(): number {
    return this.completed;
  }

  /** Destructions still waiting. */
  get size(): number {
    return this.pending.length;
  }

  /** Records that every submission up to `serial` has completed and runs what became free. */
  complete(serial: number): void {
    if (serial <= this.completed) return;
    this.completed = serial;
    if (this.pending.length === 0) return;
    const keep: Pending[] = [];
    for (const p of this.pending) {
      if (p.serial <= serial) p.destroy();
      else keep.push(p);
    }
    this.pending = keep;
  }

  /** Runs everything (the caller has waited for the device to go idle). */
  flush(): void {
    const all = this.pending;
    this.pending = [];
    for (const p of all) p.destroy();
  }
}
