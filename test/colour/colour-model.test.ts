// The colour model (src/util/colour.ts): PQ and sRGB curves against published values, primaries
// conversions against their definitions, the SDR tone curve, fallbacks and bad input.
import { describe, expect, it } from "vitest";
import {
  applyMatrix, checkHdr10Metadata, COLOUR_SPACES, conversionMatrix, DEFAULT_HDR10_METADATA, encodeSceneLight, parseColourChoice, pqDecode, pqEncode,
  resolveColour, rgbToXyz, PRIMARIES, srgbDecode, srgbEncode, toneMapSdr, TONE_KNEE, withTransfer,
} from "../../src/util/colour.js";

describe("transfer functions", () => {
  it("PQ: 0, 100, 203, 1000 and 10000 cd/m² give ST 2084's code values", () => {
    expect(pqEncode(0)).toBeLessThan(1e-6); // c1 ** m2: PQ has no exact zero
    expect(pqEncode(100)).toBeCloseTo(0.5081, 4); // BT.2100 / BT.2408 tables
    expect(pqEncode(203)).toBeCloseTo(0.5807, 4);
    expect(pqEncode(1000)).toBeCloseTo(0.7518, 4);
    expect(pqEncode(10000)).toBeCloseTo(1, 6);
    for (const nits of [0.01, 1, 80, 203, 4000]) expect(pqDecode(pqEncode(nits)) / nits).toBeCloseTo(1, 5);
  });
  it("sRGB: the curve and its inverse agree, 0.5 linear is 0.7354", () => {
    expect(srgbEncode(0.5)).toBeCloseTo(0.7354, 4);
    for (const v of [0, 0.002, 0.04, 0.2, 0.9, 1]) expect(srgbDecode(srgbEncode(v))).toBeCloseTo(v, 6);
  });
  it("the SDR tone curve is the identity below the knee, continuous, below 1 above it", () => {
    expect(toneMapSdr(0.5)).toBe(0.5);
    expect(toneMapSdr(TONE_KNEE + 1e-6)).toBeCloseTo(TONE_KNEE, 5);
    expect(toneMapSdr(1000 / 203)).toBeLessThan(1);
    expect(toneMapSdr(1000 / 203)).toBeGreaterThan(0.99);
  });
});

describe("primaries", () => {
  it("sRGB's RGB→XYZ matrix is IEC 61966-2-1's", () => {
    const m = rgbToXyz(PRIMARIES.srgb);
    [0.4124, 0.3576, 0.1805, 0.2126, 0.7152, 0.0722, 0.0193, 0.1192, 0.9505].forEach((v, i) => expect(m[i]).toBeCloseTo(v, 3));
  });
  it("conversions keep white and match the published sRGB→BT.2020 matrix (BT.2087)", () => {
    for (const to of ["display-p3", "bt2020"] as const) applyMatrix(conversionMatrix("srgb", to), [1, 1, 1]).forEach((c) => expect(c).toBeCloseTo(1, 6));
    const m = conversionMatrix("srgb", "bt2020");
    [0.6274, 0.3293, 0.0433, 0.0691, 0.9195, 0.0114, 0.0164, 0.088, 0.8956].forEach((v, i) => expect(m[i]).toBeCloseTo(v, 3));
  });
  it("scene white encodes as each target's white: PQ 203 cd/m², scRGB 2.5375, sRGB 1", () => {
    encodeSceneLight(COLOUR_SPACES.hdr10, [1, 1, 1]).forEach((c) => expect(c).toBeCloseTo(pqEncode(203), 5));
    encodeSceneLight(COLOUR_SPACES.scrgb, [1, 1, 1]).forEach((c) => expect(c).toBeCloseTo(2.5375, 5));
    encodeSceneLight(COLOUR_SPACES.srgb, [0.5, 0.5, 0.5]).forEach((c) => expect(c).toBeCloseTo(0.5 ** (1 / 2.2), 6)); // sRGB as a 2.2 display shows it
    expect(withTransfer(COLOUR_SPACES["display-p3"], "gamma22").cicp).toEqual([12, 4, 0, 1]);
  });
});

describe("choosing a colour", () => {
  const all = () => undefined;
  it("takes the colour where the depth and the path allow it", () => {
    const s = resolveColour("hdr10", [8, 10, 16], all);
    expect([s.space.name, s.depth, s.reason]).toEqual(["hdr10", 10, undefined]);
    expect(resolveColour("scrgb", [8, 10, 16], all).depth).toBe(16);
  });
  it("falls back to the nearest with the reason: no 10-bit format, a refused description", () => {
    const eightOnly = resolveColour("hdr10", [8], all);
    expect(eightOnly.space.name).toBe("srgb");
    expect(eightOnly.reason).toMatch(/hdr10 needs a 10-bit or FP16 format and the path offers 8-bit/);
    const refused = resolveColour("scrgb", [8, 10, 16], (n) => (n === "scrgb" ? "no ext_linear" : undefined));
    expect([refused.space.name, refused.depth]).toEqual(["hdr10", 10]);
    expect(refused.reason).toBe("no ext_linear");
    expect(resolveColour("auto", [8, 10], all, "hdr10").space.name).toBe("hdr10");
  });
  it("refuses unknown names and impossible metadata, naming them", () => {
    expect(() => parseColourChoice("rec709", "--color")).toThrow(/--color: unknown colour 'rec709' \(one of srgb, display-p3, hdr10, scrgb, auto\)/);
    checkHdr10Metadata(DEFAULT_HDR10_METADATA);
    expect(() => checkHdr10Metadata({ ...DEFAULT_HDR10_METADATA, maxFall: 2000 })).toThrow(/maxFall/);
    expect(() => checkHdr10Metadata({ ...DEFAULT_HDR10_METADATA, minMasteringNits: 5000 })).toThrow(/minMasteringNits/);
  });
});

describe("reading wide targets back", () => {
  it("unpacks both 10-bit layouts and half floats into RGBA16 and RGBA8", async () => {
    const { decodeTarget, halfToFloat, Format } = await import("../../src/index.js");
    const word = (r: number, g: number, b: number, redLow: boolean) => ((3 << 30) | ((redLow ? b : r) << 20) | (g << 10) | (redLow ? r : b)) >>> 0;
    for (const [format, redLow] of [[Format.VK_FORMAT_A2R10G10B10_UNORM_PACK32, false], [Format.VK_FORMAT_A2B10G10R10_UNORM_PACK32, true]] as const) {
      const px = decodeTarget(new Uint32Array([word(1023, 512, 0, redLow)]).buffer, 1, 1, format);
      expect([...px.data16!]).toEqual([65535, Math.round((512 * 65535) / 1023), 0, 65535]);
      expect([...px.data]).toEqual([255, 128, 0, 255]);
    }
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0x4100)).toBe(2.5);
    expect(halfToFloat(0xc000)).toBe(-2);
    const fp16 = decodeTarget(new Uint16Array([0x4100, 0x3800, 0xc000, 0x3c00]).buffer, 1, 1, Format.VK_FORMAT_R16G16B16A16_SFLOAT);
    expect([...fp16.data16!]).toEqual([65535, 32768, 0, 65535]); // 2.5 clips to 1.0, -2 to 0
  });
});

describe("wide swapchain formats on dmabuf", () => {
  it("offers the 10-bit and FP16 fourccs the compositor lists, opaque first, and names them when none is", async () => {
    const { bufferKinds, noKindReason } = await import("../../src/present/dmabuf-buffers.js");
    const { SWAPCHAIN_FORMATS } = await import("../../src/present/colour-formats.js");
    const { fourcc, MOD_LINEAR } = await import("../../src/util/fourcc.js");
    const offered = new Map([[fourcc("AR30"), new Set([MOD_LINEAR])], [fourcc("XR30"), new Set([MOD_LINEAR])], [fourcc("XR24"), new Set([MOD_LINEAR])]]);
    const tenBit = SWAPCHAIN_FORMATS.find((f) => f.depth === 10)!;
    expect(bufferKinds(offered, [], tenBit.fourccs)).toEqual([{ fourcc: fourcc("XR30"), modifier: MOD_LINEAR }, { fourcc: fourcc("AR30"), modifier: MOD_LINEAR }]);
    const fp16 = SWAPCHAIN_FORMATS.find((f) => f.depth === 16)!;
    expect(noKindReason(offered, [], fp16.fourccs)).toBe("the compositor imports none of XB4H, AB4H as dmabufs");
  });
});
