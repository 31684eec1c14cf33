// Compute on lavapipe with validation on: a compute shader compiled from GLSL at run time writes a
// storage buffer the CPU reads back, and a storage image that is then copied out; the typed
// barriers make the writes visible (host read, transfer). Misnamed uses are refused by name.
import { describe, expect, it } from "vitest";
import {
  Buffer,
  BufferUsage,
  ComputePipeline,
  DescriptorPool,
  DescriptorSetLayout,
  Format,
  Image,
  ImageUsage,
  PipelineLayout,
  Scope,
  ShaderModule,
  ShaderStage,
  type BufferUse,
} from "../../src/index.js";
import { validatedGpu } from "../helpers/gpu.js";

const SQUARES = `#version 450
layout(local_size_x = 64) in;
layout(std430, binding = 0) buffer Values { uint v[]; } values;
layout(push_constant) uniform Count { uint n; } count;
void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i < count.n) values.v[i] = i * i + 7u;
}
`;

const PATTERN = `#version 450
layout(local_size_x = 8, local_size_y = 8) in;
layout(binding = 0, rgba8) uniform writeonly image2D target;
void main() {
  ivec2 p = ivec2(gl_GlobalInvocationID.xy);
  if (p.x >= 20 || p.y >= 12) return;
  imageStore(target, p, vec4(uvec4(p.x * 10, p.y * 20, (p.x ^ p.y) & 1u, 255)) / 255.0);
}
`;

describe("compute (lavapipe, validation on)", () => {
  const fx = validatedGpu();

  it("a GLSL compute shader writes a storage buffer the CPU reads after a compute-write → host-read barrier", async () => {
    using scope = new Scope("squares");
    const { device } = fx;
    const n = 1000;
    const values = Buffer.create(device, { size: n * 4, usage: BufferUsage.storage, memory: "host", what: "squares", scope });
    new Uint32Array(values.mapped).fill(0xdead);
    const setLayout = DescriptorSetLayout.create(device, { bindings: [{ binding: 0, type: "storage-buffer", stages: ShaderStage.compute }], scope });
    const layout = PipelineLayout.create(device, { setLayouts: [setLayout], pushConstants: [{ stages: ShaderStage.compute, size: 4 }], scope });
    const shader = await ShaderModule.fromGlsl(device, { source: SQUARES, stage: "compute", file: "squares.comp", scope });
    const pipeline = ComputePipeline.create(device, { layout, shader, scope });
    expect(String(pipeline)).toBe("ComputePipeline squares.comp");
    const [set] = DescriptorPool.create(device, { layout: setLayout, maxSets: 1, scope }).allocate(setLayout, 1);
    set!.write([{ binding: 0, type: "storage-buffer", buffer: values }]);
    device
      .submitOnce((cmd) => {
        cmd.bindPipeline(pipeline);
        cmd.bindDescriptorSet(layout, set!, 0, "compute");
        cmd.pushConstants(layout, ShaderStage.compute, new Uint32Array([n - 1]).buffer); // the last one stays untouched
        cmd.dispatch(Math.ceil(n / 64));
        cmd.barrier("compute-write", "host-read");
      })
      .wait();
    const got = new Uint32Array(values.mapped);
    for (let i = 0; i < n - 1; i++) if (got[i] !== i * i + 7) expect.fail(`value ${i}: ${got[i]} != ${i * i + 7}`);
    expect(got[n - 1]).toBe(0xdead);
    expect(fx.gpu.validationErrors).toEqual([]);
  });

  it("a storage image written by compute, moved to transfer-src, copies out the pixels the shader wrote", async () => {
    using scope = new Scope("pattern");
    const { device } = fx;
    const image = Image.create(device, { width: 20, height: 12, format: Format.VK_FORMAT_R8G8B8A8_UNORM, usage: ImageUsage.storage | ImageUsage.transferSrc, what: "pattern", scope });
    const view = image.createView({ scope });
    const readback = Buffer.create(device, { size: 20 * 12 * 4, usage: BufferUsage.transferDst, memory: "host", what: "readback", scope });
    const setLayout = DescriptorSetLayout.create(device, { bindings: [{ binding: 0, type: "storage-image", stages: ShaderStage.compute }], scope });
    const layout = PipelineLayout.create(device, { setLayouts: [setLayout], scope });
    const shader = await ShaderModule.fromGlsl(device, { source: PATTERN, stage: "compute", file: "pattern.comp", scope });
    const pipeline = ComputePipeline.create(device, { layout, shader, scope });
    const [set] = DescriptorPool.create(device, { layout: setLayout, maxSets: 1, scope }).allocate(setLayout, 1);
    set!.write([{ binding: 0, type: "storage-image", view }]);
    device
      .submitOnce((cmd) => {
        cmd.imageBarrier(image, "undefined", "compute-write");
        cmd.bindPipeline(pipeline);
        cmd.bindDescriptorSet(layout, set!, 0, "compute");
        cmd.dispatch(3, 2);
        cmd.imageBarrier(image, "compute-write", "transfer-src");
        cmd.copyImageToBuffer(image, readback);
      })
      .wait();
    const px = new Uint8Array(readback.mapped);
    for (let y = 0; y < 12; y++) {
      for (let x = 0; x < 20; x++) {
        const i = (y * 20 + x) * 4;
        expect([px[i], px[i + 1], px[i + 2], px[i + 3]]).toEqual([x * 10, y * 20, (x ^ y) & 1, 255]);
      }
    }
    expect(fx.gpu.validationErrors).toEqual([]);
  });

  it("refuses a use it does not know, naming it and the ones it knows", () => {
    using scope = new Scope("bad barrier");
    const pool = fx.device.submitOnce((cmd) => {
      expect(() => cmd.barrier("compute-write", "vertex-buffer" as BufferUse)).toThrow(/unknown buffer use 'vertex-buffer' \(one of compute-write, .*vertex-input/);
      const image = Image.create(fx.device, { width: 4, height: 4, format: Format.VK_FORMAT_R8G8B8A8_UNORM, usage: ImageUsage.storage, scope });
      expect(() => cmd.imageBarrier(image, "compute-write", "undefined")).toThrow(/cannot be moved to "undefined"/);
    });
    pool.wait();
  });
});
