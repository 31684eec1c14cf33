import { type VkTypes } from "./nvk.js";
import type { Device } from "./device.js";
import type { Buffer } from "./buffer.js";
import type { ImageView } from "./image.js";
import type { Sampler } from "./sampler.js";
export declare const ShaderStage: {
    readonly vertex: VkTypes.VkShaderStageFlagBits.VK_SHADER_STAGE_VERTEX_BIT;
    readonly fragment: VkTypes.VkShaderStageFlagBits.VK_SHADER_STAGE_FRAGMENT_BIT;
    readonly all: VkTypes.VkShaderStageFlagBits.VK_SHADER_STAGE_ALL_GRAPHICS;
};
export type DescriptorType = "uniform-buffer" | "combined-image-sampler" | "storage-buffer";
export interface DescriptorBinding {
    binding: number;
    type: DescriptorType;
    /** ShaderStage flags, or'ed. */
    stages: number;
    count?: number;
}
export declare class DescriptorSetLayout {
    readonly device: Device;
    readonly bindings: readonly DescriptorBinding[];
    readonly handle: VkTypes.VkDescriptorSetLayout;
    private destroyed;
    constructor(device: Device, bindings: readonly DescriptorBinding[]);
    destroy(): void;
}
/** A pool sized for `sets` copies of one layout. Sets are freed with the pool. */
export declare class DescriptorPool {
    readonly device: Device;
    readonly maxSets: number;
    readonly handle: VkTypes.VkDescriptorPool;
    private destroyed;
    constructor(device: Device, layout: DescriptorSetLayout, maxSets: number);
    allocate(layout: DescriptorSetLayout, count: number): DescriptorSet[];
    destroy(): void;
}
export type DescriptorWrite = {
    binding: number;
    type: "uniform-buffer" | "storage-buffer";
    buffer: Buffer;
    offset?: number;
    range?: number;
} | {
    binding: number;
    type: "combined-image-sampler";
    view: ImageView;
    sampler: Sampler;
};
export declare class DescriptorSet {
    readonly device: Device;
    readonly handle: VkTypes.VkDescriptorSet;
    /** Handle value for the koffi fast path. */
    readonly raw: bigint;
    constructor(device: Device, handle: VkTypes.VkDescriptorSet);
    write(writes: readonly DescriptorWrite[]): void;
}
