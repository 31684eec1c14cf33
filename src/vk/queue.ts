// Queue submission with tuples, so wait semaphores and their stages cannot disagree in length.
import { vk, type VkTypes } from "./nvk.js";
import { check } from "./result.js";
import { pinArray } from "./pinned.js";
import { fast, rawHandle, structAddress } from "./fast.js";
import type { Device } from "./device.js";
import type { CommandBuffer } from "./commands.js";
import type { Fence, Semaphore } from "./sync.js";

/** One queue submission: command buffers to run, semaphores to wait for first (each with the pipeline stages that wait), semaphores to signal when done, and a fence to signal when done. */
export interface SubmitOptions {
  commandBuffers: readonly CommandBuffer[];
  /** [semaphore, pipeline stage mask that waits for it] */
  wait?: readonly (readonly [Semaphore, number])[];
  signal?: readonly Semaphore[];
  fence?: Fence;
}

/**
 * A submission built once and sent many times: the per-frame path uses this so the steady state
 * creates no nvk structs.
 */
export class PreparedSubmit {
  private readonly info: VkTypes.VkSubmitInfo;
  private readonly fence: Fence | undefined;

  constructor(
    private readonly queue: Queue,
    options: SubmitOptions,
  ) {
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

  /** Sends the prepared submission again; returns its number (see Device.lastSubmission). Throws VulkanError, e.g. VK_ERROR_DEVICE_LOST. */
  submit(): number {
    return this.queue.submitPrepared(structAddress(this.info), this.fence);
  }
}

/** The device's graphics queue (device.queue): submits command buffers, numbering each submission so retired resources can be freed once it completes. */
export class Queue {
  /** Handle value for the koffi fast path. */
  readonly raw: bigint;

  constructor(
    readonly device: Device,
    readonly handle: VkTypes.VkQueue,
    readonly familyIndex: number,
  ) {
    this.raw = rawHandle(handle);
  }

  /** Submits once; returns the submission's serial number. */
  submit(options: SubmitOptions): number {
    return new PreparedSubmit(this, options).submit();
  }

  /** Builds a submission once for sending every frame with PreparedSubmit.submit (no allocation per send); the arrays in options are copied now. */
  prepare(options: SubmitOptions): PreparedSubmit {
    return new PreparedSubmit(this, options);
  }

  /** @internal Submits one VkSubmitInfo whose arrays are pinned (see PreparedSubmit). */
  submitPrepared(info: bigint, fence: Fence | undefined): number {
    const serial = this.device.nextSubmission();
    check("vkQueueSubmit", fast.queueSubmit(this.raw, 1, info, fence ? fence.raw : 0n));
    if (fence) fence.serial = serial;
    return serial;
  }

  /** Waits (blocking) for every submission on this queue to finish, then frees what the device retired. Throws VulkanError on device loss. */
  waitIdle(): void {
    check("vkQueueWaitIdle", vk.vkQueueWaitIdle(this.handle));
    this.device.completed(this.device.lastSubmission);
  }
}
