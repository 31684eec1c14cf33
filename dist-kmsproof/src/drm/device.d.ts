import { type PropertyInfo, type PropertyValue } from "./properties.js";
import { connectorTypeNames, type BlobId, type Connection, type ConnectorId, type CrtcId, type EncoderId, type FbId, type Mode, type PlaneId, type PropertyId } from "./types.js";
/** Failure that a user can act on (no device, not master, bad mode...). */
export declare class DrmError extends Error {
    constructor(message: string, cause?: unknown);
}
export type BusInfo = {
    type: "pci";
    domain: number;
    bus: number;
    device: number;
    function: number;
    vendorId?: number;
    deviceId?: number;
} | {
    type: "platform";
    name: string;
} | {
    type: string;
    name: string;
};
export interface DeviceInfo {
    /** /dev/dri/cardN, the node for modesetting. */
    primary?: string;
    /** /dev/dri/renderDN, the node for rendering only. */
    render?: string;
    driver?: string;
    bus: BusInfo;
    /** sysfs path of the underlying device, the key that groups nodes. */
    sysfs: string;
}
/** DRM devices of this machine, each with its primary and render nodes and bus info. [] without DRM. */
export declare function listDevices(): DeviceInfo[];
export interface Resources {
    fbs: FbId[];
    crtcs: CrtcId[];
    connectors: ConnectorId[];
    encoders: EncoderId[];
    minWidth: number;
    maxWidth: number;
    minHeight: number;
    maxHeight: number;
}
export interface Connector {
    id: ConnectorId;
    type: (typeof connectorTypeNames)[number] | `type ${number}`;
    typeId: number;
    /** Like the kernel's name: Virtual-1, DP-1, HDMI-A-2. */
    name: string;
    connection: Connection;
    mmWidth: number;
    mmHeight: number;
    modes: Mode[];
    encoders: EncoderId[];
    /** Currently bound encoder. */
    encoder: EncoderId | undefined;
}
export interface Encoder {
    id: EncoderId;
    type: string;
    crtc: CrtcId | undefined;
    possibleCrtcs: CrtcId[];
}
export interface Crtc {
    id: CrtcId;
    /** Index in the resources list, which possible_crtcs masks refer to. */
    index: number;
    fb: FbId | undefined;
    x: number;
    y: number;
    mode: Mode | undefined;
    gammaSize: number;
}
export type PlaneType = "Primary" | "Overlay" | "Cursor";
export interface Plane {
    id: PlaneId;
    type: PlaneType | undefined;
    crtc: CrtcId | undefined;
    fb: FbId | undefined;
    possibleCrtcs: CrtcId[];
    formats: number[];
    /** From the IN_FORMATS blob: format -> modifiers; undefined when the driver has no IN_FORMATS. */
    modifiers: Map<number, bigint[]> | undefined;
}
export interface Framebuffer2 {
    width: number;
    height: number;
    format: number;
    handles: number[];
    pitches: number[];
    offsets: number[];
    /** One modifier for all planes; omit for an implicit layout. */
    modifier?: bigint;
}
/** The property values of one object, readable by name with typed values. */
export declare class PropertySet {
    readonly owner: string;
    private readonly entries;
    constructor(owner: string, entries: ReadonlyMap<string, {
        info: PropertyInfo;
        raw: bigint;
    }>);
    has(name: string): boolean;
    names(): string[];
    info(name: string): PropertyInfo;
    raw(name: string): bigint;
    value(name: string): PropertyValue;
    /** Raw value as a number (object ids, booleans, small ranges). */
    number(name: string): number;
    enumName(name: string): string | undefined;
    blob(name: string): BlobId | undefined;
    [Symbol.iterator](): IterableIterator<[string, {
        info: PropertyInfo;
        raw: bigint;
    }]>;
    private entry;
}
export declare const ClientCap: {
    readonly stereo3d: 1;
    readonly universalPlanes: 2;
    readonly atomic: 3;
    readonly aspectRatio: 4;
    readonly writebackConnectors: 5;
};
export declare const Cap: {
    readonly dumbBuffer: 1;
    readonly vblankHighCrtc: 2;
    readonly dumbPreferredDepth: 3;
    readonly dumbPreferShadow: 4;
    readonly prime: 5;
    readonly timestampMonotonic: 6;
    readonly asyncPageFlip: 7;
    readonly cursorWidth: 8;
    readonly cursorHeight: 9;
    readonly addFb2Modifiers: 16;
    readonly pageFlipTarget: 17;
    readonly crtcInVblankEvent: 18;
    readonly syncobj: 19;
    readonly syncobjTimeline: 20;
};
export interface Version {
    major: number;
    minor: number;
    patch: number;
    name: string;
    date: string;
    description: string;
}
export interface OpenOptions {
    /** Ask for atomic + universal planes (default true): needed for atomic commits and all planes. */
    atomic?: boolean;
}
/** An open DRM device node. Owns its fd; `close()` (or `using`) releases it. */
export declare class DrmDevice {
    readonly path: string;
    private fdValue;
    private readonly propInfo;
    atomic: boolean;
    private constructor();
    /** Opens `path`, or the first primary node when omitted; errors say clearly when there is no DRM. */
    static open(path?: string, options?: OpenOptions): DrmDevice;
    get fd(): number;
    get closed(): boolean;
    close(): void;
    [Symbol.dispose](): void;
    private readonly closeHooks;
    /** Runs fn just before the fd closes (event readers, restore). */
    onClose(fn: () => void): void;
    version(): Version;
    getCap(cap: keyof typeof Cap): bigint;
    setClientCap(cap: keyof typeof ClientCap, value: number): void;
    /** Whether this fd is DRM master (probed as libdrm does: AUTH_MAGIC(0) is EACCES only for non-masters). */
    isMaster(): boolean;
    setMaster(): void;
    dropMaster(): void;
    resources(): Resources;
    connector(id: ConnectorId): Connector;
    encoder(id: EncoderId, crtcs?: readonly CrtcId[]): Encoder;
    crtc(id: CrtcId, crtcs?: readonly CrtcId[]): Crtc;
    planes(): PlaneId[];
    plane(id: PlaneId, crtcs?: readonly CrtcId[]): Plane;
    /** Definition of a property (cached: definitions do not change while the device is open). */
    propertyInfo(id: PropertyId | number): PropertyInfo;
    /** All properties of an object with their current values. */
    properties(kind: "crtc", id: CrtcId): PropertySet;
    properties(kind: "connector", id: ConnectorId): PropertySet;
    properties(kind: "plane", id: PlaneId): PropertySet;
    properties(kind: "encoder" | "framebuffer", id: number): PropertySet;
    blob(id: BlobId): Buffer;
    createBlob(data: Uint8Array): BlobId;
    destroyBlob(id: BlobId): void;
    createModeBlob(mode: Mode): BlobId;
    modeFromBlob(id: BlobId): Mode;
    addFramebuffer(fb: Framebuffer2): FbId;
    removeFramebuffer(id: FbId): void;
    /** Whether a framebuffer id still exists (GETFB; the returned GEM handle is closed at once). */
    framebufferExists(id: FbId): boolean;
    /** PRIME import: a GEM handle for a dmabuf fd (the fd stays the caller's). */
    importDmabuf(fd: number): number;
    /** PRIME export: a CLOEXEC dmabuf fd for a GEM handle, owned by the caller. */
    exportDmabuf(handle: number): number;
    closeHandle(handle: number): void;
    /** Legacy SETCRTC (used only when atomic is unavailable, and by restore's fallback). */
    setCrtcLegacy(crtc: CrtcId, fb: FbId | undefined, mode: Mode | undefined, connectors: readonly ConnectorId[], x?: number, y?: number): void;
    /** Legacy SETPLANE with fb undefined: disables the plane. */
    disablePlaneLegacy(plane: PlaneId): void;
}
