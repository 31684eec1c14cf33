// Choosing where to show frames: a connected connector (or one named), a mode, a CRTC its encoders
// allow, and a primary plane on that CRTC that can scan out the format. The choice itself is pure
// (chooseOutputFrom, on data read once), so it is tested without a display.
import { logger } from "../util/log.js";
import type { AtomicRequest } from "./atomic.js";
import type { DrmDevice } from "./device.js";
import { DrmError, DrmUnavailableError } from "./error.js";
import type { Connector, Encoder, Plane } from "./objects.js";
import { printable } from "./printable.js";
import type { PropertyValues } from "./property-map.js";
import {
  describeMode, DRM_FORMAT_XRGB8888, fixed16, fourccName, pickMode, type BlobId, type CrtcId, type EncoderId, type FbId,
  type Mode,
} from "./types.js";

const log = logger("drm");

/** What chooseOutput should look for. Every field is optional; with none it picks the first connected display at its preferred mode. */
export interface OutputOptions {
  /** Connector name such as "Virtual-1", "DP-1", "HDMI-A-1". Default: the first connected one. */
  connector?: string;
  /** "WxH" or "WxH@Hz". Default: a mode of exactly `size` if the connector has one, else its preferred mode. */
  mode?: string;
  /** Wanted width and height, used only when `mode` is not given. */
  size?: readonly [number, number];
  /** DRM fourcc the primary plane must support (default XRGB8888). */
  format?: number;
}

/** A display path chosen by chooseOutput: the connector, the mode to drive it at, a CRTC and encoder that can reach it, and a primary plane on that CRTC able to scan out the wanted format. */
export interface Output {
  connector: Connector;
  mode: Mode;
  crtc: CrtcId;
  encoder: EncoderId;
  plane: Plane;
}

/** What the choice looks at: a device's connectors, encoders and planes. */
export interface DisplayObjects {
  /** The device node, for messages. */
  device: string;
  connectors: readonly Connector[];
  encoders: readonly Encoder[];
  planes: readonly Plane[];
}

/** Reads every connector, encoder and plane of a device once, for chooseOutputFrom. */
export function readDisplayObjects(dev: DrmDevice): DisplayObjects {
  const res = dev.resources();
  return {
    device: dev.path,
    connectors: res.connectors.map((id) => dev.connector(id)),
    encoders: res.encoders.map((id) => dev.encoder(id, res.crtcs)),
    planes: dev.planes().map((id) => dev.plane(id, res.crtcs)),
  };
}

/**
 * Picks a connector, mode, CRTC and primary plane of dev for options (see chooseOutputFrom). Throws DrmUnavailableError
 * when no display is connected, and DrmError naming what is available when the named connector or mode does not exist
 * or no CRTC can drive it.
 */
export function chooseOutput(dev: DrmDevice, options: OutputOptions = {}): Output {
  return chooseOutputFrom(readDisplayObjects(dev), options);
}

/**
 * The output for `options` among `objects`. Errors name what was asked for and what there is; no
 * connected display at all is a DrmUnavailableError (KMS cannot show anything on this machine).
 */
export function chooseOutputFrom(objects: DisplayObjects, options: OutputOptions = {}): Output {
  const format = options.format ?? DRM_FORMAT_XRGB8888;
  const connectors = objects.connectors.filter((c) => c.type !== "Writeback");
  const connector = options.connector ? namedConnector(objects.device, connectors, options.connector) : firstConnected(objects.device, connectors);
  const mode = pickMode(connector.modes, options.mode ?? sizeSpec(connector, options.size));
  if (!mode) {
    const list = [...new Set(connector.modes.map((m) => describeMode(m)))].join(", ");
    throw new DrmError(`mode ${options.mode ?? "(preferred)"} is not supported by ${connector.name}; it offers ${list || "no modes"}`);
  }
  const encoders = connector.encoders.flatMap((id) => objects.encoders.filter((e) => e.id === id));
  // prefer the encoder/CRTC already driving this connector (no need to steal another output's CRTC)
  const current = encoders.find((e) => e.id === connector.encoder && e.crtc !== undefined);
  const candidates: { encoder: EncoderId; crtc: CrtcId }[] = [];
  if (current?.crtc !== undefined) candidates.push({ encoder: current.id, crtc: current.crtc });
  for (const e of encoders) for (const c of e.possibleCrtcs) candidates.push({ encoder: e.id, crtc: c });
  for (const { encoder, crtc } of candidates) {
    const usable = objects.planes.filter((p) => p.type === "Primary" && p.possibleCrtcs.includes(crtc) && p.formats.includes(format));
    const plane = usable.find((p) => p.crtc === crtc) ?? usable[0];
    if (plane) {
      log.info(`output: ${connector.name} ${describeMode(mode)} on crtc ${crtc} via encoder ${encoder}, primary plane ${plane.id}`);
      return printable({ connector, mode, crtc, encoder, plane }, describeOutput);
    }
  }
  throw new DrmError(`no CRTC with a primary plane supporting ${fourccName(format)} can drive ${connector.name}`);
}

/** "WxH" when the connector has a mode of that size, else undefined (its preferred mode then). */
function sizeSpec(connector: Connector, size: readonly [number, number] | undefined): string | undefined {
  if (!size) return undefined;
  const spec = `${size[0]}x${size[1]}`;
  if (pickMode(connector.modes, spec)) return spec;
  log.info(`output: no ${spec} mode on ${connector.name}; using its preferred mode`);
  return undefined;
}

function namedConnector(device: string, connectors: readonly Connector[], name: string): Connector {
  const connector = connectors.find((c) => c.name === name);
  if (!connector) throw new DrmError(`no connector named ${name} on ${device} (it has ${connectors.map((c) => c.name).join(", ") || "none"})`);
  if (connector.connection === "disconnected") throw new DrmError(`connector ${connector.name} has nothing connected`);
  return connector;
}

function firstConnected(device: string, connectors: readonly Connector[]): Connector {
  const connector = connectors.find((c) => c.connection === "connected" && c.modes.length > 0);
  if (!connector)
    throw new DrmUnavailableError(`no connected display on ${device} (connectors: ${connectors.map((c) => `${c.name} ${c.connection}`).join(", ") || "none"})`);
  return connector;
}

/** One line for an output, e.g. "Output Virtual-1 1024x768@60.00 crtc 38 plane 31". */
export function describeOutput(o: Output): string {
  return `Output ${o.connector.name} ${describeMode(o.mode)} crtc ${o.crtc} plane ${o.plane.id}`;
}

/** Plane properties that show `fb` (of the mode's size) unscaled over the whole output. */
export function fullScreenPlane(output: Output, fb: FbId): PropertyValues<"plane"> {
  const { hdisplay: w, vdisplay: h } = output.mode;
  return {
    FB_ID: fb, CRTC_ID: output.crtc,
    SRC_X: fixed16(0), SRC_Y: fixed16(0), SRC_W: fixed16(w), SRC_H: fixed16(h),
    CRTC_X: 0, CRTC_Y: 0, CRTC_W: w, CRTC_H: h,
  };
}

/**
 * Adds to `req` what lights the output: its connector on its CRTC, the CRTC active with the mode
 * (`modeBlob`, from DrmDevice.createModeBlob) and the primary plane with `plane`'s properties.
 */
export function addModeset(req: AtomicRequest, output: Output, modeBlob: BlobId, plane: PropertyValues<"plane">): AtomicRequest {
  return req
    .connector(output.connector.id, { CRTC_ID: output.crtc })
    .crtc(output.crtc, { ACTIVE: true, MODE_ID: modeBlob })
    .plane(output.plane.id, plane);
}
