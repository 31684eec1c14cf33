// Input and the arrow when the KMS presenter shows its picture turned (rotate), on the host: the
// panel-to-picture mapping absolute devices go through is the inverse of the turn the picture gets
// (turnRect, the rendered rotation's), KmsInput (real libinput, no devices) turns touch and absolute
// positions back into the picture and leaves mouse motion in the picture, and the cursor arrow is
// drawn turned as the picture is, with its tip where the pointer is. The VM test
// (test/present/kms-multi-seat.vm.test.ts) checks the same on the cursor planes of a real kernel.
import { afterEach, describe, expect, it } from "vitest";
import { drawArrow } from "../../src/drm/cursor-plane.js";
import { turnRect, type QuarterTurn } from "../../src/drm/index.js";
import { KmsInput } from "../../src/input/kms-input.js";
import { panelSize, panelToPicture } from "../../src/input/kms-turn.js";
import { xkbUnavailableReason } from "../../src/input/index.js";

const TURNS: QuarterTurn[] = [0, 90, 180, 270];

describe("panel and picture under a turn", () => {
  it.each(TURNS)("panelToPicture undoes turnRect for every pixel centre (%i°)", (turn) => {
    const [w, h] = [7, 4];
    expect(panelSize(w, h, turn)).toEqual(turn % 180 ? [h, w] : [w, h]);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = turnRect({ x, y, width: 1, height: 1 }, w, h, turn);
        expect(panelToPicture(p.x + 0.5, p.y + 0.5, w, h, turn)).toEqual([x + 0.5, y + 0.5]);
      }
    }
  });

  it.each(TURNS)("the arrow is drawn turned as the picture is, its tip at the hotspot (%i°)", (turn) => {
    const side = 32;
    const upright = new Uint32Array(side * side);
    expect(drawArrow(upright, side, side, side, 1, 0)).toEqual([0, 0]);
    const turned = new Uint32Array(side * side);
    const tip = drawArrow(turned, side, side, side, 1, turn);
    let drawn = 0;
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const p = turnRect({ x, y, width: 1, height: 1 }, side, side, turn);
        expect(turned[p.y * side + p.x]).toBe(upright[y * side + x]);
        if (upright[y * side + x]) drawn++;
      }
    }
    expect(drawn).toBeGreaterThan(50);
    const corner = turnRect({ x: 0, y: 0, width: 1, height: 1 }, side, side, turn);
    expect(tip).toEqual([corner.x, corner.y]);
    const belowTip = turnRect({ x: 0, y: 1, width: 1, height: 1 }, side, side, turn); // the tip's first outline pixel, next to the hotspot
    expect(turned[belowTip.y * side + belowTip.x]).toBe(0xff000000);
    if (turn) expect(turned).not.toEqual(upright);
  });
});

const noXkb = xkbUnavailableReason();

describe.skipIf(!!noXkb)("KmsInput with the picture turned 90° (host, no devices)", () => {
  let ki: KmsInput | undefined;
  afterEach(() => {
    ki?.close();
    ki = undefined;
  });

  it("touch and absolute positions on the panel land where the picture shows there; mouse motion stays in the picture", () => {
    // a 480x640 picture (portrait) on a 640x480 panel, turned 90° counter-clockwise
    const k = (ki = new KmsInput([480, 640], {}, { backend: "path", devices: [], keymap: { layout: "us" }, turn: 90 }));
    k.queue.drain();
    k.touch("down", 0, 600, 20); // near the panel's top-right corner: the picture's right edge went to the top
    k.motionAbsolute(40, 470); // near the panel's bottom-left corner: the picture's left edge, top
    const evs = k.queue.drain();
    expect(evs[0]).toMatchObject({ type: "touch-down", x: 460, y: 600 });
    expect(evs[1]).toMatchObject({ type: "pointer-motion", x: 10, y: 40 });
    k.motion(25, -5);
    expect(k.queue.drain()[0]).toMatchObject({ type: "pointer-motion", x: 35, y: 35 });
  });
});
