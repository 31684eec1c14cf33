export declare class DeferredQueue {
    private pending;
    private completed;
    /** Queues destroy() to run once submission `serial` has completed (at once if it already has). */
    push(serial: number, destroy: () => void): void;
    get completedSerial(): number;
    get size(): number;
    /** Records that every submission up to `serial` has completed and runs what became free. */
    complete(serial: number): void;
    /** Runs everything (the caller has waited for the device to go idle). */
    flush(): void;
}
