// TargetFramebuffers on lavapipe with validation on: prepare() makes the depth attachment for a size
// ahead of the first frame, and the first get() at that size uses it instead of making another;
// a target of another size retires it and makes a new one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Format, ImageLayout, Instance, RenderPass, TargetFramebuffers, createOffscreenTarget, pickDepthFormat } from "../../src/index.js";

describe("TargetFramebuffers (lavapipe, validation on)", () => {
  let gpu: Instance;
  beforeAll(async () => {
    gpu = await Instance.create({ validation: true, requireValidation: true });
  });
  afterAll(() => gpu?.destroy());

  it("prepare() makes the depth buffer once, before the first frame; a new size replaces it", () => {
    const device = gpu.createDevice();
    const depthFormat = pickDepthFormat(device);
    const color = { format: Format.VK_FORMAT_B8G8R8A8_UNORM, finalLayout: ImageLayout.VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL };
    const renderPass = RenderPass.create(device, { color, depth: { format: depthFormat } });
    const fbs = TargetFramebuffers.create(device, { renderPass, depthFormat });
    const target = createOffscreenTarget(device, 64, 48, color.format, color.finalLayout);
    // the depth images alive (each also has its memory and view, named alike)
    const depthBuffers = () => device.liveResources().filter((r) => String(r).startsWith("Image ") && String(r).includes("depth buffer"));
    try {
      expect(depthBuffers()).toHaveLength(0);
      fbs.prepare(64, 48);
      expect(depthBuffers().map(String)).toEqual([expect.stringContaining("64x48")]);
      fbs.get(target);
      expect(fbs.size).toBe(1);
      expect(depthBuffers()).toHaveLength(1); // the prepared one, not a second
      const bigger = createOffscreenTarget(device, 80, 60, color.format, color.finalLayout);
      fbs.get(bigger);
      device.waitIdle(); // frees what the resize retired
      expect(depthBuffers().map(String)).toEqual([expect.stringContaining("80x60")]);
      bigger.view.destroy();
      bigger.image.destroy();
    } finally {
      fbs.destroy();
      target.view.destroy();
      target.image.destroy();
      renderPass.destroy();
      device.destroy();
    }
    expect(gpu.validationMessages).toEqual([]);
  });
});
