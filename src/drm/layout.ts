// Where each output's picture comes from when one image spans or repeats over several outputs:
// "extend" puts the outputs side by side in one wide image (each scans out its own viewport of it,
// through the plane's SRC rectangle), "clone" shows the same image on every CRTC. Pure, so it is
// tested without a display; no scaling is asked of the planes (vkms and many others refuse it).
import { DrmError } from "./error.js";
import type { Output } from "./output.js";
import type { PropertyValues } from "./property-map.js";
import { fixed16, type FbId } from "./types.js";

/** How several outputs share one image: side by side ("extend") or the same picture on each ("clone"). */
export type OutputLayout = "extend" | "clone";

/** A rectangle of the shared image, in pixels. */
export interface Viewport {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The shared image's size and, per output (in the order given), the viewport of it that output shows. */
export interface LayoutPlan {
  width: number;
  height: number;
  viewports: Viewport[];
}

/**
 * Plans `layout` over outputs of the given mode sizes. extend: left to right, the image as tall as
 * the tallest mode; clone: an image the size of the smallest mode, whole on every output (centred on
 * larger ones). Throws DrmError for no outputs or an unknown layout.
 */
export function planLayout(sizes: readonly (readonly [number, number])[], layout: OutputLayout): LayoutPlan {
  if (sizes.length === 0) throw new DrmError("a layout needs at least one output");
  if (layout === "extend") {
    let x = 0;
    const viewports = sizes.map(([w, h]) => {
      const vp = { x, y: 0, width: w, height: h };
      x += w;
      return vp;
    });
    return { width: x, height: Math.max(...sizes.map(([, h]) => h)), viewports };
  }
  if (layout === "clone") {
    const width = Math.min(...sizes.map(([w]) => w));
    const height = Math.min(...sizes.map(([, h]) => h));
    return { width, height, viewports: sizes.map(() => ({ x: 0, y: 0, width, height })) };
  }
  throw new DrmError(`layout "${layout as string}": expected extend or clone`);
}

/** A quarter-turn rotation of an output's picture, counter-clockwise as the plane's "rotation" property counts it. */
export type QuarterTurn = 0 | 90 | 180 | 270;

/** The size of the picture an output shows upright when turned by `turn`: a 90 or 270 turn swaps width and height. */
export function turnedSize(output: Output, turn: QuarterTurn = 0): [number, number] {
  const { hdisplay: w, vdisplay: h } = output.mode;
  return turn === 90 || turn === 270 ? [h, w] : [w, h];
}

/**
 * Plane properties that show viewport `vp` of framebuffer `fb` unscaled on `output`, centred where the
 * viewport is smaller than the mode. With `turn`, the viewport is in the turned picture's axes (see
 * turnedSize) and the plane's rotation turns it onto the display; the caller adds `rotation`
 * (rotationName) where the plane has that property.
 */
export function viewportPlane(output: Output, fb: FbId, vp: Viewport, turn: QuarterTurn = 0): PropertyValues<"plane"> {
  const { hdisplay: w, vdisplay: h } = output.mode;
  const [tw, th] = turnedSize(output, turn);
  const cw = Math.min(vp.width, tw);
  const ch = Math.min(vp.height, th);
  const [dw, dh] = turn === 90 || turn === 270 ? [ch, cw] : [cw, ch]; // on the display
  return {
    FB_ID: fb, CRTC_ID: output.crtc,
    SRC_X: fixed16(vp.x), SRC_Y: fixed16(vp.y), SRC_W: fixed16(cw), SRC_H: fixed16(ch),
    CRTC_X: Math.floor((w - dw) / 2), CRTC_Y: Math.floor((h - dh) / 2), CRTC_W: dw, CRTC_H: dh,
  };
}

/**
 * Where rectangle `vp` of a `width`x`height` picture lies once the whole picture is turned
 * counter-clockwise by `turn`, as a plane's rotation turns it (the turned picture is height x width
 * for 90 and 270). Used to render a picture turned where the plane cannot turn it.
 */
export function turnRect(vp: Viewport, width: number, height: number, turn: QuarterTurn): Viewport {
  switch (turn) {
    case 0:
      return { ...vp };
    case 90: // the right edge goes to the top
      return { x: vp.y, y: width - vp.x - vp.width, width: vp.height, height: vp.width };
    case 180:
      return { x: width - vp.x - vp.width, y: height - vp.y - vp.height, width: vp.width, height: vp.height };
    case 270: // the left edge goes to the top
      return { x: height - vp.y - vp.height, y: vp.x, width: vp.height, height: vp.width };
  }
}

/** A plan turned counter-clockwise by `turn` as a whole: the image's size (swapped for 90 and 270) and each viewport where it lies in the turned image. */
export function turnPlan(plan: LayoutPlan, turn: QuarterTurn): LayoutPlan {
  const odd = turn === 90 || turn === 270;
  return {
    width: odd ? plan.height : plan.width,
    height: odd ? plan.width : plan.height,
    viewports: plan.viewports.map((vp) => turnRect(vp, plan.width, plan.height, turn)),
  };
}
