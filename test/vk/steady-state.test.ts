// The steady-state frame loop makes no per-frame nvk structs or arrays: its JS heap allocation per
// frame stays small (the figure itself is reported by `npm run bench`; this guards regressions).
import { describe, expect, it } from "vitest";
import { Instance, createHeadlessPresenter, runScene } from "../../src/index.js";
import { Triangle } from "../../src/scenes/index.js";
import { measureAllocation } from "../../bench/heap.js";

describe("steady-state frame loop", () => {
  it("allocates under 1 KiB of JS heap per frame after warm-up", async () => {
    await using gpu = await Instance.create({ validation: false });
    const out = createHeadlessPresenter(gpu.createDevice(), { size: [16, 16] }, true);
    const scene = Triangle.create(out);
    try {
      await runScene(out, scene, { limit: 300 });
      const frames = 3000;
      const { bytes } = await measureAllocation(() => runScene(out, scene, { limit: frames }));
      expect(bytes / frames).toBeLessThan(1024);
    } finally {
      scene.destroy();
      await out.close();
    }
  });
});
