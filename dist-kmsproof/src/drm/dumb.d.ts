import { type Mapping } from "../sys/libc.js";
import type { DrmDevice } from "./device.js";
import { type FbId } from "./types.js";
export declare class DumbBuffer {
    private readonly dev;
    readonly width: number;
    readonly height: number;
    readonly handle: number;
    readonly pitch: number;
    readonly size: number;
    private mapping;
    private fbId;
    private destroyed;
    private constructor();
    /** A width x height buffer of 32 bits per pixel (XRGB8888). */
    static create(dev: DrmDevice, width: number, height: number, bpp?: number): DumbBuffer;
    /** The pixels, mapped once and kept (one view per address, see DESIGN). */
    get pixels(): Mapping;
    /** An XRGB8888 framebuffer over this buffer, created once. */
    get fb(): FbId;
    /** Fills with a recognisable pattern: colour bars shifted by `frame`, plus a white frame counter bar. */
    fillPattern(frame?: number): void;
    fill(xrgb: number): void;
    destroy(): void;
}
