// Samplers: linear filtering with mipmaps, and anisotropy when the device enabled it.
import { vk, type VkTypes } from "./nvk.js";
import { check } from "./result.js";
import { adopt, DeviceResource, type Owned } from "./resource.js";
import type { Device } from "./device.js";

export interface SamplerOptions extends Owned {
  filter?: "linear" | "nearest";
  mipLevels?: number;
  /** Use anisotropic filtering if the device has it enabled (default true). */
  anisotropy?: boolean;
  addressMode?: "repeat" | "clamp";
}

/** How shaders sample a texture: filtering, mipmapping, wrapping, and anisotropy (up to 16x when the device enabled samplerAnisotropy). */
export class Sampler extends DeviceResource<VkTypes.VkSampler> {
  readonly anisotropy: number;

  private constructor(device: Device, options: SamplerOptions) {
    super(device, new vk.VkSampler(), vk.vkDestroySampler);
    const filter = options.filter === "nearest" ? vk.VkFilter.VK_FILTER_NEAREST : vk.VkFilter.VK_FILTER_LINEAR;
    const address =
      options.addressMode === "clamp" ? vk.VkSamplerAddressMode.VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE : vk.VkSamplerAddressMode.VK_SAMPLER_ADDRESS_MODE_REPEAT;
    const useAniso = (options.anisotropy ?? true) && device.features.samplerAnisotropy;
    this.anisotropy = useAniso ? Math.min(16, device.physical.limits.maxSamplerAnisotropy) : 1;
    const info = new vk.VkSamplerCreateInfo({
      magFilter: filter,
      minFilter: filter,
      mipmapMode: options.filter === "nearest" ? vk.VkSamplerMipmapMode.VK_SAMPLER_MIPMAP_MODE_NEAREST : vk.VkSamplerMipmapMode.VK_SAMPLER_MIPMAP_MODE_LINEAR,
      addressModeU: address,
      addressModeV: address,
      addressModeW: address,
      mipLodBias: 0,
      anisotropyEnable: useAniso,
      maxAnisotropy: this.anisotropy,
      compareEnable: false,
      compareOp: vk.VkCompareOp.VK_COMPARE_OP_ALWAYS,
      minLod: 0,
      maxLod: options.mipLevels ?? 1,
      borderColor: vk.VkBorderColor.VK_BORDER_COLOR_INT_OPAQUE_BLACK,
      unnormalizedCoordinates: false,
    });
    check("vkCreateSampler", vk.vkCreateSampler(device.handle, info, null, this.handle));
  }

  /** A sampler; defaults: linear filtering with linear mip blending over 1 level, repeat addressing, anisotropy when available. Throws VulkanError when creation fails. */
  static create(device: Device, options: SamplerOptions = {}): Sampler {
    return adopt(new Sampler(device, options), options);
  }
}
