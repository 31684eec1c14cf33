declare const brand: unique symbol;
type Id<K extends string> = number & {
    readonly [brand]: K;
};
export type ConnectorId = Id<"connector">;
export type EncoderId = Id<"encoder">;
export type CrtcId = Id<"crtc">;
export type PlaneId = Id<"plane">;
export type FbId = Id<"framebuffer">;
export type BlobId = Id<"blob">;
export type PropertyId = Id<"property">;
export type KmsObjectId = ConnectorId | EncoderId | CrtcId | PlaneId | FbId | BlobId;
/** 0 means "no object" in the uapi; we say undefined instead. */
export declare function optId<T extends number>(raw: number | bigint): T | undefined;
export declare const ObjectType: {
    readonly crtc: 3435973836;
    readonly connector: 3233857728;
    readonly encoder: 3772834016;
    readonly mode: 3739147998;
    readonly property: 2964369584;
    readonly framebuffer: 4227595259;
    readonly blob: 3149642683;
    readonly plane: 4008636142;
};
export type ObjectKind = keyof typeof ObjectType;
export declare const connectorTypeNames: readonly ["Unknown", "VGA", "DVI-I", "DVI-D", "DVI-A", "Composite", "SVIDEO", "LVDS", "Component", "DIN", "DP", "HDMI-A", "HDMI-B", "TV", "eDP", "Virtual", "DSI", "DPI", "Writeback", "SPI", "USB"];
export declare const encoderTypeNames: readonly ["None", "DAC", "TMDS", "LVDS", "TVDAC", "Virtual", "DSI", "DPMST", "DPI"];
export type Connection = "connected" | "disconnected" | "unknown";
export declare function connectionName(raw: number): Connection;
/** 16.16 fixed point, as the SRC_X/Y/W/H plane properties take it. */
export declare const fixed16: {
    from(value: number): bigint;
    to(raw: bigint): number;
};
export declare function fourcc(code: string): number;
export declare function fourccName(format: number): string;
export declare const DRM_FORMAT_XRGB8888: number;
export declare const DRM_FORMAT_ARGB8888: number;
export declare const DRM_FORMAT_MOD_LINEAR = 0n;
export declare const DRM_FORMAT_MOD_INVALID = 72057594037927935n;
/** struct drm_mode_modeinfo, decoded. */
export interface Mode {
    clock: number;
    hdisplay: number;
    hsyncStart: number;
    hsyncEnd: number;
    htotal: number;
    hskew: number;
    vdisplay: number;
    vsyncStart: number;
    vsyncEnd: number;
    vtotal: number;
    vscan: number;
    vrefresh: number;
    flags: number;
    type: number;
    name: string;
}
export declare const MODE_INFO_SIZE = 68;
export declare const DRM_MODE_TYPE_PREFERRED: number;
export declare function decodeMode(buf: Buffer, o?: number): Mode;
export declare function encodeMode(m: Mode, buf?: Buffer<ArrayBuffer>, o?: number): Buffer;
/** Refresh rate in Hz computed from the timings (more precise than the integer vrefresh). */
export declare function modeRefresh(m: Mode): number;
export declare function modeEquals(a: Mode | undefined, b: Mode | undefined): boolean;
export declare function describeMode(m: Mode): string;
/** Parses "WxH" or "WxH@Hz". */
export declare function parseModeSpec(spec: string): {
    width: number;
    height: number;
    refresh?: number;
};
/** Picks the mode matching spec (closest refresh when several), or the preferred/first one without spec. */
export declare function pickMode(modes: readonly Mode[], spec?: string): Mode | undefined;
export {};
