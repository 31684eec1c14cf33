// Overlay layers without a display: which planes are candidates for a layer (type, CRTC, format,
// busy elsewhere), the plane properties a layer becomes, and the errors that name a bad field; the
// presenter's premultiplied ARGB conversion and image checks. The kernel's TEST_ONLY answers are
// proven in the VM (test/drm/overlay.vm.test.ts).
import { describe, expect, it } from "vitest";
import {
  checkOverlayLayer, DRM_FORMAT_ARGB8888, DRM_FORMAT_XRGB8888, fixed16, overlayCandidates, overlayPlaneProps, type CrtcId, type FbId,
  type OverlayLayer, type Plane, type PlaneId,
} from "../../src/drm/index.js";
import { checkOverlayImage, premultipliedArgb } from "../../src/present/kms-overlay.js";

const plane = (id: number, type: Plane["type"], crtcs: number[], more: Partial<Plane> = {}): Plane =>
  ({ id: id as PlaneId, type, crtc: undefined, fb: undefined, possibleCrtcs: crtcs as CrtcId[], formats: [DRM_FORMAT_XRGB8888, DRM_FORMAT_ARGB8888], modifiers: undefined, ...more });
const crtc = 60 as CrtcId;
const layer: OverlayLayer = { fb: 90 as FbId, format: DRM_FORMAT_ARGB8888, srcWidth: 64, srcHeight: 48, rect: { x: -8, y: 20, width: 128, height: 96 } };

describe("overlayCandidates", () => {
  const planes = [
    plane(70, "Primary", [60]),
    plane(71, "Overlay", [61]), // another CRTC only
    plane(72, "Overlay", [60], { formats: [DRM_FORMAT_XRGB8888] }), // no alpha format
    plane(73, "Overlay", [60, 61], { crtc: 61 as CrtcId }), // busy on the other CRTC
    plane(74, "Overlay", [60, 61]),
    plane(75, "Cursor", [60]),
    plane(76, "Overlay", [60], { crtc }), // already ours
  ];
  it("keeps free overlay planes of the CRTC that take the format", () => {
    expect(overlayCandidates(planes, crtc, DRM_FORMAT_ARGB8888).map((p) => p.id)).toEqual([74, 76]);
    expect(overlayCandidates(planes, crtc, DRM_FORMAT_XRGB8888).map((p) => p.id)).toEqual([72, 74, 76]);
    expect(overlayCandidates(planes, crtc, DRM_FORMAT_ARGB8888, new Set([74 as PlaneId])).map((p) => p.id)).toEqual([76]);
    expect(overlayCandidates([plane(70, "Primary", [60])], crtc, DRM_FORMAT_ARGB8888)).toEqual([]);
  });
});

describe("overlayPlaneProps", () => {
  it("shows the whole framebuffer in the rectangle (16.16 source, pixel destination)", () => {
    expect(overlayPlaneProps(crtc, layer)).toEqual({
      FB_ID: 90, CRTC_ID: 60, SRC_X: fixed16(0), SRC_Y: fixed16(0), SRC_W: fixed16(64), SRC_H: fixed16(48),
      CRTC_X: -8, CRTC_Y: 20, CRTC_W: 128, CRTC_H: 96,
    });
  });
  it("names the bad field", () => {
    expect(() => checkOverlayLayer({ ...layer, srcWidth: 0 })).toThrow(/overlay layer: srcWidth 0/);
    expect(() => checkOverlayLayer({ ...layer, rect: { ...layer.rect, height: 1.5 } })).toThrow(/rect\.height 1\.5/);
    expect(() => checkOverlayLayer({ ...layer, rect: { ...layer.rect, x: NaN } })).toThrow(/rect\.x NaN/);
    expect(() => checkOverlayLayer({ ...layer, zpos: -1 })).toThrow(/zpos -1/);
    expect(() => overlayPlaneProps(crtc, { ...layer, srcHeight: -2 })).toThrow(RangeError);
  });
});

describe("the presenter's layer image", () => {
  it("becomes premultiplied B, G, R, A rows at the pitch", () => {
    const image = { width: 2, height: 2, data: Uint8Array.from([255, 128, 0, 255, 200, 100, 50, 128, 10, 20, 30, 0, 255, 255, 255, 1]) };
    const dst = new Uint8Array(2 * 12).fill(7);
    premultipliedArgb(image, dst, 12);
    expect([...dst.subarray(0, 8)]).toEqual([0, 128, 255, 255, 25, 50, 100, 128]);
    expect([...dst.subarray(8, 12)]).toEqual([7, 7, 7, 7]); // padding untouched
    expect([...dst.subarray(12, 20)]).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
  });
  it("is checked against its size", () => {
    expect(() => checkOverlayImage({ width: 2, height: 2, data: new Uint8Array(15) })).toThrow(/15 bytes of data for 2x2 RGBA \(16 expected\)/);
    expect(() => checkOverlayImage({ width: 0, height: 2, data: new Uint8Array(0) })).toThrow(/size 0x2/);
  });
});
