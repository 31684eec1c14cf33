// The V8 code cache nvk's generated interfaces load through (src/vk/code-cache.ts): a module loads
// the same with or without a cache file, a cache is written once start-up is over, and the folder
// keeps only the newest few caches.
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { requireWithCodeCache } from "../../src/vk/code-cache.js";

describe("V8 code cache", () => {
  let home: string;
  let before: string | undefined;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), "scanout-code-cache-"));
    before = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = home;
  });
  afterEach(() => {
    if (before === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = before;
    rmSync(home, { recursive: true, force: true });
  });

  const module = (name: string, value: number) => {
    const file = join(home, `${name}.cjs`);
    writeFileSync(file, `module.exports = { value: ${value}, twice: (x) => x * 2 };\n`);
    return file;
  };
  const caches = () => readdirSync(join(home, "scanout", "v8")).filter((n) => n.endsWith(".bin"));

  it("loads a module, writes its cache after start-up, and prunes the folder to the newest caches", async () => {
    const dir = join(home, "scanout", "v8");
    // twelve stale caches of other copies of the package, oldest first
    const a = module("seed", 0);
    requireWithCodeCache(a); // makes the folder (its cache is written later)
    await new Promise((r) => setTimeout(r, 2200));
    for (let i = 0; i < 12; i++) {
      const f = join(dir, `stale-${i}.bin`);
      writeFileSync(f, "old");
      utimesSync(f, 1_000_000 + i, 1_000_000 + i);
    }
    const file = module("fresh", 41);
    const m = requireWithCodeCache(file) as { value: number; twice(x: number): number };
    expect(m.value).toBe(41);
    expect(m.twice(21)).toBe(42);
    expect(requireWithCodeCache(file)).toBe(m); // Node's module cache: loaded once
    await new Promise((r) => setTimeout(r, 2200)); // the cache is written 2 s after loading
    const left = caches();
    expect(left.some((n) => n.includes("fresh"))).toBe(true);
    expect(left.length).toBe(9); // the new one and the newest eight others
    // kept: the seed's cache (written after the stale ones) and the seven newest stale ones
    expect(left.filter((n) => n.startsWith("stale-")).sort()).toEqual([5, 6, 7, 8, 9, 10, 11].map((i) => `stale-${i}.bin`).sort());
    expect(left.some((n) => n.includes("seed"))).toBe(true);
  });
});
