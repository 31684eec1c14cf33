// The node flags frame loops want (NODE_FLAGS_FOR_FRAME_LOOPS) reach the programs we ship: npm run
// demo and the scanout-demo bin start node with them, and this node accepts each one.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { missingNodeFlags, NODE_FLAGS_FOR_FRAME_LOOPS } from "../../src/index.js";

const root = new URL("../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");

describe("node flags for frame loops", () => {
  it("are flags this node knows (an unknown one stops node with 'bad option')", () => {
    expect(NODE_FLAGS_FOR_FRAME_LOOPS.length).toBeGreaterThan(0);
    const node = (flags: readonly string[]) => spawnSync(process.execPath, [...flags, "-e", "process.stdout.write(JSON.stringify(process.execArgv))"], { encoding: "utf8" });
    const r = node(NODE_FLAGS_FOR_FRAME_LOOPS);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as string[]).slice(0, NODE_FLAGS_FOR_FRAME_LOOPS.length)).toEqual([...NODE_FLAGS_FOR_FRAME_LOOPS]);
    const misspelt = node(NODE_FLAGS_FOR_FRAME_LOOPS.map((f) => `${f}x`));
    expect(misspelt.status).not.toBe(0);
    expect(misspelt.stderr).toContain("bad option");
  });

  it("are on npm run demo's node command line and on the demo program's #! line", () => {
    const demoScript = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts.demo!;
    const shebang = read("examples/demo.ts").split("\n")[0]!;
    expect(shebang.startsWith("#!/usr/bin/env -S node ")).toBe(true);
    for (const flag of NODE_FLAGS_FOR_FRAME_LOOPS) {
      expect(demoScript.split(" ").slice(0, -2)).toContain(flag);
      expect(shebang.split(" ")).toContain(flag);
    }
  });

  it("missingNodeFlags names the ones a process was started without", () => {
    expect(missingNodeFlags([])).toEqual([...NODE_FLAGS_FOR_FRAME_LOOPS]);
    expect(missingNodeFlags(["--inspect", ...NODE_FLAGS_FOR_FRAME_LOOPS])).toEqual([]);
  });
});
