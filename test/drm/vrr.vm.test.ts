// Variable refresh on a real kernel: vkms (7.x, configfs device of our own) has no VRR. Its CRTC has
// VRR_ENABLED all the same (the DRM core gives one to every atomic CRTC), but its connector has no
// vrr_capable; readVrr says "absent" naming the missing property, and the KMS presenter runs without
// setting it, its stats saying so with the reason.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DrmDevice, readVrr } from "../../src/drm/index.js";
import { FrameLoop } from "../../src/present/frame-loop.js";
import { KmsBackend } from "../../src/present/kms.js";
import { Triangle } from "../../src/scenes/index.js";
import { Instance } from "../../src/vk/index.js";
import { outputsTopology, VkmsConfigfsDevice, vkmsConfigfsSkipReason } from "../helpers/vkms-configfs.js";

const skipWhy = vkmsConfigfsSkipReason();
if (skipWhy) console.warn(`[vrr.vm.test] skipped: ${skipWhy}`);

describe.skipIf(!!skipWhy)("variable refresh (VM, vkms through configfs)", () => {
  let vkms: VkmsConfigfsDevice;
  let drm: DrmDevice;
  beforeAll(async () => {
    vkms = await VkmsConfigfsDevice.create("scanout-vrr", outputsTopology(1, { writeback: false }));
    drm = DrmDevice.open(vkms.card);
  });
  afterAll(() => {
    drm?.close();
    vkms?.destroy();
  });

  it("vkms's connector has no vrr_capable (its CRTC has the core's VRR_ENABLED): absent, with the reason", () => {
    const connector = vkms.connector(0).id;
    const crtc = drm.resources().crtcs[0]!;
    expect(drm.properties("connector", connector).has("vrr_capable")).toBe(false);
    expect(drm.properties("crtc", crtc).has("VRR_ENABLED"), "the DRM core attaches VRR_ENABLED to every atomic CRTC").toBe(true);
    expect(readVrr(drm, connector, crtc)).toEqual({ state: "absent", reason: `connector ${connector} has no vrr_capable property: the driver has no variable refresh` });
  });

  it("the presenter's stats say VRR is absent and why; it flips as usual", async () => {
    const gpu = await Instance.create({ validation: true, requireValidation: true });
    const device = gpu.createDevice();
    try {
      const backend = KmsBackend.open(device, { drm, size: [640, 480], input: false });
      const out = new FrameLoop(backend, false);
      const scene = Triangle.create(out);
      try {
        for await (const frame of out.frames({ limit: 5 })) frame.record((cmd) => scene.draw(cmd, frame));
        await backend.idle();
        const stats = backend.stats();
        console.log(`[vrr.vm.test] stats: ${JSON.stringify(stats)}`);
        expect(stats.vrr).toBe("absent");
        expect(stats.vrrReason).toMatch(/^connector \d+ has no vrr_capable property: the driver has no variable refresh$/);
        expect(stats.flips).toBe(5);
      } finally {
        scene.destroy();
        await out.close();
      }
      expect(gpu.validationMessages).toEqual([]);
    } finally {
      device.destroy();
      gpu.destroy();
    }
  });
});
