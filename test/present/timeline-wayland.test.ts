// The frame timeline of a Wayland run against a real headless Weston (which offers wp_presentation):
// the compositor's presentation feedback and the buffers' releases appear on their own tracks, at
// times after the frame was committed, linked into each frame's flow; the waits for frame callbacks
// and releases are on the waits track.
import { describe, expect, it } from "vitest";
import { FrameTracer, Instance } from "../../src/index.js";
import { Triangle } from "../../src/scenes/index.js";
import { openWaylandPresenter } from "../../src/present/wayland-open.js";
import { TRACKS } from "../../src/util/trace.js";
import { westonAvailable } from "../../scripts/testbed/weston.js";
import { westonFixture } from "../wayland/weston-fixture.js";
import { checkTraceFormat, slicesOf } from "./timeline-format.js";

const FRAMES = 12;

describe.skipIf(!westonAvailable)("frame timeline on Weston", () => {
  const bed = westonFixture();

  it("has presentation feedback and buffer releases after each frame's commit, in the frame's flow", async () => {
    await using gpu = await Instance.create({ validation: true, requireValidation: true });
    const out = await openWaylandPresenter(gpu.createDevice(), { size: [640, 480], socket: bed.weston.path, title: "timeline", mode: "shm" }, true);
    const scene = Triangle.create(out);
    const tracer = new FrameTracer();
    try {
      for await (const frame of out.frames({ limit: FRAMES, tracer })) {
        scene.update(frame);
        frame.record((cmd) => scene.draw(cmd, frame));
      }
      // the last frames' feedback and releases come after the loop: the tracer still takes them
      await new Promise((r) => setTimeout(r, 250));
    } finally {
      scene.destroy();
      await out.close();
    }
    const trace = checkTraceFormat(tracer.toJSON(), FRAMES);

    const presented = trace.slices.filter((s) => s.name === "presented");
    const discarded = trace.slices.filter((s) => s.name === "discarded");
    expect(presented.length).toBeGreaterThan(0);
    // one feedback per frame, each frame's own (the stats, taken when the loop ended, saw fewer or as many)
    expect([...presented, ...discarded].map((s) => s.frame).sort((a, b) => a - b)).toEqual(Array.from({ length: FRAMES }, (_, i) => i));
    expect(presented.length).toBeGreaterThanOrEqual(Number(out.stats.extra.feedbackPresented));
    for (const p of presented) {
      expect(p.tid).toBe(TRACKS.display.tid);
      expect(p.args.refreshNs).toBeGreaterThan(0); // Weston headless repaints at a fixed rate
      expect(String(p.args.flags)).toMatch(/^(none|[a-z_]+(\|[a-z_]+)*)$/);
      const [present] = slicesOf(trace, p.frame, "present");
      expect(p.start, `frame ${p.frame} presented before it was committed`).toBeGreaterThan(present!.start);
      expect(p.start - present!.end, `frame ${p.frame} presented implausibly late`).toBeLessThan(1_000_000);
      expect(trace.flows.get(p.frame)!.map((s) => s.name)).toContain("presented");
    }

    // every buffer but the ones still on screen (or queued) at the end came back
    const releases = trace.slices.filter((s) => s.name === "release");
    expect(releases.length).toBeGreaterThanOrEqual(FRAMES - 3);
    for (const r of releases) {
      expect(r.tid).toBe(TRACKS.buffers.tid);
      expect(r.start, `buffer of frame ${r.frame} released before it was committed`).toBeGreaterThan(slicesOf(trace, r.frame, "present")[0]!.start);
      expect(trace.flows.get(r.frame)!.at(-1)!.name).toMatch(/release|presented|gpu/);
    }

    // pacing: every frame after the first waited for the previous one's frame callback
    const callbackWaits = trace.slices.filter((s) => s.name === "wait frame callback");
    expect(callbackWaits.map((w) => w.frame)).toEqual(Array.from({ length: FRAMES - 1 }, (_, i) => i + 1));
    for (const w of callbackWaits) expect(w.tid).toBe(TRACKS.waits.tid);
    expect(trace.slices.filter((s) => s.name === "frame callback").length).toBeGreaterThanOrEqual(FRAMES - 1);
    // shm waits for each frame's fence before copying it out
    for (let f = 0; f < FRAMES; f++) expect(slicesOf(trace, f, "wait fence").length, `frame ${f} fence wait`).toBeGreaterThanOrEqual(1);
    expect(gpu.validationMessages).toEqual([]);
  });
});
