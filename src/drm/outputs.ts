// Every output of a device in one typed list: the connector's name (`Virtual-1`, `DP-2`), what its
// EDID says (make, model, serial, HDR facts), its modes and the preferred one, and the CRTCs and
// planes that can drive it. Writeback connectors are listed apart: they capture, they show nothing.
// The assembly is pure (outputsFrom), so it is tested without a display.
import { logger } from "../util/log.js";
import { DrmError } from "./error.js";
import type { DrmDevice } from "./device.js";
import { DisplayInfoUnavailableError, readDisplayInfo, type DisplayInfo } from "./display-info.js";
import type { Connector, Plane } from "./objects.js";
import { readDisplayObjects, type DisplayObjects } from "./output.js";
import { printable } from "./printable.js";
import type { Rotation } from "./property-map.js";
import { describeMode, DRM_MODE_TYPE_PREFERRED, type ConnectorId, type CrtcId, type Mode, type PlaneId } from "./types.js";

const log = logger("drm");

/** The planes that can serve an output, by role. */
export interface OutputPlanes {
  primary: PlaneId[];
  overlay: PlaneId[];
  cursor: PlaneId[];
}

/** One output (a non-writeback connector) of a device, as listOutputs reads it. */
export interface OutputInfo {
  /** Like the kernel's name: `Virtual-1`, `DP-2`, `HDMI-A-1` (type name + type id). */
  name: string;
  connector: Connector;
  connected: boolean;
  /** The display's preferred mode (its native one), else its first; undefined without modes. */
  preferredMode: Mode | undefined;
  modes: Mode[];
  /** From the EDID, when the connector has one and libdisplay-info is installed. */
  make?: string;
  model?: string;
  serial?: string;
  /** All EDID facts (HDR included); undefined without EDID or libdisplay-info. */
  display?: DisplayInfo;
  /** Why there are no EDID facts although the connector has an EDID (library missing, unparsable blob). */
  displayInfoError?: string;
  /** The kernel marks head-mounted displays non-desktop: compositors offer them for lease only. */
  nonDesktop: boolean;
  /** CRTCs the connector's encoders can be bound to. */
  crtcs: CrtcId[];
  /** The CRTC driving it now, if any. */
  currentCrtc: CrtcId | undefined;
  /** Planes that can serve at least one of `crtcs`, by role. */
  planes: OutputPlanes;
}

/** A writeback connector: a CRTC's output captured into a framebuffer (vkms and some SoCs have them). */
export interface WritebackInfo {
  name: string;
  connector: Connector;
  /** CRTCs whose output it can capture. */
  crtcs: CrtcId[];
}

/** What outputsFrom needs beyond the objects: per connector, its EDID bytes and non-desktop flag. */
export interface ConnectorExtras {
  edid?: Uint8Array;
  nonDesktop?: boolean;
}

/** One line for an output, e.g. "Output DP-2 connected Dell Inc. DELL U2720Q 3840x2160@60.00, crtcs 41,42". */
export function describeOutputInfo(o: OutputInfo): string {
  const who = [o.make, o.model].filter(Boolean).join(" ");
  const mode = o.preferredMode ? ` ${describeMode(o.preferredMode)}` : "";
  return `Output ${o.name} ${o.connector.connection}${who ? ` ${who}` : ""}${mode}, crtcs ${o.crtcs.join(",") || "none"}`;
}

/** The CRTCs reachable from a connector through its encoders. */
function reachableCrtcs(objects: DisplayObjects, c: Connector): CrtcId[] {
  const set = new Set<CrtcId>();
  for (const id of c.encoders) for (const e of objects.encoders) if (e.id === id) e.possibleCrtcs.forEach((x) => set.add(x));
  return [...set];
}

function planesFor(planes: readonly Plane[], crtcs: readonly CrtcId[]): OutputPlanes {
  const serving = planes.filter((p) => p.possibleCrtcs.some((c) => crtcs.includes(c)));
  const of = (type: Plane["type"]) => serving.filter((p) => p.type === type).map((p) => p.id);
  return { primary: of("Primary"), overlay: of("Overlay"), cursor: of("Cursor") };
}

function edidFacts(name: string, edid: Uint8Array | undefined): Pick<OutputInfo, "make" | "model" | "serial" | "display" | "displayInfoError"> {
  if (!edid || edid.length === 0) return {};
  try {
    const display = readDisplayInfo(edid);
    return { make: display.make, model: display.model, serial: display.serial, display };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    if (!(e instanceof DisplayInfoUnavailableError)) log.warn(`${name}: EDID not understood: ${why}`);
    return { displayInfoError: why };
  }
}

/** The outputs and writeback connectors among `objects`, with EDID facts from `extras` (pure). */
export function outputsFrom(
  objects: DisplayObjects,
  extras: ReadonlyMap<ConnectorId, ConnectorExtras> = new Map(),
): { outputs: OutputInfo[]; writeback: WritebackInfo[] } {
  const outputs: OutputInfo[] = [];
  const writeback: WritebackInfo[] = [];
  for (const c of objects.connectors) {
    const crtcs = reachableCrtcs(objects, c);
    if (c.type === "Writeback") {
      writeback.push({ name: c.name, connector: c, crtcs });
      continue;
    }
    const x = extras.get(c.id) ?? {};
    const current = objects.encoders.find((e) => e.id === c.encoder)?.crtc;
    outputs.push(printable({
      name: c.name,
      connector: c,
      connected: c.connection === "connected",
      preferredMode: c.modes.find((m) => m.type & DRM_MODE_TYPE_PREFERRED) ?? c.modes[0],
      modes: c.modes,
      ...edidFacts(c.name, x.edid),
      nonDesktop: x.nonDesktop ?? false,
      crtcs,
      currentCrtc: current,
      planes: planesFor(objects.planes, crtcs),
    }, describeOutputInfo));
  }
  return { outputs, writeback };
}

/** A connector's EDID blob and non-desktop flag, read from its properties (absent ones are left out). */
export function readConnectorExtras(dev: DrmDevice, id: ConnectorId): ConnectorExtras {
  const props = dev.properties("connector", id);
  const blob = props.has("EDID") ? props.blob("EDID") : undefined;
  let edid: Uint8Array | undefined;
  try {
    edid = blob === undefined ? undefined : dev.blob(blob);
  } catch {
    edid = undefined; // the display went away between the two reads: no EDID now
  }
  return { edid, nonDesktop: props.has("non-desktop") ? props.number("non-desktop") !== 0 : false };
}

/**
 * The outputs of an open device: every non-writeback connector with its name, EDID facts, modes and
 * the CRTCs and planes that can drive it, plus the writeback connectors (listed only when the fd has
 * asked for them, which listOutputs does).
 */
export function listOutputs(dev: DrmDevice): { outputs: OutputInfo[]; writeback: WritebackInfo[] } {
  try {
    dev.setClientCap("writebackConnectors", 1);
  } catch {
    /* a driver without writeback (or without atomic): no writeback connectors to list */
  }
  const objects = readDisplayObjects(dev);
  const extras = new Map(objects.connectors.map((c) => [c.id, c.type === "Writeback" ? {} : readConnectorExtras(dev, c.id)]));
  return outputsFrom(objects, extras);
}

/** The rotations a plane's "rotation" property offers (["rotate-0"] when it has no such property). */
export function planeRotations(dev: DrmDevice, plane: PlaneId): Rotation[] {
  const props = dev.properties("plane", plane);
  if (!props.has("rotation")) return ["rotate-0"];
  return (props.info("rotation").enums ?? []).map((e) => e.name as Rotation);
}

/**
 * The outputs a `--connector` value names: "all" (every connected output with modes) or a comma
 * list of names. Throws DrmError listing the names that exist for an unknown one, and saying so for
 * a named output with nothing connected.
 */
export function selectOutputs(outputs: readonly OutputInfo[], spec: string): OutputInfo[] {
  const usable = outputs.filter((o) => o.connected && o.modes.length > 0);
  const names = () => outputs.map((o) => `${o.name} (${o.connector.connection})`).join(", ") || "none";
  if (spec.trim() === "all") {
    if (usable.length === 0) throw new DrmError(`no connected output (outputs: ${names()})`);
    return usable;
  }
  const wanted = spec.split(",").map((s) => s.trim()).filter(Boolean);
  if (wanted.length === 0) throw new DrmError(`--connector "${spec}": expected all or NAME[,NAME...]`);
  return wanted.map((name, i) => {
    if (wanted.indexOf(name) !== i) throw new DrmError(`output ${name} is named twice in "${spec}"`);
    const o = outputs.find((x) => x.name === name);
    if (!o) throw new DrmError(`no output named ${name}; there are: ${names()}`);
    if (!usable.includes(o)) throw new DrmError(`output ${name} has nothing connected (outputs: ${names()})`);
    return o;
  });
}
