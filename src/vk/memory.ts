// Device memory: memory-type selection, allocation (optionally dedicated and exportable), mapping,
// and binding to a new buffer or image without leaking the allocation when binding fails.
import { vk, linkChain, nativeBuffers, type VkTypes } from "./nvk.js";
import { DeviceCapabilityError } from "./errors.js";
import { check } from "./result.js";
import { adopt, DeviceResource, type Owned } from "./resource.js";
import type { Device } from "./device.js";

const DMA_BUF = vk.VkExternalMemoryHandleTypeFlagBits.VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT;
/** Memory imported from a host address (VK_EXT_external_memory_host). */
export const HOST_ALLOCATION = vk.VkExternalMemoryHandleTypeFlagBits.VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;

/** Memory property flags (VkMemoryPropertyFlagBits by short name), as in MemoryType.flags and findMemoryType's required mask. */
export const MemoryProperty = {
  deviceLocal: vk.VkMemoryPropertyFlagBits.VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT,
  hostVisible: vk.VkMemoryPropertyFlagBits.VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT,
  hostCoherent: vk.VkMemoryPropertyFlagBits.VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
  hostCached: vk.VkMemoryPropertyFlagBits.VK_MEMORY_PROPERTY_HOST_CACHED_BIT,
} as const;

/** Picks the first memory type allowed by typeBits that has all `required` properties. */
export function findMemoryType(device: Device, typeBits: number, required: number, what: string): number {
  const type = device.physical.memoryTypes.find((t) => (typeBits & (1 << t.index)) !== 0 && (t.flags & required) === required);
  if (!type) throw new DeviceCapabilityError(device.physical.name, `${what}: no memory type with properties 0x${required.toString(16)} in mask 0x${typeBits.toString(16)}`);
  return type.index;
}

export interface AllocateOptions extends Owned {
  size: number | bigint;
  memoryTypeIndex: number;
  /** Allocate for exactly this image or buffer (required for exported scanout images). */
  dedicated?: { image?: VkTypes.VkImage; buffer?: VkTypes.VkBuffer };
  /** Make the memory exportable as a dmabuf fd. */
  exportDmabuf?: boolean;
  /**
   * Import the host memory at this address instead of allocating (VK_EXT_external_memory_host): the
   * address and `size` must be multiples of minImportedHostPointerAlignment, and the memory must
   * outlive this object (the caller keeps it mapped).
   */
  hostPointer?: bigint;
  what?: string;
}

/** One allocation of device memory, of a memory type chosen with findMemoryType. Buffers and images allocate their own; this is for dedicated or exported allocations. */
export class DeviceMemory extends DeviceResource<VkTypes.VkDeviceMemory> {
  readonly size: number;
  readonly what: string;
  private mapping: ArrayBuffer | undefined;

  private constructor(device: Device, options: AllocateOptions) {
    super(device, new vk.VkDeviceMemory(), vk.vkFreeMemory);
    this.size = Number(options.size);
    this.what = options.what ?? `${this.size} bytes`;
    const extensions: object[] = [];
    if (options.exportDmabuf) {
      extensions.push(new vk.VkExportMemoryAllocateInfo({ handleTypes: DMA_BUF }));
    }
    if (options.hostPointer !== undefined) {
      const host = new vk.VkImportMemoryHostPointerInfoEXT({ handleType: HOST_ALLOCATION });
      // nvk takes the pointer as an ArrayBuffer only (a second one over mapped memory is unsafe): written straight in
      const layout = (vk.VkImportMemoryHostPointerInfoEXT as unknown as { memoryLayout: Record<string, { byteOffset: number }> }).memoryLayout;
      new DataView(host.memoryBuffer).setBigUint64(layout.pHostPointer!.byteOffset, options.hostPointer, true);
      extensions.push(host);
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
    check("vkAllocateMemory", vk.vkAllocateMemory(device.handle, info, null, this.handle), this.what);
  }

  /** Allocates options.size bytes of memory type options.memoryTypeIndex (dedicated to an image or buffer, or exportable as a dmabuf, when asked). Throws VulkanError, e.g. VK_ERROR_OUT_OF_DEVICE_MEMORY. */
  static create(device: Device, options: AllocateOptions): DeviceMemory {
    return adopt(new DeviceMemory(device, options), options);
  }

  /** Maps the whole allocation once; later calls return the same view (never two views of one address). */
  map(): ArrayBuffer {
    if (!this.mapping) {
      this.assertLive();
      const address = { $: 0n };
      check("vkMapMemory", vk.vkMapMemory(this.device.handle, this.handle, 0, this.size, 0, address));
      this.mapping = nativeBuffers.fromAddress(address.$, this.size);
    }
    return this.mapping;
  }

  /** Exports the memory as a dmabuf fd (the caller owns and closes it). */
  exportDmabuf(): number {
    const info = new vk.VkMemoryGetFdInfoKHR({ memory: this.handle, handleType: DMA_BUF });
    return this.exportFd("vkGetMemoryFdKHR", (fd) => vk.vkGetMemoryFdKHR(this.device.handle, info, fd));
  }

  protected override release(): void {
    if (this.mapping && this.device.isOpen) vk.vkUnmapMemory(this.device.handle, this.handle);
    this.mapping = undefined;
    super.release();
  }

  override toString(): string {
    return `DeviceMemory ${this.size} bytes (${this.what})`;
  }
}

/**
 * Test seam, not for applications: the VkResult the next bindMemory() reports instead of calling the
 * driver (0: call it). It exists because lavapipe cannot be made to fail vkBindBufferMemory or
 * vkBindImageMemory through the API, so tests fake that fault here to prove the memory is freed.
 */
export const bindFault = { next: 0 };

/**
 * Allocates memory for a new buffer or image and binds it with `bind`. If binding fails, the
 * allocation is freed before the error propagates (the caller destroys its own handle).
 */
export function bindMemory(device: Device, options: AllocateOptions, call: string, bind: (memory: DeviceMemory) => number): DeviceMemory {
  const memory = DeviceMemory.create(device, options);
  try {
    const fault = bindFault.next;
    bindFault.next = 0;
    check(call, fault || bind(memory), memory.what);
  } catch (error) {
    memory.destroy();
    throw error;
  }
  return memory;
}
