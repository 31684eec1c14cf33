// Swapchain formats by channel depth, and the DRM / wl_shm codes of each: which Vulkan format a
// colour's targets use, and what a compositor or display must list to take them. Alpha is unused
// (the X variants come first); a compositor listing only the A variant gets that.
import { Format, type Device } from "../vk/index.js";
import { fourcc } from "../util/fourcc.js";
import type { ChannelDepth } from "../util/colour.js";

/** One way to hold frames: the Vulkan format, bytes per pixel, and the DRM fourccs (opaque first) of the same memory layout. */
export interface SwapchainFormat {
  readonly depth: ChannelDepth;
  readonly vkFormat: Format;
  readonly bytesPerPixel: 4 | 8;
  /** DRM fourccs for dmabuf and KMS, X (opaque) first. */
  readonly fourccs: readonly number[];
  /** wl_shm.format codes (equal to the fourcc except for the two 8-bit formats wl_shm numbers 0 and 1). */
  readonly shmFormats: readonly number[];
}

/** Swapchain formats, 8-bit first: the order a path tries them for a depth. */
export const SWAPCHAIN_FORMATS: readonly SwapchainFormat[] = [
  // DRM XRGB8888: B, G, R, X bytes in memory
  { depth: 8, vkFormat: Format.VK_FORMAT_B8G8R8A8_UNORM, bytesPerPixel: 4, fourccs: [fourcc("XR24"), fourcc("AR24")], shmFormats: [1, 0] },
  // DRM XRGB2101010: a 32-bit word, B in bits 0-9, G 10-19, R 20-29 (= Vulkan A2R10G10B10_UNORM_PACK32)
  { depth: 10, vkFormat: Format.VK_FORMAT_A2R10G10B10_UNORM_PACK32, bytesPerPixel: 4, fourccs: [fourcc("XR30"), fourcc("AR30")], shmFormats: [fourcc("XR30"), fourcc("AR30")] },
  // DRM XBGR2101010: R in bits 0-9 (= Vulkan A2B10G10R10_UNORM_PACK32)
  { depth: 10, vkFormat: Format.VK_FORMAT_A2B10G10R10_UNORM_PACK32, bytesPerPixel: 4, fourccs: [fourcc("XB30"), fourcc("AB30")], shmFormats: [fourcc("XB30"), fourcc("AB30")] },
  // DRM XBGR16161616F: four half floats, R first (= Vulkan R16G16B16A16_SFLOAT)
  { depth: 16, vkFormat: Format.VK_FORMAT_R16G16B16A16_SFLOAT, bytesPerPixel: 8, fourccs: [fourcc("XB4H"), fourcc("AB4H")], shmFormats: [fourcc("XB4H"), fourcc("AB4H")] },
];

/** The swapchain format of a Vulkan format, if it is one of ours. */
export function swapchainFormatOf(vkFormat: Format): SwapchainFormat | undefined {
  return SWAPCHAIN_FORMATS.find((f) => f.vkFormat === vkFormat);
}

/** Bytes per pixel of a target format (4 unless it is FP16). */
export function bytesPerPixel(vkFormat: Format): 4 | 8 {
  return swapchainFormatOf(vkFormat)?.bytesPerPixel ?? 4;
}

/** Whether the device can render into (and copy from) optimally tiled images of this format. */
export function canRender(device: Device, vkFormat: Format): boolean {
  const COLOR_ATTACHMENT = 0x80, TRANSFER_SRC = 0x4000;
  const { optimal } = device.physical.formatFeatures(vkFormat);
  return (optimal & COLOR_ATTACHMENT) !== 0 && (optimal & TRANSFER_SRC) !== 0;
}

/**
 * The formats a path can use, best per depth: those the device renders into and `listed` accepts
 * (a compositor's shm or dmabuf formats; everything when omitted).
 */
export function usableFormats(device: Device, listed?: (f: SwapchainFormat) => boolean): SwapchainFormat[] {
  const out: SwapchainFormat[] = [];
  for (const f of SWAPCHAIN_FORMATS) {
    if (out.some((o) => o.depth === f.depth)) continue;
    if (canRender(device, f.vkFormat) && (listed?.(f) ?? true)) out.push(f);
  }
  return out;
}
