import { type VkTypes } from "./nvk.js";
import type { Device } from "./device.js";
import type { Buffer } from "./buffer.js";
import type { Image } from "./image.js";
import type { Pipeline, PipelineLayout } from "./pipeline.js";
import type { DescriptorSet } from "./descriptors.js";
import type { Framebuffer, RenderPass } from "./render-pass.js";
export interface CommandPoolOptions {
    /** Short-lived buffers (one-shot uploads). */
    transient?: boolean;
    /** Buffers can be reset one by one (default true: frames re-record their buffer). */
    resettable?: boolean;
    queueFamilyIndex?: number;
}
export declare class CommandPool {
    readonly device: Device;
    readonly handle: VkTypes.VkCommandPool;
    private destroyed;
    private constructor();
    static create(device: Device, options?: CommandPoolOptions): CommandPool;
    allocate(count: number): CommandBuffer[];
    free(buffers: CommandBuffer[]): void;
    destroy(): void;
}
export interface TransitionOptions {
    from: number;
    to: number;
    baseMipLevel?: number;
    levelCount?: number;
}
export declare class CommandBuffer {
    readonly device: Device;
    readonly handle: VkTypes.VkCommandBuffer;
    private readonly beginInfo;
    private readonly passBegin;
    private readonly clearBytes;
    private readonly viewports;
    private readonly scissors;
    private readonly oneHandle;
    private readonly oneHandleAddress;
    private readonly oneOffset;
    private readonly oneOffsetAddress;
    private readonly lastClear;
    /** The VkCommandBuffer's handle value, for the koffi fast path. */
    readonly raw: bigint;
    constructor(device: Device, handle: VkTypes.VkCommandBuffer);
    begin(options?: {
        oneTime?: boolean;
    }): this;
    end(): void;
    reset(): void;
    /** Begins a render pass over the whole framebuffer, clearing colour (RGBA 0..1) and depth to 1. */
    beginRenderPass(renderPass: RenderPass, framebuffer: Framebuffer, clear?: readonly number[]): void;
    endRenderPass(): void;
    /** Sets viewport and scissor to the whole w×h target (pipelines use dynamic viewport state). */
    setViewportAndScissor(width: number, height: number): void;
    bindPipeline(pipeline: Pipeline): void;
    bindDescriptorSet(layout: PipelineLayout, set: DescriptorSet, index?: number): void;
    bindVertexBuffer(buffer: Buffer, offset?: number, binding?: number): void;
    bindIndexBuffer(buffer: Buffer, type: "uint16" | "uint32", offset?: number): void;
    /** Pushes data (an ArrayBuffer of its own, not a view into a larger one) as push constants. */
    pushConstants(layout: PipelineLayout, stages: number, data: ArrayBuffer, offset?: number): void;
    draw(vertexCount: number, instanceCount?: number, firstVertex?: number, firstInstance?: number): void;
    drawIndexed(indexCount: number, instanceCount?: number, firstIndex?: number, vertexOffset?: number, firstInstance?: number): void;
    /** Image layout transition with access masks and stages derived from the two layouts. */
    transition(image: Image, options: TransitionOptions): void;
    /** Copies a tightly packed buffer into mip level 0 of image (in TRANSFER_DST_OPTIMAL). */
    copyBufferToImage(buffer: Buffer, image: Image): void;
    /** Copies mip level 0 of image (in `layout`) into a tightly packed buffer. */
    copyImageToBuffer(image: Image, buffer: Buffer, layout?: number): void;
    copyBuffer(src: Buffer, dst: Buffer, size?: number): void;
    /** Blits mip level `level-1` into `level` (both of image), halving the size, with linear filtering. */
    blitMip(image: Image, level: number): void;
}
