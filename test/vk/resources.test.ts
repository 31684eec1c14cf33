// One way to make and own GPU resources: X.create(device, { ..., scope }), idempotent destroy,
// clear errors on use after destroy, and no memory leaked when binding fails.
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { validatedGpu } from "../helpers/gpu.js";
import {
  Buffer,
  BufferUsage,
  CommandPool,
  DescriptorPool,
  DescriptorSetLayout,
  DeviceMemory,
  Fence,
  Format,
  Framebuffer,
  Image,
  ImageLayout,
  ImageUsage,
  ImageView,
  Instance,
  Pipeline,
  PipelineLayout,
  RenderPass,
  Sampler,
  Scope,
  Semaphore,
  ShaderModule,
  ShaderStage,
  UseAfterDestroyError,
  vk,
  type Device,
  type DeviceResource,
} from "../../src/index.js";
import { bindFault } from "../../src/vk/memory.js";

const COLOR = Format.VK_FORMAT_B8G8R8A8_UNORM;

/** One of every resource class, each handed to `scope`, in creation order. */
function createEverything(device: Device, scope: Scope): DeviceResource[] {
  const image = Image.create(device, { width: 64, height: 32, format: COLOR, usage: ImageUsage.colorAttachment, what: "target", scope });
  const view = image.createView({ scope });
  const renderPass = RenderPass.create(device, { color: { format: COLOR, finalLayout: ImageLayout.VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL }, scope });
  const framebuffer = Framebuffer.create(device, { renderPass, attachments: [view], width: 64, height: 32, scope });
  const setLayout = DescriptorSetLayout.create(device, { bindings: [{ binding: 0, type: "uniform-buffer", stages: ShaderStage.vertex }], scope });
  const pool = DescriptorPool.create(device, { layout: setLayout, maxSets: 2, scope });
  const layout = PipelineLayout.create(device, { setLayouts: [setLayout], scope });
  const vertex = ShaderModule.create(device, { file: "triangle.vert.spv", scope });
  const fragment = ShaderModule.load(device, "triangle.frag.spv", { scope });
  const pipeline = Pipeline.create(device, { renderPass, layout, vertex, fragment, scope });
  const uniform = Buffer.create(device, { size: 16, usage: BufferUsage.uniform, memory: "host", what: "uniform", scope });
  const sampler = Sampler.create(device, { scope });
  const commands = CommandPool.create(device, { scope });
  const fence = Fence.create(device, { signaled: true, scope });
  const semaphore = Semaphore.create(device, { scope });
  const memory = DeviceMemory.create(device, { size: 4096, memoryTypeIndex: 0, what: "raw", scope });
  return [image, view, renderPass, framebuffer, setLayout, pool, layout, vertex, fragment, pipeline, uniform, sampler, commands, fence, semaphore, memory];
}

/** Records the order in which resources are destroyed (the scope calls destroy() on each). */
function recordDestroyOrder(resources: DeviceResource[]): string[] {
  const order: string[] = [];
  for (const r of resources) {
    const destroy = r.destroy.bind(r);
    r.destroy = () => {
      order.push(r.constructor.name);
      destroy();
    };
  }
  return order;
}

describe("resources owned through options.scope (validation on)", () => {
  const fx = validatedGpu();

  it("are destroyed in reverse creation order when the scope closes, with no validation messages", () => {
    const before = new Set(fx.device.liveResources());
    const scope = new Scope("everything");
    const resources = createEverything(fx.device, scope);
    const made = fx.device.liveResources().filter((r) => !before.has(r));
    // A buffer's or image's own memory is counted too (made just before it).
    const withMemory = resources.flatMap((r) => (r instanceof Buffer || r instanceof Image ? [r.memory, r] : [r]));
    expect(made).toEqual(withMemory);
    const order = recordDestroyOrder(resources);
    scope.close();
    expect(order).toEqual(resources.map((r) => r.constructor.name).reverse());
    expect(resources.every((r) => r.destroyed)).toBe(true);
    expect(fx.device.liveResources()).toEqual([...before]);
    expect(fx.gpu.validationMessages).toEqual([]);
  });

  it("destroy() is idempotent: a second call (or the scope's, after a manual one) does nothing", () => {
    const scope = new Scope();
    const resources = createEverything(fx.device, scope);
    for (const r of [...resources].reverse()) r.destroy();
    for (const r of resources) r.destroy();
    scope.close(); // destroys each once more
    expect(fx.device.liveResources(Image)).toEqual([]);
    // A second vkDestroy* of one handle would be reported here (or crash the driver).
    expect(fx.gpu.validationMessages).toEqual([]);
  });

  it("a closed scope refuses a new resource, and that resource is freed rather than leaked", () => {
    const scope = new Scope("closed one");
    scope.close();
    const before = fx.device.liveResources(Buffer).length;
    expect(() => Buffer.create(fx.device, { size: 64, usage: BufferUsage.uniform, memory: "host", scope })).toThrow("closed one: already closed");
    expect(fx.device.liveResources(Buffer).length).toBe(before);
    expect(fx.gpu.validationMessages).toEqual([]);
  });

  it("using a destroyed resource throws UseAfterDestroyError naming it", () => {
    const buffer = Buffer.create(fx.device, { size: 64, usage: BufferUsage.uniform, memory: "host", what: "my uniforms" });
    const image = Image.create(fx.device, { width: 8, height: 8, format: COLOR, usage: ImageUsage.sampled, what: "my texture" });
    const fence = Fence.create(fx.device);
    buffer.destroy();
    image.destroy();
    fence.destroy();
    expect(() => buffer.write(new Uint8Array(4))).toThrow(UseAfterDestroyError);
    expect(() => buffer.write(new Uint8Array(4))).toThrow("Buffer 64 bytes uniform (my uniforms): used after destroy()");
    expect(() => image.createView()).toThrow("Image 8x8 B8G8R8A8_UNORM (my texture): used after destroy()");
    expect(() => fence.wait()).toThrow("Fence: used after destroy()");
    expect(fx.gpu.validationMessages).toEqual([]);
  });
});

describe("a resource outliving its device", () => {
  it("throws a clear error on destroy() instead of calling into a destroyed VkDevice", async () => {
    // Its own instance: the leak this test makes on purpose is reported by validation at vkDestroyDevice.
    await using gpu = await Instance.create({ validation: true, requireValidation: true });
    const device = gpu.createDevice();
    const buffer = Buffer.create(device, { size: 64, usage: BufferUsage.uniform, memory: "host", what: "leaked" });
    expect(device.liveResources().map(String)).toEqual(["DeviceMemory 64 bytes (leaked)", "Buffer 64 bytes uniform (leaked)"]);
    device.destroy();
    expect(gpu.validationMessages.map((m) => m.message).join("\n")).toMatch(/VkBuffer/);
    expect(() => buffer.write(new Uint8Array(4))).toThrow(/^Buffer 64 bytes uniform \(leaked\): used after its device \(.+\) was destroyed$/);
    expect(() => buffer.destroy()).toThrow(/Buffer 64 bytes uniform \(leaked\): destroyed after its device .*destroy it first, or give both to one Scope/);
    expect(() => buffer.destroy()).not.toThrow(); // the first call already counted
  });
});

describe("memory of a buffer or image whose binding fails (fault injected; validation on)", () => {
  const fx = validatedGpu();
  const OOM = vk.VkResult.VK_ERROR_OUT_OF_DEVICE_MEMORY;

  it("is freed, for a buffer and for an image", () => {
    // A device of its own: validation reports any VkDeviceMemory still allocated when it is destroyed.
    const device = fx.gpu.createDevice();
    bindFault.next = OOM;
    expect(() => Buffer.create(device, { size: 1024, usage: BufferUsage.vertex, memory: "device", what: "vertices" })).toThrow(
      "vkBindBufferMemory: VK_ERROR_OUT_OF_DEVICE_MEMORY (vertices)",
    );
    expect(device.liveResources(DeviceMemory)).toEqual([]);
    bindFault.next = OOM;
    expect(() => Image.create(device, { width: 16, height: 16, format: COLOR, usage: ImageUsage.sampled, what: "texture" })).toThrow(
      "vkBindImageMemory: VK_ERROR_OUT_OF_DEVICE_MEMORY (texture)",
    );
    expect(device.liveResources()).toEqual([]);
    // The fault is used once: the next buffer binds for real.
    Buffer.create(device, { size: 1024, usage: BufferUsage.vertex, memory: "device" }).destroy();
    device.destroy();
    expect(fx.gpu.validationMessages).toEqual([]);
  });
});

describe("objects print usefully (util.inspect, as the Node REPL shows them)", () => {
  const fx = validatedGpu();

  it("device and physical device by name", () => {
    const name = fx.device.physical.name;
    expect(inspect(fx.device)).toBe(`Device(${name})`);
    expect(name).toMatch(/^llvmpipe/); // lavapipe's device name
    expect(inspect(fx.device.physical)).toMatch(new RegExp(`^PhysicalDevice\\(${name.replace(/[()]/g, "\\$&")}, cpu, Vulkan 1\\.\\d+\\.\\d+\\)$`));
  });

  it("images, views, buffers and framebuffers with size, format and usage", () => {
    using scope = new Scope();
    const image = Image.create(fx.device, { width: 640, height: 480, format: COLOR, usage: ImageUsage.colorAttachment, what: "target", scope });
    const view = image.createView({ scope });
    const renderPass = RenderPass.create(fx.device, { color: { format: COLOR, finalLayout: ImageLayout.VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL }, scope });
    const framebuffer = Framebuffer.create(fx.device, { renderPass, attachments: [view], width: 640, height: 480, scope });
    const buffer = Buffer.create(fx.device, { size: 1024, usage: BufferUsage.vertex | BufferUsage.transferDst, memory: "device", what: "mesh vertices", scope });
    expect(inspect(image)).toBe("Image 640x480 B8G8R8A8_UNORM (target)");
    expect(inspect(view)).toBe("ImageView of Image 640x480 B8G8R8A8_UNORM (target)");
    expect(inspect(framebuffer)).toBe("Framebuffer 640x480 (1 attachment)");
    expect(inspect(buffer)).toBe("Buffer 1024 bytes transferDst|vertex (mesh vertices)");
    expect(inspect({ buffer })).toBe("{ buffer: Buffer 1024 bytes transferDst|vertex (mesh vertices) }");
    buffer.destroy();
    expect(inspect(buffer)).toBe("Buffer 1024 bytes transferDst|vertex (mesh vertices) (destroyed)");
    expect(`${framebuffer}`).toBe("Framebuffer 640x480 (1 attachment)");
  });

  it("an image made elsewhere is listed by class among the device's live resources", () => {
    using scope = new Scope();
    const view = ImageView.create(fx.device, {
      image: Image.create(fx.device, { width: 4, height: 4, format: COLOR, usage: ImageUsage.sampled, scope }),
      scope,
    });
    expect(fx.device.liveResources(ImageView)).toEqual([view]);
    expect(fx.device.liveResources(Image).map(String)).toEqual(["Image 4x4 B8G8R8A8_UNORM (image)"]);
  });
});
