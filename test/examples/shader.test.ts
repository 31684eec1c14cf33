// examples/shader.ts and the FragmentShader scene behind it, headless on lavapipe with validation on:
// a shader's PNG equals a CPU evaluation of its formula, a shader that does not compile is reported
// as file:line, and an edit of the file is picked up by the next frames (a broken edit is not: the
// last good shader goes on drawing).
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { createHeadlessPresenter, GlslCompileError, Instance, readPngPixels, type Pixels } from "../../src/index.js";
import { FragmentShader, type ReloadResult } from "../../src/scenes/index.js";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "scanout-shader-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = `#version 450
layout(push_constant) uniform Inputs { float time; vec2 resolution; vec2 mouse; } inputs;
layout(location = 0) out vec4 colour;
`;
// uv over a power-of-two target is exact in float32, and the checker and time terms land far from
// any rounding tie, so every pixel is one exact byte value.
const FORMULA = `${HEADER}void main() {
  vec2 uv = gl_FragCoord.xy / inputs.resolution;
  float checker = mod(floor(gl_FragCoord.x / 8.0) + floor(gl_FragCoord.y / 8.0), 2.0);
  colour = vec4(uv.x, uv.y, checker * 0.75 + fract(inputs.time * 4.0) * 0.25, 1.0);
}
`;

/** FORMULA on the CPU in float32, for a w×h target at `time` seconds. */
function formulaOnCpu(w: number, h: number, time: number): Pixels {
  const f = Math.fround;
  const unorm = (v: number): number => {
    const scaled = v * 255;
    expect(Math.abs((scaled % 1) - 0.5)).toBeGreaterThan(0.001); // far from a tie next to float32's error: any rounding rule gives the same byte
    return Math.round(scaled);
  };
  const data = new Uint8Array(w * h * 4);
  const t4 = f(f(time) * 4);
  const timeTerm = f(f(t4 - Math.floor(t4)) * 0.25);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const checker = (Math.floor((x + 0.5) / 8) + Math.floor((y + 0.5) / 8)) % 2;
      const b = f(f(checker * 0.75) + timeTerm);
      data.set([unorm(f((x + 0.5) / w)), unorm(f((y + 0.5) / h)), unorm(b), 255], (y * w + x) * 4);
    }
  }
  return { width: w, height: h, data };
}

function differingPixels(a: Pixels, b: Pixels): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let n = 0;
  for (let i = 0; i < a.data.length; i += 4) if (a.data[i] !== b.data[i] || a.data[i + 1] !== b.data[i + 1] || a.data[i + 2] !== b.data[i + 2]) n++;
  return n;
}

describe("examples/shader.ts (headless, lavapipe, validation on)", () => {
  it("draws the formula exactly as the CPU evaluates it, with time and resolution from the push constants", async () => {
    const file = join(dir, "formula.frag");
    writeFileSync(file, FORMULA);
    const out = join(dir, "formula.png");
    const frames = 4;
    await run(process.execPath, ["dist/examples/shader.js", file, "--backend", "headless", "--validation", "--frames", String(frames), "--size", "64x32", "--out", out]);
    const got = readPngPixels(out);
    expect(differingPixels(got, formulaOnCpu(64, 32, (frames - 1) / 60))).toBe(0);
    expect(differingPixels(got, formulaOnCpu(64, 32, 0))).toBeGreaterThan(0); // the time term shows
  });

  it("reports a shader that does not compile as file:line with the compiler's message, and exits 1", async () => {
    const file = join(dir, "broken.frag");
    writeFileSync(file, `${HEADER}void main() {\n  vec3 wrong = inputs.resolution;\n  colour = vec4(wrong, 1.0);\n}\n`);
    const failure = await run(process.execPath, ["dist/examples/shader.js", file, "--backend", "headless", "--frames", "1"]).catch((e: { code: number; stderr: string }) => e);
    expect("code" in failure && failure.code).toBe(1);
    expect((failure as { stderr: string }).stderr).toMatch(new RegExp(`${file.replace(/[.]/g, "\\.")}:5: .*cannot convert`));
  });
});

describe("FragmentShader reloads (headless, lavapipe, validation on)", () => {
  const solid = (rgb: string) => `${HEADER}void main() {\n  colour = vec4(${rgb}, 1.0);\n}\n`;

  it("draws an edit from the next frames on, and keeps the last good shader through an edit that does not compile", async () => {
    await using gpu = await Instance.create({ validation: true, requireValidation: true });
    const file = join(dir, "live.frag");
    writeFileSync(file, solid("1.0, 0.0, 0.0"));
    const out = createHeadlessPresenter(gpu.createDevice(), { size: [16, 16] }, true);
    let waiting: ((r: ReloadResult) => void) | undefined;
    const reloaded = () => new Promise<ReloadResult>((resolve) => (waiting = resolve));
    const scene = await FragmentShader.create(out, { file, watch: true, onReload: (r) => waiting?.(r) });
    const captures: Promise<{ data: Uint8Array }>[] = [];
    const results: ReloadResult[] = [];
    const edits = [solid("0.0, 1.0, 0.0"), `${HEADER}void main() {\n  colour = vec4(undefinedName, 1.0);\n}\n`, solid("0.0, 0.0, 1.0")];
    try {
      for await (const frame of out.frames({ limit: 4 })) {
        scene.update(frame);
        frame.record((cmd) => scene.draw(cmd, frame));
        captures.push(frame.capture()); // resolves once the frame has been submitted and run: not awaited here
        const edit = edits[frame.index];
        if (edit !== undefined) {
          const next = reloaded();
          writeFileSync(file, edit); // the watcher sees it
          results.push(await next);
        }
      }
    } finally {
      scene.destroy();
      await out.close();
    }
    const seen = (await Promise.all(captures)).map(({ data }) => [data[0], data[1], data[2]]);
    expect(seen).toEqual([[255, 0, 0], [0, 255, 0], [0, 255, 0], [0, 0, 255]]);
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    const error = (results[1] as { error: Error }).error;
    expect(error).toBeInstanceOf(GlslCompileError);
    expect(error.message).toContain(`${file}:5: 'undefinedName' : undeclared identifier`); // line 5: after the 3 header lines and main's
    expect(gpu.validationErrors).toEqual([]);
  });
});
