// Headless presentation: frames render into offscreen images and go nowhere unless captured.
// The reference SwapchainBackend: a small ring of targets, each reused only after the fence of
// the frame that last rendered into it has signalled.
import { Format, Image, ImageLayout, ImageUsage, Scope, type Device, type Fence, type ImageView } from "../vk/index.js";
import type { RenderTarget, SwapchainBackend } from "./presenter.js";
import { FrameLoop } from "./frame-loop.js";
import { Pacing, type PacingOptions } from "./pacing.js";
import { colourState, COLOUR_SPACES, describeColour, resolveColour, type ColourChoice, type ColourState } from "../util/colour.js";
import { usableFormats } from "./colour-formats.js";
import { logger } from "../util/log.js";

const log = logger("present");

/** Options of the headless backend: targets are offscreen images, nothing is shown; frames reach the CPU through Frame.capture(). */
export interface HeadlessOptions extends PacingOptions {
  /** Target size in pixels [width, height]. */
  size: readonly [number, number];
  /** Target format (default: the colour's, B8G8R8A8_UNORM for sRGB); capture() returns RGBA8 whatever it is (plus RGBA16 for 10-bit and FP16). */
  format?: Format;
  /**
   * The colour to encode frames for (default "srgb"): display-p3 and srgb render into 8-bit targets,
   * hdr10 into 10-bit (PQ, BT.2020), scrgb into FP16 (linear); a depth the device cannot render falls
   * back (see FrameStats.colour). "auto" is sRGB: nothing is shown, so nothing prefers otherwise.
   */
  color?: ColourChoice;
  /** Offscreen images in the ring (default 2, one per frame in flight: the slot fence frees it). */
  images?: number;
}

interface HeadlessTarget extends RenderTarget {
  /** The submission that last rendered into this target, and its fence (slots reuse fences). */
  lastSerial: number;
  lastFence: Fence | undefined;
}

let nextTargetId = 1;

/** Makes offscreen render targets: colour attachment + transfer source (for capture). With `scope`, the scope owns the image and view. */
export function createOffscreenTarget(device: Device, width: number, height: number, format: Format, finalLayout: ImageLayout, scope?: Scope): RenderTarget & { view: ImageView } {
  return Scope.build(`offscreen target ${width}x${height}`, (own) => {
    const image = own.add(Image.create(device, { width, height, format, usage: ImageUsage.colorAttachment | ImageUsage.transferSrc, what: `offscreen target ${width}x${height}` }));
    const view = own.add(image.createView());
    scope?.add(own);
    return { id: nextTargetId++, image, view, width, height, format, finalLayout };
  });
}

export class HeadlessBackend implements SwapchainBackend {
  readonly name = "headless" as const;
  readonly format: Format;
  readonly finalLayout: ImageLayout = ImageLayout.VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
  readonly defaultTimestep = 1 / 60;
  readonly colour: ColourState;
  /** No display: the present mode changes nothing (maxFps still caps the loop); frames are never "presented". */
  readonly pacing: Pacing;
  private current: readonly [number, number];
  private wanted: readonly [number, number];
  private readonly count: number;
  private targets: HeadlessTarget[] = [];
  /** Owns the current size's targets; retired whole on resize. */
  private generation = new Scope("headless targets");
  private next = 0;

  constructor(
    readonly device: Device,
    options: HeadlessOptions,
  ) {
    this.current = this.wanted = [options.size[0], options.size[1]];
    if (options.format !== undefined) {
      this.format = options.format;
      this.colour = colourState(options.color ?? "srgb", COLOUR_SPACES[options.color === undefined || options.color === "auto" ? "srgb" : options.color], 8, "the caller chose the format");
    } else {
      const formats = usableFormats(device);
      this.colour = resolveColour(options.color ?? "srgb", formats.map((f) => f.depth), () => undefined);
      this.format = formats.find((f) => f.depth === this.colour.depth)?.vkFormat ?? Format.VK_FORMAT_B8G8R8A8_UNORM;
      if (this.colour.reason) log.info(`headless: colour ${describeColour(this.colour)}: ${this.colour.reason}`);
    }
    this.count = options.images ?? 2;
    this.pacing = new Pacing(options);
    this.makeTargets();
  }

  /** Current target size in pixels; a resize() takes effect at the next acquire. */
  get size(): readonly [number, number] {
    return this.current;
  }

  resize(width: number, height: number): void {
    this.wanted = [width, height];
  }

  acquire(): RenderTarget {
    if (this.wanted !== this.current) this.replaceTargets();
    const target = this.targets[this.next]!;
    this.next = (this.next + 1) % this.targets.length;
    // With one target per slot the frame loop has already waited for it; the check matters only
    // when a ring is smaller than the frames in flight.
    if (target.lastSerial > this.device.completedSubmission) target.lastFence?.wait();
    return target;
  }

  /** Nothing is shown: a frame's "presentation" is when it is handed out. */
  predictPresentMs(nowMs: number): number {
    return nowMs;
  }

  present(target: RenderTarget, rendered: Fence): void {
    const t = target as HeadlessTarget;
    t.lastSerial = rendered.serial;
    t.lastFence = rendered;
  }

  destroy(): void {
    this.targets = [];
    this.generation.close();
  }

  /** New images at the wanted size; the old generation goes once the GPU has finished with it. */
  private replaceTargets(): void {
    this.device.retire(this.generation);
    this.generation = new Scope("headless targets");
    this.targets = [];
    this.current = this.wanted;
    this.next = 0;
    this.makeTargets();
  }

  private makeTargets(): void {
    const [width, height] = this.current;
    try {
      for (let i = 0; i < this.count; i++) {
        this.targets.push({ ...createOffscreenTarget(this.device, width, height, this.format, this.finalLayout, this.generation), lastSerial: 0, lastFence: undefined });
      }
    } catch (error) {
      this.destroy();
      throw error;
    }
  }
}

/** A headless Presenter on `device`; the presenter destroys the device on close when ownsDevice. */
export function createHeadlessPresenter(device: Device, options: HeadlessOptions, ownsDevice = false): FrameLoop {
  return new FrameLoop(new HeadlessBackend(device, options), ownsDevice);
}
