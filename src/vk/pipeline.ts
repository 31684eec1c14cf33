// Pipeline layouts and graphics pipelines with sensible defaults: triangle lists, back-face culling
// off, dynamic viewport/scissor (so a pipeline survives resizes), optional depth test and blending.
import { vk, type VkTypes } from "./nvk.js";
import { check } from "./result.js";
import { rawHandle } from "./fast.js";
import { adopt, DeviceResource, type Owned } from "./resource.js";
import type { Device } from "./device.js";
import type { DescriptorSetLayout } from "./descriptors.js";
import type { RenderPass } from "./render-pass.js";
import type { ShaderModule } from "./shader.js";
import type { PipelineCache } from "./pipeline-cache.js";
import type { Format } from "./image.js";

/** A push constant range of a pipeline layout: the ShaderStage flags that read it, its byte offset (default 0) and size in bytes. */
export interface PushConstantRange {
  stages: number;
  offset?: number;
  size: number;
}

export interface PipelineLayoutOptions extends Owned {
  setLayouts?: DescriptorSetLayout[];
  pushConstants?: PushConstantRange[];
}

/** The descriptor set layouts and push constant ranges a pipeline's shaders use (PipelineLayout.create). */
export class PipelineLayout extends DeviceResource<VkTypes.VkPipelineLayout> {
  /** Handle value for the koffi fast path. */
  readonly raw: bigint;

  private constructor(device: Device, options: PipelineLayoutOptions) {
    super(device, new vk.VkPipelineLayout(), vk.vkDestroyPipelineLayout);
    const sets = options.setLayouts ?? [];
    const ranges = options.pushConstants ?? [];
    const info = new vk.VkPipelineLayoutCreateInfo({
      setLayoutCount: sets.length,
      pSetLayouts: sets.length ? sets.map((s) => s.handle) : null,
      pushConstantRangeCount: ranges.length,
      pPushConstantRanges: ranges.length
        ? ranges.map((r) => new vk.VkPushConstantRange({ stageFlags: r.stages, offset: r.offset ?? 0, size: r.size }))
        : null,
    });
    check("vkCreatePipelineLayout", vk.vkCreatePipelineLayout(device.handle, info, null, this.handle));
    this.raw = rawHandle(this.handle);
  }

  /** A pipeline layout with options.setLayouts (descriptor sets 0, 1, ...) and options.pushConstants (both default to none). Throws VulkanError when creation fails. */
  static create(device: Device, options: PipelineLayoutOptions = {}): PipelineLayout {
    return adopt(new PipelineLayout(device, options), options);
  }
}

/** One vertex shader input read from the interleaved vertex buffer: its shader location, its format (e.g. Format.VK_FORMAT_R32G32B32_SFLOAT for a vec3) and byte offset within a vertex. */
export interface VertexAttribute {
  location: number;
  format: Format;
  offset: number;
}

export interface GraphicsPipelineOptions extends Owned {
  renderPass: RenderPass;
  layout: PipelineLayout;
  vertex: ShaderModule;
  fragment: ShaderModule;
  /** One interleaved vertex buffer at binding 0; omit for shaders that make their own vertices. */
  vertexInput?: { stride: number; attributes: VertexAttribute[] };
  topology?: "triangle-list" | "triangle-strip" | "line-list";
  cullMode?: "none" | "back" | "front";
  /** Winding of front faces (default counter-clockwise). */
  frontFace?: "ccw" | "cw";
  depthTest?: boolean;
  blend?: boolean;
  /** The pipeline cache to compile through (default: device.pipelineCache, kept on disk); null for none. */
  cache?: PipelineCache | null;
}

const topologies = {
  "triangle-list": vk.VkPrimitiveTopology.VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST,
  "triangle-strip": vk.VkPrimitiveTopology.VK_PRIMITIVE_TOPOLOGY_TRIANGLE_STRIP,
  "line-list": vk.VkPrimitiveTopology.VK_PRIMITIVE_TOPOLOGY_LINE_LIST,
};
const cullModes = {
  none: vk.VkCullModeFlagBits.VK_CULL_MODE_NONE,
  back: vk.VkCullModeFlagBits.VK_CULL_MODE_BACK_BIT,
  front: vk.VkCullModeFlagBits.VK_CULL_MODE_FRONT_BIT,
};

/** A graphics pipeline (ComputePipeline is the other kind). */
export class Pipeline extends DeviceResource<VkTypes.VkPipeline> {
  /** Handle value for the koffi fast path. */
  readonly raw: bigint;
  /** Where CommandBuffer.bindPipeline binds it (VK_PIPELINE_BIND_POINT_GRAPHICS). */
  readonly bindPoint: number = vk.VkPipelineBindPoint.VK_PIPELINE_BIND_POINT_GRAPHICS;
  /** The shader files it was built from, for messages. */
  readonly shaders: string;

  private constructor(device: Device, options: GraphicsPipelineOptions) {
    super(device, new vk.VkPipeline(), vk.vkDestroyPipeline);
    this.shaders = `${options.vertex.file} + ${options.fragment.file}`;
    const stages = [
      new vk.VkPipelineShaderStageCreateInfo({ stage: vk.VkShaderStageFlagBits.VK_SHADER_STAGE_VERTEX_BIT, module: options.vertex.handle, pName: "main" }),
      new vk.VkPipelineShaderStageCreateInfo({ stage: vk.VkShaderStageFlagBits.VK_SHADER_STAGE_FRAGMENT_BIT, module: options.fragment.handle, pName: "main" }),
    ];
    const input = options.vertexInput;
    const vertexInput = new vk.VkPipelineVertexInputStateCreateInfo({
      vertexBindingDescriptionCount: input ? 1 : 0,
      pVertexBindingDescriptions: input
        ? [new vk.VkVertexInputBindingDescription({ binding: 0, stride: input.stride, inputRate: vk.VkVertexInputRate.VK_VERTEX_INPUT_RATE_VERTEX })]
        : null,
      vertexAttributeDescriptionCount: input ? input.attributes.length : 0,
      pVertexAttributeDescriptions: input
        ? input.attributes.map((a) => new vk.VkVertexInputAttributeDescription({ location: a.location, binding: 0, format: a.format, offset: a.offset }))
        : null,
    });
    const inputAssembly = new vk.VkPipelineInputAssemblyStateCreateInfo({ topology: topologies[options.topology ?? "triangle-list"], primitiveRestartEnable: false });
    const viewport = new vk.VkPipelineViewportStateCreateInfo({ viewportCount: 1, scissorCount: 1 });
    const raster = new vk.VkPipelineRasterizationStateCreateInfo({
      depthClampEnable: false,
      rasterizerDiscardEnable: false,
      polygonMode: vk.VkPolygonMode.VK_POLYGON_MODE_FILL,
      cullMode: cullModes[options.cullMode ?? "none"],
      frontFace: options.frontFace === "cw" ? vk.VkFrontFace.VK_FRONT_FACE_CLOCKWISE : vk.VkFrontFace.VK_FRONT_FACE_COUNTER_CLOCKWISE,
      depthBiasEnable: false,
      lineWidth: 1,
    });
    const multisample = new vk.VkPipelineMultisampleStateCreateInfo({ rasterizationSamples: vk.VkSampleCountFlagBits.VK_SAMPLE_COUNT_1_BIT, minSampleShading: 1 });
    const depth = options.depthTest
      ? new vk.VkPipelineDepthStencilStateCreateInfo({
          depthTestEnable: true,
          depthWriteEnable: true,
          depthCompareOp: vk.VkCompareOp.VK_COMPARE_OP_LESS,
          depthBoundsTestEnable: false,
          stencilTestEnable: false,
          minDepthBounds: 0,
          maxDepthBounds: 1,
        })
      : null;
    const C = vk.VkColorComponentFlagBits;
    const blendAttachment = new vk.VkPipelineColorBlendAttachmentState({
      blendEnable: options.blend ?? false,
      srcColorBlendFactor: vk.VkBlendFactor.VK_BLEND_FACTOR_SRC_ALPHA,
      dstColorBlendFactor: vk.VkBlendFactor.VK_BLEND_FACTOR_ONE_MINUS_SRC_ALPHA,
      colorBlendOp: vk.VkBlendOp.VK_BLEND_OP_ADD,
      srcAlphaBlendFactor: vk.VkBlendFactor.VK_BLEND_FACTOR_ONE,
      dstAlphaBlendFactor: vk.VkBlendFactor.VK_BLEND_FACTOR_ZERO,
      alphaBlendOp: vk.VkBlendOp.VK_BLEND_OP_ADD,
      colorWriteMask: C.VK_COLOR_COMPONENT_R_BIT | C.VK_COLOR_COMPONENT_G_BIT | C.VK_COLOR_COMPONENT_B_BIT | C.VK_COLOR_COMPONENT_A_BIT,
    });
    const blend = new vk.VkPipelineColorBlendStateCreateInfo({ logicOpEnable: false, attachmentCount: 1, pAttachments: [blendAttachment], blendConstants: [0, 0, 0, 0] });
    const dynamicStates = new Int32Array([vk.VkDynamicState.VK_DYNAMIC_STATE_VIEWPORT, vk.VkDynamicState.VK_DYNAMIC_STATE_SCISSOR]);
    const dynamic = new vk.VkPipelineDynamicStateCreateInfo({ dynamicStateCount: 2, pDynamicStates: dynamicStates });
    const info = new vk.VkGraphicsPipelineCreateInfo({
      stageCount: stages.length,
      pStages: stages,
      pVertexInputState: vertexInput,
      pInputAssemblyState: inputAssembly,
      pViewportState: viewport,
      pRasterizationState: raster,
      pMultisampleState: multisample,
      pDepthStencilState: depth,
      pColorBlendState: blend,
      pDynamicState: dynamic,
      layout: options.layout.handle,
      renderPass: options.renderPass.handle,
      subpass: 0,
      basePipelineIndex: -1,
    });
    const cache = options.cache === undefined ? device.pipelineCache : options.cache;
    check("vkCreateGraphicsPipelines", vk.vkCreateGraphicsPipelines(device.handle, cache?.handle ?? null, 1, [info], null, [this.handle]), this.shaders);
    cache?.created();
    this.raw = rawHandle(this.handle);
  }

  /**
   * A graphics pipeline for subpass 0 of options.renderPass, entry points "main", filled triangles, no multisampling, and
   * dynamic viewport and scissor (set them with CommandBuffer.setViewportAndScissor). Defaults: triangle-list, no culling,
   * counter-clockwise front faces, no depth test, no blending. Throws VulkanError naming the shader files when creation fails.
   */
  static create(device: Device, options: GraphicsPipelineOptions): Pipeline {
    return adopt(new Pipeline(device, options), options);
  }

  /** The same as Pipeline.create (the name it had first). */
  static createGraphics(device: Device, options: GraphicsPipelineOptions): Pipeline {
    return Pipeline.create(device, options);
  }

  override toString(): string {
    return `Pipeline ${this.shaders}`;
  }
}
