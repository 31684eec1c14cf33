import { type Device, type Fence } from "../vk/index.js";
import { WaylandWindow, type WindowOptions } from "../wayland/window.js";
import type { RenderTarget, SwapchainBackend } from "./presenter.js";
export interface WaylandDmabufOptions extends WindowOptions {
    size: readonly [number, number];
    images?: number;
    paced?: boolean;
}
export type SyncPath = "implicit sync-file" | "explicit syncobj" | "cpu-wait";
export declare class WaylandDmabufBackend implements SwapchainBackend {
    readonly device: Device;
    readonly window: WaylandWindow;
    private readonly dmabuf;
    private readonly offered;
    private readonly options;
    readonly name: "wayland-dmabuf";
    readonly format = VkFormat.VK_FORMAT_B8G8R8A8_UNORM;
    readonly finalLayout = VkImageLayout.VK_IMAGE_LAYOUT_GENERAL;
    readonly sync: SyncPath;
    private targets;
    private frameDone;
    private waiters;
    private failure;
    private modifier;
    private counters;
    private constructor();
    static open(device: Device, options: WaylandDmabufOptions): Promise<WaylandDmabufBackend>;
    get size(): readonly [number, number];
    get endReason(): string | undefined;
    private allocate;
    private destroyTarget;
    private throwIfFailed;
    acquire(): Promise<RenderTarget>;
    present(target: RenderTarget, rendered: Fence): Promise<void>;
    stats(): Record<string, number | string>;
    destroy(): Promise<void>;
}
