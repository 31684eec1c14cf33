import { type VkTypes } from "./nvk.js";
import type { Device } from "./device.js";
export declare const MemoryProperty: {
    readonly deviceLocal: VkTypes.VkMemoryPropertyFlagBits.VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
    readonly hostVisible: VkTypes.VkMemoryPropertyFlagBits.VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT;
    readonly hostCoherent: VkTypes.VkMemoryPropertyFlagBits.VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    readonly hostCached: VkTypes.VkMemoryPropertyFlagBits.VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
};
/** Picks the first memory type allowed by typeBits that has all `required` properties. */
export declare function findMemoryType(device: Device, typeBits: number, required: number, what: string): number;
export interface AllocateOptions {
    size: number | bigint;
    memoryTypeIndex: number;
    /** Allocate for exactly this image or buffer (required for exported scanout images). */
    dedicated?: {
        image?: VkTypes.VkImage;
        buffer?: VkTypes.VkBuffer;
    };
    /** Make the memory exportable as a dmabuf fd. */
    exportDmabuf?: boolean;
    what?: string;
}
export declare class DeviceMemory {
    readonly device: Device;
    readonly handle: VkTypes.VkDeviceMemory;
    readonly size: number;
    private mapping;
    private destroyed;
    constructor(device: Device, options: AllocateOptions);
    /** Maps the whole allocation once; later calls return the same view (never two views of one address). */
    map(): ArrayBuffer;
    /** Exports the memory as a dmabuf fd (the caller owns and closes it). */
    exportDmabuf(): number;
    destroy(): void;
}
