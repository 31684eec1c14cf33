// Framebuffers created lazily, one per render target, plus a depth image shared by the targets
// of one size. When targets of a new size appear (a resize), every framebuffer of another size is
// retired with the old depth image (destroyed once the GPU is done with them), with or without depth.
import { Framebuffer, Image, ImageUsage, type Device, type Format, type ImageView, type RenderPass, type Scope } from "../vk/index.js";
import type { RenderTarget } from "../present/presenter.js";

/** Backends that replace targets of the same size (new buffers) stay bounded by this many entries. */
const MAX_CACHED = 8;

/** Options of TargetFramebuffers.create. */
export interface TargetFramebuffersOptions {
  /** The render pass the framebuffers are made for: attachment 0 is the target's view, attachment 1 the depth view when depthFormat is set. */
  renderPass: RenderPass;
  /** A depth attachment of this format is made per size and shared by that size's targets. */
  depthFormat?: Format;
  /** Takes ownership: the framebuffers go when the scope closes. */
  scope?: Scope;
}

/**
 * The framebuffers of one render pass over a presenter's targets, made on first use per target, with an optional depth
 * attachment shared by the targets of one size. When targets of a new size appear (a resize), the old framebuffers and
 * depth image are retired through the device (freed once the GPU is done with them).
 */
export class TargetFramebuffers {
  private readonly byTarget = new Map<number, Framebuffer>();
  private depth: { image: Image; view: ImageView } | undefined;
  private width = 0;
  private height = 0;

  private constructor(
    private readonly device: Device,
    private readonly renderPass: RenderPass,
    private readonly depthFormat: Format | undefined,
  ) {}

  /** An empty cache for options.renderPass (and a depth image of options.depthFormat, when given); options.scope takes ownership. */
  static create(device: Device, options: TargetFramebuffersOptions): TargetFramebuffers {
    const made = new TargetFramebuffers(device, options.renderPass, options.depthFormat);
    options.scope?.add(made);
    return made;
  }

  /** The framebuffer for this target; made on first use, and again after a resize. */
  get(target: RenderTarget): Framebuffer {
    if (target.width !== this.width || target.height !== this.height) this.resize(target.width, target.height);
    let fb = this.byTarget.get(target.id);
    if (fb) return fb;
    if (this.byTarget.size >= MAX_CACHED) {
      const [oldest, old] = this.byTarget.entries().next().value as [number, Framebuffer];
      this.byTarget.delete(oldest);
      this.device.retire(old);
    }
    const attachments = [target.view];
    if (this.depthFormat !== undefined) attachments.push(this.depthView());
    fb = Framebuffer.create(this.device, { renderPass: this.renderPass, attachments, width: target.width, height: target.height });
    this.byTarget.set(target.id, fb);
    return fb;
  }

  /**
   * Makes the depth attachment for targets of this size now rather than at the first frame (a scene
   * calls it while loading, before an upload: lavapipe creates image views under the lock its
   * queue thread holds while it executes, so made after the upload it waits for all of it).
   */
  prepare(width: number, height: number): void {
    if (width !== this.width || height !== this.height) this.resize(width, height);
    if (this.depthFormat !== undefined) this.depthView();
  }

  /** Live framebuffers (for tests and leak checks). */
  get size(): number {
    return this.byTarget.size;
  }

  private resize(width: number, height: number): void {
    this.retireAll();
    this.width = width;
    this.height = height;
  }

  private depthView(): ImageView {
    if (this.depth) return this.depth.view;
    const image = Image.create(this.device, {
      width: this.width,
      height: this.height,
      format: this.depthFormat!,
      usage: ImageUsage.depthStencilAttachment,
      aspect: "depth",
      what: `depth buffer ${this.width}x${this.height}`,
    });
    this.depth = { image, view: image.createView() };
    return this.depth.view;
  }

  private retireAll(): void {
    for (const fb of this.byTarget.values()) this.device.retire(fb);
    this.byTarget.clear();
    if (this.depth) {
      this.device.retire(this.depth.view);
      this.device.retire(this.depth.image);
      this.depth = undefined;
    }
  }

  /** Destroys every framebuffer and the depth image now: call it only when the GPU no longer uses them (after the presenter's frame loop ended). */
  destroy(): void {
    for (const fb of this.byTarget.values()) fb.destroy();
    this.byTarget.clear();
    this.depth?.view.destroy();
    this.depth?.image.destroy();
    this.depth = undefined;
  }
}
