import { SharedMemory } from "../sys/memfd.js";
import type { Connection } from "./connection.js";
import { type WlBuffer, type WlShm } from "./protocol/wayland.js";
export type ShmBufferState = "free" | "rendering" | "attached";
export declare class ShmBuffer {
    readonly chain: ShmSwapchain;
    readonly wlBuffer: WlBuffer;
    readonly offset: number;
    readonly width: number;
    readonly height: number;
    readonly stride: number;
    state: ShmBufferState;
    /** Times this buffer was handed out, for tests and stats. */
    uses: number;
    constructor(chain: ShmSwapchain, wlBuffer: WlBuffer, offset: number, width: number, height: number, stride: number);
    /** The buffer's bytes (B, G, R, X/A per pixel). Valid until the chain's next `acquire`. */
    get pixels(): Uint8Array;
}
/** Picks a 32-bit format the compositor lists: XRGB8888 unless alpha is wanted. */
export declare function chooseShmFormat(formats: ReadonlySet<number>, alpha?: boolean): number;
/** Collects wl_shm.format events (they arrive right after binding). */
export declare function listenShmFormats(shm: WlShm): Set<number>;
export declare class ShmSwapchain {
    private readonly connection;
    readonly width: number;
    readonly height: number;
    readonly format: number;
    readonly maxBuffers: number;
    readonly buffers: ShmBuffer[];
    readonly memory: SharedMemory;
    private readonly pool;
    private readonly waiters;
    private retired;
    private poolDestroyed;
    readonly stride: number;
    private readonly bufferSize;
    constructor(connection: Connection, shm: WlShm, width: number, height: number, format: number, maxBuffers?: number, initialBuffers?: number);
    private addBuffer;
    /** A free buffer, marked `rendering`. Grows the pool when all are busy, else waits for a release. */
    acquire(): Promise<ShmBuffer>;
    /** Marks a buffer as handed to the compositor (call right before attach/commit). */
    markAttached(b: ShmBuffer): void;
    /** Returns a buffer that was acquired but will not be attached. */
    cancel(b: ShmBuffer): void;
    private destroyBuffer;
    private maybeFinish;
    /**
     * Retires the chain (on resize or close): free buffers go now, attached ones when the compositor
     * releases them; the pool and memfd go with the last buffer. With `force` (connection gone or
     * closing) everything goes now.
     */
    retire(force?: boolean): void;
}
