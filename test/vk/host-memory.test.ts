// Images over imported host memory (VK_EXT_external_memory_host), as the wl_shm backend makes them:
// what the GPU writes lands in the shared memory a compositor maps, row by row at the driver's
// pitch; and a reserved mapping keeps its address while the memfd grows (the import stays valid).
import { readSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { validatedGpu } from "../helpers/gpu.js";
import { Buffer, BufferUsage, Format, hostPointerMemoryTypes, Image, ImageUsage, planHostImage } from "../../src/index.js";
import { SharedMemory } from "../../src/sys/memfd.js";

describe("shared memory with a reserved mapping", () => {
  it("grows within the reserve without moving, and the grown bytes are the memfd's", () => {
    const memory = SharedMemory.create("host-memory-test", 4096, { reserve: 16384 });
    try {
      const at = memory.address;
      memory.grow(12288);
      expect(memory.address).toBe(at);
      expect(memory.size).toBe(12288);
      new Uint8Array(memory.buffer, 8192, 4096).fill(0x5a);
      const read = new Uint8Array(4096);
      expect(readSync(memory.fd, read, 0, 4096, 8192)).toBe(4096);
      expect(read.every((b) => b === 0x5a)).toBe(true);
    } finally {
      memory.close();
    }
  });
});

describe("images over imported host memory", () => {
  const fx = validatedGpu();
  const USAGE = ImageUsage.colorAttachment | ImageUsage.transferSrc | ImageUsage.transferDst;

  it("writes the GPU's pixels into the shared memory at the planned row pitch", (ctx) => {
    const { device, gpu } = fx;
    if (!device.has("VK_EXT_external_memory_host")) return ctx.skip(); // lavapipe has it; a driver without it takes the copy path
    const [width, height] = [37, 11]; // an odd width: the driver's row pitch may exceed width * 4
    const plan = planHostImage(device, Format.VK_FORMAT_B8G8R8A8_UNORM, width, height, USAGE, 4);
    if (typeof plan === "string") throw new Error(plan);
    expect(plan.stride).toBeGreaterThanOrEqual(width * 4);
    expect(plan.size % plan.alignment).toBe(0);
    // two images side by side in one memfd, as two wl_shm buffers in one pool
    const memory = SharedMemory.create("host-image-test", plan.size * 2);
    const source = Buffer.create(device, { size: width * height * 4, usage: BufferUsage.transferSrc, memory: "host", what: "pattern" });
    const images: Image[] = [];
    try {
      const types = hostPointerMemoryTypes(device, memory.buffer);
      expect(types).not.toBe(0);
      for (let i = 0; i < 2; i++) {
        images.push(Image.create(device, { width, height, format: Format.VK_FORMAT_B8G8R8A8_UNORM, usage: USAGE, hostMemory: { address: memory.address + BigInt(i * plan.size), size: plan.size, memoryTypeBits: types }, what: `host image ${i}` }));
      }
      const pattern = new Uint8Array(source.mapped, 0, width * height * 4);
      for (let i = 0; i < pattern.length; i++) pattern[i] = (i * 7) & 0xff;
      device.runOnce((cmd) => {
        cmd.imageBarrier(images[1]!, "undefined", "transfer-dst");
        cmd.copyBufferToImage(source, images[1]!);
        cmd.transferWritesToHost();
      });
      const second = new Uint8Array(memory.buffer, plan.size, plan.size);
      for (let y = 0; y < height; y++) {
        expect(second.subarray(y * plan.stride, y * plan.stride + width * 4)).toEqual(pattern.subarray(y * width * 4, (y + 1) * width * 4));
      }
      expect(new Uint8Array(memory.buffer, 0, plan.size).every((b) => b === 0)).toBe(true); // the first image's bytes untouched
    } finally {
      for (const image of images) image.destroy();
      source.destroy();
      memory.close();
    }
    expect(gpu.validationMessages).toEqual([]);
  });
});
