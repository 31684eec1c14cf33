import type { Device } from "./device.js";
import type { DescriptorSetLayout } from "./descriptors.js";
import type { RenderPass } from "./render-pass.js";
import type { ShaderModule } from "./shader.js";
import type { Format } from "./image.js";
export interface PushConstantRange {
    stages: number;
    offset?: number;
    size: number;
}
export declare class PipelineLayout {
    readonly device: Device;
    readonly handle: import("nvk/generated/1.1.126/linux").VkPipelineLayout;
    private destroyed;
    constructor(device: Device, options?: {
        setLayouts?: DescriptorSetLayout[];
        pushConstants?: PushConstantRange[];
    });
    /** Handle value for the koffi fast path. */
    readonly raw: bigint;
    destroy(): void;
}
export interface VertexAttribute {
    location: number;
    format: Format;
    offset: number;
}
export interface GraphicsPipelineOptions {
    renderPass: RenderPass;
    layout: PipelineLayout;
    vertex: ShaderModule;
    fragment: ShaderModule;
    /** One interleaved vertex buffer at binding 0; omit for shaders that make their own vertices. */
    vertexInput?: {
        stride: number;
        attributes: VertexAttribute[];
    };
    topology?: "triangle-list" | "triangle-strip" | "line-list";
    cullMode?: "none" | "back" | "front";
    /** Winding of front faces (default counter-clockwise). */
    frontFace?: "ccw" | "cw";
    depthTest?: boolean;
    blend?: boolean;
}
export declare class Pipeline {
    readonly device: Device;
    readonly handle: import("nvk/generated/1.1.126/linux").VkPipeline;
    private destroyed;
    private constructor();
    /** Handle value for the koffi fast path. */
    readonly raw: bigint;
    static createGraphics(device: Device, options: GraphicsPipelineOptions): Pipeline;
    destroy(): void;
}
