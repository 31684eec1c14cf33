// "Same work, proven": before a ratio to the C reference is printed, one frame from each side is
// compared, and the ratio is printed only when the frames match.
/** A channel may differ by this many levels (of 255) before the pixel counts as different. */
export const LEVEL_TOLERANCE = 2;
/** The most pixels that may differ for two frames to count as the same picture. */
export const MAX_DIFFERING_SHARE = 0.005;
/** The frame both sides render for the comparison (a fixed time: CAPTURE_FRAME * BENCH_TIMESTEP). */
export const CAPTURE_FRAME = 30;

export interface FrameComparison {
  /** Share (0..1) of pixels with a channel more than LEVEL_TOLERANCE apart. */
  differingShare: number;
  /** Largest difference of any channel, in levels. */
  maxDifference: number;
  same: boolean;
}

/** Compares two tightly packed RGBA frames of the same size. */
export function compareFrames(a: Uint8Array, b: Uint8Array): FrameComparison {
  if (a.length !== b.length || a.length % 4) throw new Error(`compareFrames: frames of ${a.length} and ${b.length} bytes`);
  let differing = 0;
  let maxDifference = 0;
  for (let p = 0; p < a.length; p += 4) {
    let worst = 0;
    for (let c = 0; c < 4; c++) worst = Math.max(worst, Math.abs(a[p + c]! - b[p + c]!));
    if (worst > LEVEL_TOLERANCE) differing++;
    if (worst > maxDifference) maxDifference = worst;
  }
  const differingShare = differing / (a.length / 4);
  return { differingShare, maxDifference, same: differingShare <= MAX_DIFFERING_SHARE };
}

export function describeComparison(c: FrameComparison): string {
  const share = `${(c.differingShare * 100).toFixed(3)}% of pixels differ by more than ${LEVEL_TOLERANCE} levels (largest difference ${c.maxDifference})`;
  return c.same ? `same frame #${CAPTURE_FRAME}: ${share}` : `frame #${CAPTURE_FRAME} differs: ${share}, over the ${MAX_DIFFERING_SHARE * 100}% allowed`;
}
