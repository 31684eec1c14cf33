// Builds the C references in bench/c-reference with the system compiler (`cc`), into
// bench/c-reference/build/ (git-ignored). A binary is rebuilt only when its sources, the
// protocol files it is generated from or the flags change. Without a compiler, headers or
// wayland-scanner the program is reported as unavailable, with the reason and the fix.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export type CProgramName = "offscreen" | "wayland" | "wsi";
export type CBuild = { ok: true; path: string } | { ok: false; reason: string };

const COMMON = ["gpu.c", "scene-file.c", "pipeline.c", "triangle.c", "mesh.c", "frames.c"];
const FLAGS = ["-std=c11", "-O2", "-Wall", "-Wextra"];
const PROTOCOLS = "/usr/share/wayland-protocols/stable";

interface Recipe {
  sources: string[];
  libs: string[];
  headers: { file: string; pkg: string }[];
  /** Wayland protocols whose client code wayland-scanner generates into the build folder. */
  protocols: string[];
}

const RECIPES: Record<CProgramName, Recipe> = {
  offscreen: {
    sources: [...COMMON, "offscreen.c"],
    libs: ["-lvulkan", "-lm"],
    headers: [{ file: "vulkan/vulkan.h", pkg: "libvulkan-dev" }],
    protocols: [],
  },
  wayland: {
    sources: [...COMMON, "wl-window.c", "wayland.c"],
    libs: ["-lwayland-client", "-lvulkan", "-lm"],
    headers: [
      { file: "vulkan/vulkan.h", pkg: "libvulkan-dev" },
      { file: "wayland-client.h", pkg: "libwayland-dev" },
    ],
    protocols: [`${PROTOCOLS}/xdg-shell/xdg-shell.xml`, `${PROTOCOLS}/presentation-time/presentation-time.xml`],
  },
  wsi: {
    sources: [...COMMON, "wl-window.c", "wsi.c"],
    libs: ["-lwayland-client", "-lvulkan", "-lm"],
    headers: [
      { file: "vulkan/vulkan.h", pkg: "libvulkan-dev" },
      { file: "wayland-client.h", pkg: "libwayland-dev" },
    ],
    protocols: [`${PROTOCOLS}/xdg-shell/xdg-shell.xml`, `${PROTOCOLS}/presentation-time/presentation-time.xml`],
  },
};

/** The repository root: the nearest folder above this file with package.json (works from dist/ too). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("bench/c-build: cannot find the repository root (package.json)");
    dir = up;
  }
  return dir;
}

export const sourceDir = join(repoRoot(), "bench", "c-reference");
const buildDir = join(sourceDir, "build");

function run(cmd: string, args: string[], input?: string): { ok: boolean; output: string; missing: boolean } {
  const r = spawnSync(cmd, args, { encoding: "utf8", input });
  const missing = (r.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
  return { ok: r.status === 0, output: `${r.stdout ?? ""}${r.stderr ?? ""}`.trim(), missing };
}

/** Why the program cannot be built here, or undefined when the tools and headers are present. */
function missingPrerequisite(recipe: Recipe): string | undefined {
  if (run("cc", ["--version"]).missing) return "no C compiler (`cc`): install gcc and libc6-dev (npm run setup:system)";
  for (const h of recipe.headers) {
    if (!run("cc", ["-E", "-x", "c", "-o", "/dev/null", "-"], `#include <${h.file}>\n`).ok) {
      return `no <${h.file}>: install ${h.pkg} (npm run setup:system)`;
    }
  }
  if (recipe.protocols.length && run("wayland-scanner", ["--version"]).missing) return "no wayland-scanner: install libwayland-dev (npm run setup:system)";
  const absent = recipe.protocols.find((p) => !existsSync(p));
  if (absent) return `no ${absent}: install wayland-protocols (npm run setup:system)`;
  return undefined;
}

function generateProtocols(recipe: Recipe, genDir: string): string[] {
  mkdirSync(genDir, { recursive: true });
  const sources: string[] = [];
  for (const xml of recipe.protocols) {
    const base = join(genDir, xml.split("/").pop()!.replace(/\.xml$/, ""));
    for (const [mode, out] of [["client-header", `${base}-client-protocol.h`], ["private-code", `${base}-protocol.c`]] as const) {
      const r = run("wayland-scanner", [mode, xml, out]);
      if (!r.ok) throw new Error(`wayland-scanner ${mode} ${xml} failed: ${r.output}`);
    }
    sources.push(`${base}-protocol.c`);
  }
  return sources;
}

const built = new Map<CProgramName, CBuild>();

/** The program's binary, built now if missing or out of date (once per process). */
export function buildC(name: CProgramName): CBuild {
  const cached = built.get(name);
  if (cached) return cached;
  const recipe = RECIPES[name];
  const reason = missingPrerequisite(recipe);
  const result: CBuild = reason ? { ok: false, reason: `C reference ${name} not built: ${reason}` } : { ok: true, path: compile(name, recipe) };
  built.set(name, result);
  return result;
}

function compile(name: CProgramName, recipe: Recipe): string {
  const hash = createHash("sha256").update(FLAGS.join(" ")).update(recipe.libs.join(" "));
  for (const file of [...recipe.sources.map((s) => join(sourceDir, s)), ...recipe.protocols]) hash.update(file).update(readFileSync(file));
  for (const header of readdirSync(sourceDir).filter((f) => f.endsWith(".h")).sort()) hash.update(header).update(readFileSync(join(sourceDir, header)));
  const digest = hash.digest("hex");
  const binary = join(buildDir, name);
  const stamp = `${binary}.sha256`;
  if (existsSync(binary) && existsSync(stamp) && readFileSync(stamp, "utf8") === digest) return binary;

  mkdirSync(buildDir, { recursive: true });
  const genDir = join(buildDir, `${name}-gen`);
  const generated = recipe.protocols.length ? generateProtocols(recipe, genDir) : [];
  const tmp = `${binary}.tmp-${process.pid}`;
  const args = [...FLAGS, `-I${sourceDir}`, `-I${genDir}`, "-o", tmp, ...recipe.sources.map((s) => join(sourceDir, s)), ...generated, ...recipe.libs];
  const r = run("cc", args);
  if (!r.ok) throw new Error(`cc failed to build bench/c-reference/${name}:\n${r.output}`);
  renameSync(tmp, binary);
  writeFileSync(stamp, digest);
  return binary;
}
