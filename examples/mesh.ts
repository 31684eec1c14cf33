// The textured-mesh demo scene: an OBJ model with a PNG texture, a depth buffer, mipmapped
// anisotropic sampling and a camera looking at the model as it turns, through scanout's typed
// Vulkan layer only. Used like any app would use it:
//
//   const scene = await TexturedMesh.load(out, { obj: "room.obj", texture: "room.png" });
//   for await (const frame of out.frames()) {
//     scene.update(frame);
//     frame.record((cmd) => scene.draw(cmd, frame));
//   }
import { mat4, vec3 } from "gl-matrix";
import { loadObj, NORMAL_OFFSET, POSITION_OFFSET, UV_OFFSET, VERTEX_STRIDE, type Mesh, type NormalMode } from "../src/assets/obj.js";
import { loadPng, type Rgba8Image } from "../src/assets/png.js";
import {
  Buffer,
  BufferUsage,
  DescriptorPool,
  DescriptorSetLayout,
  FRAMES_IN_FLIGHT,
  Format,
  Image,
  ImageLayout,
  ImageUsage,
  Pipeline,
  PipelineLayout,
  RenderPass,
  Sampler,
  Scope,
  ShaderModule,
  ShaderStage,
  TargetFramebuffers,
  logger,
  pickDepthFormat,
  vk,
  type CommandBuffer,
  type DescriptorSet,
  type Device,
  type Frame,
  type ImageView,
  type Scene,
  type TargetInfo,
} from "../src/index.js";

const log = logger("demo");

/** Uniform block (std140): model mat4, viewProj mat4, light vec4. */
const UNIFORM_FLOATS = 16 + 16 + 4;
const UNIFORM_SIZE = UNIFORM_FLOATS * 4;
const SLOTS = FRAMES_IN_FLIGHT;

/** Radians per second the model turns about its vertical axis. */
export const ROTATION_SPEED = 0.5;
/** Camera: direction it looks from (model fitted into a unit sphere at the origin), distance, fov. */
const EYE_DIRECTION = vec3.normalize(vec3.create(), [0.55, 0.6, 1]);
const EYE_DISTANCE = 2.3;
const FOV_Y = Math.PI / 4;
const NEAR = 0.1;
const FAR = 10;
const LIGHT = vec3.normalize(vec3.create(), [0.4, 1, 0.6]);

export interface TexturedMeshOptions {
  /** Path of the OBJ model. */
  obj: string;
  /** Path of the PNG texture. */
  texture: string;
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
  /** SPIR-V files (default shaders/mesh.vert.spv and shaders/mesh.frag.spv). */
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

/** Where the camera is, in world space (the model is fitted into the unit sphere at the origin). */
export const EYE = vec3.scale(vec3.create(), EYE_DIRECTION, EYE_DISTANCE);
const ORIGIN = vec3.create();
const UP = vec3.fromValues(0, 1, 0);

/** The model matrix at `time`: the fitted model turned about its vertical axis. */
export function modelMatrix(time: number, fit: mat4, out: mat4): mat4 {
  mat4.fromYRotation(out, time * ROTATION_SPEED);
  return mat4.multiply(out, out, fit);
}

/** The camera's view-projection for `aspect` in Vulkan clip space: y down, depth 0..1. */
export function viewProjection(aspect: number, out: mat4, scratch: mat4 = mat4.create()): mat4 {
  mat4.lookAt(out, EYE, ORIGIN, UP);
  mat4.perspectiveZO(scratch, FOV_Y, aspect, NEAR, FAR);
  scratch[5] = -scratch[5]; // Vulkan's clip-space y points down
  return mat4.multiply(out, scratch, out);
}

/** Scales and centres a mesh's bounding box into the unit sphere at the origin. */
export function fitMatrix(mesh: Pick<Mesh, "bounds">): mat4 {
  const { min, max } = mesh.bounds;
  const centre = vec3.fromValues((min[0] + max[0]) / 2, (min[1] + max[1]) / 2, (min[2] + max[2]) / 2);
  const radius = vec3.distance(min, max) / 2 || 1;
  const fit = mat4.fromScaling(mat4.create(), [1 / radius, 1 / radius, 1 / radius]);
  return mat4.translate(fit, fit, vec3.negate(centre, centre));
}

export function formatName(format: Format): string {
  for (const [name, value] of Object.entries(Format)) if (value === format && name.startsWith("VK_")) return name;
  return `VkFormat(${format})`;
}

function isSrgb(format: Format): boolean {
  return format === Format.VK_FORMAT_B8G8R8A8_SRGB || format === Format.VK_FORMAT_R8G8B8A8_SRGB;
}

export class TexturedMesh implements Scene, AsyncDisposable {
  /** Shading strength, written into the uniform at each update (0 shows plain texel colours). */
  lighting: number;
  readonly stats: MeshLoadStats;
  private readonly device: Device;
  private readonly scope: Scope;
  private readonly renderPass: RenderPass;
  private readonly framebuffers: TargetFramebuffers;
  private readonly pipeline: Pipeline;
  private readonly layout: PipelineLayout;
  private readonly sets: DescriptorSet[];
  private readonly uniforms: Float32Array[];
  private readonly vertexBuffer: Buffer;
  private readonly indexBuffer: Buffer;
  private readonly indexType: "uint16" | "uint32";
  private readonly indexCount: number;
  private readonly depthFormat: Format;
  private readonly clear: readonly number[];
  /** Centres and scales the model into the unit sphere the camera frames. */
  readonly fit: mat4;
  private readonly model = mat4.create();
  private readonly viewProj = mat4.create();
  private readonly scratch = mat4.create();
  private aspectWidth = 0;
  private aspectHeight = 0;
  private destroyed = false;

  private constructor(
    device: Device,
    format: Format,
    finalLayout: ImageLayout,
    mesh: Mesh,
    texture: Rgba8Image,
    options: TexturedMeshOptions,
    stats: Pick<MeshLoadStats, "parseMs" | "decodeMs">,
  ) {
    this.device = device;
    this.lighting = options.lighting ?? 0.35;
    this.clear = options.clear ?? [0.07, 0.08, 0.1, 1];
    this.fit = fitMatrix(mesh);
    const scope = (this.scope = new Scope("textured mesh"));
    try {
      this.depthFormat = pickDepthFormat(device);

      let t0 = performance.now();
      this.vertexBuffer = scope.add(Buffer.upload(device, mesh.vertices, BufferUsage.vertex, `${mesh.name} vertices`));
      this.indexBuffer = scope.add(Buffer.upload(device, mesh.indices, BufferUsage.index, `${mesh.name} indices`));
      this.indexType = mesh.indices instanceof Uint16Array ? "uint16" : "uint32";
      this.indexCount = mesh.indices.length;
      const geometryUploadMs = performance.now() - t0;

      t0 = performance.now();
      const textureFormat = isSrgb(format) ? Format.VK_FORMAT_R8G8B8A8_SRGB : Format.VK_FORMAT_R8G8B8A8_UNORM;
      const { view, mipLevels } = uploadTexture(device, scope, texture, textureFormat, options.mipmaps ?? true);
      const textureUploadMs = performance.now() - t0;
      const sampler = scope.add(Sampler.create(device, { mipLevels, anisotropy: options.anisotropy ?? true }));

      const setLayout = scope.add(
        DescriptorSetLayout.create(device, {
          bindings: [
            { binding: 0, type: "uniform-buffer", stages: ShaderStage.vertex | ShaderStage.fragment },
            { binding: 1, type: "combined-image-sampler", stages: ShaderStage.fragment },
          ],
        }),
      );
      const pool = scope.add(DescriptorPool.create(device, { layout: setLayout, maxSets: SLOTS }));
      this.sets = pool.allocate(setLayout, SLOTS);
      this.uniforms = this.sets.map((set, i) => {
        const buffer = scope.add(Buffer.create(device, { size: UNIFORM_SIZE, usage: BufferUsage.uniform, memory: "host", what: `mesh uniform ${i}` }));
        set.write([
          { binding: 0, type: "uniform-buffer", buffer },
          { binding: 1, type: "combined-image-sampler", view, sampler },
        ]);
        return new Float32Array(buffer.mapped, 0, UNIFORM_FLOATS);
      });

      this.layout = scope.add(PipelineLayout.create(device, { setLayouts: [setLayout] }));
      using shaders = new Scope("mesh shaders"); // only needed while the pipeline is created
      const vertex = shaders.add(ShaderModule.load(device, options.shaders?.vertex ?? "mesh.vert.spv"));
      const fragment = shaders.add(ShaderModule.load(device, options.shaders?.fragment ?? "mesh.frag.spv"));
      const renderPass = (this.renderPass = scope.add(
        RenderPass.create(device, { color: { format, finalLayout }, depth: { format: this.depthFormat } }),
      ));
      this.framebuffers = scope.add(new TargetFramebuffers(device, renderPass, this.depthFormat));
      this.pipeline = scope.add(
        Pipeline.createGraphics(device, {
          renderPass,
          layout: this.layout,
          vertex,
          fragment,
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
        }),
      );
      this.stats = {
        ...stats,
        geometryUploadMs,
        textureUploadMs,
        triangles: mesh.triangleCount,
        vertices: mesh.vertexCount,
        textureSize: [texture.width, texture.height],
        mipLevels,
        anisotropy: sampler.anisotropy,
        depthFormat: formatName(this.depthFormat),
      };
      log.info(
        `${mesh.name}: ${mesh.triangleCount} triangles, ${mesh.vertexCount} vertices (${this.indexType}), ` +
          `texture ${texture.width}x${texture.height} ${mipLevels} mip levels, anisotropy ${sampler.anisotropy}, depth ${this.stats.depthFormat}`,
      );
    } catch (error) {
      scope.close();
      throw error;
    }
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
    let t0 = performance.now();
    const mesh = await loadObj(options.obj, { normals: options.normals });
    const parseMs = performance.now() - t0;
    t0 = performance.now();
    const texture = await loadPng(options.texture, { maxDimension: device.physical.limits.maxImageDimension2D });
    const decodeMs = performance.now() - t0;
    return new TexturedMesh(device, format, finalLayout, mesh, texture, options, { parseMs, decodeMs });
  }

  /** Writes the model matrix for frame.time into the frame's uniform slot. */
  update(frame: Pick<Frame, "time" | "slot">): void {
    const u = this.uniforms[frame.slot]!;
    u.set(modelMatrix(frame.time, this.fit, this.model), 0);
    u[32] = LIGHT[0];
    u[33] = LIGHT[1];
    u[34] = LIGHT[2];
    u[35] = this.lighting;
  }

  /** Records the scene into frame.target: one render pass clearing colour and depth, one indexed draw. */
  draw(cmd: CommandBuffer, frame: Pick<Frame, "slot" | "target">): void {
    const { target, slot } = frame;
    if (target.width !== this.aspectWidth || target.height !== this.aspectHeight) {
      viewProjection(target.width / target.height, this.viewProj, this.scratch);
      this.aspectWidth = target.width;
      this.aspectHeight = target.height;
    }
    this.uniforms[slot]!.set(this.viewProj, 16);
    cmd.beginRenderPass(this.renderPass, this.framebuffers.get(target), this.clear);
    cmd.setViewportAndScissor(target.width, target.height);
    cmd.bindPipeline(this.pipeline);
    cmd.bindDescriptorSet(this.layout, this.sets[slot]!);
    cmd.bindVertexBuffer(this.vertexBuffer);
    cmd.bindIndexBuffer(this.indexBuffer, this.indexType);
    cmd.drawIndexed(this.indexCount);
    cmd.endRenderPass();
  }

  /** Frees everything once the GPU has finished the frames submitted so far. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    const scope = this.scope;
    this.device.retire({ destroy: () => scope.close() });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.destroy();
  }
}

/**
 * Uploads RGBA8 pixels to a device-local, sampled image through a staging buffer, then fills the
 * mip chain with linear blits when the format supports them. Leaves every level in
 * SHADER_READ_ONLY_OPTIMAL. Returns the view (owned by `scope`) and the number of levels.
 */
export function uploadTexture(
  device: Device,
  scope: Scope,
  texture: Rgba8Image,
  format: Format,
  mipmaps = true,
): { image: Image; view: ImageView; mipLevels: number } {
  const F = vk.VkFormatFeatureFlagBits;
  const need = F.VK_FORMAT_FEATURE_SAMPLED_IMAGE_FILTER_LINEAR_BIT | F.VK_FORMAT_FEATURE_BLIT_SRC_BIT | F.VK_FORMAT_FEATURE_BLIT_DST_BIT;
  const canBlit = (device.physical.formatFeatures(format).optimal & need) === need;
  if (mipmaps && !canBlit) log.warn(`${formatName(format)}: no linear blits on ${device.physical.name}; texture without mipmaps`);
  const mipLevels = mipmaps && canBlit ? Math.floor(Math.log2(Math.max(texture.width, texture.height))) + 1 : 1;
  const image = scope.add(
    Image.create(device, {
      width: texture.width,
      height: texture.height,
      format,
      mipLevels,
      usage: ImageUsage.sampled | ImageUsage.transferDst | (mipLevels > 1 ? ImageUsage.transferSrc : 0),
      what: `texture ${texture.name}`,
    }),
  );
  const view = scope.add(image.createView());
  const staging = Buffer.create(device, { size: texture.data.byteLength, usage: BufferUsage.transferSrc, memory: "host", what: `${texture.name} staging` });
  try {
    staging.write(texture.data);
    const L = ImageLayout;
    device.runOnce((cmd) => {
      cmd.transition(image, { from: L.VK_IMAGE_LAYOUT_UNDEFINED, to: L.VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL });
      cmd.copyBufferToImage(staging, image);
      for (let level = 1; level < mipLevels; level++) {
        cmd.transition(image, { from: L.VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, to: L.VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, baseMipLevel: level - 1, levelCount: 1 });
        cmd.blitMip(image, level);
        cmd.transition(image, { from: L.VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, to: L.VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, baseMipLevel: level - 1, levelCount: 1 });
      }
      cmd.transition(image, { from: L.VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, to: L.VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, baseMipLevel: mipLevels - 1, levelCount: 1 });
    });
  } finally {
    staging.destroy();
  }
  return { image, view, mipLevels };
}
