// KMS value types: branded object ids (a ConnectorId is not a CrtcId), modes, fourcc and 16.16 fixed
// point. Pure code: no ioctls here, so it is unit-tested on hosts without DRM.
import { DrmError } from "./error.js";
import { printable } from "./printable.js";

declare const brand: unique symbol;
/** A KMS object id (a positive 32-bit number) branded with its kind K, so ids of different kinds cannot be mixed up at compile time; the brand exists only in types. */
export type Id<K extends string> = number & { readonly [brand]: K };
/** KMS object id of a connector (a physical or virtual output port). Branded so it cannot be passed where another object's id is expected. */
export type ConnectorId = Id<"connector">;
/** KMS object id of an encoder (links a CRTC to connectors). Branded like every KMS id. */
export type EncoderId = Id<"encoder">;
/** KMS object id of a CRTC (a scanout engine producing one video timing). Branded like every KMS id. */
export type CrtcId = Id<"crtc">;
/** KMS object id of a plane (a layer a CRTC composes: primary, overlay or cursor). Branded like every KMS id. */
export type PlaneId = Id<"plane">;
/** KMS object id of a framebuffer (a buffer registered for scanout with DrmDevice.addFramebuffer). Branded like every KMS id. */
export type FbId = Id<"framebuffer">;
/** KMS object id of a property blob (e.g. a mode for MODE_ID, see DrmDevice.createModeBlob). Branded like every KMS id. */
export type BlobId = Id<"blob">;
/** KMS object id of a property (a named, typed attribute of a connector, CRTC or plane). Branded like every KMS id. */
export type PropertyId = Id<"property">;
/** KMS object id of a colour operation (one stage of a plane's colour pipeline, see colorops.ts). Branded like every KMS id. */
export type ColoropId = Id<"colorop">;

/** 0 means "no object" in the uapi; we say undefined instead. */
export function optId<T extends number>(raw: number | bigint): T | undefined {
  const n = Number(raw);
  return n === 0 ? undefined : (n as T);
}

/** The DRM_MODE_OBJECT_* codes the kernel uses to tell object kinds apart (e.g. when reading an object's properties). */
export const ObjectType = {
  crtc: 0xcccccccc,
  connector: 0xc0c0c0c0,
  encoder: 0xe0e0e0e0,
  mode: 0xdededede,
  property: 0xb0b0b0b0,
  framebuffer: 0xfbfbfbfb,
  blob: 0xbbbbbbbb,
  plane: 0xeeeeeeee,
  colorop: 0xfafafafa,
} as const;
/** Name of a KMS object kind: "crtc", "connector", "plane", ... (the keys of ObjectType). */
export type ObjectKind = keyof typeof ObjectType;

/** Connector type names indexed by DRM_MODE_CONNECTOR_* (as the kernel names connectors, e.g. "HDMI-A" in "HDMI-A-1"). */
export const connectorTypeNames = [
  "Unknown", "VGA", "DVI-I", "DVI-D", "DVI-A", "Composite", "SVIDEO", "LVDS", "Component", "DIN", "DP",
  "HDMI-A", "HDMI-B", "TV", "eDP", "Virtual", "DSI", "DPI", "Writeback", "SPI", "USB",
] as const;
/** Encoder type names indexed by DRM_MODE_ENCODER_*. */
export const encoderTypeNames = ["None", "DAC", "TMDS", "LVDS", "TVDAC", "Virtual", "DSI", "DPMST", "DPI"] as const;
/** Whether something is plugged into a connector, as the kernel last probed it. */
export type Connection = "connected" | "disconnected" | "unknown";
/** The Connection for a raw drm_mode_connection value (1 connected, 2 disconnected, anything else unknown). */
export function connectionName(raw: number): Connection {
  return raw === 1 ? "connected" : raw === 2 ? "disconnected" : "unknown";
}

/** A raw 16.16 fixed-point value, as the SRC_X/Y/W/H plane properties take it: make it with fixed16(). */
export type Fixed16 = bigint & { readonly [brand]: "16.16" };

/** x as 16.16 fixed point (0 <= x < 65536; fractions are rounded to 1/65536). */
export function fixed16(x: number): Fixed16 {
  if (!(x >= 0) || x >= 65536) throw new RangeError(`16.16 fixed point: ${x} is out of range [0, 65536)`);
  return BigInt(Math.round(x * 65536)) as Fixed16;
}

/** The number a raw 16.16 fixed-point value stands for. */
export function fromFixed16(raw: bigint): number {
  return Number(raw) / 65536;
}

// Formats and modifiers are shared with the Vulkan and Wayland layers: one definition in util/.
export {
  fourcc,
  formatName as fourccName,
  DRM_FORMAT_XRGB8888,
  DRM_FORMAT_ARGB8888,
  DRM_FORMAT_MOD_LINEAR,
  DRM_FORMAT_MOD_INVALID,
} from "../util/fourcc.js";

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
/** Size in bytes of struct drm_mode_modeinfo (what a MODE_ID blob holds). */
export const MODE_INFO_SIZE = 68;
/** Bit of Mode.type marking the mode the display itself prefers (usually its native resolution). */
export const DRM_MODE_TYPE_PREFERRED = 1 << 3;
const DRM_MODE_FLAG_INTERLACE = 1 << 4;
const DRM_MODE_FLAG_DBLSCAN = 1 << 5;

/** Decodes struct drm_mode_modeinfo; the mode prints as `1024x768@60.00` in the REPL. */
export function decodeMode(buf: Buffer, o = 0): Mode {
  const h = (i: number) => buf.readUInt16LE(o + 4 + i * 2);
  const end = buf.indexOf(0, o + 36);
  return printable({
    clock: buf.readUInt32LE(o),
    hdisplay: h(0), hsyncStart: h(1), hsyncEnd: h(2), htotal: h(3), hskew: h(4),
    vdisplay: h(5), vsyncStart: h(6), vsyncEnd: h(7), vtotal: h(8), vscan: h(9),
    vrefresh: buf.readUInt32LE(o + 24),
    flags: buf.readUInt32LE(o + 28),
    type: buf.readUInt32LE(o + 32),
    name: buf.toString("latin1", o + 36, end < 0 || end > o + 68 ? o + 68 : end),
  }, describeMode);
}

/** Writes a Mode as struct drm_mode_modeinfo into buf at byte offset o (a fresh 68-byte buffer by default) and returns buf. The name is cut to 31 characters. */
export function encodeMode(m: Mode, buf = Buffer.alloc(MODE_INFO_SIZE), o = 0): Buffer {
  buf.writeUInt32LE(m.clock, o);
  [m.hdisplay, m.hsyncStart, m.hsyncEnd, m.htotal, m.hskew, m.vdisplay, m.vsyncStart, m.vsyncEnd, m.vtotal, m.vscan]
    .forEach((v, i) => buf.writeUInt16LE(v, o + 4 + i * 2));
  buf.writeUInt32LE(m.vrefresh, o + 24);
  buf.writeUInt32LE(m.flags, o + 28);
  buf.writeUInt32LE(m.type, o + 32);
  buf.fill(0, o + 36, o + 68);
  buf.write(m.name.slice(0, 31), o + 36, "latin1");
  return buf;
}

/** Refresh rate in Hz computed from the timings (more precise than the integer vrefresh). */
export function modeRefresh(m: Mode): number {
  if (m.htotal === 0 || m.vtotal === 0) return m.vrefresh;
  let hz = (m.clock * 1000) / (m.htotal * m.vtotal);
  if (m.flags & DRM_MODE_FLAG_INTERLACE) hz *= 2;
  if (m.flags & DRM_MODE_FLAG_DBLSCAN) hz /= 2;
  if (m.vscan > 1) hz /= m.vscan;
  return hz;
}

/** True when two modes have the same timings and flags (names and type bits are ignored); two undefined modes are equal. */
export function modeEquals(a: Mode | undefined, b: Mode | undefined): boolean {
  if (!a || !b) return a === b;
  return (
    a.clock === b.clock && a.hdisplay === b.hdisplay && a.hsyncStart === b.hsyncStart && a.hsyncEnd === b.hsyncEnd &&
    a.htotal === b.htotal && a.hskew === b.hskew && a.vdisplay === b.vdisplay && a.vsyncStart === b.vsyncStart &&
    a.vsyncEnd === b.vsyncEnd && a.vtotal === b.vtotal && a.vscan === b.vscan && a.flags === b.flags
  );
}

/** The mode as "WIDTHxHEIGHT@HZ" with the refresh to two decimals, e.g. "1920x1080@60.00". */
export function describeMode(m: Mode): string {
  return `${m.hdisplay}x${m.vdisplay}@${modeRefresh(m).toFixed(2)}`;
}

/** Parses "WxH" or "WxH@Hz". */
export function parseModeSpec(spec: string): { width: number; height: number; refresh?: number } {
  const m = /^(\d+)x(\d+)(?:@(\d+(?:\.\d+)?))?$/.exec(spec.trim());
  if (!m) throw new DrmError(`mode "${spec}": expected WIDTHxHEIGHT or WIDTHxHEIGHT@HZ`);
  return { width: Number(m[1]), height: Number(m[2]), refresh: m[3] === undefined ? undefined : Number(m[3]) };
}

/** Picks the mode matching spec (closest refresh when several), or the preferred/first one without spec. */
export function pickMode(modes: readonly Mode[], spec?: string): Mode | undefined {
  if (!spec) return modes.find((m) => m.type & DRM_MODE_TYPE_PREFERRED) ?? modes[0];
  const want = parseModeSpec(spec);
  const same = modes.filter((m) => m.hdisplay === want.width && m.vdisplay === want.height);
  if (want.refresh === undefined) return same.find((m) => m.type & DRM_MODE_TYPE_PREFERRED) ?? same[0];
  const r = want.refresh;
  const best = same.sort((a, b) => Math.abs(modeRefresh(a) - r) - Math.abs(modeRefresh(b) - r))[0];
  return best && Math.abs(modeRefresh(best) - r) < 0.5 ? best : undefined;
}
