// Physical devices: what a device is and can do, read once, in plain TypeScript values.
import { vk, chain } from "./nvk.js";
const deviceTypes = ["other", "integrated-gpu", "discrete-gpu", "virtual-gpu", "cpu"];
function enumerate(fill, make) {
    const count = { $: 0 };
    fill(count, null);
    const out = Array.from({ length: count.$ }, make);
    if (out.length > 0)
        fill(count, out);
    return out.slice(0, count.$);
}
export class PhysicalDevice {
    handle;
    name;
    type;
    apiVersion;
    driverVersion;
    vendorId;
    deviceId;
    queueFamilies;
    extensions;
    limits;
    features;
    memoryTypes;
    /** PCI location, when the driver reports it (VK_EXT_pci_bus_info): matches a DRM device to this one. */
    pciBusInfo;
    constructor(handle) {
        this.handle = handle;
        const props = new vk.VkPhysicalDeviceProperties();
        vk.vkGetPhysicalDeviceProperties(handle, props);
        this.name = props.deviceName ?? "unknown";
        this.type = deviceTypes[props.deviceType] ?? "other";
        const v = props.apiVersion;
        this.apiVersion = `${v >>> 22}.${(v >>> 12) & 0x3ff}.${v & 0xfff}`;
        this.driverVersion = props.driverVersion;
        this.vendorId = props.vendorID;
        this.deviceId = props.deviceID;
        const limits = props.limits;
        this.limits = {
            maxImageDimension2D: limits.maxImageDimension2D,
            maxSamplerAnisotropy: limits.maxSamplerAnisotropy,
        };
        const families = enumerate((c, out) => vk.vkGetPhysicalDeviceQueueFamilyProperties(handle, c, out), () => new vk.VkQueueFamilyProperties());
        this.queueFamilies = families.map((f, index) => ({
            index,
            count: f.queueCount,
            graphics: (f.queueFlags & vk.VkQueueFlagBits.VK_QUEUE_GRAPHICS_BIT) !== 0,
            compute: (f.queueFlags & vk.VkQueueFlagBits.VK_QUEUE_COMPUTE_BIT) !== 0,
            transfer: (f.queueFlags & vk.VkQueueFlagBits.VK_QUEUE_TRANSFER_BIT) !== 0,
        }));
        const exts = enumerate((c, out) => vk.vkEnumerateDeviceExtensionProperties(handle, null, c, out), () => new vk.VkExtensionProperties());
        this.extensions = new Set(exts.map((e) => e.extensionName ?? ""));
        const features = new vk.VkPhysicalDeviceFeatures();
        vk.vkGetPhysicalDeviceFeatures(handle, features);
        this.features = { samplerAnisotropy: features.samplerAnisotropy };
        const mem = new vk.VkPhysicalDeviceMemoryProperties();
        vk.vkGetPhysicalDeviceMemoryProperties(handle, mem);
        this.memoryTypes = mem.memoryTypes.slice(0, mem.memoryTypeCount).map((t, index) => ({
            index,
            heapIndex: t.heapIndex,
            flags: t.propertyFlags,
        }));
        if (this.extensions.has("VK_EXT_pci_bus_info")) {
            const pci = new vk.VkPhysicalDevicePCIBusInfoPropertiesEXT();
            vk.vkGetPhysicalDeviceProperties2(handle, new vk.VkPhysicalDeviceProperties2({ pNext: chain(pci) }));
            this.pciBusInfo = { domain: pci.pciDomain, bus: pci.pciBus, device: pci.pciDevice, function: pci.pciFunction };
        }
    }
    /** The first queue family that can do graphics, or undefined. */
    get graphicsQueueFamily() {
        return this.queueFamilies.find((f) => f.graphics);
    }
    formatFeatures(format) {
        const p = new vk.VkFormatProperties();
        vk.vkGetPhysicalDeviceFormatProperties(this.handle, format, p);
        return { linear: p.linearTilingFeatures, optimal: p.optimalTilingFeatures, buffer: p.bufferFeatures };
    }
    /** DRM format modifiers the driver supports for format (VK_EXT_image_drm_format_modifier). */
    drmFormatModifiers(format) {
        if (!this.extensions.has("VK_EXT_image_drm_format_modifier"))
            return [];
        const list = new vk.VkDrmFormatModifierPropertiesListEXT();
        const props2 = new vk.VkFormatProperties2({ pNext: chain(list) });
        vk.vkGetPhysicalDeviceFormatProperties2(this.handle, format, props2);
        const count = list.drmFormatModifierCount;
        if (count === 0)
            return [];
        const entries = Array.from({ length: count }, () => new vk.VkDrmFormatModifierPropertiesEXT());
        const list2 = new vk.VkDrmFormatModifierPropertiesListEXT({ drmFormatModifierCount: count, pDrmFormatModifierProperties: entries });
        vk.vkGetPhysicalDeviceFormatProperties2(this.handle, format, new vk.VkFormatProperties2({ pNext: chain(list2) }));
        const got = list2.pDrmFormatModifierProperties ?? entries;
        return got.slice(0, list2.drmFormatModifierCount).map((e) => ({
            modifier: BigInt(e.drmFormatModifier),
            planes: e.drmFormatModifierPlaneCount,
            features: e.drmFormatModifierTilingFeatures,
        }));
    }
    /** One readable line: name, type, API version, queues and the extensions scanout cares about. */
    summary() {
        const interesting = [
            "VK_KHR_external_memory_fd",
            "VK_EXT_external_memory_dma_buf",
            "VK_EXT_image_drm_format_modifier",
            "VK_KHR_external_semaphore_fd",
            "VK_EXT_physical_device_drm",
            "VK_EXT_pci_bus_info",
        ].filter((e) => this.extensions.has(e));
        const queues = this.queueFamilies
            .map((f) => `${f.index}:${[f.graphics && "G", f.compute && "C", f.transfer && "T"].filter(Boolean).join("")}x${f.count}`)
            .join(" ");
        return `${this.name} (${this.type}, Vulkan ${this.apiVersion}) queues [${queues}] ${interesting.join(" ") || "no external-memory extensions"}`;
    }
}
//# sourceMappingURL=physical-device.js.map