// KMS presentation: frames render into exportable Vulkan images that the display scans out directly
// (dmabuf -> PRIME import -> AddFB2), flipped with nonblocking atomic commits paced by page-flip
// events. An image is reused only once a later flip has taken it off screen. When the dmabuf cannot
// be imported, frames render offscreen and are copied into dumb buffers instead (logged).
import {
  Buffer as VkBuffer, BufferUsage, Format, Image, ImageLayout, ImageUsage, MOD_LINEAR, Semaphore, type CommandBuffer,
  type Device, type Fence,
} from "../vk/index.js";
import { close as closeFd } from "../sys/libc.js";
import { logger } from "../util/log.js";
import {
  AtomicRequest, chooseOutput, describeMode, DrmDevice, DRM_FORMAT_XRGB8888, DumbBuffer, guardState, modeRefresh,
  pickMode, takeVt, type FbId, type FlipEvent, type Output, type VtGuard,
} from "../drm/index.js";
import { FrameLoop } from "./frame-loop.js";
import type { RenderTarget, SwapchainBackend } from "./presenter.js";

const log = logger("present");
let nextId = 2_000_000;

export interface KmsOptions {
  /** DRM node (default: the first card with a connected display). */
  drm?: string | DrmDevice;
  /** Connector name, e.g. "Virtual-1", "HDMI-A-1". */
  connector?: string;
  /** "WxH" or "WxH@Hz"; default: a mode of exactly `size` if the display has one, else the preferred mode. */
  mode?: string;
  /** Wanted size; KMS renders at the mode's size, so this only picks the mode when `mode` is not given. */
  size?: readonly [number, number];
  /** Scanout images (default 3: one on screen, one queued, one rendering). */
  images?: number;
  /** Force the dumb-buffer copy path (tests, drivers whose import fails silently). */
  forceCopy?: boolean;
  /** "cpu-wait" forces waiting for each frame on the CPU instead of handing the plane an IN_FENCE_FD. */
  sync?: "auto" | "cpu-wait";
}

export type KmsPath = "prime" | "dumb-copy";

interface KmsTarget extends RenderTarget {
  fb: FbId;
  state: "free" | "rendering" | "queued" | "onscreen";
  /** dumb-copy path: the dumb buffer shown and the host buffer the GPU copies into */
  dumb?: DumbBuffer;
  staging?: VkBuffer;
}

export class KmsBackend implements SwapchainBackend {
  readonly name = "kms" as const;
  readonly format = Format.VK_FORMAT_B8G8R8A8_UNORM; // byte order B,G,R,X = DRM XRGB8888
  readonly finalLayout: ImageLayout;
  readonly size: readonly [number, number];
  readonly path: KmsPath;
  /** Why the dumb-buffer copy path is used, when it is. */
  readonly fallbackReason: string | undefined;
  readonly refresh: number;
  /**
   * "in-fence": each frame's render-finished semaphore goes to the plane as IN_FENCE_FD (a sync file)
   * and the kernel waits for it before scanning out; "cpu-wait": we wait on the frame's fence first.
   */
  readonly sync: "in-fence" | "cpu-wait";
  /** Signalled by each frame's own submission when sync is "in-fence" (see SwapchainBackend). */
  readonly renderFinished: Semaphore | undefined;
  private targets: KmsTarget[] = [];
  private modeset = true;
  private pendingFlip: Promise<FlipEvent> | undefined;
  private waiters: (() => void)[] = [];
  private failure: Error | undefined;
  private modifier: bigint | undefined;
  private readonly flips: FlipEvent[] = [];
  private counters = { presented: 0, missedVblanks: 0 };
  private destroyed = false;

  private constructor(
    readonly device: Device,
    readonly drm: DrmDevice,
    private readonly ownsDrm: boolean,
    readonly output: Output,
    private readonly guard: { restore(): void },
    private readonly vt: VtGuard,
    options: KmsOptions,
  ) {
    const { hdisplay: w, vdisplay: h } = output.mode;
    this.size = [w, h];
    this.refresh = modeRefresh(output.mode);
    const count = options.images ?? 3;
    let path: KmsPath = "prime";
    let why = "";
    if (options.forceCopy) {
      path = "dumb-copy";
      why = "forced";
    } else if (!device.canExportDmabuf) {
      path = "dumb-copy";
      why = "the Vulkan device cannot export dmabufs";
    } else {
      try {
        this.allocatePrime(count, w, h);
      } catch (e) {
        path = "dumb-copy";
        why = `dmabuf import failed: ${e instanceof Error ? e.message : e}`;
        this.freeTargets();
      }
    }
    if (path === "dumb-copy") {
      log.warn(`kms: falling back to dumb buffers + a copy per frame (${why})`);
      this.allocateDumb(count, w, h);
    }
    this.path = path;
    this.fallbackReason = path === "dumb-copy" ? why : undefined;
    this.finalLayout = path === "prime" ? ImageLayout.VK_IMAGE_LAYOUT_GENERAL : ImageLayout.VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
    // The dumb-copy path reads the frame on the CPU anyway; PRIME can hand the wait to the kernel.
    const canFence = device.has("VK_KHR_external_semaphore_fd") && drm.properties("plane", output.plane.id).has("IN_FENCE_FD");
    this.sync = path === "prime" && canFence && options.sync !== "cpu-wait" ? "in-fence" : "cpu-wait";
    if (this.sync === "in-fence") this.renderFinished = Semaphore.create(device, { exportable: true });
    for (const t of this.targets) (t as { finalLayout: ImageLayout }).finalLayout = this.finalLayout;
    log.info(`kms: ${output.connector.name} ${describeMode(output.mode)}, crtc ${output.crtc}, plane ${output.plane.id}, ${count} images, path ${path}` +
      (this.modifier !== undefined ? `, modifier 0x${this.modifier.toString(16)}` : "") + `, sync ${this.sync}`);
  }

  static open(device: Device, options: KmsOptions = {}): KmsBackend {
    const ownsDrm = !(options.drm instanceof DrmDevice);
    const drm = options.drm instanceof DrmDevice ? options.drm : DrmDevice.open(options.drm);
    let guard: { restore(): void } | undefined;
    let vt: VtGuard | undefined;
    try {
      if (!drm.atomic) throw new Error(`${drm.path}: the KMS presenter needs atomic modesetting`);
      if (!drm.isMaster()) throw new Error(`${drm.path}: not DRM master (a compositor or another program owns the display)`);
      let mode = options.mode;
      if (!mode && options.size) {
        // a mode of exactly the asked size, if the display has one
        const probe = chooseOutput(drm, { connector: options.connector });
        const spec = `${options.size[0]}x${options.size[1]}`;
        if (pickMode(probe.connector.modes, spec)) mode = spec;
        else log.info(`kms: no ${spec} mode on ${probe.connector.name}; using its preferred mode`);
      }
      const output = chooseOutput(drm, { connector: options.connector, mode, format: DRM_FORMAT_XRGB8888 });
      guard = guardState(drm);
      vt = takeVt(drm);
      logDeviceMatch(device, drm);
      return new KmsBackend(device, drm, ownsDrm, output, guard, vt, options);
    } catch (e) {
      try {
        guard?.restore();
        vt?.release();
      } finally {
        if (ownsDrm) drm.close();
      }
      throw e;
    }
  }

  private allocatePrime(count: number, w: number, h: number): void {
    const planeMods = this.output.plane.modifiers?.get(DRM_FORMAT_XRGB8888) ?? [MOD_LINEAR];
    const driverMods = this.device.physical.drmFormatModifiers(this.format).map((m) => m.modifier);
    const common = driverMods.filter((m) => planeMods.includes(m));
    if (driverMods.length && !common.length)
      throw new Error(`no modifier both Vulkan (${driverMods.map(hex).join(",")}) and plane ${this.output.plane.id} (${planeMods.map(hex).join(",")}) support`);
    if (!driverMods.length && !planeMods.includes(MOD_LINEAR)) throw new Error(`plane ${this.output.plane.id} cannot scan out LINEAR XRGB8888`);
    const withModifiers = this.drm.getCap("addFb2Modifiers") === 1n;
    for (let i = 0; i < count; i++) {
      const image = this.createScanoutImage(w, h, i, common, planeMods);
      const target: Partial<Mutable<KmsTarget>> & { image: Image } = { image };
      this.targets.push(target as KmsTarget); // freed by freeTargets on any failure below
      target.view = image.createView();
      const exp = image.exportDmabuf();
      let handle: number;
      try {
        handle = this.drm.importDmabuf(exp.fd);
      } finally {
        closeFd(exp.fd); // the GEM object holds its own reference to the dmabuf
      }
      try {
        target.fb = this.drm.addFramebuffer({
          width: w, height: h, format: DRM_FORMAT_XRGB8888, handles: [handle],
          pitches: [exp.planes[0]!.stride], offsets: [exp.planes[0]!.offset],
          modifier: withModifiers ? exp.modifier : undefined,
        });
      } finally {
        this.drm.closeHandle(handle); // the framebuffer keeps the buffer alive
      }
      this.modifier = exp.modifier;
      Object.assign(target, { id: nextId++, width: w, height: h, format: this.format, finalLayout: ImageLayout.VK_IMAGE_LAYOUT_GENERAL, state: "free" });
    }
  }

  /** An exportable image with one of `common` modifiers, else LINEAR when the plane takes it. */
  private createScanoutImage(w: number, h: number, i: number, common: bigint[], planeMods: readonly bigint[]): Image {
    const create = (modifiers?: bigint[]) => Image.create(this.device, {
      width: w, height: h, format: this.format,
      usage: ImageUsage.colorAttachment | ImageUsage.transferSrc,
      exportDmabuf: modifiers ? { modifiers } : {},
      what: `kms scanout image ${i}`,
    });
    if (!common.length || this.linearOnly) return create();
    try {
      return create(common);
    } catch (e) {
      if (!planeMods.includes(MOD_LINEAR)) throw e;
      log.warn(`kms: creating an image with modifiers ${common.map(hex).join(",")} failed (${e instanceof Error ? e.message : e}); using LINEAR`);
      this.linearOnly = true;
      return create();
    }
  }
  private linearOnly = false;

  private allocateDumb(count: number, w: number, h: number): void {
    for (let i = 0; i < count; i++) {
      const image = Image.create(this.device, {
        width: w, height: h, format: this.format, usage: ImageUsage.colorAttachment | ImageUsage.transferSrc, what: `kms offscreen image ${i}`,
      });
      const target: Partial<Mutable<KmsTarget>> & { image: Image } = { image };
      this.targets.push(target as KmsTarget);
      target.view = image.createView();
      target.staging = VkBuffer.create(this.device, { size: w * h * 4, usage: BufferUsage.transferDst, memory: "host", what: `kms staging ${i}` });
      target.dumb = DumbBuffer.create(this.drm, w, h);
      target.fb = target.dumb.fb;
      Object.assign(target, { id: nextId++, width: w, height: h, format: this.format, finalLayout: ImageLayout.VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, state: "free" });
    }
  }

  private freeTargets(): void {
    for (const t of this.targets) {
      if (t.fb !== undefined && !t.dumb && !this.drm.closed) {
        try {
          this.drm.removeFramebuffer(t.fb);
        } catch (e) {
          log.warn(`kms: RMFB ${t.fb}: ${e instanceof Error ? e.message : e}`);
        }
      }
      t.dumb?.destroy();
      t.staging?.destroy();
      t.view?.destroy();
      t.image?.destroy();
    }
    this.targets = [];
  }

  get endReason(): string | undefined {
    return this.failure ? `display failure: ${this.failure.message}` : undefined;
  }

  async acquire(): Promise<RenderTarget> {
    for (;;) {
      if (this.failure) throw this.failure;
      const t = this.targets.find((x) => x.state === "free");
      if (t) {
        t.state = "rendering";
        return t;
      }
      // all images are on screen or queued: the next flip frees one
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  recordAfter(cmd: CommandBuffer, target: RenderTarget): void {
    const t = target as KmsTarget;
    if (t.staging) cmd.copyImageToBuffer(t.image, t.staging, this.finalLayout);
  }

  async present(target: RenderTarget, rendered: Fence): Promise<void> {
    if (this.failure) throw this.failure;
    const t = target as KmsTarget;
    // in-fence: a sync file for this frame's rendering; -1 means the GPU has already finished.
    let inFence = this.renderFinished ? this.renderFinished.exportSyncFile() : -1;
    if (!this.renderFinished) rendered.wait(); // the display must get a finished image
    if (t.dumb) copyToDumb(t.staging!, t.dumb);
    try {
      await this.commit(t, inFence);
    } finally {
      if (inFence >= 0) closeFd(inFence); // the commit took its own reference to the fence
      inFence = -1;
    }
  }

  private async commit(t: KmsTarget, inFence: number): Promise<void> {
    const fence = inFence >= 0 ? { IN_FENCE_FD: inFence } : {};
    // one nonblocking commit in flight at a time (a second would be EBUSY): this is the pacing
    if (this.pendingFlip) await this.pendingFlip;
    if (this.failure) throw this.failure;
    const req = new AtomicRequest(this.drm);
    const { output } = this;
    if (this.modeset) {
      const [w, h] = this.size;
      const blob = this.drm.createModeBlob(output.mode);
      try {
        req.connector(output.connector.id, { CRTC_ID: output.crtc })
          .crtc(output.crtc, { ACTIVE: 1, MODE_ID: blob })
          .plane(output.plane.id, {
            FB_ID: t.fb, CRTC_ID: output.crtc, ...fence,
            SRC_X: { fixed16: 0 }, SRC_Y: { fixed16: 0 }, SRC_W: { fixed16: w }, SRC_H: { fixed16: h },
            CRTC_X: 0, CRTC_Y: 0, CRTC_W: w, CRTC_H: h,
          });
        this.pendingFlip = this.track(t, req.commit({ allowModeset: true, nonblock: true, pageFlipEvent: true }).flip!);
      } finally {
        this.drm.destroyBlob(blob); // the committed CRTC state holds its own reference
      }
      this.modeset = false;
    } else {
      req.plane(output.plane.id, { FB_ID: t.fb, ...fence });
      this.pendingFlip = this.track(t, req.commit({ nonblock: true, pageFlipEvent: true, preflight: false }).flip!);
    }
    t.state = "queued";
    this.counters.presented++;
  }

  private track(t: KmsTarget, flip: Promise<FlipEvent>): Promise<FlipEvent> {
    return flip.then(
      (ev) => {
        const last = this.flips[this.flips.length - 1];
        if (last) this.counters.missedVblanks += Math.max(0, ev.sequence - last.sequence - 1);
        this.flips.push(ev);
        if (this.flips.length > 1000) this.flips.splice(0, 500);
        for (const x of this.targets) if (x.state === "onscreen") x.state = "free";
        t.state = "onscreen";
        this.pendingFlip = undefined;
        this.waiters.splice(0).forEach((w) => w());
        return ev;
      },
      (e: Error) => {
        this.failure ??= e;
        this.pendingFlip = undefined;
        this.waiters.splice(0).forEach((w) => w());
        throw e;
      },
    );
  }

  /** Resolves once no flip is queued (the last presented image is on screen). */
  async idle(): Promise<void> {
    while (this.pendingFlip) await this.pendingFlip;
  }

  /** Framebuffer ids of the scanout images (for tests and debugging). */
  get framebuffers(): FbId[] {
    return this.targets.map((t) => t.fb);
  }

  /** The flip events seen (the last 500-1000), oldest first. */
  get flipEvents(): readonly FlipEvent[] {
    return this.flips;
  }

  stats(): Record<string, number | string> {
    const f = this.flips;
    // the modeset's flip is left out: its timestamp predates the new mode's vblank timeline
    const steady = f.length && f === this.flips && this.counters.presented === f.length ? f.slice(1) : f;
    const span = steady.length > 1 ? (steady[steady.length - 1]!.timeUs - steady[0]!.timeUs) / 1e6 : 0;
    return {
      path: this.path,
      sync: this.sync,
      ...(this.modifier !== undefined ? { modifier: `0x${this.modifier.toString(16)}` } : {}),
      mode: describeMode(this.output.mode),
      presented: this.counters.presented,
      flips: f.length,
      missedVblanks: this.counters.missedVblanks,
      ...(span > 0 ? { flipsPerSecond: Number(((steady.length - 1) / span).toFixed(2)) } : {}),
    };
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    try {
      if (this.pendingFlip) await this.pendingFlip.catch(() => undefined);
      this.device.waitIdle();
      this.guard.restore(); // puts the saved framebuffer back before ours disappear
    } finally {
      this.vt.release();
      this.freeTargets();
      this.renderFinished?.destroy();
      if (this.ownsDrm) this.drm.close();
    }
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function hex(m: bigint): string {
  return `0x${m.toString(16)}`;
}

/** Copies the GPU's tightly packed rows into the dumb buffer's pitched rows. */
function copyToDumb(staging: VkBuffer, dumb: DumbBuffer): void {
  const src = new Uint8Array(staging.mapped);
  const dst = new Uint8Array(dumb.pixels.buffer);
  const row = dumb.width * 4;
  if (dumb.pitch === row) {
    dst.set(src.subarray(0, row * dumb.height));
    return;
  }
  for (let y = 0; y < dumb.height; y++) dst.set(src.subarray(y * row, (y + 1) * row), y * dumb.pitch);
}

/** DESIGN: match the KMS device to the Vulkan device by PCI bus; software renderers cannot match. */
function logDeviceMatch(device: Device, drm: DrmDevice): void {
  const pci = device.physical.pciBusInfo;
  log.info(`kms: rendering on ${device.physical.name}${pci ? "" : " (no PCI bus info: cannot match it to the display; buffers are shared by dmabuf)"}, display ${drm.path}`);
}

/** For openPresenter: `registerBackend("kms", kmsBackendOpener)`. */
export const kmsBackendOpener = async (
  _instance: unknown,
  o: { device: Device; ownsDevice: boolean; size: readonly [number, number]; connector?: string; mode?: string },
): Promise<FrameLoop> => openKmsPresenter(o.device, { size: o.size, connector: o.connector, mode: o.mode }, o.ownsDevice);

/** A KMS Presenter: `openKmsPresenter(device, { connector, mode, size })`. */
export async function openKmsPresenter(device: Device, options: KmsOptions = {}, ownsDevice = false): Promise<FrameLoop> {
  const backend = KmsBackend.open(device, options);
  try {
    return new FrameLoop(backend, ownsDevice);
  } catch (e) {
    await backend.destroy();
    throw e;
  }
}
