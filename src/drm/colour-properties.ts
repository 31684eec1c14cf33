// Typed setters for the KMS colour properties: a CRTC's DEGAMMA_LUT -> CTM -> GAMMA_LUT (sizes from
// DEGAMMA_LUT_SIZE / GAMMA_LUT_SIZE) and a connector's HDR_OUTPUT_METADATA, Colorspace and "max bpc".
// Each setter checks what the object offers and says what it could not set and why, so a caller can
// fall back (show the frame in SDR) instead of failing the commit.
import type { AtomicRequest } from "./atomic.js";
import type { BlobBag } from "./colour-blob-bag.js";
import { encodeColorLut, encodeCtm, type LutEntry } from "./colour-blobs.js";
import { PropertyError } from "./error.js";
import { encodeHdrOutputMetadata, type HdrStaticMetadata } from "./hdr-metadata.js";
import type { PropertySet } from "./properties.js";
import type { Colorspace } from "./property-map.js";
import type { ConnectorId, CrtcId } from "./types.js";

/** What a CRTC offers for colour: LUT sizes (0: no such LUT) and whether it has a CTM. */
export interface CrtcColourSupport {
  degammaSize: number;
  gammaSize: number;
  ctm: boolean;
}

/** Reads a CRTC's colour management properties (from its PropertySet, e.g. dev.properties("crtc", id)). */
export function crtcColourSupport(props: PropertySet): CrtcColourSupport {
  const size = (lut: string) => (props.has(lut) && props.has(`${lut}_SIZE`) ? props.number(`${lut}_SIZE`) : 0);
  return { degammaSize: size("DEGAMMA_LUT"), gammaSize: size("GAMMA_LUT"), ctm: props.has("CTM") };
}

/** A CRTC's colour transform: pixels go through degamma, then the 3x3 matrix (row-major), then gamma. null clears a stage; undefined leaves it as it is. */
export interface CrtcColour {
  degamma?: readonly LutEntry[] | null;
  ctm?: readonly number[] | null;
  gamma?: readonly LutEntry[] | null;
}

/**
 * Adds `colour` to `req` for CRTC `crtc` (blobs into `blobs`). Throws PropertyError naming the CRTC and the stage when
 * it lacks that stage or a LUT's length is not the CRTC's size (the kernel would refuse the commit with EINVAL).
 */
export function setCrtcColour(req: AtomicRequest, crtc: CrtcId, support: CrtcColourSupport, colour: CrtcColour, blobs: BlobBag): void {
  const lut = (name: "DEGAMMA_LUT" | "GAMMA_LUT", entries: readonly LutEntry[] | null | undefined, size: number) => {
    if (entries === undefined) return;
    if (size === 0) throw new PropertyError(`crtc ${crtc} has no ${name}`);
    if (entries === null) return void req.crtc(crtc, { [name]: undefined });
    if (entries.length !== size) throw new PropertyError(`crtc ${crtc}: ${name} has ${entries.length} entries, the CRTC takes ${size} (${name}_SIZE)`);
    req.crtc(crtc, { [name]: blobs.make(encodeColorLut(entries)) });
  };
  lut("DEGAMMA_LUT", colour.degamma, support.degammaSize);
  if (colour.ctm !== undefined) {
    if (!support.ctm) throw new PropertyError(`crtc ${crtc} has no CTM`);
    req.crtc(crtc, { CTM: colour.ctm === null ? undefined : blobs.make(encodeCtm(colour.ctm)) });
  }
  lut("GAMMA_LUT", colour.gamma, support.gammaSize);
}

/** What a connector is told about the signal: HDR static metadata (null: none, SDR), colorimetry, and the most bits per colour the link may use. */
export interface ConnectorColour {
  hdr?: HdrStaticMetadata | null;
  colorspace?: Colorspace;
  maxBpc?: number;
}

/** Which of a ConnectorColour's fields went into the request, and, for each one that did not, why. */
export interface ConnectorColourResult {
  set: (keyof ConnectorColour)[];
  missing: { field: keyof ConnectorColour; reason: string }[];
}

/**
 * Adds `colour` to `req` for `connector`, skipping (with the reason) what the connector does not offer: a property it
 * lacks, a Colorspace value it does not list, a max bpc outside its range (clamped to the range instead when the
 * range's top is lower; the result says so).
 */
export function setConnectorColour(
  req: AtomicRequest, connector: ConnectorId, props: PropertySet, colour: ConnectorColour, blobs: BlobBag,
): ConnectorColourResult {
  const result: ConnectorColourResult = { set: [], missing: [] };
  const lacks = (field: keyof ConnectorColour, prop: string) =>
    result.missing.push({ field, reason: `connector ${connector} has no ${prop} property` });
  if (colour.hdr !== undefined) {
    if (!props.has("HDR_OUTPUT_METADATA")) lacks("hdr", "HDR_OUTPUT_METADATA");
    else {
      req.connector(connector, { HDR_OUTPUT_METADATA: colour.hdr === null ? undefined : blobs.make(encodeHdrOutputMetadata(colour.hdr)) });
      result.set.push("hdr");
    }
  }
  if (colour.colorspace !== undefined) {
    if (!props.has("Colorspace")) lacks("colorspace", "Colorspace");
    else {
      const names = (props.info("Colorspace").enums ?? []).map((e) => e.name);
      if (!names.includes(colour.colorspace))
        result.missing.push({ field: "colorspace", reason: `connector ${connector} offers Colorspace ${names.join(", ")}, not ${colour.colorspace}` });
      else {
        req.connector(connector, { Colorspace: colour.colorspace });
        result.set.push("colorspace");
      }
    }
  }
  if (colour.maxBpc !== undefined) {
    if (!props.has("max bpc")) lacks("maxBpc", '"max bpc"');
    else {
      const [lo, hi] = props.info("max bpc").range ?? [0n, 0n];
      const want = BigInt(colour.maxBpc);
      const v = want > hi ? hi : want < lo ? lo : want;
      req.connector(connector, { "max bpc": Number(v) });
      result.set.push("maxBpc");
      if (v !== want) result.missing.push({ field: "maxBpc", reason: `connector ${connector} takes max bpc ${lo}..${hi}; ${v} set instead of ${want}` });
    }
  }
  return result;
}
