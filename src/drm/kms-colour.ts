// What the KMS presenter calls to tell the display how its pixels are encoded: planKmsColour decides,
// once the output is chosen and before any frame is rendered, which encoding the connector can carry
// (and why not the one asked for); applyKmsColour adds the connector properties for it to a modeset
// request. A connector without the properties means SDR with the reason, never a failed commit.
import type { AtomicRequest } from "./atomic.js";
import type { BlobBag } from "./colour-blob-bag.js";
import type { DisplayInfo } from "./display-info.js";
import { setConnectorColour, type ConnectorColour, type ConnectorColourResult } from "./colour-properties.js";
import { BT2020_D65, type HdrStaticMetadata } from "./hdr-metadata.js";
import type { PropertySet } from "./properties.js";
import type { ConnectorId } from "./types.js";

/** Encodings of scanned-out pixels the connector can be told about: sRGB (SDR, BT.709 primaries), Display P3 (SDR, sRGB curve), HDR10 (PQ, BT.2020). */
export type KmsEncoding = "srgb" | "display-p3" | "hdr10";

/** What the presenter asks for. */
export interface KmsColourRequest {
  encoding: KmsEncoding;
  /** HDR10: the content's mastering metadata (default HDR10_DEFAULT_METADATA). */
  hdr?: HdrStaticMetadata;
  /** Bits per channel of the scanout format (8, 10, 16): the link is allowed as many (max bpc). */
  bitsPerChannel?: number;
  /** What the display says it supports (its EDID, through display-info), when known: undefined means unknown, assumed yes. */
  sink?: { pq?: boolean; bt2020?: boolean; dciP3?: boolean };
}

/**
 * The sink facts planKmsColour weighs, from the display's EDID (readDisplayInfo): PQ from its HDR static metadata
 * block, BT.2020 RGB and ST 2113 (P3 D65) RGB from its colorimetry block.
 */
export function sinkFromDisplayInfo(info: Pick<DisplayInfo, "eotfs" | "colorimetry">): NonNullable<KmsColourRequest["sink"]> {
  return { pq: info.eotfs.pq, bt2020: info.colorimetry.bt2020Rgb, dciP3: info.colorimetry.st2113Rgb };
}

/** Mastering metadata for HDR10 content that states none: BT.2020/D65, a 1000 cd/m² mastering display, CLL 1000, FALL 400. */
export const HDR10_DEFAULT_METADATA: HdrStaticMetadata = {
  eotf: "pq", ...BT2020_D65, maxMasteringLuminance: 1000, minMasteringLuminance: 0.005, maxCll: 1000, maxFall: 400,
};

/** The decision: the encoding the presenter must render in, and, when it is not the one asked for, why. */
export interface KmsColourPlan {
  inEffect: KmsEncoding;
  reason: string | undefined;
  /** What applyKmsColour writes. */
  connector: ConnectorColour;
}

/** Decides what `props` (the connector's properties) can carry of `request`. Pure: tested without a device. */
export function planKmsColour(props: PropertySet, request: KmsColourRequest): KmsColourPlan {
  const colorspaces = props.has("Colorspace") ? (props.info("Colorspace").enums ?? []).map((e) => e.name) : [];
  const maxBpc = request.bitsPerChannel !== undefined && props.has("max bpc") ? { maxBpc: request.bitsPerChannel } : {};
  // back to plain SDR: no HDR InfoFrame left from an earlier program, default colorimetry
  const sdr = (reason: string | undefined): KmsColourPlan => ({
    inEffect: "srgb", reason,
    connector: {
      ...(props.has("HDR_OUTPUT_METADATA") ? { hdr: null } : {}),
      ...(colorspaces.includes("Default") ? { colorspace: "Default" as const } : {}),
      ...maxBpc,
    },
  });
  const owner = props.owner;
  if (request.encoding === "srgb") return sdr(undefined);
  if (request.encoding === "display-p3") {
    if (request.sink?.dciP3 === false) return sdr(`the display on ${owner} does not list DCI-P3 colorimetry`);
    if (!colorspaces.includes("DCI-P3_RGB_D65")) return sdr(`${owner} cannot signal Display P3 (Colorspace ${colorspaces.length ? `offers ${colorspaces.join(", ")}` : "property missing"})`);
    return { inEffect: "display-p3", reason: undefined, connector: { ...(props.has("HDR_OUTPUT_METADATA") ? { hdr: null } : {}), colorspace: "DCI-P3_RGB_D65", ...maxBpc } };
  }
  if (!props.has("HDR_OUTPUT_METADATA")) return sdr(`${owner} has no HDR_OUTPUT_METADATA property (the driver cannot send HDR metadata)`);
  if (!colorspaces.includes("BT2020_RGB")) return sdr(`${owner} cannot signal BT.2020 (Colorspace ${colorspaces.length ? `offers ${colorspaces.join(", ")}` : "property missing"})`);
  if (request.sink?.pq === false) return sdr(`the display on ${owner} does not support the PQ (SMPTE ST 2084) transfer function`);
  if (request.sink?.bt2020 === false) return sdr(`the display on ${owner} does not list BT.2020 colorimetry`);
  return {
    inEffect: "hdr10", reason: undefined,
    connector: { hdr: request.hdr ?? HDR10_DEFAULT_METADATA, colorspace: "BT2020_RGB", ...maxBpc },
  };
}

/**
 * Adds the connector properties of `plan` to `req` (a modeset: Colorspace and HDR metadata changes may need one), blobs
 * into `blobs` (release them after the commit). Returns what was set and what was not, with reasons.
 */
export function applyKmsColour(req: AtomicRequest, connector: ConnectorId, props: PropertySet, plan: KmsColourPlan, blobs: BlobBag): ConnectorColourResult {
  return setConnectorColour(req, connector, props, plan.connector, blobs);
}
