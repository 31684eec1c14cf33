import { ImageLayout, type CommandBuffer, type Device, type Fence } from "../vk/index.js";
import { DrmDevice, type FbId, type FlipEvent, type Output } from "../drm/index.js";
import { FrameLoop } from "./frame-loop.js";
import type { RenderTarget, SwapchainBackend } from "./presenter.js";
export interface KmsOptions {
    /** DRM node (default: the first card with a connected display). */
    drm?: string | DrmDevice;
    /** Connector name, e.g. "Virtual-1", "HDMI-A-1". */
    connector?: string;
    /** "WxH" or "WxH@Hz"; default: a mode of exactly `size` if the display has one, else the preferred mode. */
    mode?: string;
    /** Wanted size; KMS renders at the mode's size, so this only picks the mode when `mode` is not given. */
    size?: readonly [number, number];
    /** Scanout images (default 3: one on screen, one queued, one rendering). */
    images?: number;
    /** Force the dumb-buffer copy path (tests, drivers whose import fails silently). */
    forceCopy?: boolean;
}
export type KmsPath = "prime" | "dumb-copy";
export declare class KmsBackend implements SwapchainBackend {
    readonly device: Device;
    readonly drm: DrmDevice;
    private readonly ownsDrm;
    readonly output: Output;
    private readonly guard;
    private readonly vt;
    readonly name: "kms";
    readonly format = VkFormat.VK_FORMAT_B8G8R8A8_UNORM;
    readonly finalLayout: ImageLayout;
    readonly size: readonly [number, number];
    readonly path: KmsPath;
    readonly refresh: number;
    private targets;
    private modeset;
    private pendingFlip;
    private waiters;
    private failure;
    private modifier;
    private readonly flips;
    private counters;
    private destroyed;
    private constructor();
    static open(device: Device, options?: KmsOptions): KmsBackend;
    private allocatePrime;
    /** An exportable image with one of `common` modifiers, else LINEAR when the plane takes it. */
    private createScanoutImage;
    private linearOnly;
    private allocateDumb;
    private freeTargets;
    get endReason(): string | undefined;
    acquire(): Promise<RenderTarget>;
    recordAfter(cmd: CommandBuffer, target: RenderTarget): void;
    present(target: RenderTarget, rendered: Fence): Promise<void>;
    private track;
    /** Resolves once no flip is queued (the last presented image is on screen). */
    idle(): Promise<void>;
    /** Framebuffer ids of the scanout images (for tests and debugging). */
    get framebuffers(): FbId[];
    /** The flip events seen (the last 500-1000), oldest first. */
    get flipEvents(): readonly FlipEvent[];
    stats(): Record<string, number | string>;
    destroy(): Promise<void>;
}
/** A KMS Presenter: `openKmsPresenter(device, { connector, mode, size })`. */
export declare function openKmsPresenter(device: Device, options?: KmsOptions, ownsDevice?: boolean): Promise<FrameLoop>;
