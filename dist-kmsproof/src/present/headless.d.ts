import { Format, ImageLayout, type Device, type Fence, type ImageView } from "../vk/index.js";
import type { RenderTarget, SwapchainBackend } from "./presenter.js";
import { FrameLoop } from "./frame-loop.js";
export interface HeadlessOptions {
    size: readonly [number, number];
    format?: Format;
    /** Offscreen images in the ring (default 2, one per frame in flight: the slot fence frees it). */
    images?: number;
}
/** Makes offscreen render targets: colour attachment + transfer source (for capture). */
export declare function createOffscreenTarget(device: Device, width: number, height: number, format: Format, finalLayout: ImageLayout): RenderTarget & {
    view: ImageView;
};
export declare class HeadlessBackend implements SwapchainBackend {
    readonly device: Device;
    readonly name: "headless";
    readonly format: Format;
    readonly finalLayout = VkImageLayout.VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
    readonly size: readonly [number, number];
    readonly defaultTimestep: number;
    private readonly targets;
    private next;
    constructor(device: Device, options: HeadlessOptions);
    acquire(): RenderTarget;
    present(target: RenderTarget, rendered: Fence): void;
    destroy(): void;
}
/** A headless Presenter on `device`; the presenter destroys the device on close when ownsDevice. */
export declare function createHeadlessPresenter(device: Device, options: HeadlessOptions, ownsDevice?: boolean): FrameLoop;
