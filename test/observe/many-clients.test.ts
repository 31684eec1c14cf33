// 100 status pages connected while a frame loop runs: the frame rate stays within noise of the rate
// with none, the server's heap stays flat, and every page gets at least 4 updates a second.
// SCANOUT_STATUS_SOAK_SECONDS sets how long the pages stay connected (default 6; the figure
// is 60: SCANOUT_STATUS_SOAK_SECONDS=60 npx vitest run test/observe/many-clients.test.ts).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { runInNewContext } from "node:vm";
import { setFlagsFromString } from "node:v8";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHeadlessPresenter, serveStatus, type Presenter } from "../../src/index.js";
import { Triangle } from "../../src/scenes/index.js";
import { threadCpuMicros } from "../../src/sys/rusage.js";
import { validatedGpu } from "../helpers/gpu.js";
import { runInBackground, sleep, type BackgroundRun } from "./helpers.js";

const CLIENTS = 100;
const SOAK_SECONDS = Number(process.env.SCANOUT_STATUS_SOAK_SECONDS ?? 6);
const BASELINE_SECONDS = Math.max(2, SOAK_SECONDS / 4);

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const fx = validatedGpu();
let out: Presenter;
let scene: Triangle;
let run: BackgroundRun;

beforeAll(() => {
  out = createHeadlessPresenter(fx.device, { size: [256, 192] });
  scene = Triangle.create(out);
  run = runInBackground(out, scene);
});
afterAll(async () => {
  await run?.stop();
  scene?.destroy();
  await out?.close();
});

interface Rate {
  fps: number;
  /** CPU time of the JS thread per frame, in µs: the frame loop's and the server's work, not other processes'. */
  threadUsPerFrame: number;
}

/** The background loop's rate over the next `seconds`. */
async function measure(seconds: number): Promise<Rate> {
  const [frames, start, cpu] = [run.frames, performance.now(), threadCpuMicros()];
  await sleep(seconds * 1000);
  const drawn = run.frames - frames;
  return { fps: (drawn * 1000) / (performance.now() - start), threadUsPerFrame: (threadCpuMicros() - cpu) / drawn };
}

const heapMiB = () => {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

describe(`${CLIENTS} status pages for ${SOAK_SECONDS} s`, () => {
  it("leave the frame rate within noise and the heap flat, and each gets 4+ updates a second", { timeout: (SOAK_SECONDS + 2 * BASELINE_SECONDS + 60) * 1000 }, async () => {
    await using status = await serveStatus(out, { intervalMs: 200 });
    await sleep(500); // warm-up
    const before = await measure(BASELINE_SECONDS);

    const script = fileURLToPath(new URL("./status-clients.mjs", import.meta.url));
    // The pages stand for browsers on other machines: at a lower priority they take less of the
    // two cores from the frame loop (lavapipe renders on them too), so what is measured is the server.
    const args = [process.execPath, script, `${status.url.replace(/^http/, "ws")}ws`, String(CLIENTS), String(SOAK_SECONDS + 3)];
    const child = spawn("nice", ["-n", "10", ...args], { stdio: ["ignore", "pipe", "inherit"] });
    let report = "";
    child.stdout.on("data", (chunk: Buffer) => (report += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
    const deadline = performance.now() + 10_000;
    while (status.connectedClients < CLIENTS && performance.now() < deadline) await sleep(50);
    expect(status.connectedClients).toBe(CLIENTS);
    await sleep(1000); // the pages' hello messages and first updates
    const heapStart = heapMiB();
    const rssStart = process.memoryUsage().rss / 2 ** 20;
    const during = await measure(SOAK_SECONDS);
    const heapEnd = heapMiB();
    const rssEnd = process.memoryUsage().rss / 2 ** 20;
    await exited;
    const pages = JSON.parse(report) as { connected: number; stillOpen: number; errors: number; seconds: number; min: number; max: number };

    await sleep(500); // the pages are gone: the server stops sampling
    expect(status.sampling).toBe(false);
    const after = await measure(BASELINE_SECONDS);

    const figures = {
      fps: [before, during, after].map((r) => r.fps.toFixed(0)).join(" / "),
      jsThreadUsPerFrame: [before, during, after].map((r) => r.threadUsPerFrame.toFixed(1)).join(" / "),
      heapMiB: `${heapStart.toFixed(2)} -> ${heapEnd.toFixed(2)}`,
      rssMiB: `${rssStart.toFixed(1)} -> ${rssEnd.toFixed(1)}`,
      updatesPerPagePerSecond: `${(pages.min / pages.seconds).toFixed(2)}..${(pages.max / pages.seconds).toFixed(2)}`,
    };
    console.log(`status page soak: ${JSON.stringify(figures)}`);

    expect(pages).toMatchObject({ connected: CLIENTS, stillOpen: CLIENTS, errors: 0 });
    // the first second has no updates yet beyond hello: allow for it
    expect(pages.min / (pages.seconds - 1)).toBeGreaterThanOrEqual(4);
    // Frame rate and CPU per frame are figures for the report (printed above; a 60 s run is in the
    // issue note), not a timed assertion: on 2 shared cores either swings by a quarter between two
    // runs alone. What must hold is that the loop keeps running at the same order of speed.
    expect(during.fps).toBeGreaterThan(0.3 * Math.min(before.fps, after.fps));
    expect(heapEnd - heapStart).toBeLessThan(2 + SOAK_SECONDS / 30);
    expect(status.droppedClients).toBe(0);
  });
});
