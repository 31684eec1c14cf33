// Wayland presenter factory: dmabuf when the device exports dmabufs and the compositor takes them,
// else wl_shm. `mode` forces one (the CLI's --backend wayland-shm / wayland-dmabuf).
import type { Device, Instance } from "../vk/index.js";
import { logger } from "../util/log.js";
import { FrameLoop } from "./frame-loop.js";
import type { BackendOpener } from "./open.js";
import type { WaylandDmabufOptions } from "./wayland-dmabuf.js";
import { WaylandShmBackend, type WaylandShmOptions } from "./wayland-shm.js";

const log = logger("present");

export type WaylandMode = "auto" | "shm" | "dmabuf";

export interface WaylandPresenterOptions extends Omit<WaylandShmOptions, "size">, Pick<WaylandDmabufOptions, "sync" | "bufferCreation"> {
  size: readonly [number, number];
  mode?: WaylandMode;
}

/** Opens a window and returns a Presenter; with ownsDevice the presenter destroys the device. */
export async function openWaylandPresenter(device: Device, options: WaylandPresenterOptions, ownsDevice = false): Promise<FrameLoop> {
  const mode = options.mode ?? "auto";
  if (mode !== "shm") {
    try {
      const { WaylandDmabufBackend } = await import("./wayland-dmabuf.js");
      const backend = await WaylandDmabufBackend.open(device, options);
      return new FrameLoop(backend, ownsDevice);
    } catch (e) {
      if (mode === "dmabuf") throw e;
      log.info(`wayland: dmabuf unavailable (${(e as Error).message}); using wl_shm`);
    }
  }
  const backend = await WaylandShmBackend.open(device, options);
  return new FrameLoop(backend, ownsDevice);
}

const opener =
  (mode: WaylandMode): BackendOpener =>
  async (_instance: Instance, o) =>
    openWaylandPresenter(o.device, { size: o.size, title: o.title ?? "scanout", appId: "dev.scanout", mode }, o.ownsDevice);

/** For openPresenter: registerBackend("wayland", ...), ("wayland-shm", ...), ("wayland-dmabuf", ...). */
export const waylandOpener = opener("auto");
export const waylandShmOpener = opener("shm");
export const waylandDmabufOpener = opener("dmabuf");
