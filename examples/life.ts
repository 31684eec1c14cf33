// Conway's Life computed on the GPU and then drawn: each frame a compute shader (shaders/life.comp)
// steps the grid from one storage buffer into the other and writes the cells' colours into a
// storage image, which a full-screen triangle then samples. lifeReference() is the same
// computation on the CPU, pixel for pixel, for tests.
import {
  Buffer,
  BufferUsage,
  ComputePipeline,
  DescriptorPool,
  DescriptorSetLayout,
  Format,
  Image,
  ImageUsage,
  Pipeline,
  PipelineLayout,
  RenderPass,
  Sampler,
  Scope,
  ScopedScene,
  ShaderModule,
  ShaderStage,
  TargetFramebuffers,
  type CommandBuffer,
  type DescriptorSet,
  type Device,
  type Frame,
  type Pixels,
  type Scene,
  type TargetInfo,
} from "../src/index.js";

/** The first generation: a cell is alive (age 1) where a hash of its position and the seed falls under 30 in 100. */
export function lifeSeed(width: number, height: number, seed = 1): Uint32Array {
  const cells = new Uint32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let h = Math.imul(x + 1, 0x9e3779b1) ^ Math.imul(y + 1, 0x85ebca77) ^ Math.imul(seed, 0xc2b2ae3d);
      h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
      h ^= h >>> 13;
      cells[y * width + x] = (h >>> 0) % 100 < 30 ? 1 : 0;
    }
  }
  return cells;
}

/** The pixels the Life scene shows after `steps` steps from lifeSeed(width, height, seed), computed on the CPU. */
export function lifeReference(width: number, height: number, steps: number, seed = 1): Pixels {
  let age: Uint32Array = lifeSeed(width, height, seed);
  let next: Uint32Array = new Uint32Array(age.length);
  for (let s = 0; s < steps; s++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let n = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            if ((dx || dy) && age[((y + dy + height) % height) * width + ((x + dx + width) % width)]! > 0) n++;
          }
        }
        const a = age[y * width + x]!;
        next[y * width + x] = n === 3 || (a > 0 && n === 2) ? Math.min(a + 1, 255) : 0;
      }
    }
    [age, next] = [next, age];
  }
  const data = new Uint8Array(width * height * 4);
  age.forEach((a, i) => data.set(a === 0 ? [14, 16, 26, 255] : [255, 255 - Math.min(a * 24, 200), Math.min(a * 12, 220), 255], i * 4));
  return { width, height, data };
}

/** Options of Life.create: the grid's size in cells (default: the target's size) and the seed of its first generation. */
export interface LifeOptions {
  grid?: readonly [number, number];
  seed?: number;
}

/** Conway's Life on a torus, one step per frame on the GPU (compute), drawn to fill the target. */
export class Life extends ScopedScene implements Scene {
  private steps = 0;
  private readonly gridSize = new Uint32Array(2);
  private readonly targetSize = new Float32Array(2);

  private constructor(
    device: Device,
    scope: Scope,
    private readonly parts: {
      renderPass: RenderPass;
      computeLayout: PipelineLayout;
      compute: ComputePipeline;
      drawLayout: PipelineLayout;
      draw: Pipeline;
      /** [0]: steps from buffer A into B; [1]: from B into A. */
      stepSets: readonly DescriptorSet[];
      drawSet: DescriptorSet;
      colour: Image;
      framebuffers: TargetFramebuffers;
    },
    readonly width: number,
    readonly height: number,
  ) {
    super(device, scope);
    this.gridSize.set([width, height]);
  }

  /** Builds the pipelines, the two cell buffers (the first holding lifeSeed) and the colour image for out's format. */
  static create(out: TargetInfo, options: LifeOptions = {}): Life {
    const { device } = out;
    const [width, height] = options.grid ?? out.size ?? [256, 256];
    return Scope.build("life", (scope) => {
      const cells = [
        Buffer.upload(device, lifeSeed(width, height, options.seed), BufferUsage.storage, { what: "life cells A", scope }),
        Buffer.create(device, { size: width * height * 4, usage: BufferUsage.storage, memory: "device", what: "life cells B", scope }),
      ] as const;
      const colour = Image.create(device, { width, height, format: Format.VK_FORMAT_R8G8B8A8_UNORM, usage: ImageUsage.storage | ImageUsage.sampled, what: "life colours", scope });
      const colourView = colour.createView({ scope });

      const stepLayout = DescriptorSetLayout.create(device, {
        bindings: [
          { binding: 0, type: "storage-buffer", stages: ShaderStage.compute },
          { binding: 1, type: "storage-buffer", stages: ShaderStage.compute },
          { binding: 2, type: "storage-image", stages: ShaderStage.compute },
        ],
        scope,
      });
      const computeLayout = PipelineLayout.create(device, { setLayouts: [stepLayout], pushConstants: [{ stages: ShaderStage.compute, size: 8 }], scope });
      using shaders = new Scope("life shaders"); // only needed while the pipelines are made
      const compute = ComputePipeline.create(device, { layout: computeLayout, shader: ShaderModule.load(device, "life.comp.spv", { scope: shaders }), scope });
      const stepSets = DescriptorPool.create(device, { layout: stepLayout, maxSets: 2, scope }).allocate(stepLayout, 2);
      stepSets.forEach((set, i) =>
        set.write([
          { binding: 0, type: "storage-buffer", buffer: cells[i]! },
          { binding: 1, type: "storage-buffer", buffer: cells[1 - i]! },
          { binding: 2, type: "storage-image", view: colourView },
        ]),
      );

      const drawSetLayout = DescriptorSetLayout.create(device, { bindings: [{ binding: 0, type: "combined-image-sampler", stages: ShaderStage.fragment }], scope });
      const drawLayout = PipelineLayout.create(device, { setLayouts: [drawSetLayout], pushConstants: [{ stages: ShaderStage.fragment, size: 8 }], scope });
      const renderPass = RenderPass.create(device, { color: { format: out.format, finalLayout: out.finalLayout }, scope });
      const draw = Pipeline.create(device, {
        renderPass,
        layout: drawLayout,
        vertex: ShaderModule.load(device, "fullscreen.vert.spv", { scope: shaders }),
        fragment: ShaderModule.load(device, "life-draw.frag.spv", { scope: shaders }),
        scope,
      });
      const sampler = Sampler.create(device, { filter: "nearest", addressMode: "clamp", anisotropy: false, scope });
      const [drawSet] = DescriptorPool.create(device, { layout: drawSetLayout, maxSets: 1, scope }).allocate(drawSetLayout, 1);
      drawSet!.write([{ binding: 0, type: "combined-image-sampler", view: colourView, sampler }]);
      const framebuffers = TargetFramebuffers.create(device, { renderPass, scope });
      const parts = { renderPass, computeLayout, compute, drawLayout, draw, stepSets, drawSet: drawSet!, colour, framebuffers };
      return new Life(device, scope, parts, width, height);
    });
  }

  /** Nothing to do on the CPU: the grid lives on the GPU. */
  update(_frame: Frame): void {}

  /** Records one Life step (compute) and the draw of its colours into frame.target. */
  draw(cmd: CommandBuffer, frame: Frame): void {
    const p = this.parts;
    // The previous step's writes become this step's reads, and the previous draw's reads of the
    // colour image finish before this step overwrites it (it starts out undefined).
    if (this.steps > 0) cmd.barrier("compute-write", "compute-read");
    cmd.imageBarrier(p.colour, this.steps > 0 ? "fragment-sample" : "undefined", "compute-write");
    cmd.bindPipeline(p.compute);
    cmd.bindDescriptorSet(p.computeLayout, p.stepSets[this.steps % 2]!, 0, "compute");
    cmd.pushConstants(p.computeLayout, ShaderStage.compute, this.gridSize.buffer as ArrayBuffer);
    cmd.dispatch(Math.ceil(this.width / 8), Math.ceil(this.height / 8));
    cmd.imageBarrier(p.colour, "compute-write", "fragment-sample");
    this.steps++;

    const { target } = frame;
    this.targetSize[0] = target.width;
    this.targetSize[1] = target.height;
    cmd.beginRenderPass(p.renderPass, p.framebuffers.get(target));
    cmd.setViewportAndScissor(target.width, target.height);
    cmd.bindPipeline(p.draw);
    cmd.bindDescriptorSet(p.drawLayout, p.drawSet);
    cmd.pushConstants(p.drawLayout, ShaderStage.fragment, this.targetSize.buffer as ArrayBuffer);
    cmd.draw(3);
    cmd.endRenderPass();
  }
}
