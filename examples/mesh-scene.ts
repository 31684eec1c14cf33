// `--scene mesh` for the demo CLI: the user's --model/--texture, or our generated room.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { logger, type TargetInfo } from "../src/index.js";
import { generateDemoModel } from "../src/assets/generate.js";
import { UsageError } from "./cli-args.js";
import { TexturedMesh } from "./mesh.js";

const log = logger("demo");

export async function loadMeshScene(out: TargetInfo, args: { model?: string; texture?: string }): Promise<TexturedMesh> {
  if (args.texture && !args.model) throw new UsageError("--texture needs --model (the OBJ it belongs to)");
  // The generated assets are written to a fresh folder and read back through the same loader a
  // user's files take; the folder goes once the scene holds everything on the GPU.
  const dir = await mkdtemp(join(tmpdir(), "scanout-demo-model-"));
  try {
    const generated = !args.model || !args.texture ? await generateDemoModel(dir) : undefined;
    if (args.model && !args.texture) log.warn(`${args.model}: no --texture given; using the generated demo texture`);
    return await TexturedMesh.load(out, { obj: args.model ?? generated!.obj, texture: args.texture ?? generated!.texture });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
