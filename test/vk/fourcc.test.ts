// DRM fourcc formats and modifiers: one definition (src/util/fourcc.ts) and readable names.
import { describe, expect, it } from "vitest";
import { DRM_FORMAT_ARGB8888, DRM_FORMAT_XRGB8888, fourcc, formatName, modifierName } from "../../src/util/fourcc.js";
import { MOD_INVALID, MOD_LINEAR, modifierName as exportedModifierName } from "../../src/index.js";

describe("DRM fourcc codes", () => {
  it("packs four characters little-endian, as drm_fourcc.h does", () => {
    expect(fourcc("XR24")).toBe(0x34325258);
    expect(DRM_FORMAT_XRGB8888).toBe(0x34325258);
    expect(DRM_FORMAT_ARGB8888).toBe(0x34325241);
    expect(() => fourcc("XR2")).toThrow('fourcc "XR2" must have 4 characters');
  });

  it("prints a code as its four characters, big-endian variants with _BE, anything else in hex", () => {
    expect(formatName(DRM_FORMAT_XRGB8888)).toBe("XR24");
    expect(formatName(fourcc("NV12"))).toBe("NV12");
    expect(formatName(fourcc("R8  ")), "padding spaces (DRM_FORMAT_R8, listed by vkms on 7.x) are not part of the name").toBe("R8");
    expect(formatName((fourcc("RG16") | 0x80000000) >>> 0)).toBe("RG16_BE");
    expect(formatName(0)).toBe("0x00000000");
    expect(formatName(0x01020304)).toBe("0x01020304");
  });
});

describe("DRM format modifiers", () => {
  it("has LINEAR and INVALID with drm_fourcc.h's values, exported from the package as before", () => {
    expect(MOD_LINEAR).toBe(0n);
    expect(MOD_INVALID).toBe(0x00ffffffffffffffn);
    expect(exportedModifierName).toBe(modifierName);
  });

  it("prints LINEAR, INVALID, or the vendor and its value in hex", () => {
    expect(modifierName(MOD_LINEAR)).toBe("LINEAR");
    expect(modifierName(MOD_INVALID)).toBe("INVALID");
    expect(modifierName((1n << 56n) | 2n)).toBe("INTEL 0x2"); // I915_FORMAT_MOD_Y_TILED
    expect(modifierName((2n << 56n) | 0x200000000e04n)).toBe("AMD 0x200000000e04");
    expect(modifierName((0x42n << 56n) | 5n)).toBe("VENDOR_0x42 0x5");
  });
});
