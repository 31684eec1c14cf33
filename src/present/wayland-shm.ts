// Wayland presentation through wl_shm, on one of two paths (stats().shmPath says which):
//   host-import: where the device imports host memory (VK_EXT_external_memory_host), frames render
//                straight into LINEAR images bound to the shm buffers (shm-host-targets.ts); acquire
//                hands out a free buffer, and after the frame's fence it is attached and committed.
//   copy:        frames render into offscreen images, the frame's command buffer copies each into a
//                host-visible staging buffer, and after the frame's fence the bytes go into a free
//                buffer of our shm swapchain on the JS thread.
// Either way the fence wait is on the CPU (shm has no GPU sync). Pacing: see wayland-sink.ts; configure sizes are honoured lazily at
// the next acquire; xdg_toplevel.close ends the frame loop cleanly.
import { Buffer, BufferUsage, type CommandBuffer, type Device, type Fence, Format, type HostImageLayout, ImageLayout, recordColorWritesToHost, Scope } from "../vk/index.js";
import { logger } from "../util/log.js";
import { WlShm } from "../wayland/protocol/wayland.js";
import { chooseShmFormat, listenShmFormats, type ShmBuffer, ShmSwapchain } from "../wayland/shm.js";
import { WaylandWindow, type WindowOptions } from "../wayland/window.js";
import { WaylandWindowBackend, type WaylandPacingOptions } from "./wayland-window-backend.js";
import type { Woke } from "./present-queue.js";
import { createOffscreenTarget } from "./headless.js";
import type { RenderTarget, SwapchainBackend } from "./presenter.js";
import { WaylandColour, type WaylandColourOptions } from "./wayland-colour.js";
import { ShmHostTargets, type ShmHostTarget } from "./shm-host-targets.js";
import type { ColourState } from "../util/colour.js";

const log = logger("present");

interface ShmTarget extends RenderTarget {
  staging: Buffer;
  /** The staging buffer's rendered pixels (made once). */
  stagingBytes: Uint8Array;
}

/** Options of the wl_shm backend: the window's, the pacing options (present mode, maxFps, heartbeat) and these. */
export interface WaylandShmOptions extends WindowOptions, WaylandPacingOptions, WaylandColourOptions {
  size: readonly [number, number];
  /** Offscreen images in the ring of the copy path (default 3: two frames in flight plus one recording). */
  images?: number;
  /** false: always the copy path, even where the GPU could render into the shm buffers (comparisons, tests). */
  hostImport?: boolean;
  /**
   * fifo with wp_fifo_v1 and wp_presentation, rendering into the shm buffers (default true): a frame
   * the GPU has not finished when it is submitted is committed when acquire's wait for the display
   * ends (the previous frame's `presented`), instead of after a fence wait that puts the JS thread
   * to sleep; it counts as in flight meanwhile, and its commit waits on the previous frame's barrier
   * either way, so it reaches the same refresh. false: wait for the fence, then commit.
   */
  fifoCommitWhenWoken?: boolean;
}

export class WaylandShmBackend extends WaylandWindowBackend<ShmBuffer> implements SwapchainBackend {
  readonly name = "wayland-shm" as const;
  /** B8G8R8A8_UNORM (byte order B,G,R,A = wl_shm XRGB/ARGB8888), or the 10-bit / FP16 format the colour needs. */
  readonly format: Format;
  /** GENERAL where frames render into shm memory (the compositor reads it), else TRANSFER_SRC_OPTIMAL (copied from). */
  readonly finalLayout: ImageLayout;
  /** The copy path's targets (empty on the host-import path). */
  private targets: ShmTarget[] = [];
  /** The host-import path's targets, over the current chain's buffers. */
  private hostTargets: ShmHostTargets | undefined;
  /** Why frames are copied rather than rendered into the shm buffers (undefined: they are not). */
  private copyReason: string | undefined;
  /** Owns the current size's targets (images, views, staging buffers); retired whole on resize. */
  private generation = new Scope("wayland-shm targets");
  private next = 0;
  private chain!: ShmSwapchain;
  private readonly shm: WlShm;
  private readonly shmFormat: number;
  private readonly bytesPerPixel: 4 | 8;
  private counters = { presented: 0, resizes: 0, waitedForRelease: 0, cpuCopyMs: 0, callbackToCommitMs: 0, paced: 0, committedWhenWoken: 0 };
  private callbackAt: number | undefined;
  /** Unpaced, mailbox, immediate: the submitted frame whose copy and commit wait for the next frame's submission (fields, not an object per frame). */
  private deferredTarget: ShmTarget | ShmHostTarget | undefined;
  private deferredFence: Fence | undefined;
  private deferredIndex = 0;
  private deferredAtMs = NaN;
  /** fifo (fifoCommitWhenWoken): the submitted frame whose commit waits for acquire's wait to end (fields, not an object per frame). */
  private wokenTarget: ShmHostTarget | undefined;
  private wokenFence: Fence | undefined;
  private wokenIndex = 0;
  private wokenAtMs = NaN;

  private constructor(
    device: Device,
    window: WaylandWindow,
    shm: WlShm,
    shmFormat: number,
    private readonly options: WaylandShmOptions,
    private readonly colourPath: WaylandColour,
  ) {
    super(device, window, options, {
      commit: (buf, frame, frameCallback) => {
        this.colourPath.committing(frame); // a colour switch's description applies with its first frame
        this.chain.markAttached(buf, frame);
        this.counters.presented++;
        if (frameCallback) return this.window.present(buf.wlBuffer, frame);
        this.window.presentWithoutCallback(buf.wlBuffer, frame);
        return undefined;
      },
      drop: (buf) => this.chain.cancel(buf),
    });
    this.shm = shm;
    this.shmFormat = shmFormat;
    this.format = colourPath.format.vkFormat;
    this.bytesPerPixel = colourPath.format.bytesPerPixel;
    const plan = options.hostImport === false ? "hostImport: false" : this.plan(window.width, window.height);
    this.finalLayout = typeof plan === "string" ? ImageLayout.VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL : ImageLayout.VK_IMAGE_LAYOUT_GENERAL;
    this.copyReason = typeof plan === "string" ? plan : undefined;
    try {
      this.allocate(window.width, window.height);
    } catch (e) {
      this.releaseWindowParts();
      throw e;
    }
    log.info(`wayland-shm: ${window.width}x${window.height}, format 0x${shmFormat.toString(16)}, ${this.pathName}, sync: CPU wait on the frame fence`);
  }

  /** Opens a window (WaylandWindow.openWith) and makes the backend's buffers; the window is closed again when that fails. */
  static async open(device: Device, options: WaylandShmOptions): Promise<WaylandShmBackend> {
    return WaylandWindow.openWith(options, async (window) => {
      const shm = window.globals.bind(WlShm, { purpose: "for shared-memory buffers (the wayland-shm backend)" });
      const formats = listenShmFormats(shm);
      await window.connection.roundtrip();
      const colour = await WaylandColour.open(window, device, options, (f) => f.shmFormats.some((c) => formats.has(c)), "wayland-shm");
      try {
        const wide = colour.format.depth === 8 ? undefined : colour.format.shmFormats.find((c) => formats.has(c));
        return new WaylandShmBackend(device, window, shm, wide ?? chooseShmFormat(formats), options, colour);
      } catch (e) {
        colour.destroy();
        throw e;
      }
    });
  }

  /** The host-import layout for buffers of this size, or why frames must be copied. */
  private plan(width: number, height: number): HostImageLayout | string {
    return ShmHostTargets.plan(this.device, this.format, this.bytesPerPixel, width, height);
  }

  /** "host-import" or "copy (why)", for the log and stats. */
  private get pathName(): string {
    return this.hostTargets ? "host-import (VK_EXT_external_memory_host: frames render into the shm buffers)" : `copy (${this.copyReason})`;
  }

  /** A new generation at this size: the shm swapchain, and the targets frames render into (its buffers' images, or offscreen images). */
  private allocate(width: number, height: number): void {
    // the layout was chosen with the first size; a later size the import refuses is copied (from GENERAL: a copy source too)
    const plan = this.finalLayout === ImageLayout.VK_IMAGE_LAYOUT_GENERAL ? this.plan(width, height) : this.copyReason!;
    const host = typeof plan === "string" ? undefined : plan;
    if (!host) this.copyReason = plan as string;
    Scope.build(`wayland-shm targets ${width}x${height}`, (generation) => {
      const chain = new ShmSwapchain(this.window.connection, this.shm, width, height, this.shmFormat, {
        tracing: this.window,
        bytesPerPixel: this.bytesPerPixel,
        // rendering into buffers ties up two more of them (one rendering, one awaiting its fence): with
        // 4, mailbox took back its held frame's buffer so often that a third of refreshes went without
        // a commit (bench wsi: 34-39 commits/s against 46-48 with 5, as many as Mesa's images in mailbox)
        ...(host && { stride: host.stride, bufferBytes: host.size, fixedAddresses: true, maxBuffers: 5 }),
      });
      try {
        this.hostTargets = host && new ShmHostTargets(this.device, chain, host, this.format, this.finalLayout, generation, this.window.geometry.transform);
        this.targets = host ? [] : this.copyTargets(width, height, generation);
      } catch (e) {
        chain.retire(true);
        throw e;
      }
      this.chain = chain;
      this.generation = generation;
    });
    this.next = 0;
  }

  /** The copy path's offscreen images and staging buffers. */
  private copyTargets(width: number, height: number, generation: Scope): ShmTarget[] {
    const made: ShmTarget[] = [];
    for (let i = 0; i < (this.options.images ?? 3); i++) {
      const t = createOffscreenTarget(this.device, width, height, this.format, this.finalLayout, generation);
      const bytes = width * height * this.bytesPerPixel;
      const staging = generation.add(Buffer.create(this.device, { size: bytes, usage: BufferUsage.transferDst, memory: "host", what: "wayland-shm staging" }));
      made.push({ ...t, transform: this.window.geometry.transform, staging, stagingBytes: new Uint8Array(staging.mapped, 0, bytes) });
    }
    return made;
  }

  /** Ends the current generation: now, or (deferred) once the GPU is done with it. */
  private dropTargets(deferred: boolean): void {
    if (deferred) this.device.retire(this.generation);
    else this.generation.close();
    this.targets = [];
    this.hostTargets = undefined;
  }

  acquire(frame: number): RenderTarget | Promise<RenderTarget> {
    this.window.throwIfFailed();
    // Pacing: the compositor asks for the next frame through the previous frame's callback.
    const turn = this.sink.turn(frame);
    if (turn === true) {
      this.commitWoken();
      return this.nextTarget(frame);
    }
    this.waitingFrame = frame;
    return turn.then(this.afterWait);
  }

  private waitingFrame = 0;
  /** nextTarget waited once for the held commits before acking a configure. */
  private ackHeld = false;
  private readonly afterWait = (woke: Woke): RenderTarget | Promise<RenderTarget> => {
    if (woke === "ready") this.callbackAt = performance.now();
    this.commitWoken();
    return this.nextTarget(this.waitingFrame);
  };

  /** Commits the frame fifoCommitWhenWoken left waiting (its fence is done by now, or is waited for). */
  private commitWoken(): void {
    const t = this.wokenTarget;
    if (!t) return;
    const rendered = this.wokenFence!;
    this.wokenTarget = this.wokenFence = undefined;
    this.queue.unreserve();
    this.counters.committedWhenWoken++;
    // a configure that ended the wait forces the frame rendered after it, not this older one
    const forced = this.queue.forcing;
    this.presentNow(t, rendered, this.wokenIndex, this.wokenAtMs);
    if (forced) this.queue.forceNext();
  }

  /** The next target, made anew at the window's size when a configure changed it. */
  private nextTarget(frame: number): RenderTarget | Promise<RenderTarget> {
    if (this.window.configurePending && !this.ackHeld) {
      // the commits the compositor still holds are applied before the ack (see WaylandSurfaceSink.beforeAck)
      const held = this.sink.beforeAck();
      if (held) {
        this.ackHeld = true;
        return held.then(() => this.nextTarget(frame));
      }
    }
    this.ackHeld = false;
    if (this.window.configurePending && this.window.applyConfigure()) {
      this.queue.dropHeld(); // a frame of the old size is not worth showing
      this.counters.resizes++;
      // the GPU may still write into the old chain's memory, which goes with its last buffer: wait for it
      if (this.hostTargets) this.device.waitIdle();
      // Resize lazily: old targets go once the GPU is done with them, old shm buffers once released.
      this.dropTargets(true);
      this.chain.retire();
      this.allocate(this.window.width, this.window.height);
    }
    const host = this.hostTargets;
    if (host) {
      // mailbox: when every buffer is busy, the held (finished, not committed) frame's buffer is rendered again
      const buf = this.chain.canAcquireNow ? this.chain.tryAcquire() : this.queue.takeHeld();
      if (buf) return host.targetFor(buf);
      // closed: the loop ends after this frame and no buffer may come back; present() shows nothing of it
      if (this.window.closeRequested) return host.targetFor(this.chain.buffers[0]!);
      this.counters.waitedForRelease++;
      return this.chain.acquire(frame).then((b) => host.targetFor(b));
    }
    const t = this.targets[this.next]!;
    this.next = (this.next + 1) % this.targets.length;
    return t;
  }

  recordAfter(cmd: CommandBuffer, target: RenderTarget): void {
    if (this.hostTargets) recordColorWritesToHost(cmd);
    else cmd.copyImageToBuffer(target.image, (target as ShmTarget).staging, this.finalLayout);
  }

  /**
   * Where acquire never waits for the display (unpaced, mailbox, immediate), a frame's commit (and
   * copy) wait until the next frame has been submitted, so the fence wait of one frame overlaps the
   * rendering of the next (what two frames in flight are for; presenting at once, immediate ran at
   * ~0.55-0.75x the frames/s of Mesa's WSI, bench `wsi`); the last frame of a run is presented at
   * once, and endRun() presents one a run leaves behind. fifo presents at once: the display paces
   * it, and a frame held back would be a refresh late.
   */
  present(target: RenderTarget, rendered: Fence, frameIndex: number, last = false, presentAtMs = NaN): Promise<void> | undefined {
    const t = target as ShmTarget | ShmHostTarget;
    if (this.options.paced !== false && this.queue.pacing.mode === "fifo") {
      if (!last && this.options.fifoCommitWhenWoken !== false && "buffer" in t && this.canCommitWhenWoken(t) && !rendered.signaled) {
        this.wokenTarget = t;
        this.wokenFence = rendered;
        this.wokenIndex = frameIndex;
        this.wokenAtMs = presentAtMs;
        this.queue.reserve();
        return undefined;
      }
      return this.presentNow(t, rendered, frameIndex, presentAtMs);
    }
    this.window.throwIfFailed();
    const previous = this.deferredTarget;
    const done = previous && this.presentNow(previous, this.deferredFence!, this.deferredIndex, this.deferredAtMs);
    if (!last) {
      this.deferredTarget = t;
      this.deferredFence = rendered;
      this.deferredIndex = frameIndex;
      this.deferredAtMs = presentAtMs;
      return done;
    }
    this.deferredTarget = this.deferredFence = undefined;
    return done ? done.then(() => this.presentNow(t, rendered, frameIndex, presentAtMs)) : this.presentNow(t, rendered, frameIndex, presentAtMs);
  }

  /** Whether a fifo frame's commit may wait for acquire's wait to end (fifoCommitWhenWoken): presentNow would commit it, and the sink says so. */
  private canCommitWhenWoken(t: ShmHostTarget): boolean {
    this.window.throwIfFailed();
    // a frame that a configure forces (its ack went out before it was rendered) is committed at once, as it always was
    return this.wokenTarget === undefined && !this.queue.forcing && this.isCurrent(t) && t.buffer.state === "rendering" && !this.queue.wouldDrop && this.sink.commitMayWait;
  }

  /** A run ended with a frame still deferred: it is presented if a buffer is free now (its own, on the host-import path), else dropped. */
  endRun(): void {
    try {
      this.commitWoken();
    } catch (e) {
      log.debug(`wayland-shm: frame ${this.wokenIndex} not presented at the end of the run: ${(e as Error).message}`);
    }
    const t = this.deferredTarget;
    const rendered = this.deferredFence;
    this.deferredTarget = this.deferredFence = undefined;
    if (!t || !rendered || !this.isCurrent(t) || this.window.endReason) return;
    try {
      this.window.throwIfFailed(); // a failed connection has nothing to present to
      const own = this.hostTargets?.owns(t) ? t.buffer : undefined;
      const buf = own ?? (this.chain.canAcquireNow ? this.chain.tryAcquire() : this.queue.takeHeld());
      if (buf) this.commitAfterFence(t, buf, rendered, this.deferredIndex, this.deferredAtMs);
      else log.debug(`wayland-shm: frame ${this.deferredIndex} dropped at the end of the run (no free buffer)`);
    } catch (e) {
      log.debug(`wayland-shm: frame ${this.deferredIndex} not presented at the end of the run: ${(e as Error).message}`);
    }
  }

  /** Whether the target belongs to the current size (not to one a resize retired). */
  private isCurrent(t: RenderTarget): boolean {
    return this.hostTargets ? this.hostTargets.owns(t) : this.targets.includes(t as ShmTarget);
  }

  private presentNow(t: ShmTarget | ShmHostTarget, rendered: Fence, frameIndex: number, atMs = NaN): Promise<void> | undefined {
    this.window.throwIfFailed();
    if (!this.isCurrent(t)) return; // rendered at the old size while a resize happened
    const own = "buffer" in t ? t.buffer : undefined;
    if (own && own.state !== "rendering") return; // handed out while closing without being ours: not shown
    if (this.queue.wouldDrop) {
      if (own) this.chain.cancel(own);
      this.queue.skip(); // hidden: the compositor asked for no frame
      return;
    }
    if (own) return this.commitAfterFence(t, own, rendered, frameIndex, atMs);
    // mailbox: when every buffer is busy, the held (not yet committed) frame's buffer is overwritten
    const buf = this.chain.canAcquireNow ? this.chain.tryAcquire() : this.queue.takeHeld();
    if (buf) return this.commitAfterFence(t, buf, rendered, frameIndex, atMs);
    this.counters.waitedForRelease++;
    return this.chain.acquire(frameIndex).then((b) => this.commitAfterFence(t, b, rendered, frameIndex, atMs));
  }

  /** Waits for the frame's fence, copies its pixels into `buf` (copy path) and hands it to the pacer. */
  private commitAfterFence(t: ShmTarget | ShmHostTarget, buf: ShmBuffer, rendered: Fence, frameIndex: number, atMs = NaN): undefined {
    const waitStart = performance.now();
    rendered.wait(); // no external_semaphore_fd on lavapipe, and shm is read by the CPU anyway
    this.window.tracer?.span("wait fence", frameIndex, waitStart);
    if ("stagingBytes" in t) {
      const t0 = performance.now();
      buf.pixels.set(t.stagingBytes);
      this.counters.cpuCopyMs += performance.now() - t0;
    }
    if (this.callbackAt !== undefined) {
      this.counters.callbackToCommitMs += performance.now() - this.callbackAt;
      this.counters.paced++;
      this.callbackAt = undefined;
    }
    this.queue.present(buf, frameIndex, atMs);
    return undefined;
  }

  /** The colour frames are encoded for (FrameStats.colour). */
  get colour(): ColourState {
    return this.colourPath.state;
  }
  colourStats(): Record<string, number | string> | undefined {
    return this.colourPath.stats();
  }
  handingOut(frame: number): void {
    this.colourPath.handOut(frame);
  }

  stats(): Record<string, number | string> {
    return {
      sync: "cpu-wait",
      shmPath: this.hostTargets ? "host-import" : `copy (${this.copyReason})`,
      presented: this.counters.presented,
      resizes: this.counters.resizes,
      shmBuffers: this.chain.buffers.length,
      waitedForRelease: this.counters.waitedForRelease,
      copyMsPerFrame: this.counters.presented ? this.counters.cpuCopyMs / this.counters.presented : 0,
      callbackToCommitMs: this.counters.paced ? Number((this.counters.callbackToCommitMs / this.counters.paced).toFixed(3)) : 0,
      // fifo frames committed at acquire's next wake-up rather than after a fence wait (fifoCommitWhenWoken)
      committedWhenWoken: this.counters.committedWhenWoken,
      ...this.sink.stats(),
      ...this.window.presentationFigures(),
    };
  }

  async destroy(): Promise<void> {
    this.deferredTarget = this.deferredFence = undefined;
    this.wokenTarget = this.wokenFence = undefined;
    this.releaseWindowParts();
    this.device.waitIdle();
    this.dropTargets(false);
    this.chain.retire(true);
    this.colourPath.destroy();
    await this.window.close();
  }
}
