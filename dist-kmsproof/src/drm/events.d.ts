import type { DrmDevice } from "./device.js";
import type { CrtcId } from "./types.js";
export interface FlipEvent {
    crtc: CrtcId;
    /** Hardware vblank counter at the flip. */
    sequence: number;
    /** Flip time on CLOCK_MONOTONIC, microseconds. */
    timeUs: number;
}
export type VblankEvent = FlipEvent;
export declare class DrmEvents {
    private readonly dev;
    private handle;
    private readonly waiters;
    private next;
    private readonly buf;
    private closed;
    private constructor();
    private static readonly byDevice;
    static of(dev: DrmDevice): DrmEvents;
    /** Registers a waiter; returns the user_data to pass to the kernel and the promise of its event. */
    expect(): {
        userData: bigint;
        event: Promise<FlipEvent>;
        cancel(): void;
    };
    /** An event at the next vblank (or `relative` vblanks ahead) of crtc, via CRTC_QUEUE_SEQUENCE. */
    vblank(crtc: CrtcId, relative?: number): Promise<VblankEvent>;
    get pending(): number;
    private arm;
    private disarmIfIdle;
    /** Reads and dispatches every complete event the fd has. */
    drain(): void;
    private dispatch;
    close(): void;
}
