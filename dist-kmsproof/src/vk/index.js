// The typed Vulkan layer over nvk. Everything scanout renders with comes from here.
export { vk, chain } from "./nvk.js";
export { VulkanError, check, resultName } from "./result.js";
export { Scope } from "./scope.js";
export { DeferredQueue } from "./deferred.js";
export { Instance, NoVulkanDeviceError } from "./instance.js";
export { PhysicalDevice } from "./physical-device.js";
export { Device, OPTIONAL_EXTENSIONS } from "./device.js";
export { Queue, PreparedSubmit } from "./queue.js";
export { DeviceMemory, MemoryProperty, findMemoryType } from "./memory.js";
export { Buffer, BufferUsage } from "./buffer.js";
export { Image, ImageView, ImageUsage, Format, ImageLayout, MOD_LINEAR, MOD_INVALID, pickDepthFormat, } from "./image.js";
export { RenderPass, Framebuffer } from "./render-pass.js";
export { ShaderModule, ShaderError, readSpirv, shaderPath } from "./shader.js";
export { Pipeline, PipelineLayout } from "./pipeline.js";
export { DescriptorSetLayout, DescriptorPool, DescriptorSet, ShaderStage, } from "./descriptors.js";
export { Sampler } from "./sampler.js";
export { CommandPool, CommandBuffer } from "./commands.js";
export { Fence, Semaphore } from "./sync.js";
//# sourceMappingURL=index.js.map