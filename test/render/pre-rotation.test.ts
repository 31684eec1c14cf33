// The clip-space transforms of pre-rotated targets (src/render/pre-rotation.ts). Which way each one
// turns is proven on screen against Weston 16 and Sway 1.12 (test/wayland/*pre-rotation*); here, that
// they compose as wl_output.transform values do and that the sizes and matrices agree with them.
import { describe, expect, it } from "vitest";
import { clipTransform, orientedSize, preRotateMatrix, swapsAxes, transformName, type TargetTransform } from "../../src/index.js";

const apply = (t: TargetTransform, [x, y]: [number, number]): [number, number] => {
  const [a, b, c, d] = clipTransform(t);
  return [a * x + c * y + 0, b * x + d * y + 0];
};

describe("pre-rotation", () => {
  it("90 takes the right edge to the top (the buffer holds the image turned counter-clockwise); 270 undoes it; 180 is 90 twice", () => {
    expect(apply(1, [1, 0])).toEqual([0, -1]);
    expect(apply(3, apply(1, [0.3, 0.7]))).toEqual([0.3, 0.7]);
    expect(apply(1, apply(1, [0.3, 0.7]))).toEqual(apply(2, [0.3, 0.7]));
  });

  it("rotations keep handedness and mirrored ones reverse it; every matrix is its own kind of turn", () => {
    for (let t = 0; t < 8; t++) {
      const [a, b, c, d] = clipTransform(t as TargetTransform);
      expect(a * d - b * c).toBe(t < 4 ? 1 : -1);
      expect(a * a + b * b).toBe(1);
      expect(swapsAxes(t as TargetTransform)).toBe(a === 0);
    }
    expect(transformName(5)).toBe("flipped-90");
  });

  it("orientedSize swaps back for quarter turns; preRotateMatrix is T * M on a column-major mat4", () => {
    expect(orientedSize({ width: 240, height: 320, transform: 1 })).toEqual([320, 240]);
    expect(orientedSize({ width: 320, height: 240, transform: 2 })).toEqual([320, 240]);
    expect(orientedSize({ width: 320, height: 240 })).toEqual([320, 240]);
    const m = Float32Array.from({ length: 16 }, (_, i) => i + 1);
    const out = preRotateMatrix(Float32Array.from(m), 1);
    for (let col = 0; col < 4; col++) {
      const [x, y] = apply(1, [m[col * 4]!, m[col * 4 + 1]!]);
      expect([out[col * 4], out[col * 4 + 1], out[col * 4 + 2], out[col * 4 + 3]]).toEqual([x, y, m[col * 4 + 2], m[col * 4 + 3]]);
    }
    expect(preRotateMatrix(Float32Array.from(m), 0)).toEqual(m);
  });
});
