// The frame timeline of a headless run, as a user gets it from `--trace FILE.json`: the file's
// structure (tracks, time order, spans, flows, frame numbers), and GPU spans that are real: each
// lies after its frame's submit began and before its fence was seen signalled, with GPU clocks
// calibrated both ways (VK_EXT_calibrated_timestamps, and the submit-and-wait anchor).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FrameTracer, Instance, OPTIONAL_EXTENSIONS, createHeadlessPresenter } from "../../src/index.js";
import type { GpuTime } from "../../src/present/presenter.js";
import { Triangle } from "../../src/scenes/index.js";
import { TRACKS } from "../../src/util/trace.js";
import { checkTraceFormat, slicesOf } from "./timeline-format.js";

const FRAMES = 40;
const dir = mkdtempSync(join(tmpdir(), "scanout-trace-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each([
  { method: "calibrated", extensions: OPTIONAL_EXTENSIONS },
  { method: "anchored", extensions: OPTIONAL_EXTENSIONS.filter((e) => e !== "VK_EXT_calibrated_timestamps") },
])("frame timeline, GPU clock $method", ({ method, extensions }) => {
  it("writes a Trace Event Format file whose GPU spans sit between submit and fence", async () => {
    await using gpu = await Instance.create({ validation: true, requireValidation: true });
    const out = createHeadlessPresenter(gpu.createDevice({ optionalExtensions: extensions }), { size: [64, 64] }, true);
    const scene = Triangle.create(out);
    const tracer = new FrameTracer();
    const seen: GpuTime[] = [];
    let uncertaintyUs = 0;
    try {
      expect(out.gpuClock?.method).toBe(method);
      for await (const frame of out.frames({ limit: FRAMES, tracer })) {
        scene.update(frame);
        frame.record((cmd) => scene.draw(cmd, frame));
        if (frame.gpuTime) seen.push({ ...frame.gpuTime });
        if (frame.index === 7) void frame.capture(); // a capture waits for its fence early: still one GPU span
      }
      uncertaintyUs = out.gpuClock!.uncertaintyMs * 1000;
    } finally {
      scene.destroy();
      await out.close();
    }
    const path = join(dir, `${method}.json`);
    tracer.write(path);
    const trace = checkTraceFormat(JSON.parse(readFileSync(path, "utf8")), FRAMES);

    expect(trace.trackNames.get(TRACKS.js.tid)).toMatch(/JS thread/);
    expect(trace.trackNames.get(TRACKS.gpu.tid)).toMatch(/GPU/);
    const gpuMs: number[] = [];
    for (let f = 0; f < FRAMES; f++) {
      const [submit] = slicesOf(trace, f, "submit");
      const gpuSpans = slicesOf(trace, f, "gpu");
      expect(gpuSpans, `frame ${f}: one GPU span`).toHaveLength(1);
      const span = gpuSpans[0]!;
      const fenceSeen = Math.min(...slicesOf(trace, f, "wait fence").map((w) => w.end));
      // anchored times may read early by the anchor's window, never late
      expect(span.start, `frame ${f}: GPU starts after its submit began`).toBeGreaterThanOrEqual(submit!.start - (method === "anchored" ? uncertaintyUs : 0));
      expect(span.end, `frame ${f}: GPU ends before its fence was seen`).toBeLessThanOrEqual(fenceSeen + 0.002);
      expect(span.end).toBeGreaterThan(span.start);
      expect(trace.flows.get(f)!.map((s) => s.name)).toEqual(expect.arrayContaining(["acquire", "submit", "present", "gpu"]));
      gpuMs.push((span.end - span.start) / 1000);
    }

    // FrameStats reports the median of the same per-frame times
    gpuMs.sort((a, b) => a - b);
    const median = (gpuMs[FRAMES / 2 - 1]! + gpuMs[FRAMES / 2]!) / 2;
    expect(out.stats.gpuMsPerFrame).toBeCloseTo(median, 4);
    // frame.gpuTime: the frame two before (the slot's previous one), or the captured frame read early
    expect(seen.length).toBe(FRAMES - 2);
    for (const t of seen) expect(t.ms).toBeGreaterThan(0);
    expect(seen.map((t) => t.frame).slice(-5)).toEqual([FRAMES - 7, FRAMES - 6, FRAMES - 5, FRAMES - 4, FRAMES - 3]);
    expect(gpu.validationMessages).toEqual([]);
  });
});

describe("frame timeline without a tracer", () => {
  it("reports GPU time per frame all the same (every frame timed, as asked)", async () => {
    await using gpu = await Instance.create({ validation: true, requireValidation: true });
    const out = createHeadlessPresenter(gpu.createDevice(), { size: [64, 64] }, true);
    const scene = Triangle.create(out);
    try {
      for await (const frame of out.frames({ limit: 10, gpuTimeEvery: 1 })) {
        scene.update(frame);
        frame.record((cmd) => scene.draw(cmd, frame));
      }
    } finally {
      scene.destroy();
      await out.close();
    }
    expect(out.stats.gpuMsPerFrame).toBeGreaterThan(0);
    expect(gpu.validationMessages).toEqual([]);
  });
});

describe("which frames are GPU-timed (FrameOptions.gpuTimeEvery)", () => {
  async function timedFrames(options: { gpuTimeEvery?: number }, limit: number) {
    await using gpu = await Instance.create({ validation: true, requireValidation: true });
    const out = createHeadlessPresenter(gpu.createDevice(), { size: [64, 64] }, true);
    const scene = Triangle.create(out);
    const frames = new Set<number>();
    try {
      for await (const frame of out.frames({ limit, ...options })) {
        scene.update(frame);
        frame.record((cmd) => scene.draw(cmd, frame));
        if (frame.gpuTime) frames.add(frame.gpuTime.frame);
      }
    } finally {
      scene.destroy();
      await out.close();
    }
    expect(gpu.validationMessages).toEqual([]);
    return { frames: [...frames], gpuMs: out.stats.gpuMsPerFrame, cpu: out.device.physical.type };
  }

  it("one in N: only those frames carry GPU times", async () => {
    const { frames, gpuMs } = await timedFrames({ gpuTimeEvery: 4 }, 20);
    expect(frames).toEqual([0, 4, 8, 12, 16]); // each read once the slot comes round again
    expect(gpuMs).toBeGreaterThan(0);
  });

  it("0: no timestamps, no GPU time", async () => {
    const { frames, gpuMs } = await timedFrames({ gpuTimeEvery: 0 }, 10);
    expect(frames).toEqual([]);
    expect(gpuMs).toBeUndefined();
  });

  it("default on a CPU implementation (lavapipe): one frame in 16", async () => {
    const { frames, cpu } = await timedFrames({}, 40);
    expect(cpu).toBe("cpu");
    expect(frames).toEqual([0, 16, 32]);
  });
});

