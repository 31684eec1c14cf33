// Wayland presentation through zwp_linux_dmabuf_v1: frames render straight into exportable Vulkan
// images whose dmabufs the compositor imports (no copy). Each image's wl_buffer is made once with
// create_immed; an image is reused only after wl_buffer.release. Sync: lavapipe has no
// VK_KHR_external_semaphore_fd, so the frame's fence is waited on the CPU before attach/commit.
import { type Device, type Fence, Format, Image, ImageLayout, ImageUsage, MOD_INVALID, MOD_LINEAR } from "../vk/index.js";
import { close as closeFd } from "../sys/libc.js";
import { logger } from "../util/log.js";
import { chooseModifiers, DRM_FORMAT_XRGB8888, type DmabufFormats, queryDmabufFormats } from "../wayland/dmabuf.js";
import { ZwpLinuxDmabufV1 } from "../wayland/protocol/linux-dmabuf-v1.js";
import type { WlBuffer } from "../wayland/protocol/wayland.js";
import { WaylandWindow, type WindowOptions } from "../wayland/window.js";
import type { RenderTarget, SwapchainBackend } from "./presenter.js";

const log = logger("present");
let nextId = 1_000_000;

interface DmabufTarget extends RenderTarget {
  wlBuffer: WlBuffer;
  state: "free" | "rendering" | "attached";
}

export interface WaylandDmabufOptions extends WindowOptions {
  size: readonly [number, number];
  images?: number;
  paced?: boolean;
}

export type SyncPath = "implicit sync-file" | "explicit syncobj" | "cpu-wait";

export class WaylandDmabufBackend implements SwapchainBackend {
  readonly name = "wayland-dmabuf" as const;
  readonly format = Format.VK_FORMAT_B8G8R8A8_UNORM; // = DRM XRGB8888 byte order
  readonly finalLayout = ImageLayout.VK_IMAGE_LAYOUT_GENERAL;
  readonly sync: SyncPath;
  private targets: DmabufTarget[] = [];
  private frameDone: Promise<number> | undefined;
  private waiters: Array<() => void> = [];
  private failure: Error | undefined;
  private modifier: bigint = MOD_LINEAR;
  private counters = { presented: 0, resizes: 0 };

  private constructor(
    readonly device: Device,
    readonly window: WaylandWindow,
    private readonly dmabuf: ZwpLinuxDmabufV1,
    private readonly offered: DmabufFormats,
    private readonly options: WaylandDmabufOptions,
  ) {
    // Only the CPU wait is implemented; say which better path the device would allow.
    this.sync = "cpu-wait";
    const why = device.has("VK_KHR_external_semaphore_fd")
      ? "external_semaphore_fd is present but sync-file export is not wired yet"
      : "no VK_KHR_external_semaphore_fd (lavapipe)";
    log.info(`wayland-dmabuf: sync path ${this.sync} (${why}); formats from ${offered.source}`);
    this.allocate(window.width, window.height);
  }

  static async open(device: Device, options: WaylandDmabufOptions): Promise<WaylandDmabufBackend> {
    if (!device.canExportDmabuf) throw new Error("the Vulkan device cannot export dmabufs (VK_EXT_external_memory_dma_buf)");
    const window = await WaylandWindow.open({ ...options, size: [options.size[0], options.size[1]] });
    try {
      const dmabuf = window.globals.bind(ZwpLinuxDmabufV1, { min: 3 });
      const offered = await queryDmabufFormats(window.connection, dmabuf);
      if (!offered.formats.has(DRM_FORMAT_XRGB8888)) throw new Error("the compositor does not import XRGB8888 dmabufs");
      return new WaylandDmabufBackend(device, window, dmabuf, offered, options);
    } catch (e) {
      await window.close();
      throw e;
    }
  }

  get size(): readonly [number, number] {
    return [this.window.width, this.window.height];
  }

  get endReason(): string | undefined {
    return this.window.closeRequested ? "the compositor closed the window" : undefined;
  }

  private allocate(width: number, height: number): void {
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
        const target: DmabufTarget = { id: nextId++, image, view, width, height, format: this.format, finalLayout: this.finalLayout, wlBuffer: undefined!, state: "free" };
        try {
          const params = this.dmabuf.create_params();
          const mod = offered?.has(exp.modifier) ? exp.modifier : MOD_INVALID;
          this.modifier = mod;
          params.add(exp.fd, 0, exp.planes[0]!.offset, exp.planes[0]!.stride, Number(mod >> 32n), Number(mod & 0xffffffffn));
          params.listen({
            created: () => {},
            failed: () => {
              this.failure = new Error(`the compositor could not import the dmabuf (${width}x${height} XR24, modifier 0x${mod.toString(16)})`);
            },
          });
          target.wlBuffer = params.create_immed(width, height, DRM_FORMAT_XRGB8888, 0);
          params.destroy();
        } finally {
          closeFd(exp.fd); // the connection holds its own duplicate until the request is sent
        }
        target.wlBuffer.listen({
          release: () => {
            target.state = "free";
            this.waiters.shift()?.();
          },
        });
        made.push(target);
      }
    } catch (e) {
      for (const t of made) this.destroyTarget(t, false);
      throw e;
    }
    this.targets = made;
    log.debug(`wayland-dmabuf: ${count} images ${width}x${height}, modifier 0x${this.modifier.toString(16)}`);
  }

  private destroyTarget(t: DmabufTarget, deferred: boolean): void {
    if (t.wlBuffer && !t.wlBuffer.destroyed && !this.window.connection.error) t.wlBuffer.destroy();
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
    if (this.frameDone && this.options.paced !== false) {
      const done = this.frameDone;
      this.frameDone = undefined;
      await Promise.race([done, this.window.closeRequest]);
    }
    if (this.window.configurePending && this.window.applyConfigure()) {
      this.counters.resizes++;
      this.device.waitIdle();
      for (const t of this.targets) this.destroyTarget(t, true);
      this.allocate(this.window.width, this.window.height);
    }
    for (;;) {
      this.throwIfFailed();
      if (this.window.closeRequested) return this.targets[0]!;
      const t = this.targets.find((x) => x.state === "free");
      if (t) {
        t.state = "rendering";
        return t;
      }
      await this.window.connection.waitFor<void>((resolve) => this.waiters.push(() => resolve()));
    }
  }

  async present(target: RenderTarget, rendered: Fence): Promise<void> {
    this.throwIfFailed();
    const t = target as DmabufTarget;
    if (!this.targets.includes(t)) return;
    rendered.wait(); // cpu-wait sync path: the compositor reads a finished image
    t.state = "attached";
    const done = this.window.present(t.wlBuffer);
    done.catch((e: Error) => (this.failure ??= e));
    this.frameDone = done;
    this.counters.presented++;
  }

  stats(): Record<string, number | string> {
    const p = this.window.presentationStats;
    return {
      sync: this.sync,
      formats: this.offered.source,
      modifier: `0x${this.modifier.toString(16)}`,
      presented: this.counters.presented,
      resizes: this.counters.resizes,
      feedbackPresented: p.presented,
      feedbackDiscarded: p.discarded,
      ...(p.meanLatencyMs !== undefined ? { presentLatencyMs: Number(p.meanLatencyMs.toFixed(3)) } : {}),
    };
  }

  async destroy(): Promise<void> {
    this.device.waitIdle();
    for (const t of this.targets) this.destroyTarget(t, false);
    this.targets = [];
    if (!this.window.connection.error) this.dmabuf.destroy();
    await this.window.close();
  }
}
