// The project's C reference (bench/c-reference/offscreen.c) draws the same frames as scanout: the
// benchmark prints ratios to it only because of this. Built with the system compiler; skipped,
// with the reason, where there is no compiler or no Vulkan headers.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildC } from "../../bench/c-build.js";
import { meshConfigs } from "../../bench/mesh.js";
import { captureOurs } from "../../bench/ours.js";
import { runOffscreenC } from "../../bench/reference.js";
import { CAPTURE_FRAME, compareFrames } from "../../bench/same-work.js";
import { writeSceneFile } from "../../bench/scene-file.js";
import type { SceneSpec } from "../../bench/scene-spec.js";
import { validatedGpu } from "../helpers/gpu.js";

const build = buildC("offscreen");

const distinctColours = (rgba: Uint8Array) => new Set(new Uint32Array(rgba.buffer, rgba.byteOffset, rgba.length / 4)).size;
const SIZE = [160, 120] as const;

describe.skipIf(!build.ok)(`C reference against scanout (lavapipe, validation on)${build.ok ? "" : `: skipped, ${build.reason}`}`, () => {
  const fixture = validatedGpu();
  let dir: string;
  let room: SceneSpec;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "scanout-c-reference-"));
    room = (await meshConfigs(dir, true)).find((c) => c.name === "room")!.scene;
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** Frame `frame` from the C program, as RGBA. */
  async function cFrame(scene: SceneSpec, frame: number): Promise<Uint8Array> {
    const sceneFile = join(dir, "scene.bin"), out = join(dir, "c.rgba");
    await writeSceneFile(sceneFile, scene, SIZE);
    runOffscreenC((build as { path: string }).path, sceneFile, { warmup: 0, frames: frame + 1, capture: out });
    return readFile(out);
  }

  it.each([
    ["triangle", () => ({ kind: "triangle" }) as SceneSpec],
    ["textured mesh (room)", () => room],
  ])(`%s: frame #${CAPTURE_FRAME} is the same picture from both programs`, async (_name, scene) => {
    const ours = await captureOurs(fixture.gpu, scene(), SIZE, CAPTURE_FRAME);
    const c = await cFrame(scene(), CAPTURE_FRAME);
    const cmp = compareFrames(ours.data, c);
    expect(cmp.differingShare, `largest difference ${cmp.maxDifference}`).toBeLessThanOrEqual(0.005);
    expect(cmp.same).toBe(true);
    // not a trivially equal pair: the frame shows more than the clear colour
    expect(distinctColours(ours.data)).toBeGreaterThan(10);
    expect(fixture.gpu.validationErrors).toEqual([]);
  });

  it("sees a different frame as different (the check can fail)", async () => {
    const ours = await captureOurs(fixture.gpu, { kind: "triangle" }, SIZE, CAPTURE_FRAME);
    const cmp = compareFrames(ours.data, await cFrame({ kind: "triangle" }, 0));
    expect(cmp.same).toBe(false);
    expect(cmp.differingShare).toBeGreaterThan(0.005);
  });
});
