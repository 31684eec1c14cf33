// The triangle scene: turns and slides with the frame number through a per-slot uniform buffer.
// Written against scanout's public API only, as an application would.
import {
  Buffer,
  BufferUsage,
  DescriptorPool,
  DescriptorSetLayout,
  Pipeline,
  PipelineLayout,
  RenderPass,
  Scope,
  ShaderModule,
  ShaderStage,
  TargetFramebuffers,
  FRAMES_IN_FLIGHT,
  type CommandBuffer,
  type DescriptorSet,
  type Frame,
  type Scene,
  type TargetInfo,
} from "../src/index.js";

const CLEAR = [0.05, 0.05, 0.08, 1] as const;

export class Triangle implements Scene {
  private readonly scope = new Scope("triangle");
  private readonly renderPass: RenderPass;
  private readonly layout: PipelineLayout;
  private readonly pipeline: Pipeline;
  private readonly framebuffers: TargetFramebuffers;
  private readonly sets: DescriptorSet[];
  private readonly uniforms: Float32Array[];

  private constructor(out: TargetInfo) {
    const { device } = out;
    const scope = this.scope;
    try {
      this.renderPass = scope.add(RenderPass.create(device, { color: { format: out.format, finalLayout: out.finalLayout } }));
      const setLayout = scope.add(DescriptorSetLayout.create(device, { bindings: [{ binding: 0, type: "uniform-buffer", stages: ShaderStage.vertex }] }));
      this.layout = scope.add(PipelineLayout.create(device, { setLayouts: [setLayout] }));
      using shaders = new Scope("triangle shaders");
      this.pipeline = scope.add(
        Pipeline.createGraphics(device, {
          renderPass: this.renderPass,
          layout: this.layout,
          vertex: shaders.add(ShaderModule.load(device, "triangle.vert.spv")),
          fragment: shaders.add(ShaderModule.load(device, "triangle.frag.spv")),
        }),
      );
      const pool = scope.add(DescriptorPool.create(device, { layout: setLayout, maxSets: FRAMES_IN_FLIGHT }));
      this.sets = pool.allocate(setLayout, FRAMES_IN_FLIGHT);
      this.uniforms = this.sets.map((set) => {
        const buffer = scope.add(Buffer.create(device, { size: 16, usage: BufferUsage.uniform, memory: "host", what: "triangle uniform" }));
        set.write([{ binding: 0, type: "uniform-buffer", buffer }]);
        return new Float32Array(buffer.mapped, 0, 4);
      });
      this.framebuffers = scope.add(new TargetFramebuffers(device, this.renderPass));
    } catch (error) {
      scope.close();
      throw error;
    }
  }

  static create(out: TargetInfo): Triangle {
    return new Triangle(out);
  }

  update(frame: Frame): void {
    const u = this.uniforms[frame.slot]!;
    u[0] = frame.index * 0.02;
    u[1] = 0.4 * Math.sin(frame.index * 0.013);
    u[2] = frame.target.height / frame.target.width;
  }

  draw(cmd: CommandBuffer, frame: Frame): void {
    const { target } = frame;
    cmd.beginRenderPass(this.renderPass, this.framebuffers.get(target), CLEAR);
    cmd.setViewportAndScissor(target.width, target.height);
    cmd.bindPipeline(this.pipeline);
    cmd.bindDescriptorSet(this.layout, this.sets[frame.slot]!);
    cmd.draw(3);
    cmd.endRenderPass();
  }

  destroy(): void {
    this.scope.close();
  }
}
