// The textured mesh on lavapipe with validation on: golden images of the generated room at two
// times, point checks for the depth test and the texture's orientation, a 1M-triangle model, bad
// input, and a clean validation log (no leaks) through device destruction.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mat4, vec3, vec4 } from "gl-matrix";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Instance, NoVulkanDeviceError, ShaderError, createHeadlessPresenter, type Pixels } from "../../src/index.js";
import { AssetError } from "../../src/assets/errors.js";
import { DEMO_FACES, demoFacePoint, generateDemoModel, writeDenseObj, type DemoFace, type Rgb } from "../../src/assets/generate.js";
import { EYE, TexturedMesh, modelMatrix, viewProjection, type TexturedMeshOptions } from "../../src/scenes/index.js";
import { loadDemoMesh } from "../../src/scenes/index.js";
import { compareWithGolden, pixelAt } from "../helpers/golden.js";
import { captureFrame } from "../helpers/capture.js";

const SIZE = [320, 240] as const;
const TIMES = [0, 2] as const; // seconds: the model has turned by 0 and 1 radian

// Is there a Vulkan device with validation here? Otherwise skip, saying why.
let skipReason: string | undefined;
try {
  const probe = Instance.createSync({ validation: true, requireValidation: true });
  try {
    probe.selectPhysicalDevice();
  } finally {
    probe.destroy();
  }
} catch (error) {
  skipReason = error instanceof NoVulkanDeviceError || error instanceof Error ? error.message : String(error);
}

interface Rendered {
  frames: Pixels[];
  scene: TexturedMesh;
}

async function render(gpu: Instance, options: TexturedMeshOptions, times: readonly number[], size: readonly [number, number] = SIZE): Promise<Rendered> {
  const out = createHeadlessPresenter(gpu.createDevice(), { size }, true);
  let scene: TexturedMesh | undefined;
  const captures: Promise<Pixels>[] = [];
  try {
    scene = await TexturedMesh.load(out, options);
    for await (const frame of out.frames({ limit: times.length })) {
      scene.update({ time: times[frame.index]!, slot: frame.slot });
      frame.record((cmd) => scene!.draw(cmd, frame));
      captures.push(frame.capture());
    }
  } finally {
    scene?.destroy();
    await out.close();
  }
  return { frames: await Promise.all(captures), scene: scene! };
}

/** Where a model-space point lands in the target: pixel coordinates and depth (0 near, 1 far). */
function project(scene: TexturedMesh, time: number, p: readonly number[]): [number, number, number] {
  const m = modelMatrix(time, scene.fit, mat4.create());
  const vp = viewProjection(SIZE[0] / SIZE[1], mat4.create());
  const clip = vec4.transformMat4(vec4.create(), [p[0]!, p[1]!, p[2]!, 1], mat4.multiply(mat4.create(), vp, m));
  const [x, y, z, w] = clip;
  return [((x / w + 1) / 2) * SIZE[0], ((y / w + 1) / 2) * SIZE[1], z / w];
}

function facePixel(scene: TexturedMesh, time: number, face: DemoFace, s: number, t: number): [number, number] {
  const [x, y] = project(scene, time, demoFacePoint(face, s, t).position);
  return [Math.floor(x), Math.floor(y)];
}

function expectColour(p: Pixels, [x, y]: [number, number], colour: Rgb, what: string, tolerance = 12): void {
  const got = pixelAt(p, x, y).slice(0, 3);
  const off = Math.max(...got.map((c, i) => Math.abs(c - colour[i]!)));
  expect(off, `${what} at (${x}, ${y}): got rgb(${got}), want rgb(${colour})`).toBeLessThanOrEqual(tolerance);
}

const face = (name: string) => DEMO_FACES.find((f) => f.name === name)!;

describe.skipIf(skipReason !== undefined)(`textured mesh (headless, lavapipe, validation on)${skipReason ? `: skipped, ${skipReason}` : ""}`, () => {
  let gpu: Instance;
  let dir: string;
  let assets: { obj: string; texture: string };
  let lit: Rendered;
  let plain: Rendered;

  beforeAll(async () => {
    gpu = await Instance.create({ validation: true, requireValidation: true });
    dir = await mkdtemp(join(tmpdir(), "scanout-mesh-"));
    assets = await generateDemoModel(join(dir, "room"));
    lit = await render(gpu, assets, TIMES);
    plain = await render(gpu, { ...assets, lighting: 0 }, [0]);
  });
  afterAll(async () => {
    gpu?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("matches the golden images at two camera angles", () => {
    TIMES.forEach((time, i) => {
      const r = compareWithGolden(`mesh-t${time}.png`, lit.frames[i]!);
      // lavapipe is deterministic here; the tolerance leaves room for rounding in other Mesa builds
      expect(r.differing, `mesh-t${time}.png: ${r.differing} pixels differ (max ${r.maxDifference})`).toBeLessThanOrEqual(SIZE[0] * SIZE[1] * 0.002);
    });
    let changed = 0;
    const [a, b] = [lit.frames[0]!.data, lit.frames[1]!.data];
    for (let i = 0; i < a.length; i += 4) if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) changed++;
    expect(changed, "the model turned between the two times").toBeGreaterThan(SIZE[0] * SIZE[1] * 0.1);
  });

  it("depth: the cube's front face wins over the surfaces drawn after it behind the same pixel", () => {
    const front = face("cube +Z");
    const point = demoFacePoint(front, 0.5, 0.7).position;
    // Prove the test can fail: along the view ray through that point lies the floor, which the OBJ
    // lists after the cube, so without a depth test the floor would cover the cube there.
    const eyeInModel = vec3.transformMat4(vec3.create(), EYE, mat4.invert(mat4.create(), modelMatrix(0, plain.scene.fit, mat4.create()))!);
    const dir = vec3.subtract(vec3.create(), point as vec3, eyeInModel);
    const t = -eyeInModel[1] / dir[1]; // ray meets the floor plane y = 0
    const floorHit = vec3.scaleAndAdd(vec3.create(), eyeInModel, dir, t);
    expect(t).toBeGreaterThan(1); // behind the cube face, seen from the eye
    expect(Math.abs(floorHit[0])).toBeLessThan(2);
    expect(Math.abs(floorHit[2])).toBeLessThan(2);
    expect(project(plain.scene, 0, Array.from(floorHit))[2]).toBeGreaterThan(project(plain.scene, 0, point)[2]);
    const [x, y] = project(plain.scene, 0, point);
    expectColour(plain.frames[0]!, [Math.floor(x), Math.floor(y)], front.colour, "cube +Z face over the floor");
  });

  it("texture: known texels show where the model's UVs put them, upright on three faces", () => {
    const p = plain.frames[0]!;
    for (const name of ["cube +Z", "cube +X", "cube +Y"]) {
      const f = face(name);
      expectColour(p, facePixel(plain.scene, 0, f, 0.5, 0.5), f.colour, `${name} middle`);
      // white marker top-left and black marker top-right: any flip or turn of the UVs moves them
      expectColour(p, facePixel(plain.scene, 0, f, 0.17, 0.17), [255, 255, 255], `${name} top-left marker`, 24);
      expectColour(p, facePixel(plain.scene, 0, f, 0.83, 0.17), [0, 0, 0], `${name} top-right marker`, 24);
      expectColour(p, facePixel(plain.scene, 0, f, 0.17, 0.6), f.colour, `${name} left, below the marker`);
    }
    // the walls behind the cube are there too
    const wall = face("back wall");
    const [wx, wy] = facePixel(plain.scene, 0, wall, 0.9, 0.3);
    expect(pixelAt(p, wx, wy)[0], "back wall (brick colour, red > blue)").toBeGreaterThan(pixelAt(p, wx, wy)[2]);
  });

  it("loads and renders a generated model of at least 1M triangles", async () => {
    const obj = join(dir, "million.obj");
    const { triangles, bytes } = await writeDenseObj(obj, 1_000_000);
    expect(triangles).toBeGreaterThanOrEqual(1_000_000);
    const peak0 = process.resourceUsage().maxRSS; // KiB
    const t0 = performance.now();
    const { frames, scene } = await render(gpu, { obj, texture: assets.texture }, [0]);
    const ms = performance.now() - t0;
    const peak = (process.resourceUsage().maxRSS - peak0) / 1024;
    const s = scene.stats;
    console.log(
      `1M-triangle model (${(bytes / 2 ** 20).toFixed(1)} MiB OBJ, ${s.triangles} triangles, ${s.vertices} vertices): ` +
        `parse ${s.parseMs.toFixed(0)} ms, geometry upload ${s.geometryUploadMs.toFixed(0)} ms, ` +
        `load + first frame ${ms.toFixed(0)} ms, peak RSS +${peak.toFixed(0)} MiB`,
    );
    expect(s.triangles).toBe(triangles);
    // the grid fills the middle of the picture: not the clear colour
    const [r, g, b] = pixelAt(frames[0]!, SIZE[0] / 2, SIZE[1] / 2);
    expect([r, g, b]).not.toEqual([18, 20, 26]);
    expect(r + g + b).toBeGreaterThan(100);
  });

  it("bad input: clear errors, and nothing stays allocated", async () => {
    const out = createHeadlessPresenter(gpu.createDevice(), { size: [64, 48] }, true);
    try {
      await expect(TexturedMesh.load(out, { obj: join(dir, "nope.obj"), texture: assets.texture })).rejects.toThrow(
        `${join(dir, "nope.obj")}: cannot read OBJ file: no such file`,
      );
      const broken = join(dir, "broken.png");
      await writeFile(broken, "\x89PNG\r\n\x1a\n garbage");
      await expect(TexturedMesh.load(out, { obj: assets.obj, texture: broken })).rejects.toBeInstanceOf(AssetError);
      // fails after buffers, texture, sampler and descriptors exist: they must all be freed
      await expect(
        TexturedMesh.load(out, { ...assets, shaders: { fragment: join(dir, "missing.frag.spv") } }),
      ).rejects.toBeInstanceOf(ShaderError);
    } finally {
      await out.close(); // destroys the device: validation reports any object still alive
    }
    expect(gpu.validationMessages).toEqual([]);
  });

  it("demo CLI path (--scene mesh, no --model): the generated room, same picture", async () => {
    const out = createHeadlessPresenter(gpu.createDevice(), { size: SIZE }, true);
    const pixels = await captureFrame(out, await loadDemoMesh(out));
    expect(Buffer.compare(Buffer.from(pixels.data), Buffer.from(lit.frames[0]!.data))).toBe(0);
    await expect(loadDemoMesh(out, { texture: assets.texture })).rejects.toThrow(/texture needs its model/);
  });

  it("reports no validation messages, including at device destruction", () => {
    expect(gpu.validationEnabled).toBe(true);
    expect(gpu.validationMessages).toEqual([]);
    expect(lit.scene.stats.mipLevels).toBe(10); // 512x512 texture: full chain, blitted
    expect(lit.scene.stats.depthFormat).toMatch(/^VK_FORMAT_D/);
  });
});
