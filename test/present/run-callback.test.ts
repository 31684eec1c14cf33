// Presenter.run(body): the frame loop with a callback, which hands a frame that is ready at once to
// the body without a promise or microtask. It must draw what the for-await loop draws, end the run
// when the body throws, still give timers their turn, and allocate (almost) nothing per frame.
import { describe, expect, it } from "vitest";
import { validatedGpu } from "../helpers/gpu.js";
import { createHeadlessPresenter, runScene, type Frame, type Pixels, type Presenter } from "../../src/index.js";
import { Triangle } from "../../src/scenes/index.js";
import { measureAllocation } from "../../bench/heap.js";

const gpu = validatedGpu();
const SIZE = [64, 48] as const;

/** A headless presenter with the triangle for `use`, both freed after it. */
async function withTriangle(use: (out: Presenter, scene: Triangle) => Promise<void>): Promise<void> {
  const out = createHeadlessPresenter(gpu.device, { size: SIZE });
  const scene = Triangle.create(out);
  try {
    await use(out, scene);
  } finally {
    scene.destroy();
    await out.close();
  }
}

describe("Presenter.run", () => {
  it("draws the same frames as a for-await loop, and resolves with the run's stats", async () => {
    const capture = async (useRun: boolean): Promise<Pixels> => {
      let pixels: Promise<Pixels> | undefined;
      let captured!: Pixels;
      await withTriangle(async (out, scene) => {
        const body = (frame: Frame) => {
          scene.update(frame);
          if (frame.index === 5) pixels = frame.capture();
          frame.record((cmd) => scene.draw(cmd, frame));
        };
        if (useRun) {
          const stats = await out.run(body, { limit: 8, fixedTimestep: 1 / 60 });
          expect(stats.frames).toBe(8);
        } else {
          for await (const frame of out.frames({ limit: 8, fixedTimestep: 1 / 60 })) body(frame);
        }
        captured = await pixels!; // before the presenter closes
      });
      return captured;
    };
    const viaRun = await capture(true);
    const viaIterator = await capture(false);
    expect(viaRun.width).toBe(SIZE[0]);
    // frame 5 of the rotating triangle: not blank, and the same bytes both ways
    expect(new Set(viaRun.data).size).toBeGreaterThan(2);
    expect(Buffer.from(viaRun.data).equals(Buffer.from(viaIterator.data))).toBe(true);
  });

  it("ends the run when the body throws: the error reaches the caller and the presenter can run again", async () => {
    await withTriangle(async (out, scene) => {
      let seen = 0;
      await expect(
        out.run((frame) => {
          seen++;
          if (frame.index === 3) throw new Error("body failed at frame 3");
          frame.record((cmd) => scene.draw(cmd, frame));
        }),
      ).rejects.toThrow("body failed at frame 3");
      expect(seen).toBe(4);
      expect(out.stats.frames).toBe(3); // frame 3 was dropped, not submitted
      const stats = await runScene(out, scene, { limit: 2 });
      expect(stats.frames).toBe(2);
    });
  });

  it("ends the run when the body returns false, dropping that frame, as break would", async () => {
    await withTriangle(async (out, scene) => {
      const stats = await out.run((frame) => {
        if (frame.index === 4) return false;
        frame.record((cmd) => scene.draw(cmd, frame));
        return true;
      });
      expect(stats.frames).toBe(4);
    });
  });

  it("gives the event loop turns: a timer set before a long run fires during it", async () => {
    await withTriangle(async (out, scene) => {
      let firedAtFrame = -1;
      let index = 0;
      setTimeout(() => (firedAtFrame = index), 1);
      const started = performance.now();
      await out.run(
        (frame) => {
          index = frame.index;
          frame.record((cmd) => scene.draw(cmd, frame));
        },
        { limit: 2000, fixedTimestep: 1 / 60 },
      );
      const ms = performance.now() - started;
      // without turns the timer would fire only after the run, seeing its last frame (1999)
      expect(firedAtFrame).toBeGreaterThanOrEqual(0);
      expect(firedAtFrame).toBeLessThan(1999);
      console.log(`[run] the 1 ms timer fired at frame ${firedAtFrame} of 2000 (run took ${ms.toFixed(0)} ms)`);
    });
  }, 120_000);

  it("allocates under 160 heap bytes per frame in the steady state (runScene uses it)", async () => {
    await withTriangle(async (out, scene) => {
      await runScene(out, scene, { limit: 3000, fixedTimestep: 1 / 60 });
      const perFrame: number[] = [];
      for (let i = 0; i < 5; i++) {
        const { bytes } = await measureAllocation(() => runScene(out, scene, { limit: 2000, fixedTimestep: 1 / 60 }));
        perFrame.push(bytes / 2000);
      }
      const median = [...perFrame].sort((a, b) => a - b)[2]!;
      console.log(`[alloc] runScene heap bytes per frame, 5 windows of 2000 frames: ${perFrame.map((b) => b.toFixed(0)).join(", ")}; median ${median.toFixed(0)}`);
      // the for-await loop alone costs about 200 bytes a frame (see alloc-frame-loop.test.ts)
      expect(median).toBeLessThan(160);
    });
  }, 120_000);
});
