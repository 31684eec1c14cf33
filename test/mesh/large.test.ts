// A 1M-triangle OBJ, generated here, must load in reasonable time and memory. Prints the figures.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { writeDenseObj } from "../../src/assets/generate.js";
import { loadObj } from "../../src/assets/obj.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "scanout-large-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it("loads a 1M-triangle OBJ", async () => {
  const path = join(dir, "million.obj");
  const { bytes, triangles } = await writeDenseObj(path, 1_000_000);
  expect(triangles).toBeGreaterThanOrEqual(1_000_000);
  const peak0 = process.resourceUsage().maxRSS; // KiB, high-water mark of the process
  const before = process.memoryUsage();
  const t0 = performance.now();
  const mesh = await loadObj(path);
  const ms = performance.now() - t0;
  const after = process.memoryUsage();
  expect(mesh.triangleCount).toBe(triangles);
  expect(mesh.indices).toBeInstanceOf(Uint32Array);
  const outMB = (mesh.vertices.byteLength + mesh.indices.byteLength) / 2 ** 20;
  const peakMB = (process.resourceUsage().maxRSS - peak0) / 1024;
  const heldMB = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 2 ** 20;
  console.log(
    `1M OBJ: ${(bytes / 2 ** 20).toFixed(1)} MiB, ${triangles} triangles, ${mesh.vertexCount} vertices: ` +
      `load ${ms.toFixed(0)} ms (${(bytes / 2 ** 20 / (ms / 1000)).toFixed(0)} MiB/s incl. read), ` +
      `mesh ${outMB.toFixed(1)} MiB, held after load +${heldMB.toFixed(0)} MiB, peak RSS +${peakMB.toFixed(0)} MiB`,
  );
  // generous bounds that still catch a per-line-allocation parser or a quadratic de-duplication
  expect(ms).toBeLessThan(15_000);
  expect(peakMB).toBeLessThan(1024);
});
