// Images and views. An image can be made exportable as a dmabuf (dedicated memory, LINEAR or a DRM
// format modifier), which is how our own swapchain hands frames to a compositor or to KMS.
import { vk, linkChain, type VkTypes } from "./nvk.js";
import { DeviceCapabilityError, ResourceUsageError } from "./errors.js";
import { check, VulkanError } from "./result.js";
import { adopt, DeviceResource, type Owned } from "./resource.js";
import { enumNamer } from "./names.js";
import type { Device } from "./device.js";
import { bindMemory, type DeviceMemory, findMemoryType, HOST_ALLOCATION, MemoryProperty } from "./memory.js";
import { MOD_LINEAR, modifierName } from "../util/fourcc.js";

/** What an image may be used for (VkImageUsageFlagBits by short name); combine with | for ImageOptions.usage. */
export const ImageUsage = {
  transferSrc: vk.VkImageUsageFlagBits.VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
  transferDst: vk.VkImageUsageFlagBits.VK_IMAGE_USAGE_TRANSFER_DST_BIT,
  sampled: vk.VkImageUsageFlagBits.VK_IMAGE_USAGE_SAMPLED_BIT,
  colorAttachment: vk.VkImageUsageFlagBits.VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT,
  depthStencilAttachment: vk.VkImageUsageFlagBits.VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT,
  /** Read and written by shaders as a storage image (compute output). */
  storage: vk.VkImageUsageFlagBits.VK_IMAGE_USAGE_STORAGE_BIT,
} as const;

/** The VkFormat values by their Vulkan names, e.g. Format.VK_FORMAT_B8G8R8A8_UNORM (vkFormatName prints one without the prefix). */
export const Format = vk.VkFormat;
/** A VkFormat value (see the Format constants). */
export type Format = VkTypes.VkFormat;
/** The VkImageLayout values by their Vulkan names, e.g. ImageLayout.VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL. */
export const ImageLayout = vk.VkImageLayout;
/** A VkImageLayout value (see the ImageLayout constants). */
export type ImageLayout = VkTypes.VkImageLayout;

/** A Vulkan format's name without its VK_FORMAT_ prefix, e.g. "B8G8R8A8_UNORM". */
export const vkFormatName: (format: Format) => string = enumNamer(vk.VkFormat, "VkFormat", "VK_FORMAT_");

export interface ImageOptions extends Owned {
  width: number;
  height: number;
  format: Format;
  /** ImageUsage flags, or'ed. */
  usage: number;
  mipLevels?: number;
  aspect?: "color" | "depth";
  tiling?: "optimal" | "linear";
  /**
   * Make the image exportable as a dmabuf. With `modifiers` (needs VK_EXT_image_drm_format_modifier)
   * the driver picks one of them; without, the image is LINEAR.
   */
  exportDmabuf?: { modifiers?: readonly bigint[] };
  /**
   * Bind the image (LINEAR) to host memory imported at `address` (VK_EXT_external_memory_host, see
   * host-memory.ts): `size` bytes, both aligned to minImportedHostPointerAlignment, of the memory
   * types in `memoryTypeBits` (vkGetMemoryHostPointerPropertiesEXT). The memory must outlive the image.
   */
  hostMemory?: HostMemoryRange;
  what?: string;
}

/** Host memory an image is bound to (ImageOptions.hostMemory). */
export interface HostMemoryRange {
  address: bigint;
  size: number;
  memoryTypeBits: number;
}

/** Where one memory plane of an exported image lies in its dmabuf: byte offset and row pitch (stride) in bytes. */
export interface DmabufPlane {
  offset: number;
  stride: number;
}

/** An image exported as a dmabuf (Image.exportDmabuf): the fd, the DRM format modifier describing its tiling, and its memory planes, as KMS AddFB2 and zwp_linux_dmabuf_v1 want them. */
export interface DmabufExport {
  /** The dmabuf fd; the caller owns it and must close it. */
  fd: number;
  modifier: bigint;
  planes: DmabufPlane[];
}

/** A 2D image with its own memory (Image.create): a render target, a texture with mip levels, a depth buffer, or a scanout image exportable as a dmabuf. */
export class Image extends DeviceResource<VkTypes.VkImage> {
  readonly memory: DeviceMemory;
  readonly width: number;
  readonly height: number;
  readonly format: Format;
  readonly mipLevels: number;
  readonly aspect: number;
  /** The DRM modifier of an exportable image (MOD_LINEAR for linear ones), else undefined. */
  readonly modifier: bigint | undefined;
  readonly what: string;
  /** Created with VK_IMAGE_TILING_DRM_FORMAT_MODIFIER_EXT (plane layouts then use MEMORY_PLANE aspects). */
  readonly modifierTiling: boolean;

  private constructor(device: Device, options: ImageOptions) {
    super(device, new vk.VkImage(), vk.vkDestroyImage);
    const { width, height } = options;
    this.what = options.what ?? "image";
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
      throw new RangeError(`${this.what}: size must be positive integers, got ${width}x${height}`);
    }
    const max = device.physical.limits.maxImageDimension2D;
    if (width > max || height > max) throw new RangeError(`${this.what}: ${width}x${height} exceeds the device's maximum of ${max}`);
    this.width = width;
    this.height = height;
    this.format = options.format;
    this.mipLevels = options.mipLevels ?? 1;
    this.aspect =
      options.aspect === "depth" ? vk.VkImageAspectFlagBits.VK_IMAGE_ASPECT_DEPTH_BIT : vk.VkImageAspectFlagBits.VK_IMAGE_ASPECT_COLOR_BIT;

    const exp = options.exportDmabuf;
    if (exp && !device.canExportDmabuf)
      throw new DeviceCapabilityError(device.physical.name, `${this.what}: the device cannot export dmabufs (VK_EXT_external_memory_dma_buf)`);
    // LINEAR alone needs no modifier tiling: plain linear tiling is the same layout, and the format
    // features drivers (and the validation layer) report for it are complete.
    const onlyLinear = !!exp?.modifiers?.length && exp.modifiers.every((m) => m === MOD_LINEAR);
    const useModifiers = !!exp?.modifiers?.length && !onlyLinear && device.has("VK_EXT_image_drm_format_modifier");
    this.modifierTiling = useModifiers;
    const host = options.hostMemory;
    let tiling = options.tiling === "linear" || host || (exp && !useModifiers) ? vk.VkImageTiling.VK_IMAGE_TILING_LINEAR : vk.VkImageTiling.VK_IMAGE_TILING_OPTIMAL;
    const extensions: object[] = [];
    if (host) extensions.push(new vk.VkExternalMemoryImageCreateInfo({ handleTypes: HOST_ALLOCATION }));
    if (exp) {
      extensions.push(
        new vk.VkExternalMemoryImageCreateInfo({
          handleTypes: vk.VkExternalMemoryHandleTypeFlagBits.VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT,
        }),
      );
      if (useModifiers) {
        tiling = vk.VkImageTiling.VK_IMAGE_TILING_DRM_FORMAT_MODIFIER_EXT;
        const mods = new BigUint64Array(exp.modifiers!.map(BigInt));
        extensions.push(
          new vk.VkImageDrmFormatModifierListCreateInfoEXT({
            drmFormatModifierCount: mods.length,
            pDrmFormatModifiers: mods as unknown as Float32Array,
          }),
        );
      }
    }
    const info = new vk.VkImageCreateInfo({
      pNext: linkChain(extensions),
      imageType: vk.VkImageType.VK_IMAGE_TYPE_2D,
      format: options.format,
      extent: new vk.VkExtent3D({ width, height, depth: 1 }),
      mipLevels: this.mipLevels,
      arrayLayers: 1,
      samples: vk.VkSampleCountFlagBits.VK_SAMPLE_COUNT_1_BIT,
      tiling,
      usage: options.usage,
      sharingMode: vk.VkSharingMode.VK_SHARING_MODE_EXCLUSIVE,
      initialLayout: vk.VkImageLayout.VK_IMAGE_LAYOUT_UNDEFINED,
    });
    check("vkCreateImage", vk.vkCreateImage(device.handle, info, null, this.handle), `${this.what} ${width}x${height}`);
    try {
      const req = new vk.VkMemoryRequirements();
      vk.vkGetImageMemoryRequirements(device.handle, this.handle, req);
      if (host && Number(req.size) > host.size) throw new RangeError(`${this.what}: needs ${req.size} bytes, the host memory has ${host.size}`);
      const memory = {
        size: host ? host.size : req.size,
        memoryTypeIndex: host
          ? findMemoryType(device, req.memoryTypeBits & host.memoryTypeBits, 0, this.what)
          : findMemoryType(device, req.memoryTypeBits, exp ? 0 : MemoryProperty.deviceLocal, this.what),
        hostPointer: host?.address,
        dedicated: exp ? { image: this.handle } : undefined,
        exportDmabuf: !!exp,
        what: this.what,
      };
      this.memory = bindMemory(device, memory, "vkBindImageMemory", (m) => vk.vkBindImageMemory(device.handle, this.handle, m.handle, 0));
    } catch (error) {
      vk.vkDestroyImage(device.handle, this.handle, null);
      if (exp && error instanceof VulkanError && error.call === "vkAllocateMemory") {
        // lavapipe makes exportable memory from /dev/udmabuf; without it the allocation fails.
        throw new DeviceCapabilityError(
          device.physical.name,
          `${this.what}: cannot allocate dmabuf-exportable memory (${error.message}); a software driver needs the kernel's udmabuf (/dev/udmabuf)`,
          { cause: error },
        );
      }
      throw error;
    }
    if (useModifiers) {
      const props = new vk.VkImageDrmFormatModifierPropertiesEXT();
      check("vkGetImageDrmFormatModifierPropertiesEXT", vk.vkGetImageDrmFormatModifierPropertiesEXT(device.handle, this.handle, props));
      this.modifier = BigInt(props.drmFormatModifier);
    } else if (exp) {
      this.modifier = MOD_LINEAR;
    }
  }

  /**
   * A 2D image with its own memory (device-local unless exported as a dmabuf), in UNDEFINED layout. Throws RangeError for a size that is not positive
   * integers or exceeds the device's maxImageDimension2D, Error when exportDmabuf is asked of a device that cannot export
   * dmabufs, and VulkanError when creation or allocation fails.
   */
  static create(device: Device, options: ImageOptions): Image {
    return adopt(new Image(device, options), options);
  }

  /** Offset and row pitch of plane 0 as the driver laid it out (for dmabuf and shm copies). */
  planeLayout(plane = 0): DmabufPlane {
    this.assertLive();
    const aspect = this.modifierTiling ? vk.VkImageAspectFlagBits.VK_IMAGE_ASPECT_MEMORY_PLANE_0_BIT_EXT << plane : this.aspect;
    const layout = new vk.VkSubresourceLayout();
    vk.vkGetImageSubresourceLayout(
      this.device.handle,
      this.handle,
      new vk.VkImageSubresource({ aspectMask: aspect, mipLevel: 0, arrayLayer: 0 }),
      layout,
    );
    return { offset: Number(layout.offset), stride: Number(layout.rowPitch) };
  }

  /** Exports the image's memory as a dmabuf with its modifier and plane layout. */
  exportDmabuf(): DmabufExport {
    this.assertLive();
    if (this.modifier === undefined) throw new ResourceUsageError(String(this), "exportDmabuf", "not created with exportDmabuf");
    return { fd: this.memory.exportDmabuf(), modifier: this.modifier, planes: [this.planeLayout(0)] };
  }

  /** A view of the whole image (ImageView.create with this image). */
  createView(options: Owned = {}): ImageView {
    this.assertLive();
    return ImageView.create(this.device, { ...options, image: this });
  }

  protected override release(): void {
    super.release();
    this.memory.destroy();
  }

  override toString(): string {
    const modifier = this.modifier === undefined ? "" : ` modifier ${modifierName(this.modifier)}`;
    return `Image ${this.width}x${this.height} ${vkFormatName(this.format)}${modifier} (${this.what})`;
  }
}

export interface ImageViewOptions extends Owned {
  image: Image;
}

/** A view of all mip levels of an image's colour or depth aspect, for framebuffers and descriptor sets (Image.createView or ImageView.create). */
export class ImageView extends DeviceResource<VkTypes.VkImageView> {
  readonly image: Image;

  private constructor(device: Device, options: ImageViewOptions) {
    super(device, new vk.VkImageView(), vk.vkDestroyImageView);
    const image = (this.image = options.image);
    const info = new vk.VkImageViewCreateInfo({
      image: image.handle,
      viewType: vk.VkImageViewType.VK_IMAGE_VIEW_TYPE_2D,
      format: image.format,
      components: new vk.VkComponentMapping(),
      subresourceRange: new vk.VkImageSubresourceRange({
        aspectMask: image.aspect,
        baseMipLevel: 0,
        levelCount: image.mipLevels,
        baseArrayLayer: 0,
        layerCount: 1,
      }),
    });
    check("vkCreateImageView", vk.vkCreateImageView(device.handle, info, null, this.handle), image.what);
  }

  /** A view of the whole of options.image (every mip level, its aspect). */
  static create(device: Device, options: ImageViewOptions): ImageView {
    return adopt(new ImageView(device, options), options);
  }

  override toString(): string {
    return `ImageView of ${this.image}`;
  }
}

/** The first of `candidates` usable as a depth attachment with optimal tiling. */
export function pickDepthFormat(device: Device, candidates: Format[] = [Format.VK_FORMAT_D32_SFLOAT, Format.VK_FORMAT_D24_UNORM_S8_UINT, Format.VK_FORMAT_D16_UNORM]): Format {
  const bit = vk.VkFormatFeatureFlagBits.VK_FORMAT_FEATURE_DEPTH_STENCIL_ATTACHMENT_BIT;
  const found = candidates.find((f) => (device.physical.formatFeatures(f).optimal & bit) !== 0);
  if (found === undefined) throw new DeviceCapabilityError(device.physical.name, `${device.physical.name}: none of the depth formats ${candidates.join(", ")} is supported`);
  return found;
}
