import type { Device } from "../vk/index.js";
import { FrameLoop } from "./frame-loop.js";
import type { BackendOpener } from "./open.js";
import { type WaylandShmOptions } from "./wayland-shm.js";
export type WaylandMode = "auto" | "shm" | "dmabuf";
export interface WaylandPresenterOptions extends Omit<WaylandShmOptions, "size"> {
    size: readonly [number, number];
    mode?: WaylandMode;
}
/** Opens a window and returns a Presenter; with ownsDevice the presenter destroys the device. */
export declare function openWaylandPresenter(device: Device, options: WaylandPresenterOptions, ownsDevice?: boolean): Promise<FrameLoop>;
/** For openPresenter: registerBackend("wayland", ...), ("wayland-shm", ...), ("wayland-dmabuf", ...). */
export declare const waylandOpener: BackendOpener;
export declare const waylandShmOpener: BackendOpener;
export declare const waylandDmabufOpener: BackendOpener;
