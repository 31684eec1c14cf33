// KMS colour blobs and decisions, host-side: the bytes of HDR_OUTPUT_METADATA, drm_color_lut and
// drm_color_ctm(_3x4) against the kernel's struct layouts (offsets written out from
// include/uapi/drm/drm_mode.h, not derived from our encoder), how stages map onto a colour pipeline,
// and what planKmsColour decides for connectors with and without the HDR properties.
import { describe, expect, it } from "vitest";
import {
  ctm3x4, decodeColorLut, decodeHdrOutputMetadata, decodeMatrix, encodeColorLut, encodeColorLut32, encodeCtm, encodeCtm3x4,
  encodeHdrOutputMetadata, fromS3132, HDR10_DEFAULT_METADATA, makePropertyInfo, planKmsColour, planStages, PropertySet,
  sampleLut, sinkFromDisplayInfo, toS3132, packXrgb16161616, pickScanoutFormat, DRM_FORMAT_XRGB16161616, bitsPerChannel, fourcc, PropertyError,
  type ColorPipeline, type ColoropId, type HdrStaticMetadata,
} from "../../src/drm/index.js";

const hdr: HdrStaticMetadata = {
  eotf: "pq",
  primaries: [{ x: 0.708, y: 0.292 }, { x: 0.17, y: 0.797 }, { x: 0.131, y: 0.046 }],
  whitePoint: { x: 0.3127, y: 0.329 },
  maxMasteringLuminance: 1000, minMasteringLuminance: 0.005, maxCll: 800, maxFall: 400,
};

describe("HDR_OUTPUT_METADATA blob (struct hdr_output_metadata)", () => {
  it("is 32 bytes laid out as the kernel's struct: u32 type, then the type 1 InfoFrame from offset 4 with u16 fields from offset 6", () => {
    const b = Buffer.from(encodeHdrOutputMetadata(hdr));
    expect(b.length).toBe(32); // sizeof: 4 + 26 = 30, padded to the u32's alignment
    expect(b.readUInt32LE(0)).toBe(0); // metadata_type: HDMI_STATIC_METADATA_TYPE1
    expect(b[4]).toBe(2); // eotf: SMPTE ST 2084
    expect(b[5]).toBe(0); // hdmi_metadata_type1.metadata_type: static metadata type 1
    // display_primaries[3] {x, y} in 0.00002 units (0xC350 = 1.0): R, G, B
    expect([6, 8, 10, 12, 14, 16].map((o) => b.readUInt16LE(o))).toEqual([35400, 14600, 8500, 39850, 6550, 2300]);
    expect([b.readUInt16LE(18), b.readUInt16LE(20)]).toEqual([15635, 16450]); // white_point
    expect(b.readUInt16LE(22)).toBe(1000); // max_display_mastering_luminance, 1 cd/m²
    expect(b.readUInt16LE(24)).toBe(50); // min_display_mastering_luminance, 0.0001 cd/m²
    expect(b.readUInt16LE(26)).toBe(800); // max_cll
    expect(b.readUInt16LE(28)).toBe(400); // max_fall
    expect([b[30], b[31]]).toEqual([0, 0]); // padding
  });

  it("decodes what it encodes (to the struct's precision) and names a field out of range", () => {
    const back = decodeHdrOutputMetadata(encodeHdrOutputMetadata(hdr));
    expect(back.eotf).toBe("pq");
    expect(back.primaries[1].y).toBeCloseTo(0.797, 5);
    expect(back.minMasteringLuminance).toBeCloseTo(0.005, 6);
    expect(back).toMatchObject({ maxMasteringLuminance: 1000, maxCll: 800, maxFall: 400 });
    expect(() => encodeHdrOutputMetadata({ ...hdr, maxCll: 70000 })).toThrow(/maxCll 70000 is outside \[0, 65535\]/);
    expect(() => encodeHdrOutputMetadata({ ...hdr, minMasteringLuminance: 7 })).toThrow(/minMasteringLuminance/);
    expect(() => encodeHdrOutputMetadata({ ...hdr, whitePoint: { x: 1.2, y: 0.3 } })).toThrow(/whitePoint\.x 1\.2/);
    expect(() => decodeHdrOutputMetadata(new Uint8Array(30))).toThrow(/30 bytes, struct hdr_output_metadata has 32/);
  });
});

describe("colour LUT and matrix blobs", () => {
  it("drm_color_lut: u16 red, green, blue, reserved per entry, 0xffff = 1.0", () => {
    const b = Buffer.from(encodeColorLut([[0, 0.5, 1], [1, 1, 0]]));
    expect(b.length).toBe(16);
    expect([0, 2, 4, 6, 8, 10, 12, 14].map((o) => b.readUInt16LE(o))).toEqual([0, 32768, 65535, 0, 65535, 65535, 0, 0]);
    expect(decodeColorLut(b)[0]![1]).toBeCloseTo(0.5, 4);
    expect(() => encodeColorLut([[0, 1.5, 0]])).toThrow(/LUT entry 0 channel 1: 1.5 is outside \[0, 1\]/);
  });

  it("drm_color_lut32: u32 per channel, 16 bytes an entry", () => {
    const b = Buffer.from(encodeColorLut32(sampleLut(2, (x) => x)));
    expect(b.length).toBe(32);
    expect([b.readUInt32LE(0), b.readUInt32LE(16), b.readUInt32LE(20), b.readUInt32LE(28)]).toEqual([0, 0xffffffff, 0xffffffff, 0]);
  });

  it("S31.32 is sign-magnitude: -1.0 is bit 63 plus 1 << 32, not two's complement", () => {
    expect(toS3132(1)).toBe(1n << 32n);
    expect(toS3132(-1)).toBe((1n << 63n) | (1n << 32n));
    expect(toS3132(0.5)).toBe(1n << 31n);
    expect(toS3132(-0.25)).toBe((1n << 63n) | (1n << 30n));
    expect(fromS3132(toS3132(-2.75))).toBe(-2.75);
    expect(() => toS3132(2 ** 31)).toThrow(/outside S31\.32/);
  });

  it("drm_color_ctm is 9 u64 row-major, drm_color_ctm_3x4 is 12 with offsets in the 4th column", () => {
    const m = [0.5, -0.25, 0, 0, 1, 0, 0, 0, 2];
    const b = Buffer.from(encodeCtm(m));
    expect(b.length).toBe(72);
    expect(b.readBigUInt64LE(8)).toBe((1n << 63n) | (1n << 30n));
    expect(decodeMatrix(b)).toEqual(m);
    const b4 = Buffer.from(encodeCtm3x4(ctm3x4(m, [0.125, 0, 0])));
    expect(b4.length).toBe(96);
    expect(b4.readBigUInt64LE(3 * 8)).toBe(1n << 29n); // row 0, column 3: the red offset
    expect(b4.readBigUInt64LE(4 * 8)).toBe(0n); // row 1 starts with G's coefficient for R
    expect(decodeMatrix(b4).slice(8)).toEqual([0, 0, 2, 0]);
    expect(() => encodeCtm([1, 0, 0])).toThrow(/CTM: 3 coefficients, expected 9/);
  });
});

describe("colour pipeline stages", () => {
  const op = (id: number, type: string, curves: string[] = []) => ({ id: id as ColoropId, type, canBypass: true, curves, size: undefined });
  // vkms's pipeline: curve -> matrix -> matrix -> curve
  const vkms: ColorPipeline = {
    name: "Color Pipeline 40", id: 40 as ColoropId,
    ops: [op(40, "1D Curve", ["sRGB EOTF", "sRGB Inverse EOTF"]), op(41, "3x4 Matrix"), op(42, "3x4 Matrix"), op(43, "1D Curve", ["sRGB EOTF", "sRGB Inverse EOTF"])],
  };
  it("sRGB EOTF -> matrix -> inverse EOTF uses the first curve, the first matrix, bypasses the second and ends on the last curve", () => {
    const r = planStages(vkms, [{ curve: "sRGB EOTF" }, { matrix: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, { curve: "sRGB Inverse EOTF" }]);
    expect("plan" in r && r.plan.map((s) => (s ? Object.keys(s)[0] : "bypass"))).toEqual(["curve", "matrix", "bypass", "curve"]);
  });
  it("a curve the pipeline lacks, or more stages than it has, give the reason", () => {
    const r = planStages(vkms, [{ curve: "PQ 125 EOTF" }]);
    expect("reason" in r && r.reason).toMatch(/no stage left for the curve "PQ 125 EOTF".*1D Curve\(sRGB EOTF\|sRGB Inverse EOTF\) -> 3x4 Matrix/);
    const fixed: ColorPipeline = { ...vkms, ops: [{ ...vkms.ops[0]!, canBypass: false }] };
    expect(planStages(fixed, [{ matrix: [1, 0, 0, 0, 1, 0, 0, 0, 1] }])).toEqual({ reason: expect.stringMatching(/colorop 40 \(1D Curve\) cannot be bypassed/) });
  });
});

/** A connector's PropertySet as the kernel would give it, built from definitions (flags as in drm_mode.h). */
function connectorProps(withHdr: boolean): PropertySet {
  const e = new Map<string, { info: ReturnType<typeof makePropertyInfo>; raw: bigint }>();
  e.set("CRTC_ID", { info: makePropertyInfo(1, "CRTC_ID", 0x80000000 | (1 << 6), [0xccccccccn], []), raw: 0n });
  if (withHdr) {
    e.set("HDR_OUTPUT_METADATA", { info: makePropertyInfo(2, "HDR_OUTPUT_METADATA", 16, [], []), raw: 0n });
    const names = ["Default", "BT709_YCC", "BT2020_RGB", "BT2020_YCC", "DCI-P3_RGB_D65"];
    e.set("Colorspace", { info: makePropertyInfo(3, "Colorspace", 8, [], names.map((name, i) => ({ name, value: BigInt(i) }))), raw: 0n });
    e.set("max bpc", { info: makePropertyInfo(4, "max bpc", 2, [8n, 12n], []), raw: 8n });
  }
  return new PropertySet("connector 33", e);
}

describe("planKmsColour: what the connector can carry", () => {
  it("hdr10 on a connector with the HDR properties: PQ metadata, BT2020_RGB, max bpc", () => {
    const plan = planKmsColour(connectorProps(true), { encoding: "hdr10", bitsPerChannel: 10 });
    expect(plan).toEqual({ inEffect: "hdr10", reason: undefined, connector: { hdr: HDR10_DEFAULT_METADATA, colorspace: "BT2020_RGB", maxBpc: 10 } });
  });
  it("hdr10 on a connector without HDR_OUTPUT_METADATA (vkms, Virtual): sRGB, with the reason", () => {
    const plan = planKmsColour(connectorProps(false), { encoding: "hdr10" });
    expect(plan.inEffect).toBe("srgb");
    expect(plan.reason).toBe("connector 33 has no HDR_OUTPUT_METADATA property (the driver cannot send HDR metadata)");
    expect(plan.connector).toEqual({});
  });
  it("hdr10 on a display whose EDID lacks PQ: sRGB, clearing any HDR metadata left by an earlier program", () => {
    const plan = planKmsColour(connectorProps(true), { encoding: "hdr10", sink: { pq: false } });
    expect(plan).toMatchObject({ inEffect: "srgb", reason: expect.stringMatching(/does not support the PQ/), connector: { hdr: null, colorspace: "Default" } });
  });
  it("the sink facts come from the EDID's HDR static metadata and colorimetry blocks", () => {
    const sink = sinkFromDisplayInfo({
      eotfs: { traditionalSdr: true, traditionalHdr: false, pq: false, hlg: true },
      colorimetry: { bt2020Rgb: true, bt2020Ycc: true, bt2020Cycc: false, st2113Rgb: false, ictcp: false },
    });
    expect(sink).toEqual({ pq: false, bt2020: true, dciP3: false });
    expect(planKmsColour(connectorProps(true), { encoding: "hdr10", sink }).reason).toMatch(/does not support the PQ/);
  });
  it("display-p3 where the connector lists DCI-P3_RGB_D65", () => {
    expect(planKmsColour(connectorProps(true), { encoding: "display-p3" })).toMatchObject({ inEffect: "display-p3", connector: { colorspace: "DCI-P3_RGB_D65" } });
    expect(planKmsColour(connectorProps(false), { encoding: "display-p3" }).reason).toMatch(/cannot signal Display P3 \(Colorspace property missing\)/);
  });
});

describe("16-bpc scanout formats", () => {
  it("XR48 is XRGB16161616: u16 B, G, R, X little-endian; picked where the plane lists it", () => {
    expect(DRM_FORMAT_XRGB16161616).toBe(fourcc("XR48"));
    expect(bitsPerChannel(DRM_FORMAT_XRGB16161616)).toBe(16);
    const dst = new Uint8Array(24);
    packXrgb16161616(dst, 24, 1, 1, Uint16Array.of(0x1234, 0x5678, 0x9abc));
    expect(Buffer.from(dst.subarray(0, 8)).toString("hex")).toBe("bc9a78563412ffff");
    expect(pickScanoutFormat({ formats: [fourcc("XR24"), DRM_FORMAT_XRGB16161616] }, [DRM_FORMAT_XRGB16161616, fourcc("XR24")])).toBe(DRM_FORMAT_XRGB16161616);
    expect(pickScanoutFormat({ formats: [fourcc("XR24")] }, [DRM_FORMAT_XRGB16161616])).toBeUndefined();
    expect(() => packXrgb16161616(dst, 4, 1, 1, Uint16Array.of(1, 2, 3))).toThrow(RangeError);
  });
  it("errors are PropertyErrors", () => {
    expect(() => sampleLut(1, (x) => x)).toThrow(PropertyError);
  });
});
