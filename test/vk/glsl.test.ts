// GLSL at run time: errors name file:line as the compiler reports them, the stage comes from the
// file's extension, and the compiler is loaded only when asked for, leaving no process-wide
// handlers behind.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { GlslCompileError, ShaderError, ShaderModule, glslStageOf, loadGlslCompiler } from "../../src/index.js";
import { validatedGpu } from "../helpers/gpu.js";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "scanout-glsl-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("GLSL compiler", () => {
  it("is not loaded by importing scanout, and is once asked for, without leaving process handlers", async () => {
    const script = `
      import { createRequire } from "node:module";
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes("@webgpu/glslang"));
      const m = await import(${JSON.stringify(new URL("../../dist/src/index.js", import.meta.url).href)});
      await import(${JSON.stringify(new URL("../../dist/src/scenes/index.js", import.meta.url).href)});
      const before = loaded();
      const handlers = process.listenerCount("uncaughtException") + process.listenerCount("unhandledRejection");
      await m.loadGlslCompiler();
      console.log(JSON.stringify({ before, after: loaded(), handlers, handlersAfter: process.listenerCount("uncaughtException") + process.listenerCount("unhandledRejection") }));`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script]);
    const r = JSON.parse(stdout.trim()) as { before: boolean; after: boolean; handlers: number; handlersAfter: number };
    expect(r).toEqual({ before: false, after: true, handlers: 0, handlersAfter: 0 });
  });

  it("names file:line and the compiler's message for each error", async () => {
    const compiler = await loadGlslCompiler();
    const source = "#version 450\nlayout(location = 0) out vec4 c;\nvoid main() {\n  c = vec4(1.0);\n  float x = nope;\n  c.w = y;\n}\n";
    let error: unknown;
    try {
      compiler.compile({ source, stage: "fragment", file: "shaders/bad.frag" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GlslCompileError);
    const e = error as GlslCompileError;
    // glslang stops at the first undeclared name; the "compilation terminated" and count lines are left out
    expect(e.diagnostics).toEqual([{ file: "shaders/bad.frag", line: 5, message: "'nope' : undeclared identifier" }]);
    expect(e.line).toBe(5);
    expect(e.message).toBe("shaders/bad.frag:5: 'nope' : undeclared identifier");
    expect(e.file).toBe("shaders/bad.frag");
    // the compiler goes on working after an error
    expect(compiler.compile({ source: source.replace("  float x = nope;\n  c.w = y;\n", ""), stage: "fragment" })[0]).toBe(0x07230203);
  });

  it("reads the stage from the extension, and says so when it cannot", () => {
    expect([glslStageOf("a.vert"), glslStageOf("b.frag"), glslStageOf("c.comp"), glslStageOf("d.glsl")]).toEqual(["vertex", "fragment", "compute", undefined]);
  });

  describe("ShaderModule.fromGlslFile (lavapipe, validation on)", () => {
    const fx = validatedGpu();

    it("makes a module from a file, and refuses a missing file or an unknown extension by name", async () => {
      const file = join(dir, "ok.comp");
      writeFileSync(file, "#version 450\nlayout(local_size_x = 1) in;\nvoid main() {}\n");
      const module = await ShaderModule.fromGlslFile(fx.device, file);
      expect(String(module)).toBe(`ShaderModule ${file}`);
      module.destroy();
      await expect(ShaderModule.fromGlslFile(fx.device, join(dir, "missing.frag"))).rejects.toThrow(/missing\.frag: cannot read GLSL \(ENOENT\)/);
      await expect(ShaderModule.fromGlslFile(fx.device, join(dir, "x.glsl"))).rejects.toBeInstanceOf(ShaderError);
      expect(fx.gpu.validationErrors).toEqual([]);
    });
  });
});
