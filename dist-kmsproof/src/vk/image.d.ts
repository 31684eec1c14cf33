import { type VkTypes } from "./nvk.js";
import type { Device } from "./device.js";
import { DeviceMemory } from "./memory.js";
export declare const ImageUsage: {
    readonly transferSrc: VkTypes.VkImageUsageFlagBits.VK_IMAGE_USAGE_TRANSFER_SRC_BIT;
    readonly transferDst: VkTypes.VkImageUsageFlagBits.VK_IMAGE_USAGE_TRANSFER_DST_BIT;
    readonly sampled: VkTypes.VkImageUsageFlagBits.VK_IMAGE_USAGE_SAMPLED_BIT;
    readonly colorAttachment: VkTypes.VkImageUsageFlagBits.VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT;
    readonly depthStencilAttachment: VkTypes.VkImageUsageFlagBits.VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT;
};
export declare const Format: typeof VkTypes.VkFormat;
export type Format = VkTypes.VkFormat;
export declare const ImageLayout: typeof VkTypes.VkImageLayout;
export type ImageLayout = VkTypes.VkImageLayout;
/** DRM_FORMAT_MOD_LINEAR and DRM_FORMAT_MOD_INVALID (from drm_fourcc.h). */
export declare const MOD_LINEAR = 0n;
export declare const MOD_INVALID = 72057594037927935n;
export interface ImageOptions {
    width: number;
    height: number;
    format: Format;
    /** ImageUsage flags, or'ed. */
    usage: number;
    mipLevels?: number;
    aspect?: "color" | "depth";
    tiling?: "optimal" | "linear";
    /**
     * Make the image exportable as a dmabuf. With `modifiers` (needs VK_EXT_image_drm_format_modifier)
     * the driver picks one of them; without, the image is LINEAR.
     */
    exportDmabuf?: {
        modifiers?: readonly bigint[];
    };
    what?: string;
}
export interface DmabufPlane {
    offset: number;
    stride: number;
}
export interface DmabufExport {
    /** The dmabuf fd; the caller owns it and must close it. */
    fd: number;
    modifier: bigint;
    planes: DmabufPlane[];
}
export declare class Image {
    readonly device: Device;
    readonly handle: VkTypes.VkImage;
    readonly memory: DeviceMemory;
    readonly width: number;
    readonly height: number;
    readonly format: Format;
    readonly mipLevels: number;
    readonly aspect: number;
    /** The DRM modifier of an exportable image (MOD_LINEAR for linear ones), else undefined. */
    readonly modifier: bigint | undefined;
    readonly what: string;
    private destroyed;
    private constructor();
    static create(device: Device, options: ImageOptions): Image;
    /** Offset and row pitch of plane 0 as the driver laid it out (for dmabuf and shm copies). */
    planeLayout(plane?: number): DmabufPlane;
    /** Exports the image's memory as a dmabuf with its modifier and plane layout. */
    exportDmabuf(): DmabufExport;
    createView(): ImageView;
    destroy(): void;
}
export declare class ImageView {
    readonly image: Image;
    readonly handle: VkTypes.VkImageView;
    private destroyed;
    constructor(image: Image);
    destroy(): void;
}
/** The first of `candidates` usable as a depth attachment with optimal tiling. */
export declare function pickDepthFormat(device: Device, candidates?: Format[]): Format;
