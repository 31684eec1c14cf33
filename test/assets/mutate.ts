// Seeded mutation of files for the asset loaders' fuzz tests: a small PRNG and byte-level damage
// (bit flips, overwrites, insertions, deletions, truncation, duplicated ranges), plus the harness
// that feeds each input to a loader and checks the outcome is a mesh/image or a typed error naming
// the file, within a time bound. SCANOUT_FUZZ_SEED=<seed> replays a run.
import { AssetError } from "../../src/assets/errors.js";

export const FUZZ_SEED = Number(process.env.SCANOUT_FUZZ_SEED ?? 0xa55e7) >>> 0;

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
}

/** mulberry32: deterministic from its 32-bit seed. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: (items) => items[int(items.length)] };
}

const INTERESTING_BYTES = [0x00, 0xff, 0x7f, 0x80, 0x01, 0x20, 0x0a, 0x0d, 0x2f, 0x2d, 0x2e, 0x65];

/** One random byte-level mutation of `buf`; returns the new bytes and what was done. */
export function mutateBytes(r: Rng, buf: Uint8Array): { bytes: Buffer; what: string } {
  const b = Buffer.from(buf);
  const at = r.int(b.length + 1);
  switch (r.int(6)) {
    case 0: {
      const flips = 1 + r.int(8);
      for (let i = 0; i < flips && b.length > 0; i++) b[r.int(b.length)] ^= 1 << r.int(8);
      return { bytes: b, what: `flip ${flips} bits` };
    }
    case 1: {
      const n = 1 + r.int(4);
      for (let i = 0; i < n && b.length > 0; i++) b[r.int(b.length)] = r.int(2) ? r.pick(INTERESTING_BYTES) : r.int(256);
      return { bytes: b, what: `overwrite ${n} bytes` };
    }
    case 2: {
      const ins = Buffer.from(Array.from({ length: 1 + r.int(16) }, () => (r.int(2) ? r.pick(INTERESTING_BYTES) : r.int(256))));
      return { bytes: Buffer.concat([b.subarray(0, at), ins, b.subarray(at)]), what: `insert ${ins.length} bytes at ${at}` };
    }
    case 3: {
      const n = 1 + r.int(64);
      return { bytes: Buffer.concat([b.subarray(0, at), b.subarray(at + n)]), what: `delete ${n} bytes at ${at}` };
    }
    case 4:
      return { bytes: b.subarray(0, at), what: `truncate to ${at} bytes` };
    default: {
      const from = r.int(b.length + 1), n = 1 + r.int(256);
      const copy = b.subarray(from, from + n);
      return { bytes: Buffer.concat([b.subarray(0, at), copy, b.subarray(at)]), what: `duplicate ${copy.length} bytes from ${from} at ${at}` };
    }
  }
}

/** One more byte-level mutation of `bytes` one time in `oneIn`, noted in `steps`. */
export function sometimesMutateBytes(r: Rng, bytes: Uint8Array, steps: string[], oneIn: number): Uint8Array {
  if (r.int(oneIn) !== 0) return bytes;
  const m = mutateBytes(r, bytes);
  steps.push(m.what);
  return m.bytes;
}

export interface FuzzReport {
  inputs: number;
  /** Inputs that loaded, and that were refused with an AssetError. */
  loaded: number;
  refused: number;
  /** Distinct error messages with the input name taken out, to see what was reached. */
  kinds: Set<string>;
  slowestMs: number;
  /** Seconds spent making inputs and loading them. */
  makeSeconds: number;
  loadSeconds: number;
  /** The first input that broke the rules, with how to replay it; undefined when none did. */
  failure?: string;
}

/**
 * Feeds `count` inputs from `make(i)` to `load`: each must return (checked by `check`, which names
 * what is wrong or returns undefined) or throw an AssetError whose message starts with the input's
 * name, within `limitMs`.
 */
export function fuzz<T>(options: {
  count: number;
  make: (i: number) => { bytes: Uint8Array; what: string };
  load: (bytes: Uint8Array, name: string, i: number) => T;
  check: (result: T) => string | undefined;
  limitMs: number;
  label: string;
}): FuzzReport {
  const report: FuzzReport = { inputs: 0, loaded: 0, refused: 0, kinds: new Set(), slowestMs: 0, makeSeconds: 0, loadSeconds: 0 };
  for (let i = 0; i < options.count && !report.failure; i++) {
    const tm = performance.now();
    const { bytes, what } = options.make(i);
    const name = `${options.label}-${i}`;
    const replay = `input ${i} (${what}; SCANOUT_FUZZ_SEED=${FUZZ_SEED})`;
    const t0 = performance.now();
    report.makeSeconds += (t0 - tm) / 1000;
    let problem: string | undefined;
    try {
      problem = options.check(options.load(bytes, name, i));
      report.loaded++;
    } catch (e) {
      if (!(e instanceof AssetError)) problem = `threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
      else if (!e.message.startsWith(`${name}:`)) problem = `error does not name the file: ${e.message}`;
      else {
        report.refused++;
        report.kinds.add(e.message.slice(name.length).replace(/\d+/g, "N"));
      }
    }
    const ms = performance.now() - t0;
    report.loadSeconds += ms / 1000;
    report.slowestMs = Math.max(report.slowestMs, ms);
    if (ms > options.limitMs) problem ??= `took ${ms.toFixed(0)} ms (limit ${options.limitMs})`;
    report.inputs++;
    if (problem) report.failure = `${replay}: ${problem}`;
  }
  return report;
}
