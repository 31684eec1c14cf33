// Compute pipelines: one compute shader and the layout of what it reads and writes.
import { vk, type VkTypes } from "./nvk.js";
import { check } from "./result.js";
import { rawHandle } from "./fast.js";
import { adopt, DeviceResource, type Owned } from "./resource.js";
import type { Device } from "./device.js";
import type { PipelineLayout } from "./pipeline.js";
import type { ShaderModule } from "./shader.js";
import type { PipelineCache } from "./pipeline-cache.js";

export interface ComputePipelineOptions extends Owned {
  layout: PipelineLayout;
  /** The compute shader (entry point "main"). */
  shader: ShaderModule;
  /** The pipeline cache to compile through (default: device.pipelineCache, kept on disk); null for none. */
  cache?: PipelineCache | null;
}

/** A compute pipeline: bind it with CommandBuffer.bindPipeline, its descriptor sets with bindDescriptorSet(..., "compute"), then CommandBuffer.dispatch. */
export class ComputePipeline extends DeviceResource<VkTypes.VkPipeline> {
  /** Handle value for the koffi fast path. */
  readonly raw: bigint;
  /** Where CommandBuffer.bindPipeline binds it (VK_PIPELINE_BIND_POINT_COMPUTE). */
  readonly bindPoint: number = vk.VkPipelineBindPoint.VK_PIPELINE_BIND_POINT_COMPUTE;
  /** The shader file it was built from, for messages. */
  readonly shaders: string;

  private constructor(device: Device, options: ComputePipelineOptions) {
    super(device, new vk.VkPipeline(), vk.vkDestroyPipeline);
    this.shaders = options.shader.file;
    const stage = new vk.VkPipelineShaderStageCreateInfo({
      stage: vk.VkShaderStageFlagBits.VK_SHADER_STAGE_COMPUTE_BIT,
      module: options.shader.handle,
      pName: "main",
    });
    const info = new vk.VkComputePipelineCreateInfo({ stage, layout: options.layout.handle, basePipelineIndex: -1 });
    const cache = options.cache === undefined ? device.pipelineCache : options.cache;
    check("vkCreateComputePipelines", vk.vkCreateComputePipelines(device.handle, cache?.handle ?? null, 1, [info], null, [this.handle]), this.shaders);
    cache?.created();
    this.raw = rawHandle(this.handle);
  }

  /** A compute pipeline running options.shader with options.layout. Throws VulkanError naming the shader when creation fails. */
  static create(device: Device, options: ComputePipelineOptions): ComputePipeline {
    return adopt(new ComputePipeline(device, options), options);
  }

  override toString(): string {
    return `ComputePipeline ${this.shaders}`;
  }
}
