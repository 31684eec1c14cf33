// The end of a scene whose GPU objects live in one Scope: freed once the GPU has finished the
// frames submitted so far, so destroy() may be called right after the last frame, mid-run or twice.
import type { Device, Scope } from "../vk/index.js";

/** Base of scenes that keep their Vulkan objects in one Scope (Triangle, TexturedMesh): destroy() and `await using`. */
export abstract class ScopedScene {
  private destroyed = false;

  protected constructor(
    /** The device the scene renders with. */
    protected readonly device: Device,
    /** Owns every Vulkan object of the scene. */
    protected readonly scope: Scope,
  ) {}

  /** Frees everything once the GPU has finished the frames submitted so far. Idempotent. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    const scope = this.scope;
    this.device.retire({ destroy: () => scope.close() });
  }

  /** `await using` support: calls destroy(). */
  async [Symbol.asyncDispose](): Promise<void> {
    this.destroy();
  }
}
