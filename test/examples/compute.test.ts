// examples/compute.ts (Life stepped by a compute shader, then drawn) on lavapipe with validation on:
// its PNG equals the same steps computed on the CPU, pixel for pixel. A validation error makes the
// example exit 1, which fails the test.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { readPngPixels, type Pixels } from "../../src/index.js";
import { lifeReference, lifeSeed } from "../../examples/life.js";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "scanout-compute-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function computePng(frames: number, size: string): Promise<Pixels> {
  const out = join(dir, `life-${frames}-${size}.png`);
  const { stdout } = await run(process.execPath, ["dist/examples/compute.js", "--backend", "headless", "--validation", "--frames", String(frames), "--size", size, "--out", out]);
  expect(stdout).toContain(`frames: ${frames} `);
  return readPngPixels(out);
}

function differingPixels(a: Pixels, b: Pixels): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let n = 0;
  for (let i = 0; i < a.data.length; i += 4) if (a.data[i] !== b.data[i] || a.data[i + 1] !== b.data[i + 1] || a.data[i + 2] !== b.data[i + 2] || a.data[i + 3] !== b.data[i + 3]) n++;
  return n;
}

describe("examples/compute.ts (headless, lavapipe, validation on)", () => {
  it("after 1 and after 24 frames shows exactly the CPU's Life after 1 and 24 steps", async () => {
    for (const frames of [1, 24]) {
      const got = await computePng(frames, "100x60"); // not a multiple of the 8x8 workgroup: the edges are checked too
      expect(differingPixels(got, lifeReference(100, 60, frames))).toBe(0);
    }
  });

  it("refuses the demo options it does not take, by name, with usage text and exit code 2", async () => {
    for (const [flag, value] of [["--scene", "mesh"], ["--trace", "t.json"]]) {
      const failure = await run(process.execPath, ["dist/examples/compute.js", flag!, value!]).catch((e: { code: number; stderr: string }) => e);
      expect((failure as { code: number }).code).toBe(2);
      expect((failure as { stderr: string }).stderr).toContain(`compute: ${flag} is not an option of compute\nusage: compute [options]`);
    }
  });

  it("the picture changes from step to step (the test could tell a frozen grid)", () => {
    const a = lifeReference(100, 60, 1).data;
    const b = lifeReference(100, 60, 24).data;
    let changed = 0;
    for (let i = 0; i < a.length; i += 4) if (a[i + 1] !== b[i + 1]) changed++;
    expect(changed).toBeGreaterThan(300);
    expect(lifeSeed(100, 60).reduce((s, c) => s + c, 0)).toBeGreaterThan(1000); // about 30% alive at the start
  });
});
