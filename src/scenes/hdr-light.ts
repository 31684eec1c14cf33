// The HDR scene's light: a thin emissive panel hanging over the model (over the demo room's cube),
// far brighter than SDR white (1000 cd/m² by default). It shares the mesh's uniforms (the same model
// matrix, so it turns with the room) and vertex layout; only its fragment shader differs
// (shaders/emissive.frag: a constant colour, encoded for the target by colour.glsl).
import { VERTEX_STRIDE, POSITION_OFFSET, NORMAL_OFFSET, UV_OFFSET } from "../assets/obj.js";
import { Buffer, BufferUsage, Format, Pipeline, ShaderModule, type CommandBuffer, type Device, type PipelineLayout, type RenderPass, type Scope } from "../index.js";

/** Where the panel is: centred over the model's bounds at three quarters of their height, a tenth of their radius wide. */
function panelBox(bounds: { min: ArrayLike<number>; max: ArrayLike<number> }): { centre: number[]; half: number[] } {
  const { min, max } = bounds;
  const size = [0, 1, 2].map((i) => max[i]! - min[i]!);
  const radius = Math.hypot(size[0]!, size[1]!, size[2]!) / 2 || 1;
  return { centre: [(min[0]! + max[0]!) / 2, min[1]! + 0.75 * size[1]!, (min[2]! + max[2]!) / 2], half: [radius * 0.1, radius * 0.01, radius * 0.1] };
}

/** A box as 24 vertices (position, normal, uv, as the OBJ loader lays them out) and 36 indices. */
function boxGeometry(centre: number[], half: number[]): { vertices: Float32Array; indices: Uint16Array } {
  const floats = VERTEX_STRIDE / 4;
  const vertices = new Float32Array(24 * floats);
  const indices = new Uint16Array(36);
  let v = 0;
  let n = 0;
  for (let axis = 0; axis < 3; axis++) {
    for (const sign of [-1, 1]) {
      const [u, w] = [(axis + 1) % 3, (axis + 2) % 3];
      const base = v;
      for (const [a, b] of [[-1, -1], [1, -1], [1, 1], [-1, 1]] as const) {
        const p = [0, 0, 0];
        p[axis] = centre[axis]! + sign * half[axis]!;
        p[u] = centre[u]! + a * half[u]!;
        p[w] = centre[w]! + b * half[w]!;
        const normal = [0, 0, 0];
        normal[axis] = sign;
        const o = v * floats;
        vertices.set(p, o + POSITION_OFFSET / 4);
        vertices.set(normal, o + NORMAL_OFFSET / 4);
        vertices.set([(a + 1) / 2, (b + 1) / 2], o + UV_OFFSET / 4);
        v++;
      }
      // both windings would be drawn with culling off; the light pipeline culls nothing
      indices.set([base, base + 1, base + 2, base, base + 2, base + 3], n);
      n += 6;
    }
  }
  return { vertices, indices };
}

/** The light panel's GPU parts, owned by the mesh's scope. */
export class HdrLight {
  private constructor(
    private readonly pipeline: Pipeline,
    private readonly vertices: Buffer,
    private readonly indices: Buffer,
  ) {}

  /** Builds the panel over `bounds` for the mesh's render pass and pipeline layout. */
  static create(device: Device, scope: Scope, renderPass: RenderPass, layout: PipelineLayout, shaders: Scope, bounds: { min: ArrayLike<number>; max: ArrayLike<number> }): HdrLight {
    const { centre, half } = panelBox(bounds);
    const box = boxGeometry(centre, half);
    const pipeline = Pipeline.create(device, {
      renderPass,
      layout,
      vertex: ShaderModule.load(device, "mesh.vert.spv", { scope: shaders }),
      fragment: ShaderModule.load(device, "emissive.frag.spv", { scope: shaders }),
      vertexInput: {
        stride: VERTEX_STRIDE,
        attributes: [
          { location: 0, format: Format.VK_FORMAT_R32G32B32_SFLOAT, offset: POSITION_OFFSET },
          { location: 1, format: Format.VK_FORMAT_R32G32B32_SFLOAT, offset: NORMAL_OFFSET },
          { location: 2, format: Format.VK_FORMAT_R32G32_SFLOAT, offset: UV_OFFSET },
        ],
      },
      cullMode: "none",
      frontFace: "ccw",
      depthTest: true,
      scope,
    });
    const vertices = Buffer.upload(device, box.vertices, BufferUsage.vertex, { what: "HDR light vertices", scope });
    const indices = Buffer.upload(device, box.indices, BufferUsage.index, { what: "HDR light indices", scope });
    return new HdrLight(pipeline, vertices, indices);
  }

  /** Draws the panel; the mesh's descriptor set (its uniforms) stays bound. */
  draw(cmd: CommandBuffer): void {
    cmd.bindPipeline(this.pipeline);
    cmd.bindVertexBuffer(this.vertices);
    cmd.bindIndexBuffer(this.indices, "uint16");
    cmd.drawIndexed(36);
  }
}
