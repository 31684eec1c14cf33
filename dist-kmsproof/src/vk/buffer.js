// Buffers: host-visible (mapped once, written directly) or device-local (filled through staging).
import { vk } from "./nvk.js";
import { check } from "./result.js";
import { rawHandle } from "./fast.js";
import { DeviceMemory, findMemoryType, MemoryProperty } from "./memory.js";
export const BufferUsage = {
    transferSrc: vk.VkBufferUsageFlagBits.VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
    transferDst: vk.VkBufferUsageFlagBits.VK_BUFFER_USAGE_TRANSFER_DST_BIT,
    uniform: vk.VkBufferUsageFlagBits.VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT,
    storage: vk.VkBufferUsageFlagBits.VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
    index: vk.VkBufferUsageFlagBits.VK_BUFFER_USAGE_INDEX_BUFFER_BIT,
    vertex: vk.VkBufferUsageFlagBits.VK_BUFFER_USAGE_VERTEX_BUFFER_BIT,
};
export class Buffer {
    device;
    handle = new vk.VkBuffer();
    memory;
    size;
    /** Handle value for the koffi fast path. */
    raw;
    destroyed = false;
    constructor(device, options) {
        this.device = device;
        if (!(options.size > 0))
            throw new RangeError(`${options.what ?? "buffer"}: size must be positive, got ${options.size}`);
        this.size = options.size;
        const info = new vk.VkBufferCreateInfo({
            size: options.size,
            usage: options.usage,
            sharingMode: vk.VkSharingMode.VK_SHARING_MODE_EXCLUSIVE,
        });
        check("vkCreateBuffer", vk.vkCreateBuffer(device.handle, info, null, this.handle), options.what);
        try {
            const req = new vk.VkMemoryRequirements();
            vk.vkGetBufferMemoryRequirements(device.handle, this.handle, req);
            const props = options.memory === "host" ? MemoryProperty.hostVisible | MemoryProperty.hostCoherent : MemoryProperty.deviceLocal;
            const what = options.what ?? "buffer";
            this.memory = new DeviceMemory(device, {
                size: req.size,
                memoryTypeIndex: findMemoryType(device, req.memoryTypeBits, props, what),
                what,
            });
            check("vkBindBufferMemory", vk.vkBindBufferMemory(device.handle, this.handle, this.memory.handle, 0));
            this.raw = rawHandle(this.handle);
        }
        catch (error) {
            vk.vkDestroyBuffer(device.handle, this.handle, null);
            throw error;
        }
    }
    static create(device, options) {
        return new Buffer(device, options);
    }
    /** A device-local buffer filled with data through a staging buffer (waits for the copy). */
    static upload(device, data, usage, what = "buffer") {
        const buffer = new Buffer(device, { size: data.byteLength, usage: usage | BufferUsage.transferDst, memory: "device", what });
        try {
            const staging = new Buffer(device, { size: data.byteLength, usage: BufferUsage.transferSrc, memory: "host", what: `${what} staging` });
            try {
                staging.write(data);
                device.runOnce((cmd) => cmd.copyBuffer(staging, buffer));
            }
            finally {
                staging.destroy();
            }
        }
        catch (error) {
            buffer.destroy();
            throw error;
        }
        return buffer;
    }
    /** The mapped bytes of a host-visible buffer (one view, created once). */
    get mapped() {
        return this.memory.map();
    }
    write(data, offset = 0) {
        new Uint8Array(this.mapped, offset, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
    destroy() {
        if (this.destroyed)
            return;
        this.destroyed = true;
        vk.vkDestroyBuffer(this.device.handle, this.handle, null);
        this.memory.destroy();
    }
}
//# sourceMappingURL=buffer.js.map