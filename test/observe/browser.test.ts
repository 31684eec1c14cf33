// The status page in a real browser (Debian's chromium, headless) while the demo's scene runs on a
// headless presenter: what the page shows is checked against out.stats, during the run and after.
// SCANOUT_STATUS_SCREENSHOT=FILE.png also saves a screenshot of the page taken during the run.
import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PNG } from "pngjs";
import { createHeadlessPresenter, logger, serveStatus, type Presenter, type StatusServer } from "../../src/index.js";
import { loadDemoMesh } from "../../src/scenes/index.js";
import type { Scene } from "../../src/index.js";
import { validatedGpu } from "../helpers/gpu.js";
import { findChromium, openInChromium, type BrowserPage } from "./chromium.js";
import { runInBackground, sleep, type BackgroundRun } from "./helpers.js";

const chromium = findChromium();
const skipReason = chromium ? undefined : "chromium is not installed (Debian package: chromium)";

/** What the page shows, as text, read from its DOM. */
interface Shown {
  updates: number;
  backend: string;
  device: string;
  format: string;
  size: string;
  fps: string;
  avgFps: string;
  frames: string;
  gpu: string;
  log: { level: string; text: string }[];
}
const READ_PAGE = `(() => {
  const text = (id) => document.getElementById(id).textContent;
  return { updates: Number(document.body.dataset.updates), backend: text("backend"), device: text("device"), format: text("format"),
    size: text("size"), fps: text("fps"), avgFps: text("avg-fps"), frames: text("frames"), gpu: text("gpu-ms"),
    log: [...document.querySelectorAll("#log li")].map((li) => ({ level: li.className, text: li.textContent })) };
})()`;
/** Pixels of the graph's canvas in any of its lines' colours (frame, CPU, GPU, present), i.e. how much line is drawn. */
const LINE_PIXELS = `(() => {
  const c = document.getElementById("graph"), d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  const colours = [[200, 208, 218], [240, 160, 75], [92, 201, 138], [90, 168, 240]];
  let n = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (colours.some(([r, g, b]) => Math.abs(d[i] - r) < 12 && Math.abs(d[i + 1] - g) < 12 && Math.abs(d[i + 2] - b) < 12)) n++;
  }
  return n;
})()`;

describe.skipIf(skipReason !== undefined)(`status page in chromium${skipReason ? `: skipped, ${skipReason}` : ""}`, () => {
  const fx = validatedGpu();
  let out: Presenter;
  let scene: Scene;
  let status: StatusServer;
  let run: BackgroundRun;
  let page: BrowserPage;
  const read = () => page.evaluate<Shown>(READ_PAGE);

  beforeAll(async () => {
    out = createHeadlessPresenter(fx.device, { size: [640, 480] });
    scene = await loadDemoMesh(out, {});
    status = await serveStatus(out, { intervalMs: 200 });
    run = runInBackground(out, scene);
    page = await openInChromium(chromium!, status.url);
  });
  afterAll(async () => {
    await page?.close();
    await run?.stop();
    await status?.close();
    scene?.destroy();
    await out?.close();
  });

  it("shows the presenter's figures while it runs and the final ones after", async () => {
    const deadline = performance.now() + 20_000;
    const updates = () => page.evaluate<number>("Number(document.body?.dataset.updates ?? 0)"); // the page may still be loading
    while ((await updates()) < 3 && performance.now() < deadline) await sleep(100);
    const first = await read();
    expect(first).toMatchObject({ backend: "headless", device: out.device.physical.name, format: "B8G8R8A8_UNORM", size: "640x480" });

    await sleep(2000);
    const [shown, stats] = [await read(), out.stats];
    expect(shown.updates - first.updates).toBeGreaterThanOrEqual(8); // at least 4 a second
    // live: the page is at most about two intervals behind the presenter's own count
    const frames = Number(shown.frames);
    expect(frames).toBeGreaterThan(0);
    expect(frames).toBeLessThanOrEqual(stats.frames);
    expect(frames).toBeGreaterThanOrEqual(stats.frames - stats.fps * 0.6);
    expect(Number(shown.fps)).toBeGreaterThan(0); // over the last interval: this machine's noise decides how close to the average
    expect(Math.abs(Number(shown.avgFps) - stats.fps) / stats.fps).toBeLessThan(0.15);
    expect(await page.evaluate<number>(LINE_PIXELS)).toBeGreaterThan(200);

    logger("present").warn("status page browser test: a marker line");
    await sleep(600);
    expect((await read()).log).toContainEqual({ level: "warn", text: expect.stringMatching(/warn \[present\] status page browser test: a marker line/) as unknown as string });

    const screenshot = await page.screenshot();
    expect(PNG.sync.read(screenshot).width).toBe(1280);
    if (process.env.SCANOUT_STATUS_SCREENSHOT) writeFileSync(process.env.SCANOUT_STATUS_SCREENSHOT, screenshot);

    const final = await run.stop();
    await sleep(700);
    const after = await read();
    expect(after.frames).toBe(String(final.frames));
    expect(after.avgFps).toBe(final.fps.toFixed(1));
    expect(after.fps).toBe("0.0");
    const gpu = (final as { gpuMsPerFrame?: number }).gpuMsPerFrame;
    expect(after.gpu).toBe(gpu === undefined ? "unavailable" : gpu.toFixed(3));
  });
});
