// Exportable (dmabuf) images, only where the kernel has udmabuf (the VM: test/vm/run-in-vm.sh):
// they print their DRM modifier, and their dedicated memory is freed when binding fails.
import { closeSync, existsSync } from "node:fs";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { validatedGpu } from "../helpers/gpu.js";
import { DeviceMemory, Format, Image, ImageUsage, MOD_LINEAR, Scope, UseAfterDestroyError, vk } from "../../src/index.js";
import { bindFault } from "../../src/vk/memory.js";

const inVm = existsSync("/dev/udmabuf");
const COLOR = Format.VK_FORMAT_B8G8R8A8_UNORM;

describe.skipIf(!inVm)("dmabuf-exportable images (validation on)", () => {
  const fx = validatedGpu();

  it("print size, format and modifier, and export a dmabuf with that modifier", () => {
    const scope = new Scope();
    try {
      const image = Image.create(fx.device, { width: 640, height: 480, format: COLOR, usage: ImageUsage.colorAttachment, exportDmabuf: { modifiers: [MOD_LINEAR] }, what: "scanout", scope });
      expect(inspect(image)).toBe("Image 640x480 B8G8R8A8_UNORM modifier LINEAR (scanout)");
      expect(inspect(image.createView({ scope }))).toBe("ImageView of Image 640x480 B8G8R8A8_UNORM modifier LINEAR (scanout)");
      const exported = image.exportDmabuf();
      closeSync(exported.fd);
      expect(exported.modifier).toBe(MOD_LINEAR);
      expect(exported.planes[0]!.stride).toBeGreaterThanOrEqual(640 * 4);
    } finally {
      scope.close();
    }
    expect(fx.gpu.validationMessages).toEqual([]);
  });

  it("refuse to export once destroyed", () => {
    const image = Image.create(fx.device, { width: 64, height: 64, format: COLOR, usage: ImageUsage.colorAttachment, exportDmabuf: {}, what: "gone" });
    image.destroy();
    expect(() => image.exportDmabuf()).toThrow(UseAfterDestroyError);
    expect(() => image.exportDmabuf()).toThrow("Image 64x64 B8G8R8A8_UNORM modifier LINEAR (gone): used after destroy()");
  });

  it("free their dedicated memory when binding fails (fault injected: lavapipe cannot fail the bind)", () => {
    const device = fx.gpu.createDevice();
    bindFault.next = vk.VkResult.VK_ERROR_OUT_OF_DEVICE_MEMORY;
    expect(() => Image.create(device, { width: 64, height: 64, format: COLOR, usage: ImageUsage.colorAttachment, exportDmabuf: {}, what: "scanout" })).toThrow(
      "vkBindImageMemory: VK_ERROR_OUT_OF_DEVICE_MEMORY (scanout)",
    );
    expect(device.liveResources(DeviceMemory)).toEqual([]);
    device.destroy(); // validation names any VkDeviceMemory still allocated here
    expect(fx.gpu.validationMessages).toEqual([]);
  });
});
