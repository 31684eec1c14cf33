// Files that ship with the package (shaders, the demo model's generator), found from the package's
// own folder rather than from where a module sits: the same from src/ under a TypeScript runner,
// from dist/src/, from the bundled programs in dist/bin/, and from an installed node_modules/scanout.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

/** The nearest folder above this module holding scanout's package.json. */
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "scanout") return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find scanout's package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** A path inside the package, e.g. packageFile("shaders", "mesh.vert.spv"). */
export function packageFile(...parts: string[]): string {
  root ??= findPackageRoot();
  return join(root, ...parts);
}
