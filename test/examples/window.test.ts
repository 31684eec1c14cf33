// The compute and shader examples in a window: a private headless Weston (kiosk shell, pixman), the
// examples with validation on. Life runs its frames and exits cleanly; the shader example's window
// shows its shader (screenshot), and an edit of the file shows in the window.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWeston, westonAvailable, type Weston } from "../../scripts/testbed/weston.js";
import { example } from "../helpers/example-process.js";

const dir = mkdtempSync(join(tmpdir(), "scanout-window-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const solid = (rgb: string) => `#version 450\nlayout(location = 0) out vec4 colour;\nvoid main() {\n  colour = vec4(${rgb}, 1.0);\n}\n`;

describe.skipIf(!westonAvailable)("examples in a window (headless Weston, validation on)", () => {
  let weston: Weston;
  beforeAll(async () => {
    weston = await startWeston({ width: 160, height: 120 });
  });
  afterAll(async () => weston?.stop());

  it("compute: runs its frames through the compositor and exits 0", async () => {
    const run = example(weston, ["dist/examples/compute.js", "--frames", "30", "--validation"]);
    expect(await run.exit).toBe(0);
    expect(run.output()).toMatch(/backend: wayland-(shm|dmabuf)/);
    expect(run.output()).toContain("frames: 30 ");
  });

  it("shader: the window shows the shader, and an edit of the file shows in the window", async () => {
    const file = join(dir, "live.frag");
    writeFileSync(file, solid("1.0, 0.0, 0.0"));
    const run = example(weston, ["dist/examples/shader.js", file, "--frames", "0", "--validation"]);
    try {
      await run.line(/drawing .*reloads when the file changes/);
      const centre = async () => {
        await new Promise((r) => setTimeout(r, 500)); // a few frames
        const png = await weston.screenshot();
        const i = (Math.floor(png.height / 2) * png.width + Math.floor(png.width / 2)) * 4;
        return [png.data[i], png.data[i + 1], png.data[i + 2]];
      };
      expect(await centre()).toEqual([255, 0, 0]);
      writeFileSync(file, solid("0.0, 1.0, 0.0"));
      await run.line(/reloaded /);
      expect(await centre()).toEqual([0, 255, 0]);
      expect(run.output()).not.toMatch(/validation/i);
    } finally {
      run.child.kill("SIGTERM");
      await run.exit;
    }
  });
});
