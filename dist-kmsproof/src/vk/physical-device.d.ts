import { type VkTypes } from "./nvk.js";
export type DeviceType = "other" | "integrated-gpu" | "discrete-gpu" | "virtual-gpu" | "cpu";
export interface QueueFamily {
    index: number;
    count: number;
    graphics: boolean;
    compute: boolean;
    transfer: boolean;
}
export interface PciBusInfo {
    domain: number;
    bus: number;
    device: number;
    function: number;
}
export interface MemoryType {
    index: number;
    heapIndex: number;
    flags: number;
}
export declare class PhysicalDevice {
    readonly handle: VkTypes.VkPhysicalDevice;
    readonly name: string;
    readonly type: DeviceType;
    readonly apiVersion: string;
    readonly driverVersion: number;
    readonly vendorId: number;
    readonly deviceId: number;
    readonly queueFamilies: readonly QueueFamily[];
    readonly extensions: ReadonlySet<string>;
    readonly limits: {
        maxImageDimension2D: number;
        maxSamplerAnisotropy: number;
    };
    readonly features: {
        samplerAnisotropy: boolean;
    };
    readonly memoryTypes: readonly MemoryType[];
    /** PCI location, when the driver reports it (VK_EXT_pci_bus_info): matches a DRM device to this one. */
    readonly pciBusInfo: PciBusInfo | undefined;
    constructor(handle: VkTypes.VkPhysicalDevice);
    /** The first queue family that can do graphics, or undefined. */
    get graphicsQueueFamily(): QueueFamily | undefined;
    formatFeatures(format: VkTypes.VkFormat): {
        linear: number;
        optimal: number;
        buffer: number;
    };
    /** DRM format modifiers the driver supports for format (VK_EXT_image_drm_format_modifier). */
    drmFormatModifiers(format: VkTypes.VkFormat): {
        modifier: bigint;
        planes: number;
        features: number;
    }[];
    /** One readable line: name, type, API version, queues and the extensions scanout cares about. */
    summary(): string;
}
