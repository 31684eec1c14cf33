// What goes wrong in the Vulkan layer besides a failing VkResult (VulkanError, result.ts) and a
// resource used after destroy (UseAfterDestroyError, resource.ts): each error names the device,
// scope, resource or layer involved, so a caller can tell a missing capability from a misuse.

/** The device lacks what was asked of it: a queue family, an extension or its function, a format or memory type. */
export class DeviceCapabilityError extends Error {
  constructor(
    /** The device, as VkPhysicalDeviceProperties.deviceName names it. */
    readonly device: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "DeviceCapabilityError";
  }
}

/** Something was added to a Scope that has already closed (it would never be destroyed). */
export class ScopeClosedError extends Error {
  constructor(
    /** The scope's name. */
    readonly scope: string,
  ) {
    super(`${scope}: already closed`);
    this.name = "ScopeClosedError";
  }
}

/** A resource was asked for something it was not created for (e.g. exportDmabuf on an image made without it). */
export class ResourceUsageError extends Error {
  constructor(
    /** The resource as it prints, e.g. "Image 640x480 (target 0)". */
    readonly resource: string,
    /** The call, e.g. "exportDmabuf". */
    readonly call: string,
    detail: string,
  ) {
    super(`${resource}.${call}: ${detail}`);
    this.name = "ResourceUsageError";
  }
}

/** Validation was required (InstanceOptions.requireValidation) but the validation layer is not installed. */
export class ValidationLayerMissingError extends Error {
  constructor(
    /** The layer's name, VK_LAYER_KHRONOS_validation. */
    readonly layer: string,
    hint: string,
  ) {
    super(`validation requested but ${layer} is not installed (${hint})`);
    this.name = "ValidationLayerMissingError";
  }
}

/** Thrown when a shader file is missing, unreadable, not SPIR-V, not valid GLSL (GlslCompileError), or refused by the driver; `file` names it and the message says which. */
export class ShaderError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = "ShaderError";
  }
}
