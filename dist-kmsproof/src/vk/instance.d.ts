import { type VkTypes } from "./nvk.js";
import { VulkanError } from "./result.js";
import { PhysicalDevice } from "./physical-device.js";
import { Device, type DeviceOptions } from "./device.js";
export interface InstanceOptions {
    /** Enable VK_LAYER_KHRONOS_validation and route its messages to the logger (default false). */
    validation?: boolean;
    /** Throw if validation was asked for but the layer is missing (default: warn and go on). */
    requireValidation?: boolean;
    applicationName?: string;
    extensions?: string[];
}
export interface ValidationMessage {
    severity: "error" | "warning" | "info" | "verbose";
    id: string;
    message: string;
}
export type DevicePredicate = (device: PhysicalDevice) => boolean;
export declare class NoVulkanDeviceError extends Error {
    constructor(detail: string);
}
export declare class Instance implements AsyncDisposable {
    readonly handle: VkTypes.VkInstance;
    readonly validationEnabled: boolean;
    /** Validation warnings and errors seen so far (tests assert this stays empty). */
    readonly validationMessages: ValidationMessage[];
    private messenger;
    private destroyed;
    private devices;
    private constructor();
    /** Creates an instance. Async so presenters and users can treat set-up uniformly with `await using`. */
    static create(options?: InstanceOptions): Promise<Instance>;
    static createSync(options?: InstanceOptions): Instance;
    private createMessenger;
    /** Every physical device, in the driver's order. */
    physicalDevices(): PhysicalDevice[];
    /** The first device that can render and satisfies the predicate; throws NoVulkanDeviceError if none. */
    selectPhysicalDevice(predicate?: DevicePredicate, why?: string): PhysicalDevice;
    /** Creates a logical device on `physical` (default: the first that can render). */
    createDevice(options?: DeviceOptions & {
        physical?: PhysicalDevice;
    }): Device;
    /** Validation errors (not warnings) seen so far. */
    get validationErrors(): ValidationMessage[];
    destroy(): void;
    [Symbol.asyncDispose](): Promise<void>;
}
export { VulkanError };
