// Golden-image comparison: a frame against a committed reference PNG, within a per-pixel tolerance.
// SCANOUT_UPDATE_GOLDEN=1 rewrites the references instead (review the PNGs before committing them).
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readPngPixels, writePng, type Pixels } from "../../src/index.js";
import { pixelDifference } from "../../bench/same-work.js";

export const goldenDir = join(dirname(fileURLToPath(import.meta.url)), "..", "golden");

export interface GoldenResult {
  /** Pixels whose largest channel difference exceeds the tolerance. */
  differing: number;
  maxDifference: number;
  reference: Pixels;
}

export function compareWithGolden(name: string, actual: Pixels, tolerance = 8): GoldenResult {
  const file = join(goldenDir, name);
  if (process.env.SCANOUT_UPDATE_GOLDEN === "1" || !existsSync(file)) {
    if (process.env.SCANOUT_UPDATE_GOLDEN !== "1") throw new Error(`golden image ${file} is missing: run with SCANOUT_UPDATE_GOLDEN=1 to create it`);
    mkdirSync(goldenDir, { recursive: true });
    writePng(file, actual);
  }
  const reference = readPngPixels(file);
  if (reference.width !== actual.width || reference.height !== actual.height) {
    throw new Error(`${name}: size ${actual.width}x${actual.height} differs from the reference's ${reference.width}x${reference.height}`);
  }
  return { ...pixelDifference(actual.data, reference.data, tolerance), reference };
}

export function pixelAt(p: Pixels, x: number, y: number): [number, number, number, number] {
  const i = (y * p.width + x) * 4;
  return [p.data[i]!, p.data[i + 1]!, p.data[i + 2]!, p.data[i + 3]!];
}
