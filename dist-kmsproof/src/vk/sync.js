// Fences and binary semaphores. A fence remembers the submission it guards, so waiting on it
// tells the device which resources waiting for deferred destruction are now free.
import { vk, chain, nativeBuffers } from "./nvk.js";
import { fast, rawHandle } from "./fast.js";
import { check } from "./result.js";
const NO_TIMEOUT = 0xffffffffffffffffn;
export class Fence {
    device;
    handle = new vk.VkFence();
    /** The submission this fence was last handed to (0: none yet). */
    serial = 0;
    /** The fence's handle value in a one-element native array, for the koffi fast path. */
    rawArray = new BigUint64Array(1);
    rawArrayAddress = nativeBuffers.getAddress(this.rawArray.buffer);
    raw;
    destroyed = false;
    constructor(device, signaled) {
        this.device = device;
        const info = new vk.VkFenceCreateInfo({ flags: signaled ? vk.VkFenceCreateFlagBits.VK_FENCE_CREATE_SIGNALED_BIT : 0 });
        check("vkCreateFence", vk.vkCreateFence(device.handle, info, null, this.handle));
        this.raw = this.rawArray[0] = rawHandle(this.handle);
    }
    static create(device, options = {}) {
        return new Fence(device, options.signaled ?? false);
    }
    /** Waits until signalled; returns false on timeout. Timeout in nanoseconds (default: forever). */
    wait(timeoutNs = NO_TIMEOUT) {
        const r = check("vkWaitForFences", fast.waitForFences(this.device.raw, 1, this.rawArrayAddress, 1, timeoutNs));
        if (r === vk.VkResult.VK_TIMEOUT)
            return false;
        if (this.serial)
            this.device.completed(this.serial);
        return true;
    }
    get signaled() {
        const r = check("vkGetFenceStatus", fast.getFenceStatus(this.device.raw, this.raw));
        if (r === vk.VkResult.VK_SUCCESS && this.serial)
            this.device.completed(this.serial);
        return r === vk.VkResult.VK_SUCCESS;
    }
    reset() {
        check("vkResetFences", fast.resetFences(this.device.raw, 1, this.rawArrayAddress));
    }
    destroy() {
        if (this.destroyed)
            return;
        this.destroyed = true;
        vk.vkDestroyFence(this.device.handle, this.handle, null);
    }
}
export class Semaphore {
    device;
    exportable;
    handle = new vk.VkSemaphore();
    destroyed = false;
    constructor(device, exportable) {
        this.device = device;
        this.exportable = exportable;
        const exportInfo = exportable
            ? new vk.VkExportSemaphoreCreateInfo({
                handleTypes: vk.VkExternalSemaphoreHandleTypeFlagBits.VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT,
            })
            : null;
        const info = new vk.VkSemaphoreCreateInfo({ pNext: exportInfo ? chain(exportInfo) : null });
        check("vkCreateSemaphore", vk.vkCreateSemaphore(device.handle, info, null, this.handle));
    }
    /** exportable: the semaphore can be exported as a sync file (needs VK_KHR_external_semaphore_fd). */
    static create(device, options = {}) {
        if (options.exportable && !device.has("VK_KHR_external_semaphore_fd")) {
            throw new Error(`${device.physical.name}: VK_KHR_external_semaphore_fd is not available; cannot export sync files`);
        }
        return new Semaphore(device, options.exportable ?? false);
    }
    /** Exports the pending signal as a sync file fd (the caller owns and closes it). */
    exportSyncFile() {
        const fd = { $: -1 };
        const info = new vk.VkSemaphoreGetFdInfoKHR({
            semaphore: this.handle,
            handleType: vk.VkExternalSemaphoreHandleTypeFlagBits.VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT,
        });
        check("vkGetSemaphoreFdKHR", vk.vkGetSemaphoreFdKHR(this.device.handle, info, fd));
        return fd.$;
    }
    destroy() {
        if (this.destroyed)
            return;
        this.destroyed = true;
        vk.vkDestroySemaphore(this.device.handle, this.handle, null);
    }
}
//# sourceMappingURL=sync.js.map