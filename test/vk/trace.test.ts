// The frame timeline: every frame gets acquire, record, submit and present spans on the JS thread's
// track, in order, plus a GPU span and a fence wait.
import { describe, expect, it } from "vitest";
import { FrameTracer, Instance, createHeadlessPresenter } from "../../src/index.js";
import { TRACKS } from "../../src/util/trace.js";
import { Triangle } from "../../src/scenes/index.js";

describe("frame tracer", () => {
  it("records the phases of each frame as Chrome trace events", async () => {
    await using gpu = await Instance.create({ validation: true, requireValidation: true });
    const out = createHeadlessPresenter(gpu.createDevice(), { size: [32, 32] }, true);
    const scene = Triangle.create(out);
    const tracer = new FrameTracer();
    try {
      for await (const frame of out.frames({ limit: 5, tracer })) {
        scene.update(frame);
        frame.record((cmd) => scene.draw(cmd, frame));
      }
    } finally {
      scene.destroy();
      await out.close();
    }
    const all = tracer.toJSON().traceEvents.filter((e) => e.ph === "X");
    const events = all.filter((e) => e.tid === TRACKS.js.tid);
    expect(events.length).toBe(20);
    for (let f = 0; f < 5; f++) {
      const mine = events.filter((e) => e.args!.frame === f);
      expect(mine.map((e) => e.name)).toEqual(["acquire", "record", "submit", "present"]);
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.ts).toBeGreaterThanOrEqual(mine[i - 1]!.ts!);
    }
    // every frame also ran on the GPU (timestamp queries) and had its fence waited for once
    expect(all.filter((e) => e.name === "gpu").map((e) => e.args!.frame)).toEqual([0, 1, 2, 3, 4]);
    expect(all.filter((e) => e.name === "wait fence").map((e) => e.args!.frame).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(gpu.validationMessages).toEqual([]);
  });
});
