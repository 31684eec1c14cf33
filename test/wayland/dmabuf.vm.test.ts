// dmabuf end to end, only where the kernel has udmabuf (the VM: test/vm/run-suite.sh): Weston with
// the GL renderer advertises zwp_linux_dmabuf_v1 v3; lavapipe images exported as dmabufs are
// imported and shown. Success is judged by a screenshot, not by frame callbacks alone.
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Triangle } from "../../examples/triangle.js";
import { createHeadlessPresenter, Instance, type Pixels } from "../../src/index.js";
import { openWaylandPresenter } from "../../src/present/wayland-open.js";
import { startWeston, type Weston, westonAvailable } from "./weston.js";

const SIZE = [640, 480] as const;
const FRAMES = 4;
const inVm = existsSync("/dev/udmabuf");

describe.skipIf(!inVm || !westonAvailable)("wayland-dmabuf presenter (VM: udmabuf + Weston GL)", () => {
  let weston: Weston;
  let gpu: Instance;
  beforeAll(async () => {
    weston = await startWeston({ renderer: "gl" });
    await new Promise((r) => setTimeout(r, 1000)); // GL start-up under TCG takes seconds after the socket appears
    gpu = await Instance.create({ validation: false });
  });
  afterAll(async () => {
    gpu?.destroy();
    await weston?.stop();
  });

  it("shows the lavapipe-rendered dmabuf frames (screenshot equals the headless render)", async () => {
    const out = await openWaylandPresenter(gpu.createDevice(), { size: SIZE, socket: weston.path, title: "dmabuf", mode: "dmabuf" }, true);
    expect(out.backend).toBe("wayland-dmabuf");
    const scene = Triangle.create(out);
    try {
      for await (const frame of out.frames({ limit: FRAMES })) {
        scene.update(frame);
        frame.record((cmd) => scene.draw(cmd, frame));
      }
      expect(out.stats.extra.sync).toBe("cpu-wait");
      expect(out.stats.extra.formats).toBe("v3 events");
    } finally {
      scene.destroy();
    }
    const shot = await weston.screenshot();
    await out.close();
    const ref = await (async () => {
      const h = createHeadlessPresenter(gpu.createDevice(), { size: SIZE }, true);
      const s = Triangle.create(h);
      let p: Promise<Pixels> | undefined;
      for await (const frame of h.frames({ limit: FRAMES })) {
        s.update(frame);
        frame.record((cmd) => s.draw(cmd, frame));
        if (frame.index === FRAMES - 1) p = frame.capture();
      }
      s.destroy();
      await h.close();
      return p!;
    })();
    let differing = 0;
    for (let i = 0; i < ref.data.length; i += 4) {
      const d = Math.max(Math.abs(shot.data[i]! - ref.data[i]!), Math.abs(shot.data[i + 1]! - ref.data[i + 1]!), Math.abs(shot.data[i + 2]! - ref.data[i + 2]!));
      if (d > 3) differing++;
    }
    // GL composition may filter edges slightly; the bulk must match
    expect(differing).toBeLessThan(ref.data.length / 4 / 100);
  });
});
