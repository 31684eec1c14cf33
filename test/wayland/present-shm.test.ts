// Phase 2: Vulkan frames presented through wl_shm to a real Weston; the screenshot must equal the
// headless render of the same frame. Also: automatic choice falls back to shm where dmabuf export
// is impossible (this host), and validation stays clean.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Triangle } from "../../src/scenes/index.js";
import { createHeadlessPresenter, Instance, type Pixels, type Scene, type TargetInfo } from "../../src/index.js";
import { loadDemoMesh } from "../../src/scenes/index.js";
import { openWaylandPresenter } from "../../src/present/wayland-open.js";
import { westonAvailable } from "../../scripts/testbed/weston.js";
import { westonFixture } from "./weston-fixture.js";
import { captureFrame } from "../helpers/capture.js";
import { WaylandShmBackend } from "../../src/present/wayland-shm.js";
import { FrameLoop } from "../../src/present/frame-loop.js";
import { pixelDifference } from "../../bench/same-work.js";

const SIZE = [640, 480] as const;
const FRAMES = 6;

async function headlessFrame(gpu: Instance, index: number, load: (out: TargetInfo) => Promise<Scene> = async (o) => Triangle.create(o)): Promise<Pixels> {
  const out = createHeadlessPresenter(gpu.createDevice(), { size: SIZE }, true);
  return captureFrame(out, await load(out), index);
}

/** Pixels whose colour (not alpha: a screenshot's means nothing) differs by more than 2 levels in some channel. */
function differingFrom(shot: Pixels, ref: Pixels): number {
  return pixelDifference(shot.data, ref.data, 2, 3).differing;
}

describe.skipIf(!westonAvailable)("wl_shm presenter with Vulkan frames", () => {
  const bed = westonFixture();
  let gpu: Instance;
  beforeAll(async () => {
    gpu = await Instance.create({ validation: true, requireValidation: true });
  });
  afterAll(() => gpu?.destroy());

  // host-import: lavapipe renders straight into the shm buffers (VK_EXT_external_memory_host); copy: offscreen, staged, copied on the JS thread
  it.each([
    ["rendering into the shm buffers where the device can", undefined],
    ["copying (hostImport: false)", false],
  ] as const)("shows the same pixels on screen as the headless render of that frame, %s", async (_, hostImport) => {
    const device = gpu.createDevice();
    const canImport = device.has("VK_EXT_external_memory_host");
    const out = await openWaylandPresenter(device, { size: SIZE, socket: bed.weston.path, title: "triangle", mode: "auto", hostImport }, true);
    expect(out.backend).toBe("wayland-shm"); // no udmabuf on this host, no dmabuf global on pixman
    const scene = Triangle.create(out);
    try {
      for await (const frame of out.frames({ limit: FRAMES })) {
        scene.update(frame);
        frame.record((cmd) => scene.draw(cmd, frame));
      }
      // the last frame's callback has come back: the compositor has repainted with it
      const shot = await bed.weston.screenshot();
      const ref = await headlessFrame(gpu, FRAMES - 1);
      expect([shot.width, shot.height]).toEqual([ref.width, ref.height]);
      let differing = 0;
      let triangle = 0;
      for (let i = 0; i < ref.data.length; i += 4) {
        const d = Math.max(Math.abs(shot.data[i]! - ref.data[i]!), Math.abs(shot.data[i + 1]! - ref.data[i + 1]!), Math.abs(shot.data[i + 2]! - ref.data[i + 2]!));
        if (d > 2) differing++;
        if (ref.data[i]! > 100 || ref.data[i + 1]! > 100 || ref.data[i + 2]! > 100) triangle++;
      }
      expect(triangle).toBeGreaterThan(10_000); // the reference really has a triangle in it
      expect(differing).toBe(0);
      const s = out.stats;
      expect(s.frames).toBe(FRAMES);
      expect(s.extra.sync).toBe("cpu-wait");
      expect(String(s.extra.shmPath)).toMatch(canImport && hostImport !== false ? /^host-import$/ : /^copy \(/);
      expect(Number(s.extra.copyMsPerFrame) > 0).toBe(!(canImport && hostImport !== false));
      expect(s.extra.presented).toBe(FRAMES);
      expect(Number(s.extra.shmBuffers)).toBeLessThanOrEqual(4);
      expect(Number(s.extra.feedbackPresented) + Number(s.extra.feedbackDiscarded)).toBeGreaterThan(0);
    } finally {
      scene.destroy();
      await out.close();
    }
    expect(gpu.validationMessages).toEqual([]);
  });

  it("shows the textured mesh (depth buffer, texture) as the headless render does", async () => {
    const out = await openWaylandPresenter(gpu.createDevice(), { size: SIZE, socket: bed.weston.path, title: "mesh", mode: "shm" }, true);
    const scene = await loadDemoMesh(out);
    try {
      // the same clock as the headless presenter, so both render the same instant
      for await (const frame of out.frames({ limit: FRAMES, fixedTimestep: 1 / 60 })) {
        scene.update(frame);
        frame.record((cmd) => scene.draw(cmd, frame));
      }
    } finally {
      scene.destroy();
    }
    const shot = await bed.weston.screenshot();
    await out.close();
    const ref = await headlessFrame(gpu, FRAMES - 1, (o) => loadDemoMesh(o));
    expect(differingFrom(shot, ref)).toBe(0);
    expect(gpu.validationMessages).toEqual([]);
  });
  it("unpaced (paced: false): every frame is committed without waiting for a callback, none dropped", async () => {
    const backend = await WaylandShmBackend.open(gpu.createDevice(), { size: SIZE, socket: bed.weston.path, title: "unpaced", paced: false });
    // on the wire: commits made while the frame callback of an earlier commit has not come yet
    let outstanding = 0;
    let asked = 0; // frame requests of the commit being built
    let commitsWhileOutstanding = 0;
    backend.window.connection.trace = (line) => {
      if (/^-> wl_surface#\d+\.frame\(/.test(line)) asked++;
      else if (/^<- wl_callback#\d+\.done\(/.test(line)) outstanding--;
      else if (/^-> wl_surface#\d+\.commit\(/.test(line)) {
        if (outstanding > 0) commitsWhileOutstanding++;
        outstanding += asked;
        asked = 0;
      }
    };
    const out = new FrameLoop(backend, true);
    const scene = Triangle.create(out);
    try {
      for await (const frame of out.frames({ limit: 120 })) {
        scene.update(frame);
        frame.record((cmd) => scene.draw(cmd, frame));
      }
    } finally {
      scene.destroy();
      await out.close();
    }
    // Weston repaints at most ~60 times a second, and we render several times faster: paced, no
    // commit would be made while a callback is outstanding (at most the first configure's)
    console.log(`unpaced shm: ${commitsWhileOutstanding} of 120 commits made while a frame callback was outstanding`);
    expect(commitsWhileOutstanding).toBeGreaterThanOrEqual(10);
    expect(out.stats.extra.presented).toBe(120);
    expect(out.stats.pacing!.dropped).toBe(0);
    expect(gpu.validationMessages).toEqual([]);
  });

  it("unpaced, a frame is committed once the next is submitted: a run's last frame and one left by break still reach the screen", async () => {
    const backend = await WaylandShmBackend.open(gpu.createDevice(), { size: SIZE, socket: bed.weston.path, title: "deferred", paced: false });
    const out = new FrameLoop(backend, true);
    const scene = Triangle.create(out);
    try {
      // 1. the limit's last frame is presented at once
      await out.run(
        (frame) => {
          scene.update(frame);
          frame.record((cmd) => scene.draw(cmd, frame));
        },
        { limit: FRAMES, fixedTimestep: 1 / 60 },
      );
      await backend.window.connection.roundtrip(); // Weston has taken the last commit
      expect(differingFrom(await bed.weston.screenshot(), await headlessFrame(gpu, FRAMES - 1))).toBe(0);
      // 2. left by break at frame 3: frame 2, still deferred then, is presented as the run ends
      for await (const frame of out.frames({ fixedTimestep: 1 / 60 })) {
        if (frame.index === 3) break;
        scene.update(frame);
        frame.record((cmd) => scene.draw(cmd, frame));
      }
      await backend.window.connection.roundtrip();
      const shot = await bed.weston.screenshot();
      expect(differingFrom(shot, await headlessFrame(gpu, 2))).toBe(0);
      expect(differingFrom(shot, await headlessFrame(gpu, 1))).toBeGreaterThan(0); // the frames differ: the check can fail
      expect(out.stats.extra.presented).toBe(FRAMES + 3);
    } finally {
      scene.destroy();
      await out.close();
    }
    expect(gpu.validationMessages).toEqual([]);
  });
});
