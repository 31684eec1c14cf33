// Wayland presenter factory: dmabuf when the device exports dmabufs and the compositor takes them,
// else wl_shm. `mode` forces one (the CLI's --backend wayland-shm / wayland-dmabuf).
//
// For automatic backend choice: no compositor to reach (WAYLAND_DISPLAY unset, no socket, refused)
// is a BackendUnavailableError naming the socket; so is dmabuf's unavailability when dmabuf was
// asked for. Any other failure (a protocol error, a handler's bug) propagates as itself.
import type { Device, Instance } from "../vk/index.js";
import { logger } from "../util/log.js";
import { MissingGlobalError } from "../wayland/globals.js";
import { BackendUnavailableError } from "./errors.js";
import { openFrameLoop, type FrameLoop } from "./frame-loop.js";
import type { BackendOpener } from "./open.js";
import { pacingOf } from "./pacing.js";
import type { WaylandDmabufOptions } from "./wayland-dmabuf.js";
import { WaylandShmBackend, type WaylandShmOptions } from "./wayland-shm.js";

const log = logger("present");

/** How Wayland frames reach the compositor: "dmabuf" shares GPU images (zero copy), "shm" copies each frame into shared memory, "auto" tries dmabuf and falls back to shm when the compositor or driver cannot do it. */
export type WaylandMode = "auto" | "shm" | "dmabuf";

/** Options of openWaylandPresenter: the window (title, connection) and buffer options of both Wayland backends, plus the initial size and mode (default "auto"). */
export interface WaylandPresenterOptions extends Omit<WaylandShmOptions, "size">, Pick<WaylandDmabufOptions, "sync" | "bufferCreation"> {
  size: readonly [number, number];
  mode?: WaylandMode;
}

const backendNames = { auto: "wayland", shm: "wayland-shm", dmabuf: "wayland-dmabuf" } as const;

/** Opens a window and returns a Presenter; with ownsDevice the presenter destroys the device. */
export async function openWaylandPresenter(device: Device, options: WaylandPresenterOptions, ownsDevice = false): Promise<FrameLoop> {
  const mode = options.mode ?? "auto";
  return openFrameLoop(backendNames[mode], () => openBackend(device, options, mode), ownsDevice, device);
}

async function openBackend(device: Device, options: WaylandPresenterOptions, mode: WaylandMode) {
  let noDmabuf: BackendUnavailableError | undefined;
  if (mode !== "shm") {
    try {
      const { WaylandDmabufBackend } = await import("./wayland-dmabuf.js");
      return await WaylandDmabufBackend.open(device, options);
    } catch (e) {
      // only "dmabuf cannot work here" falls back; a missing compositor fails shm the same way
      if (mode === "dmabuf" || !(e instanceof BackendUnavailableError)) throw e;
      noDmabuf = e;
      log.info(`wayland: ${e.message}; using wl_shm`);
    }
  }
  try {
    return await WaylandShmBackend.open(device, options);
  } catch (e) {
    // KWin offers no wl_shm: with dmabuf impossible too, no buffer can reach it; say both and what to do
    if (noDmabuf && e instanceof MissingGlobalError && e.interfaceName === "wl_shm")
      throw new BackendUnavailableError(
        "wayland",
        `no buffer type works with this compositor: it offers no wl_shm, and dmabuf cannot be used (${noDmabuf.reason}). ` +
          "Use a device that exports dmabufs (a GPU driver, or lavapipe with the kernel's udmabuf: modprobe udmabuf), or a compositor with wl_shm (Weston, Sway)",
        { cause: e },
      );
    throw e;
  }
}

const opener =
  (mode: WaylandMode): BackendOpener =>
  async (_instance: Instance, o) =>
    openWaylandPresenter(o.device, { size: o.size, title: o.title ?? "scanout", appId: "dev.scanout", mode, color: o.color, hdrMetadata: o.hdrMetadata, preRotate: o.preRotate, ...pacingOf(o) }, o.ownsDevice);

/** For openPresenter: registerBackend("wayland", ...), ("wayland-shm", ...), ("wayland-dmabuf", ...). */
export const waylandOpener = opener("auto");
export const waylandShmOpener = opener("shm");
export const waylandDmabufOpener = opener("dmabuf");
