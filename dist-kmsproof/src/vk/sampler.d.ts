import type { Device } from "./device.js";
export interface SamplerOptions {
    filter?: "linear" | "nearest";
    mipLevels?: number;
    /** Use anisotropic filtering if the device has it enabled (default true). */
    anisotropy?: boolean;
    addressMode?: "repeat" | "clamp";
}
export declare class Sampler {
    readonly device: Device;
    readonly handle: import("nvk/generated/1.1.126/linux").VkSampler;
    readonly anisotropy: number;
    private destroyed;
    constructor(device: Device, options?: SamplerOptions);
    destroy(): void;
}
