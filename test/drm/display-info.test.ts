// EDID facts through libdisplay-info: blobs built byte by byte (test/helpers/edid.ts) so each
// expected value is one the EDID really states. Skips with the reason where the library is missing.
import { describe, expect, it } from "vitest";
import { displayInfoAvailable, displayInfoWarnings, readDisplayInfo } from "../../src/drm/display-info.js";
import { buildEdid } from "../helpers/edid.js";

const available = displayInfoAvailable();

describe.skipIf(!available)("readDisplayInfo (libdisplay-info)", () => {
  it("reads make, model and serial from the descriptors", () => {
    const info = readDisplayInfo(buildEdid({ pnp: "SCN", productCode: 0x1234, name: "Scanout W1", serial: "SN0042" }));
    expect(info.model).toBe("Scanout W1");
    expect(info.serial).toBe("SN0042");
    // the PNP id becomes the registered company name (libdisplay-info's table) or stays the id
    expect(["Scanport, Inc.", "SCN"]).toContain(info.make);
  });
  it("says SDR only without an HDR block", () => {
    const info = readDisplayInfo(buildEdid({ pnp: "QQQ", productCode: 0x4321 }));
    expect(info.model).toBe("0x4321"); // no name descriptor: the product code
    expect(info.luminance).toEqual({ max: undefined, maxFrameAverage: undefined, min: undefined });
    expect(info.primaries?.white).toEqual({ x: 0.3127, y: 0.329 }); // D65 (the EDID stores it to 10 bits)
    expect(info.gamma).toBe(2.2);
    expect(info.eotfs).toEqual({ traditionalSdr: true, traditionalHdr: false, pq: false, hlg: false });
  });
  it("reads the HDR static metadata and colorimetry blocks", () => {
    const edid = buildEdid({
      pnp: "SCN", productCode: 1, name: "HDR panel",
      hdr: { sdr: true, pq: true, hlg: true, type1: true, maxCv: 115, maxFallCv: 90, minCv: 20 },
      colorimetry: { bt2020Rgb: true, bt2020Ycc: true },
    });
    const info = readDisplayInfo(edid);
    expect(displayInfoWarnings(edid)).toBeUndefined();
    expect(info.eotfs).toEqual({ traditionalSdr: true, traditionalHdr: false, pq: true, hlg: true });
    expect(info.staticMetadataType1).toBe(true);
    // CTA-861.3: max = 50 * 2^(CV/32); min = max * (CV/255)^2 / 100
    expect(info.luminance.max).toBeCloseTo(50 * 2 ** (115 / 32), 2);
    expect(info.luminance.maxFrameAverage).toBeCloseTo(50 * 2 ** (90 / 32), 2);
    expect(info.luminance.min).toBeCloseTo((50 * 2 ** (115 / 32) * (20 / 255) ** 2) / 100, 3);
    expect(info.colorimetry).toEqual({ bt2020Cycc: false, bt2020Ycc: true, bt2020Rgb: true, st2113Rgb: false, ictcp: false });
  });
  it("refuses a blob that is not an EDID, saying so", () => {
    expect(() => readDisplayInfo(new Uint8Array(10))).toThrow(/at least one 128-byte block/);
    expect(() => readDisplayInfo(new Uint8Array(128))).toThrow(/could not be parsed/);
  });
});
