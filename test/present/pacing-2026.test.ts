// What the 2026 compositors offer for pacing, used: fifo-v1 barriers on every fifo commit and
// commit-timing-v1 target times (Frame.presentAt, and maxFps), on Weston 16 and Mutter 50 from the
// forky root (test/helpers/forky-bed.ts), our client on the host through wl_shm, validation on.
// What a user sees is asserted: frames one per refresh in fifo, frames shown at their target times
// (wp_presentation feedback, through stats.pacing's on-time count). Each block skips with the reason
// when its compositor cannot start here; Weston 14 (test/present/modes.test.ts) keeps the path
// without these protocols.
import { describe, expect, it } from "vitest";
import { Instance, type FrameStats } from "../../src/index.js";
import { Triangle } from "../../src/scenes/index.js";
import { openWaylandPresenter } from "../../src/present/wayland-open.js";
import { type ForkyBed, forkyBlock, forkyCompositorSkipReason } from "../helpers/forky-bed.js";

const SIZE = [320, 240] as const;

/** Runs the triangle for `frames` frames; `each` may set a target time on a frame. Returns the stats and the hand-out times. */
async function run(ctx: { bed: ForkyBed; gpu: Instance }, options: { maxFps?: number; maxFpsTargets?: boolean; frames: number; each?: (frame: { index: number; predictedPresentMs: number; presentAt(ms: number): void }) => void }) {
  const out = await openWaylandPresenter(ctx.gpu.createDevice(), { size: SIZE, socket: ctx.bed.path, title: "pacing 2026", appId: "dev.scanout.pacing", mode: "shm", maxFps: options.maxFps, maxFpsTargets: options.maxFpsTargets }, true);
  const scene = Triangle.create(out);
  const handedOut: number[] = [];
  let stats: FrameStats;
  try {
    stats = await out.run((frame) => {
      handedOut.push(performance.now());
      options.each?.(frame);
      scene.update(frame);
      frame.record((cmd) => scene.draw(cmd, frame));
    }, { limit: options.frames });
  } finally {
    scene.destroy();
    await out.close();
  }
  expect(ctx.gpu.validationMessages).toEqual([]);
  expect(ctx.bed.alive(), ctx.bed.log().slice(-2000)).toBe(true);
  return { stats, handedOut };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

for (const [kind, name] of [["weston", "Weston 16 headless, pixman"], ["mutter", "Mutter 50 headless"]] as const) {
  const why = forkyCompositorSkipReason(kind);
  describe.skipIf(why)(`${name} (forky): fifo-v1 and commit-timing-v1${why ? ` (skipped: ${why})` : ""}`, () => {
    const ctx = forkyBlock(kind, { width: 640, height: 480 });

    it("maxFps without maxFpsTargets: commits carry no targets (the cap alone paces the loop)", async () => {
      const { stats } = await run(ctx, { maxFps: 30, frames: 20 });
      expect(stats.extra.timedCommits).toBe(0);
      expect(stats.pacing!.targeted).toBeUndefined();
      expect(stats.pacing!.presented).toBe(20);
    });

    it("fifo: a barrier on every commit, one frame per refresh (intervals around the reported refresh)", async () => {
      const { stats, handedOut } = await run(ctx, { frames: 60 });
      const e = stats.extra;
      const refresh = stats.pacing!.refreshMs!;
      const steps = handedOut.slice(10).map((t, i) => t - handedOut[9 + i]!);
      console.log(`[pacing-2026] ${name} fifo: ${e.fifo}, ${e.fifoBarriers} barriers for ${stats.pacing!.presented} commits, refresh ${refresh} ms, hand-out interval median ${median(steps).toFixed(2)} ms, ${stats.fps.toFixed(1)} fps`);
      expect(e.fifo).toBe("wp_fifo_v1");
      expect(e.fifoBarriers).toBe(stats.pacing!.presented);
      expect(stats.pacing).toMatchObject({ mode: "fifo", dropped: 0 });
      expect(median(steps)).toBeGreaterThan(refresh * 0.8); // paced by the compositor, not free-running
      expect(median(steps)).toBeLessThan(refresh * 2.5);
    });

    // On-time (within half a refresh of the target) is a figure here, not an assertion: the first
    // frames go out before the sink has seen Weston's idle-output clock restarts and moved its maxFps
    // commits to the held rule (wayland-sink.ts, HOLD_MARGIN_MS); bench desktop2026 has the figure. What the compositor must do, it is held
    // to: no frame shown a whole refresh before its target, and most within half a refresh.
    // Mutter 50 (headless) stalled some windows whose commits carry targets (the first after its start,
    // mostly: no frame callback ever came), which is why maxFpsTargets is off by default; not tested there.
    it.skipIf(kind === "mutter")("maxFps 30 with commit timing: each commit carries its target, and no frame is shown before it", async () => {
      const { stats } = await run(ctx, { maxFps: 30, maxFpsTargets: true, frames: 45 });
      const p = stats.pacing!;
      console.log(`[pacing-2026] ${name} maxFps 30: ${stats.extra.commitTiming}, ${stats.extra.timedCommits} timed commits, on time ${p.onTime}/${p.targeted} (${p.onTimeRate}), at most ${p.maxEarlyMs} ms early, ${stats.fps.toFixed(1)} fps`);
      expect(stats.extra.commitTiming).toBe("wp_commit_timer_v1");
      expect(stats.extra.timedCommits).toBe(p.presented);
      expect(p.targeted).toBeGreaterThan(35);
      // Weston applies a timed commit at the repaint whose presentation is within half a refresh of
      // the target; when its idle output's clock restarts (a loaded machine: CI caught 11 ms on a
      // 16.7 ms refresh) the repaint lands off the grid it predicted. A compositor that ignored the
      // targets would show the cap's frames as soon as they come, up to the cap's interval early.
      expect(p.maxEarlyMs).toBeLessThanOrEqual(p.refreshMs! + 1);
      expect(p.onTime! / p.targeted!).toBeGreaterThanOrEqual(0.8);
      expect(stats.fps).toBeLessThanOrEqual(31);
    });

    // Mutter 50's headless backend holds a timed commit queued behind barrier commits until the next
    // commit wakes it (the loop's heartbeat does, after a second): a figure there, not an assertion.
    it.skipIf(kind === "mutter")("frame.presentAt: frames aimed four refreshes ahead are not shown before their targets", async () => {
      const { stats } = await run(ctx, {
        frames: 20,
        each: (frame) => {
          if (frame.index % 5 === 4) frame.presentAt(frame.predictedPresentMs + 4 * (1000 / 60));
        },
      });
      const p = stats.pacing!;
      console.log(`[pacing-2026] ${name} presentAt: on time ${p.onTime}/${p.targeted}, at most ${p.maxEarlyMs} ms early`);
      expect(p.targeted).toBeGreaterThanOrEqual(3);
      expect(p.maxEarlyMs).toBeLessThanOrEqual(p.refreshMs! / 2 + 1);
    });
  });
}
