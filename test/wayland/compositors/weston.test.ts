// Weston 14 headless with the pixman renderer (host: wl_shm), with the kiosk shell (the window fills
// the output) and with the desktop shell (configure 0x0: we choose the size; it places the window
// itself). Each runs the triangle and the textured mesh; the screenshot must show exactly the
// headless render of the same frame where the window is.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { addLogSink, Instance, type LogLevel, setLogLevel } from "../../../src/index.js";
import { openWaylandPresenter } from "../../../src/present/wayland-open.js";
import { WaylandShmBackend } from "../../../src/present/wayland-shm.js";
import { FrameLoop } from "../../../src/index.js";
import { encodeMessage } from "../../../src/wayland/wire.js";
import { startWeston, type Weston, westonAvailable, westonFresh } from "../../../scripts/testbed/weston.js";
import { differingPixels, headlessFrame, litPixels, type Rgba, runScene, type SceneName } from "./scenes.js";
import type { Pixels } from "../../../src/index.js";
import { TITLE_BAR_HEIGHT } from "../../../src/wayland/decorations.js";

/** Our title bar's colours (src/wayland/decorations.ts). */
const BAR = [48, 48, 56] as const;
const CLOSE = [200, 60, 60] as const;

/** Where `ref` appears in `shot` (exactly, within 2 per channel), or undefined. */
function locate(shot: Rgba, ref: Pixels): [number, number] | undefined {
  for (let y = 0; y + ref.height <= shot.height; y++)
    for (let x = 0; x + ref.width <= shot.width; x++) {
      // cheap probe first: the centre pixel and the four corners' insides
      const probes: [number, number][] = [[ref.width >> 1, ref.height >> 1], [1, 1], [ref.width - 2, ref.height - 2], [1, ref.height - 2], [ref.width - 2, 1]];
      if (probes.every(([px, py]) => differingPixels(shot, { width: 1, height: 1, data: ref.data.subarray((py * ref.width + px) * 4, (py * ref.width + px) * 4 + 4) }, x + px, y + py) === 0) && differingPixels(shot, ref, x, y) === 0)
        return [x, y];
    }
  return undefined;
}

for (const shell of ["kiosk", "desktop"] as const) {
  describe.skipIf(!westonAvailable)(`Weston 14 pixman, ${shell} shell${westonAvailable ? "" : " (skipped: weston or weston-screenshooter missing)"}`, () => {
    let weston: Weston;
    let gpu: Instance;
    beforeAll(async () => {
      weston = await startWeston({ shell, width: 640, height: 480 });
      gpu = await Instance.create({ validation: true, requireValidation: true });
    });
    beforeEach(async () => {
      if (weston) weston = await westonFresh(weston); // see westonFresh: a Weston per window
    });
    afterAll(async () => {
      gpu?.destroy();
      await weston?.stop();
    });

    for (const name of ["triangle", "mesh"] as SceneName[]) {
      it(`shows the ${name} as the headless render of the same frame`, async () => {
        const logs: string[] = [];
        const stop = addLogSink((r) => logs.push(r.message));
        setLogLevel("info");
        const out = await openWaylandPresenter(gpu.createDevice(), { size: [400, 300], socket: weston.path, title: `${shell} ${name}`, appId: "dev.scanout.weston" }, true).finally(() => {
          stop();
          setLogLevel((process.env.SCANOUT_LOG as LogLevel | undefined) ?? "warn");
        });
        // an optional global missing is a logged fallback, not an error
        expect(logs).toContain("the compositor offers no zxdg_decoration_manager_v1: we draw our own title bar (client-side decorations)");
        try {
          expect(out.backend).toBe("wayland-shm");
          // kiosk: the output's size; desktop: configure 0x0, so ours
          const size = shell === "kiosk" ? [640, 480] : [400, 300];
          expect(out.size).toEqual(size);
          // the desktop shell zooms a new window in (~0.3 s): let that finish
          const frames = shell === "kiosk" ? 6 : 40;
          await runScene(out, name, frames);
          const shot = await weston.screenshot();
          const ref = await headlessFrame(gpu, name, out.size, frames - 1);
          expect(litPixels(ref)).toBeGreaterThan(1000);
          if (shell === "kiosk") expect(differingPixels(shot, ref)).toBe(0);
          else {
            const at = locate(shot, ref);
            expect(at).toBeDefined();
            // Weston offers no server-side decorations: our own title bar sits right above the content
            const [x, y] = at!;
            const px = (dx: number, dy: number) => [...shot.data.subarray(((y + dy) * shot.width + x + dx) * 4, ((y + dy) * shot.width + x + dx) * 4 + 3)];
            expect(px(2, -TITLE_BAR_HEIGHT + 2)).toEqual([...BAR]);
            expect(px(2, -1)).toEqual([...BAR]);
            expect(px(out.size[0] - 3, -TITLE_BAR_HEIGHT + 2)).toEqual([...CLOSE]);
            expect(px(2, -TITLE_BAR_HEIGHT - 2)).not.toEqual([...BAR]); // nothing of ours above the bar
          }
        } finally {
          await out.close();
        }
        expect(gpu.validationMessages).toEqual([]);
      });
    }
    // suspended (xdg-shell v6): Weston never sends it, so while `suspend` is on, each real configure
    // Weston sends (with its real serial) gets the suspended state added before our handler sees it
    // (a fake, for a state no test bed produces). Maximize requests make Weston send configures.
    if (shell === "desktop") it("suspended: no commits, frames only at the heartbeat; the next configure without it resumes at full rate", async () => {
      const backend = await WaylandShmBackend.open(gpu.createDevice(), { size: [320, 240], socket: weston.path, title: "suspend", appId: "dev.scanout.weston", heartbeatHz: 10 });
      const out = new FrameLoop(backend, true);
      const win = backend.window;
      const tl = win.toplevel;
      let suspend = false;
      const real = tl.handlers.configure!;
      tl.handlers.configure = function (this: typeof tl, w: number, h: number, states: Uint8Array) {
        if (!suspend) return real.call(this, w, h, states);
        const more = new Uint8Array(states.byteLength + 4);
        more.set(states);
        new DataView(more.buffer).setUint32(states.byteLength, 9, true); // xdg_toplevel.state.suspended
        return real.call(this, w, h, more);
      };
      const presented = () => Number(backend.stats().presented);
      const whileSuspended: { at: number; presented: number }[] = [];
      let resumedAt: number | undefined;
      let presentedAtResume = 0;
      try {
        await runScene(out, "triangle", 60, (i) => {
          if (i === 5) {
            suspend = true;
            win.setMaximized(true);
          }
          if (win.suspended) {
            whileSuspended.push({ at: performance.now(), presented: presented() });
            if (whileSuspended.length === 6) {
              suspend = false;
              win.setMaximized(false);
            }
          } else if (whileSuspended.length && resumedAt === undefined) {
            resumedAt = i;
            presentedAtResume = presented();
          }
        });
        const gaps = whileSuspended.slice(1).map((f, k) => f.at - whileSuspended[k]!.at);
        console.log(`Weston desktop, suspended: frame gaps ${gaps.map((g) => g.toFixed(0)).join(", ")} ms; commits while suspended ${whileSuspended[whileSuspended.length - 1]!.presented - whileSuspended[0]!.presented}; resumed at frame ${resumedAt}, then ${presented() - presentedAtResume} commits`);
        expect(whileSuspended.length).toBe(6);
        // the suspended configure's own frame is committed (it acks it); after that nothing
        expect(whileSuspended[whileSuspended.length - 1]!.presented - whileSuspended[1]!.presented).toBe(0);
        for (const g of gaps.slice(1)) expect(g).toBeGreaterThan(70); // heartbeat at 10 Hz, not the refresh
        expect(resumedAt).toBeDefined();
        expect(presented() - presentedAtResume).toBeGreaterThan(20); // every remaining frame committed again
      } finally {
        await out.close();
      }
      expect(gpu.validationMessages).toEqual([]);
    });
    it("maximizes and goes fullscreen on request (our title bar hides when fullscreen), and reports suspended", async () => {
      const backend = await WaylandShmBackend.open(gpu.createDevice(), { size: [400, 300], socket: weston.path, title: "states", appId: "dev.scanout.weston" });
      const out = new FrameLoop(backend, true);
      const win = backend.window;
      const seen: string[] = [];
      win.statesChanged.add((st) => seen.push([...st].sort().join("+") || "none"));
      try {
        await runScene(out, "triangle", 45, (i) => {
          if (i === 3 && shell === "desktop") win.setMaximized(true);
          if (i === 15 && shell === "desktop") {
            expect(win.states.has("maximized")).toBe(true);
            // maximized: the output minus the panel, our title bar out of the configured height
            expect(win.decorations.top).toBe(TITLE_BAR_HEIGHT);
            win.setMaximized(false);
            win.setFullscreen(true);
          }
          if (i === 30) {
            expect(win.states.has("fullscreen")).toBe(true);
            expect(out.size).toEqual([640, 480]); // all of the output: no title bar
            expect(win.decorations.top).toBe(0);
          }
        });
        console.log(`Weston ${shell}: states seen ${seen.join(" -> ")}; wm_capabilities ${win.wmCapabilities ? [...win.wmCapabilities].join(",") : "not sent"}; bounds ${win.bounds ?? "not sent"}; xdg_wm_base v${win.wmBase.version}; decorations ${win.decorations.mode}`);
        // kiosk: fullscreen from the first configure on
        expect(shell === "kiosk" ? win.states.has("fullscreen") : seen.some((x) => x.includes("fullscreen"))).toBe(true);
        if (shell === "desktop") expect(seen.some((x) => x.includes("maximized"))).toBe(true);
        // suspended (xdg-shell v6): no compositor here sends it on its own, so this one configure is
        // fed through the real parser (a fake, for a state no test bed produces)
        const states = new Uint8Array(8);
        new DataView(states.buffer).setUint32(0, 2, true); // fullscreen
        new DataView(states.buffer).setUint32(4, 9, true); // suspended
        const tl = win.toplevel;
        win.connection.feed(encodeMessage(tl.id, 0, tl.spec.events[0]!, [640, 480, states], []), []);
        win.connection.feed(encodeMessage(win.xdgSurface.id, 0, win.xdgSurface.spec.events[0]!, [999_999], []), []);
        expect(win.configurePending).toBe(true);
        win.applyConfigure();
        expect(win.suspended).toBe(true);
      } finally {
        await out.close();
      }
      expect(gpu.validationMessages).toEqual([]);
    });
  });
}

// Weston at output scale 2 (headless --width=320 --height=240 --scale=2: 640x480 device pixels): the
// kiosk window is 320x240, its buffers 640x480 at buffer scale 2, and the screenshot (device
// pixels) is the headless render at 640x480 to the pixel.
describe.skipIf(!westonAvailable)("Weston 14 pixman, kiosk shell, output scale 2", () => {
  let weston: Weston;
  let gpu: Instance;
  beforeAll(async () => {
    weston = await startWeston({ width: 320, height: 240, scale: 2 });
    gpu = await Instance.create({ validation: true, requireValidation: true });
  });
  afterAll(async () => {
    gpu?.destroy();
    await weston?.stop();
  });

  it("renders 640x480 buffers at buffer scale 2 for the 320x240 window, and they fill the output", async () => {
    const backend = await WaylandShmBackend.open(gpu.createDevice(), { size: [200, 100], socket: weston.path, title: "hidpi", appId: "dev.scanout.weston" });
    const out = new FrameLoop(backend, true);
    try {
      await runScene(out, "mesh", 6);
      expect(backend.window.logicalSize).toEqual([320, 240]);
      expect(backend.window.geometry.bufferScale).toBe(2);
      expect(out.size).toEqual([640, 480]);
      const shot = await weston.screenshot();
      expect([shot.width, shot.height]).toEqual([640, 480]);
      const ref = await headlessFrame(gpu, "mesh", [640, 480], 5);
      expect(differingPixels(shot, ref)).toBe(0);
    } finally {
      await out.close();
    }
    expect(gpu.validationMessages).toEqual([]);
  });
});
