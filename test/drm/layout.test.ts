// Extend and clone plans (planLayout) and the plane rectangles that show a viewport (viewportPlane),
// on made-up outputs. The kernel's side (writeback of each CRTC) is in test/drm/outputs.vm.test.ts.
import { describe, expect, it } from "vitest";
import { planLayout, turnedSize, turnPlan, turnRect, viewportPlane, type CrtcId, type FbId, type Mode, type Output, type QuarterTurn } from "../../src/drm/index.js";
import { view } from "../helpers/kms-pixels.js";

const output = (w: number, h: number): Output =>
  ({ crtc: 60 as CrtcId, mode: { hdisplay: w, vdisplay: h } as Mode } as unknown as Output);

describe("planLayout", () => {
  it("extend: outputs side by side, the image as tall as the tallest", () => {
    expect(planLayout([[1024, 768], [800, 600], [1920, 1080]], "extend")).toEqual({
      width: 3744, height: 1080,
      viewports: [{ x: 0, y: 0, width: 1024, height: 768 }, { x: 1024, y: 0, width: 800, height: 600 }, { x: 1824, y: 0, width: 1920, height: 1080 }],
    });
  });
  it("clone: one image of the smallest mode, whole on each", () => {
    const plan = planLayout([[1024, 768], [800, 600]], "clone");
    expect(plan).toEqual({ width: 800, height: 600, viewports: [{ x: 0, y: 0, width: 800, height: 600 }, { x: 0, y: 0, width: 800, height: 600 }] });
  });
  it("refuses no outputs and an unknown layout", () => {
    expect(() => planLayout([], "extend")).toThrow(/at least one output/);
    expect(() => planLayout([[1, 1]], "mirror" as "clone")).toThrow(/layout "mirror": expected extend or clone/);
  });
});

describe("viewportPlane", () => {
  it("scans out the viewport unscaled: SRC at its offset, CRTC the whole mode", () => {
    expect(viewportPlane(output(800, 600), 90 as FbId, { x: 1024, y: 0, width: 800, height: 600 })).toEqual({
      FB_ID: 90, CRTC_ID: 60, SRC_X: 1024n << 16n, SRC_Y: 0n, SRC_W: 800n << 16n, SRC_H: 600n << 16n, CRTC_X: 0, CRTC_Y: 0, CRTC_W: 800, CRTC_H: 600,
    });
  });
  it("centres a smaller clone image on a larger mode", () => {
    const p = viewportPlane(output(1024, 768), 90 as FbId, { x: 0, y: 0, width: 800, height: 600 });
    expect([p.CRTC_X, p.CRTC_Y, p.CRTC_W, p.CRTC_H]).toEqual([112, 84, 800, 600]);
  });
});

describe("viewportPlane turned", () => {
  it("90°: the viewport is in the turned picture's axes (as tall as the mode is wide), the CRTC rectangle the whole mode", () => {
    expect(turnedSize(output(1024, 768), 90)).toEqual([768, 1024]);
    expect(turnedSize(output(1024, 768), 180)).toEqual([1024, 768]);
    const plan = planLayout([turnedSize(output(1024, 768), 90), turnedSize(output(1024, 768), 90)], "extend");
    expect([plan.width, plan.height]).toEqual([1536, 1024]);
    const p = viewportPlane(output(1024, 768), 90 as FbId, plan.viewports[1]!, 90);
    expect(p).toEqual({
      FB_ID: 90, CRTC_ID: 60, SRC_X: 768n << 16n, SRC_Y: 0n, SRC_W: 768n << 16n, SRC_H: 1024n << 16n, CRTC_X: 0, CRTC_Y: 0, CRTC_W: 1024, CRTC_H: 768,
    });
  });
  it("270°: a smaller clone picture is centred on the display in its turned shape", () => {
    const p = viewportPlane(output(1024, 768), 90 as FbId, { x: 0, y: 0, width: 600, height: 800 }, 270);
    expect([p.CRTC_X, p.CRTC_Y, p.CRTC_W, p.CRTC_H]).toEqual([112, 84, 800, 600]);
  });
});

describe("turnRect / turnPlan (rendered rotation)", () => {
  // a 7x5 picture whose every pixel is distinct
  const [W, H] = [7, 5];
  const picture = { width: W, height: H, data: Uint8Array.from({ length: W * H * 4 }, (_, i) => (i % 4 === 3 ? 255 : (i * 37) % 251)) };
  const whole = { x: 0, y: 0, width: W, height: H };
  for (const turn of [0, 90, 180, 270] as QuarterTurn[])
    it(`${turn}°: a rectangle of the picture turned lies where turnRect says in the whole picture turned`, () => {
      const turned = view(picture, whole, turn);
      for (const vp of [{ x: 1, y: 2, width: 3, height: 2 }, { x: 4, y: 0, width: 3, height: 5 }, whole]) {
        const at = turnRect(vp, W, H, turn);
        expect(view(turned, at)).toEqual(view(picture, vp, turn));
      }
    });
  it("turnPlan: extend 2 outputs turned 90° stacks their views (the first at the bottom), the image's size swapped", () => {
    const plan = planLayout([[480, 640], [480, 640]], "extend");
    expect(turnPlan(plan, 90)).toEqual({ width: 640, height: 960, viewports: [{ x: 0, y: 480, width: 640, height: 480 }, { x: 0, y: 0, width: 640, height: 480 }] });
    expect(turnPlan(plan, 0)).toEqual(plan);
  });
});
