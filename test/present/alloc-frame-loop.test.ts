// A guard on the frame loop's JS heap allocation in the steady state (issue 12's target is 512
// bytes per frame, measured by `npm run bench -- gc`). Any `for await` step costs the consumer
// about 200 bytes in V8 whatever it iterates, so the loop's own share is what is left after the
// same loop over an iterator that does nothing. That share is 40-170 bytes here (it was about
// 200-270 before the loop's waits stopped allocating promise chains); the bound leaves room for a
// loaded machine, where lower frame rates give each frame more of the 8 ms event-loop turns.
import { describe, expect, it } from "vitest";
import { validatedGpu } from "../helpers/gpu.js";
import { createHeadlessPresenter, type Presenter } from "../../src/index.js";
import { Triangle } from "../../src/scenes/index.js";
import { measureAllocation } from "../../bench/heap.js";

const gpu = validatedGpu();
const WARMUP = 3000;
const FRAMES = 1000;
const WINDOWS = 5;
/** Heap bytes per frame the frame loop and the triangle may add to a bare `for await` step. */
const BOUND = 512;

async function frameLoop(out: Presenter, scene: Triangle, limit: number): Promise<void> {
  const draw = { frame: undefined as unknown as Parameters<Triangle["draw"]>[1] };
  const record = (cmd: Parameters<Triangle["draw"]>[0]): void => scene.draw(cmd, draw.frame);
  for await (const frame of out.frames({ limit, fixedTimestep: 1 / 60 })) {
    scene.update(frame);
    draw.frame = frame;
    frame.record(record);
  }
}

/** The same consumer over an iterator that only hands out one resolved promise. */
async function bareLoop(limit: number): Promise<void> {
  const result = { value: 0, done: false as const };
  const ready = Promise.resolve(result);
  let i = 0;
  const iterable: AsyncIterable<number> = {
    [Symbol.asyncIterator]: () => ({ next: () => (++i > limit ? Promise.resolve({ value: undefined, done: true as const }) : ready) }),
  };
  let sum = 0;
  for await (const v of iterable) sum += v;
  expect(sum).toBe(0);
}

describe("frame loop heap allocation", () => {
  it(`headless triangle: the loop adds under ${BOUND} heap bytes per frame to a bare for-await step`, async () => {
    const out = createHeadlessPresenter(gpu.device, { size: [64, 64] });
    const scene = Triangle.create(out);
    try {
      await frameLoop(out, scene, WARMUP);
      await bareLoop(WARMUP);
      // Median of several windows: a window can read high (a collection in it frees garbage made
      // before it) or low (sweeping after an earlier collection shrinks the heap meanwhile).
      const own: number[] = [];
      for (let i = 0; i < WINDOWS; i++) {
        const loop = await measureAllocation(() => frameLoop(out, scene, FRAMES));
        const bare = await measureAllocation(() => bareLoop(FRAMES));
        own.push((loop.bytes - bare.bytes) / FRAMES);
      }
      const median = [...own].sort((a, b) => a - b)[WINDOWS >> 1]!;
      console.log(`[alloc] the frame loop's own heap bytes per frame, ${WINDOWS} windows of ${FRAMES} frames: ${own.map((b) => b.toFixed(0)).join(", ")}; median ${median.toFixed(0)}`);
      expect(out.stats.frames).toBe(FRAMES);
      expect(median).toBeLessThan(BOUND);
    } finally {
      scene.destroy();
      await out.close();
    }
  });
});
