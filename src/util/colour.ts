// The colour model every layer shares: the named colour spaces an app can ask for, their primaries
// and transfer functions, the HDR10 metadata type, and CPU versions of the encodings the shaders
// apply (shaders/colour.glsl), so tests can compute what a pixel should be. Wayland image
// descriptions, KMS colour properties and PNG tags are all derived from these tables.
//
// Scene light is linear, in sRGB primaries, with 1.0 = SDR reference white. That white is
// SDR_REFERENCE_WHITE_NITS (203 cd/m², ITU-R BT.2408) when a target is absolute (PQ, scRGB).
// SDR content (textures, sRGB frames) means the light a 2.2-power display shows for its values:
// sRGB's reference display, and what Wayland compositors assume for untagged (sRGB) surfaces, so an
// sRGB frame and its HDR10 encoding look the same once a compositor converts the latter.

/** A colour an app asks for: a named colour space, or "auto" (follow the compositor's or output's preference). */
export type ColourChoice = ColourName | "auto";
/** The colour spaces scanout can encode frames for. */
export type ColourName = "srgb" | "display-p3" | "hdr10" | "scrgb";
/** Every accepted ColourChoice, in the order usage texts list them. */
export const COLOUR_CHOICES: readonly ColourChoice[] = ["srgb", "display-p3", "hdr10", "scrgb", "auto"];

/** Named sets of primaries (with their white point). */
export type PrimariesName = "srgb" | "display-p3" | "bt2020";
/** Named transfer functions: sRGB's piecewise curve, a pure 2.2 power, SMPTE ST 2084 (PQ), linear. */
export type TransferName = "srgb" | "gamma22" | "pq" | "linear";
/** How many bits a channel of the swapchain format has: 8-bit UNORM, 10-bit UNORM, 16-bit float. */
export type ChannelDepth = 8 | 10 | 16;

/** CIE 1931 xy chromaticity. */
export type Chromaticity = readonly [x: number, y: number];

/** The chromaticities of a colour space's red, green and blue primaries and its white point. */
export interface Primaries {
  readonly red: Chromaticity;
  readonly green: Chromaticity;
  readonly blue: Chromaticity;
  readonly white: Chromaticity;
}

const D65: Chromaticity = [0.3127, 0.329];

/** The primaries of each PrimariesName (BT.709 for sRGB, SMPTE EG 432-1 for Display P3, BT.2020), all with a D65 white. */
export const PRIMARIES: Readonly<Record<PrimariesName, Primaries>> = {
  srgb: { red: [0.64, 0.33], green: [0.3, 0.6], blue: [0.15, 0.06], white: D65 },
  "display-p3": { red: [0.68, 0.32], green: [0.265, 0.69], blue: [0.15, 0.06], white: D65 },
  bt2020: { red: [0.708, 0.292], green: [0.17, 0.797], blue: [0.131, 0.046], white: D65 },
};

/** The luminance scene white (1.0) has on absolute targets, in cd/m² (BT.2408's HDR reference white). */
export const SDR_REFERENCE_WHITE_NITS = 203;
/** scRGB's unit: 1.0 is this many cd/m² (so SDR white is 203 / 80 = 2.5375). */
export const SCRGB_UNIT_NITS = 80;
/** PQ's code value 1.0 in cd/m². */
export const PQ_MAX_NITS = 10000;

/** A colour space as the shaders encode it and a display path describes it. */
export interface ColourSpace {
  readonly name: ColourName;
  readonly primaries: PrimariesName;
  /** The transfer function the shader applies (display-p3 on a compositor without "srgb" uses gamma22). */
  readonly transfer: TransferName;
  /** Whether the target holds more than SDR (values above scene white survive); else the shader tone-maps. */
  readonly hdr: boolean;
  /** The channel depths that carry it without visible banding, best first. */
  readonly depths: readonly ChannelDepth[];
  /** PNG's cICP chunk (ITU-T H.273 code points): primaries, transfer, matrix (0: RGB), full range (1). */
  readonly cicp: readonly [number, number, number, number];
}

/** The colour spaces by name. */
export const COLOUR_SPACES: Readonly<Record<ColourName, ColourSpace>> = {
  // sRGB as displays show it: a 2.2 power (decodeSdr), so untagged frames mean what compositors take them for
  srgb: { name: "srgb", primaries: "srgb", transfer: "gamma22", hdr: false, depths: [8, 10, 16], cicp: [1, 4, 0, 1] },
  "display-p3": { name: "display-p3", primaries: "display-p3", transfer: "srgb", hdr: false, depths: [8, 10, 16], cicp: [12, 13, 0, 1] },
  hdr10: { name: "hdr10", primaries: "bt2020", transfer: "pq", hdr: true, depths: [10, 16], cicp: [9, 16, 0, 1] },
  scrgb: { name: "scrgb", primaries: "srgb", transfer: "linear", hdr: true, depths: [16], cicp: [1, 8, 0, 1] },
};

/** The same colour space with another transfer function (e.g. display-p3 declared as gamma 2.2 where a compositor lacks the sRGB curve). */
export function withTransfer(space: ColourSpace, transfer: TransferName): ColourSpace {
  const cicpTransfer = { srgb: 13, gamma22: 4, pq: 16, linear: 8 }[transfer];
  return { ...space, transfer, cicp: [space.cicp[0], cicpTransfer, space.cicp[2], space.cicp[3]] };
}

/** Parses a colour choice (a command line's --color), throwing a RangeError that names `what` and lists the choices. */
export function parseColourChoice(text: string, what = "color"): ColourChoice {
  if ((COLOUR_CHOICES as readonly string[]).includes(text)) return text as ColourChoice;
  throw new RangeError(`${what}: unknown colour '${text}' (one of ${COLOUR_CHOICES.join(", ")})`);
}

/**
 * HDR10 static metadata (SMPTE ST 2086 mastering display plus CTA-861.3 content light levels): what
 * Wayland's set_mastering_* / set_max_cll / set_max_fall and KMS's HDR_OUTPUT_METADATA carry.
 */
export interface Hdr10Metadata {
  /** The mastering display's primaries and white point. */
  readonly masteringPrimaries: Primaries;
  /** The mastering display's luminance range in cd/m² (min may be fractional, e.g. 0.0001). */
  readonly minMasteringNits: number;
  readonly maxMasteringNits: number;
  /** Maximum content light level: the brightest pixel, in cd/m². */
  readonly maxCll: number;
  /** Maximum frame-average light level, in cd/m². */
  readonly maxFall: number;
}

/** The metadata scanout declares for its own HDR scene: a Display P3, 1000-nit mastering display; the 1000-nit light is its brightest pixel. */
export const DEFAULT_HDR10_METADATA: Hdr10Metadata = {
  masteringPrimaries: PRIMARIES["display-p3"],
  minMasteringNits: 0.0001,
  maxMasteringNits: 1000,
  maxCll: 1000,
  maxFall: 250,
};

/** Checks metadata for values no display path accepts; throws a RangeError naming the field. */
export function checkHdr10Metadata(m: Hdr10Metadata): void {
  const check = (ok: boolean, field: string, value: unknown) => {
    if (!ok) throw new RangeError(`HDR10 metadata: ${field} out of range (${String(value)})`);
  };
  for (const key of ["red", "green", "blue", "white"] as const) {
    const [x, y] = m.masteringPrimaries[key];
    check(x >= 0 && x <= 1 && y > 0 && y <= 1, `masteringPrimaries.${key}`, [x, y]);
  }
  check(m.minMasteringNits >= 0 && m.minMasteringNits < m.maxMasteringNits, "minMasteringNits", m.minMasteringNits);
  check(m.maxMasteringNits > 0 && m.maxMasteringNits <= PQ_MAX_NITS, "maxMasteringNits", m.maxMasteringNits);
  check(Number.isInteger(m.maxCll) && m.maxCll >= 0 && m.maxCll <= 65535, "maxCll", m.maxCll);
  check(Number.isInteger(m.maxFall) && m.maxFall >= 0 && m.maxFall <= m.maxCll, "maxFall", m.maxFall);
}

/** A 3x3 matrix, row-major. */
export type Matrix3 = readonly [number, number, number, number, number, number, number, number, number];

function multiply(a: Matrix3, b: Matrix3): Matrix3 {
  const r = (i: number, j: number) => a[i * 3]! * b[j]! + a[i * 3 + 1]! * b[3 + j]! + a[i * 3 + 2]! * b[6 + j]!;
  return [r(0, 0), r(0, 1), r(0, 2), r(1, 0), r(1, 1), r(1, 2), r(2, 0), r(2, 1), r(2, 2)];
}

function invert(m: Matrix3): Matrix3 {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [A / det, -(b * i - c * h) / det, (b * f - c * e) / det, B / det, (a * i - c * g) / det, -(a * f - c * d) / det, C / det, -(a * h - b * g) / det, (a * e - b * d) / det];
}

/** The matrix from linear RGB in these primaries to CIE XYZ (Y of white = 1). */
export function rgbToXyz(p: Primaries): Matrix3 {
  const xyz = ([x, y]: Chromaticity) => [x / y, 1, (1 - x - y) / y] as const;
  const [r, g, b, w] = [xyz(p.red), xyz(p.green), xyz(p.blue), xyz(p.white)];
  const m: Matrix3 = [r[0], g[0], b[0], r[1], g[1], b[1], r[2], g[2], b[2]];
  const inv = invert(m);
  const s = [0, 1, 2].map((k) => inv[k * 3]! * w[0] + inv[k * 3 + 1]! * w[1] + inv[k * 3 + 2]! * w[2]);
  return [m[0] * s[0]!, m[1] * s[1]!, m[2] * s[2]!, m[3] * s[0]!, m[4] * s[1]!, m[5] * s[2]!, m[6] * s[0]!, m[7] * s[1]!, m[8] * s[2]!];
}

/** The matrix taking linear RGB in `from` primaries to linear RGB in `to` (same white, so no adaptation). */
export function conversionMatrix(from: PrimariesName, to: PrimariesName): Matrix3 {
  return multiply(invert(rgbToXyz(PRIMARIES[to])), rgbToXyz(PRIMARIES[from]));
}

/** Applies a row-major 3x3 matrix to an RGB triple. */
export function applyMatrix(m: Matrix3, [r, g, b]: readonly [number, number, number]): [number, number, number] {
  return [m[0] * r + m[1] * g + m[2] * b, m[3] * r + m[4] * g + m[5] * b, m[6] * r + m[7] * g + m[8] * b];
}

/** The sRGB curve (IEC 61966-2-1): linear 0..1 → encoded 0..1. */
export function srgbEncode(linear: number): number {
  const l = Math.max(linear, 0);
  return l <= 0.0031308 ? 12.92 * l : 1.055 * l ** (1 / 2.4) - 0.055;
}
/** The sRGB curve's inverse: encoded 0..1 → linear. */
export function srgbDecode(encoded: number): number {
  return encoded <= 0.04045 ? encoded / 12.92 : ((encoded + 0.055) / 1.055) ** 2.4;
}

const PQ = { m1: 2610 / 16384, m2: (2523 / 4096) * 128, c1: 3424 / 4096, c2: (2413 / 4096) * 32, c3: (2392 / 4096) * 32 };
/** SDR content's light: a display-referred value (a texel, an sRGB frame's pixel) shown on a 2.2-power display, 1.0 = SDR white. */
export function decodeSdr(encoded: number): number {
  return Math.max(encoded, 0) ** 2.2;
}

/** SMPTE ST 2084 inverse EOTF: cd/m² (0..10000) → PQ code value 0..1. */
export function pqEncode(nits: number): number {
  const y = Math.min(Math.max(nits / PQ_MAX_NITS, 0), 1) ** PQ.m1;
  return ((PQ.c1 + PQ.c2 * y) / (1 + PQ.c3 * y)) ** PQ.m2;
}
/** SMPTE ST 2084 EOTF: PQ code value 0..1 → cd/m². */
export function pqDecode(code: number): number {
  const p = Math.max(code, 0) ** (1 / PQ.m2);
  return PQ_MAX_NITS * (Math.max(p - PQ.c1, 0) / (PQ.c2 - PQ.c3 * p)) ** (1 / PQ.m1);
}

/** Where the SDR tone curve leaves the identity: scene light below it is shown unchanged. */
export const TONE_KNEE = 0.8;
/**
 * The SDR tone curve, per channel: identity up to TONE_KNEE, then an exponential shoulder that
 * approaches 1.0 with slope 1 at the knee, so SDR content keeps its look and highlights roll off.
 */
export function toneMapSdr(x: number): number {
  if (x <= TONE_KNEE) return Math.max(x, 0);
  const room = 1 - TONE_KNEE;
  return TONE_KNEE + room * (1 - Math.exp(-(x - TONE_KNEE) / room));
}

/** Applies a transfer function to one linear channel (for "pq", `linear` is in cd/m²). */
export function encodeTransfer(transfer: TransferName, linear: number): number {
  switch (transfer) {
    case "srgb":
      return srgbEncode(linear);
    case "gamma22":
      return Math.max(linear, 0) ** (1 / 2.2);
    case "pq":
      return pqEncode(linear);
    case "linear":
      return linear;
  }
}

/**
 * The CPU version of shaders/colour.glsl's encode(): scene light (linear, sRGB primaries, 1.0 = SDR
 * white) → the values a target of `space` holds. SDR targets tone-map; PQ puts scene white at
 * SDR_REFERENCE_WHITE_NITS; scRGB is linear with 1.0 = 80 cd/m².
 */
export function encodeSceneLight(space: ColourSpace, rgb: readonly [number, number, number]): [number, number, number] {
  const inTarget = space.primaries === "srgb" ? [...rgb] as [number, number, number] : applyMatrix(conversionMatrix("srgb", space.primaries), rgb);
  if (space.transfer === "pq") return inTarget.map((c) => pqEncode(c * SDR_REFERENCE_WHITE_NITS)) as [number, number, number];
  if (space.transfer === "linear") return inTarget.map((c) => (c * SDR_REFERENCE_WHITE_NITS) / SCRGB_UNIT_NITS) as [number, number, number];
  return inTarget.map((c) => encodeTransfer(space.transfer, toneMapSdr(c))) as [number, number, number];
}

/** The shader's encoding modes (colour.glsl's ENCODE_*), in the order of its switch. */
const SHADER_MODES = { srgb: 0, gamma22: 1, pq: 2, linear: 3 } as const;

/**
 * The vec4 colour.glsl's encode() reads: x the mode (transfer), y the output scale (PQ: nits of scene
 * white / 10000; linear: scene white in target units; else 1), z a flag for primaries other than
 * sRGB, w the HDR light's intensity relative to scene white (scenes fill it in).
 */
export function shaderColourParams(space: ColourSpace, out: Float32Array | number[], offset = 0): void {
  out[offset] = SHADER_MODES[space.transfer];
  out[offset + 1] = space.transfer === "pq" ? SDR_REFERENCE_WHITE_NITS / PQ_MAX_NITS : space.transfer === "linear" ? SDR_REFERENCE_WHITE_NITS / SCRGB_UNIT_NITS : 1;
  out[offset + 2] = space.primaries === "srgb" ? 0 : space.primaries === "display-p3" ? 1 : 2;
}

/** What a presenter shows: the colour asked for, the one in effect, its format depth, and why they differ (undefined when they do not). */
export interface ColourState {
  readonly requested: ColourChoice;
  readonly space: ColourSpace;
  readonly depth: ChannelDepth;
  readonly reason: string | undefined;
  /** The scanout format's fourcc where a path names it (KMS: "XB48" is 16-bit UNORM, not FP16). */
  readonly format?: string;
}

/** A ColourState for `requested` shown as `space` at `depth`, with the reason when they differ. */
export function colourState(requested: ColourChoice, space: ColourSpace, depth: ChannelDepth, reason?: string): ColourState {
  return { requested, space, depth, reason: requested === space.name ? undefined : reason };
}

/**
 * The colour in effect for `requested` when the path offers `depths` and can show the spaces
 * `canShow` accepts (a compositor's description support, a connector's properties): the colour
 * itself where possible, else the nearest (scrgb → hdr10 → srgb, display-p3 → srgb), with the
 * reason. "auto" means `preferred` (default srgb).
 */
export function resolveColour(
  requested: ColourChoice,
  depths: readonly ChannelDepth[],
  canShow: (space: ColourName) => string | undefined,
  preferred: ColourName = "srgb",
  /** Spaces the path can never show (KMS: scrgb): not tried as a fallback, so their reason does not clutter another's. */
  never: readonly ColourName[] = [],
): ColourState {
  const want: ColourName = requested === "auto" ? preferred : requested;
  const fallbacks: Record<ColourName, ColourName[]> = { scrgb: ["scrgb", "hdr10", "srgb"], hdr10: ["hdr10", "scrgb", "srgb"], "display-p3": ["display-p3", "srgb"], srgb: ["srgb"] };
  const reasons: string[] = [];
  for (const name of fallbacks[want]) {
    if (name !== want && never.includes(name)) continue;
    const space = COLOUR_SPACES[name];
    const depth = space.depths.find((d) => depths.includes(d));
    const refused = depth === undefined ? `${name} needs a ${space.depths.map(depthName).join(" or ")} format and the path offers ${depths.map(depthName).join(", ")}` : canShow(name);
    if (refused === undefined) {
      const reason = requested === "auto" ? `${preferred} preferred${reasons.length ? `; ${reasons.join("; ")}` : ""}` : reasons.join("; ");
      return { requested, space, depth: depth!, reason: requested === name ? undefined : reason };
    }
    reasons.push(refused);
  }
  // sRGB at 8 bits always works: every path takes XRGB8888
  return { requested, space: COLOUR_SPACES.srgb, depth: 8, reason: reasons.join("; ") };
}

/** "8-bit", "10-bit", "FP16". */
export function depthName(depth: ChannelDepth): string {
  return depth === 16 ? "FP16" : `${depth}-bit`;
}

/** One line for logs and stats: "hdr10 (bt2020, pq, 10-bit)", on KMS with the format: "hdr10 (bt2020, pq, 16-bit XB48)". */
export function describeColour(state: Pick<ColourState, "space" | "depth" | "format">): string {
  const depth = state.format ? `${state.depth}-bit ${state.format}` : depthName(state.depth);
  return `${state.space.name} (${state.space.primaries}, ${state.space.transfer}, ${depth})`;
}
