// Loads a large CommonJS file with V8's code cache kept on disk: nvk's generated interfaces are
// 2 MB of JavaScript that V8 would otherwise parse and compile at every start (~60 ms here, ~9 ms
// from the cache). The cache is only an accelerator: V8 rejects a stale or foreign one (other
// source, Node version or flags) and we then compile normally and write a fresh one; any file
// system error just means no cache.
import { isAscii } from "node:buffer";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { Script } from "node:vm";
import { pruneCacheFolder } from "../util/prune-cache.js";

interface CjsModule {
  exports: unknown;
  filename: string;
  paths: string[];
  loaded: boolean;
}
type ModuleInternals = {
  new (id: string, parent?: unknown): CjsModule;
  wrap(source: string): string;
  _nodeModulePaths(dir: string): string[];
  _cache: Record<string, CjsModule>;
};

/** Where code caches go: $XDG_CACHE_HOME (or ~/.cache)/scanout/v8. */
function cacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "scanout", "v8");
}

/** requires `file` (an absolute path to a CommonJS module) through a disk-backed V8 code cache. */
export function requireWithCodeCache(file: string): unknown {
  const M = Module as unknown as ModuleInternals;
  const cached = M._cache[file];
  if (cached) return cached.exports;
  const bytes = readFileSync(file);
  // Generated code is ASCII: as Latin-1 it becomes a V8 one-byte string by a plain copy, about a
  // third of what decoding 2 MB as UTF-8 costs; anything else is decoded as UTF-8.
  const source = isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
  const st = statSync(file);
  // One cache file per source (path, size, mtime) and Node build; V8 still validates its contents.
  // "w2": caches written after start-up (writeCacheLater), so the older, thinner ones are not reused.
  const key = `${file.replace(/[^A-Za-z0-9]+/g, "_").slice(-80)}-${st.size}-${Math.trunc(st.mtimeMs)}-${process.version}-${process.arch}-w2.bin`;
  const cachePath = join(cacheDir(), key);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cachePath);
  } catch {
    cachedData = undefined;
  }
  const script = new Script(M.wrap(source), { filename: file, cachedData });
  const mod = new M(file);
  mod.filename = file;
  mod.paths = M._nodeModulePaths(dirname(file));
  M._cache[file] = mod;
  try {
    const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: CjsModule, filename: string, dirname: string) => void;
    wrapper.call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
    mod.loaded = true;
  } catch (e) {
    delete M._cache[file];
    throw e;
  }
  if (!cachedData || script.cachedDataRejected) writeCacheLater(cachePath, script);
  return mod.exports;
}

/**
 * Writes the cache once start-up is over: 2 s from now, or at exit if that comes first. V8 puts in
 * it every function compiled so far, so it then also holds the struct and command wrappers the app
 * called after loading (not only what the module's top level ran), and later starts compile none of
 * them: ~30 ms less to the demo's first frame here than a cache written right after loading.
 */
function writeCacheLater(path: string, script: Script): void {
  let written = false;
  const write = (): void => {
    if (written) return;
    written = true;
    clearTimeout(timer);
    process.off("exit", write);
    writeCache(path, script);
  };
  const timer = setTimeout(write, 2000);
  timer.unref();
  process.once("exit", write);
}

function writeCache(path: string, script: Script): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, path); // atomic: a concurrent start reads the old file or the new one, never half
    pruneCacheFolder(dirname(path), path, KEEP_CACHES);
  } catch {
    /* read-only or full disk: run without a cache */
  }
}

/** Caches kept besides the one just written: each copy or version of the package leaves its own. */
const KEEP_CACHES = 8;

