#!/usr/bin/env node
// The package's programs (bin: scanout-demo, scanout-kms-info) as single ES modules in dist/bin/,
// bundled from the compiled dist/examples/ by rolldown. Node 20 spends ~90 ms resolving, reading
// and linking the ~85 modules of the unbundled demo before its first line runs; one file (plus
// chunks for what loads lazily, such as the KMS and Wayland backends) saves most of that. Only our
// own code is bundled: every package import (nvk, koffi, gl-matrix, pngjs, ws) stays a runtime
// import, resolved from node_modules as before.
import { chmodSync, existsSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const programs = { "scanout-demo": "dist/examples/demo.js", "scanout-kms-info": "dist/examples/kms-info.js" };
const outDir = join(root, "dist", "bin");

for (const [name, file] of Object.entries(programs))
  if (!existsSync(join(root, file))) throw new Error(`bundle-bin: ${file} is missing (run tsc first) for ${name}`);
rmSync(outDir, { recursive: true, force: true });
await build({
  input: Object.fromEntries(Object.entries(programs).map(([name, file]) => [name, join(root, file)])),
  platform: "node",
  // a bare specifier is a package (or node: builtin): left for Node to resolve at run time
  external: (id) => !id.startsWith(".") && !id.startsWith("/") && !id.startsWith("\0"),
  logLevel: "warn",
  output: { dir: outDir, format: "esm", entryFileNames: "[name].js", chunkFileNames: "chunks/[name]-[hash].js" },
});
for (const name of Object.keys(programs)) chmodSync(join(outDir, `${name}.js`), 0o755);
