// Queue submission with tuples, so wait semaphores and their stages cannot disagree in length.
import { vk } from "./nvk.js";
import { check } from "./result.js";
import { pinArray } from "./pinned.js";
import { fast, rawHandle, structAddress } from "./fast.js";
/**
 * A submission built once and sent many times: the per-frame path uses this so the steady state
 * creates no nvk structs.
 */
export class PreparedSubmit {
    queue;
    info;
    fence;
    constructor(queue, options) {
        this.queue = queue;
        const wait = options.wait ?? [];
        const signal = options.signal ?? [];
        this.info = new vk.VkSubmitInfo({
            waitSemaphoreCount: wait.length,
            pWaitDstStageMask: wait.length ? new Int32Array(wait.map(([, stage]) => stage)) : null,
            commandBufferCount: options.commandBuffers.length,
            signalSemaphoreCount: signal.length,
        });
        // Built once: nvk would otherwise rebuild these arrays on every vkQueueSubmit.
        pinArray(this.info, "pWaitSemaphores", wait.map(([s]) => s.handle));
        pinArray(this.info, "pCommandBuffers", options.commandBuffers.map((c) => c.handle));
        pinArray(this.info, "pSignalSemaphores", signal.map((s) => s.handle));
        this.fence = options.fence;
    }
    submit() {
        return this.queue.submitPrepared(structAddress(this.info), this.fence);
    }
}
export class Queue {
    device;
    handle;
    familyIndex;
    /** Handle value for the koffi fast path. */
    raw;
    constructor(device, handle, familyIndex) {
        this.device = device;
        this.handle = handle;
        this.familyIndex = familyIndex;
        this.raw = rawHandle(handle);
    }
    /** Submits once; returns the submission's serial number. */
    submit(options) {
        return new PreparedSubmit(this, options).submit();
    }
    prepare(options) {
        return new PreparedSubmit(this, options);
    }
    /** @internal Submits one VkSubmitInfo whose arrays are pinned (see PreparedSubmit). */
    submitPrepared(info, fence) {
        const serial = this.device.nextSubmission();
        check("vkQueueSubmit", fast.queueSubmit(this.raw, 1, info, fence ? fence.raw : 0n));
        if (fence)
            fence.serial = serial;
        return serial;
    }
    waitIdle() {
        check("vkQueueWaitIdle", vk.vkQueueWaitIdle(this.handle));
        this.device.completed(this.device.lastSubmission);
    }
}
//# sourceMappingURL=queue.js.map