// The triangle scene: turns and slides with the frame number through a per-slot uniform buffer.
// Written against scanout's public API only, as an application would.
import {
  Buffer,
  BufferUsage,
  DescriptorPool,
  DescriptorSetLayout,
  FRAMES_IN_FLIGHT,
  Pipeline,
  PipelineLayout,
  RenderPass,
  Scope,
  ShaderModule,
  ShaderStage,
  TargetFramebuffers,
  clipTransform,
  orientedSize,
  type CommandBuffer,
  ScopedScene,
  type DescriptorSet,
  type Device,
  type Frame,
  type Scene,
  type TargetInfo,
} from "../index.js";

/** The colour the triangle scene clears to (RGBA 0..1). */
export const TRIANGLE_CLEAR = [0.05, 0.05, 0.08, 1] as const;
const CLEAR = TRIANGLE_CLEAR;

/** A coloured triangle that turns with the frame number: the smallest complete scene. */
export class Triangle extends ScopedScene implements Scene {
  private constructor(
    device: Device,
    scope: Scope,
    private readonly renderPass: RenderPass,
    private readonly layout: PipelineLayout,
    private readonly pipeline: Pipeline,
    private readonly framebuffers: TargetFramebuffers,
    private readonly sets: readonly DescriptorSet[],
    private readonly uniforms: readonly Float32Array[],
  ) {
    super(device, scope);
  }

  /** Builds the pipeline and per-slot uniforms for the presenter's format and final layout. */
  static create(out: TargetInfo): Triangle {
    const { device } = out;
    return Scope.build("triangle", (scope) => {
      const renderPass = RenderPass.create(device, { color: { format: out.format, finalLayout: out.finalLayout }, scope });
      const setLayout = DescriptorSetLayout.create(device, { bindings: [{ binding: 0, type: "uniform-buffer", stages: ShaderStage.vertex }], scope });
      const layout = PipelineLayout.create(device, { setLayouts: [setLayout], scope });
      using shaders = new Scope("triangle shaders"); // only needed while the pipeline is made
      const pipeline = Pipeline.create(device, {
        renderPass,
        layout,
        vertex: ShaderModule.load(device, "triangle.vert.spv", { scope: shaders }),
        fragment: ShaderModule.load(device, "triangle.frag.spv", { scope: shaders }),
        scope,
      });
      const pool = DescriptorPool.create(device, { layout: setLayout, maxSets: FRAMES_IN_FLIGHT, scope });
      const sets = pool.allocate(setLayout, FRAMES_IN_FLIGHT);
      const uniforms = sets.map((set) => {
        const buffer = Buffer.create(device, { size: 32, usage: BufferUsage.uniform, memory: "host", what: "triangle uniform", scope });
        set.write([{ binding: 0, type: "uniform-buffer", buffer }]);
        return new Float32Array(buffer.mapped, 0, 8);
      });
      const framebuffers = TargetFramebuffers.create(device, { renderPass, scope });
      return new Triangle(device, scope, renderPass, layout, pipeline, framebuffers, sets, uniforms);
    });
  }

  /** Writes this frame's angle, offset, aspect ratio (as the surface is seen) and the target's turn into its slot's uniform. */
  update(frame: Frame): void {
    const u = this.uniforms[frame.slot]!;
    const [width, height] = orientedSize(frame.target);
    u[0] = frame.index * 0.02;
    u[1] = 0.4 * Math.sin(frame.index * 0.013);
    u[2] = height / width;
    u.set(clipTransform(frame.target.transform), 4);
  }

  /** Records one render pass with one draw into frame.target. */
  draw(cmd: CommandBuffer, frame: Frame): void {
    const { target } = frame;
    cmd.beginRenderPass(this.renderPass, this.framebuffers.get(target), CLEAR);
    cmd.setViewportAndScissor(target.width, target.height);
    cmd.bindPipeline(this.pipeline);
    cmd.bindDescriptorSet(this.layout, this.sets[frame.slot]!);
    cmd.draw(3);
    cmd.endRenderPass();
  }
}
