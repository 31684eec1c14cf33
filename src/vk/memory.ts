// Device memory: memory-type selection, allocation (optionally dedicated and exportable), mapping.
import { vk, linkChain, nativeBuffers, type VkTypes } from "./nvk.js";
import { check } from "./result.js";
import type { Device } from "./device.js";

export const MemoryProperty = {
  deviceLocal: vk.VkMemoryPropertyFlagBits.VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT,
  hostVisible: vk.VkMemoryPropertyFlagBits.VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT,
  hostCoherent: vk.VkMemoryPropertyFlagBits.VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
  hostCached: vk.VkMemoryPropertyFlagBits.VK_MEMORY_PROPERTY_HOST_CACHED_BIT,
} as const;

/** Picks the first memory type allowed by typeBits that has all `required` properties. */
export function findMemoryType(device: Device, typeBits: number, required: number, what: string): number {
  const type = device.physical.memoryTypes.find((t) => (typeBits & (1 << t.index)) !== 0 && (t.flags & required) === required);
  if (!type) throw new Error(`${what}: no memory type with properties 0x${required.toString(16)} in mask 0x${typeBits.toString(16)}`);
  return type.index;
}

export interface AllocateOptions {
  size: number | bigint;
  memoryTypeIndex: number;
  /** Allocate for exactly this image or buffer (required for exported scanout images). */
  dedicated?: { image?: VkTypes.VkImage; buffer?: VkTypes.VkBuffer };
  /** Make the memory exportable as a dmabuf fd. */
  exportDmabuf?: boolean;
  what?: string;
}

export class DeviceMemory {
  readonly handle = new vk.VkDeviceMemory();
  readonly size: number;
  private mapping: ArrayBuffer | undefined;
  private destroyed = false;

  constructor(
    readonly device: Device,
    options: AllocateOptions,
  ) {
    this.size = Number(options.size);
    const extensions: object[] = [];
    if (options.exportDmabuf) {
      extensions.push(
        new vk.VkExportMemoryAllocateInfo({
          handleTypes: vk.VkExternalMemoryHandleTypeFlagBits.VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT,
        }),
      );
    }
    if (options.dedicated) {
      extensions.push(
        new vk.VkMemoryDedicatedAllocateInfo({
          image: options.dedicated.image ?? null,
          buffer: options.dedicated.buffer ?? null,
        }),
      );
    }
    const info = new vk.VkMemoryAllocateInfo({ pNext: linkChain(extensions), allocationSize: this.size, memoryTypeIndex: options.memoryTypeIndex });
    check("vkAllocateMemory", vk.vkAllocateMemory(device.handle, info, null, this.handle), options.what ?? `${this.size} bytes`);
  }

  /** Maps the whole allocation once; later calls return the same view (never two views of one address). */
  map(): ArrayBuffer {
    if (!this.mapping) {
      const address = { $: 0n };
      check("vkMapMemory", vk.vkMapMemory(this.device.handle, this.handle, 0, this.size, 0, address));
      this.mapping = nativeBuffers.fromAddress(address.$, this.size);
    }
    return this.mapping;
  }

  /** Exports the memory as a dmabuf fd (the caller owns and closes it). */
  exportDmabuf(): number {
    const fd = { $: -1 };
    const info = new vk.VkMemoryGetFdInfoKHR({
      memory: this.handle,
      handleType: vk.VkExternalMemoryHandleTypeFlagBits.VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT,
    });
    check("vkGetMemoryFdKHR", vk.vkGetMemoryFdKHR(this.device.handle, info, fd));
    return fd.$ as number;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.mapping) vk.vkUnmapMemory(this.device.handle, this.handle);
    this.mapping = undefined;
    vk.vkFreeMemory(this.device.handle, this.handle, null);
  }
}
