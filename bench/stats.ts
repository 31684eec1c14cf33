// Small figures helpers the benchmark sections share.
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export const fmt = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : "n/a");

/** RUNS from the environment (default 5): runs per configuration, medians reported. */
export const benchRuns = (): number => Math.max(1, Number(process.env.RUNS ?? 5) || 5);
