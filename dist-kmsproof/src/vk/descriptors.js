// Descriptor set layouts, pools and sets, with typed bindings instead of count+pointer pairs.
import { vk } from "./nvk.js";
import { check } from "./result.js";
import { rawHandle } from "./fast.js";
export const ShaderStage = {
    vertex: vk.VkShaderStageFlagBits.VK_SHADER_STAGE_VERTEX_BIT,
    fragment: vk.VkShaderStageFlagBits.VK_SHADER_STAGE_FRAGMENT_BIT,
    all: vk.VkShaderStageFlagBits.VK_SHADER_STAGE_ALL_GRAPHICS,
};
const descriptorTypes = {
    "uniform-buffer": vk.VkDescriptorType.VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER,
    "combined-image-sampler": vk.VkDescriptorType.VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER,
    "storage-buffer": vk.VkDescriptorType.VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
};
export class DescriptorSetLayout {
    device;
    bindings;
    handle = new vk.VkDescriptorSetLayout();
    destroyed = false;
    constructor(device, bindings) {
        this.device = device;
        this.bindings = bindings;
        const info = new vk.VkDescriptorSetLayoutCreateInfo({
            bindingCount: bindings.length,
            pBindings: bindings.map((b) => new vk.VkDescriptorSetLayoutBinding({
                binding: b.binding,
                descriptorType: descriptorTypes[b.type],
                descriptorCount: b.count ?? 1,
                stageFlags: b.stages,
            })),
        });
        check("vkCreateDescriptorSetLayout", vk.vkCreateDescriptorSetLayout(device.handle, info, null, this.handle));
    }
    destroy() {
        if (this.destroyed)
            return;
        this.destroyed = true;
        vk.vkDestroyDescriptorSetLayout(this.device.handle, this.handle, null);
    }
}
/** A pool sized for `sets` copies of one layout. Sets are freed with the pool. */
export class DescriptorPool {
    device;
    maxSets;
    handle = new vk.VkDescriptorPool();
    destroyed = false;
    constructor(device, layout, maxSets) {
        this.device = device;
        this.maxSets = maxSets;
        const counts = new Map();
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
    allocate(layout, count) {
        const handles = Array.from({ length: count }, () => new vk.VkDescriptorSet());
        const info = new vk.VkDescriptorSetAllocateInfo({
            descriptorPool: this.handle,
            descriptorSetCount: count,
            pSetLayouts: Array.from({ length: count }, () => layout.handle),
        });
        check("vkAllocateDescriptorSets", vk.vkAllocateDescriptorSets(this.device.handle, info, handles));
        return handles.map((h) => new DescriptorSet(this.device, h));
    }
    destroy() {
        if (this.destroyed)
            return;
        this.destroyed = true;
        vk.vkDestroyDescriptorPool(this.device.handle, this.handle, null);
    }
}
export class DescriptorSet {
    device;
    handle;
    /** Handle value for the koffi fast path. */
    raw;
    constructor(device, handle) {
        this.device = device;
        this.handle = handle;
        this.raw = rawHandle(handle);
    }
    write(writes) {
        const infos = writes.map((w) => {
            const base = { dstSet: this.handle, dstBinding: w.binding, dstArrayElement: 0, descriptorCount: 1, descriptorType: descriptorTypes[w.type] };
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
//# sourceMappingURL=descriptors.js.map