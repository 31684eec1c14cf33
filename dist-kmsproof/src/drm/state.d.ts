import type { DrmDevice } from "./device.js";
import { type ConnectorId, type CrtcId, type FbId, type Mode, type ObjectKind } from "./types.js";
interface SavedObject {
    kind: ObjectKind;
    id: number;
    /** raw values of the writable properties */
    props: Map<string, bigint>;
    /** contents of blob-valued properties (ids die with their last reference, contents do not) */
    blobs: Map<string, Buffer | undefined>;
}
export interface KmsState {
    crtcs: SavedObject[];
    planes: SavedObject[];
    connectors: SavedObject[];
    /** Legacy view, for the SETCRTC fallback. */
    legacy: {
        crtc: CrtcId;
        fb: FbId | undefined;
        mode: Mode | undefined;
        connectors: ConnectorId[];
        x: number;
        y: number;
    }[];
}
export declare function saveState(dev: DrmDevice): KmsState;
/** Puts the saved state back. Synchronous (it runs from process 'exit' and signal handlers). */
export declare function restoreState(dev: DrmDevice, saved: KmsState): void;
/** A comparable summary of what the display shows: for tests and logs. */
export interface StateSummary {
    crtcs: {
        id: number;
        active: boolean;
        mode: string | undefined;
        fb: number | undefined;
    }[];
    planes: {
        id: number;
        crtc: number | undefined;
        fb: number | undefined;
        src: number[];
        dst: number[];
    }[];
    connectors: {
        id: number;
        crtc: number | undefined;
    }[];
}
export declare function summarizeState(dev: DrmDevice): StateSummary;
/**
 * Saves the state now and guarantees it is restored: on `restore()`, on device close, on process
 * exit, SIGINT/SIGTERM/SIGHUP and uncaught errors. Returns a handle whose restore() is idempotent.
 */
export declare function guardState(dev: DrmDevice): {
    state: KmsState;
    restore(): void;
};
export {};
