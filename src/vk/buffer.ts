// Buffers: host-visible (mapped once, written directly) or device-local (filled through staging).
import { vk, type VkTypes } from "./nvk.js";
import { check } from "./result.js";
import { rawHandle } from "./fast.js";
import { adopt, DeviceResource, type Owned } from "./resource.js";
import { flagNames } from "./names.js";
import type { Device, PendingSubmission } from "./device.js";
import { bindMemory, type DeviceMemory, findMemoryType, MemoryProperty } from "./memory.js";

/** What a buffer may be used for (VkBufferUsageFlagBits by short name); combine with | for BufferOptions.usage. */
export const BufferUsage = {
  transferSrc: vk.VkBufferUsageFlagBits.VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
  transferDst: vk.VkBufferUsageFlagBits.VK_BUFFER_USAGE_TRANSFER_DST_BIT,
  uniform: vk.VkBufferUsageFlagBits.VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT,
  storage: vk.VkBufferUsageFlagBits.VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
  index: vk.VkBufferUsageFlagBits.VK_BUFFER_USAGE_INDEX_BUFFER_BIT,
  vertex: vk.VkBufferUsageFlagBits.VK_BUFFER_USAGE_VERTEX_BUFFER_BIT,
} as const;

export interface BufferOptions extends Owned {
  size: number;
  /** BufferUsage flags, or'ed. */
  usage: number;
  /** "host": host-visible and coherent, mapped; "device": device-local. */
  memory: "host" | "device";
  what?: string;
}

/** A Vulkan buffer with its own memory (Buffer.create, or Buffer.upload for device-local data): vertices, indices, uniforms, staging. Host buffers are mapped once and written with write(). */
export class Buffer extends DeviceResource<VkTypes.VkBuffer> {
  readonly memory: DeviceMemory;
  readonly size: number;
  readonly usage: number;
  readonly what: string;
  /** Host-visible and mapped ("host" memory): what the GPU copies into it is read by the CPU. */
  readonly hostVisible: boolean;
  /** Handle value for the koffi fast path. */
  readonly raw: bigint;
  /** The upload still writing this buffer (Buffer.upload), waited for if it is destroyed early. */
  private pendingWrite: PendingSubmission | undefined;

  private constructor(device: Device, options: BufferOptions) {
    super(device, new vk.VkBuffer(), vk.vkDestroyBuffer);
    this.what = options.what ?? "buffer";
    if (!(options.size > 0)) throw new RangeError(`${this.what}: size must be positive, got ${options.size}`);
    this.size = options.size;
    this.usage = options.usage;
    this.hostVisible = options.memory === "host";
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
      const memory = { size: req.size, memoryTypeIndex: findMemoryType(device, req.memoryTypeBits, props, this.what), what: this.what };
      this.memory = bindMemory(device, memory, "vkBindBufferMemory", (m) => vk.vkBindBufferMemory(device.handle, this.handle, m.handle, 0));
      this.raw = rawHandle(this.handle);
    } catch (error) {
      vk.vkDestroyBuffer(device.handle, this.handle, null);
      throw error;
    }
  }

  /**
   * A buffer of options.size bytes with its own memory: host-visible and mapped (for CPU writes) or device-local. Throws
   * RangeError for a size that is not positive and VulkanError when creation, allocation or binding fails.
   */
  static create(device: Device, options: BufferOptions): Buffer {
    return adopt(new Buffer(device, options), options);
  }

  /**
   * A device-local buffer filled with data through a staging buffer. The copy is submitted, not
   * waited for: work submitted later on the device's queue sees the data (the staging buffer is
   * freed once the GPU is done with it).
   * `options` is the buffer's name, or its name and the scope that owns it.
   */
  static upload(device: Device, data: ArrayBufferView, usage: number, options: string | (Owned & { what?: string }) = {}): Buffer {
    const { what = "buffer", scope } = typeof options === "string" ? { what: options, scope: undefined } : options;
    const buffer = Buffer.create(device, { size: data.byteLength, usage: usage | BufferUsage.transferDst, memory: "device", what, scope });
    try {
      const staging = Buffer.create(device, { size: data.byteLength, usage: BufferUsage.transferSrc, memory: "host", what: `${what} staging` });
      try {
        staging.write(data);
      } catch (error) {
        staging.destroy();
        throw error;
      }
      const copy = device.submitOnce((cmd) => {
        cmd.copyBuffer(staging, buffer);
        cmd.transferWritesToReads();
      }, [staging]);
      buffer.pendingWrite = copy;
    } catch (error) {
      buffer.destroy();
      throw error;
    }
    return buffer;
  }

  /** The mapped bytes of a host-visible buffer (one view, created once). */
  get mapped(): ArrayBuffer {
    return this.memory.map();
  }

  /**
   * Copies data into a host-visible buffer at byte offset (visible to the GPU at once: the memory is coherent). Throws
   * UseAfterDestroyError after destroy() and RangeError when the data does not fit.
   */
  write(data: ArrayBufferView, offset = 0): void {
    this.assertLive();
    new Uint8Array(this.mapped, offset, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }

  protected override release(): void {
    // destroyed before its upload finished (a load that failed right after): wait for the copy first
    this.pendingWrite?.wait();
    super.release();
    this.memory.destroy();
  }

  override toString(): string {
    return `Buffer ${this.size} bytes ${flagNames(this.usage, BufferUsage)} (${this.what})`;
  }
}
