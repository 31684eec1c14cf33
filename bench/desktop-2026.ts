// The 2026 compositors' pacing, measured (Debian forky's Weston 16 and Mutter 50, headless, from the
// root scripts/forky-root.sh builds; our client on the host through wl_shm): fifo with wp_fifo_v1
// barriers against the compositor's real repaint interval (from wp_presentation feedback), and
// commit-timing targets at maxFps 30 (shown within half a refresh of the target).
// `node dist/bench/bench.js desktop2026`; skipped with the reason where the root is missing.
import { Instance } from "../src/index.js";
import { Triangle } from "../src/scenes/index.js";
import { openWaylandPresenter } from "../src/present/wayland-open.js";
import { forkyCompositorSkipReason, startForky, type ForkyCompositor } from "../scripts/testbed/forky.js";

const FRAMES = Number(process.env.DESKTOP_FRAMES ?? 300);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;

/** Frame intervals (ms, between presentations) of one run, and its pacing figures. */
async function measure(gpu: Instance, socket: string, maxFps: number | undefined) {
  const out = await openWaylandPresenter(gpu.createDevice(), { size: [320, 240], socket, title: "bench", appId: "dev.scanout.bench", mode: "shm", maxFps, maxFpsTargets: maxFps !== undefined }, true);
  const deadline = performance.now() + 30_000; // a stalled window (see maxFpsTargets) ends the run
  const scene = Triangle.create(out);
  const presentedAt: number[] = [];
  let lastSeen = -1;
  try {
    const stats = await out.run((frame) => {
      const p = out.stats.pacing;
      if (p?.lastPresentedFrame !== undefined && p.lastPresentedFrame !== lastSeen && p.lastPresentedMs !== undefined) {
        lastSeen = p.lastPresentedFrame;
        presentedAt.push(p.lastPresentedMs);
      }
      scene.update(frame);
      frame.record((cmd) => scene.draw(cmd, frame));
      return performance.now() < deadline;
    }, { limit: FRAMES });
    return { stats, intervals: presentedAt.slice(1).map((t, i) => t - presentedAt[i]!) };
  } finally {
    scene.destroy();
    await out.close();
  }
}

export async function benchDesktop2026(log: (line: string) => void): Promise<void> {
  const gpu = await Instance.create({ validation: false });
  try {
    for (const [kind, name] of [["weston", "Weston 16"], ["mutter", "Mutter 50"]] as [ForkyCompositor, string][]) {
      const why = forkyCompositorSkipReason(kind);
      if (why) {
        log(`${name}: skipped: ${why}`);
        continue;
      }
      const bed = await startForky(kind, { width: 640, height: 480 });
      try {
        const fifo = await measure(gpu, bed.path, undefined);
        const repaint = median(fifo.intervals);
        const within = fifo.intervals.filter((d) => Math.abs(d - repaint) <= repaint * 0.2).length / Math.max(1, fifo.intervals.length);
        const e = fifo.stats.extra;
        log(`${name} fifo (${e.fifo}, ${e.fifoBarriers} barriers): ${fifo.stats.fps.toFixed(1)} fps, presentation intervals median ${repaint.toFixed(2)} ms ` +
          `(reported refresh ${fifo.stats.pacing?.refreshMs} ms), ${(within * 100).toFixed(1)}% within ±20% of the repaint interval, CPU ${fifo.stats.cpuMsPerFrame.toFixed(3)} ms/frame`);
        const capped = await measure(gpu, bed.path, 30);
        const p = capped.stats.pacing!;
        log(`${name} maxFps 30, maxFpsTargets (${capped.stats.extra.commitTiming}, ${capped.stats.extra.maxFpsRule} commits): ${capped.stats.fps.toFixed(2)} fps, on time ${p.onTime}/${p.targeted} ` +
          `(${((p.onTimeRate ?? 0) * 100).toFixed(1)}%), at most ${p.maxEarlyMs} ms early; presentation intervals median ${median(capped.intervals).toFixed(2)} ms`);
      } finally {
        await bed.stop();
      }
    }
  } finally {
    gpu.destroy();
  }
}
