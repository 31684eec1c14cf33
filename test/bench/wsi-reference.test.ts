// The C reference through Mesa's Vulkan WSI (bench/c-reference/wsi.c) presents the same frames as
// our wl_shm presenter, and its presentation feedback (asked for on the surface Mesa's WSI commits)
// arrives: the `wsi` bench section prints ratios to it only because of this. On the host's headless
// Weston; skipped, with the reason, without a compiler, the headers or Weston.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Pixels } from "../../src/index.js";
import { openWaylandPresenter } from "../../src/present/wayland-open.js";
import { Triangle } from "../../src/scenes/index.js";
import { startWeston, westonAvailable, type Weston } from "../../scripts/testbed/weston.js";
import { buildC } from "../../bench/c-build.js";
import { CAPTURE_FRAME, compareFrames } from "../../bench/same-work.js";
import { writeSceneFile } from "../../bench/scene-file.js";
import { validatedGpu } from "../helpers/gpu.js";

const build = buildC("wsi");
const SIZE = [160, 120] as const;
const skip = !build.ok ? build.reason : !westonAvailable ? "weston is not installed" : undefined;

/** Runs the C program with the validation layer; resolves with its output. */
function runWsi(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const env = { ...process.env, VK_INSTANCE_LAYERS: "VK_LAYER_KHRONOS_validation" };
  return new Promise((resolve, reject) =>
    execFile((build as { path: string }).path, args, { encoding: "utf8", env, timeout: 60_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`wsi ${args.join(" ")}: ${error.message}\n${stderr}`)) : resolve({ stdout, stderr }),
    ),
  );
}

describe.skipIf(skip)(`Mesa's WSI reference against scanout (Weston, lavapipe, validation on)${skip ? `: skipped, ${skip}` : ""}`, () => {
  const fixture = validatedGpu();
  let dir: string;
  let weston: Weston;
  let sceneFile: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "scanout-wsi-reference-"));
    sceneFile = join(dir, "triangle.bin");
    await writeSceneFile(sceneFile, { kind: "triangle" }, SIZE);
    weston = await startWeston({ width: SIZE[0], height: SIZE[1] });
  });
  afterAll(async () => {
    await weston?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Frame `frame` as presented by the C program through Mesa's WSI (read back before vkQueuePresentKHR), and what it printed. */
  async function mesaFrame(frame: number) {
    const out = join(dir, `c-${frame}.rgba`);
    const run = await runWsi(["wayland", weston.path, sceneFile, "--mode", "fifo", "--warmup", "0", "--capture", out, "--capture-frame", String(frame)]);
    return { pixels: await readFile(out), ...run };
  }

  async function ourFrame(frame: number): Promise<Uint8Array> {
    const out = await openWaylandPresenter(fixture.gpu.createDevice(), { size: SIZE, socket: weston.path, title: "wsi test", decorations: "none", mode: "shm" }, true);
    const scene = Triangle.create(out);
    let captured: Promise<Pixels> | undefined;
    try {
      await out.run((f) => {
        scene.update(f);
        if (f.index === frame) captured = f.capture();
        f.record((cmd) => scene.draw(cmd, f));
      }, { limit: frame + 1 });
      return (await captured!).data;
    } finally {
      scene.destroy();
      await out.close();
    }
  }

  it(`frame #${CAPTURE_FRAME} is the same picture on both sides, and Mesa's WSI presented every frame with feedback`, async () => {
    const mesa = await mesaFrame(CAPTURE_FRAME);
    const cmp = compareFrames(await ourFrame(CAPTURE_FRAME), mesa.pixels);
    expect(cmp.same, `${(cmp.differingShare * 100).toFixed(3)}% differ, largest ${cmp.maxDifference}`).toBe(true);
    expect(new Set(new Uint32Array(mesa.pixels.buffer, mesa.pixels.byteOffset, mesa.pixels.length / 4)).size).toBeGreaterThan(10);
    // every frame went through vkQueuePresentKHR, and wp_presentation reported on them
    expect(mesa.stdout).toMatch(new RegExp(`\\bpresents=${CAPTURE_FRAME + 1}\\b`));
    const shown = Number(/\bshown=(\d+)/.exec(mesa.stdout)?.[1]);
    const discarded = Number(/\bdiscarded=(\d+)/.exec(mesa.stdout)?.[1]);
    expect(shown + discarded).toBeGreaterThan(CAPTURE_FRAME / 2);
    expect(mesa.stdout + mesa.stderr).not.toMatch(/Validation Error/); // the layer writes to stdout
    expect(fixture.gpu.validationErrors).toEqual([]);
  });

  it("sees a different frame as different (the check can fail)", async () => {
    const cmp = compareFrames(await ourFrame(CAPTURE_FRAME), (await mesaFrame(0)).pixels);
    expect(cmp.same).toBe(false);
  });
});
