// The colour of the KMS presenter's frames, decided once the output is chosen and before anything is
// rendered: which colour the connector can be told about (its HDR_OUTPUT_METADATA and Colorspace
// properties, and what its display's EDID lists), which scanout format the plane takes for it
// (16 bits per channel, 10, or 8), and the connector properties the modeset commit must carry
// (drm/kms-colour.ts). A colour the path cannot show becomes the nearest it can, with the reason,
// as on Wayland (wayland-colour.ts); nothing here can make a commit fail.
import { Format, type Device } from "../vk/index.js";
import { logger } from "../util/log.js";
import { fourcc } from "../util/fourcc.js";
import {
  colourState, COLOUR_SPACES, DEFAULT_HDR10_METADATA, describeColour, resolveColour, type ChannelDepth, type ColourChoice, type ColourName, type ColourState, type Hdr10Metadata,
} from "../util/colour.js";
import {
  applyKmsColour, BlobBag, DisplayInfoUnavailableError, planKmsColour, readConnectorExtras, readDisplayInfo, sinkFromDisplayInfo,
  type AtomicRequest, type ConnectorId, type DrmDevice, type HdrStaticMetadata, type KmsColourPlan, type KmsColourRequest, type KmsEncoding, type Output, type Plane, type PropertySet,
} from "../drm/index.js";
import { canRender } from "./colour-formats.js";

const log = logger("present");

/** A format frames can be scanned out in: the DRM fourcc the plane lists and the Vulkan format with the same memory layout. */
export interface ScanoutFormat {
  /** The fourcc as drm_fourcc.h names it ("XR24", "XR30", "XB48"). */
  readonly name: string;
  readonly drm: number;
  readonly vk: Format;
  readonly bytesPerPixel: 4 | 8;
  /** Bits per channel: 8, 10, or 16 (unsigned normalized here, not half floats). */
  readonly depth: ChannelDepth;
}

const format = (name: string, vk: Format, bytesPerPixel: 4 | 8, depth: ChannelDepth): ScanoutFormat => ({ name, drm: fourcc(name), vk, bytesPerPixel, depth });

/** DRM XRGB8888 (bytes B, G, R, X) = Vulkan B8G8R8A8_UNORM: what every plane takes. */
export const SCANOUT_XRGB8888 = format("XR24", Format.VK_FORMAT_B8G8R8A8_UNORM, 4, 8);

/**
 * The scanout formats by preference, deepest first. XBGR16161616 is u16 R, G, B, X in memory, which is
 * Vulkan's R16G16B16A16_UNORM; XRGB16161616 (B first) has no Vulkan twin to render into. The 10-bit
 * ones pack 2:10:10:10 in a 32-bit word like Vulkan's A2R10G10B10 / A2B10G10R10.
 */
export const SCANOUT_FORMATS: readonly ScanoutFormat[] = [
  format("XB48", Format.VK_FORMAT_R16G16B16A16_UNORM, 8, 16),
  format("XR30", Format.VK_FORMAT_A2R10G10B10_UNORM_PACK32, 4, 10),
  format("XB30", Format.VK_FORMAT_A2B10G10R10_UNORM_PACK32, 4, 10),
  SCANOUT_XRGB8888,
];

/** The colour options of the KMS presenter (KmsOptions). */
export interface KmsColourOptions {
  /** The colour to encode frames for (default "srgb"); "auto" follows what the display's EDID lists. */
  color?: ColourChoice;
  /** HDR10 metadata sent to the display with hdr10 (default DEFAULT_HDR10_METADATA). */
  hdrMetadata?: Hdr10Metadata;
  /**
   * Bits per channel to scan out at least (default: what the colour needs: 8 for srgb and display-p3,
   * 10 or more for hdr10). A deeper format, where the plane takes one, bands less and moves more memory.
   */
  depth?: ChannelDepth;
}

/** What the connector, plane and device offer, as chooseKmsColour weighs it (read by kmsColourInputs; built by hand in tests). */
export interface KmsColourInputs {
  /** The connector's properties. */
  readonly connector: PropertySet;
  /** The primary plane's formats. */
  readonly plane: Pick<Plane, "formats">;
  /** Whether the device renders into a Vulkan format. */
  readonly renders: (vk: Format) => boolean;
  /** What the display's EDID says (undefined: no EDID, or libdisplay-info missing: assumed able). */
  readonly sink?: KmsColourRequest["sink"];
}

/** The decision: the colour in effect (with the reason it differs), the scanout format, and what the modeset tells the connector. */
export interface KmsColourChoice {
  readonly state: ColourState;
  readonly format: ScanoutFormat;
  readonly plan: KmsColourPlan;
}

/** An app's HDR10 metadata as the kernel's static metadata (PQ, mastering display, light levels). */
export function hdrStaticMetadata(m: Hdr10Metadata): HdrStaticMetadata {
  const xy = ([x, y]: readonly [number, number]) => ({ x, y });
  const p = m.masteringPrimaries;
  return {
    eotf: "pq", primaries: [xy(p.red), xy(p.green), xy(p.blue)], whitePoint: xy(p.white),
    maxMasteringLuminance: Math.round(m.maxMasteringNits), minMasteringLuminance: m.minMasteringNits, maxCll: m.maxCll, maxFall: m.maxFall,
  };
}

/** Colours the connector can be told about; scRGB (linear light) has no KMS signalling. */
const kmsEncoding = (name: ColourName): KmsEncoding | undefined => (name === "scrgb" ? undefined : name);

/**
 * Decides the colour, format and connector properties for `options` on what `inputs` offers. Pure.
 * "auto" means hdr10 where the EDID lists PQ and BT.2020 and the connector can carry them, else
 * display-p3 where it lists P3, else srgb.
 */
export function chooseKmsColour(inputs: KmsColourInputs, options: KmsColourOptions = {}): KmsColourChoice {
  const requested = options.color ?? "srgb";
  const formats = SCANOUT_FORMATS.filter((f) => f.depth === 8 || (inputs.plane.formats.includes(f.drm) && inputs.renders(f.vk)));
  const depths = [...new Set(formats.map((f) => f.depth))];
  const hdr = hdrStaticMetadata(options.hdrMetadata ?? DEFAULT_HDR10_METADATA);
  const plan = (name: KmsEncoding, bits?: number) => planKmsColour(inputs.connector, { encoding: name, hdr, sink: inputs.sink, bitsPerChannel: bits });
  const refusal = (name: ColourName): string | undefined => {
    if (name === "srgb") return undefined;
    const encoding = kmsEncoding(name);
    if (!encoding) return `KMS has no way to tell a display about scRGB (linear light)`;
    return plan(encoding).reason;
  };
  const sink = inputs.sink;
  const preferred: ColourName = sink?.pq && sink.bt2020 && refusal("hdr10") === undefined ? "hdr10" : sink?.dciP3 && refusal("display-p3") === undefined ? "display-p3" : "srgb";
  let state = resolveColour(requested, depths, refusal, preferred, ["scrgb"]);
  // deeper than the colour needs, where asked for and offered
  if (options.depth !== undefined && options.depth > state.depth) {
    const deeper = depths.filter((d) => d >= options.depth! && state.space.depths.includes(d)).sort((a, b) => a - b)[0];
    if (deeper !== undefined) state = { ...state, depth: deeper };
    else log.warn(`kms: ${options.depth}-bit scanout asked for; the plane and device offer ${depths.join(", ")} bits per channel for ${state.space.name}`);
  }
  const chosen = formats.find((f) => f.depth === state.depth) ?? SCANOUT_XRGB8888;
  const final = plan(kmsEncoding(state.space.name) ?? "srgb", chosen.depth);
  // the plan agrees with the resolution (both ask planKmsColour); the state carries the scanout format's name
  state = { ...colourState(requested, COLOUR_SPACES[final.inEffect], chosen.depth, state.reason), format: chosen.name };
  return { state, format: chosen, plan: final };
}

/** Reads what chooseKmsColour weighs for `output`: the connector's properties, the plane's formats, the device's render formats, the EDID's facts. */
export function kmsColourInputs(device: Device, drm: DrmDevice, output: Output): KmsColourInputs {
  const connector = drm.properties("connector", output.connector.id);
  const renders = (vk: Format) => canRender(device, vk);
  const { edid } = readConnectorExtras(drm, output.connector.id);
  if (!edid || edid.length === 0) return { connector, plane: output.plane, renders };
  try {
    return { connector, plane: output.plane, renders, sink: sinkFromDisplayInfo(readDisplayInfo(edid)) };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    if (e instanceof DisplayInfoUnavailableError) log.info(`kms: ${output.connector.name}: the EDID's colour facts are unknown (${why}); assuming the display takes what the connector can signal`);
    else log.warn(`kms: ${output.connector.name}: EDID not understood (${why}); assuming the display takes what the connector can signal`);
    return { connector, plane: output.plane, renders };
  }
}

/** The KMS presenter's colour: chosen at open, added to every modeset, reported in stats. */
export class KmsColour {
  /** What the last modeset set on the connector and what it could not, for stats. */
  private connectorText = "";

  private constructor(readonly choice: KmsColourChoice) {}

  /** Chooses the colour for `output` (before any target exists: it decides the scanout format) and logs the choice. */
  static open(device: Device, drm: DrmDevice, output: Output, options: KmsColourOptions): KmsColour {
    const choice = chooseKmsColour(kmsColourInputs(device, drm, output), options);
    const { state } = choice;
    if (state.reason) log.warn(`kms: colour ${state.requested} → ${describeColour(state)}: ${state.reason}`);
    else if (state.requested !== "srgb") log.info(`kms: colour ${describeColour(state)}`);
    return new KmsColour(choice);
  }

  get state(): ColourState {
    return this.choice.state;
  }
  get format(): ScanoutFormat {
    return this.choice.format;
  }

  /**
   * Adds the connector's colour properties (HDR metadata, Colorspace, max bpc) to a modeset request; what the
   * connector lacks is skipped with the reason, kept for stats. Returns the blobs made: release them after the commit.
   */
  addToModeset(req: AtomicRequest, drm: DrmDevice, connector: ConnectorId): BlobBag {
    const blobs = new BlobBag(drm);
    try {
      const result = applyKmsColour(req, connector, drm.properties("connector", connector), this.choice.plan, blobs);
      this.connectorText = [...result.set.map((f) => `${f} set`), ...result.missing.map((m) => m.reason)].join("; ");
      if (result.missing.length) log.debug(`kms: connector colour: ${this.connectorText}`);
      return blobs;
    } catch (e) {
      blobs.release();
      throw e;
    }
  }

  /** FrameStats.colour.descriptions: the scanout format and what the last modeset set on the connector. */
  stats(): Record<string, number | string> {
    return { format: this.choice.format.name, ...(this.connectorText ? { connector: this.connectorText } : {}) };
  }
}
