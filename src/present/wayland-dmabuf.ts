// Wayland presentation through zwp_linux_dmabuf_v1: frames render straight into exportable Vulkan
// images whose dmabufs the compositor imports (no copy). Each image's wl_buffer is made once, with
// create_immed (default) or create + created/failed; an image is reused only after wl_buffer.release.
//
// Sync, chosen at open and logged:
// - "implicit sync-file": after the frame's submission an empty submit signals an exportable
//   semaphore (its signal covers all earlier work on the queue); its SYNC_FD goes into the dmabuf
//   with DMA_BUF_IOCTL_IMPORT_SYNC_FILE, so the compositor's import waits for our writes. Before an
//   image is rendered again, DMA_BUF_IOCTL_EXPORT_SYNC_FILE gives the compositor's read fences,
//   waited on a pool thread. Needs VK_KHR_external_semaphore_fd (lavapipe has it in the VM).
// - "cpu-wait": the frame's fence is waited on the CPU before attach/commit.
import { type Device, type Fence, Format, Image, ImageLayout, ImageUsage, MOD_INVALID, MOD_LINEAR, Semaphore } from "../vk/index.js";
import { close as closeFd, dup, ioctl, koffi, libc, SysError } from "../sys/libc.js";
import { logger } from "../util/log.js";
import { chooseModifiers, DRM_FORMAT_XRGB8888, type DmabufFormats, formatPciAddress, matchMainDevice, queryDmabufFormats } from "../wayland/dmabuf.js";
import { ZwpLinuxDmabufV1 } from "../wayland/protocol/linux-dmabuf-v1.js";
import type { WlBuffer } from "../wayland/protocol/wayland.js";
import { WaylandWindow, type WindowOptions } from "../wayland/window.js";
import type { RenderTarget, SwapchainBackend } from "./presenter.js";

const log = logger("present");
let nextId = 1_000_000;

// <linux/dma-buf.h>: struct dma_buf_{export,import}_sync_file { __u32 flags; __s32 fd; }
const DMA_BUF_SYNC_READ = 1;
const DMA_BUF_SYNC_WRITE = 2;
const DMA_BUF_IOCTL_EXPORT_SYNC_FILE = 0xc0086202; // _IOWR('b', 2, 8 bytes)
const DMA_BUF_IOCTL_IMPORT_SYNC_FILE = 0x40086203; // _IOW('b', 3, 8 bytes)
const POLLIN = 1;
const c_poll = libc.func("int poll(_Inout_ int16_t *fds, unsigned long nfds, int timeout)");

/** Puts a sync file into a dmabuf's reservation as a fence of kind `flags` (write: we render). */
export function dmabufImportSyncFile(dmabufFd: number, syncFd: number, flags = DMA_BUF_SYNC_WRITE): void {
  const arg = Buffer.alloc(8);
  arg.writeUInt32LE(flags, 0);
  arg.writeInt32LE(syncFd, 4);
  ioctl(dmabufFd, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, arg, `dmabuf fd ${dmabufFd}: DMA_BUF_IOCTL_IMPORT_SYNC_FILE`);
}

/**
 * A sync file of the dmabuf's fences: with DMA_BUF_SYNC_WRITE, all of them (readers included),
 * which is what a writer must wait for. The caller owns the returned fd.
 */
export function dmabufExportSyncFile(dmabufFd: number, flags = DMA_BUF_SYNC_WRITE): number {
  const arg = Buffer.alloc(8);
  arg.writeUInt32LE(flags, 0);
  arg.writeInt32LE(-1, 4);
  ioctl(dmabufFd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, arg, `dmabuf fd ${dmabufFd}: DMA_BUF_IOCTL_EXPORT_SYNC_FILE`);
  return arg.readInt32LE(4);
}

function pollFd(fd: number): Int16Array {
  const pfd = new Int16Array(4); // struct pollfd { int fd; short events; short revents; }
  new Int32Array(pfd.buffer, 0, 1)[0] = fd;
  pfd[2] = POLLIN;
  return pfd;
}

function checkPoll(r: number, fd: number): boolean {
  if (r < 0) throw new SysError("poll", koffi.errno(), `sync file fd ${fd}`);
  return r > 0;
}

/** Whether a sync file has signalled, without waiting. */
function syncFileSignalled(fd: number): boolean {
  return checkPoll(c_poll(pollFd(fd), 1, 0) as number, fd);
}

/** Waits up to timeoutMs for a sync file on a pool thread (the event loop keeps running). */
function waitSyncFile(fd: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve, reject) =>
    c_poll.async(pollFd(fd), 1, timeoutMs, (err: unknown, r: number) => {
      if (err) reject(err);
      else {
        try {
          resolve(checkPoll(r, fd));
        } catch (e) {
          reject(e);
        }
      }
    }),
  );
}

/**
 * Says whether `device` is the compositor's main device. The device is already chosen here (the
 * caller made it), so a mismatch is logged: buffers still work but may cross devices.
 */
function logDeviceMatch(device: Device, mainDevice: bigint | undefined): void {
  const renderable = device.instance.physicalDevices().filter((p) => p.graphicsQueueFamily !== undefined);
  const match = matchMainDevice(mainDevice, renderable.length ? renderable : [device.physical]);
  const ours = device.physical.pciBusInfo;
  const theirs = match.device.pciBusInfo;
  if (!match.matched) {
    const same = match.device.name === device.physical.name;
    log.info(`wayland-dmabuf: device: ${match.reason}${same ? "" : `; the caller's device is ${device.physical.name}`}`);
  }
  else if (ours && theirs && formatPciAddress(ours) === formatPciAddress(theirs)) log.info(`wayland-dmabuf: device: ${match.reason}`);
  else log.warn(`wayland-dmabuf: ${match.reason}, but we render on ${device.physical.name}: buffers cross devices`);
}

interface DmabufTarget extends RenderTarget {
  wlBuffer: WlBuffer;
  state: "free" | "rendering" | "attached";
  /** Our own dup of the image's dmabuf, kept only on the implicit-sync path (-1 otherwise). */
  dmabufFd: number;
}

export type SyncPath = "implicit sync-file" | "explicit syncobj" | "cpu-wait";

export interface WaylandDmabufOptions extends WindowOptions {
  size: readonly [number, number];
  images?: number;
  paced?: boolean;
  /** "auto" (default): implicit sync-file when the device can export sync files, else cpu-wait. */
  sync?: "auto" | "implicit" | "cpu-wait";
  /** create_immed (default) or create, which waits for created/failed before the first frame. */
  bufferCreation?: "immed" | "create";
}

export class WaylandDmabufBackend implements SwapchainBackend {
  readonly name = "wayland-dmabuf" as const;
  readonly format = Format.VK_FORMAT_B8G8R8A8_UNORM; // = DRM XRGB8888 byte order
  readonly finalLayout = ImageLayout.VK_IMAGE_LAYOUT_GENERAL;
  sync: SyncPath;
  private targets: DmabufTarget[] = [];
  private waiters: Array<() => void> = [];
  private failure: Error | undefined;
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
    const want = options.sync ?? "auto";
    const canExport = device.has("VK_KHR_external_semaphore_fd");
    if (want === "implicit" && !canExport) throw new Error(`${device.physical.name}: implicit sync needs VK_KHR_external_semaphore_fd`);
    this.sync = want !== "cpu-wait" && canExport ? "implicit sync-file" : "cpu-wait";
    if (this.sync === "implicit sync-file") {
      this.renderFinished = Semaphore.create(device, { exportable: true });
    }
    const why = this.sync === "cpu-wait" ? (canExport ? "requested" : "no VK_KHR_external_semaphore_fd") : "VK_KHR_external_semaphore_fd + DMA_BUF_IOCTL_IMPORT_SYNC_FILE";
    log.info(`wayland-dmabuf: sync path ${this.sync} (${why}); formats from ${offered.source}; buffers by ${options.bufferCreation ?? "immed"}`);
  }

  static async open(device: Device, options: WaylandDmabufOptions): Promise<WaylandDmabufBackend> {
    if (!device.canExportDmabuf) throw new Error("the Vulkan device cannot export dmabufs (VK_EXT_external_memory_dma_buf)");
    const window = await WaylandWindow.open({ ...options, size: [options.size[0], options.size[1]] });
    let backend: WaylandDmabufBackend | undefined;
    let dmabuf: ZwpLinuxDmabufV1 | undefined;
    try {
      dmabuf = window.globals.bind(ZwpLinuxDmabufV1, { min: 3 });
      const offered = await queryDmabufFormats(window.connection, dmabuf);
      if (!offered.formats.has(DRM_FORMAT_XRGB8888)) throw new Error("the compositor does not import XRGB8888 dmabufs");
      logDeviceMatch(device, offered.mainDevice);
      backend = new WaylandDmabufBackend(device, window, dmabuf, offered, options);
      await backend.allocate(window.width, window.height);
      return backend;
    } catch (e) {
      if (backend) await backend.destroy();
      else {
        if (dmabuf && !window.connection.error) dmabuf.destroy();
        await window.close();
      }
      throw e;
    }
  }

  get size(): readonly [number, number] {
    return [this.window.width, this.window.height];
  }

  get endReason(): string | undefined {
    return this.window.closeRequested ? "the compositor closed the window" : undefined;
  }

  private async allocate(width: number, height: number): Promise<void> {
    const offered = this.offered.formats.get(DRM_FORMAT_XRGB8888);
    const driver = this.device.physical.drmFormatModifiers(this.format).map((m) => m.modifier);
    // With VK_EXT_image_drm_format_modifier: any modifier both sides know; else LINEAR (the
    // export path's default), which the compositor must list (or list INVALID = implicit).
    const common = chooseModifiers(offered, driver);
    if (driver.length && !common.length) throw new Error(`no modifier both the driver (${driver.join(",")}) and the compositor support`);
    if (!driver.length && !offered?.has(MOD_LINEAR) && !offered?.has(MOD_INVALID))
      throw new Error("the compositor takes neither LINEAR nor implicit-modifier XRGB8888");
    const count = this.options.images ?? 3;
    const made: DmabufTarget[] = [];
    const pending: Promise<void>[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const image = Image.create(this.device, {
          width,
          height,
          format: this.format,
          usage: ImageUsage.colorAttachment | ImageUsage.transferSrc,
          // LINEAR needs no modifier chain and every importer takes it: prefer it when offered.
          exportDmabuf: common.length && !offered?.has(MOD_LINEAR) ? { modifiers: common } : {},
          what: `wayland-dmabuf image ${i}`,
        });
        let view;
        let exp;
        try {
          view = image.createView();
          exp = image.exportDmabuf();
        } catch (e) {
          view?.destroy();
          image.destroy();
          throw e;
        }
        const target: DmabufTarget = { id: nextId++, image, view, width, height, format: this.format, finalLayout: this.finalLayout, wlBuffer: undefined!, state: "free", dmabufFd: -1 };
        made.push(target);
        try {
          if (this.sync === "implicit sync-file") target.dmabufFd = dup(exp.fd);
          const params = this.dmabuf.create_params();
          const mod = offered?.has(exp.modifier) ? exp.modifier : MOD_INVALID;
          this.modifier = mod;
          params.add(exp.fd, 0, exp.planes[0]!.offset, exp.planes[0]!.stride, Number(mod >> 32n), Number(mod & 0xffffffffn));
          const what = `${width}x${height} XR24 modifier 0x${mod.toString(16)} stride ${exp.planes[0]!.stride}`;
          if (this.options.bufferCreation === "create") {
            pending.push(
              this.window.connection.waitFor<void>((resolve, reject) =>
                params.listen({
                  created: (buffer) => {
                    target.wlBuffer = buffer;
                    this.listenRelease(target);
                    params.destroy();
                    resolve();
                  },
                  failed: () => {
                    params.destroy();
                    reject(new Error(`zwp_linux_buffer_params_v1.failed: the compositor could not import dmabuf ${i} (${what})`));
                  },
                }),
              ),
            );
            params.create(width, height, DRM_FORMAT_XRGB8888, 0);
          } else {
            params.listen({
              created: () => {},
              // create_immed: failure comes as this event or as a protocol error, both before the buffer is used
              failed: () => (this.failure ??= new Error(`zwp_linux_buffer_params_v1.failed: the compositor could not import dmabuf ${i} (${what})`)),
            });
            target.wlBuffer = params.create_immed(width, height, DRM_FORMAT_XRGB8888, 0);
            params.destroy();
            this.listenRelease(target);
          }
        } finally {
          closeFd(exp.fd); // the connection holds its own duplicate until the request is sent
        }
      }
      // All settled, so a failed buffer does not leave the others' events unwaited; with
      // create_immed a round trip surfaces a `failed` before the first frame is rendered.
      if (!pending.length) await this.window.connection.roundtrip();
      const results = await Promise.allSettled(pending);
      const rejected = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (rejected) throw rejected.reason;
      this.throwIfFailed();
    } catch (e) {
      for (const t of made) this.destroyTarget(t, false);
      throw e;
    }
    this.targets = made;
    log.debug(`wayland-dmabuf: ${count} images ${width}x${height}, modifier 0x${this.modifier.toString(16)}`);
  }

  private listenRelease(target: DmabufTarget): void {
    target.wlBuffer.listen({
      release: () => {
        target.state = "free";
        this.waiters.shift()?.();
      },
    });
  }

  private destroyTarget(t: DmabufTarget, deferred: boolean): void {
    if (t.wlBuffer && !t.wlBuffer.destroyed && !this.window.connection.error) t.wlBuffer.destroy();
    if (t.dmabufFd >= 0) {
      closeFd(t.dmabufFd);
      t.dmabufFd = -1;
    }
    if (deferred) {
      this.device.retire(t.view);
      this.device.retire(t.image);
    } else {
      t.view.destroy();
      t.image.destroy();
    }
  }

  private throwIfFailed(): void {
    const e = this.window.connection.error ?? this.failure;
    if (e) throw e;
  }

  async acquire(): Promise<RenderTarget> {
    this.throwIfFailed();
    if (this.options.paced !== false) await this.window.nextFrame();
    if (this.window.configurePending && this.window.applyConfigure()) {
      this.counters.resizes++;
      this.device.waitIdle();
      for (const t of this.targets) this.destroyTarget(t, true);
      this.targets = [];
      await this.allocate(this.window.width, this.window.height);
    }
    for (;;) {
      this.throwIfFailed();
      if (this.window.closeRequested) return this.targets[0]!;
      const t = this.targets.find((x) => x.state === "free");
      if (t) {
        t.state = "rendering";
        if (t.dmabufFd >= 0) await this.waitForReaders(t);
        return t;
      }
      await this.window.connection.waitFor<void>((resolve) => this.waiters.push(() => resolve()));
    }
  }

  /** Implicit sync: the compositor may release a buffer while its GPU still reads it. */
  private async waitForReaders(t: DmabufTarget): Promise<void> {
    const fd = dmabufExportSyncFile(t.dmabufFd, DMA_BUF_SYNC_WRITE);
    try {
      if (syncFileSignalled(fd)) return;
      this.counters.readFenceWaits++;
      if (!(await waitSyncFile(fd, 5000))) throw new Error(`wayland-dmabuf: the compositor's fences on buffer ${t.id} did not signal within 5 s`);
    } finally {
      closeFd(fd);
    }
  }

  async present(target: RenderTarget, rendered: Fence): Promise<void> {
    this.throwIfFailed();
    const t = target as DmabufTarget;
    if (!this.targets.includes(t)) return;
    if (this.sync === "implicit sync-file") this.publishRenderFence(t);
    else rendered.wait(); // the compositor reads a finished image
    t.state = "attached";
    this.window.present(t.wlBuffer).catch((e: Error) => (this.failure ??= e));
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
      dmabufImportSyncFile(t.dmabufFd, fd, DMA_BUF_SYNC_WRITE);
      this.counters.syncFilesImported++;
    } finally {
      closeFd(fd);
    }
  }

  stats(): Record<string, number | string> {
    const p = this.window.presentationStats;
    return {
      sync: this.sync,
      formats: this.offered.source,
      bufferCreation: this.options.bufferCreation ?? "immed",
      modifier: `0x${this.modifier.toString(16)}`,
      presented: this.counters.presented,
      resizes: this.counters.resizes,
      ...(this.sync === "implicit sync-file"
        ? { syncFilesImported: this.counters.syncFilesImported, syncFilesSignalled: this.counters.syncFilesSignalled, readFenceWaits: this.counters.readFenceWaits }
        : {}),
      feedbackPresented: p.presented,
      feedbackDiscarded: p.discarded,
      ...(p.meanLatencyMs !== undefined ? { presentLatencyMs: Number(p.meanLatencyMs.toFixed(3)) } : {}),
    };
  }

  async destroy(): Promise<void> {
    this.device.waitIdle();
    for (const t of this.targets) this.destroyTarget(t, false);
    this.targets = [];
    this.renderFinished?.destroy();
    if (!this.window.connection.error) this.dmabuf.destroy();
    await this.window.close();
  }
}
