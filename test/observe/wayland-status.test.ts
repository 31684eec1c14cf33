// The status page's figures for a real compositor: a wl_shm presenter on a private Weston (kiosk shell, 640x480, 60 Hz)
// whose application deliberately draws every other refresh or so. The page must show the sync
// path, a present latency from wp_presentation feedback, and about half the refreshes as missed.
import { describe, expect, it } from "vitest";
import { Instance, serveStatus, type StatusMessage } from "../../src/index.js";
import { openWaylandPresenter } from "../../src/present/wayland-open.js";
import { Triangle } from "../../src/scenes/index.js";
import { westonAvailable } from "../../scripts/testbed/weston.js";
import { westonFixture } from "../wayland/weston-fixture.js";
import { sleep, statusClient } from "./helpers.js";

describe.skipIf(!westonAvailable)("status page for a wl_shm presenter on Weston", () => {
  const bed = westonFixture();

  it("shows the sync path, present latency and missed refreshes", async () => {
    await using gpu = await Instance.create({ validation: true, requireValidation: true });
    await using out = await openWaylandPresenter(gpu.createDevice(), { size: [640, 480], socket: bed.weston.path, title: "status", mode: "shm" }, true);
    const scene = Triangle.create(out);
    await using status = await serveStatus(out, { intervalMs: 200 });
    const client = await statusClient(status.url);
    try {
      const end = performance.now() + 3000;
      for await (const frame of out.frames()) {
        scene.update(frame);
        frame.record((cmd) => scene.draw(cmd, frame));
        await sleep(30); // about every other refresh of the 60 Hz output
        if (performance.now() > end) break;
      }
      await sleep(300);
    } finally {
      scene.destroy();
    }
    const last = client.messages.filter((m): m is Extract<StatusMessage, { type: "update" }> => m.type === "update").at(-1)!;
    expect(last.info).toMatchObject({ backend: "wayland-shm", sync: "cpu-wait", size: "640x480" });
    expect(last.info.extra.refreshHz).toBe(60);
    const presentLatencies = client.messages.flatMap((m) => (m.type === "update" && m.sample.presentMs !== null ? [m.sample.presentMs] : []));
    expect(presentLatencies.length).toBeGreaterThan(5);
    expect(Math.min(...presentLatencies)).toBeGreaterThan(0);
    const refreshes = out.stats.seconds * 60;
    expect(last.sample.frames).toBe(out.stats.frames);
    expect(last.sample.missed! / refreshes).toBeGreaterThan(0.3);
    expect(last.sample.missed! / refreshes).toBeLessThan(0.8);
    client.ws.close();
  });
});
