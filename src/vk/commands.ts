// Command pools and buffers. A CommandBuffer keeps one instance of each nvk struct it needs and
// rewrites its fields, so recording a frame in the steady state allocates no new structs.
import { vk, type VkTypes } from "./nvk.js";
import { check } from "./result.js";
import { pinArray } from "./pinned.js";
import { fast, rawHandle, structAddress } from "./fast.js";
import { nativeBuffers } from "./nvk.js";
import { adopt, DeviceResource, type Owned } from "./resource.js";
import type { Device } from "./device.js";
import type { Buffer } from "./buffer.js";
import type { Image } from "./image.js";
import type { Pipeline, PipelineLayout } from "./pipeline.js";
import type { ComputePipeline } from "./compute.js";
import { recordBarrier, recordImageBarrier, type BufferUse, type ImageUse } from "./barriers.js";
import type { DescriptorSet } from "./descriptors.js";
import type { Framebuffer, RenderPass } from "./render-pass.js";

const L = vk.VkImageLayout;
const A = vk.VkAccessFlagBits;
const P = vk.VkPipelineStageFlagBits;
// Per-frame enum values read once: nvk's module object and its enum objects are in V8's dictionary
// mode, so every `vk.X.Y` in a recording method was two hash lookups through the generic LoadIC.
const ONE_TIME_SUBMIT = vk.VkCommandBufferUsageFlagBits.VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
const SUBPASS_INLINE = vk.VkSubpassContents.VK_SUBPASS_CONTENTS_INLINE;
const BIND_GRAPHICS = vk.VkPipelineBindPoint.VK_PIPELINE_BIND_POINT_GRAPHICS;
const BIND_COMPUTE = vk.VkPipelineBindPoint.VK_PIPELINE_BIND_POINT_COMPUTE;
const INDEX_UINT16 = vk.VkIndexType.VK_INDEX_TYPE_UINT16;
const INDEX_UINT32 = vk.VkIndexType.VK_INDEX_TYPE_UINT32;

export interface CommandPoolOptions extends Owned {
  /** Short-lived buffers (one-shot uploads). */
  transient?: boolean;
  /** Buffers can be reset one by one (default true: frames re-record their buffer). */
  resettable?: boolean;
  queueFamilyIndex?: number;
}

/** A pool command buffers are allocated from, for one queue family (the device's queue by default). Its buffers are freed when it is destroyed. */
export class CommandPool extends DeviceResource<VkTypes.VkCommandPool> {
  private constructor(device: Device, options: CommandPoolOptions) {
    super(device, new vk.VkCommandPool(), vk.vkDestroyCommandPool);
    const F = vk.VkCommandPoolCreateFlagBits;
    const flags =
      ((options.resettable ?? true) ? F.VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT : 0) |
      (options.transient ? F.VK_COMMAND_POOL_CREATE_TRANSIENT_BIT : 0);
    const info = new vk.VkCommandPoolCreateInfo({ flags, queueFamilyIndex: options.queueFamilyIndex ?? device.queue.familyIndex });
    check("vkCreateCommandPool", vk.vkCreateCommandPool(device.handle, info, null, this.handle));
  }

  /** A command pool; by default its buffers can be reset one by one. Throws VulkanError when creation fails. */
  static create(device: Device, options: CommandPoolOptions = {}): CommandPool {
    return adopt(new CommandPool(device, options), options);
  }

  /** Allocates count primary command buffers. They live until free() or until the pool is destroyed. */
  allocate(count: number): CommandBuffer[] {
    this.assertLive();
    const handles = Array.from({ length: count }, () => new vk.VkCommandBuffer());
    const info = new vk.VkCommandBufferAllocateInfo({
      commandPool: this.handle,
      level: vk.VkCommandBufferLevel.VK_COMMAND_BUFFER_LEVEL_PRIMARY,
      commandBufferCount: count,
    });
    check("vkAllocateCommandBuffers", vk.vkAllocateCommandBuffers(this.device.handle, info, handles));
    return handles.map((h) => new CommandBuffer(this.device, h));
  }

  /** Returns command buffers to the pool; the GPU must be done with them. */
  free(buffers: CommandBuffer[]): void {
    this.assertLive();
    vk.vkFreeCommandBuffers(this.device.handle, this.handle, buffers.length, buffers.map((b) => b.handle));
  }
}

/** Where an image layout transition comes from or goes to, with the access and stage that implies. */
function layoutUse(layout: number): [access: number, stage: number] {
  switch (layout) {
    case L.VK_IMAGE_LAYOUT_UNDEFINED:
      return [0, P.VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT];
    case L.VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL:
      return [A.VK_ACCESS_TRANSFER_WRITE_BIT, P.VK_PIPELINE_STAGE_TRANSFER_BIT];
    case L.VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL:
      return [A.VK_ACCESS_TRANSFER_READ_BIT, P.VK_PIPELINE_STAGE_TRANSFER_BIT];
    case L.VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL:
      return [A.VK_ACCESS_SHADER_READ_BIT, P.VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT];
    case L.VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL:
      return [
        A.VK_ACCESS_COLOR_ATTACHMENT_READ_BIT | A.VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT,
        P.VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT,
      ];
    case L.VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL:
      return [
        A.VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_READ_BIT | A.VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT,
        P.VK_PIPELINE_STAGE_EARLY_FRAGMENT_TESTS_BIT | P.VK_PIPELINE_STAGE_LATE_FRAGMENT_TESTS_BIT,
      ];
    default: // GENERAL and anything external: be conservative
      return [A.VK_ACCESS_MEMORY_READ_BIT | A.VK_ACCESS_MEMORY_WRITE_BIT, P.VK_PIPELINE_STAGE_ALL_COMMANDS_BIT];
  }
}

/** The copy of an image's mip level 0 into a tightly packed buffer: the region and the raw values the fast call takes. */
interface WholeImageCopy {
  readonly region: VkTypes.VkBufferImageCopy;
  readonly address: bigint;
  readonly image: bigint;
}
const wholeImageCopies = new WeakMap<Image, WholeImageCopy>();

/** The one memory barrier of transferWritesToHost, made once (scalars only: nothing to flush) and passed by address. */
const TRANSFER_TO_HOST = new vk.VkMemoryBarrier({ srcAccessMask: vk.VkAccessFlagBits.VK_ACCESS_TRANSFER_WRITE_BIT, dstAccessMask: vk.VkAccessFlagBits.VK_ACCESS_HOST_READ_BIT });
let transferToHostAddress: bigint | undefined;
const TRANSFER_STAGE = vk.VkPipelineStageFlagBits.VK_PIPELINE_STAGE_TRANSFER_BIT;
const HOST_STAGE = vk.VkPipelineStageFlagBits.VK_PIPELINE_STAGE_HOST_BIT;

/** Mip level 0 of a 2D image, as a tightly packed buffer sees it; made once per image (shm copies run every frame). */
function wholeImageCopy(image: Image): WholeImageCopy {
  let copy = wholeImageCopies.get(image);
  if (!copy) {
    // nested fields written through their views, straight into the struct's memory: no flush needed
    const region = new vk.VkBufferImageCopy();
    const sub = region.imageSubresource!;
    sub.aspectMask = image.aspect;
    sub.mipLevel = 0;
    sub.baseArrayLayer = 0;
    sub.layerCount = 1;
    const extent = region.imageExtent!;
    extent.width = image.width;
    extent.height = image.height;
    extent.depth = 1;
    copy = { region, address: structAddress(region), image: rawHandle(image.handle) };
    wholeImageCopies.set(image, copy);
  }
  return copy;
}

/** An image layout transition for CommandBuffer.transition: from and to are VkImageLayout values (ImageLayout), over mip levels baseMipLevel (default 0) to the last (or levelCount of them). */
export interface TransitionOptions {
  from: number;
  to: number;
  baseMipLevel?: number;
  levelCount?: number;
}

/** Byte offsets of VkRenderPassBeginInfo's handle fields (from nvk's layout of the struct). */
const PASS_BEGIN = (() => {
  const layout = (vk.VkRenderPassBeginInfo as unknown as { memoryLayout: Record<string, { byteOffset: number }> }).memoryLayout;
  return { renderPass: layout.renderPass!.byteOffset, framebuffer: layout.framebuffer!.byteOffset };
})();

/**
 * A primary command buffer (from CommandPool.allocate): begin(), record commands, end(), then submit it through the
 * device's queue. The per-frame commands (render pass, binds, draws) reuse their structs, so recording a frame allocates
 * almost nothing. Command methods do not check the buffer's state: the validation layer reports misuse.
 */
export class CommandBuffer {
  private readonly beginInfo = new vk.VkCommandBufferBeginInfo();
  // Nested structs are used through the parent's own sub-views (never assigned from separate
  // objects) and arrays are pinned (see pinned.ts): nvk then copies nothing when a call flushes them.
  private readonly passBegin = new vk.VkRenderPassBeginInfo();
  private readonly clearBytes = pinArray(this.passBegin, "pClearValues", [new vk.VkClearValue(), new vk.VkClearValue()]);
  private readonly passBeginView = (this.passBegin as unknown as { memoryView: DataView }).memoryView;
  private readonly viewports = [new vk.VkViewport({ minDepth: 0, maxDepth: 1 })];
  private readonly scissors = [new vk.VkRect2D()];
  // One-element native arrays for the bind calls, with their addresses taken once.
  private readonly oneHandle = new BigUint64Array(1);
  private readonly oneHandleAddress = nativeBuffers.getAddress(this.oneHandle.buffer as ArrayBuffer);
  private readonly oneOffset = new BigUint64Array(1);
  private readonly oneOffsetAddress = nativeBuffers.getAddress(this.oneOffset.buffer as ArrayBuffer);
  private readonly lastClear = [NaN, NaN, NaN, NaN];
  /** The VkCommandBuffer's handle value, for the koffi fast path. */
  readonly raw: bigint;

  constructor(
    readonly device: Device,
    readonly handle: VkTypes.VkCommandBuffer,
  ) {
    this.raw = rawHandle(handle);
  }

  /** Starts recording (implicitly resetting the buffer); oneTime marks it to be submitted once. Throws VulkanError on failure. */
  begin(options: { oneTime?: boolean } = {}): this {
    this.beginInfo.flags = options.oneTime ? ONE_TIME_SUBMIT : 0;
    check("vkBeginCommandBuffer", fast.beginCommandBuffer(this.raw, structAddress(this.beginInfo)));
    return this;
  }

  /** Finishes recording; the buffer can then be submitted. Throws VulkanError when recording had an error. */
  end(): void {
    check("vkEndCommandBuffer", fast.endCommandBuffer(this.raw));
  }

  /** Discards the recorded commands (the pool must be resettable, the default). The GPU must be done with the buffer. */
  reset(): void {
    check("vkResetCommandBuffer", vk.vkResetCommandBuffer(this.handle, 0));
  }

  /** Begins a render pass over the whole framebuffer, clearing colour (RGBA 0..1) and depth to 1. */
  beginRenderPass(renderPass: RenderPass, framebuffer: Framebuffer, clear: readonly number[] = [0, 0, 0, 1]): void {
    if (clear[0] !== this.lastClear[0] || clear[1] !== this.lastClear[1] || clear[2] !== this.lastClear[2] || clear[3] !== this.lastClear[3]) {
      // Written as bytes: nvk 0.8's VkClearColorValue.float32 setter puts floats at byte offsets
      // 0,1,2,3. Two VkClearValues of 16 bytes: colour, then depth 1.0 / stencil 0.
      const values = new Float32Array(this.clearBytes.buffer, 0, 8);
      for (let i = 0; i < 4; i++) values[i] = this.lastClear[i] = clear[i] ?? 0;
      values[4] = 1;
    }
    const extent = this.passBegin.renderArea!.extent!;
    if (extent.width !== framebuffer.width || extent.height !== framebuffer.height) {
      extent.width = framebuffer.width;
      extent.height = framebuffer.height;
    }
    this.passBegin.clearValueCount = renderPass.hasDepth ? 2 : 1;
    // handles written as raw values: nvk's handle setters read a new BigInt out of the handle each time
    this.passBeginView.setBigUint64(PASS_BEGIN.renderPass, renderPass.raw, true);
    this.passBeginView.setBigUint64(PASS_BEGIN.framebuffer, framebuffer.raw, true);
    fast.cmdBeginRenderPass(this.raw, structAddress(this.passBegin), SUBPASS_INLINE);
  }

  /** Ends the render pass begun by beginRenderPass. */
  endRenderPass(): void {
    fast.cmdEndRenderPass(this.raw);
  }

  /** Sets viewport and scissor to the whole w×h target (pipelines use dynamic viewport state). */
  setViewportAndScissor(width: number, height: number): void {
    const v = this.viewports[0]!;
    if (v.width !== width || v.height !== height) {
      v.width = width;
      v.height = height;
      const e = this.scissors[0]!.extent!;
      e.width = width;
      e.height = height;
    }
    fast.cmdSetViewport(this.raw, 0, 1, structAddress(this.viewports[0]!));
    fast.cmdSetScissor(this.raw, 0, 1, structAddress(this.scissors[0]!));
  }

  /** Binds a graphics pipeline for the following draws, or a compute pipeline for the following dispatches. */
  bindPipeline(pipeline: Pipeline | ComputePipeline): void {
    fast.cmdBindPipeline(this.raw, pipeline.bindPoint, pipeline.raw);
  }

  /** Binds one descriptor set as set number index of layout, for the following draws (or, with "compute", dispatches). */
  bindDescriptorSet(layout: PipelineLayout, set: DescriptorSet, index = 0, bindPoint: "graphics" | "compute" = "graphics"): void {
    this.oneHandle[0] = set.raw;
    fast.cmdBindDescriptorSets(this.raw, bindPoint === "compute" ? BIND_COMPUTE : BIND_GRAPHICS, layout.raw, index, 1, this.oneHandleAddress, 0, 0n);
  }

  /** Runs the bound compute pipeline over x × y × z workgroups. */
  dispatch(x: number, y = 1, z = 1): void {
    fast.cmdDispatch(this.raw, x, y, z);
  }

  /**
   * Makes buffer memory used as `from` by the commands before available to its use as `to` by the commands after (in this submission
   * or a later one on the queue), e.g. barrier("compute-write", "vertex-input") between a dispatch that writes particles and the draw
   * that reads them. A global memory barrier: it covers every buffer.
   */
  barrier(from: BufferUse, to: BufferUse): void {
    recordBarrier(this.raw, from, to);
  }

  /** Moves image from one use to the next, with the layout change that implies, e.g. imageBarrier(image, "compute-write", "fragment-sample") after a dispatch that wrote it. */
  imageBarrier(image: Image, from: ImageUse, to: ImageUse): void {
    recordImageBarrier(this.handle, image, from, to);
  }

  /** Binds buffer (from byte offset) as the vertex buffer of vertex input binding number binding. */
  bindVertexBuffer(buffer: Buffer, offset = 0, binding = 0): void {
    this.oneHandle[0] = buffer.raw;
    this.oneOffset[0] = offset === 0 ? 0n : BigInt(offset); // the common case allocates no BigInt each frame
    fast.cmdBindVertexBuffers(this.raw, binding, 1, this.oneHandleAddress, this.oneOffsetAddress);
  }

  /** Binds buffer (from byte offset) as the index buffer, of 16- or 32-bit indices, for drawIndexed. */
  bindIndexBuffer(buffer: Buffer, type: "uint16" | "uint32", offset = 0): void {
    const t = type === "uint16" ? INDEX_UINT16 : INDEX_UINT32;
    fast.cmdBindIndexBuffer(this.raw, buffer.raw, offset, t);
  }

  /** Pushes data (an ArrayBuffer of its own, not a view into a larger one) as push constants. */
  pushConstants(layout: PipelineLayout, stages: number, data: ArrayBuffer, offset = 0): void {
    fast.cmdPushConstants(this.raw, layout.raw, stages, offset, data.byteLength, nativeBuffers.getAddress(data));
  }

  /** Draws vertexCount vertices (non-indexed) with the bound pipeline, instanceCount times. */
  draw(vertexCount: number, instanceCount = 1, firstVertex = 0, firstInstance = 0): void {
    fast.cmdDraw(this.raw, vertexCount, instanceCount, firstVertex, firstInstance);
  }

  /** Draws indexCount indices of the bound index buffer from firstIndex, adding vertexOffset to each, instanceCount times. */
  drawIndexed(indexCount: number, instanceCount = 1, firstIndex = 0, vertexOffset = 0, firstInstance = 0): void {
    fast.cmdDrawIndexed(this.raw, indexCount, instanceCount, firstIndex, vertexOffset, firstInstance);
  }

  /** Image layout transition with access masks and stages derived from the two layouts. */
  transition(image: Image, options: TransitionOptions): void {
    const [srcAccess, srcStage] = layoutUse(options.from);
    const [dstAccess, dstStage] = layoutUse(options.to);
    const barrier = new vk.VkImageMemoryBarrier({
      srcAccessMask: srcAccess,
      dstAccessMask: dstAccess,
      oldLayout: options.from,
      newLayout: options.to,
      srcQueueFamilyIndex: vk.VK_QUEUE_FAMILY_IGNORED,
      dstQueueFamilyIndex: vk.VK_QUEUE_FAMILY_IGNORED,
      image: image.handle,
      subresourceRange: new vk.VkImageSubresourceRange({
        aspectMask: image.aspect,
        baseMipLevel: options.baseMipLevel ?? 0,
        levelCount: options.levelCount ?? image.mipLevels - (options.baseMipLevel ?? 0),
        baseArrayLayer: 0,
        layerCount: 1,
      }),
    });
    vk.vkCmdPipelineBarrier(this.handle, srcStage, dstStage, 0, 0, null, 0, null, 1, [barrier]);
  }

  /**
   * Makes every transfer write recorded so far (buffer copies) visible to any later read on this
   * queue, in this submission or a later one: how an upload that is not waited for reaches the
   * vertex, index and uniform reads of the frames after it.
   */
  transferWritesToReads(): void {
    const barrier = new vk.VkMemoryBarrier({
      srcAccessMask: vk.VkAccessFlagBits.VK_ACCESS_TRANSFER_WRITE_BIT,
      dstAccessMask: vk.VkAccessFlagBits.VK_ACCESS_MEMORY_READ_BIT,
    });
    const S = vk.VkPipelineStageFlagBits;
    vk.vkCmdPipelineBarrier(this.handle, S.VK_PIPELINE_STAGE_TRANSFER_BIT, S.VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, 0, 1, [barrier], 0, null, 0, null);
  }

  /** Makes the transfer writes recorded so far (copies into a mapped buffer) visible to the host once the submission's fence has signalled. */
  transferWritesToHost(): void {
    transferToHostAddress ??= structAddress(TRANSFER_TO_HOST);
    fast.cmdPipelineBarrier(this.raw, TRANSFER_STAGE, HOST_STAGE, 0, 1, transferToHostAddress, 0, 0n, 0, 0n);
  }

  /** Copies a tightly packed buffer into mip level 0 of image (in TRANSFER_DST_OPTIMAL). */
  copyBufferToImage(buffer: Buffer, image: Image): void {
    vk.vkCmdCopyBufferToImage(this.handle, buffer.handle, image.handle, L.VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, [wholeImageCopy(image).region]);
  }

  /**
   * Copies mip level 0 of image (in `layout`) into a tightly packed buffer; into a host-visible one,
   * followed by transferWritesToHost, so the CPU may read it once the submission's fence has signalled.
   */
  copyImageToBuffer(image: Image, buffer: Buffer, layout: number = L.VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL): void {
    const copy = wholeImageCopy(image);
    fast.cmdCopyImageToBuffer(this.raw, copy.image, layout, buffer.raw, 1, copy.address);
    if (buffer.hostVisible) this.transferWritesToHost();
  }

  /** Copies size bytes (default: as much as both hold) from the start of src to the start of dst. */
  copyBuffer(src: Buffer, dst: Buffer, size = Math.min(src.size, dst.size)): void {
    vk.vkCmdCopyBuffer(this.handle, src.handle, dst.handle, 1, [new vk.VkBufferCopy({ srcOffset: 0, dstOffset: 0, size })]);
  }

  /** Blits mip level `level-1` into `level` (both of image), halving the size, with linear filtering. */
  blitMip(image: Image, level: number): void {
    const w = Math.max(1, image.width >> (level - 1));
    const h = Math.max(1, image.height >> (level - 1));
    const region = new vk.VkImageBlit({
      srcSubresource: new vk.VkImageSubresourceLayers({ aspectMask: image.aspect, mipLevel: level - 1, baseArrayLayer: 0, layerCount: 1 }),
      srcOffsets: [new vk.VkOffset3D(), new vk.VkOffset3D({ x: w, y: h, z: 1 })],
      dstSubresource: new vk.VkImageSubresourceLayers({ aspectMask: image.aspect, mipLevel: level, baseArrayLayer: 0, layerCount: 1 }),
      dstOffsets: [new vk.VkOffset3D(), new vk.VkOffset3D({ x: Math.max(1, w >> 1), y: Math.max(1, h >> 1), z: 1 })],
    });
    vk.vkCmdBlitImage(
      this.handle,
      image.handle,
      L.VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
      image.handle,
      L.VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
      1,
      [region],
      vk.VkFilter.VK_FILTER_LINEAR,
    );
  }
}
