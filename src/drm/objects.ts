// The KMS objects as the device's queries return them (plain data), and how each prints in the Node
// REPL and console.log: `Connector Virtual-1 connected 4 modes`, `Crtc 38 1024x768@60.00 fb 52`.
import {
  describeMode, type Connection, type ConnectorId, type connectorTypeNames, type CrtcId, type EncoderId, type FbId, type Mode,
  type PlaneId,
} from "./types.js";

/** What DrmDevice.resources() returns: ids of the device's framebuffers, CRTCs, connectors and encoders, and the framebuffer size limits in pixels. */
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

/** A connector (output port) as DrmDevice.connector() reads it: what is plugged in, its modes (preferred one flagged in Mode.type), physical size in millimetres (0 when unknown) and encoders. */
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

/** An encoder as DrmDevice.encoder() reads it: its type name, the CRTC it is bound to (if any) and the CRTCs it can be bound to. */
export interface Encoder {
  id: EncoderId;
  type: string;
  crtc: CrtcId | undefined;
  possibleCrtcs: CrtcId[];
}

/** A CRTC as DrmDevice.crtc() reads it: its current mode (undefined when off), framebuffer and scanout offset (x, y) in pixels, and gamma table size. */
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

/** The plane's role, from its "type" property: Primary (the main image of a CRTC), Overlay, or Cursor. */
export type PlaneType = "Primary" | "Overlay" | "Cursor";

/** A plane as DrmDevice.plane() reads it: role, current CRTC and framebuffer, the CRTCs it can serve, and its fourcc formats. */
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

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const on = (what: string, id: number | undefined) => (id === undefined ? "" : ` ${what} ${id}`);

/** One line for a connector, e.g. "Connector Virtual-1 connected 4 modes" (how it prints in the REPL). */
export function describeConnector(c: Connector): string {
  return `Connector ${c.name} ${c.connection} ${plural(c.modes.length, "mode")}`;
}

/** One line for an encoder, e.g. "Encoder 37 Virtual crtc 38". */
export function describeEncoder(e: Encoder): string {
  return `Encoder ${e.id} ${e.type}${on("crtc", e.crtc)}`;
}

/** One line for a CRTC, e.g. "Crtc 38 1024x768@60.00 fb 52", or "off" in place of the mode. */
export function describeCrtc(c: Crtc): string {
  return `Crtc ${c.id} ${c.mode ? describeMode(c.mode) : "off"}${on("fb", c.fb)}`;
}

/** One line for a plane, e.g. "Plane 31 Primary crtc 38 fb 52, 3 formats" ("off" when it has no CRTC). */
export function describePlane(p: Plane): string {
  const where = p.crtc === undefined ? " off" : `${on("crtc", p.crtc)}${on("fb", p.fb)}`;
  return `Plane ${p.id} ${p.type ?? "unknown type"}${where}, ${plural(p.formats.length, "format")}`;
}
