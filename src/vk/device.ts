// The logical device: one graphics queue, the extensions scanout uses when the driver has them,
// submission numbering for deferred destruction, and one-shot command helpers.
import { vk, type VkTypes } from "./nvk.js";
import { DeviceCapabilityError } from "./errors.js";
import { check } from "./result.js";
import { rawHandle } from "./fast.js";
import { DeferredQueue } from "./deferred.js";
import type { Destroyable } from "./scope.js";
import { Resource, type DeviceResource } from "./resource.js";
import type { Instance } from "./instance.js";
import type { PhysicalDevice } from "./physical-device.js";
import { Queue } from "./queue.js";
import { CommandPool, type CommandBuffer } from "./commands.js";
import { Fence } from "./sync.js";
import { defaultPipelineCacheFile, PipelineCache } from "./pipeline-cache.js";
import { logger } from "../util/log.js";

const log = logger("vk");

/** Enabled when the driver lists them: external memory/semaphores for dmabuf and sync-file export, host memory for wl_shm images. */
export const OPTIONAL_EXTENSIONS = [
  "VK_KHR_external_memory_fd",
  "VK_EXT_external_memory_dma_buf",
  "VK_KHR_image_format_list",
  "VK_EXT_image_drm_format_modifier",
  "VK_EXT_queue_family_foreign",
  "VK_KHR_external_semaphore_fd",
  "VK_KHR_external_fence_fd",
  "VK_EXT_calibrated_timestamps",
  "VK_EXT_external_memory_host",
] as const;

/** Options of Device.create: which device extensions and features to enable. */
export interface DeviceOptions {
  /** Extensions that must be present (creation fails with a clear message otherwise). */
  extensions?: string[];
  /** Extensions enabled only if present (default: OPTIONAL_EXTENSIONS). */
  optionalExtensions?: readonly string[];
  /** Enable samplerAnisotropy when the device has it (default true). */
  anisotropy?: boolean;
  /**
   * The file the device's pipeline cache is loaded from and saved to (default: one per device and driver under
   * $XDG_CACHE_HOME or ~/.cache, see defaultPipelineCacheFile); false keeps the cache in memory only.
   */
  pipelineCache?: string | false;
}

/**
 * A logical Vulkan device with one graphics queue (Instance.createDevice or Device.create). It numbers submissions, frees
 * retired resources once the GPU is done with them, and refuses to be destroyed before the resources made on it.
 */
export class Device extends Resource {
  readonly handle: VkTypes.VkDevice = new vk.VkDevice();
  readonly queue: Queue;
  readonly extensions: ReadonlySet<string>;
  readonly features: { samplerAnisotropy: boolean };
  /** Handle value for the koffi fast path. */
  readonly raw: bigint;
  private readonly deferred = new DeferredQueue();
  private submitted = 0;
  private oneShotPool: CommandPool | undefined;
  private readonly pipelineCacheFile: string | undefined;
  private ownCache: PipelineCache | undefined;
  /** Resources made on this device and not destroyed yet. */
  private readonly children = new Set<DeviceResource>();
  private open = true;

  private constructor(
    readonly instance: Instance,
    readonly physical: PhysicalDevice,
    options: DeviceOptions,
  ) {
    super();
    const family = physical.graphicsQueueFamily;
    if (!family) throw new DeviceCapabilityError(physical.name, `${physical.name}: no graphics queue family`);
    const missing = (options.extensions ?? []).filter((e) => !physical.extensions.has(e));
    if (missing.length) throw new DeviceCapabilityError(physical.name, `${physical.name}: missing device extensions ${missing.join(", ")}`);
    const optional = (options.optionalExtensions ?? OPTIONAL_EXTENSIONS).filter((e) => physical.extensions.has(e));
    const names = [...new Set([...(options.extensions ?? []), ...optional])];
    // VK_EXT_image_drm_format_modifier needs VK_KHR_image_format_list on a 1.1 device.
    if (names.includes("VK_EXT_image_drm_format_modifier") && !names.includes("VK_KHR_image_format_list")) {
      names.splice(names.indexOf("VK_EXT_image_drm_format_modifier"), 1);
    }
    this.extensions = new Set(names);
    this.features = { samplerAnisotropy: (options.anisotropy ?? true) && physical.features.samplerAnisotropy };
    this.pipelineCacheFile = options.pipelineCache === false ? undefined : (options.pipelineCache ?? defaultPipelineCacheFile(physical));

    const queueInfo = new vk.VkDeviceQueueCreateInfo({
      queueFamilyIndex: family.index,
      queueCount: 1,
      pQueuePriorities: new Float32Array([1]),
    });
    const features = new vk.VkPhysicalDeviceFeatures({ samplerAnisotropy: this.features.samplerAnisotropy });
    check(
      "vkCreateDevice",
      vk.vkCreateDevice(
        physical.handle,
        new vk.VkDeviceCreateInfo({
          queueCreateInfoCount: 1,
          pQueueCreateInfos: [queueInfo],
          enabledExtensionCount: names.length,
          ppEnabledExtensionNames: names,
          pEnabledFeatures: features,
        }),
        null,
        this.handle,
      ),
      physical.name,
    );
    this.raw = rawHandle(this.handle);
    const queueHandle = new vk.VkQueue();
    vk.vkGetDeviceQueue(this.handle, family.index, 0, queueHandle);
    this.queue = new Queue(this, queueHandle, family.index);
    log.info(`device: ${physical.summary()}; enabled ${names.join(" ") || "no extensions"}`);
  }

  /**
   * A logical device on physical with one graphics queue, the required extensions, whichever optional ones it has, and
   * samplerAnisotropy when available. Usually made by instance.createDevice(). Throws Error naming the device when it has
   * no graphics queue or lacks a required extension, and VulkanError when vkCreateDevice fails.
   */
  static create(instance: Instance, physical: PhysicalDevice, options: DeviceOptions = {}): Device {
    return new Device(instance, physical, options);
  }

  /**
   * The pipeline cache Pipeline.create uses by default, made on first use (loaded from DeviceOptions.pipelineCache's file
   * when valid). The device saves it when destroyed, and in the background shortly after pipelines are made.
   */
  get pipelineCache(): PipelineCache {
    this.assertLive();
    this.ownCache ??= PipelineCache.createOwned(this, this.pipelineCacheFile);
    return this.ownCache;
  }

  /** Whether an extension was enabled on this device, e.g. has("VK_EXT_external_memory_dma_buf"). */
  has(extension: string): boolean {
    return this.extensions.has(extension);
  }

  /** Whether images can be exported as dmabufs (external memory fd + dma_buf handle type). */
  get canExportDmabuf(): boolean {
    return this.has("VK_KHR_external_memory_fd") && this.has("VK_EXT_external_memory_dma_buf");
  }

  // --- submission numbering and deferred destruction -------------------------------------------

  /** Numbers a submission; the queue calls this for every vkQueueSubmit. */
  nextSubmission(): number {
    return ++this.submitted;
  }

  /** Number of the latest queue submission (submissions are numbered from 1; 0 before any). */
  get lastSubmission(): number {
    return this.submitted;
  }

  /** The newest submission known to have completed (every earlier one has too). */
  get completedSubmission(): number {
    return this.deferred.completedSerial;
  }

  /** Records that every submission up to `serial` has finished; frees what waited for it. */
  completed(serial: number): void {
    this.deferred.complete(serial);
  }

  /** Destroys `resource` once every submission made so far has completed. */
  retire(resource: Destroyable): void {
    this.deferred.push(this.submitted, () => resource.destroy());
  }

  /** Resources retired with retire() and still waiting for the GPU. */
  get pendingDestruction(): number {
    return this.deferred.size;
  }

  /** Waits (blocking) until the GPU has finished all submitted work, then frees everything retired. Throws VulkanError, e.g. VK_ERROR_DEVICE_LOST. */
  waitIdle(): void {
    check("vkDeviceWaitIdle", vk.vkDeviceWaitIdle(this.handle));
    this.deferred.complete(this.submitted);
  }

  // --- one-shot commands (uploads, layout changes at load time) ---------------------------------

  /** Records commands with fn, submits them and waits for them to finish. */
  runOnce(fn: (cmd: CommandBuffer) => void): void {
    this.assertLive();
    this.oneShotPool ??= CommandPool.create(this, { transient: true });
    const [cmd] = this.oneShotPool.allocate(1);
    const fence = Fence.create(this);
    try {
      cmd!.begin({ oneTime: true });
      fn(cmd!);
      cmd!.end();
      this.queue.submit({ commandBuffers: [cmd!], fence });
      fence.wait();
    } finally {
      fence.destroy();
      this.oneShotPool.free([cmd!]);
    }
  }

  /**
   * Records commands with fn and submits them without waiting (uploads at load time): the GPU runs
   * them before anything submitted later on this queue, and fn's barriers make their results
   * visible to it. The command buffer, its fence and `keepAlive` (e.g. staging buffers) are freed
   * once the GPU has finished them: when a later fence wait or waitIdle shows it, at the latest when
   * the device is destroyed. If fn throws, nothing is submitted and keepAlive is freed at once.
   * The result's wait() blocks until the commands have finished (at once if they have): call it
   * before destroying what they write, e.g. when loading fails after the upload.
   */
  submitOnce(fn: (cmd: CommandBuffer) => void, keepAlive: readonly Destroyable[] = []): PendingSubmission {
    this.assertLive();
    this.oneShotPool ??= CommandPool.create(this, { transient: true });
    const pool = this.oneShotPool;
    const [cmd] = pool.allocate(1);
    let fence: Fence | undefined;
    let freed = false;
    const free = (): void => {
      freed = true;
      fence?.destroy();
      pool.free([cmd!]);
      for (const r of keepAlive) r.destroy();
    };
    try {
      cmd!.begin({ oneTime: true });
      fn(cmd!);
      cmd!.end();
      fence = Fence.create(this);
      this.queue.submit({ commandBuffers: [cmd!], fence });
    } catch (error) {
      free();
      throw error;
    }
    this.retire({ destroy: free });
    const submitted = fence;
    return { wait: () => void (freed || submitted.wait()) }; // the wait marks it complete, which frees it
  }

  // --- children --------------------------------------------------------------------------------

  /** False once the VkDevice is gone: its children can no longer be used or destroyed. */
  get isOpen(): boolean {
    return this.open;
  }

  /** @internal Called by create() of every DeviceResource. */
  track(resource: DeviceResource): void {
    this.children.add(resource);
  }

  /** @internal Called by destroy() of every DeviceResource. */
  untrack(resource: DeviceResource): void {
    this.children.delete(resource);
  }

  /** Resources made on this device and not destroyed yet (retired ones until they are freed), optionally of one class. */
  liveResources<R extends DeviceResource>(kind?: { prototype: R }): R[] {
    return [...this.children].filter((r): r is R => !kind || Object.prototype.isPrototypeOf.call(kind.prototype, r));
  }

  /** Waits for the GPU, frees retired resources, then the device. Its other children must be destroyed first. */
  protected release(): void {
    vk.vkDeviceWaitIdle(this.handle);
    this.deferred.flush();
    this.oneShotPool?.destroy();
    if (this.ownCache) {
      this.ownCache.save();
      this.ownCache.destroy();
    }
    if (this.children.size) {
      const names = [...this.children].slice(0, 5).map(String).join(", ");
      log.warn(`${this}: destroyed with ${this.children.size} resource(s) still alive: ${names}${this.children.size > 5 ? ", ..." : ""}`);
    }
    this.open = false;
    vk.vkDestroyDevice(this.handle, null);
  }

  override toString(): string {
    return `Device(${this.physical.name})`;
  }
}


/** One-shot commands submitted by Device.submitOnce. */
export interface PendingSubmission {
  /** Blocks until the commands have finished on the GPU (returns at once if they have). */
  wait(): void;
}
