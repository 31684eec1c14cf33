// Samplers: linear filtering with mipmaps, and anisotropy when the device enabled it.
import { vk } from "./nvk.js";
import { check } from "./result.js";
export class Sampler {
    device;
    handle = new vk.VkSampler();
    anisotropy;
    destroyed = false;
    constructor(device, options = {}) {
        this.device = device;
        const filter = options.filter === "nearest" ? vk.VkFilter.VK_FILTER_NEAREST : vk.VkFilter.VK_FILTER_LINEAR;
        const address = options.addressMode === "clamp" ? vk.VkSamplerAddressMode.VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE : vk.VkSamplerAddressMode.VK_SAMPLER_ADDRESS_MODE_REPEAT;
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
    destroy() {
        if (this.destroyed)
            return;
        this.destroyed = true;
        vk.vkDestroySampler(this.device.handle, this.handle, null);
    }
}
//# sourceMappingURL=sampler.js.map