// Window states through the public Presenter API on a real headless Sway 1.7: setFullscreen(true)
// makes the compositor configure the output's size and the next frames render at it (and Sway's
// tree says fullscreen); setFullscreen(false) brings the floating size back. Headless has no window.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHeadlessPresenter, Instance } from "../../src/index.js";
import { Triangle } from "../../src/scenes/index.js";
import { openWaylandPresenter } from "../../src/present/wayland-open.js";
import type { Presenter } from "../../src/present/presenter.js";
import { startSway, swaySkipReason, swayWindows, type Sway } from "../../scripts/testbed/sway.js";

const APP_ID = "dev.scanout.state";

/** Renders frames until the target size is `want` (or gives up after `max` frames); returns the sizes seen. */
async function framesUntil(out: Presenter, scene: Triangle, want: readonly [number, number], max = 200): Promise<string[]> {
  const seen: string[] = [];
  for await (const frame of out.frames({ limit: max })) {
    scene.update(frame);
    frame.record((cmd) => scene.draw(cmd, frame));
    const size = `${frame.target.width}x${frame.target.height}`;
    if (seen.at(-1) !== size) seen.push(size);
    if (frame.target.width === want[0] && frame.target.height === want[1]) break;
  }
  return seen;
}

describe.skipIf(!!swaySkipReason)("presenter.setFullscreen on Sway", () => {
  let sway: Sway;
  let gpu: Instance;
  beforeAll(async () => {
    sway = await startSway({ width: 800, height: 600 });
    gpu = await Instance.create({ validation: true, requireValidation: true });
  });
  afterAll(async () => {
    gpu?.destroy();
    await sway?.stop();
  });

  it("fullscreen renders at the output's size and back at the window's, with Sway agreeing", async () => {
    const out = await openWaylandPresenter(gpu.createDevice(), { size: [320, 240], socket: sway.path, title: "state", appId: APP_ID, mode: "shm" }, true);
    const scene = Triangle.create(out);
    try {
      expect(await framesUntil(out, scene, [320, 240])).toEqual(["320x240"]);
      out.setFullscreen(true);
      expect((await framesUntil(out, scene, [800, 600])).at(-1)).toBe("800x600");
      const full = swayWindows(await sway.tree()).find((w) => w.app_id === APP_ID);
      expect(full?.fullscreen_mode).toBe(1);
      out.setFullscreen(false);
      expect((await framesUntil(out, scene, [320, 240])).at(-1)).toBe("320x240");
      expect(gpu.validationMessages).toEqual([]);
    } finally {
      scene.destroy();
      await out.close();
    }
  });

  it("a presenter without a window says so", async () => {
    const out = createHeadlessPresenter(gpu.createDevice(), { size: [64, 64] }, true);
    try {
      expect(() => out.setFullscreen(true)).toThrow("setFullscreen: the headless backend has no window");
      expect(() => out.setMaximized(true)).toThrow("setMaximized: the headless backend has no window");
    } finally {
      await out.close();
    }
  });
});
