import type { Device } from "./device.js";
import { DeviceMemory } from "./memory.js";
export declare const BufferUsage: {
    readonly transferSrc: import("nvk/generated/1.1.126/linux").VkBufferUsageFlagBits.VK_BUFFER_USAGE_TRANSFER_SRC_BIT;
    readonly transferDst: import("nvk/generated/1.1.126/linux").VkBufferUsageFlagBits.VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    readonly uniform: import("nvk/generated/1.1.126/linux").VkBufferUsageFlagBits.VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT;
    readonly storage: import("nvk/generated/1.1.126/linux").VkBufferUsageFlagBits.VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
    readonly index: import("nvk/generated/1.1.126/linux").VkBufferUsageFlagBits.VK_BUFFER_USAGE_INDEX_BUFFER_BIT;
    readonly vertex: import("nvk/generated/1.1.126/linux").VkBufferUsageFlagBits.VK_BUFFER_USAGE_VERTEX_BUFFER_BIT;
};
export interface BufferOptions {
    size: number;
    /** BufferUsage flags, or'ed. */
    usage: number;
    /** "host": host-visible and coherent, mapped; "device": device-local. */
    memory: "host" | "device";
    what?: string;
}
export declare class Buffer {
    readonly device: Device;
    readonly handle: import("nvk/generated/1.1.126/linux").VkBuffer;
    readonly memory: DeviceMemory;
    readonly size: number;
    /** Handle value for the koffi fast path. */
    readonly raw: bigint;
    private destroyed;
    private constructor();
    static create(device: Device, options: BufferOptions): Buffer;
    /** A device-local buffer filled with data through a staging buffer (waits for the copy). */
    static upload(device: Device, data: ArrayBufferView, usage: number, what?: string): Buffer;
    /** The mapped bytes of a host-visible buffer (one view, created once). */
    get mapped(): ArrayBuffer;
    write(data: ArrayBufferView, offset?: number): void;
    destroy(): void;
}
