// A second layer for the KMS presenter (a HUD, a video frame): an app-supplied RGBA image at a
// position and size on the output. Before the first frame is rendered the driver is asked, with an
// atomic TEST_ONLY commit of the real modeset plus the layer (src/drm/overlay.ts), whether an overlay
// plane can show it; then each commit carries the plane. When every plane is refused the layer is
// composed into each frame on the GPU instead: a draw over the frame's target, after the app's own
// commands, blending the layer's texels with their alpha (shaders/overlay.frag).
import {
  Buffer as VkBuffer, BufferUsage, DescriptorPool, DescriptorSetLayout, Format, Framebuffer, Image, ImageLayout, ImageUsage, Pipeline,
  PipelineLayout, RenderPass, Sampler, Scope, ShaderModule, ShaderStage, type CommandBuffer, type DescriptorSet, type Device, type ImageView,
} from "../vk/index.js";
import { logger } from "../util/log.js";
import {
  addModeset, addOverlay, DRM_FORMAT_ARGB8888, DumbBuffer, fullScreenPlane, placeOverlay, type DrmDevice, type FbId,
  type AtomicRequest, type OverlayLayer, type OverlayPlacement, type OverlayRect, type Output,
} from "../drm/index.js";
import type { RenderTarget } from "./presenter.js";

const log = logger("present");

/** RGBA8 pixels with straight (not premultiplied) alpha, rows top to bottom, tightly packed. */
export interface OverlayImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Options of the KMS presenter's overlay layer (KmsOptions.overlay). */
export interface KmsOverlayOptions {
  image: OverlayImage;
  /** Top-left corner on the output in pixels (default 0, 0). */
  x?: number;
  y?: number;
  /** Size on the output (default the image's): a different size scales it, where the plane can. */
  width?: number;
  height?: number;
  /** The overlay plane's zpos, where it has a mutable one. */
  zpos?: number;
  /** "auto" (default): an overlay plane when the driver accepts one, else composed; "compose": always composed. */
  use?: "auto" | "compose";
  /**
   * A FAKE for tests: every overlay plane counts as refused without asking the kernel (as a driver
   * that cannot show the layer would answer), so the composition path runs on drivers that accept it.
   */
  forceRefuse?: boolean;
}

/** Checks an image's size against its bytes, naming the field at fault (RangeError). */
export function checkOverlayImage(image: OverlayImage): void {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1)
    throw new RangeError(`overlay image: size ${width}x${height} (positive integers)`);
  if (!(data instanceof Uint8Array) || data.length !== width * height * 4)
    throw new RangeError(`overlay image: ${data?.length} bytes of data for ${width}x${height} RGBA (${width * height * 4} expected)`);
}

/** The image as ARGB8888 (B, G, R, A bytes) with premultiplied alpha, what a plane blends by default, into rows `pitch` bytes apart. */
export function premultipliedArgb(image: OverlayImage, dst: Uint8Array, pitch: number): void {
  const src = image.data;
  for (let y = 0; y < image.height; y++)
    for (let x = 0; x < image.width; x++) {
      const s = (y * image.width + x) * 4;
      const d = y * pitch + x * 4;
      const a = src[s + 3]!;
      dst[d] = Math.round((src[s + 2]! * a) / 255);
      dst[d + 1] = Math.round((src[s + 1]! * a) / 255);
      dst[d + 2] = Math.round((src[s]! * a) / 255);
      dst[d + 3] = a;
    }
}

/** The layer of one KMS presenter: on an overlay plane, or composed into each frame. Made by KmsOverlay.create. */
export class KmsOverlay {
  private readonly scope = new Scope("kms overlay");
  private layer: OverlayLayer | undefined;
  private compositor: OverlayCompositor | undefined;

  private constructor(
    readonly placement: OverlayPlacement,
    private readonly output: Output,
  ) {}

  /**
   * Decides where the layer goes: `probeFb` (one of the presenter's targets) stands for the frames in
   * the TEST_ONLY modeset that tries each overlay plane. Throws RangeError for a bad image or rect.
   */
  static create(device: Device, drm: DrmDevice, output: Output, format: Format, finalLayout: ImageLayout, probeFb: FbId, options: KmsOverlayOptions): KmsOverlay {
    checkOverlayImage(options.image);
    const { image } = options;
    const rect = { x: options.x ?? 0, y: options.y ?? 0, width: options.width ?? image.width, height: options.height ?? image.height };
    const scope = new Scope("kms overlay (setting up)");
    try {
      let placement: OverlayPlacement = { kind: "compose", reason: "asked for (use: compose)" };
      let layer: OverlayLayer | undefined;
      if (options.use !== "compose") {
        const buf = scope.add(DumbBuffer.create(drm, image.width, image.height));
        premultipliedArgb(image, new Uint8Array(buf.pixels.buffer), buf.pitch);
        const fb = drm.addFramebuffer({ width: image.width, height: image.height, format: DRM_FORMAT_ARGB8888, handles: [buf.handle], pitches: [buf.pitch], offsets: [0] });
        scope.defer(() => drm.removeFramebuffer(fb));
        layer = { fb, format: DRM_FORMAT_ARGB8888, srcWidth: image.width, srcHeight: image.height, rect, zpos: options.zpos };
        const blob = drm.createModeBlob(output.mode);
        try {
          placement = placeOverlay(drm, output.crtc, layer, (req) => addModeset(req, output, blob, fullScreenPlane(output, probeFb)), {
            allowModeset: true, forceRefuse: options.forceRefuse,
          });
        } finally {
          drm.destroyBlob(blob);
        }
      }
      const overlay = new KmsOverlay(placement, output);
      if (placement.kind === "plane") {
        overlay.layer = layer;
        log.info(`kms overlay: ${image.width}x${image.height} at ${rect.x},${rect.y} on plane ${placement.plane}`);
      } else {
        scope.close(); // the plane's buffer is not needed
        overlay.compositor = OverlayCompositor.create(device, format, finalLayout, image, rect, overlay.scope);
        log.info(`kms overlay: ${image.width}x${image.height} at ${rect.x},${rect.y} composed into each frame (${placement.reason})`);
        return overlay;
      }
      overlay.scope.defer(() => scope.close());
      return overlay;
    } catch (e) {
      scope.close();
      throw e;
    }
  }

  /** Adds the plane to a commit that sets the mode (the plane keeps its state across flips); nothing when composed. */
  addToCommit(req: AtomicRequest, modeset: boolean): void {
    if (modeset && this.placement.kind === "plane" && this.layer) addOverlay(req, this.placement.plane, this.output.crtc, this.layer);
  }

  /** Composes the layer into `target` after the frame's own commands; nothing when a plane shows it. */
  recordCompose(cmd: CommandBuffer, target: RenderTarget): void {
    this.compositor?.record(cmd, target);
  }

  /** For the presenter's stats: where the layer is shown, and why it is composed when it is. */
  stats(): Record<string, string> {
    return this.placement.kind === "plane" ? { overlay: `plane ${this.placement.plane}` } : { overlay: "composed", overlayReason: this.placement.reason };
  }

  /** Frees the plane's buffer or the compositor (the plane must be off the screen and the GPU done). */
  destroy(): void {
    this.scope.close();
  }
}

/** Draws the layer over a target: a render pass that keeps the target's contents, one blended draw. */
class OverlayCompositor {
  private readonly framebuffers = new Map<number, Framebuffer>();
  private readonly push: Float32Array;

  private constructor(
    private readonly device: Device,
    private readonly scope: Scope,
    private readonly renderPass: RenderPass,
    private readonly layout: PipelineLayout,
    private readonly pipeline: Pipeline,
    private readonly set: DescriptorSet,
    rect: OverlayRect,
  ) {
    this.push = new Float32Array([rect.x, rect.y, rect.width, rect.height]);
    scope.defer(() => this.framebuffers.forEach((f) => f.destroy()));
  }

  static create(device: Device, format: Format, finalLayout: ImageLayout, image: OverlayImage, rect: OverlayRect, owner: Scope): OverlayCompositor {
    const scope = new Scope("kms overlay compositor");
    owner.defer(() => scope.close());
    const texture = uploadLayer(device, image, scope);
    const renderPass = RenderPass.create(device, { color: { format, finalLayout, load: true }, scope }) // the frames' scanout format (colour may deepen it);
    const setLayout = DescriptorSetLayout.create(device, { bindings: [{ binding: 0, type: "combined-image-sampler", stages: ShaderStage.fragment }], scope });
    const layout = PipelineLayout.create(device, { setLayouts: [setLayout], pushConstants: [{ stages: ShaderStage.fragment, size: 16 }], scope });
    using shaders = new Scope("kms overlay shaders");
    const pipeline = Pipeline.create(device, {
      renderPass, layout, blend: true, scope,
      vertex: ShaderModule.load(device, "fullscreen.vert.spv", { scope: shaders }),
      fragment: ShaderModule.load(device, "overlay.frag.spv", { scope: shaders }),
    });
    const sampler = Sampler.create(device, { filter: "nearest", addressMode: "clamp", anisotropy: false, scope });
    const pool = DescriptorPool.create(device, { layout: setLayout, maxSets: 1, scope });
    const [set] = pool.allocate(setLayout, 1);
    set!.write([{ binding: 0, type: "combined-image-sampler", view: texture, sampler }]);
    return new OverlayCompositor(device, scope, renderPass, layout, pipeline, set!, rect);
  }

  record(cmd: CommandBuffer, target: RenderTarget): void {
    let fb = this.framebuffers.get(target.id);
    if (!fb) {
      fb = Framebuffer.create(this.device, { renderPass: this.renderPass, attachments: [target.view], width: target.width, height: target.height });
      this.framebuffers.set(target.id, fb);
    }
    // chains the app's pass (which ends with its writes made available to transfers) to this one's loading of them
    cmd.transition(target.image, { from: target.finalLayout, to: target.finalLayout });
    cmd.beginRenderPass(this.renderPass, fb);
    cmd.setViewportAndScissor(target.width, target.height);
    cmd.bindPipeline(this.pipeline);
    cmd.bindDescriptorSet(this.layout, this.set);
    cmd.pushConstants(this.layout, ShaderStage.fragment, this.push.buffer as ArrayBuffer);
    cmd.draw(3);
    cmd.endRenderPass();
  }
}

/** The image as a sampled RGBA8 texture (uploaded and waited for once: the layer does not change). */
function uploadLayer(device: Device, image: OverlayImage, scope: Scope): ImageView {
  const tex = Image.create(device, {
    width: image.width, height: image.height, format: Format.VK_FORMAT_R8G8B8A8_UNORM, usage: ImageUsage.sampled | ImageUsage.transferDst,
    what: "kms overlay layer", scope,
  });
  const view = scope.add(tex.createView());
  const staging = VkBuffer.create(device, { size: image.data.byteLength, usage: BufferUsage.transferSrc, memory: "host", what: "kms overlay staging" });
  try {
    staging.write(image.data);
    const L = ImageLayout;
    device.submitOnce((cmd) => {
      cmd.transition(tex, { from: L.VK_IMAGE_LAYOUT_UNDEFINED, to: L.VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL });
      cmd.copyBufferToImage(staging, tex);
      cmd.transition(tex, { from: L.VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, to: L.VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL });
    }).wait();
  } finally {
    staging.destroy();
  }
  return view;
}
