// KMS presentation: frames render into exportable Vulkan images that the display scans out directly
// (dmabuf -> PRIME import -> AddFB2), flipped with nonblocking atomic commits paced by page-flip
// events. An image is reused only once a later flip has taken it off screen. When the dmabuf cannot
// be imported, frames render offscreen and are copied into dumb buffers instead (logged).
import {
  Buffer as VkBuffer, BufferUsage, Format, Image, ImageLayout, ImageUsage, Scope, Semaphore, type CommandBuffer,
  type Device, type Fence,
} from "../vk/index.js";
import { formatPciAddress, samePciAddress } from "../sys/dev.js";
import { close as closeFd } from "../sys/libc.js";
import { logger } from "../util/log.js";
import { monotonicToNowMs, type FrameTracer } from "../util/trace.js";
import {
  addModeset, AtomicRequest, chooseOutput, describeMode, DrmDevice, DrmUnavailableError, DRM_FORMAT_MOD_LINEAR,
  DRM_FORMAT_XRGB8888, DumbBuffer, FlipLog, fullScreenPlane, guardState, modeRefresh, pciAddressOfNode, KmsSession, type FbId, type FlipEvent, type Output,
  type PropertyValues,
} from "../drm/index.js";
import { openFrameLoop, type FrameLoop } from "./frame-loop.js";
import type { RenderTarget, SwapchainBackend } from "./presenter.js";
import { Pacing, pacingOf, type PacingOptions } from "./pacing.js";
import { FlipTimeoutError, flipTimeoutMs, settleKmsMode } from "./pacing-kms.js";
import { KmsSeat, type KmsSeatHost, type KmsSeatOptions } from "../input/kms-seat.js";
import type { InputSource } from "../input/queue.js";

const log = logger("present");
let nextId = 2_000_000;

/** Options of the KMS backend, which shows frames full screen on a display through DRM atomic modesetting (needs DRM master: run from a VT, not under a compositor). */
export interface KmsOptions extends PacingOptions {
  /** DRM node (default: the first card with a connected display). */
  drm?: string | DrmDevice;
  /** Input through libinput, the pointer on the cursor plane and Ctrl+Alt+Fn (default true; false: none; see KmsSeatOptions). */
  input?: KmsSeatOptions;
  /** Connector name, e.g. "Virtual-1", "HDMI-A-1". */
  connector?: string;
  /** "WxH" or "WxH@Hz"; default: a mode of exactly `size` if the display has one, else the preferred mode. */
  mode?: string;
  /** Wanted size; KMS renders at the mode's size, so this only picks the mode when `mode` is not given. */
  size?: readonly [number, number];
  /** Scanout images (default 3: one on screen, one queued, one rendering; mailbox and immediate 4: one more held). */
  images?: number;
  /** How long a page flip may take before the presenter fails with FlipTimeoutError (default: ten refreshes, at least 1000 ms). */
  flipTimeoutMs?: number;
  /** Force the dumb-buffer copy path (tests, drivers whose import fails silently). */
  forceCopy?: boolean;
  /** "cpu-wait" forces waiting for each frame on the CPU instead of handing the plane an IN_FENCE_FD. */
  sync?: "auto" | "cpu-wait";
}

/** How frames reach the display: "prime" scans the Vulkan images out directly (exported as dmabufs and imported as framebuffers); "dumb-copy" copies each frame into a CPU-mapped dumb buffer when that import is not possible. */
export type KmsPath = "prime" | "dumb-copy";

/** The layout frames leave a target in: scanned out as it is, or copied out of. */
const FINAL_LAYOUT: Record<KmsPath, ImageLayout> = {
  prime: ImageLayout.VK_IMAGE_LAYOUT_GENERAL,
  "dumb-copy": ImageLayout.VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
};

interface KmsTarget extends RenderTarget {
  readonly fb: FbId;
  /** "held": finished, waiting for the queued flip (mailbox), replaced when a newer frame finishes. */
  state: "free" | "rendering" | "held" | "queued" | "onscreen";
  /** dumb-copy path: the dumb buffer shown and the host buffer the GPU copies into */
  readonly dumb?: DumbBuffer;
  readonly staging?: VkBuffer;
  /** Owns the target's image, view, framebuffer and buffers. */
  readonly scope: Scope;
}

export class KmsBackend implements SwapchainBackend {
  readonly name = "kms" as const;
  readonly format: Format = Format.VK_FORMAT_B8G8R8A8_UNORM; // byte order B,G,R,X = DRM XRGB8888
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
  /** The queued frame flip (see track()): its target and frame, whether it is a modeset, and how to settle pendingFlip. */
  private flipTarget: KmsTarget | undefined;
  private flipFrame = -1;
  private flipModeset = false;
  private resolveFlip: ((ev: FlipEvent) => void) | undefined;
  private rejectFlip: ((e: Error) => void) | undefined;
  private flipWatchdog: NodeJS.Timeout | undefined;
  private waiters: (() => void)[] = [];
  private failure: Error | undefined;
  private modifier: bigint | undefined;
  /** Set once creating an image with modifiers failed: the other images use LINEAR straight away. */
  private linearOnly = false;
  private readonly flips = new FlipLog();
  private presented = 0;
  private destroyed = false;
  /** Where page flips (and the frame each took off screen) are recorded, and the frame on screen. */
  private tracer: FrameTracer | undefined;
  private onScreenFrame = -1;
  /** Present mode, presentation records and the predicted present time (see pacing.ts). */
  readonly pacing: Pacing;
  private readonly flipTimeout: number;
  /** mailbox: the newest finished frame waiting for the queued flip, with its in-fence (-1: none). */
  private held: { target: KmsTarget; inFence: number; frame: number } | undefined;
  /** Input, cursor and VT switching (src/input/kms-seat.ts). */
  readonly seat: KmsSeat;
  /** Keyboard, pointer and touch events from libinput (undefined when input is off or could not start). */
  readonly input: InputSource | undefined;

  private constructor(
    readonly device: Device,
    readonly drm: DrmDevice,
    private readonly ownsDrm: boolean,
    readonly output: Output,
    private readonly guard: { restore(): void },
    private readonly session: KmsSession,
    options: KmsOptions,
  ) {
    const { hdisplay: w, vdisplay: h } = output.mode;
    this.size = [w, h];
    this.refresh = modeRefresh(output.mode);
    this.pacing = new Pacing(pacingOf(options));
    settleKmsMode(drm, this.pacing);
    if (this.refresh > 0) this.pacing.setRefresh(1000 / this.refresh);
    this.flipTimeout = flipTimeoutMs(this.refresh, options.flipTimeoutMs);
    const count = options.images ?? (this.pacing.mode === "fifo" ? 3 : 4);
    // one image on screen and one to render into at the least, or acquire() would wait forever
    if (!Number.isInteger(count) || count < 2) throw new RangeError(`kms: images must be an integer of at least 2, got ${count}`);
    try {
      const fallback = options.forceCopy ? "forced"
        : !device.canExportDmabuf ? "the Vulkan device cannot export dmabufs"
        : this.tryPrime(count, w, h);
      if (fallback !== undefined) {
        log.warn(`kms: falling back to dumb buffers + a copy per frame (${fallback})`);
        this.allocateDumb(count, w, h);
      }
      this.fallbackReason = fallback;
      this.path = fallback === undefined ? "prime" : "dumb-copy";
      this.finalLayout = FINAL_LAYOUT[this.path];
      // The dumb-copy path reads the frame on the CPU anyway; PRIME can hand the wait to the kernel.
      const canFence = device.has("VK_KHR_external_semaphore_fd") && drm.properties("plane", output.plane.id).has("IN_FENCE_FD");
      this.sync = this.path === "prime" && canFence && options.sync !== "cpu-wait" ? "in-fence" : "cpu-wait";
      this.renderFinished = this.sync === "in-fence" ? Semaphore.create(device, { exportable: true }) : undefined;
    } catch (e) {
      this.freeTargets();
      throw e;
    }
    log.info(`kms: ${output.connector.name} ${describeMode(output.mode)}, crtc ${output.crtc}, plane ${output.plane.id}, ${count} images, path ${this.path}` +
      (this.modifier !== undefined ? `, modifier 0x${this.modifier.toString(16)}` : "") + `, sync ${this.sync}, present mode ${this.pacing.mode}` +
      (this.pacing.reason ? ` (${this.pacing.reason})` : ""));
    this.seat = KmsSeat.open(this.seatHost(), options.input);
    session.leaving.add((leave) => leave.waitFor(this.idle())); // the last flip lands before master is dropped
    session.returned.add(() => void (this.modeset = true)); // the console set its own mode meanwhile
    this.input = this.seat.input;
  }

  /** What the seat (input, cursor, VT switching) may do with the display. */
  private seatHost(): KmsSeatHost {
    return {
      drm: this.drm, output: this.output, session: this.session,
      commitSide: (add, preflight) => this.commitSide(add, preflight),
    };
  }

  /** A commit of the seat's own (the cursor) when no frame is in flight; the next frame waits for its flip. */
  private commitSide(add: (req: AtomicRequest) => void, preflight: boolean): boolean {
    if (this.pendingFlip || this.modeset || this.held || this.destroyed || this.failure || this.seat.suspended) return false;
    const req = new AtomicRequest(this.drm);
    add(req);
    const flip = req.commit({ nonblock: true, pageFlipEvent: true, preflight }).flip;
    this.pendingFlip = flip.then((ev) => {
      this.pendingFlip = undefined;
      this.seat.afterFlip();
      this.waiters.splice(0).forEach((w) => w());
      return ev;
    }, (e: Error) => {
      this.failure ??= e;
      this.pendingFlip = undefined;
      this.waiters.splice(0).forEach((w) => w());
      throw e;
    });
    return true;
  }

  /** Opens the display (a DrmDevice of its own unless options.drm is one), saving its state for restore. */
  static open(device: Device, options: KmsOptions = {}): KmsBackend {
    const undo = new Scope("KmsBackend.open"); // what to put back if opening fails half-way
    try {
      const drm = options.drm instanceof DrmDevice ? options.drm : DrmDevice.open(options.drm);
      const ownsDrm = drm !== options.drm;
      if (ownsDrm) undo.defer(() => drm.close());
      if (!drm.atomic) throw new DrmUnavailableError(`${drm.path}: the KMS presenter needs atomic modesetting, which this driver lacks`);
      if (!drm.isMaster()) throw new DrmUnavailableError(`${drm.path}: not DRM master (a compositor or another program owns the display)`);
      const output = chooseOutput(drm, { connector: options.connector, mode: options.mode, size: options.size, format: DRM_FORMAT_XRGB8888 });
      // the VT first, so that every way out restores the display before handing the VT back
      const session = KmsSession.take(drm);
      undo.defer(() => session.close());
      const guard = guardState(drm);
      undo.defer(() => guard.restore());
      logDeviceMatch(device, drm);
      return new KmsBackend(device, drm, ownsDrm, output, guard, session, options);
    } catch (e) {
      try {
        undo.close();
      } catch (undoError) {
        log.warn(`kms: while giving the display back: ${undoError instanceof Error ? undoError.message : undoError}`);
      }
      throw e;
    }
  }

  /** Allocates PRIME targets; undefined on success, else why not (nothing is left allocated then). */
  private tryPrime(count: number, w: number, h: number): string | undefined {
    try {
      this.allocatePrime(count, w, h);
      return undefined;
    } catch (e) {
      this.freeTargets();
      return `dmabuf import failed: ${e instanceof Error ? e.message : e}`;
    }
  }

  private allocatePrime(count: number, w: number, h: number): void {
    const planeMods = this.output.plane.modifiers?.get(DRM_FORMAT_XRGB8888) ?? [DRM_FORMAT_MOD_LINEAR];
    const driverMods = this.device.physical.drmFormatModifiers(this.format).map((m) => m.modifier);
    const common = driverMods.filter((m) => planeMods.includes(m));
    if (driverMods.length && !common.length)
      throw new Error(`no modifier both Vulkan (${driverMods.map(hex).join(",")}) and plane ${this.output.plane.id} (${planeMods.map(hex).join(",")}) support`);
    if (!driverMods.length && !planeMods.includes(DRM_FORMAT_MOD_LINEAR)) throw new Error(`plane ${this.output.plane.id} cannot scan out LINEAR XRGB8888`);
    const withModifiers = this.drm.getCap("addFb2Modifiers") === 1n;
    for (let i = 0; i < count; i++) {
      this.addTarget(FINAL_LAYOUT.prime, w, h, (scope) => {
        const image = scope.add(this.createScanoutImage(w, h, i, common, planeMods));
        const exp = image.exportDmabuf();
        let fb: FbId;
        try {
          fb = this.drm.framebufferFromDmabuf({
            fd: exp.fd, width: w, height: h, format: DRM_FORMAT_XRGB8888, planes: exp.planes, modifier: withModifiers ? exp.modifier : undefined,
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
      width: w, height: h, format: this.format,
      usage: ImageUsage.colorAttachment | ImageUsage.transferSrc,
      exportDmabuf: modifiers ? { modifiers } : {},
      what: `kms scanout image ${i}`,
    });
    if (!common.length || this.linearOnly) return create();
    try {
      return create(common);
    } catch (e) {
      if (!planeMods.includes(DRM_FORMAT_MOD_LINEAR)) throw e;
      log.warn(`kms: creating an image with modifiers ${common.map(hex).join(",")} failed (${e instanceof Error ? e.message : e}); using LINEAR`);
      this.linearOnly = true;
      return create();
    }
  }

  private allocateDumb(count: number, w: number, h: number): void {
    for (let i = 0; i < count; i++) {
      this.addTarget(FINAL_LAYOUT["dumb-copy"], w, h, (scope) => {
        const image = scope.add(Image.create(this.device, {
          width: w, height: h, format: this.format, usage: ImageUsage.colorAttachment | ImageUsage.transferSrc, what: `kms offscreen image ${i}`,
        }));
        const staging = scope.add(VkBuffer.create(this.device, { size: w * h * 4, usage: BufferUsage.transferDst, memory: "host", what: `kms staging ${i}` }));
        const dumb = scope.add(DumbBuffer.create(this.drm, w, h));
        return { image, fb: dumb.fb, dumb, staging };
      });
    }
  }

  /** Makes one target in its own scope (freed whole if any step fails) and adds it to the free ones. */
  private addTarget(
    finalLayout: ImageLayout, width: number, height: number,
    make: (scope: Scope) => Pick<KmsTarget, "image" | "fb" | "dumb" | "staging">,
  ): void {
    const scope = new Scope(`kms target ${this.targets.length}`);
    try {
      const parts = make(scope);
      const view = scope.add(parts.image.createView());
      this.targets.push({ ...parts, view, scope, id: nextId++, width, height, format: this.format, finalLayout, state: "free" });
    } catch (e) {
      scope.close();
      throw e;
    }
  }

  private freeTargets(): void {
    for (const t of this.targets.splice(0)) t.scope.close();
  }

  get endReason(): string | undefined {
    return this.failure ? `display failure: ${this.failure.message}` : undefined;
  }

  async acquire(): Promise<RenderTarget> {
    for (;;) {
      if (this.failure) throw this.failure;
      const t = this.targets.find((x) => x.state === "free") ?? this.takeHeld();
      if (t) {
        t.state = "rendering";
        return t;
      }
      // all images are on screen or queued: the next flip frees one (a flip that never comes fails
      // the pending flip's promise after flipTimeout, which wakes this wait too)
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** mailbox: the held frame's image, taken back (the frame is dropped) when no image is free. */
  private takeHeld(): KmsTarget | undefined {
    const held = this.held;
    if (!held) return undefined;
    this.held = undefined;
    if (held.inFence >= 0) closeFd(held.inFence);
    this.pacing.dropped++;
    return held.target;
  }

  /** When a frame handed out now should be on screen: after the queued flip, if any (performance.now() ms). */
  predictPresentMs(nowMs: number): number {
    return this.pacing.predict(nowMs, this.pendingFlip ? 1 : 0);
  }

  recordAfter(cmd: CommandBuffer, target: RenderTarget): void {
    const t = target as KmsTarget;
    if (t.staging) cmd.copyImageToBuffer(t.image, t.staging, this.finalLayout);
  }

  async present(target: RenderTarget, rendered: Fence, frameIndex: number): Promise<void> {
    if (this.seat.suspended) await this.seat.whileAway(); // another VT is shown: no flips until we are back
    if (this.destroyed) return; // closed while away
    if (this.failure) throw this.failure;
    const t = target as KmsTarget;
    // in-fence: a sync file for this frame's rendering; -1 means the GPU has already finished.
    const inFence = this.renderFinished ? this.renderFinished.exportSyncFile() : -1;
    if (!this.renderFinished) rendered.wait(); // the display must get a finished image
    if (t.dumb && t.staging) t.dumb.write(new Uint8Array(t.staging.mapped));
    if (this.pacing.mode !== "fifo" && this.pendingFlip) {
      // mailbox: a flip is queued; this frame waits for it, replacing an older waiting one
      this.dropHeld();
      t.state = "held";
      this.held = { target: t, inFence, frame: frameIndex };
      return;
    }
    this.dropHeld(); // older than this frame (the flip it waited for was not ours to follow up)
    try {
      // fifo: one nonblocking commit in flight at a time (a second would be EBUSY): this is the pacing
      while (this.pendingFlip) await this.pendingFlip; // (a loop: the cursor may commit after a flip)
      if (this.failure) throw this.failure;
      this.commit(t, inFence, frameIndex);
    } finally {
      if (inFence >= 0) closeFd(inFence); // the commit took its own reference to the fence
    }
  }

  /** Drops the held frame, if any: its image is free again. */
  private dropHeld(): void {
    const held = this.held;
    if (!held) return;
    this.held = undefined;
    held.target.state = "free";
    if (held.inFence >= 0) closeFd(held.inFence);
    this.pacing.dropped++;
  }

  /** mailbox: after a flip, the held frame (the newest finished one) is committed at once. */
  private commitHeld(): void {
    const held = this.held;
    if (!held || this.destroyed || this.failure || this.seat.suspended) return;
    this.held = undefined;
    try {
      this.commit(held.target, held.inFence, held.frame);
    } catch (e) {
      this.failure ??= e as Error;
      held.target.state = "free";
    } finally {
      if (held.inFence >= 0) closeFd(held.inFence);
    }
  }

  private commit(t: KmsTarget, inFence: number, frame: number): void {
    const fence: PropertyValues<"plane"> = inFence >= 0 ? { IN_FENCE_FD: inFence } : {};
    const req = new AtomicRequest(this.drm);
    this.seat.addToCommit(req); // a cursor move rides along with the frame
    const { output } = this;
    if (this.modeset) {
      const blob = this.drm.createModeBlob(output.mode);
      try {
        addModeset(req, output, blob, { ...fullScreenPlane(output, t.fb), ...fence });
        this.pendingFlip = this.track(t, req.commit({ allowModeset: true, nonblock: true, pageFlipEvent: true }).flip, frame);
      } finally {
        this.drm.destroyBlob(blob); // the committed CRTC state holds its own reference
      }
      this.modeset = false;
    } else {
      req.plane(output.plane.id, { FB_ID: t.fb, ...fence });
      this.pendingFlip = this.track(t, req.commit({ nonblock: true, pageFlipEvent: true, preflight: false }).flip, frame);
    }
    t.state = "queued";
    this.presented++;
    this.pacing.presented++;
  }

  /** Records page flips into `tracer` (see SwapchainBackend.traceTo). */
  traceTo(tracer: FrameTracer | undefined): void {
    this.tracer = tracer;
    this.onScreenFrame = -1; // frame numbers start again with each run
  }

  /**
   * The queued frame flip as the promise pendingFlip holds: it settles when the page-flip event
   * comes, or fails with FlipTimeoutError after flipTimeout. One watchdog timer serves every flip
   * (re-armed with refresh(), referenced only while a flip is queued) and the handlers are made
   * once, so a flip costs one promise here instead of a timer, a race and their closures.
   */
  private track(t: KmsTarget, flip: Promise<FlipEvent>, frame: number): Promise<FlipEvent> {
    this.flipTarget = t;
    this.flipFrame = frame;
    this.flipModeset = this.modeset;
    const tracked = new Promise<FlipEvent>(this.captureFlip);
    flip.then(this.onFlip, this.onFlipFailed);
    if (this.flipWatchdog) this.flipWatchdog.ref().refresh();
    else this.flipWatchdog = setTimeout(this.onFlipTimeout, this.flipTimeout);
    // the failure is kept in this.failure and thrown by the next acquire/present; a flip nobody awaits
    // any more (the loop already ended) must not become an unhandled rejection
    tracked.catch(ignore);
    return tracked;
  }

  private readonly captureFlip = (resolve: (ev: FlipEvent) => void, reject: (e: Error) => void): void => {
    this.resolveFlip = resolve;
    this.rejectFlip = reject;
  };

  /** The queued frame flip's event came (ignored when it comes after the flip timed out). */
  private readonly onFlip = (ev: FlipEvent): void => {
    const resolve = this.resolveFlip;
    const reject = this.rejectFlip;
    if (!resolve || !reject) return;
    this.resolveFlip = this.rejectFlip = undefined;
    this.flipWatchdog?.unref(); // keeps ticking unreferenced; it finds no flip queued when it fires
    const t = this.flipTarget!;
    const frame = this.flipFrame;
    const modeset = this.flipModeset;
    this.flipTarget = undefined;
    try {
      this.flips.add(ev);
      if (this.tracer) this.traceFlip(this.tracer, frame, ev, modeset);
      for (const x of this.targets) if (x.state === "onscreen") x.state = "free";
      t.state = "onscreen";
      this.pendingFlip = undefined;
      // a modeset's flip carries a time from before the new mode's vblanks: use its arrival
      const atMs = modeset ? performance.now() : monotonicToNowMs(ev.timeUs / 1000);
      this.pacing.onPresented({ frame, atMs, zeroCopy: this.path === "prime", vsync: true, refreshMs: this.refresh > 0 ? 1000 / this.refresh : undefined });
      this.commitHeld();
      this.seat.afterFlip();
      this.wakeWaiters();
    } catch (e) {
      reject(e as Error);
      return;
    }
    resolve(ev);
  };

  /** The queued frame flip failed or timed out: the display has failed. */
  private readonly onFlipFailed = (e: Error): void => {
    const reject = this.rejectFlip;
    if (!reject) return;
    this.resolveFlip = this.rejectFlip = undefined;
    this.flipWatchdog?.unref();
    this.flipTarget = undefined;
    this.failure ??= e;
    this.pendingFlip = undefined;
    this.wakeWaiters();
    reject(e);
  };

  private readonly onFlipTimeout = (): void => {
    // refresh() restarts the timer for each flip, so when it fires with a flip queued, that flip is late
    if (this.rejectFlip) this.onFlipFailed(new FlipTimeoutError(this.output.connector.name, this.flipFrame, this.flipTimeout));
  };

  /** Wakes acquire()'s waits for a free target (allocates only when someone waits). */
  private wakeWaiters(): void {
    const waiting = this.waiters;
    if (waiting.length === 0) return;
    this.waiters = [];
    for (const w of waiting) w();
  }

  /**
   * The flip at its kernel timestamp (CLOCK_MONOTONIC), and the release of the frame it took off
   * screen. A modeset's flip carries a time from before the new mode's vblanks (vkms: seconds
   * earlier), so it is placed where its event arrived.
   */
  private traceFlip(tracer: FrameTracer, frame: number, ev: FlipEvent, modeset: boolean): void {
    const atMs = modeset ? performance.now() : monotonicToNowMs(ev.timeUs / 1000);
    tracer.point("flip", frame, atMs, ev.sequence);
    if (this.onScreenFrame >= 0) tracer.point("release", this.onScreenFrame, atMs);
    this.onScreenFrame = frame;
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
    return this.flips.events;
  }

  stats(): Record<string, number | string> {
    const rate = this.flips.flipsPerSecond;
    return {
      path: this.path,
      sync: this.sync,
      ...(this.modifier !== undefined ? { modifier: `0x${this.modifier.toString(16)}` } : {}),
      mode: describeMode(this.output.mode),
      presented: this.presented,
      flips: this.flips.events.length,
      flipTimeoutMs: this.flipTimeout,
      missedVblanks: this.flips.missedVblanks,
      ...(rate !== undefined ? { flipsPerSecond: Number(rate.toFixed(2)) } : {}),
    };
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    try {
      if (this.pendingFlip) await this.pendingFlip.catch(() => undefined);
      if (this.held && this.held.inFence >= 0) closeFd(this.held.inFence);
      this.held = undefined;
      this.device.waitIdle();
      if (!this.seat.suspended) this.guard.restore(); // puts the saved framebuffer back before ours disappear
      else {
        try {
          this.guard.restore();
        } catch {
          log.info("kms: closed while another VT is shown, which owns the display now: nothing of ours is on it, nothing to restore");
        }
      }
    } finally {
      clearTimeout(this.flipWatchdog); // after the last flip (awaited above): no flip is queued any more
      this.seat.close(); // after restore: the cursor's framebuffer is no longer shown
      this.session.close();
      this.freeTargets();
      this.renderFinished?.destroy();
      if (this.ownsDrm) this.drm.close();
    }
  }
}

/** Swallows a rejection that is reported elsewhere. */
function ignore(): void {}

function hex(m: bigint): string {
  return `0x${m.toString(16)}`;
}

/** Says whether the Vulkan device is the display's device (same PCI address); a software renderer has none. */
function logDeviceMatch(device: Device, drm: DrmDevice): void {
  const ours = device.physical.pciBusInfo;
  const display = pciAddressOfNode(drm.path);
  const how = !ours ? "no PCI address (a software renderer)"
    : !display ? `${drm.path} is not a PCI device`
    : samePciAddress(ours, display) ? `the same device as ${drm.path}`
    : `not ${drm.path}'s device (${formatPciAddress(display)})`;
  log.info(`kms: rendering on ${device.physical.name}: ${how}; frames reach the display as dmabufs`);
}

/** For openPresenter: `registerBackend("kms", kmsBackendOpener)`. */
export const kmsBackendOpener = async (
  _instance: unknown,
  o: { device: Device; ownsDevice: boolean; size: readonly [number, number]; connector?: string; mode?: string } & PacingOptions,
): Promise<FrameLoop> => openKmsPresenter(o.device, { size: o.size, connector: o.connector, mode: o.mode, ...pacingOf(o) }, o.ownsDevice);

/**
 * A KMS Presenter: `openKmsPresenter(device, { connector, mode, size })`. When KMS cannot work on this
 * machine (no DRM device, no permission on the node, another process is DRM master, no atomic
 * modesetting, no display connected) it throws BackendUnavailableError, so automatic backend choice
 * moves on; any other error is a real failure and propagates unchanged.
 */
export async function openKmsPresenter(device: Device, options: KmsOptions = {}, ownsDevice = false): Promise<FrameLoop> {
  return openFrameLoop("kms", () => KmsBackend.open(device, options), ownsDevice);
}
