// Textures for scenes: RGBA8 pixels uploaded through a staging buffer into a sampled image, with
// the mip chain made by linear blits when the format allows them.
import { Buffer, BufferUsage, Image, ImageLayout, ImageUsage, logger, vk, vkFormatName, type Device, type Format, type ImageView, type Scope } from "../index.js";
import type { Rgba8Image } from "../assets/png.js";

const log = logger("vk");

/** An uploaded texture: the image and view belong to the scope passed to uploadTexture. */
export interface Texture {
  image: Image;
  view: ImageView;
  mipLevels: number;
}

/** How many mip levels uploadTexture gives `texture`: a full chain when asked for and the format can be blitted linearly, else 1 (warned about when `warn`). */
export function textureMipLevels(device: Device, texture: { width: number; height: number }, format: Format, mipmaps = true, warn = false): number {
  const F = vk.VkFormatFeatureFlagBits;
  const need = F.VK_FORMAT_FEATURE_SAMPLED_IMAGE_FILTER_LINEAR_BIT | F.VK_FORMAT_FEATURE_BLIT_SRC_BIT | F.VK_FORMAT_FEATURE_BLIT_DST_BIT;
  const canBlit = (device.physical.formatFeatures(format).optimal & need) === need;
  if (warn && mipmaps && !canBlit) log.warn(`${vkFormatName(format)}: no linear blits on ${device.physical.name}; texture without mipmaps`);
  return mipmaps && canBlit ? Math.floor(Math.log2(Math.max(texture.width, texture.height))) + 1 : 1;
}

/**
 * Uploads RGBA8 pixels to a device-local, sampled image, then fills the mip chain with linear
 * blits when the format supports them. Leaves every level in SHADER_READ_ONLY_OPTIMAL.
 */
export function uploadTexture(device: Device, scope: Scope, texture: Rgba8Image, format: Format, mipmaps = true): Texture {
  const mipLevels = textureMipLevels(device, texture, format, mipmaps, true);
  const image = Image.create(device, {
    width: texture.width,
    height: texture.height,
    format,
    mipLevels,
    usage: ImageUsage.sampled | ImageUsage.transferDst | (mipLevels > 1 ? ImageUsage.transferSrc : 0),
    what: `texture ${texture.name}`,
    scope,
  });
  const view = scope.add(image.createView());
  const staging = Buffer.create(device, { size: texture.data.byteLength, usage: BufferUsage.transferSrc, memory: "host", what: `${texture.name} staging` });
  try {
    staging.write(texture.data);
  } catch (error) {
    staging.destroy();
    throw error;
  }
  const L = ImageLayout;
  // Not waited for: frames submitted later run after it, and the CPU builds the pipeline meanwhile.
  const upload = device.submitOnce((cmd) => {
    cmd.transition(image, { from: L.VK_IMAGE_LAYOUT_UNDEFINED, to: L.VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL });
    cmd.copyBufferToImage(staging, image);
    for (let level = 1; level < mipLevels; level++) {
      cmd.transition(image, { from: L.VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, to: L.VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, baseMipLevel: level - 1, levelCount: 1 });
      cmd.blitMip(image, level);
      cmd.transition(image, { from: L.VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, to: L.VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, baseMipLevel: level - 1, levelCount: 1 });
    }
    cmd.transition(image, { from: L.VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, to: L.VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, baseMipLevel: mipLevels - 1, levelCount: 1 });
  }, [staging]);
  // If the scope closes (a later load step failed, or the mesh is destroyed) the image must not go
  // while the upload still writes it: this closes before the view and image, and waits if needed.
  scope.add({ destroy: () => upload.wait() });
  return { image, view, mipLevels };
}
