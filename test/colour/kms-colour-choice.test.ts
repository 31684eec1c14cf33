// What the KMS presenter decides before it renders (src/present/kms-colour.ts), for connectors,
// planes and displays no VM has: a connector with HDR_OUTPUT_METADATA and Colorspace (vkms has
// neither), planes that list 10-bit or only 16-bpc formats, EDIDs that list PQ or P3. The properties
// are built from the kernel's definitions (flags as in drm_mode.h), as test/drm/colour-kms.test.ts does.
import { describe, expect, it } from "vitest";
import { makePropertyInfo, PropertySet, fourcc } from "../../src/drm/index.js";
import { chooseKmsColour, hdrStaticMetadata, SCANOUT_FORMATS, type KmsColourInputs } from "../../src/present/kms-colour.js";
import { DEFAULT_HDR10_METADATA, describeColour, Format } from "../../src/index.js";

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

const VKMS_PLANE = { formats: ["XR24", "AR24", "XB24", "XR48", "AR48", "XB48", "AB48"].map(fourcc) };
const TEN_BIT_PLANE = { formats: ["XR24", "XR30", "XB48"].map(fourcc) };
const all = () => true;
const inputs = (withHdr: boolean, plane = VKMS_PLANE, extra: Partial<KmsColourInputs> = {}): KmsColourInputs => ({ connector: connectorProps(withHdr), plane, renders: all, ...extra });

describe("chooseKmsColour", () => {
  it("hdr10 on a connector that can carry it: 10-bit where the plane takes it, else 16-bpc XB48 (R16G16B16A16_UNORM)", () => {
    const ten = chooseKmsColour(inputs(true, TEN_BIT_PLANE), { color: "hdr10" });
    expect([ten.state.space.name, ten.format.name, ten.format.vk, ten.state.reason]).toEqual(["hdr10", "XR30", Format.VK_FORMAT_A2R10G10B10_UNORM_PACK32, undefined]);
    expect(ten.plan.connector).toEqual({ hdr: hdrStaticMetadata(DEFAULT_HDR10_METADATA), colorspace: "BT2020_RGB", maxBpc: 10 });
    const sixteen = chooseKmsColour(inputs(true), { color: "hdr10" });
    expect([sixteen.format.name, sixteen.format.vk, sixteen.format.bytesPerPixel]).toEqual(["XB48", Format.VK_FORMAT_R16G16B16A16_UNORM, 8]);
    expect(describeColour(sixteen.state)).toBe("hdr10 (bt2020, pq, 16-bit XB48)");
    expect(sixteen.plan.connector.maxBpc).toBe(16); // the connector clamps it to its range when set (colour-properties.ts)
  });

  it("a connector without HDR_OUTPUT_METADATA: sRGB at 8 bits with the reason, and the modeset clears nothing it lacks", () => {
    const c = chooseKmsColour(inputs(false), { color: "hdr10" });
    expect([c.state.space.name, c.format.name]).toEqual(["srgb", "XR24"]);
    expect(c.state.reason).toBe("connector 33 has no HDR_OUTPUT_METADATA property (the driver cannot send HDR metadata)"); // scRGB is never a fallback on KMS
    expect(c.plan.connector).toEqual({});
    const p3 = chooseKmsColour(inputs(false), { color: "display-p3" });
    expect(p3.state.reason).toMatch(/connector 33 cannot signal Display P3 \(Colorspace property missing\)/);
  });

  it("display-p3 signals DCI-P3_RGB_D65 at 8 bits; scrgb has no KMS signalling and becomes hdr10, saying why", () => {
    const p3 = chooseKmsColour(inputs(true), { color: "display-p3" });
    expect([p3.state.space.name, p3.format.name, p3.plan.connector.colorspace, p3.plan.connector.hdr]).toEqual(["display-p3", "XR24", "DCI-P3_RGB_D65", null]);
    const scrgb = chooseKmsColour(inputs(true), { color: "scrgb" });
    expect(scrgb.state.space.name).toBe("hdr10");
    expect(scrgb.state.reason).toMatch(/KMS has no way to tell a display about scRGB/);
  });

  it("the display's EDID decides: no PQ means SDR with the reason; auto follows what it lists", () => {
    const noPq = chooseKmsColour(inputs(true, VKMS_PLANE, { sink: { pq: false, bt2020: true, dciP3: true } }), { color: "hdr10" });
    expect(noPq.state.reason).toMatch(/does not support the PQ/);
    expect(chooseKmsColour(inputs(true, VKMS_PLANE, { sink: { pq: true, bt2020: true } }), { color: "auto" }).state.space.name).toBe("hdr10");
    expect(chooseKmsColour(inputs(true, VKMS_PLANE, { sink: { pq: false, bt2020: false, dciP3: true } }), { color: "auto" }).state.space.name).toBe("display-p3");
    const unknown = chooseKmsColour(inputs(true), { color: "auto" });
    expect([unknown.state.space.name, unknown.state.reason]).toEqual(["srgb", "srgb preferred"]);
  });

  it("depth asks for a deeper format than the colour needs, where the plane and device offer one", () => {
    const deep = chooseKmsColour(inputs(false), { color: "srgb", depth: 16 });
    expect([deep.state.space.name, deep.format.name, deep.state.reason]).toEqual(["srgb", "XB48", undefined]);
    const cannot = chooseKmsColour(inputs(false, VKMS_PLANE, { renders: (f) => f === Format.VK_FORMAT_B8G8R8A8_UNORM }), { color: "srgb", depth: 16 });
    expect(cannot.format.name).toBe("XR24");
    const hdrNoDeep = chooseKmsColour(inputs(true, { formats: [fourcc("XR24")] }), { color: "hdr10" });
    expect([hdrNoDeep.state.space.name, hdrNoDeep.format.name]).toEqual(["srgb", "XR24"]);
    expect(hdrNoDeep.state.reason).toMatch(/hdr10 needs a 10-bit or FP16 format and the path offers 8-bit/);
  });

  it("formats: every scanout format is its Vulkan twin's memory layout, 8-bit last", () => {
    expect(SCANOUT_FORMATS.map((f) => f.name)).toEqual(["XB48", "XR30", "XB30", "XR24"]);
    const m = hdrStaticMetadata(DEFAULT_HDR10_METADATA);
    expect(m).toMatchObject({ eotf: "pq", maxMasteringLuminance: 1000, minMasteringLuminance: 0.0001, maxCll: 1000, maxFall: 250 });
    expect(m.primaries[0]).toEqual({ x: 0.68, y: 0.32 });
  });
});
