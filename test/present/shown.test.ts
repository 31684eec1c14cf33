// presenter.shown(frame): resolves when the display reports that frame on screen. Against a real
// headless Weston (wp_presentation): true for the run's last frame, false for a frame never shown,
// per run (frames are numbered from 0 again), and false on close; headless reports nothing.
import { describe, expect, it } from "vitest";
import { Instance } from "../../src/index.js";
import { Triangle } from "../../src/scenes/index.js";
import { openWaylandPresenter } from "../../src/present/wayland-open.js";
import { createHeadlessPresenter } from "../../src/present/headless.js";
import type { Presenter } from "../../src/present/presenter.js";
import { westonAvailable } from "../../scripts/testbed/weston.js";
import { westonFixture } from "../wayland/weston-fixture.js";

async function draw(out: Presenter, frames: number): Promise<void> {
  const scene = Triangle.create(out);
  try {
    await out.run((frame) => {
      scene.update(frame);
      frame.record((cmd) => scene.draw(cmd, frame));
    }, { limit: frames });
  } finally {
    scene.destroy();
  }
}

describe.skipIf(!westonAvailable)("presenter.shown on Weston", () => {
  const bed = westonFixture();

  it("is true once the last frame is presented, per run, and false for a frame that never comes", async () => {
    await using gpu = await Instance.create({ validation: true, requireValidation: true });
    const out = await openWaylandPresenter(gpu.createDevice(), { size: [160, 120], socket: bed.weston.path, title: "shown", mode: "shm" }, true);
    try {
      await draw(out, 12);
      expect(await out.shown(11, 3000)).toBe(true);
      expect(out.stats.pacing?.lastPresentedFrame).toBe(11);
      const t0 = performance.now();
      expect(await out.shown(40, 200)).toBe(false); // no frame 40 in a 12-frame run
      expect(performance.now() - t0).toBeGreaterThanOrEqual(190);

      // a second run counts from 0: its frame 3 is waited for, not taken from the first run's 11
      const pending = out.shown(20, 3000);
      await draw(out, 4);
      expect(await pending).toBe(false); // asked before the run: a new run ends waits on the old numbering
      expect(await out.shown(3, 3000)).toBe(true);
      expect(out.stats.pacing?.lastPresentedFrame).toBe(3);

      expect(() => out.shown(-1)).toThrow(/frame must be a frame index/);
      const atClose = out.shown(1000, 10_000);
      await out.close();
      expect(await atClose).toBe(false);
    } finally {
      await out.close();
    }
    expect(gpu.validationMessages).toEqual([]);
  });
});

describe("presenter.shown headless", () => {
  it("is false at once: nothing reports presentation", async () => {
    await using gpu = await Instance.create({ validation: true, requireValidation: true });
    const out = createHeadlessPresenter(gpu.createDevice(), { size: [64, 64] }, true);
    try {
      await draw(out, 2);
      expect(await out.shown(1, 10_000)).toBe(false);
    } finally {
      await out.close();
    }
  });
});
