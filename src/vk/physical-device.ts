// Physical devices: what a device is and can do, read once, in plain TypeScript values.
import { inspect } from "node:util";
import { vk, chain, type VkTypes } from "./nvk.js";

/** The kind of a physical device (VkPhysicalDeviceType); software rasterizers such as lavapipe report "cpu". */
export type DeviceType = "other" | "integrated-gpu" | "discrete-gpu" | "virtual-gpu" | "cpu";
const deviceTypes: DeviceType[] = ["other", "integrated-gpu", "discrete-gpu", "virtual-gpu", "cpu"];

/** A queue family: its index, how many queues it has, and whether they do graphics, compute and transfer work. */
export interface QueueFamily {
  index: number;
  count: number;
  graphics: boolean;
  compute: boolean;
  transfer: boolean;
}

/** A device's PCI address (VK_EXT_pci_bus_info), comparable with a DRM device's bus info to find the GPU behind a display. */
export interface PciBusInfo {
  domain: number;
  bus: number;
  device: number;
  function: number;
}

/** A memory type of the device: its index (for allocation), the heap it comes from, and its VkMemoryPropertyFlags (see MemoryProperty). */
export interface MemoryType {
  index: number;
  heapIndex: number;
  flags: number;
}

function enumerate<T>(fill: (count: { $: number }, out: T[] | null) => unknown, make: () => T): T[] {
  const count = { $: 0 };
  fill(count, null);
  const out = Array.from({ length: count.$ }, make);
  if (out.length > 0) fill(count, out);
  return out.slice(0, count.$);
}

/**
 * A Vulkan-capable device as the driver describes it (name, type, limits, queue families, extensions, memory types), read
 * once when listed. Get them from Instance.physicalDevices() or selectPhysicalDevice(); never made by an app.
 */
export class PhysicalDevice {
  readonly name: string;
  readonly type: DeviceType;
  readonly apiVersion: string;
  readonly driverVersion: number;
  readonly vendorId: number;
  readonly deviceId: number;
  /** The driver's pipeline cache identity (16 bytes): cache data is only valid for a device with the same UUID. */
  readonly pipelineCacheUUID: Uint8Array;
  readonly queueFamilies: readonly QueueFamily[];
  readonly extensions: ReadonlySet<string>;
  readonly limits: { maxImageDimension2D: number; maxSamplerAnisotropy: number };
  readonly features: { samplerAnisotropy: boolean };
  readonly memoryTypes: readonly MemoryType[];
  /** PCI location, when the driver reports it (VK_EXT_pci_bus_info): matches a DRM device to this one. */
  readonly pciBusInfo: PciBusInfo | undefined;

  constructor(readonly handle: VkTypes.VkPhysicalDevice) {
    const props = new vk.VkPhysicalDeviceProperties();
    vk.vkGetPhysicalDeviceProperties(handle, props);
    this.name = props.deviceName ?? "unknown";
    this.type = deviceTypes[props.deviceType as number] ?? "other";
    const v = props.apiVersion;
    this.apiVersion = `${v >>> 22}.${(v >>> 12) & 0x3ff}.${v & 0xfff}`;
    this.driverVersion = props.driverVersion;
    this.vendorId = props.vendorID;
    this.deviceId = props.deviceID;
    this.pipelineCacheUUID = Uint8Array.from(props.pipelineCacheUUID ?? []);
    const limits = props.limits!;
    this.limits = {
      maxImageDimension2D: limits.maxImageDimension2D,
      maxSamplerAnisotropy: limits.maxSamplerAnisotropy,
    };

    const families = enumerate<VkTypes.VkQueueFamilyProperties>(
      (c, out) => vk.vkGetPhysicalDeviceQueueFamilyProperties(handle, c, out),
      () => new vk.VkQueueFamilyProperties(),
    );
    this.queueFamilies = families.map((f, index) => ({
      index,
      count: f.queueCount,
      graphics: (f.queueFlags & vk.VkQueueFlagBits.VK_QUEUE_GRAPHICS_BIT) !== 0,
      compute: (f.queueFlags & vk.VkQueueFlagBits.VK_QUEUE_COMPUTE_BIT) !== 0,
      transfer: (f.queueFlags & vk.VkQueueFlagBits.VK_QUEUE_TRANSFER_BIT) !== 0,
    }));

    const exts = enumerate<VkTypes.VkExtensionProperties>(
      (c, out) => vk.vkEnumerateDeviceExtensionProperties(handle, null, c, out),
      () => new vk.VkExtensionProperties(),
    );
    this.extensions = new Set(exts.map((e) => e.extensionName ?? ""));

    const features = new vk.VkPhysicalDeviceFeatures();
    vk.vkGetPhysicalDeviceFeatures(handle, features);
    this.features = { samplerAnisotropy: features.samplerAnisotropy };

    const mem = new vk.VkPhysicalDeviceMemoryProperties();
    vk.vkGetPhysicalDeviceMemoryProperties(handle, mem);
    this.memoryTypes = mem.memoryTypes!.slice(0, mem.memoryTypeCount).map((t, index) => ({
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
  get graphicsQueueFamily(): QueueFamily | undefined {
    return this.queueFamilies.find((f) => f.graphics);
  }

  /** What format can be used for with linear and optimal image tiling and in buffers, as VkFormatFeatureFlags. */
  formatFeatures(format: VkTypes.VkFormat): { linear: number; optimal: number; buffer: number } {
    const p = new vk.VkFormatProperties();
    vk.vkGetPhysicalDeviceFormatProperties(this.handle, format, p);
    return { linear: p.linearTilingFeatures, optimal: p.optimalTilingFeatures, buffer: p.bufferFeatures };
  }

  /** DRM format modifiers the driver supports for format (VK_EXT_image_drm_format_modifier). */
  drmFormatModifiers(format: VkTypes.VkFormat): { modifier: bigint; planes: number; features: number }[] {
    if (!this.extensions.has("VK_EXT_image_drm_format_modifier")) return [];
    const list = new vk.VkDrmFormatModifierPropertiesListEXT();
    const props2 = new vk.VkFormatProperties2({ pNext: chain(list) });
    vk.vkGetPhysicalDeviceFormatProperties2(this.handle, format, props2);
    const count = list.drmFormatModifierCount;
    if (count === 0) return [];
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

  /** One line: name, type and Vulkan version, e.g. "PhysicalDevice(llvmpipe (LLVM 15.0.6, 256 bits), cpu, Vulkan 1.3.238)". */
  toString(): string {
    return `PhysicalDevice(${this.name}, ${this.type}, Vulkan ${this.apiVersion})`;
  }

  /** How it prints in the REPL: as toString(). */
  [inspect.custom](): string {
    return this.toString();
  }

  /** One readable line: name, type, API version, queues and the extensions scanout cares about. */
  summary(): string {
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
