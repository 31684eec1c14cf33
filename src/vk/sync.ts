// Fences and binary semaphores. A fence remembers the submission it guards, so waiting on it
// tells the device which resources waiting for deferred destruction are now free.
import { vk, chain, nativeBuffers } from "./nvk.js";
import { fast, rawHandle } from "./fast.js";
import { check } from "./result.js";
import type { Device } from "./device.js";

const NO_TIMEOUT = 0xffffffffffffffffn;

export class Fence {
  readonly handle = new vk.VkFence();
  /** The submission this fence was last handed to (0: none yet). */
  serial = 0;
  /** The fence's handle value in a one-element native array, for the koffi fast path. */
  private readonly rawArray = new BigUint64Array(1);
  private readonly rawArrayAddress = nativeBuffers.getAddress(this.rawArray.buffer as ArrayBuffer);
  readonly raw: bigint;
  private destroyed = false;

  private constructor(
    readonly device: Device,
    signaled: boolean,
  ) {
    const info = new vk.VkFenceCreateInfo({ flags: signaled ? vk.VkFenceCreateFlagBits.VK_FENCE_CREATE_SIGNALED_BIT : 0 });
    check("vkCreateFence", vk.vkCreateFence(device.handle, info, null, this.handle));
    this.raw = this.rawArray[0] = rawHandle(this.handle);
  }

  static create(device: Device, options: { signaled?: boolean } = {}): Fence {
    return new Fence(device, options.signaled ?? false);
  }

  /** Waits until signalled; returns false on timeout. Timeout in nanoseconds (default: forever). */
  wait(timeoutNs: bigint = NO_TIMEOUT): boolean {
    const r = check("vkWaitForFences", fast.waitForFences(this.device.raw, 1, this.rawArrayAddress, 1, timeoutNs));
    if (r === vk.VkResult.VK_TIMEOUT) return false;
    if (this.serial) this.device.completed(this.serial);
    return true;
  }

  get signaled(): boolean {
    const r = check("vkGetFenceStatus", fast.getFenceStatus(this.device.raw, this.raw));
    if (r === vk.VkResult.VK_SUCCESS && this.serial) this.device.completed(this.serial);
    return r === vk.VkResult.VK_SUCCESS;
  }

  reset(): void {
    check("vkResetFences", fast.resetFences(this.device.raw, 1, this.rawArrayAddress));
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    vk.vkDestroyFence(this.device.handle, this.handle, null);
  }
}

export class Semaphore {
  readonly handle = new vk.VkSemaphore();
  private destroyed = false;

  private constructor(
    readonly device: Device,
    readonly exportable: boolean,
  ) {
    const exportInfo = exportable
      ? new vk.VkExportSemaphoreCreateInfo({
          handleTypes: vk.VkExternalSemaphoreHandleTypeFlagBits.VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT,
        })
      : null;
    const info = new vk.VkSemaphoreCreateInfo({ pNext: exportInfo ? chain(exportInfo) : null });
    check("vkCreateSemaphore", vk.vkCreateSemaphore(device.handle, info, null, this.handle));
  }

  /** exportable: the semaphore can be exported as a sync file (needs VK_KHR_external_semaphore_fd). */
  static create(device: Device, options: { exportable?: boolean } = {}): Semaphore {
    if (options.exportable && !device.has("VK_KHR_external_semaphore_fd")) {
      throw new Error(`${device.physical.name}: VK_KHR_external_semaphore_fd is not available; cannot export sync files`);
    }
    return new Semaphore(device, options.exportable ?? false);
  }

  /** Exports the pending signal as a sync file fd (the caller owns and closes it). */
  exportSyncFile(): number {
    const fd = { $: -1 };
    const info = new vk.VkSemaphoreGetFdInfoKHR({
      semaphore: this.handle,
      handleType: vk.VkExternalSemaphoreHandleTypeFlagBits.VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT,
    });
    check("vkGetSemaphoreFdKHR", vk.vkGetSemaphoreFdKHR(this.device.handle, info, fd));
    return fd.$ as number;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    vk.vkDestroySemaphore(this.device.handle, this.handle, null);
  }
}
