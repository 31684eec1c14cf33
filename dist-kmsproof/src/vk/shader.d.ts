import type { Device } from "./device.js";
/** The project's shaders/ folder (works from src/ under ts and from dist/src/ once compiled). */
export declare function shaderPath(name: string): string;
export declare class ShaderError extends Error {
    readonly file: string;
    constructor(file: string, detail: string);
}
export declare function readSpirv(file: string): Uint8Array;
export declare class ShaderModule {
    readonly device: Device;
    readonly file: string;
    readonly handle: import("nvk/generated/1.1.126/linux").VkShaderModule;
    private destroyed;
    private constructor();
    /** Loads a module from a path, or from a bare name looked up in the project's shaders/ folder. */
    static load(device: Device, file: string): ShaderModule;
    destroy(): void;
}
