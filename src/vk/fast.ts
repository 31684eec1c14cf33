// The per-frame calls, made through koffi straight into the Vulkan loader that nvk itself loaded.
// nvk's own calls cost 0.5–1.5 µs each (argument conversion and a JS flush of every struct);
// these cost ~0.1 µs. They take raw handle values and struct addresses: the structs passed here
// are kept flush-free by their owners (scalars and handles written at once, arrays pinned).
import koffi from "koffi";
import "./nvk.js";

// nvk's addon links the system loader by soname (its bundled copy is not on its runpath), and
// dlopen of the same soname returns that already-loaded library: both paths share one loader.
const loader = koffi.load("libvulkan.so.1");

// Handles and pointers are 64-bit values on x86-64 and aarch64 alike.
const u64 = "uint64_t";
export const fast = {
  beginCommandBuffer: loader.func(`int vkBeginCommandBuffer(${u64} cb, ${u64} pBeginInfo)`),
  endCommandBuffer: loader.func(`int vkEndCommandBuffer(${u64} cb)`),
  cmdBeginRenderPass: loader.func(`void vkCmdBeginRenderPass(${u64} cb, ${u64} pBegin, int contents)`),
  cmdEndRenderPass: loader.func(`void vkCmdEndRenderPass(${u64} cb)`),
  cmdSetViewport: loader.func(`void vkCmdSetViewport(${u64} cb, uint32_t first, uint32_t count, ${u64} pViewports)`),
  cmdSetScissor: loader.func(`void vkCmdSetScissor(${u64} cb, uint32_t first, uint32_t count, ${u64} pScissors)`),
  cmdBindPipeline: loader.func(`void vkCmdBindPipeline(${u64} cb, int bindPoint, ${u64} pipeline)`),
  cmdBindDescriptorSets: loader.func(
    `void vkCmdBindDescriptorSets(${u64} cb, int bindPoint, ${u64} layout, uint32_t first, uint32_t count, ${u64} pSets, uint32_t dynCount, ${u64} pDyn)`,
  ),
  cmdBindVertexBuffers: loader.func(`void vkCmdBindVertexBuffers(${u64} cb, uint32_t first, uint32_t count, ${u64} pBuffers, ${u64} pOffsets)`),
  cmdBindIndexBuffer: loader.func(`void vkCmdBindIndexBuffer(${u64} cb, ${u64} buffer, uint64_t offset, int type)`),
  cmdPushConstants: loader.func(`void vkCmdPushConstants(${u64} cb, ${u64} layout, uint32_t stages, uint32_t offset, uint32_t size, ${u64} pValues)`),
  cmdCopyImageToBuffer: loader.func(`void vkCmdCopyImageToBuffer(${u64} cb, ${u64} image, int layout, ${u64} buffer, uint32_t count, ${u64} pRegions)`),
  cmdPipelineBarrier: loader.func(
    `void vkCmdPipelineBarrier(${u64} cb, uint32_t srcStages, uint32_t dstStages, uint32_t deps, uint32_t memCount, ${u64} pMem, uint32_t bufCount, ${u64} pBuf, uint32_t imgCount, ${u64} pImg)`,
  ),
  cmdDraw: loader.func(`void vkCmdDraw(${u64} cb, uint32_t vertices, uint32_t instances, uint32_t firstVertex, uint32_t firstInstance)`),
  cmdDrawIndexed: loader.func(
    `void vkCmdDrawIndexed(${u64} cb, uint32_t indices, uint32_t instances, uint32_t firstIndex, int32_t vertexOffset, uint32_t firstInstance)`,
  ),
  cmdDispatch: loader.func(`void vkCmdDispatch(${u64} cb, uint32_t x, uint32_t y, uint32_t z)`),
  queueSubmit: loader.func(`int vkQueueSubmit(${u64} queue, uint32_t count, ${u64} pSubmits, ${u64} fence)`),
  waitForFences: loader.func(`int vkWaitForFences(${u64} device, uint32_t count, ${u64} pFences, uint32_t waitAll, uint64_t timeout)`),
  resetFences: loader.func(`int vkResetFences(${u64} device, uint32_t count, ${u64} pFences)`),
  getFenceStatus: loader.func(`int vkGetFenceStatus(${u64} device, ${u64} fence)`),
};

/** The 64-bit value of an nvk handle object (dispatchable or not). */
export function rawHandle(handle: object): bigint {
  return new DataView((handle as { memoryBuffer: ArrayBuffer }).memoryBuffer).getBigUint64(0, true);
}

/** The native address of an nvk struct's memory. */
export function structAddress(struct: object): bigint {
  return (struct as { memoryAddress: bigint }).memoryAddress;
}
