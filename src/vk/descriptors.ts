// Descriptor set layouts, pools and sets, with typed bindings instead of count+pointer pairs.
import { vk, type VkTypes } from "./nvk.js";
import { check } from "./result.js";
import { rawHandle } from "./fast.js";
import { adopt, DeviceResource, type Owned } from "./resource.js";
import type { Device } from "./device.js";
import type { Buffer } from "./buffer.js";
import type { ImageView } from "./image.js";
import type { Sampler } from "./sampler.js";

/** Shader stages (VkShaderStageFlagBits by short name) for descriptor bindings and push constants; combine with |. `all` is every graphics stage (not compute). */
export const ShaderStage = {
  vertex: vk.VkShaderStageFlagBits.VK_SHADER_STAGE_VERTEX_BIT,
  fragment: vk.VkShaderStageFlagBits.VK_SHADER_STAGE_FRAGMENT_BIT,
  compute: vk.VkShaderStageFlagBits.VK_SHADER_STAGE_COMPUTE_BIT,
  all: vk.VkShaderStageFlagBits.VK_SHADER_STAGE_ALL_GRAPHICS,
} as const;

/** The descriptor kinds supported: a uniform buffer, a sampled image with its sampler, a storage buffer, or a storage image (read and written by shaders in GENERAL layout). */
export type DescriptorType = "uniform-buffer" | "combined-image-sampler" | "storage-buffer" | "storage-image";
const descriptorTypes: Record<DescriptorType, number> = {
  "uniform-buffer": vk.VkDescriptorType.VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER,
  "combined-image-sampler": vk.VkDescriptorType.VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER,
  "storage-buffer": vk.VkDescriptorType.VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
  "storage-image": vk.VkDescriptorType.VK_DESCRIPTOR_TYPE_STORAGE_IMAGE,
};

/** One binding of a descriptor set layout: the binding number the shader declares, its kind, the stages that read it, and an array size (count, default 1). */
export interface DescriptorBinding {
  binding: number;
  type: DescriptorType;
  /** ShaderStage flags, or'ed. */
  stages: number;
  count?: number;
}

export interface DescriptorSetLayoutOptions extends Owned {
  bindings: readonly DescriptorBinding[];
}

/** The bindings of one descriptor set: what kind of resource each binding number holds and which shader stages read it. */
export class DescriptorSetLayout extends DeviceResource<VkTypes.VkDescriptorSetLayout> {
  readonly bindings: readonly DescriptorBinding[];

  private constructor(device: Device, options: DescriptorSetLayoutOptions) {
    super(device, new vk.VkDescriptorSetLayout(), vk.vkDestroyDescriptorSetLayout);
    const bindings = (this.bindings = options.bindings);
    const info = new vk.VkDescriptorSetLayoutCreateInfo({
      bindingCount: bindings.length,
      pBindings: bindings.map(
        (b) =>
          new vk.VkDescriptorSetLayoutBinding({
            binding: b.binding,
            descriptorType: descriptorTypes[b.type],
            descriptorCount: b.count ?? 1,
            stageFlags: b.stages,
          }),
      ),
    });
    check("vkCreateDescriptorSetLayout", vk.vkCreateDescriptorSetLayout(device.handle, info, null, this.handle));
  }

  /** A layout with options.bindings. Throws VulkanError when creation fails. */
  static create(device: Device, options: DescriptorSetLayoutOptions): DescriptorSetLayout {
    return adopt(new DescriptorSetLayout(device, options), options);
  }
}

export interface DescriptorPoolOptions extends Owned {
  /** The layout the pool's sets will have. */
  layout: DescriptorSetLayout;
  /** How many sets of that layout the pool holds. */
  maxSets: number;
}

/** A pool sized for `maxSets` copies of one layout. Sets are freed with the pool. */
export class DescriptorPool extends DeviceResource<VkTypes.VkDescriptorPool> {
  readonly maxSets: number;

  private constructor(device: Device, options: DescriptorPoolOptions) {
    super(device, new vk.VkDescriptorPool(), vk.vkDestroyDescriptorPool);
    const { layout, maxSets } = options;
    this.maxSets = maxSets;
    const counts = new Map<number, number>();
    for (const b of layout.bindings) {
      const t = descriptorTypes[b.type];
      counts.set(t, (counts.get(t) ?? 0) + (b.count ?? 1) * maxSets);
    }
    const info = new vk.VkDescriptorPoolCreateInfo({
      maxSets,
      poolSizeCount: counts.size,
      pPoolSizes: [...counts].map(([type, descriptorCount]) => new vk.VkDescriptorPoolSize({ type, descriptorCount })),
    });
    check("vkCreateDescriptorPool", vk.vkCreateDescriptorPool(device.handle, info, null, this.handle));
  }

  /** A pool with room for options.maxSets sets of options.layout. Throws VulkanError when creation fails. */
  static create(device: Device, options: DescriptorPoolOptions): DescriptorPool {
    return adopt(new DescriptorPool(device, options), options);
  }

  /** Allocates count sets of layout. Throws VulkanError (e.g. VK_ERROR_OUT_OF_POOL_MEMORY) when the pool has no room left. */
  allocate(layout: DescriptorSetLayout, count: number): DescriptorSet[] {
    this.assertLive();
    const handles = Array.from({ length: count }, () => new vk.VkDescriptorSet());
    const info = new vk.VkDescriptorSetAllocateInfo({
      descriptorPool: this.handle,
      descriptorSetCount: count,
      pSetLayouts: Array.from({ length: count }, () => layout.handle),
    });
    check("vkAllocateDescriptorSets", vk.vkAllocateDescriptorSets(this.device.handle, info, handles));
    return handles.map((h) => new DescriptorSet(this.device, h));
  }
}

/**
 * What DescriptorSet.write puts into one binding: a buffer (whole, or range bytes from offset), an image view with its sampler (the
 * image must be in SHADER_READ_ONLY_OPTIMAL when used), or a storage image view (in GENERAL when used: CommandBuffer.imageBarrier to "compute-write").
 */
export type DescriptorWrite =
  | { binding: number; type: "uniform-buffer" | "storage-buffer"; buffer: Buffer; offset?: number; range?: number }
  | { binding: number; type: "combined-image-sampler"; view: ImageView; sampler: Sampler }
  | { binding: number; type: "storage-image"; view: ImageView };

/** A set allocated from a DescriptorPool (it lives as long as the pool; DescriptorPool.allocate makes them). */
export class DescriptorSet {
  /** Handle value for the koffi fast path. */
  readonly raw: bigint;

  constructor(
    readonly device: Device,
    readonly handle: VkTypes.VkDescriptorSet,
  ) {
    this.raw = rawHandle(handle);
  }

  /** Points bindings of this set at buffers or images (vkUpdateDescriptorSets). The set must not be in use by the GPU. */
  write(writes: readonly DescriptorWrite[]): void {
    const infos = writes.map((w) => {
      const base = { dstSet: this.handle, dstBinding: w.binding, dstArrayElement: 0, descriptorCount: 1, descriptorType: descriptorTypes[w.type] };
      if (w.type === "storage-image") {
        return new vk.VkWriteDescriptorSet({
          ...base,
          pImageInfo: [new vk.VkDescriptorImageInfo({ imageView: w.view.handle, imageLayout: vk.VkImageLayout.VK_IMAGE_LAYOUT_GENERAL })],
        });
      }
      if (w.type === "combined-image-sampler") {
        return new vk.VkWriteDescriptorSet({
          ...base,
          pImageInfo: [
            new vk.VkDescriptorImageInfo({
              sampler: w.sampler.handle,
              imageView: w.view.handle,
              imageLayout: vk.VkImageLayout.VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL,
            }),
          ],
        });
      }
      return new vk.VkWriteDescriptorSet({
        ...base,
        pBufferInfo: [new vk.VkDescriptorBufferInfo({ buffer: w.buffer.handle, offset: w.offset ?? 0, range: w.range ?? w.buffer.size })],
      });
    });
    vk.vkUpdateDescriptorSets(this.device.handle, infos.length, infos, 0, null);
  }
}
