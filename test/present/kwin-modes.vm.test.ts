// Present modes on KWin 5.27 in the VM (virtual backend, dmabuf only): immediate sets the
// wp_tearing_control_v1 "async" presentation hint (the protocol trace shows the request) and stats say
// immediate is in effect; mailbox commits every finished frame. KWin sends no wp_presentation
// feedback, so the predicted present time falls back to frame callbacks and a 60 Hz guess.
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FrameLoop, Instance } from "../../src/index.js";
import { Triangle } from "../../src/scenes/index.js";
import { WaylandDmabufBackend } from "../../src/present/wayland-dmabuf.js";
import type { PresentMode } from "../../src/present/pacing.js";
import { Connection } from "../../src/wayland/connection.js";
import { type Kwin, kwinSkipReason, startKwin } from "../../scripts/testbed/kwin.js";

const skipWhy = !existsSync("/dev/udmabuf") ? "needs the VM (udmabuf): test/vm/run-suite.sh test/present/kwin-modes.vm.test.ts" : kwinSkipReason;

describe.skipIf(skipWhy)(`present modes on KWin${skipWhy ? ` (skipped: ${skipWhy})` : ""}`, () => {
  let kwin: Kwin;
  let gpu: Instance;
  beforeAll(async () => {
    kwin = await startKwin({ width: 640, height: 480, timeoutMs: 120_000 });
    gpu = await Instance.create({ validation: true, requireValidation: true });
  });
  afterAll(async () => {
    gpu?.destroy();
    await kwin?.stop();
  });

  async function run(presentMode: PresentMode, frames: number) {
    const connection = Connection.connect({ socket: kwin.path });
    const trace: string[] = [];
    connection.trace = (l) => trace.push(l);
    const backend = await WaylandDmabufBackend.open(gpu.createDevice(), { size: [320, 240], connection, title: presentMode, appId: "dev.scanout.modes", presentMode });
    const out = new FrameLoop(backend, true);
    const scene = Triangle.create(out);
    const predicted: number[] = [];
    try {
      for await (const frame of out.frames({ limit: frames })) {
        predicted.push(frame.predictedPresentMs);
        scene.update(frame);
        frame.record((cmd) => scene.draw(cmd, frame));
      }
      expect(connection.error).toBeUndefined();
    } finally {
      scene.destroy();
      await out.close();
      await connection.close();
    }
    expect(gpu.validationMessages.filter((m) => m.severity !== "info" && m.severity !== "verbose")).toEqual([]);
    return { stats: out.stats, trace, predicted };
  }

  it("immediate: the tearing-control async hint is on the wire and in the stats", async () => {
    const { stats, trace, predicted } = await run("immediate", 30);
    const hint = trace.filter((l) => /-> wp_tearing_control_v1#\d+\.set_presentation_hint\(1\)/.test(l));
    const p = stats.pacing!;
    console.log(`[kwin-modes] immediate: ${hint[0]}; mode ${p.mode}, rendered ${stats.frames} (${stats.fps.toFixed(1)}/s), committed ${p.presented}, dropped ${p.dropped}, tearing ${stats.extra.tearingHint}`);
    expect(hint).toHaveLength(1);
    expect(p).toMatchObject({ requested: "immediate", mode: "immediate" });
    expect(p.reason).toBeUndefined();
    expect(stats.extra.tearingHint).toBe("async");
    expect(p.presented).toBeGreaterThan(0);
    for (let i = 1; i < predicted.length; i++) expect(predicted[i]).toBeGreaterThanOrEqual(predicted[i - 1]!);
  });

  it("mailbox: every frame rendered is committed or dropped, none out of order", async () => {
    const { stats, trace } = await run("mailbox", 60);
    const p = stats.pacing!;
    console.log(`[kwin-modes] mailbox: rendered ${stats.frames} (${stats.fps.toFixed(1)}/s), committed ${p.presented}, dropped ${p.dropped}, sync ${stats.extra.sync}`);
    expect(p).toMatchObject({ requested: "mailbox", mode: "mailbox" });
    expect(p.presented + p.dropped).toBeGreaterThanOrEqual(59);
    expect(trace.some((l) => /set_presentation_hint/.test(l))).toBe(false);
  });
});
