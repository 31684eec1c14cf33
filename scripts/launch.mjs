#!/usr/bin/env node
// npm run demo / kms-info / bench: run a compiled program from dist/, doing only the set-up that is
// missing. The system setup runs when Debian's package database changed since it last succeeded;
// tsc runs when a source is newer than the last build. Then the program runs in this process, so a
// second `npm run demo` costs one node start-up, not three.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  process.stderr.write("usage: node scripts/launch.mjs examples/demo [ARGS...]\n");
  process.exit(2);
}

const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : 0);

/** Newest modification time of the .ts files below `dir`. */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function run(command, commandArgs) {
  const r = spawnSync(command, commandArgs, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const stamps = join(root, "node_modules", ".cache", "scanout");
mkdirSync(stamps, { recursive: true });

const setupStamp = join(stamps, "system-setup-ok");
if (process.env.SCANOUT_SKIP_SYSTEM_SETUP !== "1" && mtime(setupStamp) < mtime("/var/lib/dpkg/status")) {
  run("bash", ["scripts/setup-system.sh"]);
  writeFileSync(setupStamp, "");
}

// The package's programs need only src/ and examples/; benches build the whole project.
const whole = entry.startsWith("bench/");
const config = whole ? "tsconfig.json" : "tsconfig.build.json";
const dirs = whole ? ["src", "examples", "bench", "scripts"] : ["src", "examples"];
// The package's programs run bundled (dist/bin/, scripts/bundle-bin.mjs: one module to load, not ~85).
// Without the bundler (dev dependencies left out) the same compiled program runs unbundled.
const bin = { "examples/demo": "scanout-demo", "examples/kms-info": "scanout-kms-info" }[entry];
const unbundled = join(root, "dist", `${entry}.js`);
let program = bin ? join(root, "dist", "bin", `${bin}.js`) : unbundled;
const buildStamp = join(stamps, `build-ok-${config}`);
const sources = Math.max(...dirs.map((d) => newestSource(join(root, d))), mtime(join(root, "tsconfig.json")), mtime(join(root, config)));
if (mtime(buildStamp) < sources || !existsSync(unbundled) || !existsSync(program)) {
  run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", config]);
  const bundled = spawnSync(process.execPath, [join(root, "scripts", "bundle-bin.mjs")], { cwd: root, stdio: "inherit" });
  if (bundled.status !== 0) {
    process.stderr.write("launch: bundling the programs failed (is rolldown installed?); running the unbundled build\n");
    program = unbundled;
  } else writeFileSync(buildStamp, "");
}

process.argv = [process.argv[0], program, ...args];
await import(pathToFileURL(program).href);
