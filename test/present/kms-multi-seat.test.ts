// Where the arrow goes on each output of a presenter over several outputs (pointerOnOutput,
// kms-multi-seat.ts), checked against the pixels: the display pixel showing the picture pixel under
// the pointer, as a plane's rotation (or the rendered turn) shows it. The kernel's side (cursor planes
// following a uinput mouse across CRTCs) is test/present/kms-multi-seat.vm.test.ts.
import { describe, expect, it } from "vitest";
import { planLayout, type QuarterTurn } from "../../src/drm/index.js";
import { pointerOnOutput } from "../../src/present/kms-multi-seat.js";
import { view } from "../helpers/kms-pixels.js";

describe("pointerOnOutput", () => {
  // a 9x4 picture of two outputs side by side (5x4 and 4x4 views), every pixel distinct
  const plan = planLayout([[5, 4], [4, 4]], "extend");
  const picture = { width: plan.width, height: plan.height, data: new Uint8Array(plan.width * plan.height * 4) };
  new Uint32Array(picture.data.buffer).forEach((_, i, a) => (a[i] = i + 1));
  for (const turn of [0, 90, 180, 270] as QuarterTurn[])
    it(`${turn}°: the arrow is on the display pixel that shows the picture pixel under the pointer, on that output only`, () => {
      for (let py = 0; py < plan.height; py++)
        for (let px = 0; px < plan.width; px++) {
          const want = new Uint32Array(picture.data.buffer)[py * plan.width + px];
          plan.viewports.forEach((vp, i) => {
            const shown = view(picture, vp, turn);
            const mode = { hdisplay: shown.width, vdisplay: shown.height };
            const at = pointerOnOutput(px, py, vp, turn, mode);
            const inside = px >= vp.x && px < vp.x + vp.width;
            expect(at === undefined, `(${px},${py}) on output ${i}`).toBe(!inside);
            if (at) expect(new Uint32Array(shown.data.buffer)[at[1] * shown.width + at[0]], `(${px},${py}) -> (${at}) on output ${i}`).toBe(want);
          });
        }
    });
  it("a view smaller than the mode (clone on a larger output) is centred: so is the arrow", () => {
    expect(pointerOnOutput(0, 0, { x: 0, y: 0, width: 800, height: 600 }, 0, { hdisplay: 1024, vdisplay: 768 })).toEqual([112, 84]);
    expect(pointerOnOutput(0, 0, { x: 0, y: 0, width: 600, height: 800 }, 90, { hdisplay: 1024, vdisplay: 768 })).toEqual([112, 599 + 84]); // the top-left corner turned to the bottom-left
  });
});
