import type { Device } from "./device.js";
export declare class Fence {
    readonly device: Device;
    readonly handle: import("nvk/generated/1.1.126/linux").VkFence;
    /** The submission this fence was last handed to (0: none yet). */
    serial: number;
    /** The fence's handle value in a one-element native array, for the koffi fast path. */
    private readonly rawArray;
    private readonly rawArrayAddress;
    readonly raw: bigint;
    private destroyed;
    private constructor();
    static create(device: Device, options?: {
        signaled?: boolean;
    }): Fence;
    /** Waits until signalled; returns false on timeout. Timeout in nanoseconds (default: forever). */
    wait(timeoutNs?: bigint): boolean;
    get signaled(): boolean;
    reset(): void;
    destroy(): void;
}
export declare class Semaphore {
    readonly device: Device;
    readonly exportable: boolean;
    readonly handle: import("nvk/generated/1.1.126/linux").VkSemaphore;
    private destroyed;
    private constructor();
    /** exportable: the semaphore can be exported as a sync file (needs VK_KHR_external_semaphore_fd). */
    static create(device: Device, options?: {
        exportable?: boolean;
    }): Semaphore;
    /** Exports the pending signal as a sync file fd (the caller owns and closes it). */
    exportSyncFile(): number;
    destroy(): void;
}
