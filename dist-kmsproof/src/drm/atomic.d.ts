import { DrmError, type DrmDevice } from "./device.js";
import { type FlipEvent } from "./events.js";
import { type PropertyInput } from "./properties.js";
import { type ConnectorId, type CrtcId, type ObjectKind, type PlaneId } from "./types.js";
export interface CommitOptions {
    testOnly?: boolean;
    nonblock?: boolean;
    allowModeset?: boolean;
    /** Deliver a flip-complete event for each CRTC in the request; its promise is `Commit.flip`. */
    pageFlipEvent?: boolean;
    /** Run a TEST_ONLY commit first (default true) so a failure is reported before anything changes. */
    preflight?: boolean;
}
export interface Commit {
    /** Resolves at the flip (only when pageFlipEvent was asked for). */
    flip: Promise<FlipEvent> | undefined;
}
export declare class AtomicError extends DrmError {
    readonly code: string;
    readonly testOnly: boolean;
    constructor(message: string, code: string, testOnly: boolean, cause: unknown);
}
export declare class AtomicRequest {
    readonly dev: DrmDevice;
    private readonly objects;
    constructor(dev: DrmDevice);
    crtc(id: CrtcId, props: Record<string, PropertyInput>): this;
    plane(id: PlaneId, props: Record<string, PropertyInput>): this;
    connector(id: ConnectorId, props: Record<string, PropertyInput>): this;
    /** Adds an already-encoded raw value (restore uses this to put back exactly what it read). */
    raw(kind: ObjectKind, id: number, name: string, value: bigint): this;
    get empty(): boolean;
    private add;
    private lookup;
    private entry;
    /** Human-readable content, for error messages and logs. */
    describe(): string;
    commit(options?: CommitOptions): Commit;
    private ioctl;
}
