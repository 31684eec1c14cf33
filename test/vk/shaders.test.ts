// The committed .spv files are what glslangValidator makes of the sources (when it is installed).
import { execFileSync, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const haveGlslang = spawnSync("sh", ["-c", "command -v glslangValidator"]).status === 0;

describe("shaders", () => {
  it.skipIf(!haveGlslang)("committed SPIR-V matches the GLSL sources (skipped without glslang-tools)", () => {
    const r = spawnSync("bash", ["scripts/build-shaders.sh", "--check"], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("every GLSL source has a committed .spv", () => {
    const list = execFileSync("sh", ["-c", "cd shaders && ls *.vert *.frag"], { encoding: "utf8" }).trim().split("\n");
    const spv = new Set(execFileSync("sh", ["-c", "cd shaders && ls *.spv"], { encoding: "utf8" }).trim().split("\n"));
    expect(list.length).toBeGreaterThan(0);
    for (const src of list) expect(spv.has(`${src}.spv`), `${src}.spv`).toBe(true);
  });
});
