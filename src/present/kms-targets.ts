// The KMS backend's scanout targets, one generation (a mode's size, a format) in one Scope: exportable
// Vulkan images the display scans out directly (dmabuf -> PRIME import -> AddFB2), or, when that
// import is not possible, offscreen images copied into dumb buffers each frame. Closing the
// generation's scope frees every image, view, framebuffer and buffer in reverse order.
import { Buffer as VkBuffer, BufferUsage, Format, Image, ImageLayout, ImageUsage, Scope, type Device } from "../vk/index.js";
import { close as closeFd } from "../sys/libc.js";
import { logger } from "../util/log.js";
import { formatName, modifierName } from "../util/fourcc.js";
import { DRM_FORMAT_MOD_LINEAR, DumbBuffer, type DrmDevice, type FbId, type Output } from "../drm/index.js";
import type { RenderTarget } from "./presenter.js";
import type { TargetTransform } from "../render/pre-rotation.js";
import { SCANOUT_XRGB8888, type ScanoutFormat } from "./kms-colour.js";

const log = logger("present");
let nextId = 2_000_000;

/** How frames reach the display: "prime" scans the Vulkan images out directly (exported as dmabufs and imported as framebuffers); "dumb-copy" copies each frame into a CPU-mapped dumb buffer when that import is not possible. */
export type KmsPath = "prime" | "dumb-copy";

/** The layout frames leave a target in: scanned out as it is, or copied out of. */
export const FINAL_LAYOUT: Record<KmsPath, ImageLayout> = {
  prime: ImageLayout.VK_IMAGE_LAYOUT_GENERAL,
  "dumb-copy": ImageLayout.VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
};

/** The Vulkan format of the default targets: byte order B,G,R,X = DRM XRGB8888 (a colour may choose a deeper one, kms-colour.ts). */
export const KMS_FORMAT: Format = SCANOUT_XRGB8888.vk;

export interface KmsTarget extends RenderTarget {
  readonly fb: FbId;
  /** "held": finished, waiting in the present queue for the display. */
  state: "free" | "rendering" | "held" | "queued" | "onscreen";
  /** The frame's render-finished sync file for the plane's IN_FENCE_FD while it waits to be committed (-1: none). */
  inFence: number;
  /** dumb-copy path: the dumb buffer shown and the host buffer the GPU copies into */
  readonly dumb?: DumbBuffer;
  readonly staging?: VkBuffer;
}

/** Modifiers as the log prints them. */
export const hex = (m: bigint): string => `0x${m.toString(16)}`;

/** One generation of targets for an output, and how they reach it. */
export class KmsTargets {
  readonly targets: KmsTarget[] = [];
  readonly path: KmsPath;
  /** Why the dumb-buffer copy path is used, when it is. */
  readonly fallbackReason: string | undefined;
  /** The modifier the PRIME images were made with. */
  modifier: bigint | undefined;
  /** Set once creating an image with modifiers failed: the other images use LINEAR straight away. */
  private linearOnly = false;
  /** Owns every target's parts; a failed PRIME attempt's scope is closed before the dumb one opens. */
  private scope: Scope;

  constructor(
    private readonly device: Device,
    private readonly drm: DrmDevice,
    private readonly output: Output,
    count: number,
    forceCopy: boolean,
    /** The scanout format every target has (the plane lists it). */
    readonly format: ScanoutFormat = SCANOUT_XRGB8888,
    /** How the targets are turned from the way they are seen (rendered rotation, kms-rotation.ts). */
    private readonly transform: TargetTransform = 0,
  ) {
    const { hdisplay: w, vdisplay: h } = output.mode;
    this.scope = new Scope(`kms targets ${w}x${h}`);
    const fallback = forceCopy ? "forced"
      : !device.canExportDmabuf ? "the Vulkan device cannot export dmabufs"
      : this.tryPrime(count, w, h);
    if (fallback !== undefined) {
      log.warn(`kms: falling back to dumb buffers + a copy per frame (${fallback})`);
      try {
        this.allocateDumb(count, w, h);
      } catch (e) {
        this.close();
        throw e;
      }
    }
    this.fallbackReason = fallback;
    this.path = fallback === undefined ? "prime" : "dumb-copy";
  }

  /** Allocates PRIME targets; undefined on success, else why not (nothing is left allocated then). */
  private tryPrime(count: number, w: number, h: number): string | undefined {
    try {
      this.allocatePrime(count, w, h);
      return undefined;
    } catch (e) {
      this.close();
      this.scope = new Scope(`kms targets ${w}x${h} (dumb)`);
      return `dmabuf import failed: ${e instanceof Error ? e.message : e}`;
    }
  }

  private allocatePrime(count: number, w: number, h: number): void {
    const plane = this.output.plane;
    const { drm: drmFormat, vk } = this.format;
    const planeMods = plane.modifiers?.get(drmFormat) ?? [DRM_FORMAT_MOD_LINEAR];
    const driverMods = this.device.physical.drmFormatModifiers(vk).map((m) => m.modifier);
    const common = driverMods.filter((m) => planeMods.includes(m));
    if (driverMods.length && !common.length)
      throw new Error(`no modifier both Vulkan (${driverMods.map(modifierName).join(",")}) and plane ${plane.id} (${planeMods.map(modifierName).join(",")}) support for ${formatName(drmFormat)}`);
    if (!driverMods.length && !planeMods.includes(DRM_FORMAT_MOD_LINEAR)) throw new Error(`plane ${plane.id} cannot scan out LINEAR ${formatName(drmFormat)}`);
    const withModifiers = this.drm.getCap("addFb2Modifiers") === 1n;
    for (let i = 0; i < count; i++) {
      this.addTarget(FINAL_LAYOUT.prime, w, h, (scope) => {
        const image = scope.add(this.createScanoutImage(w, h, i, common, planeMods));
        const exp = image.exportDmabuf();
        let fb: FbId;
        try {
          fb = this.drm.framebufferFromDmabuf({
            fd: exp.fd, width: w, height: h, format: drmFormat, planes: exp.planes, modifier: withModifiers ? exp.modifier : undefined,
          });
        } finally {
          closeFd(exp.fd); // the framebuffer holds its own reference to the dmabuf
        }
        scope.defer(() => this.drm.removeFramebuffer(fb));
        this.modifier = exp.modifier;
        return { image, fb };
      });
    }
  }

  /** An exportable image with one of `common` modifiers, else LINEAR when the plane takes it. */
  private createScanoutImage(w: number, h: number, i: number, common: bigint[], planeMods: readonly bigint[]): Image {
    const create = (modifiers?: bigint[]) => Image.create(this.device, {
      width: w, height: h, format: this.format.vk,
      usage: ImageUsage.colorAttachment | ImageUsage.transferSrc,
      exportDmabuf: modifiers ? { modifiers } : {},
      what: `kms scanout image ${i}`,
    });
    if (!common.length || this.linearOnly) return create();
    try {
      return create(common);
    } catch (e) {
      if (!planeMods.includes(DRM_FORMAT_MOD_LINEAR)) throw e;
      log.warn(`kms: creating an image with modifiers ${common.map(modifierName).join(",")} failed (${e instanceof Error ? e.message : e}); using LINEAR`);
      this.linearOnly = true;
      return create();
    }
  }

  private allocateDumb(count: number, w: number, h: number): void {
    const { vk, drm: drmFormat, bytesPerPixel } = this.format;
    for (let i = 0; i < count; i++) {
      this.addTarget(FINAL_LAYOUT["dumb-copy"], w, h, (scope) => {
        const image = scope.add(Image.create(this.device, {
          width: w, height: h, format: vk, usage: ImageUsage.colorAttachment | ImageUsage.transferSrc, what: `kms offscreen image ${i}`,
        }));
        const staging = scope.add(VkBuffer.create(this.device, { size: w * h * bytesPerPixel, usage: BufferUsage.transferDst, memory: "host", what: `kms staging ${i}` }));
        const dumb = scope.add(DumbBuffer.create(this.drm, w, h, bytesPerPixel * 8));
        if (this.format === SCANOUT_XRGB8888) return { image, fb: dumb.fb, dumb, staging };
        const fb = this.drm.addFramebuffer({ width: w, height: h, format: drmFormat, handles: [dumb.handle], pitches: [dumb.pitch], offsets: [0] });
        scope.defer(() => this.drm.removeFramebuffer(fb)); // before the buffer goes (deferred after it, so closed first)
        return { image, fb, dumb, staging };
      });
    }
  }

  /** Makes one target in a child scope of the generation's (freed whole if any step fails). */
  private addTarget(
    finalLayout: ImageLayout, width: number, height: number,
    make: (scope: Scope) => Pick<KmsTarget, "image" | "fb" | "dumb" | "staging">,
  ): void {
    const scope = new Scope(`kms target ${this.targets.length}`);
    try {
      const parts = make(scope);
      const view = scope.add(parts.image.createView());
      this.targets.push({ ...parts, view, id: nextId++, width, height, format: this.format.vk, finalLayout, transform: this.transform, state: "free", inFence: -1 });
    } catch (e) {
      scope.close();
      throw e;
    }
    this.scope.defer(() => scope.close());
  }

  /** A free target, if any. */
  free(): KmsTarget | undefined {
    return this.targets.find((t) => t.state === "free");
  }

  /** Frees every target (the GPU and the display must be done with them). */
  close(): void {
    for (const t of this.targets.splice(0)) {
      if (t.inFence >= 0) closeFd(t.inFence);
      t.inFence = -1;
    }
    this.scope.close();
  }
}
