import { logger } from "../util/log.js";
import { FrameLoop } from "./frame-loop.js";
import { WaylandShmBackend } from "./wayland-shm.js";
const log = logger("present");
/** Opens a window and returns a Presenter; with ownsDevice the presenter destroys the device. */
export async function openWaylandPresenter(device, options, ownsDevice = false) {
    const mode = options.mode ?? "auto";
    if (mode !== "shm") {
        try {
            const { WaylandDmabufBackend } = await import("./wayland-dmabuf.js");
            const backend = await WaylandDmabufBackend.open(device, options);
            return new FrameLoop(backend, ownsDevice);
        }
        catch (e) {
            if (mode === "dmabuf")
                throw e;
            log.info(`wayland: dmabuf unavailable (${e.message}); using wl_shm`);
        }
    }
    const backend = await WaylandShmBackend.open(device, options);
    return new FrameLoop(backend, ownsDevice);
}
const opener = (mode) => async (_instance, o) => openWaylandPresenter(o.device, { size: o.size, title: o.title ?? "scanout", appId: "dev.scanout", mode }, o.ownsDevice);
/** For openPresenter: registerBackend("wayland", ...), ("wayland-shm", ...), ("wayland-dmabuf", ...). */
export const waylandOpener = opener("auto");
export const waylandShmOpener = opener("shm");
export const waylandDmabufOpener = opener("dmabuf");
//# sourceMappingURL=wayland-open.js.map