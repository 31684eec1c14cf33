// wl_shm buffers the GPU renders straight into: where the device imports host memory
// (VK_EXT_external_memory_host; lavapipe does), each buffer of the shm swapchain gets a LINEAR image
// bound to its own bytes in the pool, laid out with the driver's row pitch and aligned for the
// import. A frame then needs no staging copy and no CPU copy: the compositor reads what the GPU
// wrote once the frame's fence has signalled (Mesa's WSI does the same on lavapipe).
import {
  type Device,
  type Format,
  type HostImageLayout,
  hostPointerMemoryTypes,
  Image,
  type ImageLayout,
  ImageUsage,
  type ImageView,
  planHostImage,
  type Scope,
} from "../vk/index.js";
import type { ShmBuffer, ShmSwapchain } from "../wayland/shm.js";
import type { RenderTarget } from "./presenter.js";

/** A render target whose image is an shm buffer's memory. */
export interface ShmHostTarget extends RenderTarget {
  readonly buffer: ShmBuffer;
}

/** Colour attachment, and copy source for Frame.capture(). */
const USAGE = ImageUsage.colorAttachment | ImageUsage.transferSrc;

let nextId = 1_000_000; // apart from the offscreen targets' ids (scenes key framebuffers by id)

/** Targets over one ShmSwapchain's buffers, made the first time each buffer is handed out. */
export class ShmHostTargets {
  private readonly targets = new Map<ShmBuffer, ShmHostTarget>();
  private memoryTypeBits: number | undefined;

  /** How a buffer of this size must be laid out in the pool, or why the GPU cannot render into it. */
  static plan(device: Device, format: Format, bytesPerPixel: number, width: number, height: number): HostImageLayout | string {
    return planHostImage(device, format, width, height, USAGE, bytesPerPixel);
  }

  /** `chain` must be made with the plan's stride and size per buffer, and fixed addresses; `scope` owns the images. */
  constructor(
    private readonly device: Device,
    private readonly chain: ShmSwapchain,
    private readonly layout: HostImageLayout,
    private readonly format: Format,
    private readonly finalLayout: ImageLayout,
    private readonly scope: Scope,
    /** The buffer transform the window's buffers are made in (preRotate), handed to scenes with each target. */
    private readonly transform?: RenderTarget["transform"],
  ) {}

  /** Whether `target` is one of these (not of a chain retired by a resize). */
  owns(target: RenderTarget): target is ShmHostTarget {
    const t = target as Partial<ShmHostTarget>;
    return t.buffer !== undefined && this.targets.get(t.buffer) === target;
  }

  /** The target over `buffer`'s bytes (made on first use). */
  targetFor(buffer: ShmBuffer): ShmHostTarget {
    let t = this.targets.get(buffer);
    if (!t) {
      // one mapping for the whole chain (fixedAddresses): its memory types hold for every buffer
      this.memoryTypeBits ??= hostPointerMemoryTypes(this.device, this.chain.memory.buffer);
      const { width, height } = buffer;
      const image = this.scope.add(
        Image.create(this.device, {
          width,
          height,
          format: this.format,
          usage: USAGE,
          hostMemory: { address: buffer.address, size: this.layout.size, memoryTypeBits: this.memoryTypeBits },
          what: `wl_shm buffer ${width}x${height} @${buffer.offset}`,
        }),
      );
      const view: ImageView = this.scope.add(image.createView());
      t = { id: nextId++, image, view, width, height, format: this.format, finalLayout: this.finalLayout, transform: this.transform, buffer };
      this.targets.set(buffer, t);
    }
    return t;
  }
}
