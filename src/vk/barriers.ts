// Typed pipeline barriers between compute, graphics, transfer and host: a barrier is named by how
// the memory was last used and how it will be used next, and the stages, access masks and (for
// images) layouts follow from those two names, so a caller never pairs them by hand.
import { vk, type VkTypes } from "./nvk.js";
import { fast, structAddress } from "./fast.js";
import type { Image } from "./image.js";

const S = vk.VkPipelineStageFlagBits;
const A = vk.VkAccessFlagBits;
const L = vk.VkImageLayout;

/**
 * How buffer memory is used on one side of CommandBuffer.barrier: written or read by a compute shader, read as vertex
 * attributes or indices, read by a vertex or fragment shader (storage or uniform buffer), copied from or into, or read by the CPU.
 */
export type BufferUse =
  | "compute-write"
  | "compute-read"
  | "vertex-input"
  | "index-input"
  | "vertex-shader-read"
  | "fragment-shader-read"
  | "transfer-src"
  | "transfer-dst"
  | "host-read";

/**
 * How an image is used on one side of CommandBuffer.imageBarrier, which also sets its layout: "undefined" (its contents may be
 * discarded, as before the first write), a storage image a compute shader writes or reads (GENERAL), a texture a fragment shader samples
 * (SHADER_READ_ONLY_OPTIMAL), a copy source or destination, or a colour attachment.
 */
export type ImageUse = "undefined" | "compute-write" | "compute-read" | "fragment-sample" | "transfer-src" | "transfer-dst" | "color-attachment";

interface Use {
  stage: number;
  access: number;
}

const bufferUses: Record<BufferUse, Use> = {
  "compute-write": { stage: S.VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, access: A.VK_ACCESS_SHADER_WRITE_BIT | A.VK_ACCESS_SHADER_READ_BIT },
  "compute-read": { stage: S.VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, access: A.VK_ACCESS_SHADER_READ_BIT },
  "vertex-input": { stage: S.VK_PIPELINE_STAGE_VERTEX_INPUT_BIT, access: A.VK_ACCESS_VERTEX_ATTRIBUTE_READ_BIT },
  "index-input": { stage: S.VK_PIPELINE_STAGE_VERTEX_INPUT_BIT, access: A.VK_ACCESS_INDEX_READ_BIT },
  "vertex-shader-read": { stage: S.VK_PIPELINE_STAGE_VERTEX_SHADER_BIT, access: A.VK_ACCESS_SHADER_READ_BIT | A.VK_ACCESS_UNIFORM_READ_BIT },
  "fragment-shader-read": { stage: S.VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT, access: A.VK_ACCESS_SHADER_READ_BIT | A.VK_ACCESS_UNIFORM_READ_BIT },
  "transfer-src": { stage: S.VK_PIPELINE_STAGE_TRANSFER_BIT, access: A.VK_ACCESS_TRANSFER_READ_BIT },
  "transfer-dst": { stage: S.VK_PIPELINE_STAGE_TRANSFER_BIT, access: A.VK_ACCESS_TRANSFER_WRITE_BIT },
  "host-read": { stage: S.VK_PIPELINE_STAGE_HOST_BIT, access: A.VK_ACCESS_HOST_READ_BIT },
};

const imageUses: Record<ImageUse, Use & { layout: number }> = {
  undefined: { stage: S.VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, access: 0, layout: L.VK_IMAGE_LAYOUT_UNDEFINED },
  "compute-write": { ...bufferUses["compute-write"], layout: L.VK_IMAGE_LAYOUT_GENERAL },
  "compute-read": { ...bufferUses["compute-read"], layout: L.VK_IMAGE_LAYOUT_GENERAL },
  "fragment-sample": { stage: S.VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT, access: A.VK_ACCESS_SHADER_READ_BIT, layout: L.VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL },
  "transfer-src": { ...bufferUses["transfer-src"], layout: L.VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL },
  "transfer-dst": { ...bufferUses["transfer-dst"], layout: L.VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL },
  "color-attachment": {
    stage: S.VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT,
    access: A.VK_ACCESS_COLOR_ATTACHMENT_READ_BIT | A.VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT,
    layout: L.VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL,
  },
};

/** The VkImageLayout an ImageUse puts an image in (e.g. GENERAL for "compute-write"), for descriptor writes and copies. */
export function imageUseLayout(use: ImageUse): number {
  return imageUses[use].layout;
}

// One VkMemoryBarrier per (from, to) pair, made on first use (scalars only: nothing to flush), so a
// barrier recorded every frame allocates nothing.
const memoryBarriers = new Map<string, bigint>();
const keep: object[] = [];

/** Records a global memory barrier from the buffer use `from` to the use `to` (see CommandBuffer.barrier). */
export function recordBarrier(cmd: bigint, from: BufferUse, to: BufferUse): void {
  const src = bufferUses[from];
  const dst = bufferUses[to];
  if (!src || !dst) throw new TypeError(`barrier: unknown buffer use '${src ? to : from}' (one of ${Object.keys(bufferUses).join(", ")})`);
  const key = `${from}>${to}`;
  let address = memoryBarriers.get(key);
  if (address === undefined) {
    // a read before a write needs only the execution dependency: no memory to make available
    const srcAccess = src.access & (A.VK_ACCESS_SHADER_WRITE_BIT | A.VK_ACCESS_TRANSFER_WRITE_BIT);
    const barrier = new vk.VkMemoryBarrier({ srcAccessMask: srcAccess, dstAccessMask: dst.access });
    keep.push(barrier);
    address = structAddress(barrier);
    memoryBarriers.set(key, address);
  }
  fast.cmdPipelineBarrier(cmd, src.stage, dst.stage, 0, 1, address, 0, 0n, 0, 0n);
}

// The image barriers recorded so far, per image and (from, to) pair: a barrier recorded every frame
// reuses its struct instead of making a new one.
const imageBarriers = new WeakMap<Image, Map<string, VkTypes.VkImageMemoryBarrier>>();

/** Records an image barrier (all mip levels) from the image use `from` to `to`, with the layout transition they imply (see CommandBuffer.imageBarrier). */
export function recordImageBarrier(cmd: VkTypes.VkCommandBuffer, image: Image, from: ImageUse, to: ImageUse): void {
  const src = imageUses[from];
  const dst = imageUses[to];
  if (!src || !dst) throw new TypeError(`imageBarrier: unknown image use '${src ? to : from}' (one of ${Object.keys(imageUses).join(", ")})`);
  if (to === "undefined") throw new TypeError(`imageBarrier: ${image} cannot be moved to "undefined"`);
  let barriers = imageBarriers.get(image);
  if (!barriers) imageBarriers.set(image, (barriers = new Map()));
  const key = `${from}>${to}`;
  let barrier = barriers.get(key);
  if (!barrier) {
    barrier = new vk.VkImageMemoryBarrier({
      srcAccessMask: src.access & (A.VK_ACCESS_SHADER_WRITE_BIT | A.VK_ACCESS_TRANSFER_WRITE_BIT | A.VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT),
      dstAccessMask: dst.access,
      oldLayout: src.layout,
      newLayout: dst.layout,
      srcQueueFamilyIndex: vk.VK_QUEUE_FAMILY_IGNORED,
      dstQueueFamilyIndex: vk.VK_QUEUE_FAMILY_IGNORED,
      image: image.handle,
      subresourceRange: new vk.VkImageSubresourceRange({ aspectMask: image.aspect, baseMipLevel: 0, levelCount: image.mipLevels, baseArrayLayer: 0, layerCount: 1 }),
    });
    barriers.set(key, barrier);
  }
  vk.vkCmdPipelineBarrier(cmd, src.stage, dst.stage, 0, 0, null, 0, null, 1, [barrier]);
}
