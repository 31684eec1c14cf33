// Sway 1.7 (wlroots 0.15) headless, pixman renderer, as an unprivileged user: our window through
// wl_shm (Sway offers no dmabuf on this host). The screenshot (grim) of the window's rect must equal
// the headless render of the same frame; compositor-initiated resizes, close.
import { describe, expect, it } from "vitest";
import { FrameLoop } from "../../../src/index.js";
import { openWaylandPresenter } from "../../../src/present/wayland-open.js";
import { WaylandShmBackend } from "../../../src/present/wayland-shm.js";
import { openFdCount } from "../../../src/sys/libc.js";
import { type Sway, swaySkipReason, swayWindows } from "../../../scripts/testbed/sway.js";
import { swayBed } from "../../helpers/sway-bed.js";
import { BTN_LEFT } from "../../../src/input/index.js";
import { TITLE_BAR_HEIGHT } from "../../../src/wayland/decorations.js";
import { Injector } from "../../input/wayland-inject.js";
import { differingPixels, headlessFrame, litPixels, runScene, type SceneName } from "./scenes.js";

const APP = "dev.scanout.sway";

async function windowRect(sway: Sway, app = APP) {
  const w = swayWindows(await sway.tree()).find((n) => n.app_id === app);
  if (!w) throw new Error("our window is not in Sway's tree");
  return w.rect;
}

describe.skipIf(swaySkipReason)(`Sway 1.7 headless${swaySkipReason ? ` (skipped: ${swaySkipReason})` : ""}`, () => {
  const bed = swayBed({ width: 640, height: 480 });

  for (const name of ["triangle", "mesh"] as SceneName[]) {
    it(`shows the ${name} as the headless render of the same frame (shm)`, async () => {
      const out = await openWaylandPresenter(bed.gpu.createDevice(), { size: [320, 240], socket: bed.sway.path, title: name, appId: APP }, true);
      try {
        expect(out.backend).toBe("wayland-shm");
        await runScene(out, name, 6);
        const rect = await windowRect(bed.sway);
        expect([rect.width, rect.height]).toEqual([320, 240]);
        const shot = await bed.sway.screenshot();
        const ref = await headlessFrame(bed.gpu, name, [320, 240], 5);
        expect(litPixels(ref)).toBeGreaterThan(1000);
        expect(differingPixels(shot, ref, rect.x, rect.y)).toBe(0);
      } finally {
        await out.close();
      }
      expect(bed.gpu.validationMessages).toEqual([]);
    });
  }

  it("follows `swaymsg resize set` and renders the new size; close ends the loop", async () => {
    const out = await openWaylandPresenter(bed.gpu.createDevice(), { size: [320, 240], socket: bed.sway.path, title: "resize", appId: APP }, true);
    try {
      await runScene(out, "triangle", 40, async (i) => {
        if (i === 5) await bed.sway.swaymsg(`[app_id="${APP}"] resize set 400 300`);
      });
      expect(out.size).toEqual([400, 300]);
      const rect = await windowRect(bed.sway);
      expect([rect.width, rect.height]).toEqual([400, 300]);
      const shot = await bed.sway.screenshot();
      const ref = await headlessFrame(bed.gpu, "triangle", [400, 300], 39);
      expect(differingPixels(shot, ref, rect.x, rect.y)).toBe(0);
      // close from the compositor's side (xdg_toplevel.close): the loop ends by itself
      await bed.sway.swaymsg(`[app_id="${APP}"] kill`);
      await runScene(out, "triangle", 1000);
      expect(out.endReason).toMatch(/closed/);
      expect(out.stats.frames).toBeLessThan(1000);
    } finally {
      await out.close();
    }
    expect(bed.gpu.validationMessages).toEqual([]);
  });
  it("takes a client-chosen size (presenter.resize) on a floating window", async () => {
    const out = await openWaylandPresenter(bed.gpu.createDevice(), { size: [320, 240], socket: bed.sway.path, title: "client size", appId: APP }, true);
    try {
      await runScene(out, "triangle", 20, (i) => {
        if (i === 4) out.resize(360, 200);
      });
      expect(out.size).toEqual([360, 200]);
      const rect = await windowRect(bed.sway);
      expect([rect.width, rect.height]).toEqual([360, 200]);
      const shot = await bed.sway.screenshot();
      const ref = await headlessFrame(bed.gpu, "triangle", [360, 200], 19);
      expect(differingPixels(shot, ref, rect.x, rect.y)).toBe(0);
    } finally {
      await out.close();
    }
    expect(bed.gpu.validationMessages).toEqual([]);
  });

  it("goes fullscreen and maximized on request and back, honouring each configure; server-side decorations", async () => {
    const backend = await WaylandShmBackend.open(bed.gpu.createDevice(), { size: [320, 240], socket: bed.sway.path, title: "states", appId: APP });
    const out = new FrameLoop(backend, true);
    const win = backend.window;
    const seen: string[] = [];
    win.statesChanged.add((st) => seen.push([...st].sort().join("+") || "none"));
    try {
      await runScene(out, "triangle", 60, (i) => {
        if (i === 5) win.setFullscreen(true);
        if (i === 20) {
          expect(win.states.has("fullscreen")).toBe(true);
          expect(out.size).toEqual([640, 480]);
          win.setFullscreen(false);
        }
        if (i === 35) {
          expect(win.states.has("fullscreen")).toBe(false);
          expect(out.size).toEqual([320, 240]);
          win.setMaximized(true);
        }
      });
      // a floating window in Sway does not maximize: it may ignore the request (then the size stays)
      console.log(`Sway states seen: ${seen.join(" -> ")}; wm_capabilities: ${win.wmCapabilities ? [...win.wmCapabilities].join(",") : "not sent"}; bounds: ${win.bounds ?? "not sent"}; xdg_wm_base v${win.wmBase.version}`);
      expect(seen.some((x) => x.includes("fullscreen"))).toBe(true);
      expect(win.decorations.mode).toBe("server"); // Sway offers xdg-decoration and agrees to draw them
    } finally {
      await out.close();
    }
    expect(bed.gpu.validationMessages).toEqual([]);
  });

  it("our own title bar (decorations: client): a drag on it moves the window, its close button closes it", async () => {
    const backend = await WaylandShmBackend.open(bed.gpu.createDevice(), { size: [320, 240], socket: bed.sway.path, title: "csd", appId: APP, decorations: "client" });
    const out = new FrameLoop(backend, true);
    const inj = await Injector.connect(bed.sway.path);
    try {
      expect(backend.window.decorations.mode).toBe("client");
      await runScene(out, "triangle", 5);
      const before = await windowRect(bed.sway);
      // the window geometry includes our bar: Sway's rect is 24 px taller than the content
      expect([before.width, before.height]).toEqual([320, 240 + TITLE_BAR_HEIGHT]);
      const shot = await bed.sway.screenshot();
      const i = ((before.y + 4) * shot.width + before.x + 4) * 4;
      expect([...shot.data.subarray(i, i + 3)]).toEqual([48, 48, 56]); // our bar's colour
      await inj.createPointer();
      // press on the bar's middle, drag 60 px right and 30 down, release
      await inj.moveTo(before.x + 100, before.y + 10, 640, 480);
      await runScene(out, "triangle", 3);
      await inj.button(BTN_LEFT, true);
      await runScene(out, "triangle", 3);
      for (let k = 0; k < 6; k++) {
        await inj.moveBy(10, 5);
        await runScene(out, "triangle", 1);
      }
      await inj.button(BTN_LEFT, false);
      await runScene(out, "triangle", 3);
      const after = await windowRect(bed.sway);
      console.log(`CSD drag on Sway: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
      expect([after.x - before.x, after.y - before.y]).toEqual([60, 30]);
      // the close button: the bar's rightmost square
      await inj.moveTo(after.x + 320 - 8, after.y + 8, 640, 480);
      await runScene(out, "triangle", 3);
      await inj.button(BTN_LEFT, true);
      await inj.button(BTN_LEFT, false);
      await runScene(out, "triangle", 200);
      expect(out.endReason).toMatch(/closed/);
      expect(out.stats.frames).toBeLessThan(200);
    } finally {
      await inj.close();
      await out.close();
    }
    expect(bed.gpu.validationMessages).toEqual([]);
  });

  it("our own decorations: a drag from the content's bottom-right corner resizes the window, and the press is not the app's", async () => {
    const backend = await WaylandShmBackend.open(bed.gpu.createDevice(), { size: [320, 240], socket: bed.sway.path, title: "csd-resize", appId: APP, decorations: "client" });
    const out = new FrameLoop(backend, true);
    const inj = await Injector.connect(bed.sway.path);
    try {
      await runScene(out, "triangle", 5);
      const rect = await windowRect(bed.sway);
      await inj.createPointer();
      // 2 px inside the content's bottom-right corner (the bar is above the content)
      await inj.moveTo(rect.x + 320 - 2, rect.y + TITLE_BAR_HEIGHT + 240 - 2, 640, 480);
      await runScene(out, "triangle", 3);
      out.pollInput(); // what came before the press
      await inj.button(BTN_LEFT, true);
      await runScene(out, "triangle", 3);
      for (let k = 0; k < 4; k++) {
        await inj.moveBy(10, 8);
        await runScene(out, "triangle", 2);
      }
      await inj.button(BTN_LEFT, false);
      for (let k = 0; k < 20 && out.size[0] === 320; k++) await runScene(out, "triangle", 2);
      const events = out.pollInput().map((e) => e.type);
      console.log(`CSD corner resize on Sway: 320x240 -> ${out.size.join("x")}`);
      expect(out.size[0]).toBeGreaterThan(320);
      expect(out.size[1]).toBeGreaterThan(240);
      expect(events).not.toContain("button-down");
      expect(events).not.toContain("button-up");
    } finally {
      await inj.close();
      await out.close();
    }
    expect(bed.gpu.validationMessages).toEqual([]);
  });

  it("survives a resize storm: validation clean, resources flat, last screenshot at the final size", async () => {
    const resizes = Number(process.env.SCANOUT_RESIZE_STORM ?? 1000);
    const device = bed.gpu.createDevice();
    const out = await openWaylandPresenter(device, { size: [320, 240], socket: bed.sway.path, title: "storm", appId: APP }, true);
    const sizeAt = (i: number): [number, number] => [160 + ((i * 37) % 300), 120 + ((i * 53) % 240)];
    const sample = () => ({ rssMiB: Number((process.memoryUsage().rss / 2 ** 20).toFixed(1)), fds: openFdCount(), vkObjects: device.liveResources().length });
    let first: ReturnType<typeof sample> | undefined;
    const t0 = performance.now();
    try {
      await runScene(out, "triangle", resizes + 2, async (i) => {
        // from frame 2 on (the window is mapped once its first buffer is committed); kept centred, since
        // Sway lets a floating window drift off the output as it resizes, and an unseen one gets no frame callbacks
        if (i >= 2) await bed.sway.command(`[app_id="${APP}"] resize set ${sizeAt(i - 2).join(" ")}, move position center`);
        if (i === 20) first = sample();
      });
      // Sway 1.7 runs one resize transaction at a time and may drop a command that arrives while one
      // is in flight (the trace then shows no configure for it): once settled, the final size again
      const final = sizeAt(resizes - 1);
      await runScene(out, "triangle", 3);
      await bed.sway.command(`[app_id="${APP}"] resize set ${final.join(" ")}, move position center`);
      for (let k = 0; k < 40 && (out.size[0] !== final[0] || out.size[1] !== final[1]); k++) await runScene(out, "triangle", 3);
      await runScene(out, "triangle", 10); // a run at the final size: its last frame is index 9
      const last = sample();
      const seconds = (performance.now() - t0) / 1000;
      expect(out.size).toEqual(final);
      const rect = await windowRect(bed.sway);
      expect([rect.width, rect.height]).toEqual(final);
      const shot = await bed.sway.screenshot();
      const ref = await headlessFrame(bed.gpu, "triangle", final, 9);
      expect(differingPixels(shot, ref, rect.x, rect.y)).toBe(0);
      const resized = Number(out.stats.extra.resizes);
      console.log(`resize storm: ${resizes} resize commands, ${resized} buffer re-allocations, ${resizes + 12}+ frames in ${seconds.toFixed(1)} s; first ${JSON.stringify(first)}, last ${JSON.stringify(last)}`);
      expect(resized).toBeGreaterThan(resizes / 4); // configures may coalesce between two frames
      expect(last.fds).toBeLessThanOrEqual(first!.fds + 2);
      expect(last.vkObjects).toBeLessThanOrEqual(first!.vkObjects + 8);
      expect(last.rssMiB).toBeLessThan(first!.rssMiB + 200);
    } finally {
      await out.close();
    }
    expect(bed.gpu.validationMessages).toEqual([]);
  }, 300_000);
});

describe.skipIf(swaySkipReason)(`Sway 1.7 at output scale 2${swaySkipReason ? ` (skipped: ${swaySkipReason})` : ""}`, () => {
  const bed = swayBed({ width: 1280, height: 960, scale: 2 });

  it("renders buffers at twice the logical size with buffer scale 2, and they fill the window's device pixels", async () => {
    const backend = await WaylandShmBackend.open(bed.gpu.createDevice(), { size: [320, 240], socket: bed.sway.path, title: "hidpi", appId: APP });
    const out = new FrameLoop(backend, true);
    try {
      await runScene(out, "mesh", 8);
      expect(backend.window.logicalSize).toEqual([320, 240]);
      expect(out.size).toEqual([640, 480]);
      expect(backend.window.geometry.bufferScale).toBe(2);
      const rect = await windowRect(bed.sway);
      expect([rect.width, rect.height]).toEqual([320, 240]);
      const shot = await bed.sway.screenshot();
      expect([shot.width, shot.height]).toEqual([1280, 960]);
      const ref = await headlessFrame(bed.gpu, "mesh", [640, 480], 7);
      expect(differingPixels(shot, ref, rect.x * 2, rect.y * 2)).toBe(0);
    } finally {
      await out.close();
    }
    expect(bed.gpu.validationMessages).toEqual([]);
  });
  it("follows an output scale change at run time (wl_output.scale): 2 -> 1 -> 2, buffers re-made each time", async () => {
    const backend = await WaylandShmBackend.open(bed.gpu.createDevice(), { size: [320, 240], socket: bed.sway.path, title: "rescale", appId: APP });
    const out = new FrameLoop(backend, true);
    const sizes: string[] = [];
    try {
      await runScene(out, "triangle", 40, async (i) => {
        if (i === 5) await bed.sway.command("output HEADLESS-1 scale 1");
        if (i === 25) await bed.sway.command("output HEADLESS-1 scale 2");
        const s = out.size.join("x");
        if (sizes[sizes.length - 1] !== s) sizes.push(s);
      });
      console.log(`Sway scale changes: buffers ${sizes.join(" -> ")}`);
      expect(sizes).toEqual(["640x480", "320x240", "640x480"]);
      expect(backend.window.logicalSize).toEqual([320, 240]);
    } finally {
      await out.close();
    }
    expect(bed.gpu.validationMessages).toEqual([]);
  });
});
