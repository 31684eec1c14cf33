// Device memory: memory-type selection, allocation (optionally dedicated and exportable), mapping.
import { vk, chain, nativeBuffers } from "./nvk.js";
import { check } from "./result.js";
export const MemoryProperty = {
    deviceLocal: vk.VkMemoryPropertyFlagBits.VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT,
    hostVisible: vk.VkMemoryPropertyFlagBits.VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT,
    hostCoherent: vk.VkMemoryPropertyFlagBits.VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
    hostCached: vk.VkMemoryPropertyFlagBits.VK_MEMORY_PROPERTY_HOST_CACHED_BIT,
};
/** Picks the first memory type allowed by typeBits that has all `required` properties. */
export function findMemoryType(device, typeBits, required, what) {
    const type = device.physical.memoryTypes.find((t) => (typeBits & (1 << t.index)) !== 0 && (t.flags & required) === required);
    if (!type)
        throw new Error(`${what}: no memory type with properties 0x${required.toString(16)} in mask 0x${typeBits.toString(16)}`);
    return type.index;
}
export class DeviceMemory {
    device;
    handle = new vk.VkDeviceMemory();
    size;
    mapping;
    destroyed = false;
    constructor(device, options) {
        this.device = device;
        this.size = Number(options.size);
        let next = null;
        if (options.dedicated && !options.exportDmabuf) {
            next = new vk.VkMemoryDedicatedAllocateInfo({
                image: options.dedicated.image ?? null,
                buffer: options.dedicated.buffer ?? null,
            });
        }
        if (options.exportDmabuf) {
            next = new vk.VkExportMemoryAllocateInfo({
                pNext: chain(next),
                handleTypes: vk.VkExternalMemoryHandleTypeFlagBits.VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT,
            });
        }
        const info = new vk.VkMemoryAllocateInfo({ pNext: chain(next), allocationSize: this.size, memoryTypeIndex: options.memoryTypeIndex });
        check("vkAllocateMemory", vk.vkAllocateMemory(device.handle, info, null, this.handle), options.what ?? `${this.size} bytes`);
    }
    /** Maps the whole allocation once; later calls return the same view (never two views of one address). */
    map() {
        if (!this.mapping) {
            const address = { $: 0n };
            check("vkMapMemory", vk.vkMapMemory(this.device.handle, this.handle, 0, this.size, 0, address));
            this.mapping = nativeBuffers.fromAddress(address.$, this.size);
        }
        return this.mapping;
    }
    /** Exports the memory as a dmabuf fd (the caller owns and closes it). */
    exportDmabuf() {
        const fd = { $: -1 };
        const info = new vk.VkMemoryGetFdInfoKHR({
            memory: this.handle,
            handleType: vk.VkExternalMemoryHandleTypeFlagBits.VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT,
        });
        check("vkGetMemoryFdKHR", vk.vkGetMemoryFdKHR(this.device.handle, info, fd));
        return fd.$;
    }
    destroy() {
        if (this.destroyed)
            return;
        this.destroyed = true;
        if (this.mapping)
            vk.vkUnmapMemory(this.device.handle, this.handle);
        this.mapping = undefined;
        vk.vkFreeMemory(this.device.handle, this.handle, null);
    }
}
//# sourceMappingURL=memory.js.map