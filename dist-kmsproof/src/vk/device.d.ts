import type { Destroyable } from "./scope.js";
import type { Instance } from "./instance.js";
import type { PhysicalDevice } from "./physical-device.js";
import { Queue } from "./queue.js";
import { type CommandBuffer } from "./commands.js";
/** Enabled when the driver lists them: external memory/semaphores for dmabuf and sync-file export. */
export declare const OPTIONAL_EXTENSIONS: readonly ["VK_KHR_external_memory_fd", "VK_EXT_external_memory_dma_buf", "VK_KHR_image_format_list", "VK_EXT_image_drm_format_modifier", "VK_EXT_queue_family_foreign", "VK_KHR_external_semaphore_fd", "VK_KHR_external_fence_fd"];
export interface DeviceOptions {
    /** Extensions that must be present (creation fails with a clear message otherwise). */
    extensions?: string[];
    /** Extensions enabled only if present (default: OPTIONAL_EXTENSIONS). */
    optionalExtensions?: readonly string[];
    /** Enable samplerAnisotropy when the device has it (default true). */
    anisotropy?: boolean;
}
export declare class Device implements AsyncDisposable {
    readonly instance: Instance;
    readonly physical: PhysicalDevice;
    readonly handle: import("nvk/generated/1.1.126/linux").VkDevice;
    readonly queue: Queue;
    readonly extensions: ReadonlySet<string>;
    readonly features: {
        samplerAnisotropy: boolean;
    };
    /** Handle value for the koffi fast path. */
    readonly raw: bigint;
    private readonly deferred;
    private submitted;
    private oneShotPool;
    private destroyed;
    private constructor();
    static create(instance: Instance, physical: PhysicalDevice, options?: DeviceOptions): Device;
    has(extension: string): boolean;
    /** Whether images can be exported as dmabufs (external memory fd + dma_buf handle type). */
    get canExportDmabuf(): boolean;
    /** Numbers a submission; the queue calls this for every vkQueueSubmit. */
    nextSubmission(): number;
    get lastSubmission(): number;
    /** The newest submission known to have completed (every earlier one has too). */
    get completedSubmission(): number;
    /** Records that every submission up to `serial` has finished; frees what waited for it. */
    completed(serial: number): void;
    /** Destroys `resource` once every submission made so far has completed. */
    retire(resource: Destroyable): void;
    get pendingDestruction(): number;
    waitIdle(): void;
    /** Records commands with fn, submits them and waits for them to finish. */
    runOnce(fn: (cmd: CommandBuffer) => void): void;
    destroy(): void;
    [Symbol.asyncDispose](): Promise<void>;
}
