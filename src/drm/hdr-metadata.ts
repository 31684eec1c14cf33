// The HDR_OUTPUT_METADATA connector property's blob: the kernel's struct hdr_output_metadata
// (include/uapi/drm/drm_mode.h), which the driver sends to the display as the CTA-861-G Dynamic Range
// and Mastering InfoFrame (static metadata type 1). Pure code, unit-tested against the struct layout.
//
// struct hdr_output_metadata {            offset
//   __u32 metadata_type;                    0
//   union { struct hdr_metadata_infoframe { (4)
//     __u8 eotf;                            4
//     __u8 metadata_type;                   5
//     struct { __u16 x, y; } display_primaries[3];   6, 10, 14
//     struct { __u16 x, y; } white_point;   18
//     __u16 max_display_mastering_luminance;   22  (1 cd/m²)
//     __u16 min_display_mastering_luminance;   24  (0.0001 cd/m²)
//     __u16 max_cll;                        26  (1 cd/m²)
//     __u16 max_fall;                       28  (1 cd/m²)
//   } hdmi_metadata_type1; };
// };                                        sizeof 32 (30 padded to the u32's alignment; the kernel wants exactly 32)
// Chromaticities are in units of 0.00002 (0xC350 = 1.0).
import type { Chromaticity } from "./display-info.js";
import { PropertyError } from "./error.js";

/** sizeof(struct hdr_output_metadata): the kernel rejects a blob of any other length. */
export const HDR_OUTPUT_METADATA_SIZE = 32;

/** CTA-861-G EOTF codes of the InfoFrame: traditional gamma with SDR or HDR luminance, SMPTE ST 2084 (PQ), hybrid log-gamma. */
export const HdrEotf = { sdr: 0, traditionalHdr: 1, pq: 2, hlg: 3 } as const;
/** A transfer function the InfoFrame can announce (keys of HdrEotf). */
export type HdrEotfName = keyof typeof HdrEotf;


/** The static HDR metadata (SMPTE ST 2086 mastering display plus content light levels) that tells an HDR display how to map the signal. */
export interface HdrStaticMetadata {
  /** The transfer function of the signal. */
  eotf: HdrEotfName;
  /** Mastering display primaries, red, green, blue (written in that order, as Weston and the kernel's helpers do). */
  primaries: readonly [red: Chromaticity, green: Chromaticity, blue: Chromaticity];
  /** Mastering display white point. */
  whitePoint: Chromaticity;
  /** Mastering display peak luminance, cd/m² (1..65535). */
  maxMasteringLuminance: number;
  /** Mastering display black level, cd/m² (0..6.5535, steps of 0.0001). */
  minMasteringLuminance: number;
  /** Maximum content light level, cd/m² (0: unknown). */
  maxCll: number;
  /** Maximum frame-average light level, cd/m² (0: unknown). */
  maxFall: number;
}

/** BT.2020 primaries and D65 white: the usual mastering description of HDR10 content. */
export const BT2020_D65 = {
  primaries: [{ x: 0.708, y: 0.292 }, { x: 0.17, y: 0.797 }, { x: 0.131, y: 0.046 }],
  whitePoint: { x: 0.3127, y: 0.329 },
} as const satisfies Pick<HdrStaticMetadata, "primaries" | "whitePoint">;

function u16(field: string, value: number, scale: number, max = 0xffff): number {
  const v = Math.round(value * scale);
  if (!Number.isFinite(value) || v < 0 || v > max)
    throw new PropertyError(`HDR metadata: ${field} ${value} is outside [0, ${max / scale}]`);
  return v;
}

/** The HDR_OUTPUT_METADATA blob bytes for `m` (static metadata type 1). Throws PropertyError naming a field outside what the struct can carry. */
export function encodeHdrOutputMetadata(m: HdrStaticMetadata): Uint8Array {
  const b = Buffer.alloc(HDR_OUTPUT_METADATA_SIZE);
  const eotf = HdrEotf[m.eotf];
  if (eotf === undefined) throw new PropertyError(`HDR metadata: eotf "${m.eotf}" is not one of ${Object.keys(HdrEotf).join(", ")}`);
  b.writeUInt32LE(0, 0); // HDMI_STATIC_METADATA_TYPE1
  b.writeUInt8(eotf, 4);
  b.writeUInt8(0, 5);
  const xy = (name: string, c: Chromaticity, at: number) => {
    b.writeUInt16LE(u16(`${name}.x`, c.x, 50000, 50000), at);
    b.writeUInt16LE(u16(`${name}.y`, c.y, 50000, 50000), at + 2);
  };
  ["red", "green", "blue"].forEach((n, i) => xy(`primaries.${n}`, m.primaries[i]!, 6 + i * 4));
  xy("whitePoint", m.whitePoint, 18);
  b.writeUInt16LE(u16("maxMasteringLuminance", m.maxMasteringLuminance, 1), 22);
  b.writeUInt16LE(u16("minMasteringLuminance", m.minMasteringLuminance, 10000), 24);
  b.writeUInt16LE(u16("maxCll", m.maxCll, 1), 26);
  b.writeUInt16LE(u16("maxFall", m.maxFall, 1), 28);
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/** Reads an HDR_OUTPUT_METADATA blob back (e.g. what the connector holds now). Throws PropertyError for a blob of the wrong size or metadata type. */
export function decodeHdrOutputMetadata(blob: Uint8Array): HdrStaticMetadata {
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (b.length !== HDR_OUTPUT_METADATA_SIZE) throw new PropertyError(`HDR_OUTPUT_METADATA blob: ${b.length} bytes, struct hdr_output_metadata has ${HDR_OUTPUT_METADATA_SIZE}`);
  const type = b.readUInt32LE(0);
  if (type !== 0) throw new PropertyError(`HDR_OUTPUT_METADATA blob: metadata type ${type}, only static metadata type 1 (0) is known`);
  const code = b.readUInt8(4);
  const eotf = (Object.keys(HdrEotf) as HdrEotfName[]).find((k) => HdrEotf[k] === code);
  if (!eotf) throw new PropertyError(`HDR_OUTPUT_METADATA blob: unknown EOTF code ${code}`);
  const xy = (at: number): Chromaticity => ({ x: b.readUInt16LE(at) / 50000, y: b.readUInt16LE(at + 2) / 50000 });
  return {
    eotf,
    primaries: [xy(6), xy(10), xy(14)],
    whitePoint: xy(18),
    maxMasteringLuminance: b.readUInt16LE(22),
    minMasteringLuminance: b.readUInt16LE(24) / 10000,
    maxCll: b.readUInt16LE(26),
    maxFall: b.readUInt16LE(28),
  };
}
