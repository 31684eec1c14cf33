// The KMS properties an atomic request may set, typed per object kind: names as the kernel spells
// them, object ids by kind (a plane's FB_ID takes an FbId, its CRTC_ID a CrtcId), SRC_* in 16.16
// fixed point, enum and bitmask values by name. A misspelt name or a wrong id type does not compile.
// Values are still checked against the driver's definitions at run time (ranges, enum names, and
// whether this object has the property at all). Driver-specific properties outside these maps go
// through AtomicRequest.raw().
import type { BlobId, CrtcId, FbId, Fixed16 } from "./types.js";

/** Values of a connector's "Colorspace" enum: the colorimetry the sink is told the signal has (InfoFrame / MSA). Drivers offer subsets. */
export type Colorspace =
  | "Default" | "SMPTE_170M_YCC" | "BT709_YCC" | "XVYCC_601" | "XVYCC_709" | "SYCC_601" | "opYCC_601" | "opRGB"
  | "BT2020_CYCC" | "BT2020_RGB" | "BT2020_YCC" | "DCI-P3_RGB_D65" | "DCI-P3_RGB_Theater" | "RGB_WIDE_FIXED" | "RGB_WIDE_FLOAT"
  | "BT601_YCC";
/** Values of a "1D Curve" colorop's CURVE_1D_TYPE enum (drivers offer subsets; vkms: the sRGB pair). */
export type Curve1dType = "sRGB EOTF" | "sRGB Inverse EOTF" | "PQ 125 EOTF" | "PQ 125 Inverse EOTF" | "BT.2020 Inverse OETF" | "BT.2020 OETF" | "Gamma 2.2" | "Gamma 2.2 Inverse";

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
  /**
   * The plane's colour pipeline, by enum name ("Bypass", or the driver's name such as "Color Pipeline 42") or by the id
   * of its first colorop. Visible only with the planeColorPipeline client cap (see colorops.ts).
   */
  COLOR_PIPELINE: string | number;
}

/** The properties of a colour operation (one stage of a plane's colour pipeline) AtomicRequest.colorop can set. */
export interface ColoropProperties {
  /** Skip this stage (pixels pass unchanged). */
  BYPASS: boolean;
  /** "1D Curve" stages: which curve. */
  CURVE_1D_TYPE: Curve1dType;
  /** "3x4 Matrix" (drm_color_ctm_3x4), "1D LUT" / "3D LUT" (drm_color_lut32[]) stages: a blob of their data. */
  DATA: BlobId | undefined;
  /** "Multiplier" stages: S31.32 sign-magnitude factor (toS3132). */
  MULTIPLIER: bigint;
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
  /** A blob of struct hdr_output_metadata (hdr-metadata.ts); undefined: no HDR InfoFrame. */
  HDR_OUTPUT_METADATA: BlobId | undefined;
  Colorspace: Colorspace;
}

/** The settable properties of each object kind an atomic request can address. */
export interface PropertiesOf {
  crtc: CrtcProperties;
  plane: PlaneProperties;
  connector: ConnectorProperties;
  colorop: ColoropProperties;
}

/** Some of an object's properties, as AtomicRequest.crtc/plane/connector take them. */
export type PropertyValues<K extends keyof PropertiesOf> = { [N in keyof PropertiesOf[K]]?: PropertiesOf[K][N] };
