// Host memory as image memory (VK_EXT_external_memory_host): whether the device takes it, and how a
// LINEAR image would lie in it, so memory mapped for someone else (a wl_shm pool) can be laid out
// for the GPU to render straight into it. lavapipe has the extension; where a device lacks it, or
// refuses the format, the reason comes back instead and the caller copies as before.
import { vk } from "./nvk.js";
import { check } from "./result.js";
import { fast, structAddress } from "./fast.js";
import { HOST_ALLOCATION } from "./memory.js";
import type { Device } from "./device.js";
import type { CommandBuffer } from "./commands.js";
import type { Format } from "./image.js";

export const HOST_MEMORY_EXTENSION = "VK_EXT_external_memory_host";

/** How a LINEAR image of one format and size lies in imported host memory. */
export interface HostImageLayout {
  /** Bytes between rows (the driver's row pitch). */
  readonly stride: number;
  /** Bytes of host memory to import per image: the image's size rounded up to `alignment`. */
  readonly size: number;
  /** minImportedHostPointerAlignment: addresses and sizes imported must be multiples of it. */
  readonly alignment: number;
}

/** The device's minImportedHostPointerAlignment, or why host memory cannot be imported. */
export function hostImportAlignment(device: Device): number | string {
  if (!device.has(HOST_MEMORY_EXTENSION)) return `the device has no ${HOST_MEMORY_EXTENSION}`;
  const props = new vk.VkPhysicalDeviceExternalMemoryHostPropertiesEXT();
  vk.vkGetPhysicalDeviceProperties2(device.physical.handle, new vk.VkPhysicalDeviceProperties2({ pNext: props as unknown as null }));
  const alignment = Number(props.minImportedHostPointerAlignment);
  // a page or a few: larger would waste most of a small buffer
  if (!(alignment > 0 && (alignment & (alignment - 1)) === 0 && alignment <= 1 << 16)) return `minImportedHostPointerAlignment ${alignment} is not a power of two up to 64 KiB`;
  return alignment;
}

/** Whether LINEAR images of `format` with `usage` can be bound to imported host memory. */
function importable(device: Device, format: Format, usage: number): boolean {
  const external = new vk.VkPhysicalDeviceExternalImageFormatInfo({ handleType: HOST_ALLOCATION });
  const info = new vk.VkPhysicalDeviceImageFormatInfo2({
    pNext: external as unknown as null,
    format,
    type: vk.VkImageType.VK_IMAGE_TYPE_2D,
    tiling: vk.VkImageTiling.VK_IMAGE_TILING_LINEAR,
    usage,
  });
  const result = new vk.VkExternalImageFormatProperties();
  const props = new vk.VkImageFormatProperties2({ pNext: result as unknown as null });
  if (vk.vkGetPhysicalDeviceImageFormatProperties2(device.physical.handle, info, props) !== vk.VkResult.VK_SUCCESS) return false;
  // externalMemoryProperties.externalMemoryFeatures, read from the struct's memory (nested output struct)
  const features = new DataView(result.memoryBuffer).getUint32(16, true);
  return (features & vk.VkExternalMemoryFeatureFlagBits.VK_EXTERNAL_MEMORY_FEATURE_IMPORTABLE_BIT) !== 0;
}

/**
 * How a LINEAR `width` x `height` image of `format` with `usage` would lie in imported host memory,
 * or why it cannot: no extension, an odd alignment, a format the driver will not import, or a row
 * pitch that is not whole pixels of `bytesPerPixel`.
 */
export function planHostImage(device: Device, format: Format, width: number, height: number, usage: number, bytesPerPixel: number): HostImageLayout | string {
  const alignment = hostImportAlignment(device);
  if (typeof alignment === "string") return alignment;
  if (!importable(device, format, usage)) return `the driver does not import host memory for LINEAR ${format} images`;
  // a probe image, never bound: its memory requirements and row pitch
  const image = new vk.VkImage();
  const info = new vk.VkImageCreateInfo({
    pNext: new vk.VkExternalMemoryImageCreateInfo({ handleTypes: HOST_ALLOCATION }) as unknown as null,
    imageType: vk.VkImageType.VK_IMAGE_TYPE_2D,
    format,
    extent: new vk.VkExtent3D({ width, height, depth: 1 }),
    mipLevels: 1,
    arrayLayers: 1,
    samples: vk.VkSampleCountFlagBits.VK_SAMPLE_COUNT_1_BIT,
    tiling: vk.VkImageTiling.VK_IMAGE_TILING_LINEAR,
    usage,
    sharingMode: vk.VkSharingMode.VK_SHARING_MODE_EXCLUSIVE,
    initialLayout: vk.VkImageLayout.VK_IMAGE_LAYOUT_UNDEFINED,
  });
  check("vkCreateImage", vk.vkCreateImage(device.handle, info, null, image), `host-memory probe ${width}x${height}`);
  try {
    const req = new vk.VkMemoryRequirements();
    vk.vkGetImageMemoryRequirements(device.handle, image, req);
    const layout = new vk.VkSubresourceLayout();
    const sub = new vk.VkImageSubresource({ aspectMask: vk.VkImageAspectFlagBits.VK_IMAGE_ASPECT_COLOR_BIT, mipLevel: 0, arrayLayer: 0 });
    vk.vkGetImageSubresourceLayout(device.handle, image, sub, layout);
    const stride = Number(layout.rowPitch);
    const offset = Number(layout.offset);
    if (stride % bytesPerPixel) return `the driver's row pitch ${stride} is not whole ${bytesPerPixel}-byte pixels`;
    if (offset !== 0) return `the driver puts the pixels ${offset} bytes into the image's memory`;
    if (Number(req.alignment) > alignment) return `the image wants ${req.alignment}-byte aligned memory, above the import alignment ${alignment}`;
    const size = Math.ceil(Number(req.size) / alignment) * alignment;
    return { stride, size, alignment };
  } finally {
    vk.vkDestroyImage(device.handle, image, null);
  }
}

/**
 * The memory types host memory in `mapping` can be imported as (vkGetMemoryHostPointerPropertiesEXT).
 * Asked of the mapping's start: nvk takes the pointer as an ArrayBuffer, and a second ArrayBuffer over
 * part of a mapping is unsafe; one mapping is one kind of memory, so its types hold for every page.
 */
export function hostPointerMemoryTypes(device: Device, mapping: ArrayBuffer): number {
  const props = new vk.VkMemoryHostPointerPropertiesEXT();
  check("vkGetMemoryHostPointerPropertiesEXT", vk.vkGetMemoryHostPointerPropertiesEXT(device.handle, HOST_ALLOCATION, mapping, props));
  return props.memoryTypeBits;
}

/** The barrier that makes colour-attachment writes visible to the host once the fence signals (made once). */
const COLOR_TO_HOST = new vk.VkMemoryBarrier({
  srcAccessMask: vk.VkAccessFlagBits.VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT,
  dstAccessMask: vk.VkAccessFlagBits.VK_ACCESS_HOST_READ_BIT,
});

let colorToHostAddress: bigint | undefined;

/** Records the barrier after which the host (a compositor reading shm) may read what the render pass wrote (per frame: the fast path). */
export function recordColorWritesToHost(cmd: CommandBuffer): void {
  colorToHostAddress ??= structAddress(COLOR_TO_HOST);
  const S = vk.VkPipelineStageFlagBits;
  fast.cmdPipelineBarrier(cmd.raw, S.VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT, S.VK_PIPELINE_STAGE_HOST_BIT, 0, 1, colorToHostAddress, 0, 0n, 0, 0n);
}
