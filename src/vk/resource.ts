// One lifetime for every Vulkan object. A resource is made by a static `X.create(device, options)`
// that may hand it to `options.scope`; destroy() runs its release once however often it is called;
// using it after destroy() (or after its device) is an error naming it, where checking is cheap.
import { inspect } from "node:util";
import type { VkTypes } from "./nvk.js";
import { check } from "./result.js";
import type { Device } from "./device.js";
import type { Destroyable, Scope } from "./scope.js";

/** What every create() options object accepts. */
export interface Owned {
  /** Takes ownership: the resource is destroyed when the scope closes (in reverse creation order). */
  scope?: Scope;
}

/**
 * Thrown when a resource is used after destroy(), or used or destroyed after the Device it was made on;
 * the message names the resource (e.g. "Buffer 16 bytes uniform (triangle uniform): used after destroy()").
 */
export class UseAfterDestroyError extends Error {
  override readonly name = "UseAfterDestroyError";
  /** The resource as it prints, e.g. "Buffer 16 bytes uniform (triangle uniform)". */
  readonly resource: string;

  constructor(resource: Resource, detail: string) {
    super(`${resource}: ${detail}`);
    this.resource = String(resource);
  }
}

/** Idempotent destroy, `using` / `await using` support and REPL printing, for everything with a Vulkan lifetime. */
export abstract class Resource implements Destroyable, Disposable, AsyncDisposable {
  private destroyedFlag = false;

  /** Frees what the resource holds; runs once, from the first destroy(). */
  protected abstract release(): void;

  /** True once destroy() has run (directly, through a Scope, or through `using`). */
  get destroyed(): boolean {
    return this.destroyedFlag;
  }

  /**
   * Frees the Vulkan objects now. Idempotent: later calls do nothing. Throws UseAfterDestroyError when the
   * device was destroyed first. A resource the GPU may still be using should go through device.retire() instead.
   */
  destroy(): void {
    if (this.destroyedFlag) return;
    this.destroyedFlag = true;
    this.release();
  }

  /** Throws UseAfterDestroyError once destroyed (checked at entry points off the per-frame path). */
  assertLive(): void {
    if (this.destroyedFlag) throw new UseAfterDestroyError(this, "used after destroy()");
  }

  /** One line naming the resource (subclasses add what identifies them: size, format, ...). */
  toString(): string {
    return this.constructor.name;
  }

  /** How console.log and the REPL print it: toString(), plus " (destroyed)" once destroyed. */
  [inspect.custom](): string {
    return this.destroyedFlag ? `${this.toString()} (destroyed)` : this.toString();
  }

  /** `using` support: calls destroy() when the block exits. */
  [Symbol.dispose](): void {
    this.destroy();
  }

  /** `await using` support: calls destroy() when the block exits (synchronously; nothing is awaited). */
  async [Symbol.asyncDispose](): Promise<void> {
    this.destroy();
  }
}

/** The vkDestroy* (or vkFree*) function that frees a DeviceResource's handle, e.g. vk.vkDestroyBuffer. */
type DestroyHandle<H> = (device: VkTypes.VkDevice, handle: H, allocator: null) => void;

/** A resource made on a Device: its handle is destroyed (through `destroyHandle`) before the device. */
export abstract class DeviceResource<H extends object = object> extends Resource {
  // Stored with the handle type erased, so every DeviceResource<H> is a DeviceResource.
  private readonly destroyHandle: DestroyHandle<object>;

  /** @internal Subclasses in vk/ only: their static create() makes the handle, then adopt() registers it. */
  protected constructor(
    readonly device: Device,
    readonly handle: H,
    destroyHandle: DestroyHandle<H>,
  ) {
    super();
    this.destroyHandle = destroyHandle as DestroyHandle<object>;
  }

  protected release(): void {
    this.device.untrack(this);
    if (!this.device.isOpen) throw new UseAfterDestroyError(this, `destroyed after its device (${this.device.physical.name}); destroy it first, or give both to one Scope`);
    this.destroyHandle(this.device.handle, this.handle, null);
  }

  override assertLive(): void {
    super.assertLive();
    if (!this.device.isOpen) throw new UseAfterDestroyError(this, `used after its device (${this.device.physical.name}) was destroyed`);
  }

  /** Runs a vkGet*FdKHR call that writes an fd through its out-parameter; returns the fd (the caller owns it). */
  protected exportFd(call: string, get: (fd: { $: number }) => number): number {
    this.assertLive();
    const fd = { $: -1 };
    check(call, get(fd), this.toString());
    return fd.$;
  }
}

/** Finishes a create(): the device counts the new resource and options.scope, if any, takes it. */
export function adopt<R extends DeviceResource>(resource: R, options: Owned | undefined): R {
  resource.device.track(resource);
  try {
    options?.scope?.add(resource);
  } catch (error) {
    resource.destroy(); // a closed scope: nobody would own it
    throw error;
  }
  return resource;
}
