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

/** How two tightly packed RGBA frames differ: pixels whose largest channel difference exceeds `tolerance`, and the largest difference. */
export interface PixelDifference {
  differing: number;
  maxDifference: number;
}

/**
 * Compares the first `channels` channels (4: RGBA, 3: RGB, e.g. against a screenshot whose alpha
 * means nothing) of two tightly packed RGBA frames of the same length.
 */
export function pixelDifference(a: Uint8Array, b: Uint8Array, tolerance: number, channels = 4): PixelDifference {
  if (a.length !== b.length || a.length % 4) throw new Error(`pixelDifference: frames of ${a.length} and ${b.length} bytes`);
  let differing = 0;
  let maxDifference = 0;
  for (let p = 0; p < a.length; p += 4) {
    let worst = 0;
    for (let c = 0; c < channels; c++) worst = Math.max(worst, Math.abs(a[p + c]! - b[p + c]!));
    if (worst > tolerance) differing++;
    if (worst > maxDifference) maxDifference = worst;
  }
  return { differing, maxDifference };
}

/** Compares two tightly packed RGBA frames of the same size. */
export function compareFrames(a: Uint8Array, b: Uint8Array): FrameComparison {
  const { differing, maxDifference } = pixelDifference(a, b, LEVEL_TOLERANCE);
  const differingShare = differing / (a.length / 4);
  return { differingShare, maxDifference, same: differingShare <= MAX_DIFFERING_SHARE };
}

export function describeComparison(c: FrameComparison): string {
  const share = `${(c.differingShare * 100).toFixed(3)}% of pixels differ by more than ${LEVEL_TOLERANCE} levels (largest difference ${c.maxDifference})`;
  return c.same ? `same frame #${CAPTURE_FRAME}: ${share}` : `frame #${CAPTURE_FRAME} differs: ${share}, over the ${MAX_DIFFERING_SHARE * 100}% allowed`;
}
