// The demo's model: the user's OBJ/PNG, or the room scanout generates (written as real OBJ + PNG
// files and read back through the same loaders a user's files take).
import { createHash } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rename, rm } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { logger, type TargetInfo } from "../index.js";
import { generateDemoModel } from "../assets/generate.js";
import { packageFile } from "../util/package-root.js";
import { TexturedMesh, type TexturedMeshOptions } from "./textured-mesh.js";

/**
 * The generator module's file (its code is the cache key): next to this module (compiled .js, or
 * .ts under a TS runner), else in the package's dist/src/ (this module bundled into dist/bin/).
 */
const generatorFile = (): string => {
  const js = fileURLToPath(new URL("../assets/generate.js", import.meta.url));
  const candidates = [js, js.replace(/\.js$/, ".ts"), packageFile("dist", "src", "assets", "generate.js")];
  return candidates.find((f) => existsSync(f)) ?? js;
};

const log = logger("demo");

/** Options of loadDemoMesh: those of TexturedMesh.load, with obj and texture optional (a generated room and its texture stand in). */
export interface DemoMeshOptions extends Partial<TexturedMeshOptions> {
  /** A texture without a model is refused: the texture's coordinates belong to one model. */
  texture?: string;
}

/** Loads `options.obj` (+ `options.texture`), or the generated room when no model is given. */
export async function loadDemoMesh(out: TargetInfo, options: DemoMeshOptions = {}): Promise<TexturedMesh> {
  if (options.texture && !options.obj) throw new RangeError("a texture needs its model: give obj as well");
  const generated = !options.obj || !options.texture ? await cachedDemoModel() : undefined;
  if (options.obj && !options.texture) log.warn(`${options.obj}: no texture given; using the generated demo texture`);
  return TexturedMesh.load(out, { ...options, obj: options.obj ?? generated!.obj, texture: options.texture ?? generated!.texture });
}

/**
 * The generated room's files, made once per version of the generator and kept in the user's cache
 * folder ($XDG_CACHE_HOME or ~/.cache, scanout/), so a second run skips generating them. The key is
 * a hash of the generator's own code, so a changed generator never serves stale files. Without a
 * writable cache the files go to a temporary folder for this process.
 */
async function cachedDemoModel(): Promise<{ obj: string; texture: string }> {
  const generator = await readFile(generatorFile());
  const key = createHash("sha256").update(generator).digest("hex").slice(0, 16);
  const cacheRoot = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  const dir = join(cacheRoot, "scanout", `demo-model-${key}`);
  const files = { obj: join(dir, "room.obj"), texture: join(dir, "room.png") };
  if (existsSync(files.obj) && existsSync(files.texture)) return files;
  const scratch = await mkdtemp(join(tmpdir(), "scanout-demo-model-"));
  const made = await generateDemoModel(scratch);
  try {
    await mkdir(dirname(dir), { recursive: true });
    await rename(scratch, dir); // atomic: a concurrent run sees all files or none
    return files;
  } catch {
    if (existsSync(files.obj) && existsSync(files.texture)) {
      await rm(scratch, { recursive: true, force: true }); // another process won the race
      return files;
    }
    log.debug(`demo model: no writable cache at ${dir}; using ${scratch} for this run`);
    process.once("exit", () => rmSync(scratch, { recursive: true, force: true }));
    return { obj: made.obj, texture: made.texture };
  }
}

export { generateDemoModel };
