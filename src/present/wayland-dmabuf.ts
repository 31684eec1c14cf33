// Wayland presentation through zwp_linux_dmabuf_v1: frames render straight into exportable Vulkan
// images whose dmabufs the compositor imports (no copy). Each image's wl_buffer is made once, with
// create_immed (default) or create + created/failed; a BufferRing hands an image out again only
// after its wl_buffer.release.
//
// Sync, chosen at open and logged:
// - "implicit sync-file": each frame's submission also signals an exportable semaphore; its SYNC_FD
//   goes into the dmabuf (DMA_BUF_IOCTL_IMPORT_SYNC_FILE), so the compositor's import waits for our
//   writes. Before an image is rendered again, the compositor's read fences (exported as a sync
//   file) are waited on a pool thread. Needs VK_KHR_external_semaphore_fd (lavapipe has it in the VM).
// - "cpu-wait": the frame's fence is waited on the CPU before attach/commit.
//
// What cannot work here (no dmabuf export, no zwp_linux_dmabuf_v1, no format or modifier in common,
// the compositor failing the import) is a BackendUnavailableError; wayland-open falls back to shm.
import { type Device, type Fence, Format, Image, ImageLayout, ImageUsage, modifierName, MOD_INVALID, MOD_LINEAR, Semaphore } from "../vk/index.js";
import { samePciAddress } from "../sys/dev.js";
import { close as closeFd, dup } from "../sys/libc.js";
import { importSyncFile, waitDmabufFences } from "../sys/sync-file.js";
import { logger } from "../util/log.js";
import { DRM_FORMAT_XRGB8888 } from "../util/fourcc.js";
import { BufferRing, type RingBuffer } from "../wayland/buffer-ring.js";
import { chooseModifiers, type DmabufFormats, matchMainDevice, queryDmabufFormats } from "../wayland/dmabuf.js";
import { WaylandProtocolError } from "../wayland/errors.js";
import { ZwpLinuxDmabufV1 } from "../wayland/protocol/linux-dmabuf-v1.js";
import type { WlBuffer } from "../wayland/protocol/wayland.js";
import { WaylandWindow, type WindowOptions } from "../wayland/window.js";
import { BackendUnavailableError } from "./errors.js";
import type { RenderTarget, SwapchainBackend } from "./presenter.js";

const log = logger("present");
let nextId = 1_000_000;
/** How long a buffer's read fences may take before we call the compositor stuck. */
const READ_FENCE_TIMEOUT_MS = 5000;

const unavailable = (reason: string, cause?: unknown) => new BackendUnavailableError("wayland-dmabuf", reason, cause === undefined ? undefined : { cause });

/**
 * Says whether `device` is the compositor's main device. The device is already chosen here (the
 * caller made it), so a mismatch is logged: buffers still work but may cross devices.
 */
function logDeviceMatch(device: Device, mainDevice: bigint | undefined): void {
  const renderable = device.instance.physicalDevices().filter((p) => p.graphicsQueueFamily !== undefined);
  const match = matchMainDevice(mainDevice, renderable.length ? renderable : [device.physical]);
  if (!match.matched) {
    const same = match.device.name === device.physical.name;
    log.info(`wayland-dmabuf: device: ${match.reason}${same ? "" : `; the caller's device is ${device.physical.name}`}`);
  } else if (samePciAddress(device.physical.pciBusInfo, match.device.pciBusInfo)) log.info(`wayland-dmabuf: device: ${match.reason}`);
  else log.warn(`wayland-dmabuf: ${match.reason}, but we render on ${device.physical.name}: buffers cross devices`);
}

interface DmabufTarget extends RenderTarget, RingBuffer {
  wlBuffer: WlBuffer;
  /** Our own dup of the image's dmabuf, kept only on the implicit-sync path (-1 otherwise). */
  dmabufFd: number;
}

export type SyncPath = "implicit sync-file" | "cpu-wait";

export interface WaylandDmabufOptions extends WindowOptions {
  size: readonly [number, number];
  images?: number;
  paced?: boolean;
  /** "auto" (default): implicit sync-file when the device can export sync files, else cpu-wait. */
  sync?: "auto" | "implicit" | "cpu-wait";
  /** create_immed (default) or create, which waits for created/failed before the first frame. */
  bufferCreation?: "immed" | "create";
}

/** The sync path for the options and device; implicit when asked for but impossible is unavailable. */
function chooseSync(device: Device, want: WaylandDmabufOptions["sync"] = "auto"): { sync: SyncPath; why: string } {
  const canExport = device.has("VK_KHR_external_semaphore_fd");
  if (want === "implicit" && !canExport) throw unavailable(`${device.physical.name}: implicit sync needs VK_KHR_external_semaphore_fd`);
  if (want !== "cpu-wait" && canExport) return { sync: "implicit sync-file", why: "VK_KHR_external_semaphore_fd + DMA_BUF_IOCTL_IMPORT_SYNC_FILE" };
  return { sync: "cpu-wait", why: canExport ? "requested" : "no VK_KHR_external_semaphore_fd" };
}

export class WaylandDmabufBackend implements SwapchainBackend {
  readonly name = "wayland-dmabuf" as const;
  readonly format: Format = Format.VK_FORMAT_B8G8R8A8_UNORM; // = DRM XRGB8888 byte order
  readonly finalLayout: ImageLayout = ImageLayout.VK_IMAGE_LAYOUT_GENERAL;
  readonly sync: SyncPath;
  private ring: BufferRing<DmabufTarget>;
  private modifier: bigint = MOD_LINEAR;
  private counters = { presented: 0, resizes: 0, syncFilesImported: 0, syncFilesSignalled: 0, readFenceWaits: 0 };
  /** Implicit sync: signalled by each frame's submission (the FrameLoop adds it), exported per frame. */
  readonly renderFinished: Semaphore | undefined;

  private constructor(
    readonly device: Device,
    readonly window: WaylandWindow,
    private readonly dmabuf: ZwpLinuxDmabufV1,
    private readonly offered: DmabufFormats,
    private readonly options: WaylandDmabufOptions,
  ) {
    const { sync, why } = chooseSync(device, options.sync);
    this.sync = sync;
    if (sync === "implicit sync-file") this.renderFinished = Semaphore.create(device, { exportable: true });
    this.ring = new BufferRing(window.connection);
    log.info(`wayland-dmabuf: sync path ${sync} (${why}); formats from ${offered.source}; buffers by ${options.bufferCreation ?? "immed"}`);
  }

  static async open(device: Device, options: WaylandDmabufOptions): Promise<WaylandDmabufBackend> {
    if (!device.canExportDmabuf) throw unavailable("the Vulkan device cannot export dmabufs (VK_EXT_external_memory_dma_buf)");
    return WaylandWindow.openWith(options, async (window) => {
      const dmabuf = window.globals.tryBind(ZwpLinuxDmabufV1, { min: 3 });
      if (!dmabuf) throw unavailable("the compositor offers no zwp_linux_dmabuf_v1 v3 or later");
      let backend: WaylandDmabufBackend | undefined;
      try {
        const offered = await queryDmabufFormats(window.connection, dmabuf);
        if (!offered.formats.has(DRM_FORMAT_XRGB8888)) throw unavailable("the compositor does not import XRGB8888 dmabufs");
        logDeviceMatch(device, offered.mainDevice);
        backend = new WaylandDmabufBackend(device, window, dmabuf, offered, options);
        await backend.allocate(window.width, window.height);
        return backend;
      } catch (e) {
        backend?.renderFinished?.destroy();
        if (!window.connection.error) dmabuf.destroy();
        throw e;
      }
    });
  }

  get size(): readonly [number, number] {
    return this.window.size;
  }

  get endReason(): string | undefined {
    return this.window.endReason;
  }

  /** Modifiers to export with: any both sides know, else LINEAR or the implicit one (INVALID). */
  private exportModifiers(): { offered: Set<bigint> | undefined; modifiers: bigint[] } {
    const offered = this.offered.formats.get(DRM_FORMAT_XRGB8888);
    const driver = this.device.physical.drmFormatModifiers(this.format).map((m) => m.modifier);
    const common = chooseModifiers(offered, driver);
    if (driver.length && !common.length)
      throw unavailable(`no modifier both the driver (${driver.map(modifierName).join(", ")}) and the compositor support`);
    if (!driver.length && !offered?.has(MOD_LINEAR) && !offered?.has(MOD_INVALID))
      throw unavailable("the compositor takes neither LINEAR nor implicit-modifier XRGB8888");
    // LINEAR needs no modifier chain and every importer takes it: prefer it when offered.
    return { offered, modifiers: common.length && !offered?.has(MOD_LINEAR) ? common : [] };
  }

  private async allocate(width: number, height: number): Promise<void> {
    const { offered, modifiers } = this.exportModifiers();
    const count = this.options.images ?? 3;
    const ring = new BufferRing<DmabufTarget>(this.window.connection);
    const made: DmabufTarget[] = [];
    const created: Promise<void>[] = [];
    let failure: Error | undefined;
    try {
      for (let i = 0; i < count; i++) {
        const target = this.createTarget(i, width, height, modifiers);
        made.push(target);
        const wlBuffer = this.importTarget(i, target, offered, (e) => (failure ??= e));
        if (wlBuffer instanceof Promise) created.push(wlBuffer.then((b) => void ring.add(Object.assign(target, { wlBuffer: b }))));
        else ring.add(Object.assign(target, { wlBuffer }));
      }
      // All settled, so a failed buffer does not leave the others' events unwaited; with
      // create_immed a round trip surfaces a `failed` before the first frame is rendered.
      if (!created.length) await this.window.connection.roundtrip();
      const rejected = (await Promise.allSettled(created)).find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (rejected) throw rejected.reason;
      if (failure) throw failure;
    } catch (e) {
      for (const t of made) this.destroyTarget(t, false);
      // create_immed: a compositor may answer an import it cannot do with this protocol error (Weston does)
      if (e instanceof WaylandProtocolError && e.interfaceName === "zwp_linux_buffer_params_v1")
        throw unavailable(`the compositor could not import our dmabufs (${e.message})`, e);
      throw e;
    }
    this.ring = ring;
    log.debug(`wayland-dmabuf: ${count} images ${width}x${height}, modifier ${modifierName(this.modifier)}`);
  }

  /** An exportable image and its view; the wl_buffer comes from importTarget. */
  private createTarget(i: number, width: number, height: number, modifiers: bigint[]): DmabufTarget {
    const image = Image.create(this.device, {
      width,
      height,
      format: this.format,
      usage: ImageUsage.colorAttachment | ImageUsage.transferSrc,
      exportDmabuf: { modifiers },
      what: `wayland-dmabuf image ${i}`,
    });
    try {
      const view = image.createView();
      return { id: nextId++, image, view, width, height, format: this.format, finalLayout: this.finalLayout, wlBuffer: undefined!, state: "free", dmabufFd: -1 };
    } catch (e) {
      image.destroy();
      throw e;
    }
  }

  /**
   * Hands the target's dmabuf to the compositor. create_immed returns the wl_buffer at once (a
   * `failed` event is reported through `onFailed`); bufferCreation "create" resolves with it on the
   * `created` event and rejects on `failed`.
   */
  private importTarget(i: number, target: DmabufTarget, offered: Set<bigint> | undefined, onFailed: (e: Error) => void): WlBuffer | Promise<WlBuffer> {
    const { width, height } = target;
    const exp = target.image.exportDmabuf();
    try {
      if (this.sync === "implicit sync-file") target.dmabufFd = dup(exp.fd);
      const mod = offered?.has(exp.modifier) ? exp.modifier : MOD_INVALID;
      this.modifier = mod;
      const plane = exp.planes[0]!;
      const params = this.dmabuf.create_params();
      params.add(exp.fd, 0, plane.offset, plane.stride, Number(mod >> 32n), Number(mod & 0xffffffffn));
      const failed = () =>
        unavailable(`zwp_linux_buffer_params_v1.failed: the compositor could not import dmabuf ${i} (${width}x${height} XR24 modifier ${modifierName(mod)} stride ${plane.stride})`);
      if (this.options.bufferCreation !== "create") {
        // create_immed: failure comes as this event or as a protocol error, both before the buffer is used
        params.listen({ created: () => {}, failed: () => onFailed(failed()) });
        const wlBuffer = params.create_immed(width, height, DRM_FORMAT_XRGB8888, 0);
        params.destroy();
        return wlBuffer;
      }
      const created = this.window.connection.waitFor<WlBuffer>((resolve, reject) =>
        params.listen({
          created: (buffer) => {
            params.destroy();
            resolve(buffer);
          },
          failed: () => {
            params.destroy();
            reject(failed());
          },
        }),
      );
      params.create(width, height, DRM_FORMAT_XRGB8888, 0);
      return created;
    } finally {
      closeFd(exp.fd); // the connection holds its own duplicate until the request is sent
    }
  }

  private destroyTarget(t: DmabufTarget, deferred: boolean): void {
    if (t.wlBuffer && !t.wlBuffer.destroyed && !this.window.connection.error) t.wlBuffer.destroy();
    if (t.dmabufFd >= 0) {
      closeFd(t.dmabufFd);
      t.dmabufFd = -1;
    }
    for (const r of [t.view, t.image]) {
      if (deferred) this.device.retire(r); // freed once the GPU is done with it
      else r.destroy();
    }
  }

  /** Destroys every target (deferred: once the GPU is done) and leaves an empty ring. */
  private dropTargets(deferred: boolean): void {
    for (const t of this.ring.buffers) this.destroyTarget(t, deferred);
    this.ring = new BufferRing(this.window.connection);
  }

  async acquire(): Promise<RenderTarget> {
    this.window.throwIfFailed();
    if (this.options.paced !== false) await this.window.nextFrame();
    if (this.window.configurePending && this.window.applyConfigure()) {
      this.counters.resizes++;
      this.device.waitIdle();
      this.dropTargets(true);
      await this.allocate(this.window.width, this.window.height);
    }
    // closed: the frame loop ends after this frame, and no buffer may ever come back
    if (this.window.closeRequested) return this.ring.buffers[0]!;
    const t = await this.ring.acquire({ check: () => this.window.throwIfFailed() });
    if (t.dmabufFd >= 0) await this.waitForReaders(t);
    return t;
  }

  /** Implicit sync: the compositor may release a buffer while its GPU still reads it. */
  private async waitForReaders(t: DmabufTarget): Promise<void> {
    const outcome = await waitDmabufFences(t.dmabufFd, READ_FENCE_TIMEOUT_MS);
    if (outcome === "waited") this.counters.readFenceWaits++;
    if (outcome === "timeout") throw new Error(`wayland-dmabuf: the compositor's fences on buffer ${t.id} did not signal within ${READ_FENCE_TIMEOUT_MS} ms`);
  }

  async present(target: RenderTarget, rendered: Fence): Promise<void> {
    this.window.throwIfFailed();
    const t = target as DmabufTarget;
    if (!this.ring.buffers.includes(t)) return;
    if (this.sync === "implicit sync-file") this.publishRenderFence(t);
    else rendered.wait(); // the compositor reads a finished image
    this.ring.markAttached(t);
    void this.window.present(t.wlBuffer);
    this.counters.presented++;
  }

  /** Implicit sync: our render-finished sync file becomes the dmabuf's write fence. */
  private publishRenderFence(t: DmabufTarget): void {
    const fd = this.renderFinished!.exportSyncFile(); // exporting a SYNC_FD also unsignals the semaphore
    if (fd < 0) {
      // -1 is a valid SYNC_FD export: "already signalled" (the driver finished the work first)
      this.counters.syncFilesSignalled++;
      return;
    }
    try {
      importSyncFile(t.dmabufFd, fd);
      this.counters.syncFilesImported++;
    } finally {
      closeFd(fd);
    }
  }

  stats(): Record<string, number | string> {
    const { syncFilesImported, syncFilesSignalled, readFenceWaits } = this.counters;
    return {
      sync: this.sync,
      formats: this.offered.source,
      bufferCreation: this.options.bufferCreation ?? "immed",
      modifier: `0x${this.modifier.toString(16)}`,
      presented: this.counters.presented,
      resizes: this.counters.resizes,
      ...(this.sync === "implicit sync-file" ? { syncFilesImported, syncFilesSignalled, readFenceWaits } : {}),
      ...this.window.presentationFigures(),
    };
  }

  async destroy(): Promise<void> {
    this.device.waitIdle();
    this.dropTargets(false);
    this.renderFinished?.destroy();
    if (!this.window.connection.error) this.dmabuf.destroy();
    await this.window.close();
  }
}
