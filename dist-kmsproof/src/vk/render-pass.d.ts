import type { Device } from "./device.js";
import type { Format, ImageLayout, ImageView } from "./image.js";
export interface RenderPassOptions {
    color: {
        format: Format;
        finalLayout: ImageLayout; /** keep previous contents instead of clearing */
        load?: boolean;
    };
    depth?: {
        format: Format;
    };
}
export declare class RenderPass {
    readonly device: Device;
    readonly options: RenderPassOptions;
    readonly handle: import("nvk/generated/1.1.126/linux").VkRenderPass;
    readonly hasDepth: boolean;
    private destroyed;
    private constructor();
    static create(device: Device, options: RenderPassOptions): RenderPass;
    destroy(): void;
}
export declare class Framebuffer {
    readonly device: Device;
    readonly renderPass: RenderPass;
    readonly attachments: readonly ImageView[];
    readonly width: number;
    readonly height: number;
    readonly handle: import("nvk/generated/1.1.126/linux").VkFramebuffer;
    private destroyed;
    private constructor();
    static create(device: Device, options: {
        renderPass: RenderPass;
        attachments: ImageView[];
        width: number;
        height: number;
    }): Framebuffer;
    destroy(): void;
}
