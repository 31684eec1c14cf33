// The logical device: one graphics queue, the extensions scanout uses when the driver has them,
// submission numbering for deferred destruction, and one-shot command helpers.
import { vk } from "./nvk.js";
import { check } from "./result.js";
import { rawHandle } from "./fast.js";
import { DeferredQueue } from "./deferred.js";
import { Queue } from "./queue.js";
import { CommandPool } from "./commands.js";
import { Fence } from "./sync.js";
import { logger } from "../util/log.js";
const log = logger("vk");
/** Enabled when the driver lists them: external memory/semaphores for dmabuf and sync-file export. */
export const OPTIONAL_EXTENSIONS = [
    "VK_KHR_external_memory_fd",
    "VK_EXT_external_memory_dma_buf",
    "VK_KHR_image_format_list",
    "VK_EXT_image_drm_format_modifier",
    "VK_EXT_queue_family_foreign",
    "VK_KHR_external_semaphore_fd",
    "VK_KHR_external_fence_fd",
];
export class Device {
    instance;
    physical;
    handle = new vk.VkDevice();
    queue;
    extensions;
    features;
    /** Handle value for the koffi fast path. */
    raw;
    deferred = new DeferredQueue();
    submitted = 0;
    oneShotPool;
    destroyed = false;
    constructor(instance, physical, options) {
        this.instance = instance;
        this.physical = physical;
        const family = physical.graphicsQueueFamily;
        if (!family)
            throw new Error(`${physical.name}: no graphics queue family`);
        const missing = (options.extensions ?? []).filter((e) => !physical.extensions.has(e));
        if (missing.length)
            throw new Error(`${physical.name}: missing device extensions ${missing.join(", ")}`);
        const optional = (options.optionalExtensions ?? OPTIONAL_EXTENSIONS).filter((e) => physical.extensions.has(e));
        const names = [...new Set([...(options.extensions ?? []), ...optional])];
        // VK_EXT_image_drm_format_modifier needs VK_KHR_image_format_list on a 1.1 device.
        if (names.includes("VK_EXT_image_drm_format_modifier") && !names.includes("VK_KHR_image_format_list")) {
            names.splice(names.indexOf("VK_EXT_image_drm_format_modifier"), 1);
        }
        this.extensions = new Set(names);
        this.features = { samplerAnisotropy: (options.anisotropy ?? true) && physical.features.samplerAnisotropy };
        const queueInfo = new vk.VkDeviceQueueCreateInfo({
            queueFamilyIndex: family.index,
            queueCount: 1,
            pQueuePriorities: new Float32Array([1]),
        });
        const features = new vk.VkPhysicalDeviceFeatures({ samplerAnisotropy: this.features.samplerAnisotropy });
        check("vkCreateDevice", vk.vkCreateDevice(physical.handle, new vk.VkDeviceCreateInfo({
            queueCreateInfoCount: 1,
            pQueueCreateInfos: [queueInfo],
            enabledExtensionCount: names.length,
            ppEnabledExtensionNames: names,
            pEnabledFeatures: features,
        }), null, this.handle), physical.name);
        this.raw = rawHandle(this.handle);
        const queueHandle = new vk.VkQueue();
        vk.vkGetDeviceQueue(this.handle, family.index, 0, queueHandle);
        this.queue = new Queue(this, queueHandle, family.index);
        log.info(`device: ${physical.summary()}; enabled ${names.join(" ") || "no extensions"}`);
    }
    static create(instance, physical, options = {}) {
        return new Device(instance, physical, options);
    }
    has(extension) {
        return this.extensions.has(extension);
    }
    /** Whether images can be exported as dmabufs (external memory fd + dma_buf handle type). */
    get canExportDmabuf() {
        return this.has("VK_KHR_external_memory_fd") && this.has("VK_EXT_external_memory_dma_buf");
    }
    // --- submission numbering and deferred destruction -------------------------------------------
    /** Numbers a submission; the queue calls this for every vkQueueSubmit. */
    nextSubmission() {
        return ++this.submitted;
    }
    get lastSubmission() {
        return this.submitted;
    }
    /** The newest submission known to have completed (every earlier one has too). */
    get completedSubmission() {
        return this.deferred.completedSerial;
    }
    /** Records that every submission up to `serial` has finished; frees what waited for it. */
    completed(serial) {
        this.deferred.complete(serial);
    }
    /** Destroys `resource` once every submission made so far has completed. */
    retire(resource) {
        this.deferred.push(this.submitted, () => resource.destroy());
    }
    get pendingDestruction() {
        return this.deferred.size;
    }
    waitIdle() {
        check("vkDeviceWaitIdle", vk.vkDeviceWaitIdle(this.handle));
        this.deferred.complete(this.submitted);
    }
    // --- one-shot commands (uploads, layout changes at load time) ---------------------------------
    /** Records commands with fn, submits them and waits for them to finish. */
    runOnce(fn) {
        this.oneShotPool ??= CommandPool.create(this, { transient: true });
        const [cmd] = this.oneShotPool.allocate(1);
        const fence = Fence.create(this);
        try {
            cmd.begin({ oneTime: true });
            fn(cmd);
            cmd.end();
            this.queue.submit({ commandBuffers: [cmd], fence });
            fence.wait();
        }
        finally {
            fence.destroy();
            this.oneShotPool.free([cmd]);
        }
    }
    destroy() {
        if (this.destroyed)
            return;
        this.destroyed = true;
        vk.vkDeviceWaitIdle(this.handle);
        this.deferred.flush();
        this.oneShotPool?.destroy();
        vk.vkDestroyDevice(this.handle, null);
    }
    async [Symbol.asyncDispose]() {
        this.destroy();
    }
}
//# sourceMappingURL=device.js.map