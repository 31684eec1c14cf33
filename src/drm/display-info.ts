// What a display says about itself in its EDID (make, model, serial, the HDR facts the colour code
// needs), parsed by libdisplay-info (Debian's libdisplay-info2, loaded through koffi on first use).
// EDID parsing has many vendor quirks; a parser others maintain beats our own here.
import { koffi } from "../sys/libc.js";
import { UnavailableError } from "../util/errors.js";

/** libdisplay-info could not be loaded: outputs then come without make, model and HDR facts. */
export class DisplayInfoUnavailableError extends UnavailableError {
  /** @param reason what is missing and how to get it */
  constructor(reason: string, cause?: unknown) {
    super("libdisplay-info", reason, cause === undefined ? undefined : { cause });
    this.name = "DisplayInfoUnavailableError";
  }
}

/** A CIE 1931 xy chromaticity. */
export interface Chromaticity {
  x: number;
  y: number;
}

/** The display's facts from its EDID (and its CTA-861 extension blocks). Absent strings were not in the EDID. */
export interface DisplayInfo {
  /** Manufacturer, e.g. "Dell Inc." (from the PNP id when no name is known). */
  make?: string;
  /** Model name, e.g. "DELL U2720Q" (the product code in hex when there is no name descriptor). */
  model?: string;
  /** Serial string or number. Informational: not a stable key. */
  serial?: string;
  /** Transfer functions the display accepts (HDR static metadata data block); SDR only when the block is absent. */
  eotfs: { traditionalSdr: boolean; traditionalHdr: boolean; pq: boolean; hlg: boolean };
  /** Whether the display accepts Static Metadata Type 1 (the HDR_OUTPUT_METADATA infoframe HDR10 uses). */
  staticMetadataType1: boolean;
  /** Signal colorimetries beyond default RGB (colorimetry data block). */
  colorimetry: { bt2020Rgb: boolean; bt2020Ycc: boolean; bt2020Cycc: boolean; st2113Rgb: boolean; ictcp: boolean };
  /** Desired content luminance in cd/m² from the HDR block; undefined when unset (0 in the EDID). */
  luminance: { max?: number; maxFrameAverage?: number; min?: number };
  /** Default primaries and white point (base EDID colour characteristics), when given. */
  primaries?: { red: Chromaticity; green: Chromaticity; blue: Chromaticity; white?: Chromaticity };
  /** Default gamma; undefined when unknown. */
  gamma?: number;
}

type Fn = (...a: unknown[]) => never;
interface Api {
  parse: Fn;
  destroy: Fn;
  failure: Fn;
  make: Fn;
  model: Fn;
  serial: Fn;
  hdr: Fn;
  colorimetry: Fn;
  primaries: Fn;
  gamma: Fn;
  free: Fn;
}

let api: Api | undefined;
let loadError: DisplayInfoUnavailableError | undefined;

/** Loads libdisplay-info.so.2 once; throws DisplayInfoUnavailableError naming the package when missing. */
function load(): Api {
  if (api) return api;
  if (loadError) throw loadError;
  let lib: ReturnType<typeof koffi.load>;
  try {
    lib = koffi.load("libdisplay-info.so.2");
  } catch (e) {
    throw (loadError = new DisplayInfoUnavailableError(
      "libdisplay-info.so.2 could not be loaded (install Debian's libdisplay-info2, in bookworm-backports)", e));
  }
  const f = (decl: string) => lib.func(decl) as unknown as Fn;
  const libc = koffi.load("libc.so.6");
  api = {
    parse: f("void *di_info_parse_edid(const uint8_t *data, size_t size)"),
    destroy: f("void di_info_destroy(void *info)"),
    failure: f("void *di_info_get_failure_msg(void *info)"),
    make: f("void *di_info_get_make(void *info)"),
    model: f("void *di_info_get_model(void *info)"),
    serial: f("void *di_info_get_serial(void *info)"),
    hdr: f("void *di_info_get_hdr_static_metadata(void *info)"),
    colorimetry: f("void *di_info_get_supported_signal_colorimetry(void *info)"),
    primaries: f("void *di_info_get_default_color_primaries(void *info)"),
    gamma: f("float di_info_get_default_gamma(void *info)"),
    free: libc.func("void free(void *p)") as unknown as Fn,
  };
  return api;
}

/** Whether libdisplay-info can be loaded on this machine. */
export function displayInfoAvailable(): boolean {
  try {
    load();
    return true;
  } catch {
    return false;
  }
}

/** A string the library allocated: decoded, then freed. */
function ownedString(a: Api, p: unknown): string | undefined {
  if (!p) return undefined;
  try {
    return koffi.decode(p, "char", -1) as string;
  } finally {
    a.free(p);
  }
}

/** `n` bytes of a struct the library owns (valid while the di_info lives). */
function bytes(p: unknown, n: number): Buffer {
  return Buffer.from(koffi.decode(p, koffi.array("uint8_t", n)) as number[]);
}

// struct di_hdr_static_metadata: three floats, then five bools (type1, traditional_sdr, traditional_hdr, pq, hlg).
const HDR_SIZE = 17;
// struct di_supported_signal_colorimetry: five bools (bt2020_cycc, bt2020_ycc, bt2020_rgb, st2113_rgb, ictcp).
const COLORIMETRY_SIZE = 5;
// struct di_color_primaries: has_primaries, has_default_white_point, (pad), primary[3] and default_white as float x, y.
const PRIMARIES_SIZE = 36;

const nits = (v: number) => (v > 0 ? Math.round(v * 1000) / 1000 : undefined);

/**
 * Parses an EDID blob (as a connector's EDID property holds it). Throws DisplayInfoUnavailableError
 * when libdisplay-info is missing, and an Error quoting the library when the blob is not an EDID.
 */
export function readDisplayInfo(edid: Uint8Array): DisplayInfo {
  const a = load();
  if (edid.length < 128) throw new Error(`EDID of ${edid.length} bytes: an EDID has at least one 128-byte block`);
  const info = a.parse(Buffer.from(edid), edid.length) as unknown;
  if (!info) throw new Error(`EDID of ${edid.length} bytes could not be parsed by libdisplay-info`);
  try {
    const hdr = bytes(a.hdr(info), HDR_SIZE);
    const col = bytes(a.colorimetry(info), COLORIMETRY_SIZE);
    const pri = bytes(a.primaries(info), PRIMARIES_SIZE);
    const xy = (o: number): Chromaticity => ({ x: round(pri.readFloatLE(o)), y: round(pri.readFloatLE(o + 4)) });
    const gamma = a.gamma(info) as number;
    return {
      make: ownedString(a, a.make(info)),
      model: ownedString(a, a.model(info)),
      serial: ownedString(a, a.serial(info)),
      luminance: { max: nits(hdr.readFloatLE(0)), maxFrameAverage: nits(hdr.readFloatLE(4)), min: nits(hdr.readFloatLE(8)) },
      staticMetadataType1: hdr[12] !== 0,
      eotfs: { traditionalSdr: hdr[13] !== 0, traditionalHdr: hdr[14] !== 0, pq: hdr[15] !== 0, hlg: hdr[16] !== 0 },
      colorimetry: { bt2020Cycc: col[0] !== 0, bt2020Ycc: col[1] !== 0, bt2020Rgb: col[2] !== 0, st2113Rgb: col[3] !== 0, ictcp: col[4] !== 0 },
      primaries: pri[0] ? { red: xy(4), green: xy(12), blue: xy(20), white: pri[1] ? xy(28) : undefined } : undefined,
      gamma: gamma > 0 ? round(gamma) : undefined,
    };
  } finally {
    a.destroy(info);
  }
}

/** EDID chromaticities are 10-bit fractions: four decimals say all they hold. */
function round(v: number): number {
  return Math.round(v * 10000) / 10000;
}

/** The parser's complaints about an EDID (it parses what it can and lists the rest), or undefined when it had none. */
export function displayInfoWarnings(edid: Uint8Array): string | undefined {
  const a = load();
  const info = a.parse(Buffer.from(edid), edid.length) as unknown;
  if (!info) return `EDID of ${edid.length} bytes could not be parsed`;
  try {
    const msg = a.failure(info) as unknown;
    return msg ? (koffi.decode(msg, "char", -1) as string).trim() : undefined;
  } finally {
    a.destroy(info);
  }
}
