// Never stall: on a real headless Sway 1.7, our window is moved to another workspace (swaymsg), so
// the compositor stops sending frame callbacks. The frame loop must keep a slow heartbeat (1 Hz by
// default) for the whole time instead of blocking, resume full rate when the window is shown again,
// and with whenHidden "pause" wait without rendering yet end at once on close(). Sway 1.7 sends no
// `suspended` configure (xdg_wm_base v5), so hiding by workspace is what a user sees here.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Instance } from "../../src/index.js";
import { Triangle } from "../../src/scenes/index.js";
import { openWaylandPresenter } from "../../src/present/wayland-open.js";
import type { Presenter } from "../../src/present/presenter.js";
import { swaySkipReason, type Sway } from "../../scripts/testbed/sway.js";
import { swayBed } from "../helpers/sway-bed.js";

const APP_ID = "dev.scanout.pacing";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The compiled library, for a child process (npm test runs tsc first). */
const DIST = `${process.cwd()}/dist/src`;

/** Runs the presenter's loop in the background, recording when each frame is handed out. */
function background(out: Presenter, scene: Triangle) {
  const times: number[] = [];
  const done = (async () => {
    for await (const frame of out.frames()) {
      times.push(performance.now());
      scene.update(frame);
      frame.record((cmd) => scene.draw(cmd, frame));
    }
  })();
  const between = (from: number, to: number) => times.filter((t) => t >= from && t < to).length;
  return { times, done, between };
}

describe.skipIf(!!swaySkipReason)("a hidden window on Sway", () => {
  const bed = swayBed({ width: 640, height: 480 });

  const hide = () => bed.sway.swaymsg(`[app_id="${APP_ID}"] move container to workspace 2`);
  const show = () => bed.sway.swaymsg(`[app_id="${APP_ID}"] move container to workspace 1`);

  it("keeps a 1 Hz heartbeat for 10 s while on another workspace, then resumes full rate", async () => {
    const device = bed.gpu.createDevice();
    const out = await openWaylandPresenter(device, { size: [256, 256], socket: bed.sway.path, title: "pacing", appId: APP_ID, mode: "shm" });
    const scene = Triangle.create(out);
    const loop = background(out, scene);
    try {
      await sleep(1000);
      const t0 = performance.now();
      const visibleRate = loop.between(t0 - 800, t0) / 0.8;
      await hide();
      const hiddenAt = performance.now();
      await sleep(10_000);
      const hiddenEnd = performance.now();
      const whileHidden = out.stats.pacing!;
      // after the first second without callbacks, only heartbeats
      const heartbeatFrames = loop.between(hiddenAt + 1500, hiddenEnd);
      await show();
      const shownAt = performance.now();
      await sleep(1500);
      const resumedRate = loop.between(shownAt + 500, performance.now()) / ((performance.now() - shownAt - 500) / 1000);
      const after = out.stats.pacing!;
      console.log(
        `[modes-sway] visible ${visibleRate.toFixed(1)} fps; hidden 10 s: ${heartbeatFrames} frames in the last ${((hiddenEnd - hiddenAt - 1500) / 1000).toFixed(1)} s, ` +
          `heartbeats ${whileHidden.heartbeats}, dropped ${whileHidden.dropped}, hidden=${whileHidden.hidden}; shown again: ${resumedRate.toFixed(1)} fps, hidden=${after.hidden}`,
      );
      expect(visibleRate).toBeGreaterThan(20);
      expect(whileHidden.hidden).toBe(true);
      expect(whileHidden.heartbeats).toBeGreaterThanOrEqual(7);
      expect(heartbeatFrames).toBeGreaterThanOrEqual(6); // ~8.5 at 1 Hz
      expect(heartbeatFrames).toBeLessThanOrEqual(12);
      expect(after.hidden).toBe(false);
      expect(resumedRate).toBeGreaterThan(20);
    } finally {
      await out.close();
      await loop.done;
      scene.destroy();
      device.destroy();
    }
    expect(bed.gpu.validationMessages).toEqual([]);
  });

  it('whenHidden "pause": no frames while hidden, and close() still ends the loop at once', async () => {
    const device = bed.gpu.createDevice();
    const out = await openWaylandPresenter(device, { size: [256, 256], socket: bed.sway.path, title: "pacing", appId: APP_ID, mode: "shm", whenHidden: "pause" });
    const scene = Triangle.create(out);
    const loop = background(out, scene);
    try {
      await sleep(500);
      await hide();
      await sleep(500); // the last callbacks of the visible window may still come
      const pausedAt = performance.now();
      await sleep(2500);
      expect(loop.between(pausedAt, performance.now())).toBe(0);
      const closing = performance.now();
      await out.close();
      await loop.done;
      const closeMs = performance.now() - closing;
      console.log(`[modes-sway] pause: ${loop.times.length} frames in all, none while hidden; close() ended the loop in ${closeMs.toFixed(0)} ms`);
      expect(closeMs).toBeLessThan(1000);
    } finally {
      await out.close();
      scene.destroy();
      device.destroy();
    }
    expect(bed.gpu.validationMessages).toEqual([]);
  });

  it("immediate where the compositor offers no tearing control: mailbox, and stats say why", async () => {
    const device = bed.gpu.createDevice();
    const out = await openWaylandPresenter(device, { size: [256, 256], socket: bed.sway.path, title: "pacing", appId: `${APP_ID}.immediate`, mode: "shm", presentMode: "immediate" });
    const scene = Triangle.create(out);
    try {
      for await (const frame of out.frames({ limit: 20 })) frame.record((cmd) => scene.draw(cmd, frame));
    } finally {
      await out.close();
      scene.destroy();
      device.destroy();
    }
    const p = out.stats.pacing!;
    console.log(`[modes-sway] immediate on Sway 1.7: mode ${p.mode} (${p.reason}); rendered ${out.stats.frames}, committed ${p.presented}, dropped ${p.dropped}`);
    expect(out.presentMode).toBe("mailbox");
    expect(p).toMatchObject({ requested: "immediate", mode: "mailbox", reason: "the compositor offers no wp_tearing_control_manager_v1: immediate falls back to mailbox" });
    expect(out.stats.extra.tearingHint).toBe("none");
    expect(bed.gpu.validationMessages).toEqual([]);
  });

  it.skipIf(!existsSync(`${DIST}/present/wayland-open.js`))("SIGINT ends a process whose loop is paused on a hidden window at once", async () => {
    const appId = `${APP_ID}.signal`;
    const child = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const { Instance } = await import(${JSON.stringify(`${DIST}/vk/index.js`)});
         const { openWaylandPresenter } = await import(${JSON.stringify(`${DIST}/present/wayland-open.js`)});
         const { Triangle } = await import(${JSON.stringify(`${DIST}/scenes/index.js`)});
         const gpu = await Instance.create();
         const out = await openWaylandPresenter(gpu.createDevice(), { size: [128, 128], socket: ${JSON.stringify(bed.sway.path)}, appId: ${JSON.stringify(appId)}, mode: "shm", whenHidden: "pause" }, true);
         const scene = Triangle.create(out);
         let n = 0;
         for await (const frame of out.frames()) {
           if (++n === 20) console.log("running");
           frame.record((cmd) => scene.draw(cmd, frame));
         }`,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    const exited = new Promise<string>((resolve) => child.once("exit", (code, signal) => resolve(`${code ?? ""}${signal ?? ""}`)));
    try {
      const deadline = performance.now() + 20_000;
      while (!output.includes("running") && child.exitCode === null && performance.now() < deadline) await sleep(50);
      expect(output, "the child's output").toContain("running");
      await bed.sway.swaymsg(`[app_id="${appId}"] move container to workspace 2`);
      await sleep(1500);
      expect(child.exitCode, "still running (paused) while hidden").toBeNull();
      const t0 = performance.now();
      child.kill("SIGINT");
      const how = await exited;
      const ms = performance.now() - t0;
      console.log(`[modes-sway] SIGINT to a paused loop: exited (${how}) in ${ms.toFixed(0)} ms`);
      expect(ms).toBeLessThan(2000);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  });
});
