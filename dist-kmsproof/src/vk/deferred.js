// Deferred destruction: a resource the GPU may still use is destroyed only once the submission
// that last used it is known to be complete. Submissions are numbered; fences report completion.
export class DeferredQueue {
    pending = [];
    completed = 0;
    /** Queues destroy() to run once submission `serial` has completed (at once if it already has). */
    push(serial, destroy) {
        if (serial <= this.completed)
            destroy();
        else
            this.pending.push({ serial, destroy });
    }
    get completedSerial() {
        return this.completed;
    }
    get size() {
        return this.pending.length;
    }
    /** Records that every submission up to `serial` has completed and runs what became free. */
    complete(serial) {
        if (serial <= this.completed)
            return;
        this.completed = serial;
        if (this.pending.length === 0)
            return;
        const keep = [];
        for (const p of this.pending) {
            if (p.serial <= serial)
                p.destroy();
            else
                keep.push(p);
        }
        this.pending = keep;
    }
    /** Runs everything (the caller has waited for the device to go idle). */
    flush() {
        const all = this.pending;
        this.pending = [];
        for (const p of all)
            p.destroy();
    }
}
//# sourceMappingURL=deferred.js.map