// The demo's model: the user's OBJ/PNG, or the room scanout generates (written as real OBJ + PNG
// files and read back through the same loaders a user's files take).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { logger, type TargetInfo } from "../index.js";
import { generateDemoModel } from "../assets/generate.js";
import { TexturedMesh, type TexturedMeshOptions } from "./textured-mesh.js";

const log = logger("demo");

export interface DemoMeshOptions extends Partial<TexturedMeshOptions> {
  /** A texture without a model is refused: the texture's coordinates belong to one model. */
  texture?: string;
}

/** Loads `options.obj` (+ `options.texture`), or the generated room when no model is given. */
export async function loadDemoMesh(out: TargetInfo, options: DemoMeshOptions = {}): Promise<TexturedMesh> {
  if (options.texture && !options.obj) throw new RangeError("a texture needs its model: give obj as well");
  // The generated files live in a fresh folder only until the scene holds everything on the GPU.
  const dir = await mkdtemp(join(tmpdir(), "scanout-demo-model-"));
  try {
    const generated = !options.obj || !options.texture ? await generateDemoModel(dir) : undefined;
    if (options.obj && !options.texture) log.warn(`${options.obj}: no texture given; using the generated demo texture`);
    return await TexturedMesh.load(out, { ...options, obj: options.obj ?? generated!.obj, texture: options.texture ?? generated!.texture });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export { generateDemoModel };
