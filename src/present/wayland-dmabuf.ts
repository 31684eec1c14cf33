// Wayland presentation through zwp_linux_dmabuf_v1: frames render straight into exportable Vulkan
// images whose dmabufs the compositor imports (no copy). A BufferRing hands an image out again only
// after its wl_buffer.release, and the sync path (dmabuf-sync.ts) decides what else reuse waits for.
//
// Buffers (dmabuf-buffers.ts): the first image of each kind (format + modifier) is sent with
// `create`, whose `failed` event is not fatal; a rejected kind is dropped and the next one the
// compositor listed is tried. Once a kind has imported, later images use `create_immed` (unless the
// option says otherwise). When every kind fails, the backend is unavailable and wayland-open falls
// back to wl_shm, logging why in one line.
//
// What cannot work here (no dmabuf export, no zwp_linux_dmabuf_v1, no format or modifier in common,
// every import failing, a forced sync path that cannot work) is a BackendUnavailableError.
import { existsSync } from "node:fs";
import { type Device, type Fence, Format, ImageLayout, Scope } from "../vk/index.js";
import { logDeviceMatch } from "./dmabuf-device.js";
import { logger } from "../util/log.js";
import { BufferRing } from "../wayland/buffer-ring.js";
import { type DmabufFormats, queryDmabufFormats } from "../wayland/dmabuf.js";
import { ZwpLinuxDmabufV1 } from "../wayland/protocol/linux-dmabuf-v1.js";
import { WaylandWindow, type WindowOptions } from "../wayland/window.js";
import { WaylandWindowBackend, type WaylandPacingOptions } from "./wayland-window-backend.js";
import { kindName, noKindReason } from "./dmabuf-buffers.js";
import { DmabufAllocator, type DmabufTarget, unavailable } from "./dmabuf-allocator.js";
import { SurfaceFeedback } from "./dmabuf-surface-feedback.js";
import { chooseFrameSync, type FrameSync, type SyncChoice } from "./dmabuf-sync.js";
import type { RenderTarget, SwapchainBackend } from "./presenter.js";
import { WaylandColour, type WaylandColourOptions } from "./wayland-colour.js";
import type { ColourState } from "../util/colour.js";

export type { SyncPath, SyncChoice } from "./dmabuf-sync.js";

const log = logger("present");

/** Options of the dmabuf backend: the window's, the pacing options (present mode, maxFps, heartbeat) and these. */
export interface WaylandDmabufOptions extends WindowOptions, WaylandPacingOptions, WaylandColourOptions {
  size: readonly [number, number];
  /** Images in the ring (default 3 for fifo; 4 for mailbox and immediate, which also hold the newest finished frame). */
  images?: number;
  /**
   * "auto" (default): explicit sync when the compositor offers it, else implicit sync files, else a
   * CPU wait; each needs sync-file export from the device except the CPU wait. See dmabuf-sync.ts.
   */
  sync?: SyncChoice;
  /**
   * "auto" (default): `create` for the first buffer of a kind, `create_immed` once the kind is known
   * to import. "create": always `create`. "immed": always `create_immed` (a rejection may then be
   * a protocol error that ends the connection).
   */
  bufferCreation?: "auto" | "create" | "immed";
}

export class WaylandDmabufBackend extends WaylandWindowBackend<DmabufTarget> implements SwapchainBackend {
  readonly name = "wayland-dmabuf" as const;
  /** B8G8R8A8_UNORM (= DRM XRGB8888 byte order), or the 10-bit / FP16 format the colour needs. */
  readonly format: Format;
  readonly finalLayout: ImageLayout = ImageLayout.VK_IMAGE_LAYOUT_GENERAL;
  private ring: BufferRing<DmabufTarget>;
  /** Owns the ring's targets; retired whole on resize or re-allocation. */
  private generation = new Scope("wayland-dmabuf targets");
  private readonly sync: FrameSync;
  /** Makes the ring's images and wl_buffers; knows which kinds import (dmabuf-allocator.ts). */
  private readonly allocator: DmabufAllocator;
  /** The tranche buffers come from: the default feedback's, then the surface's own (v4+). */
  private readonly feedback: SurfaceFeedback;
  private counters = { presented: 0, resizes: 0, submitToCommitMs: 0, feedbackReallocations: 0 };

  private constructor(
    device: Device,
    window: WaylandWindow,
    private readonly dmabuf: ZwpLinuxDmabufV1,
    offered: DmabufFormats,
    private readonly options: WaylandDmabufOptions,
    private readonly colourPath: WaylandColour,
  ) {
    super(device, window, options, {
      commit: (t, frame, frameCallback) => {
        this.colourPath.committing(frame); // a colour switch's description applies with its first frame
        this.ring.markAttached(t, frame);
        this.counters.presented++;
        if (frameCallback) return this.window.present(t.wlBuffer, frame);
        this.window.presentWithoutCallback(t.wlBuffer, frame);
        return undefined;
      },
      drop: (t) => this.ring.cancel(t),
    });
    this.format = colourPath.format.vkFormat;
    const driverModifiers = device.physical.drmFormatModifiers(this.format).map((m) => m.modifier);
    const fourccs = colourPath.format.fourccs;
    this.feedback = new SurfaceFeedback(dmabuf, window.surface, offered, {
      device,
      driverModifiers,
      fourccs,
      refused: (k) => this.allocator.refused(k),
      current: () => this.allocator.accepted ?? this.allocator.kinds[0],
    });
    const kinds = this.feedback.tranche.kinds;
    try {
      if (!kinds.length) throw unavailable(noKindReason(offered.formats, driverModifiers, fourccs));
      this.sync = chooseFrameSync(device, window, this.syncChoice(device, options.sync));
    } catch (e) {
      this.feedback.destroy();
      this.releaseWindowParts(); // "auto" goes on to wl_shm, maybe on the same connection
      throw e;
    }
    this.allocator = new DmabufAllocator(device, window, dmabuf, this.sync, this.format, this.finalLayout, options.bufferCreation ?? "auto", kinds);
    this.ring = new BufferRing(window.connection, { tracing: window });
    log.info(
      `wayland-dmabuf: sync path ${this.sync.path} (${this.sync.why}); formats from ${offered.source}; ` +
        `tranche ${this.feedback.tranche.name}; kinds ${kinds.map(kindName).join(", ")}; buffers by ${this.allocator.creation}`,
    );
  }

  /** Opens a window (WaylandWindow.openWith) and makes the backend's buffers; the window is closed again when that fails. */
  static async open(device: Device, options: WaylandDmabufOptions): Promise<WaylandDmabufBackend> {
    if (!device.canExportDmabuf) throw unavailable("the Vulkan device cannot export dmabufs (VK_EXT_external_memory_dma_buf)");
    // a software driver (lavapipe) makes exportable memory from udmabuf: without it allocation fails
    if (device.physical.type === "cpu" && !existsSync("/dev/udmabuf"))
      throw unavailable(`${device.physical.name} is a software driver and can export dmabufs only through the kernel's udmabuf, and /dev/udmabuf is missing (modprobe udmabuf)`);
    return WaylandWindow.openWith(options, async (window) => {
      const dmabuf = window.globals.tryBind(ZwpLinuxDmabufV1, { min: 3 });
      if (!dmabuf) throw unavailable("the compositor offers no zwp_linux_dmabuf_v1 v3 or later");
      let backend: WaylandDmabufBackend | undefined;
      let colour: WaylandColour | undefined;
      try {
        const offered = await queryDmabufFormats(window.connection, dmabuf);
        logDeviceMatch(device, offered.mainDevice);
        colour = await WaylandColour.open(window, device, options, (f) => f.fourccs.some((c) => offered.formats.has(c)), "wayland-dmabuf");
        backend = new WaylandDmabufBackend(device, window, dmabuf, offered, options, colour);
        await backend.allocate(window.width, window.height);
        return backend;
      } catch (e) {
        backend?.releaseWindowParts();
        backend?.feedback.destroy();
        backend?.sync.destroy();
        colour?.destroy();
        if (!window.connection.error) dmabuf.destroy();
        throw e;
      }
    });
  }

  /** Signalled by each frame's submission on the fence paths (the FrameLoop adds it). */
  get renderFinished() {
    return this.sync.renderFinished;
  }

  /**
   * Mailbox and immediate hold finished frames back and may drop them, so each frame's sync must be
   * done when it finishes, whether it is committed or not: implicit sync files or a CPU wait. Explicit
   * sync ties the fence to the next commit; asked for explicitly, the mode falls back to fifo.
   */
  private syncChoice(device: Device, want: SyncChoice | undefined): SyncChoice | undefined {
    const pacing = this.queue.pacing;
    if (pacing.mode === "fifo") return want;
    if (want === "explicit") {
      pacing.fallBack("fifo", `${pacing.requested} needs implicit or cpu-wait sync (a held frame may be dropped); explicit sync was asked for`);
      return want;
    }
    if (want === undefined || want === "auto") return device.has("VK_KHR_external_semaphore_fd") ? "implicit" : "cpu-wait";
    return want;
  }

  private async allocate(width: number, height: number): Promise<void> {
    const count = this.options.images ?? (this.queue.pacing.mode === "fifo" ? 3 : 4);
    const made = await this.allocator.allocate(width, height, count, this.window.geometry.transform);
    this.ring = made.ring;
    this.generation = made.scope;
  }

  /** Ends the current generation (deferred: once the GPU is done with it) and leaves an empty ring. */
  private dropTargets(deferred: boolean): void {
    if (deferred) this.device.retire(this.generation);
    else this.generation.close();
    this.ring = new BufferRing(this.window.connection, { tracing: this.window });
  }

  async acquire(frame: number): Promise<RenderTarget> {
    this.window.throwIfFailed();
    const turn = this.sink.turn(frame);
    if (turn !== true) await turn;
    // the commits the compositor still holds are applied before the ack (see WaylandSurfaceSink.beforeAck)
    if (this.window.configurePending) await this.sink.beforeAck();
    const resized = this.window.configurePending && this.window.applyConfigure();
    const kinds = this.feedback.take();
    if (resized || kinds) {
      if (resized) this.counters.resizes++;
      else this.counters.feedbackReallocations++;
      if (kinds) this.allocator.useKinds(kinds);
      this.queue.dropHeld(); // a frame of the old size is not worth showing
      this.device.waitIdle();
      this.dropTargets(true);
      await this.allocate(this.window.width, this.window.height);
    }
    // closed: the frame loop ends after this frame, and no buffer may ever come back
    if (this.window.closeRequested) return this.ring.buffers[0]!;
    // mailbox: when every image is busy, the held (finished, not committed) frame's image is reused
    const held = this.ring.hasFree ? undefined : this.queue.takeHeld();
    const t = held ?? (await this.ring.acquire({ check: () => this.window.throwIfFailed() }, frame));
    await this.sync.beforeReuse(t);
    return t;
  }

  async present(target: RenderTarget, rendered: Fence, frameIndex: number, _last = false, presentAtMs = NaN): Promise<void> {
    const t = target as DmabufTarget;
    if (this.window.connection.error || !this.ring.buffers.includes(t)) {
      this.sync.skipFrame(); // the render-finished signal must still be consumed
      this.window.throwIfFailed();
      return;
    }
    if (this.queue.wouldDrop) {
      // hidden: the compositor asked for no frame; consume the render-finished signal, keep the image
      this.sync.skipFrame();
      this.ring.cancel(t);
      return this.queue.skip();
    }
    const submitted = performance.now(); // the FrameLoop calls present right after the submission
    this.sync.beforeCommit(t, rendered);
    this.counters.submitToCommitMs += performance.now() - submitted;
    this.queue.present(t, frameIndex, presentAtMs);
  }

  /** The colour frames are encoded for (FrameStats.colour), and its figures. */
  get colour(): ColourState {
    return this.colourPath.state;
  }
  colourStats = (): Record<string, number | string> | undefined => this.colourPath.stats();
  handingOut(frame: number): void {
    this.colourPath.handOut(frame);
  }

  stats(): Record<string, number | string> {
    const { presented, resizes, submitToCommitMs } = this.counters;
    const { accepted, rejected } = this.allocator;
    return {
      sync: this.sync.path,
      formats: this.feedback.offered.source,
      tranche: this.feedback.tranche.name,
      feedbackTranche: this.feedback.tranche.role,
      mainDevice: this.feedback.mainDevice,
      ...(this.feedback.scanoutSeen ? { scanoutKinds: this.feedback.scanout ?? "withdrawn" } : {}),
      feedbackChanges: this.feedback.changes,
      feedbackReallocations: this.counters.feedbackReallocations,
      bufferCreation: this.allocator.creation,
      bufferKind: accepted ? kindName(accepted) : "none",
      modifier: `0x${(accepted?.modifier ?? 0n).toString(16)}`,
      ...(rejected.length ? { rejectedKinds: rejected.join(" ") } : {}),
      presented,
      resizes,
      submitToCommitMs: presented ? Number((submitToCommitMs / presented).toFixed(3)) : 0,
      ...this.sync.stats(),
      ...this.sink.stats(),
      ...this.window.presentationFigures(),
    };
  }

  async destroy(): Promise<void> {
    this.releaseWindowParts();
    this.device.waitIdle();
    this.dropTargets(false);
    this.sync.destroy();
    if (!this.window.connection.error) {
      this.feedback.destroy();
      this.dmabuf.destroy();
    }
    this.colourPath.destroy();
    await this.window.close();
  }
}
