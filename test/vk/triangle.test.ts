// The triangle on lavapipe with validation on: golden images at two frames, point checks, and a
// clean validation log through device destruction.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Instance, createHeadlessPresenter, type Pixels } from "../../src/index.js";
import { Triangle } from "../../src/scenes/index.js";
import { compareWithGolden, pixelAt } from "../helpers/golden.js";
import { captureFrames } from "../helpers/capture.js";

const SIZE = [160, 120] as const;
const CLEAR_RGB = [13, 13, 20];

async function renderFrames(gpu: Instance, frames: number[], size: readonly [number, number] = SIZE): Promise<Map<number, Pixels>> {
  const out = createHeadlessPresenter(gpu.createDevice(), { size }, true);
  return captureFrames(out, Triangle.create(out), frames);
}

describe("triangle (headless, lavapipe, validation on)", () => {
  let gpu: Instance;
  let frames: Map<number, Pixels>;

  beforeAll(async () => {
    gpu = await Instance.create({ validation: true, requireValidation: true });
    frames = await renderFrames(gpu, [0, 90]);
  });
  afterAll(() => gpu?.destroy());

  it("matches the golden image at frame 0", () => {
    const r = compareWithGolden("triangle-frame0.png", frames.get(0)!);
    expect(r.differing).toBe(0);
  });

  it("matches the golden image at frame 90, and has moved since frame 0", () => {
    const r = compareWithGolden("triangle-frame90.png", frames.get(90)!);
    expect(r.differing).toBe(0);
    const a = frames.get(0)!.data;
    const b = frames.get(90)!.data;
    let changed = 0;
    for (let i = 0; i < a.length; i += 4) if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) changed++;
    expect(changed).toBeGreaterThan(500);
  });

  it("shows the clear colour in the corners and the triangle's colours inside it", () => {
    const f0 = frames.get(0)!;
    for (const [x, y] of [[0, 0], [SIZE[0] - 1, 0], [0, SIZE[1] - 1], [SIZE[0] - 1, SIZE[1] - 1]] as const) {
      expect(pixelAt(f0, x, y)).toEqual([...CLEAR_RGB, 255]);
    }
    // At frame 0 the triangle is unrotated: top vertex red at (0,-0.7) in clip space, i.e. near the
    // top centre; sample just inside each vertex.
    const toPixel = (cx: number, cy: number) => [Math.round(((cx * 0.75 + 1) / 2) * SIZE[0]), Math.round(((cy + 1) / 2) * SIZE[1])] as const;
    const [rx, ry] = toPixel(0, -0.6);
    const red = pixelAt(f0, rx, ry);
    expect(red[0]).toBeGreaterThan(180);
    expect(red[1]).toBeLessThan(80);
    const [gx, gy] = toPixel(0.5, 0.45);
    const green = pixelAt(f0, gx, gy);
    expect(green[1]).toBeGreaterThan(150);
    expect(green[0]).toBeLessThan(100);
    const [bx, by] = toPixel(-0.5, 0.45);
    const blue = pixelAt(f0, bx, by);
    expect(blue[2]).toBeGreaterThan(150);
    expect(blue[1]).toBeLessThan(100);
  });

  it("keeps the triangle's proportions at another aspect ratio", async () => {
    const wide = (await renderFrames(gpu, [0], [320, 120])).get(0)!;
    let minX = Infinity;
    let maxX = -Infinity;
    for (let x = 0; x < wide.width; x++) {
      for (let y = 0; y < wide.height; y++) {
        const [r, g, b] = pixelAt(wide, x, y);
        if (r !== CLEAR_RGB[0] || g !== CLEAR_RGB[1] || b !== CLEAR_RGB[2]) {
          minX = Math.min(minX, x);
          maxX = Math.max(maxX, x);
        }
      }
    }
    // 1.2 clip units wide scaled by height/width: 1.2 * (120/320) / 2 * 320 = 72 pixels
    expect(maxX - minX + 1).toBeGreaterThan(66);
    expect(maxX - minX + 1).toBeLessThan(78);
  });

  it("reports no validation messages, including at device destruction", () => {
    expect(gpu.validationEnabled).toBe(true);
    expect(gpu.validationMessages).toEqual([]);
  });
});
