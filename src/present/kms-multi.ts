// The KMS presenter over several outputs of one device (kiosks, video walls). Frames render into one
// shared image (kms-targets.ts, sized by planLayout): "extend" puts the outputs side by side and each
// CRTC's primary plane scans out its own viewport of the image; "clone" shows the whole image on
// every CRTC. A turn is the planes' where they can, else rendered (kms-rotation.ts). Each output is
// a head (kms-head.ts) with its own flips, so refresh rates may differ: the frame loop is paced by
// the fastest active output (the present queue's "display ready" is its flip), and every other
// output shows the newest finished frame at each of its own flips. An image is free again once no
// output shows it or waits to. Hotplug (OutputWatch) pauses a head whose display went away, or ends
// the loop, by option; a modeset lights it again when it is back. Input and the cursor planes are
// the seat's (kms-multi-seat.ts), the colour shared (kms-multi-colour.ts). The display state saved
// at open is put back at close, after any hotplugs.
import { Semaphore, type CommandBuffer, type Device, type Fence, type Format, type ImageLayout } from "../vk/index.js";
import { logger } from "../util/log.js";
import { monotonicToNowMs, type FrameTracer } from "../util/trace.js";
import {
  DrmDevice, DrmError, KmsSession, type AtomicRequest, type LayoutPlan, type Output, type OutputLayout, type OutputWatch,
} from "../drm/index.js";
import { followOutputs } from "./kms-multi-hotplug.js";
import type { RenderTarget, SwapchainBackend } from "./presenter.js";
import { pacingOf, type Pacing } from "./pacing.js";
import { settleKmsMode } from "./pacing-kms.js";
import { PresentQueue, type DisplaySink } from "./present-queue.js";
import { FINAL_LAYOUT, type KmsPath, type KmsTarget, type KmsTargets } from "./kms-targets.js";
import type { CompletedFlip } from "./kms-flips.js";
import { OutputHead, type HeadHost } from "./kms-head.js";
import { closeFence, pathsFor, sharedTargets } from "./kms-multi-paths.js";
import type { TurnPlan } from "./kms-rotation.js";
import { KmsMultiSeat } from "./kms-multi-seat.js";
import { MultiColour } from "./kms-multi-colour.js";
import { MultiVrr } from "./kms-multi-vrr.js";
import type { InputSource } from "../input/queue.js";
import type { ColourState } from "../util/colour.js";
import { takeDisplay } from "./kms-take.js";
import type { KmsMultiOptions } from "./kms-options.js";

export type { KmsMultiOptions } from "./kms-options.js";

const log = logger("present");

export class KmsMultiBackend implements SwapchainBackend, DisplaySink<KmsTarget>, HeadHost {
  readonly name = "kms" as const;
  readonly format: Format;
  readonly finalLayout: ImageLayout;
  /** The shared image's size (extend: the outputs side by side; clone: the smallest output; swapped when rendered turned by 90 or 270). */
  readonly size: readonly [number, number];
  readonly layout: OutputLayout;
  /** The shared image and the viewport of it each output's plane scans out. */
  readonly plan: LayoutPlan;
  /** How the picture is turned (rotate): by the planes or rendered, and the upright picture's plan. */
  readonly turning: TurnPlan;
  /** One per output, in the order asked for. */
  readonly heads: OutputHead[];
  /**
   * "in-fence": each frame's render-finished sync file goes to every plane that shows it (IN_FENCE_FD),
   * kept until a newer frame replaces it; "cpu-wait": we wait for the frame's fence before showing it.
   */
  readonly sync: "in-fence" | "cpu-wait";
  readonly renderFinished: Semaphore | undefined;
  private readonly queue: PresentQueue<KmsTarget>;
  private readonly targets: KmsTargets;
  private newest: { target: KmsTarget; frame: number } | undefined;
  /** The head whose next flip is the queue's "display ready". */
  private awaiting: OutputHead | undefined;
  private watch: OutputWatch | undefined;
  private failure: Error | undefined;
  private ended: string | undefined;
  private destroyed = false;
  private waiters: (() => void)[] = [];
  private tracer: FrameTracer | undefined;
  /** Output events the presenter acted on, oldest first (what a log or a test reads). */
  readonly hotplugLog: string[] = [];
  /** Input through libinput and the pointer on each output's cursor plane (options.input; kms-multi-seat.ts). */
  readonly seat: KmsMultiSeat;
  /** The colour and scanout format shared by all outputs, told to each connector at its modeset. */
  private readonly multiColour: MultiColour;
  /** Variable refresh per output, set with each output's modeset (options.vrr). */
  private readonly vrr: MultiVrr;

  private constructor(
    readonly device: Device,
    readonly drm: DrmDevice,
    private readonly ownsDrm: boolean,
    paths: readonly Output[],
    private readonly guard: { restore(): void },
    private readonly session: KmsSession,
    private readonly options: KmsMultiOptions,
  ) {
    this.layout = options.layout ?? "extend";
    this.vrr = new MultiVrr(drm, paths.length, options.vrr);
    const count = options.images ?? paths.length + 3;
    if (!Number.isInteger(count) || count < 2) throw new RangeError(`kms: images must be an integer of at least 2, got ${count}`);
    this.multiColour = MultiColour.open(device, drm, paths, options); // before the targets: it decides their format
    this.format = this.multiColour.format.vk;
    ({ turning: this.turning, targets: this.targets } = sharedTargets(device, drm, paths, count, options, this.multiColour.format));
    const { turn, by } = this.turning;
    this.plan = this.turning.image;
    this.size = [this.plan.width, this.plan.height];
    this.heads = paths.map((p, i) => new OutputHead(this, p, this.plan.viewports[i]!, turn, turn !== 0 && by === "plane", options.flipTimeoutMs));
    this.queue = new PresentQueue(this, { ...pacingOf(options), fifoDepth: 1, waitName: "wait flip" });
    settleKmsMode(drm, this.queue.pacing);
    const lead = this.lead();
    if (lead && lead.refresh > 0) this.queue.pacing.setRefresh(1000 / lead.refresh);
    this.finalLayout = FINAL_LAYOUT[this.targets.path];
    const canFence = device.has("VK_KHR_external_semaphore_fd") && paths.every((p) => drm.properties("plane", p.plane.id).has("IN_FENCE_FD"));
    this.sync = this.targets.path === "prime" && canFence && options.sync !== "cpu-wait" ? "in-fence" : "cpu-wait";
    try {
      this.renderFinished = this.sync === "in-fence" ? Semaphore.create(device, { exportable: true }) : undefined;
    } catch (e) {
      this.targets.close();
      throw e;
    }
    log.info(`kms: ${paths.length} outputs, ${this.layout} ${this.plan.width}x${this.plan.height}, ${count} images, path ${this.targets.path}, sync ${this.sync}, present mode ${this.queue.pacing.mode}` +
      (turn ? `, turned ${turn}° ${by === "plane" ? "by the planes" : `rendered (${this.turning.reason})`}` : ""));
    session.leaving.add((leave) => leave.waitFor(this.idle()));
    session.returned.add(() => this.heads.forEach((h) => h.relight()));
    this.seat = KmsMultiSeat.open({ drm, session, heads: this.heads, turning: this.turning }, options.input);
  }

  /**
   * Opens the outputs `options.connectors` names (a DrmDevice of its own unless options.drm is one),
   * saving the display state for restore. Throws DrmError naming an unknown output (listing those
   * that exist), a mode an output lacks (listing its modes), a rotation a plane cannot do (listing
   * the ones it can), or an image too large for the device; DrmUnavailableError where KMS cannot work.
   */
  static open(device: Device, options: KmsMultiOptions): KmsMultiBackend {
    return takeDisplay("KmsMultiBackend.open", options.drm, (drm) => pathsFor(drm, options), ({ drm, ownsDrm, choice, guard, session }) => {
      const backend = new KmsMultiBackend(device, drm, ownsDrm, choice, guard, session, options);
      if (options.hotplug !== false) backend.followHotplug();
      return backend;
    });
  }

  private followHotplug(): void {
    this.watch = followOutputs(this.drm, this.heads, {
      removed: (head) => this.outputRemoved(head),
      added: (head, output) => {
        if (this.destroyed || this.ended) return;
        head.resume(output);
        this.queue.interrupt(); // a loop waiting with every output paused goes on
      },
    }, this.hotplugLog);
  }

  /** The OutputWatch following this device's hotplug (undefined with hotplug false or without uevents). */
  get outputWatch(): OutputWatch | undefined {
    return this.watch;
  }

  private outputRemoved(head: OutputHead): void {
    if (this.destroyed) return;
    if (this.options.onOutputRemoved === "end") {
      this.ended ??= `output ${head.name} was unplugged`;
      this.queue.close();
      this.wakeWaiters();
      return;
    }
    head.pause();
    if (this.awaiting === head && !head.busy) this.readyNow();
    if (this.heads.every((h) => h.state === "paused")) this.queue.interrupt();
  }

  /** The output that paces the loop: the active one with the highest refresh rate (the first of equals). */
  private lead(): OutputHead | undefined {
    let best: OutputHead | undefined;
    for (const h of this.heads) if (h.state === "active" && (!best || h.refresh > best.refresh)) best = h;
    return best;
  }

  // HeadHost ------------------------------------------------------------------------------------

  latest(): { target: KmsTarget; frame: number } | undefined {
    return this.newest;
  }

  flipped(head: OutputHead, { event, target, frame, modeset }: CompletedFlip): void {
    // a side commit's flip (the cursor's) shows no frame: the awaited one is still to come, unless the output paused
    if (head === this.awaiting && (target || head.state !== "active")) {
      const atMs = modeset ? performance.now() : monotonicToNowMs(event.timeUs / 1000);
      if (target) {
        this.tracer?.point("flip", frame, atMs, event.sequence);
        this.queue.pacing.onPresented({ frame, atMs, zeroCopy: this.targets.path === "prime", vsync: true, refreshMs: head.refresh > 0 ? 1000 / head.refresh : undefined });
      }
      this.readyNow();
    }
    head.update();
    this.released();
    this.seat.afterFlip(this.heads.indexOf(head));
  }

  addToCommit(head: OutputHead, req: AtomicRequest, modeset: boolean): (committed: boolean) => void {
    const i = this.heads.indexOf(head);
    const cursorDone = this.seat.addToCommit(i, req);
    if (modeset) this.vrr.addToModeset(i, req, head.output);
    const release = modeset ? this.multiColour.addToModeset(i, req, this.drm, head.output) : undefined;
    return (committed) => {
      if (committed) cursorDone?.();
      release?.();
    };
  }

  switchingOff(head: OutputHead, req: AtomicRequest): void {
    this.seat.headOff(this.heads.indexOf(head), req);
  }

  failed(head: OutputHead, error: Error): void {
    if (head.state === "paused") {
      log.info(`kms: ${head.name} (paused): ${error.message}`);
      if (this.awaiting === head) this.readyNow();
      return;
    }
    this.failure ??= new DrmError(`${head.name}: ${error.message}`, error);
    this.queue.close();
    this.wakeWaiters();
  }

  released(): void {
    for (const t of this.targets.targets) {
      if (t.state === "rendering" || t.state === "held") continue;
      const shown = this.newest?.target === t || this.heads.some((h) => h.onScreen === t || h.queued === t);
      t.state = shown ? "onscreen" : "free";
    }
    this.wakeWaiters();
  }

  /** The queue's "display ready", once (the awaited flip came, or the awaited output went away). */
  private readyNow(): void {
    this.awaiting = undefined;
    this.queue.displayReady();
  }

  // DisplaySink ---------------------------------------------------------------------------------

  get suspended(): boolean {
    return this.session.suspended || this.heads.every((h) => h.state === "paused");
  }

  show(t: KmsTarget, frame: number): void {
    const before = this.newest?.target;
    if (before && before !== t) closeFence(before); // no output commits it any more: only the newest is committed
    this.newest = { target: t, frame };
    t.state = "onscreen";
    for (const h of this.heads) h.update();
    const lead = this.lead();
    this.awaiting = lead;
    if (!lead || this.failure) setImmediate(() => this.awaiting === lead && this.readyNow());
    this.released();
  }

  drop(t: KmsTarget): void {
    closeFence(t);
    t.state = "free";
    this.released();
  }

  // SwapchainBackend ----------------------------------------------------------------------------

  /** How frames reach the displays (PRIME scanout of the shared images, or a copy into dumb buffers). */
  get path(): KmsPath {
    return this.targets.path;
  }
  get pacing(): Pacing {
    return this.queue.pacing;
  }
  /** Keyboard, pointer and touch events from libinput (undefined when input is off or could not start). */
  get input(): InputSource | undefined {
    return this.seat.input;
  }
  /** The colour frames are encoded for on every output, and why it is not the one asked for (see KmsOptions.color). */
  get colour(): ColourState {
    return this.multiColour.state;
  }
  colourStats(): Record<string, number | string> {
    return this.multiColour.stats(this.heads.map((h) => h.name));
  }
  get endReason(): string | undefined {
    return this.failure ? `display failure: ${this.failure.message}` : this.ended;
  }

  async acquire(frame: number): Promise<RenderTarget> {
    if (this.failure) throw this.failure;
    if (this.session.suspended) await this.session.whileAway();
    if (!this.queue.turnNow()) await this.queue.waitTurn(frame);
    for (;;) {
      if (this.failure) throw this.failure;
      // ended: any target; the frame loop sees endReason and ends before using it
      const t = this.ended ? this.targets.targets[0] : this.targets.free() ?? this.takeHeld();
      if (t) {
        if (!this.ended) t.state = "rendering";
        return t;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private takeHeld(): KmsTarget | undefined {
    const held = this.queue.takeHeld();
    if (held) {
      closeFence(held);
      held.state = "free";
    }
    return held;
  }

  predictPresentMs(nowMs: number): number {
    return this.queue.predict(nowMs);
  }

  recordAfter(cmd: CommandBuffer, target: RenderTarget): void {
    const t = target as KmsTarget;
    if (t.staging) cmd.copyImageToBuffer(t.image, t.staging, this.finalLayout);
  }

  async present(target: RenderTarget, rendered: Fence, frame: number, last = false, presentAtMs = NaN): Promise<void> {
    if (this.session.suspended) await this.session.whileAway();
    const t = target as KmsTarget;
    if (this.destroyed || this.ended) {
      t.state = "free";
      return;
    }
    if (this.failure) throw this.failure;
    // in-fence: a sync file for this frame's rendering (-1: the GPU has finished already)
    if (this.renderFinished) t.inFence = this.renderFinished.exportSyncFile();
    else rendered.wait(); // every plane showing it gets a finished image
    if (t.dumb && t.staging) t.dumb.write(new Uint8Array(t.staging.mapped), this.multiColour.format.bytesPerPixel);
    t.state = "held";
    this.queue.present(t, frame, presentAtMs);
    if (last) await this.idle(); // the run's last frame is on every active output before the run ends
    if (this.failure) throw this.failure;
  }

  traceTo(tracer: FrameTracer | undefined): void {
    this.tracer = tracer;
    this.queue.tracer = tracer;
  }

  /** Resolves once no output has a commit in flight and every active one shows the newest frame. */
  async idle(): Promise<void> {
    for (;;) {
      if (this.queue.holding && this.awaiting?.flips.pending) await this.awaiting.flips.pending;
      const pending = this.heads.map((h) => h.flips.pending).filter((p) => p !== undefined);
      if (pending.length > 0) await Promise.all(pending);
      else if (this.heads.some((h) => h.busy)) await new Promise((r) => setTimeout(r, 2));
      else return;
    }
  }

  private wakeWaiters(): void {
    const waiting = this.waiters;
    if (waiting.length === 0) return;
    this.waiters = [];
    for (const w of waiting) w();
  }

  stats(): Record<string, number | string> {
    const s: Record<string, number | string> = {
      path: this.targets.path, sync: this.sync, layout: this.layout, image: `${this.plan.width}x${this.plan.height}`, outputs: this.heads.length,
      ...(this.turning.turn ? { rotate: this.turning.turn, rotation: this.turning.by, ...(this.turning.reason ? { rotationReason: this.turning.reason } : {}) } : {}),
    };
    if (this.watch) Object.assign(s, { hotplugs: this.watch.hotplugs, probes: this.watch.probes, probeMs: Math.round(this.watch.probeMs) });
    Object.assign(s, this.seat.stats(), { format: this.multiColour.format.name }, this.vrr.stats(this.heads.map((h) => h.name)));
    for (const h of this.heads) for (const [k, v] of Object.entries(h.stats())) s[`${h.name} ${k}`] = v;
    return s;
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.queue.close();
    this.watch?.close();
    try {
      await this.idle();
      this.queue.destroy();
      this.device.waitIdle();
      try {
        this.guard.restore(); // the saved framebuffers back before ours disappear
      } catch (e) {
        if (!this.session.suspended) throw e;
        log.info("kms: closed while another VT is shown, which owns the display now: nothing to restore");
      }
    } finally {
      for (const h of this.heads) h.close();
      this.seat.close(); // after restore: the cursor planes no longer show their framebuffers
      this.session.close();
      this.targets.close(); // closes the sync files still held
      this.renderFinished?.destroy();
      if (this.ownsDrm) this.drm.close();
    }
  }
}
