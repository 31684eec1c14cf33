// The KMS objects as the device's queries return them (plain data), and how each prints in the Node
// REPL and console.log: `Connector Virtual-1 connected 4 modes`, `Crtc 38 1024x768@60.00 fb 52`.
import {
  describeMode, type Connection, type ConnectorId, type connectorTypeNames, type CrtcId, type EncoderId, type FbId, type Mode,
  type PlaneId,
} from "./types.js";

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

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const on = (what: string, id: number | undefined) => (id === undefined ? "" : ` ${what} ${id}`);

export function describeConnector(c: Connector): string {
  return `Connector ${c.name} ${c.connection} ${plural(c.modes.length, "mode")}`;
}

export function describeEncoder(e: Encoder): string {
  return `Encoder ${e.id} ${e.type}${on("crtc", e.crtc)}`;
}

export function describeCrtc(c: Crtc): string {
  return `Crtc ${c.id} ${c.mode ? describeMode(c.mode) : "off"}${on("fb", c.fb)}`;
}

export function describePlane(p: Plane): string {
  const where = p.crtc === undefined ? " off" : `${on("crtc", p.crtc)}${on("fb", p.fb)}`;
  return `Plane ${p.id} ${p.type ?? "unknown type"}${where}, ${plural(p.formats.length, "format")}`;
}
