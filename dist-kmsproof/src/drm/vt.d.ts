import type { DrmDevice } from "./device.js";
/** The VT device our stdin is on (/dev/ttyN), if any. */
export declare function currentVt(): string | undefined;
export interface VtGuard {
    vt: string | undefined;
    release(): void;
}
/** Puts the VT into graphics mode with process-controlled switching; release() undoes both. */
export declare function takeVt(dev: DrmDevice): VtGuard;
