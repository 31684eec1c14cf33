// Pre-rotated targets. A compositor that shows a surface on a rotated output may prefer buffers
// already turned the way the output is (wl_surface.preferred_buffer_transform), so it can put them
// on screen without turning them itself. Such a target carries its transform: its width and height
// are the buffer's (swapped for 90 and 270), and a scene maps its clip space, laid out as the
// surface is seen, into the buffer's with clipTransform; orientedSize gives the size as seen.
//
// Transform values are wl_output.transform's: the buffer holds the image as seen turned counter-
// clockwise by 90, 180 or 270 degrees (after a horizontal flip for the mirrored ones); the compositor
// turns it back. Checked against Weston 16, labwc 0.20 and KWin 6.7 screenshots (test/wayland/*pre-rotation*).

/** A wl_output.transform value: 0 normal, 1/2/3 turned by 90/180/270, 4..7 the same mirrored. */
export type TargetTransform = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

const NAMES = ["normal", "90", "180", "270", "flipped", "flipped-90", "flipped-180", "flipped-270"] as const;

// Column-major 2x2 matrices taking clip-space (x, y) as the surface is seen to the buffer's clip space.
const CLIP: readonly (readonly [number, number, number, number])[] = [
  [1, 0, 0, 1],
  [0, -1, 1, 0], // 90: (x, y) -> (y, -x), the right edge goes to the top
  [-1, 0, 0, -1],
  [0, 1, -1, 0],
  [-1, 0, 0, 1],
  [0, 1, 1, 0], // flipped-90: mirrored (-x, y), then turned as 90
  [1, 0, 0, -1],
  [0, -1, -1, 0],
];

/** Whether `t` is a wl_output.transform value. */
export function isTargetTransform(t: number): t is TargetTransform {
  return Number.isInteger(t) && t >= 0 && t < NAMES.length;
}

/** "normal", "90", ..., "flipped-270": the name Sway's `output transform` and our stats use. */
export function transformName(t: TargetTransform = 0): string {
  return NAMES[t];
}

/** Whether the transform swaps width and height (a quarter turn, mirrored or not). */
export function swapsAxes(t: TargetTransform = 0): boolean {
  return (t & 1) === 1;
}

/** Whether the transform mirrors (which reverses triangle winding). */
export function mirrors(t: TargetTransform = 0): boolean {
  return t >= 4;
}

/** The clip-space matrix (column-major mat2, as [m00, m01, m10, m11]) a scene multiplies its positions by for a target in transform `t`. */
export function clipTransform(t: TargetTransform = 0): readonly [number, number, number, number] {
  return CLIP[t]!;
}

/** A target's size as the surface is seen: [width, height], swapped back for a quarter turn. */
export function orientedSize(target: { readonly width: number; readonly height: number; readonly transform?: TargetTransform }): [number, number] {
  return swapsAxes(target.transform) ? [target.height, target.width] : [target.width, target.height];
}

/** Multiplies the clip transform into a column-major 4x4 matrix (a view-projection), in place: out = T * m. */
export function preRotateMatrix<M extends { [index: number]: number }>(m: M, t: TargetTransform = 0): M {
  if (t === 0) return m;
  const [a, b, c, d] = CLIP[t]!;
  for (let col = 0; col < 4; col++) {
    const x = m[col * 4]!;
    const y = m[col * 4 + 1]!;
    m[col * 4] = a * x + c * y;
    m[col * 4 + 1] = b * x + d * y;
  }
  return m;
}
