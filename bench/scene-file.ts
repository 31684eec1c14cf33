// Writes the scene description the C reference reads (bench/c-reference/scene-file.[ch]): the
// scene's SPIR-V paths, clear colour and time step, and for the mesh the geometry and texture as
// scanout's loaders produce them, the fit and view-projection matrices and the light. Both sides
// thus draw the same inputs; the C program does the per-frame work (uniforms, recording) itself.
import { writeFile } from "node:fs/promises";
import { mat4 } from "gl-matrix";
import { loadObj } from "../src/assets/obj.js";
import { loadPng } from "../src/assets/png.js";
import { Format, shaderPath } from "../src/index.js";
import { LIGHT, ROTATION_SPEED, TRIANGLE_CLEAR, fitMatrix, viewProjection } from "./scenes.js";
import { BENCH_TIMESTEP, TARGET_FORMAT, type MeshSpec, type SceneSpec } from "./scene-spec.js";

const MAGIC = "SCNREF01";
const KIND = { triangle: 1, mesh: 2 } as const;

/** Little-endian fields appended in order; `bytes()` joins them. */
class FieldWriter {
  private readonly parts: Uint8Array[] = [];
  u32(...values: number[]): this {
    const b = new DataView(new ArrayBuffer(4 * values.length));
    values.forEach((v, i) => b.setUint32(4 * i, v, true));
    return this.raw(new Uint8Array(b.buffer));
  }
  f32(values: ArrayLike<number>): this {
    return this.raw(new Uint8Array(Float32Array.from(values).buffer));
  }
  f64(value: number): this {
    return this.raw(new Uint8Array(Float64Array.of(value).buffer));
  }
  string(s: string): this {
    const b = Buffer.from(s, "utf8");
    return this.u32(b.length).raw(b);
  }
  raw(b: ArrayBufferView): this {
    this.parts.push(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
    return this;
  }
  bytes(): Uint8Array {
    return Buffer.concat(this.parts);
  }
}

async function writeMesh(w: FieldWriter, spec: MeshSpec, size: readonly [number, number]): Promise<void> {
  // The same loaders and options TexturedMesh.load uses (smooth normals where the file has none).
  const mesh = await loadObj(spec.obj);
  const texture = await loadPng(spec.texture);
  // scanout samples UNORM textures for UNORM targets (sRGB for sRGB ones)
  const textureFormat = Format.VK_FORMAT_R8G8B8A8_UNORM;
  w.u32(1 /* cull back faces */, spec.anisotropy ? 1 : 0, 1 /* mipmaps */);
  w.f32([LIGHT[0], LIGHT[1], LIGHT[2], spec.lighting]);
  w.f64(ROTATION_SPEED);
  w.f32(fitMatrix(mesh));
  w.f32(viewProjection(size[0] / size[1], mat4.create()));
  w.u32(textureFormat, texture.width, texture.height).raw(texture.data);
  w.u32(mesh.vertices.byteLength).raw(mesh.vertices);
  w.u32(mesh.indices.BYTES_PER_ELEMENT, mesh.indices.length).raw(mesh.indices);
}

export async function writeSceneFile(path: string, scene: SceneSpec, size: readonly [number, number]): Promise<void> {
  const w = new FieldWriter();
  w.raw(Buffer.from(MAGIC, "ascii")).u32(KIND[scene.kind], size[0], size[1], TARGET_FORMAT);
  if (scene.kind === "triangle") {
    w.f32(TRIANGLE_CLEAR).f64(BENCH_TIMESTEP).string(shaderPath("triangle.vert.spv")).string(shaderPath("triangle.frag.spv"));
  } else {
    const { mesh } = scene;
    w.f32(mesh.clear).f64(BENCH_TIMESTEP).string(shaderPath("mesh.vert.spv")).string(shaderPath(mesh.fragment ?? "mesh.frag.spv"));
    await writeMesh(w, mesh, size);
  }
  await writeFile(path, w.bytes());
}
