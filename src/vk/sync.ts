// Fences and binary semaphores. A fence remembers the submission it guards, so waiting on it
// tells the device which resources waiting for deferred destruction are now free.
import { vk, chain, nativeBuffers, type VkTypes } from "./nvk.js";
import { fast, rawHandle } from "./fast.js";
import { DeviceCapabilityError } from "./errors.js";
import { check } from "./result.js";
import { adopt, DeviceResource, type Owned } from "./resource.js";
import type { Device } from "./device.js";

const NO_TIMEOUT = 0xffffffffffffffffn;
const SYNC_FD = vk.VkExternalSemaphoreHandleTypeFlagBits.VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT;
// read once: nvk's enum objects are dictionaries, slow to read in a per-frame wait
const VK_SUCCESS = vk.VkResult.VK_SUCCESS;
const VK_TIMEOUT = vk.VkResult.VK_TIMEOUT;

export interface FenceOptions extends Owned {
  /** Created signalled, as if its (no) submission had finished. */
  signaled?: boolean;
}

/** A fence the GPU signals when a submission finishes; the CPU waits on it. Waiting also tells the device which retired resources can be freed. */
export class Fence extends DeviceResource<VkTypes.VkFence> {
  /** The submission this fence was last handed to (0: none yet). */
  serial = 0;
  /** The fence's handle value in a one-element native array, for the koffi fast path. */
  private readonly rawArray = new BigUint64Array(1);
  private readonly rawArrayAddress = nativeBuffers.getAddress(this.rawArray.buffer as ArrayBuffer);
  readonly raw: bigint;

  private constructor(device: Device, options: FenceOptions) {
    super(device, new vk.VkFence(), vk.vkDestroyFence);
    const info = new vk.VkFenceCreateInfo({ flags: options.signaled ? vk.VkFenceCreateFlagBits.VK_FENCE_CREATE_SIGNALED_BIT : 0 });
    check("vkCreateFence", vk.vkCreateFence(device.handle, info, null, this.handle));
    this.raw = this.rawArray[0] = rawHandle(this.handle);
  }

  /** An unsignalled fence (signalled with options.signaled). Throws VulkanError when creation fails. */
  static create(device: Device, options: FenceOptions = {}): Fence {
    return adopt(new Fence(device, options), options);
  }

  /** Waits until signalled; returns false on timeout. Timeout in nanoseconds (default: forever). */
  wait(timeoutNs: bigint = NO_TIMEOUT): boolean {
    this.assertLive();
    const r = check("vkWaitForFences", fast.waitForFences(this.device.raw, 1, this.rawArrayAddress, 1, timeoutNs));
    if (r === VK_TIMEOUT) return false;
    if (this.serial) this.device.completed(this.serial);
    return true;
  }

  /** Whether the fence is signalled now (no waiting). Throws UseAfterDestroyError after destroy() and VulkanError on device loss. */
  get signaled(): boolean {
    this.assertLive();
    const r = check("vkGetFenceStatus", fast.getFenceStatus(this.device.raw, this.raw));
    if (r === VK_SUCCESS && this.serial) this.device.completed(this.serial);
    return r === VK_SUCCESS;
  }

  /** Unsignals the fence so it can be handed to another submission; it must not be in use by a pending one. */
  reset(): void {
    this.assertLive();
    check("vkResetFences", fast.resetFences(this.device.raw, 1, this.rawArrayAddress));
  }
}

export interface SemaphoreOptions extends Owned {
  /** The semaphore can be exported as a sync file (needs VK_KHR_external_semaphore_fd). */
  exportable?: boolean;
}

/** A binary semaphore ordering GPU work: one submission signals it, another waits for it; exportable ones can become a sync file for the display or compositor. */
export class Semaphore extends DeviceResource<VkTypes.VkSemaphore> {
  readonly exportable: boolean;

  private constructor(device: Device, options: SemaphoreOptions) {
    super(device, new vk.VkSemaphore(), vk.vkDestroySemaphore);
    const exportable = (this.exportable = options.exportable ?? false);
    const exportInfo = exportable ? new vk.VkExportSemaphoreCreateInfo({ handleTypes: SYNC_FD }) : null;
    const info = new vk.VkSemaphoreCreateInfo({ pNext: exportInfo ? chain(exportInfo) : null });
    check("vkCreateSemaphore", vk.vkCreateSemaphore(device.handle, info, null, this.handle));
  }

  /** A binary semaphore. Throws DeviceCapabilityError when options.exportable is asked of a device without VK_KHR_external_semaphore_fd, VulkanError when creation fails. */
  static create(device: Device, options: SemaphoreOptions = {}): Semaphore {
    if (options.exportable && !device.has("VK_KHR_external_semaphore_fd")) {
      throw new DeviceCapabilityError(device.physical.name, `${device.physical.name}: VK_KHR_external_semaphore_fd is not available; cannot export sync files`);
    }
    return adopt(new Semaphore(device, options), options);
  }

  /** Exports the pending signal as a sync file fd (the caller owns and closes it). */
  exportSyncFile(): number {
    const info = new vk.VkSemaphoreGetFdInfoKHR({ semaphore: this.handle, handleType: SYNC_FD });
    return this.exportFd("vkGetSemaphoreFdKHR", (fd) => vk.vkGetSemaphoreFdKHR(this.device.handle, info, fd));
  }
}
