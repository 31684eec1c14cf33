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
import { type Device, type Fence, Format, Image, ImageLayout, ImageUsage, Scope } from "../vk/index.js";
import { pciAddressOfDevT, samePciAddress } from "../sys/dev.js";
import { logDeviceMatch } from "./dmabuf-device.js";
import { close as closeFd, dup } from "../sys/libc.js";
import { logger } from "../util/log.js";
import { BufferRing, type RingBuffer } from "../wayland/buffer-ring.js";
import { type DmabufFormats, devTName, listenFeedback, queryDmabufFormats, trancheName } from "../wayland/dmabuf.js";
import { WaylandProtocolError } from "../wayland/errors.js";
import { type ZwpLinuxDmabufFeedbackV1, ZwpLinuxDmabufV1 } from "../wayland/protocol/linux-dmabuf-v1.js";
import type { WlBuffer } from "../wayland/protocol/wayland.js";
import { WaylandWindow, type WindowOptions } from "../wayland/window.js";
import { WaylandWindowBackend, type WaylandPacingOptions } from "./wayland-window-backend.js";
import { type BufferKind, chooseTranche, createBuffer, createBufferImmed, imageModifiers, kindName, noKindReason, type TrancheChoice } from "./dmabuf-buffers.js";
import { chooseFrameSync, type FrameSync, type SyncChoice, type SyncedBuffer } from "./dmabuf-sync.js";
import { BackendUnavailableError } from "./errors.js";
import type { RenderTarget, SwapchainBackend } from "./presenter.js";
import { WaylandColour, type WaylandColourOptions } from "./wayland-colour.js";
import type { ColourState } from "../util/colour.js";

export type { SyncPath, SyncChoice } from "./dmabuf-sync.js";

const log = logger("present");
let nextId = 1_000_000;

const unavailable = (reason: string, cause?: unknown) => new BackendUnavailableError("wayland-dmabuf", reason, cause === undefined ? undefined : { cause });

interface DmabufTarget extends RenderTarget, RingBuffer, SyncedBuffer {
  wlBuffer: WlBuffer;
  readonly kind: BufferKind;
  /** Owns the image, its view, the wl_buffer and the dmabuf fd kept for sync. */
  readonly scope: Scope;
}

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
  /** Kinds still worth trying, best first; `accepted` once one has imported. */
  private kinds: BufferKind[];
  private accepted: BufferKind | undefined;
  private readonly rejected: string[] = [];
  private counters = { presented: 0, resizes: 0, submitToCommitMs: 0, feedbackChanges: 0, feedbackReallocations: 0 };
  private readonly driverModifiers: readonly bigint[];
  /** The dmabuf feedback tranche buffers come from (v4: default, then the surface's own feedback). */
  private tranche: TrancheChoice;
  /** Per-surface feedback (v4+): the compositor's preferences for this surface, updated as they change. */
  private surfaceFeedback: ZwpLinuxDmabufFeedbackV1 | undefined;
  /** Surface feedback changed the kind to use: re-allocate at the next acquire. */
  private reallocate = false;
  /** The kinds surface feedback asks for, until the next acquire re-allocates with them. */
  private pendingKinds: BufferKind[] | undefined;

  private constructor(
    device: Device,
    window: WaylandWindow,
    private readonly dmabuf: ZwpLinuxDmabufV1,
    private offered: DmabufFormats,
    private readonly options: WaylandDmabufOptions,
    private readonly colourPath: WaylandColour,
  ) {
    super(device, window, options, {
      commit: (t, frame) => {
        this.ring.markAttached(t, frame);
        this.counters.presented++;
        return this.window.present(t.wlBuffer, frame);
      },
      drop: (t) => this.ring.cancel(t),
    });
    this.format = colourPath.format.vkFormat;
    const driverModifiers = device.physical.drmFormatModifiers(this.format).map((m) => m.modifier);
    this.driverModifiers = driverModifiers;
    this.tranche = chooseTranche(offered, driverModifiers, (dev) => this.isOurDevice(dev), colourPath.format.fourccs);
    this.kinds = this.tranche.kinds;
    try {
      if (!this.kinds.length) throw unavailable(noKindReason(offered.formats, driverModifiers, colourPath.format.fourccs));
      this.sync = chooseFrameSync(device, window, this.syncChoice(device, options.sync));
    } catch (e) {
      this.releaseWindowParts(); // "auto" goes on to wl_shm, maybe on the same connection
      throw e;
    }
    this.ring = new BufferRing(window.connection, { tracing: window });
    log.info(
      `wayland-dmabuf: sync path ${this.sync.path} (${this.sync.why}); formats from ${offered.source}; ` +
        `tranche ${this.tranche.name}; kinds ${this.kinds.map(kindName).join(", ")}; buffers by ${this.creation}`,
    );
    if (dmabuf.version >= 4) {
      this.surfaceFeedback = dmabuf.get_surface_feedback(window.surface);
      listenFeedback(
        this.surfaceFeedback,
        "v4 surface feedback",
        (f) => this.onSurfaceFeedback(f),
        (e) => log.warn(`wayland-dmabuf: ignoring malformed surface feedback: ${e.message}`),
      );
    }
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

  private get creation(): "auto" | "create" | "immed" {
    return this.options.bufferCreation ?? "auto";
  }

  private async allocate(width: number, height: number): Promise<void> {
    const count = this.options.images ?? (this.queue.pacing.mode === "fifo" ? 3 : 4);
    const ring = new BufferRing<DmabufTarget>(this.window.connection, { tracing: this.window });
    const made: DmabufTarget[] = [];
    let failure: Error | undefined;
    const onFailed = (t: DmabufTarget) => () =>
      (failure ??= unavailable(`zwp_linux_buffer_params_v1.failed: the compositor could not import dmabuf ${t.id} (${width}x${height} ${kindName(t.kind)})`));
    try {
      made.push(await this.firstTarget(width, height, onFailed));
      for (let i = 1; i < count; i++) {
        const t = this.createTarget(width, height, this.accepted!);
        made.push(t);
        const buffer = await this.importTarget(t, this.creation === "create" ? "create" : "immed", onFailed(t));
        if (!buffer) onFailed(t)();
        else t.wlBuffer = buffer;
      }
      // create_immed: a round trip surfaces a `failed` before the first frame is rendered
      if (this.creation !== "create" && !failure) await this.window.connection.roundtrip();
      if (failure) throw failure;
    } catch (e) {
      for (const t of made) t.scope.close();
      // create_immed: a compositor may answer an import it cannot do with this protocol error (Weston does)
      if (e instanceof WaylandProtocolError && e.interfaceName === "zwp_linux_buffer_params_v1")
        throw unavailable(`the compositor could not import our dmabufs (${e.message})`, e);
      throw e;
    }
    const generation = new Scope(`wayland-dmabuf targets ${width}x${height}`);
    for (const t of made) {
      ring.add(t);
      generation.add(t.scope);
    }
    this.ring = ring;
    this.generation = generation;
    log.debug(`wayland-dmabuf: ${count} images ${width}x${height}, ${kindName(this.accepted!)}`);
  }

  /** The first image: of the accepted kind, or the first kind the compositor actually imports. */
  private async firstTarget(width: number, height: number, onFailed: (t: DmabufTarget) => () => void): Promise<DmabufTarget> {
    for (const kind of this.accepted ? [this.accepted] : [...this.kinds]) {
      const how = this.creation === "immed" || (this.creation === "auto" && this.accepted) ? "immed" : "create";
      const t = this.createTarget(width, height, kind);
      const buffer = await this.importTarget(t, how, onFailed(t)).catch((e: unknown) => {
        t.scope.close();
        throw e;
      });
      if (buffer) {
        t.wlBuffer = buffer;
        if (!this.accepted) log.debug(`wayland-dmabuf: ${kindName(kind)} imports`);
        this.accepted = kind;
        return t;
      }
      t.scope.close();
      this.kinds = this.kinds.filter((k) => k !== kind);
      this.rejected.push(kindName(kind));
      log.debug(`wayland-dmabuf: the compositor failed to import a ${width}x${height} ${kindName(kind)} buffer; trying the next kind`);
    }
    throw unavailable(`the compositor failed to import every dmabuf kind it listed and we can make (${this.rejected.join(", ")}; ${width}x${height})`);
  }

  /** An exportable image of `kind` and its view; the wl_buffer comes from importTarget. */
  private createTarget(width: number, height: number, kind: BufferKind): DmabufTarget {
    const id = nextId++;
    return Scope.build(`wayland-dmabuf target ${id}`, (scope) => {
      const image = scope.add(Image.create(this.device, {
        width,
        height,
        format: this.format,
        usage: ImageUsage.colorAttachment | ImageUsage.transferSrc,
        exportDmabuf: { modifiers: imageModifiers(kind) },
        what: `wayland-dmabuf image ${id}`,
      }));
      const view = scope.add(image.createView());
      const t: DmabufTarget = { id, image, view, width, height, format: this.format, finalLayout: this.finalLayout, kind, wlBuffer: undefined!, state: "free", dmabufFd: -1, scope };
      // last made, first undone: the protocol object and the sync state go before the image
      scope.defer(() => {
        if (t.wlBuffer && !t.wlBuffer.destroyed && !this.window.connection.error) t.wlBuffer.destroy();
        this.sync.forget(t);
        if (t.dmabufFd >= 0) closeFd(t.dmabufFd);
        t.dmabufFd = -1;
      });
      return t;
    });
  }

  /** Hands the target's dmabuf to the compositor; with "create", undefined when it failed to import. */
  private async importTarget(t: DmabufTarget, how: "create" | "immed", onFailed: () => void): Promise<WlBuffer | undefined> {
    const exported = t.image.exportDmabuf();
    try {
      if (this.sync.needsDmabufFd) t.dmabufFd = dup(exported.fd);
      const request = { dmabuf: this.dmabuf, exported, kind: t.kind, width: t.width, height: t.height };
      return how === "create" ? await createBuffer(this.window.connection, request) : createBufferImmed(request, onFailed);
    } finally {
      closeFd(exported.fd); // the connection holds its own duplicate until the request is sent
    }
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
    const resized = this.window.configurePending && this.window.applyConfigure();
    if (resized || this.reallocate) {
      if (resized) this.counters.resizes++;
      else this.counters.feedbackReallocations++;
      this.reallocate = false;
      if (this.pendingKinds) {
        this.kinds = this.pendingKinds;
        this.accepted = undefined; // the first image of the new kind is sent with `create` again
        this.pendingKinds = undefined;
      }
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

  /** Whether a feedback tranche's dev_t is the device we render on (same PCI address). */
  private isOurDevice(dev: bigint): boolean {
    const ours = this.device.physical.pciBusInfo;
    return ours !== undefined && samePciAddress(pciAddressOfDevT(dev), ours);
  }

  /**
   * The surface's feedback (first, and whenever it changes, e.g. a scanout tranche appears when the
   * window goes fullscreen): when its best kind differs from the one we allocate, re-allocate.
   */
  private onSurfaceFeedback(f: DmabufFormats): void {
    this.counters.feedbackChanges++;
    const choice = chooseTranche(f, this.driverModifiers, (dev) => this.isOurDevice(dev), this.colourPath.format.fourccs);
    log.info(`wayland-dmabuf: surface feedback: main device ${devTName(f.mainDevice)}, ${f.tableEntries} table entries, tranches ${f.tranches.map(trancheName).join("; ")}; using ${choice.name}`);
    const kinds = choice.kinds.filter((k) => !this.rejected.includes(kindName(k)));
    if (!kinds.length) return; // nothing we can make there: keep what works
    this.offered = f;
    this.tranche = choice;
    const best = kinds[0]!;
    const current = this.accepted ?? this.kinds[0];
    if (current && best.fourcc === current.fourcc && best.modifier === current.modifier) return;
    this.pendingKinds = kinds; // applied at the next acquire, never in the middle of an allocation
    this.reallocate = true;
  }

  /** The colour frames are encoded for (FrameStats.colour), and its figures. */
  get colour(): ColourState {
    return this.colourPath.state;
  }
  colourStats = (): Record<string, number | string> | undefined => this.colourPath.stats();

  stats(): Record<string, number | string> {
    const { presented, resizes, submitToCommitMs } = this.counters;
    return {
      sync: this.sync.path,
      formats: this.offered.source,
      tranche: this.tranche.name,
      feedbackChanges: this.counters.feedbackChanges,
      feedbackReallocations: this.counters.feedbackReallocations,
      bufferCreation: this.creation,
      bufferKind: this.accepted ? kindName(this.accepted) : "none",
      modifier: `0x${(this.accepted?.modifier ?? 0n).toString(16)}`,
      ...(this.rejected.length ? { rejectedKinds: this.rejected.join(" ") } : {}),
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
      this.surfaceFeedback?.destroy();
      this.dmabuf.destroy();
    }
    this.colourPath.destroy();
    await this.window.close();
  }
}
