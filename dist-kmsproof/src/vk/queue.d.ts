import { type VkTypes } from "./nvk.js";
import type { Device } from "./device.js";
import type { CommandBuffer } from "./commands.js";
import type { Fence, Semaphore } from "./sync.js";
export interface SubmitOptions {
    commandBuffers: readonly CommandBuffer[];
    /** [semaphore, pipeline stage mask that waits for it] */
    wait?: readonly (readonly [Semaphore, number])[];
    signal?: readonly Semaphore[];
    fence?: Fence;
}
/**
 * A submission built once and sent many times: the per-frame path uses this so the steady state
 * creates no nvk structs.
 */
export declare class PreparedSubmit {
    private readonly queue;
    private readonly info;
    private readonly fence;
    constructor(queue: Queue, options: SubmitOptions);
    submit(): number;
}
export declare class Queue {
    readonly device: Device;
    readonly handle: VkTypes.VkQueue;
    readonly familyIndex: number;
    /** Handle value for the koffi fast path. */
    readonly raw: bigint;
    constructor(device: Device, handle: VkTypes.VkQueue, familyIndex: number);
    /** Submits once; returns the submission's serial number. */
    submit(options: SubmitOptions): number;
    prepare(options: SubmitOptions): PreparedSubmit;
    /** @internal Submits one VkSubmitInfo whose arrays are pinned (see PreparedSubmit). */
    submitPrepared(info: bigint, fence: Fence | undefined): number;
    waitIdle(): void;
}
