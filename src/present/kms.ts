// KMS presentation: frames render into targets the display scans out (kms-targets.ts), and the
// output is a display sink behind the present queue (present-queue.ts): showing a target is a
// nonblocking atomic commit, "display ready" is its page-flip event (kms-flips.ts). A target is
// reused only once a later flip has taken it off screen.
import { Semaphore, type CommandBuffer, type Format, type Device, type Fence, type ImageLayout } from "../vk/index.js";
import { close as closeFd } from "../sys/libc.js";
import { logger } from "../util/log.js";
import { modifierName } from "../util/fourcc.js";
import { monotonicToNowMs, type FrameTracer } from "../util/trace.js";
import {
  addModeset, AtomicError, AtomicRequest, type BlobBag, chooseOutput, describeMode, DrmDevice, DRM_FORMAT_XRGB8888, fullScreenPlane,
  KmsSession, modeRefresh, type FbId, type FlipEvent, type Output, type PropertyValues,
} from "../drm/index.js";
import type { RenderTarget, SwapchainBackend } from "./presenter.js";
import { pacingOf, type Pacing } from "./pacing.js";
import { flipTimeoutMs, settleKmsMode } from "./pacing-kms.js";
import { PresentQueue, type DisplaySink } from "./present-queue.js";
import { FINAL_LAYOUT, hex, KmsTargets, type KmsPath, type KmsTarget } from "./kms-targets.js";
import { KmsColour } from "./kms-colour.js";
import { logDeviceMatch } from "./kms-open.js";
import { takeDisplay } from "./kms-take.js";
import type { ColourState } from "../util/colour.js";
import { FlipTracker, type CompletedFlip } from "./kms-flips.js";
import { KmsSeat, type KmsSeatHost } from "../input/kms-seat.js";
import type { KmsOptions } from "./kms-options.js";
import type { InputSource } from "../input/queue.js";
import { KmsFeatures } from "./kms-features.js";

export type { KmsPath } from "./kms-targets.js";
export type { KmsOptions } from "./kms-options.js";
export { kmsBackendOpener, openKmsPresenter } from "./kms-open.js";

const log = logger("present");

export class KmsBackend implements SwapchainBackend, DisplaySink<KmsTarget> {
  readonly name = "kms" as const;
  readonly format: Format;
  readonly finalLayout: ImageLayout;
  readonly size: readonly [number, number];
  readonly refresh: number;
  /**
   * "in-fence": each frame's render-finished semaphore goes to the plane as IN_FENCE_FD (a sync file)
   * and the kernel waits for it before scanning out; "cpu-wait": we wait on the frame's fence first.
   */
  readonly sync: "in-fence" | "cpu-wait";
  /** Signalled by each frame's own submission when sync is "in-fence" (see SwapchainBackend). */
  readonly renderFinished: Semaphore | undefined;
  /** fifo, mailbox, immediate and the heartbeat, with this output as the sink (present-queue.ts). */
  private readonly queue: PresentQueue<KmsTarget>;
  private readonly targets: KmsTargets;
  private readonly flips: FlipTracker;
  private modeset = true;
  private failure: Error | undefined;
  private presented = 0;
  private destroyed = false;
  /** acquire()'s waits for a free target, woken by each flip. */
  private waiters: (() => void)[] = [];
  /** Where page flips (and the frame each took off screen) are recorded, and the frame on screen. */
  private tracer: FrameTracer | undefined;
  private onScreenFrame = -1;
  /** Input, cursor and VT switching (src/input/kms-seat.ts). */
  readonly seat: KmsSeat;
  /** Keyboard, pointer and touch events from libinput (undefined when input is off or could not start). */
  readonly input: InputSource | undefined;
  /** The colour frames are encoded for, the scanout format, and what each modeset tells the connector. */
  private readonly kmsColour: KmsColour;
  readonly features: KmsFeatures; // the overlay layer (options.overlay) and variable refresh (options.vrr)

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
    // fifo: one finished frame may wait behind the flip in flight (a second commit would be EBUSY)
    this.queue = new PresentQueue(this, { ...pacingOf(options), fifoDepth: 1, waitName: "wait flip" });
    settleKmsMode(drm, this.queue.pacing);
    if (this.refresh > 0) this.queue.pacing.setRefresh(1000 / this.refresh);
    this.flips = new FlipTracker(output.connector.name, flipTimeoutMs(this.refresh, options.flipTimeoutMs));
    this.flips.completed.add((flip) => this.onFlip(flip));
    this.flips.failed.add((e) => this.fail(e));
    const count = options.images ?? (this.queue.pacing.mode === "fifo" ? 3 : 4);
    // one image on screen and one to render into at the least, or acquire() would wait forever
    if (!Number.isInteger(count) || count < 2) throw new RangeError(`kms: images must be an integer of at least 2, got ${count}`);
    // the colour before any target: it decides the scanout format
    this.kmsColour = KmsColour.open(device, drm, output, options);
    this.targets = new KmsTargets(device, drm, output, count, options.forceCopy ?? false, this.kmsColour.format);
    this.format = this.kmsColour.format.vk;
    try {
      this.finalLayout = FINAL_LAYOUT[this.targets.path];
      // The dumb-copy path reads the frame on the CPU anyway; PRIME can hand the wait to the kernel.
      const canFence = device.has("VK_KHR_external_semaphore_fd") && drm.properties("plane", output.plane.id).has("IN_FENCE_FD");
      this.sync = this.targets.path === "prime" && canFence && options.sync !== "cpu-wait" ? "in-fence" : "cpu-wait";
      this.renderFinished = this.sync === "in-fence" ? Semaphore.create(device, { exportable: true }) : undefined;
      this.features = KmsFeatures.create(device, drm, output, this.format, this.finalLayout, this.targets.targets[0]!.fb, options);
    } catch (e) {
      this.targets.close();
      throw e;
    }
    const modifier = this.targets.modifier;
    log.info(`kms: ${output.connector.name} ${describeMode(output.mode)}, crtc ${output.crtc}, plane ${output.plane.id}, ${count} images, path ${this.targets.path}` +
      (modifier !== undefined ? `, modifier ${modifierName(modifier)}` : "") + `, sync ${this.sync}, present mode ${this.queue.pacing.mode}` +
      (this.queue.pacing.reason ? ` (${this.queue.pacing.reason})` : ""));
    this.seat = KmsSeat.open(this.seatHost(), options.input);
    session.leaving.add((leave) => leave.waitFor(this.idle())); // the last flip lands before master is dropped
    session.returned.add(() => void (this.modeset = true)); // the console set its own mode meanwhile
    this.input = this.seat.input;
  }

  /** Opens the display (a DrmDevice of its own unless options.drm is one), saving its state for restore. */
  static open(device: Device, options: KmsOptions = {}): KmsBackend {
    return takeDisplay("KmsBackend.open", options.drm,
      (drm) => chooseOutput(drm, { connector: options.connector, mode: options.mode, size: options.size, format: DRM_FORMAT_XRGB8888 }),
      ({ drm, ownsDrm, choice, guard, session }) => {
        logDeviceMatch(device, drm);
        return new KmsBackend(device, drm, ownsDrm, choice, guard, session, options);
      });
  }

  /** What the seat (input, cursor, VT switching) may do with the display. */
  private seatHost(): KmsSeatHost {
    return {
      drm: this.drm, output: this.output, session: this.session,
      commitSide: (add, preflight) => this.commitSide(add, preflight),
    };
  }

  /** A commit of the seat's own (the cursor) when the display is idle; it occupies the display like a frame until its flip. */
  private commitSide(add: (req: AtomicRequest) => (() => void) | void, preflight: boolean): boolean {
    if (this.flips.pending || this.modeset || this.queue.holding || this.destroyed || this.failure || this.seat.suspended) return false;
    const req = new AtomicRequest(this.drm);
    const committed = add(req);
    let flip: Promise<FlipEvent>;
    try {
      flip = req.commit({ nonblock: true, pageFlipEvent: true, preflight }).flip;
    } catch (e) {
      if (e instanceof AtomicError && e.code === "EBUSY") return false; // the change stays pending for the next try
      throw e;
    }
    committed?.();
    this.flips.track(flip, undefined, -1, false);
    this.queue.occupy();
    return true;
  }

  /** How frames reach the display (PRIME scanout of our images, or a copy into dumb buffers). */
  get path(): KmsPath {
    return this.targets.path;
  }
  /** Why the dumb-buffer copy path is used, when it is. */
  get fallbackReason(): string | undefined {
    return this.targets.fallbackReason;
  }
  get pacing(): Pacing {
    return this.queue.pacing;
  }
  /** The colour frames are encoded for, and why it is not the one asked for (see KmsOptions.color). */
  get colour(): ColourState {
    return this.kmsColour.state;
  }
  colourStats(): Record<string, number | string> {
    return this.kmsColour.stats();
  }
  get endReason(): string | undefined {
    return this.failure ? `display failure: ${this.failure.message}` : undefined;
  }

  async acquire(frame: number): Promise<RenderTarget> {
    if (this.failure) throw this.failure;
    if (this.seat.suspended) await this.seat.whileAway(); // another VT is shown: no flips until we are back
    if (!this.queue.turnNow()) await this.queue.waitTurn(frame);
    for (;;) {
      if (this.failure) throw this.failure;
      const t = this.targets.free() ?? this.takeHeld();
      if (t) {
        t.state = "rendering";
        return t;
      }
      // all targets are on screen or queued: the next flip frees one (a flip that never comes fails
      // after the flip timeout, which wakes this wait too)
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** mailbox: the waiting frame's target, taken back (the frame dropped) when none is free. */
  private takeHeld(): KmsTarget | undefined {
    const held = this.queue.takeHeld();
    if (held) this.drop(held);
    return held;
  }

  /** When a frame handed out now should be on screen (performance.now() ms). */
  predictPresentMs(nowMs: number): number {
    return this.queue.predict(nowMs);
  }

  recordAfter(cmd: CommandBuffer, target: RenderTarget): void {
    const t = target as KmsTarget;
    this.features.recordAfter(cmd, t);
    if (t.staging) cmd.copyImageToBuffer(t.image, t.staging, this.finalLayout);
  }

  async present(target: RenderTarget, rendered: Fence, frame: number, last = false, presentAtMs = NaN): Promise<void> {
    if (this.seat.suspended) await this.seat.whileAway(); // submitted as the VT switched away
    if (this.destroyed) return; // closed while away
    if (this.failure) throw this.failure;
    const t = target as KmsTarget;
    // in-fence: a sync file for this frame's rendering; -1 means the GPU has already finished.
    t.inFence = this.renderFinished ? this.renderFinished.exportSyncFile() : -1;
    if (!this.renderFinished) rendered.wait(); // the display must get a finished image
    if (t.dumb && t.staging) t.dumb.write(new Uint8Array(t.staging.mapped), this.kmsColour.format.bytesPerPixel);
    t.state = "held";
    this.queue.present(t, frame, presentAtMs); // shown now, or when the flip in flight is done
    // the run's last frame is shown before the run ends (its stats count it), as every fifo frame is
    if (last) while (this.queue.holding && !this.failure && this.flips.pending) await this.flips.pending;
    if (this.failure) throw this.failure;
  }

  // The output as the queue's display sink -------------------------------------------------------

  /** While another VT is shown, nothing is committed (the seat's whileAway() holds acquire and present). */
  get suspended(): boolean {
    return this.seat.suspended;
  }

  /** Commits the target: a full modeset the first time (or after a VT switch), else a flip (at the next vblank: a target time is only counted, see Frame.presentAt). */
  show(t: KmsTarget, frame: number, atMs: number): void {
    if (!Number.isNaN(atMs)) this.queue.pacing.expect(frame, atMs);
    try {
      this.commit(t, frame);
    } catch (e) {
      t.state = "free";
      this.fail(e as Error);
    } finally {
      if (t.inFence >= 0) closeFd(t.inFence); // the commit took its own reference to the fence
      t.inFence = -1;
    }
  }

  drop(t: KmsTarget): void {
    t.state = "free";
    if (t.inFence >= 0) closeFd(t.inFence);
    t.inFence = -1;
  }

  private commit(t: KmsTarget, frame: number): void {
    const fence: PropertyValues<"plane"> = t.inFence >= 0 ? { IN_FENCE_FD: t.inFence } : {};
    const req = new AtomicRequest(this.drm);
    const cursorCommitted = this.seat.addToCommit(req); // a cursor move rides along with the frame
    const { output } = this;
    const modeset = this.modeset;
    this.features.addToCommit(req, modeset);
    let flip: Promise<FlipEvent>;
    if (modeset) {
      const blob = this.drm.createModeBlob(output.mode);
      let blobs: BlobBag | undefined;
      try {
        addModeset(req, output, blob, { ...fullScreenPlane(output, t.fb), ...fence });
        blobs = this.kmsColour.addToModeset(req, this.drm, output.connector.id); // HDR metadata, Colorspace, max bpc
        flip = req.commit({ allowModeset: true, nonblock: true, pageFlipEvent: true }).flip;
      } finally {
        this.drm.destroyBlob(blob); // the committed CRTC state holds its own reference
        blobs?.release();
      }
      this.modeset = false;
    } else {
      req.plane(output.plane.id, { FB_ID: t.fb, ...fence });
      flip = req.commit({ nonblock: true, pageFlipEvent: true, preflight: false }).flip;
    }
    cursorCommitted?.();
    this.flips.track(flip, t, frame, modeset);
    t.state = "queued";
    this.presented++;
  }

  /** A flip completed: its target is on screen, the one before is free, and the display is ready for the next. */
  private onFlip({ event, target, frame, modeset }: CompletedFlip): void {
    // a modeset's flip carries a time from before the new mode's vblanks (vkms: seconds earlier): use its arrival
    const atMs = modeset ? performance.now() : monotonicToNowMs(event.timeUs / 1000);
    if (target) {
      if (this.tracer) this.traceFlip(this.tracer, frame, event, atMs);
      for (const x of this.targets.targets) if (x.state === "onscreen") x.state = "free";
      target.state = "onscreen";
      this.queue.pacing.onPresented({ frame, atMs, zeroCopy: this.targets.path === "prime", vsync: true, refreshMs: this.refresh > 0 ? 1000 / this.refresh : undefined });
    }
    this.queue.displayReady(); // commits the waiting frame, if any (not while away, failed or closing)
    this.seat.afterFlip();
    this.wakeWaiters();
  }

  /** The display failed (a flip failed or timed out, a commit was refused): acquire and present throw it. */
  private fail(e: Error): void {
    this.failure ??= e;
    this.queue.close();
    this.wakeWaiters();
  }

  /** Wakes acquire()'s waits for a free target (allocates only when someone waits). */
  private wakeWaiters(): void {
    const waiting = this.waiters;
    if (waiting.length === 0) return;
    this.waiters = [];
    for (const w of waiting) w();
  }

  /** Records page flips into `tracer` (see SwapchainBackend.traceTo), and the queue's waits for them. */
  traceTo(tracer: FrameTracer | undefined): void {
    this.tracer = tracer;
    this.queue.tracer = tracer;
    this.onScreenFrame = -1; // frame numbers start again with each run
  }

  /** The flip at its kernel timestamp (CLOCK_MONOTONIC), and the release of the frame it took off screen. */
  private traceFlip(tracer: FrameTracer, frame: number, ev: FlipEvent, atMs: number): void {
    tracer.point("flip", frame, atMs, ev.sequence);
    if (this.onScreenFrame >= 0) tracer.point("release", this.onScreenFrame, atMs);
    this.onScreenFrame = frame;
  }

  /** Resolves once no commit is in flight (the last presented image is on screen). */
  async idle(): Promise<void> {
    while (this.flips.pending) await this.flips.pending;
  }

  /** Framebuffer ids of the scanout images (for tests and debugging). */
  get framebuffers(): FbId[] {
    return this.targets.targets.map((t) => t.fb);
  }

  /** The flip events seen (the last 500-1000), oldest first. */
  get flipEvents(): readonly FlipEvent[] {
    return this.flips.log.events;
  }

  stats(): Record<string, number | string> {
    const rate = this.flips.log.flipsPerSecond;
    const modifier = this.targets.modifier;
    return {
      path: this.targets.path,
      sync: this.sync,
      ...(modifier !== undefined ? { modifier: hex(modifier) } : {}),
      mode: describeMode(this.output.mode),
      presented: this.presented,
      flips: this.flips.log.events.length,
      flipTimeoutMs: this.flips.timeoutMs,
      missedVblanks: this.flips.log.missedVblanks,
      ...(rate !== undefined ? { flipsPerSecond: Number(rate.toFixed(2)) } : {}), ...this.features.stats(),
      format: this.kmsColour.format.name,
    };
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.queue.close(); // no frame is committed any more
    try {
      if (this.flips.pending) await this.idle();
      this.queue.destroy();
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
      this.flips.close(); // after the last flip (awaited above): none is in flight any more
      this.seat.close(); // after restore: the cursor's framebuffer is no longer shown
      this.session.close();
      this.targets.close();
      this.features.destroy(); // after restore: the overlay plane is off the screen
      this.renderFinished?.destroy();
      if (this.ownsDrm) this.drm.close();
    }
  }
}
