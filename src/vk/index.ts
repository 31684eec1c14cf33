// The typed Vulkan layer over nvk. Everything scanout renders with comes from here.
// Every resource is made by a static `X.create(device, options)`; `options.scope` takes ownership.
export { vk, chain, type VkTypes, type Nvk } from "./nvk.js";
export { VulkanError, check, resultName } from "./result.js";
export { DeviceCapabilityError, ResourceUsageError, ScopeClosedError, ValidationLayerMissingError } from "./errors.js";
export { Scope, type Destroyable } from "./scope.js";
export { Resource, DeviceResource, UseAfterDestroyError, type Owned } from "./resource.js";
export { DeferredQueue } from "./deferred.js";
export { Instance, NoVulkanDeviceError, type InstanceOptions, type ValidationMessage, type DevicePredicate } from "./instance.js";
export { PhysicalDevice, type DeviceType, type QueueFamily, type PciBusInfo, type MemoryType } from "./physical-device.js";
export { Device, OPTIONAL_EXTENSIONS, type DeviceOptions, type PendingSubmission } from "./device.js";
export { Queue, PreparedSubmit, type SubmitOptions } from "./queue.js";
export { DeviceMemory, MemoryProperty, findMemoryType, type AllocateOptions } from "./memory.js";
export { planHostImage, hostImportAlignment, hostPointerMemoryTypes, recordColorWritesToHost, type HostImageLayout } from "./host-memory.js";
export { Buffer, BufferUsage, type BufferOptions } from "./buffer.js";
export {
  Image,
  ImageView,
  ImageUsage,
  Format,
  ImageLayout,
  pickDepthFormat,
  vkFormatName,
  type ImageOptions,
  type ImageViewOptions,
  type HostMemoryRange,
  type DmabufExport,
  type DmabufPlane,
} from "./image.js";
export { MOD_LINEAR, MOD_INVALID, modifierName } from "../util/fourcc.js";
export { RenderPass, Framebuffer, type RenderPassOptions, type FramebufferOptions } from "./render-pass.js";
export { ShaderModule, readSpirv, shaderPath, type ShaderModuleOptions, type GlslModuleOptions } from "./shader.js";
export { ShaderError } from "./errors.js";
export { loadGlslCompiler, glslStageOf, GlslCompileError, type GlslCompiler, type GlslSource, type GlslStage, type GlslDiagnostic } from "./glsl.js";
export {
  Pipeline,
  PipelineLayout,
  type GraphicsPipelineOptions,
  type PipelineLayoutOptions,
  type VertexAttribute,
  type PushConstantRange,
} from "./pipeline.js";
export {
  DescriptorSetLayout,
  DescriptorPool,
  DescriptorSet,
  ShaderStage,
  type DescriptorBinding,
  type DescriptorType,
  type DescriptorWrite,
  type DescriptorSetLayoutOptions,
  type DescriptorPoolOptions,
} from "./descriptors.js";
export { ComputePipeline, type ComputePipelineOptions } from "./compute.js";
export { imageUseLayout, type BufferUse, type ImageUse } from "./barriers.js";
export { Sampler, type SamplerOptions } from "./sampler.js";
export { CommandPool, CommandBuffer, type CommandPoolOptions, type TransitionOptions } from "./commands.js";
export { Fence, Semaphore, type FenceOptions, type SemaphoreOptions } from "./sync.js";
export { QueryPool, GpuClock, timestampSupport, type QueryPoolOptions, type TimestampSupport, type ClockCalibration } from "./query.js";
export { PipelineCache, defaultPipelineCacheFile, type PipelineCacheOptions } from "./pipeline-cache.js";
