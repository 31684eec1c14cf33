// The HDR scene on lavapipe (validation on), headless, in every colour: each frame's encoded values
// are the CPU model's (src/util/colour.ts) encoding of the sRGB frame's scene light, the light
// panel is far above SDR white in PQ and scRGB, 10-bit and FP16 frames come back as 16-bit PNGs
// tagged with cICP, and the demo refuses an unknown --color with a usage error.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COLOUR_SPACES, createHeadlessPresenter, encodePng, encodeSceneLight, Format, pqDecode, decodeSdr, type ColourChoice, type Pixels } from "../../src/index.js";
import { loadDemoMesh } from "../../src/scenes/index.js";
import { captureFrame } from "../helpers/capture.js";
import { validatedGpu } from "../helpers/gpu.js";

const SIZE = [320, 240] as const;
const gpu = validatedGpu();

async function render(color: ColourChoice): Promise<{ pixels: Pixels; format: Format; inEffect: string }> {
  const out = createHeadlessPresenter(gpu.device, { size: SIZE, color });
  const format = out.format;
  const scene = await loadDemoMesh(out, { highlightNits: 1000 });
  const pixels = await captureFrame(out, scene, 0, { frozenTime: 2 });
  return { pixels, format, inEffect: out.stats.colour!.inEffect };
}

describe("colour, headless", () => {
  const frames = new Map<string, Awaited<ReturnType<typeof render>>>();
  beforeAll(async () => {
    for (const c of ["srgb", "display-p3", "hdr10", "scrgb"] as const) frames.set(c, await render(c));
  }, 60_000);

  it("picks the format per colour and says so in stats", () => {
    expect(frames.get("srgb")!.format).toBe(Format.VK_FORMAT_B8G8R8A8_UNORM);
    expect(frames.get("hdr10")!.format).toBe(Format.VK_FORMAT_A2R10G10B10_UNORM_PACK32);
    expect(frames.get("scrgb")!.format).toBe(Format.VK_FORMAT_R16G16B16A16_SFLOAT);
    expect(frames.get("hdr10")!.inEffect).toBe("hdr10 (bt2020, pq, 10-bit)");
    expect(frames.get("scrgb")!.pixels.data16).toBeDefined();
  });

  it("every pixel is the CPU model's encoding of the sRGB frame's scene light (SDR parts)", () => {
    const srgb = frames.get("srgb")!.pixels;
    for (const name of ["display-p3", "hdr10", "scrgb"] as const) {
      const other = frames.get(name)!.pixels;
      let compared = 0;
      let outside = 0;
      for (let i = 0; i < SIZE[0] * SIZE[1]; i += 7) {
        const at = (d: number) => [0, 1, 2].map((c) => decodeSdr(Math.min(Math.max(srgb.data[i * 4 + c]! + d, 0), 255) / 255)) as [number, number, number];
        if (Math.max(...at(0)) > 0.75) continue; // below the tone curve's knee: the SDR frame holds the scene light unchanged
        // the 8-bit sRGB pixel stands for scene light within ±0.5 of a step; the matrices have no
        // negative entries, so the encoded value lies between the encodings of the two ends
        const clamp = (v: number) => Math.min(Math.max(v, 0), 1);
        const lo = encodeSceneLight(COLOUR_SPACES[name], at(-0.5)).map(clamp);
        const hi = encodeSceneLight(COLOUR_SPACES[name], at(0.5)).map(clamp);
        const slack = other.data16 ? 1.5 / 1023 : 1 / 255;
        for (let c = 0; c < 3; c++) {
          const got = other.data16 ? other.data16[i * 4 + c]! / 65535 : other.data[i * 4 + c]! / 255;
          if (got < lo[c]! - slack || got > hi[c]! + slack) outside++;
        }
        compared++;
      }
      expect(outside, name).toBe(0);
      expect(compared).toBeGreaterThan(1000);
    }
  });

  it("the light panel is far above SDR white in PQ and in scRGB", () => {
    const hdr = frames.get("hdr10")!.pixels.data16!;
    let brightest = 0;
    for (let i = 0; i < hdr.length; i += 4) brightest = Math.max(brightest, hdr[i + 1]! / 65535);
    // the panel: 1000 cd/m² times its warm-white green (0.95), in BT.2020
    expect(pqDecode(brightest)).toBeGreaterThan(850);
    expect(pqDecode(brightest)).toBeLessThan(1100);
    const scrgb = frames.get("scrgb")!.pixels.data16!;
    let clipped = 0;
    for (let i = 0; i < scrgb.length; i += 4) if (scrgb[i] === 65535) clipped++;
    expect(clipped).toBeGreaterThan(50); // FP16 values above 1.0 (80 cd/m²) clip in the PNG, as documented
  });

  it("writes 10-bit and FP16 frames as 16-bit PNGs tagged with cICP", () => {
    const png = encodePng(frames.get("hdr10")!.pixels);
    expect(png[24]).toBe(16); // IHDR bit depth
    const at = png.indexOf("cICP", 0, "latin1");
    expect(at).toBe(37);
    expect([...png.subarray(at + 4, at + 8)]).toEqual([9, 16, 0, 1]); // BT.2020, PQ, RGB, full range
    const p3 = encodePng(frames.get("display-p3")!.pixels);
    expect([...p3.subarray(p3.indexOf("cICP", 0, "latin1") + 4).subarray(0, 4)]).toEqual([12, 13, 0, 1]);
    expect(encodePng(frames.get("srgb")!.pixels).indexOf("cICP", 0, "latin1")).toBe(-1);
  });
});

describe("demo --color and --time", () => {
  let dir: string;
  beforeAll(async () => void (dir = await mkdtemp(join(tmpdir(), "scanout-colour-"))));
  afterAll(async () => rm(dir, { recursive: true, force: true }));
  const demo = join(import.meta.dirname, "../../dist/examples/demo.js");
  const env = { ...process.env, SCANOUT_SKIP_SYSTEM_SETUP: "1" };

  it("an unknown colour is a usage error", async () => {
    const run = promisify(execFile)(process.execPath, [demo, "--backend", "headless", "--color", "rec2100"], { env });
    await expect(run).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/--color: unknown colour 'rec2100' \(one of srgb, display-p3, hdr10, scrgb, auto\)/) });
  });

  it("--time freezes the clock: frame 5 equals frame 0 of another run", async () => {
    const a = join(dir, "a.png"), b = join(dir, "b.png");
    const run = (out: string, frames: string) => promisify(execFile)(process.execPath, [demo, "--backend", "headless", "--scene", "hdr", "--color", "hdr10", "--time", "1.5", "--frames", frames, "--size", "160x120", "--out", out], { env });
    const { stdout } = await run(a, "6");
    await run(b, "1");
    expect(stdout).toMatch(/colour: hdr10 \(bt2020, pq, 10-bit\)/);
    expect(Buffer.compare(await readFile(a), await readFile(b))).toBe(0);
  }, 60_000);
});
