// Small figures helpers the benchmark sections share.
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export const fmt = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : "n/a");

/** RUNS from the environment (default 5): runs per configuration, medians reported. */
export const benchRuns = (): number => Math.max(1, Number(process.env.RUNS ?? 5) || 5);

/**
 * Ratios of interleaved runs taken pair by pair (ours[i] / theirs[i]): each pair ran back to back,
 * so a drift of the machine's speed over the sitting cancels within it. Printed next to the ratio
 * of medians with their spread, so the noise behind a ratio shows.
 */
export function pairedRatios(ours: readonly number[], theirs: readonly number[]): string {
  const n = Math.min(ours.length, theirs.length);
  if (n < 2) return "";
  const ratios = Array.from({ length: n }, (_, i) => ours[i]! / theirs[i]!);
  return ` (pairs: median ${fmt(median(ratios), 3)}x, ${fmt(Math.min(...ratios), 3)}-${fmt(Math.max(...ratios), 3)}x)`;
}
