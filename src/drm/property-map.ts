// The KMS properties an atomic request may set, typed per object kind: names as the kernel spells
// them, object ids by kind (a plane's FB_ID takes an FbId, its CRTC_ID a CrtcId), SRC_* in 16.16
// fixed point, enum and bitmask values by name. A misspelt name or a wrong id type does not compile.
// Values are still checked against the driver's definitions at run time (ranges, enum names, and
// whether this object has the property at all). Driver-specific properties outside these maps go
// through AtomicRequest.raw().
import type { BlobId, CrtcId, FbId, Fixed16 } from "./types.js";

/** Bits of a plane's "rotation" bitmask property: one rotation (counter-clockwise) plus optional reflections. Drivers support different subsets. */
export type Rotation = "rotate-0" | "rotate-90" | "rotate-180" | "rotate-270" | "reflect-x" | "reflect-y";
/** Values of the SCALING_FILTER enum of planes and CRTCs: how scaled content is filtered. */
export type ScalingFilter = "Default" | "Nearest Neighbor";

/** The standard plane properties AtomicRequest.plane can set, with their value types. A plane shows FB_ID's SRC rectangle scaled into the CRTC rectangle of CRTC_ID. */
export interface PlaneProperties {
  /** The framebuffer to show; undefined turns the plane off (with CRTC_ID undefined). */
  FB_ID: FbId | undefined;
  CRTC_ID: CrtcId | undefined;
  /** Source rectangle in the framebuffer, 16.16 fixed point: fixed16(x). */
  SRC_X: Fixed16;
  SRC_Y: Fixed16;
  SRC_W: Fixed16;
  SRC_H: Fixed16;
  /** Destination rectangle on the CRTC, in pixels (X/Y may be negative). */
  CRTC_X: number;
  CRTC_Y: number;
  CRTC_W: number;
  CRTC_H: number;
  /** A sync_file fd the kernel waits for before scanning out (-1: none); the commit takes its own reference. */
  IN_FENCE_FD: number;
  FB_DAMAGE_CLIPS: BlobId | undefined;
  rotation: readonly Rotation[];
  zpos: number;
  /** 0..0xffff, opaque at 0xffff. */
  alpha: number;
  "pixel blend mode": "None" | "Pre-multiplied" | "Coverage";
  COLOR_ENCODING: "ITU-R BT.601 YCbCr" | "ITU-R BT.709 YCbCr" | "ITU-R BT.2020 YCbCr";
  COLOR_RANGE: "YCbCr limited range" | "YCbCr full range";
  SCALING_FILTER: ScalingFilter;
}

/** The standard CRTC properties AtomicRequest.crtc can set: ACTIVE and MODE_ID (a modeset, needs allowModeset), fences, VRR and colour management blobs. */
export interface CrtcProperties {
  ACTIVE: boolean;
  /** A blob made by DrmDevice.createModeBlob; undefined with ACTIVE false. */
  MODE_ID: BlobId | undefined;
  /** Address of an s32 the kernel fills with a sync_file fd that signals at the flip. */
  OUT_FENCE_PTR: bigint;
  VRR_ENABLED: boolean;
  DEGAMMA_LUT: BlobId | undefined;
  CTM: BlobId | undefined;
  GAMMA_LUT: BlobId | undefined;
  SCALING_FILTER: ScalingFilter;
}

/** The standard connector properties AtomicRequest.connector can set: CRTC_ID routes the connector (a modeset), the rest are output settings the driver may or may not offer. */
export interface ConnectorProperties {
  CRTC_ID: CrtcId | undefined;
  /** Writeback connectors: the framebuffer the CRTC's output is written into. */
  WRITEBACK_FB_ID: FbId | undefined;
  /** Writeback connectors: address of an s32 the kernel fills with a sync_file fd. */
  WRITEBACK_OUT_FENCE_PTR: bigint;
  "max bpc": number;
  "Broadcast RGB": "Automatic" | "Full" | "Limited 16:235";
  "content type": "No Data" | "Graphics" | "Photo" | "Cinema" | "Game";
  "Content Protection": "Undesired" | "Desired" | "Enabled";
  "link-status": "Good" | "Bad";
  "scaling mode": "None" | "Full" | "Center" | "Full aspect";
  "privacy-screen sw-state": "Disabled" | "Enabled";
  HDR_OUTPUT_METADATA: BlobId | undefined;
}

/** The settable properties of each object kind an atomic request can address. */
export interface PropertiesOf {
  crtc: CrtcProperties;
  plane: PlaneProperties;
  connector: ConnectorProperties;
}

/** Some of an object's properties, as AtomicRequest.crtc/plane/connector take them. */
export type PropertyValues<K extends keyof PropertiesOf> = { [N in keyof PropertiesOf[K]]?: PropertiesOf[K][N] };
