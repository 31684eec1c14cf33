import { type CommandBuffer, type Device, type Fence } from "../vk/index.js";
import { WaylandWindow, type WindowOptions } from "../wayland/window.js";
import type { RenderTarget, SwapchainBackend } from "./presenter.js";
export interface WaylandShmOptions extends WindowOptions {
    size: readonly [number, number];
    /** Offscreen images in the ring (default 3: two frames in flight plus one recording). */
    images?: number;
    /** Wait for the frame callback before each new frame (default true). */
    paced?: boolean;
}
export declare class WaylandShmBackend implements SwapchainBackend {
    readonly device: Device;
    readonly window: WaylandWindow;
    private readonly options;
    readonly name: "wayland-shm";
    readonly format = VkFormat.VK_FORMAT_B8G8R8A8_UNORM;
    readonly finalLayout = VkImageLayout.VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
    private targets;
    private next;
    private chain;
    private readonly shm;
    private readonly shmFormat;
    private frameDone;
    private failure;
    private counters;
    private callbackAt;
    private constructor();
    static open(device: Device, options: WaylandShmOptions): Promise<WaylandShmBackend>;
    get size(): readonly [number, number];
    get endReason(): string | undefined;
    private allocate;
    private destroyTarget;
    acquire(): Promise<RenderTarget>;
    recordAfter(cmd: CommandBuffer, target: RenderTarget): void;
    present(target: RenderTarget, rendered: Fence): Promise<void>;
    private throwIfFailed;
    stats(): Record<string, number | string>;
    destroy(): Promise<void>;
}
