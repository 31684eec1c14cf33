// The textured-mesh scene: an OBJ model with a PNG texture, a depth buffer, mipmapped anisotropic
// sampling and a camera looking at the model as it turns, through scanout's typed Vulkan layer.
//
//   const scene = await TexturedMesh.load(out, { obj: "room.obj", texture: "room.png" });
//   for await (const frame of out.frames()) {
//     scene.update(frame);
//     frame.record((cmd) => scene.draw(cmd, frame));
//   }
import { mat4 } from "gl-matrix";
import { loadObj, NORMAL_OFFSET, POSITION_OFFSET, UV_OFFSET, VERTEX_STRIDE, type Mesh, type NormalMode } from "../assets/obj.js";
import { loadPng, type Rgba8Image } from "../assets/png.js";
import {
  Buffer,
  BufferUsage,
  DescriptorPool,
  DescriptorSetLayout,
  FRAMES_IN_FLIGHT,
  Format,
  ImageLayout,
  Pipeline,
  PipelineLayout,
  RenderPass,
  Sampler,
  Scope,
  ShaderModule,
  ShaderStage,
  ScopedScene,
  TargetFramebuffers,
  logger,
  orientedSize,
  pickDepthFormat,
  preRotateMatrix,
  vkFormatName,
  type CommandBuffer,
  type DescriptorSet,
  type Device,
  type Frame,
  type Scene,
  type TargetInfo,
  type TargetTransform,
} from "../index.js";
import { fitMatrix, LIGHT, modelMatrix, viewProjection, type UpAxis } from "./camera.js";
import type { OrbitCamera } from "./orbit.js";
import { textureMipLevels, uploadTexture } from "./texture.js";
import { HdrLight } from "./hdr-light.js";
import { encodeSceneLight, SDR_REFERENCE_WHITE_NITS, shaderColourParams, decodeSdr, type ColourSpace, type ColourState } from "../util/colour.js";

const log = logger("demo");

/** Uniform block (std140): model mat4, viewProj mat4, light vec4, and colour vec4 (mesh-colour.frag, emissive.frag). */
const UNIFORM_FLOATS = 16 + 16 + 4 + 4;
const COLOUR_OFFSET = 36;
const UNIFORM_SIZE = UNIFORM_FLOATS * 4;

/** Options of TexturedMesh.load: the model and texture files (required) and how to show them. */
export interface TexturedMeshOptions {
  /** Path of the OBJ model. */
  obj: string;
  /** Path of the PNG texture. */
  texture: string;
  /** Which axis points up in the model file (default "y"; Blender exports and many CAD files are "z"). */
  up?: UpAxis;
  /** Normals computed when the OBJ has none (default "smooth"). */
  normals?: NormalMode;
  /** How much the light shades the texture: 0 = plain texture colours, 1 = full Lambert (default 0.35). */
  lighting?: number;
  /** Clear colour, RGBA 0..1. */
  clear?: readonly [number, number, number, number];
  /**
   * Faces to skip: "back" (default) assumes OBJ's counter-clockwise front faces, as exporters write
   * them, and halves the triangles rasterized; "none" draws both sides, for models whose winding is
   * inconsistent or that are seen from behind.
   */
  cullMode?: "back" | "none";
  /** Anisotropic filtering when the device has it (default true; costly on software rasterizers). */
  anisotropy?: boolean;
  /** Mipmaps when the format can be blitted with linear filtering (default true). */
  mipmaps?: boolean;
  /**
   * An emissive panel over the model this bright, in cd/m² (the HDR scene: 1000); SDR white is 203.
   * Implies `encodeColour`. Default: none.
   */
  highlightNits?: number;
  /**
   * Render in linear light and encode for the target's colour (shaders/mesh-colour.frag). Default:
   * when the target's colour is not plain sRGB; off, texels go to the target as they are (mesh.frag).
   */
  encodeColour?: boolean;
  /** SPIR-V files (default shaders/mesh.vert.spv and shaders/mesh.frag.spv, or mesh-colour.frag.spv when encoding colour). */
  shaders?: { vertex?: string; fragment?: string };
}

/** Figures from loading, for logs and benchmarks. */
export interface MeshLoadStats {
  parseMs: number;
  decodeMs: number;
  geometryUploadMs: number;
  textureUploadMs: number;
  triangles: number;
  vertices: number;
  textureSize: [number, number];
  mipLevels: number;
  anisotropy: number;
  depthFormat: string;
}

const SRGB_PARAMS = [0, 1, 0];

const isSrgb = (format: Format) => format === Format.VK_FORMAT_B8G8R8A8_SRGB || format === Format.VK_FORMAT_R8G8B8A8_SRGB;

/** What the GPU side of the scene is made of; built in one scope by TexturedMesh.build. */
interface MeshParts {
  renderPass: RenderPass;
  framebuffers: TargetFramebuffers;
  pipeline: Pipeline;
  layout: PipelineLayout;
  sets: DescriptorSet[];
  uniforms: Float32Array[];
  vertexBuffer: Buffer;
  indexBuffer: Buffer;
  stats: MeshLoadStats;
  light: HdrLight | undefined;
}

/**
 * A Scene drawing one textured OBJ model, turning slowly, lit by one directional light, with a depth buffer and a mipmapped,
 * anisotropically filtered texture. Made with TexturedMesh.load; the model is centred and scaled to fit the view whatever its size.
 */
export class TexturedMesh extends ScopedScene implements Scene {
  /** Shading strength, written into the uniform at each update (0 shows plain texel colours). */
  lighting: number;
  /** When set, the view comes from this orbit camera (drag, wheel) instead of the fixed three-quarter view. */
  camera: OrbitCamera | undefined;
  private cameraVersion = -1;
  readonly stats: MeshLoadStats;
  /** Centres and scales the model into the unit sphere the camera frames (and stands it upright). */
  readonly fit: mat4;
  private readonly indexType: "uint16" | "uint32";
  private readonly indexCount: number;
  private readonly clear: readonly number[];
  /** The clear colour encoded for the target's colour (encoding scenes), and the space it was encoded for. */
  private clearEncoded: readonly number[];
  private clearSpace: ColourSpace | undefined;
  private readonly model = mat4.create();
  private readonly viewProj = mat4.create();
  private readonly scratch = mat4.create();
  private aspectWidth = 0;
  private aspectHeight = 0;
  private aspectTransform: TargetTransform = 0;
  /** Where the target's colour is read each frame (the presenter), when the scene encodes colour. */
  private readonly colourOf: { readonly colour?: ColourState } | undefined;
  private readonly highlight: number;

  private constructor(
    device: Device,
    scope: Scope,
    private readonly parts: MeshParts,
    mesh: Mesh,
    options: TexturedMeshOptions,
    colourOf: { readonly colour?: ColourState } | undefined,
  ) {
    super(device, scope);
    this.colourOf = colourOf;
    this.highlight = (options.highlightNits ?? 0) / SDR_REFERENCE_WHITE_NITS;
    this.lighting = options.lighting ?? 0.35;
    this.clear = this.clearEncoded = options.clear ?? [0.07, 0.08, 0.1, 1];
    this.fit = fitMatrix(mesh, options.up);
    this.stats = parts.stats;
    this.indexType = mesh.indices instanceof Uint16Array ? "uint16" : "uint32";
    this.indexCount = mesh.indices.length;
  }

  /**
   * Loads the model and texture and builds everything to draw them into the presenter's targets
   * (`out` is the presenter or any TargetInfo; `format` overrides its format). Bad files fail
   * before any Vulkan object exists, and a failure later frees whatever was already made.
   */
  static async load(out: TargetInfo, options: TexturedMeshOptions): Promise<TexturedMesh>;
  static async load(out: TargetInfo | Device, format: Format, options: TexturedMeshOptions): Promise<TexturedMesh>;
  static async load(out: TargetInfo | Device, a: Format | TexturedMeshOptions, b?: TexturedMeshOptions): Promise<TexturedMesh> {
    const options = typeof a === "object" ? a : b!;
    const device = "device" in out ? out.device : out;
    const format = typeof a === "object" ? (out as TargetInfo).format : a;
    const finalLayout = "finalLayout" in out ? out.finalLayout : ImageLayout.VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
    const size = "finalLayout" in out ? out.size : undefined;
    const colour = "finalLayout" in out ? out.colour : undefined;
    const encode = options.encodeColour ?? (options.highlightNits !== undefined || (colour !== undefined && (colour.space.name !== "srgb" || colour.depth !== 8)));
    let t0 = performance.now();
    const mesh = await loadObj(options.obj, { normals: options.normals });
    const parseMs = performance.now() - t0;
    t0 = performance.now();
    const texture = await loadPng(options.texture, { maxDimension: device.physical.limits.maxImageDimension2D });
    const decodeMs = performance.now() - t0;
    return Scope.build("textured mesh", (scope) => {
      const parts = TexturedMesh.build(device, scope, { format, finalLayout, size }, mesh, texture, { ...options, encodeColour: encode }, { parseMs, decodeMs });
      return new TexturedMesh(device, scope, parts, mesh, options, encode ? (out as TargetInfo) : undefined);
    });
  }

  private static build(
    device: Device,
    scope: Scope,
    target: { format: Format; finalLayout: ImageLayout; size: readonly [number, number] | undefined },
    mesh: Mesh,
    texture: Rgba8Image,
    options: TexturedMeshOptions,
    loadStats: Pick<MeshLoadStats, "parseMs" | "decodeMs">,
  ): MeshParts {
    const depthFormat = pickDepthFormat(device);
    let t0 = performance.now();
    const vertexBuffer = Buffer.upload(device, mesh.vertices, BufferUsage.vertex, { what: `${mesh.name} vertices`, scope });
    const indexBuffer = Buffer.upload(device, mesh.indices, BufferUsage.index, { what: `${mesh.name} indices`, scope });
    const geometryUploadMs = performance.now() - t0;

    const textureFormat = isSrgb(target.format) ? Format.VK_FORMAT_R8G8B8A8_SRGB : Format.VK_FORMAT_R8G8B8A8_UNORM;
    // The sampler, layouts, render pass and pipeline first: see below.
    const sampler = Sampler.create(device, { mipLevels: textureMipLevels(device, texture, textureFormat, options.mipmaps ?? true), anisotropy: options.anisotropy ?? true, scope });

    const setLayout = DescriptorSetLayout.create(device, {
      bindings: [
        { binding: 0, type: "uniform-buffer", stages: ShaderStage.vertex | ShaderStage.fragment },
        { binding: 1, type: "combined-image-sampler", stages: ShaderStage.fragment },
      ],
      scope,
    });
    const layout = PipelineLayout.create(device, { setLayouts: [setLayout], scope });
    using shaders = new Scope("mesh shaders"); // only needed while the pipeline is made
    const renderPass = RenderPass.create(device, { color: target, depth: { format: depthFormat }, scope });
    const framebuffers = TargetFramebuffers.create(device, { renderPass, depthFormat, scope });
    if (target.size) framebuffers.prepare(target.size[0], target.size[1]); // before the upload (see below)
    const pipeline = Pipeline.create(device, {
      renderPass,
      layout,
      vertex: ShaderModule.load(device, options.shaders?.vertex ?? "mesh.vert.spv", { scope: shaders }),
      fragment: ShaderModule.load(device, options.shaders?.fragment ?? (options.encodeColour ? "mesh-colour.frag.spv" : "mesh.frag.spv"), { scope: shaders }),
      vertexInput: {
        stride: VERTEX_STRIDE,
        attributes: [
          { location: 0, format: Format.VK_FORMAT_R32G32B32_SFLOAT, offset: POSITION_OFFSET },
          { location: 1, format: Format.VK_FORMAT_R32G32B32_SFLOAT, offset: NORMAL_OFFSET },
          { location: 2, format: Format.VK_FORMAT_R32G32_SFLOAT, offset: UV_OFFSET },
        ],
      },
      // counter-clockwise fronts stay counter-clockwise: the projection's y flip and Vulkan's
      // y-down framebuffer cancel out
      cullMode: options.cullMode ?? "back",
      frontFace: "ccw",
      depthTest: true,
      scope,
    });
    const light = options.highlightNits !== undefined ? HdrLight.create(device, scope, renderPass, layout, shaders, mesh.bounds) : undefined;
    // Then the upload, which runs on the queue while the rest is made. Everything that compiles or
    // creates sampler state comes before it: lavapipe builds those under the lock its queue thread
    // holds while it executes, so a pipeline made after the upload waits for the whole mip chain
    // to be blitted (~30 ms here; the pipeline itself takes ~1.5 ms from Mesa's shader cache).
    t0 = performance.now();
    const { view, mipLevels } = uploadTexture(device, scope, texture, textureFormat, options.mipmaps ?? true);
    const textureUploadMs = performance.now() - t0;

    const pool = DescriptorPool.create(device, { layout: setLayout, maxSets: FRAMES_IN_FLIGHT, scope });
    const sets = pool.allocate(setLayout, FRAMES_IN_FLIGHT);
    const uniforms = sets.map((set, i) => {
      const buffer = Buffer.create(device, { size: UNIFORM_SIZE, usage: BufferUsage.uniform, memory: "host", what: `mesh uniform ${i}`, scope });
      set.write([
        { binding: 0, type: "uniform-buffer", buffer },
        { binding: 1, type: "combined-image-sampler", view, sampler },
      ]);
      return new Float32Array(buffer.mapped, 0, UNIFORM_FLOATS);
    });

    const stats: MeshLoadStats = {
      ...loadStats,
      geometryUploadMs,
      textureUploadMs,
      triangles: mesh.triangleCount,
      vertices: mesh.vertexCount,
      textureSize: [texture.width, texture.height],
      mipLevels,
      anisotropy: sampler.anisotropy,
      depthFormat: `VK_FORMAT_${vkFormatName(depthFormat)}`,
    };
    log.info(
      `${mesh.name}: ${mesh.triangleCount} triangles, ${mesh.vertexCount} vertices, texture ${texture.width}x${texture.height} ` +
        `${mipLevels} mip levels, anisotropy ${sampler.anisotropy}, depth ${stats.depthFormat}`,
    );
    return { renderPass, framebuffers, pipeline, layout, sets, uniforms, vertexBuffer, indexBuffer, stats, light };
  }

  /** Writes the model matrix for frame.time into the frame's uniform slot. */
  update(frame: Pick<Frame, "time" | "slot">): void {
    const u = this.parts.uniforms[frame.slot]!;
    u.set(modelMatrix(frame.time, this.fit, this.model), 0);
    u[32] = LIGHT[0];
    u[33] = LIGHT[1];
    u[34] = LIGHT[2];
    u[35] = this.lighting;
    if (this.colourOf) {
      // sRGB at 8 bits for a TargetInfo without a colour (a plain format)
      const c = this.colourOf.colour;
      if (c) shaderColourParams(c.space, u, COLOUR_OFFSET);
      else u.set(SRGB_PARAMS, COLOUR_OFFSET);
      u[COLOUR_OFFSET + 3] = this.highlight;
      if (c && c.space !== this.clearSpace) {
        // the clear colour is display-referred, as texels are: the same decode and encode as mesh-colour.frag
        const [r, g, b, a] = this.clear as [number, number, number, number];
        this.clearEncoded = [...encodeSceneLight(c.space, [decodeSdr(r), decodeSdr(g), decodeSdr(b)]), a];
        this.clearSpace = c.space;
      }
    }
  }

  /** Records the scene into frame.target: one render pass clearing colour and depth, one indexed draw. */
  draw(cmd: CommandBuffer, frame: Pick<Frame, "slot" | "target">): void {
    const { target, slot } = frame;
    const p = this.parts;
    // the aspect as the surface is seen; a pre-rotated target's turn goes into the projection
    const [width, height] = orientedSize(target);
    const transform = target.transform ?? 0;
    const stale = width !== this.aspectWidth || height !== this.aspectHeight || transform !== this.aspectTransform;
    if (stale || (this.camera && this.camera.version !== this.cameraVersion)) {
      if (this.camera) {
        this.camera.viewProjection(width / height, this.viewProj, this.scratch);
        this.cameraVersion = this.camera.version;
      } else viewProjection(width / height, this.viewProj, this.scratch);
      preRotateMatrix(this.viewProj, transform);
      [this.aspectWidth, this.aspectHeight, this.aspectTransform] = [width, height, transform];
    }
    p.uniforms[slot]!.set(this.viewProj, 16);
    cmd.beginRenderPass(p.renderPass, p.framebuffers.get(target), this.clearEncoded);
    cmd.setViewportAndScissor(target.width, target.height);
    cmd.bindPipeline(p.pipeline);
    cmd.bindDescriptorSet(p.layout, p.sets[slot]!);
    cmd.bindVertexBuffer(p.vertexBuffer);
    cmd.bindIndexBuffer(p.indexBuffer, this.indexType);
    cmd.drawIndexed(this.indexCount);
    p.light?.draw(cmd);
    cmd.endRenderPass();
  }
}
