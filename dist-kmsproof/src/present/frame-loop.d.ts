import { Buffer, Fence, type CommandBuffer, type Device, type PreparedSubmit } from "../vk/index.js";
import type { BackendName, Frame, FrameOptions, FrameStats, Pixels, Presenter, RenderTarget, SwapchainBackend } from "./presenter.js";
export declare const FRAMES_IN_FLIGHT = 2;
interface CaptureRequest {
    resolve: (pixels: Pixels) => void;
    reject: (error: unknown) => void;
}
export declare class Slot implements Frame {
    readonly slot: number;
    readonly cmd: CommandBuffer;
    readonly fence: Fence;
    index: number;
    time: number;
    target: RenderTarget;
    recorded: boolean;
    capture_: CaptureRequest | undefined;
    readback: Buffer | undefined;
    readonly submit: PreparedSubmit;
    constructor(slot: number, cmd: CommandBuffer, fence: Fence, device: Device);
    record(fn: (cmd: CommandBuffer) => void): void;
    capture(): Promise<Pixels>;
}
/** BGRA or RGBA bytes with row pitch → tightly packed RGBA. */
export declare function toRgba(src: Uint8Array, width: number, height: number, stride: number, bgra: boolean): Uint8Array;
export declare class FrameLoop implements Presenter {
    private readonly swapchain;
    private readonly ownsDevice;
    readonly backend: BackendName;
    readonly device: Device;
    private readonly pool;
    private readonly slots;
    private running;
    private closed;
    private readonly statsValue;
    constructor(swapchain: SwapchainBackend, ownsDevice: boolean);
    get format(): import("nvk/generated/1.1.126/linux").VkFormat;
    get finalLayout(): import("nvk/generated/1.1.126/linux").VkImageLayout;
    get size(): readonly [number, number];
    get stats(): FrameStats;
    get endReason(): string | undefined;
    /**
     * The frame loop, as an async iterator: each step finishes the previous frame (submit, present)
     * and starts the next (wait for its slot, acquire a target). Hand-written rather than an async
     * generator so a step in the steady state allocates almost nothing.
     */
    frames(options?: FrameOptions): AsyncIterableIterator<Frame>;
    /** @internal FrameRun reports its totals here when it ends. */
    finishRun(stats: FrameStats): void;
    /** @internal */
    recordCapture(slot: Slot): void;
    /** @internal */
    finishCapture(slot: Slot): void;
    close(): Promise<void>;
    [Symbol.asyncDispose](): Promise<void>;
}
export {};
