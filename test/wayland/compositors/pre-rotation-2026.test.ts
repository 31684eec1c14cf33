// Pre-rotated buffers (wl_compositor v6 preferred_buffer_transform, WindowOptions.preRotate) on the
// forky host beds. Which compositor says what:
// - Mutter 50 sends the preference when its monitor is turned (`gdctl set ... --transform`): our
//   buffers follow it (turned size, set_buffer_transform, stats), and go back to normal with it.
//   Its bed has no screenshot tool, so pixels are checked on Weston and, end to end, on Sway in the
//   VM (pre-rotation.vm.test.ts).
// - Weston 16 sends no preference at all (checked); it does honour set_buffer_transform, so the
//   window is handed the preference as the event would hand it, and weston-screenshooter shows that
//   our turned buffers are turned the protocol's way: the screen equals the headless render.
// - Sway 1.12 headless with pixman sends none either: wlroots' scene sends preferred_buffer_transform
//   only along with dmabuf feedback (types/scene/wlr_scene.c, "TODO: also send ... when running with
//   pure software rendering"), and this bed has no linux-dmabuf. With `output transform 90`, nothing
//   changes: normal buffers, no set_buffer_transform, and grim's shot still equals the headless render.
//   (Even with dmabuf feedback wlroots 0.20 prefers a turn only to a lone surface already turned: see
//   pre-rotation.vm.test.ts.)
// - KWin 6.7 (--virtual) sends the preference from the first commit and again whenever its output is
//   turned (kde_output_management_v2, as kscreen-doctor does): our buffers follow. Its screen cannot
//   be read here: KWin composites without OpenGL on this bed (it logs "Configured compositor not
//   supported by Platform") and every ScreenShot2 capture (window, workspace, screen) answers
//   "Screenshot got cancelled"; pixels are checked on KWin on DRM in pre-rotation-2026.vm.test.ts.
// - labwc 0.20 headless (pixman) is wlroots too: with its output turned (zwlr_output_manager_v1, as
//   wlr-randr does) it sends no preference either; handed one, our turned buffers show right on grim's shot.
import { describe, expect, it } from "vitest";
import { FrameLoop, type Presenter } from "../../../src/index.js";
import { openWaylandPresenter } from "../../../src/present/wayland-open.js";
import { WaylandShmBackend } from "../../../src/present/wayland-shm.js";
import { type SwayNode, swayWindows } from "../../../scripts/testbed/sway.js";
import { type ForkyBed, forkyBlock, forkyCompositorSkipReason } from "../../helpers/forky-bed.js";
import { APP, locate, tracedConnection } from "./pre-rotation-shared.js";
import { compareRegion, EDGE_PIXELS, headlessFrame, litPixels, runScene, type SceneName } from "./scenes.js";
import { turnKwinOutput, turnWlrOutput } from "./turn-output.js";

const skipTitle = (name: string, why: string | undefined) => `${name}${why ? ` (skipped: ${why})` : ""}`;


describe.skipIf(forkyCompositorSkipReason("mutter"))(skipTitle("Mutter 50 headless: buffers follow the monitor's transform (gdctl)", forkyCompositorSkipReason("mutter")), () => {
  const ctx = forkyBlock("mutter", { width: 640, height: 480 });

  it("90, 180, 270 and back to normal: turned buffer size, set_buffer_transform each time, stats say which", async () => {
    const { connection, lines } = tracedConnection(ctx.bed.path);
    let out: Presenter | undefined;
    const turn = (t: string) => ctx.bed.exec(["gdctl", "set", "--logical-monitor", "--primary", "--monitor", "Meta-0", "--transform", t]);
    try {
      out = await openWaylandPresenter(ctx.gpu.createDevice(), { size: [320, 240], connection, title: "pre-rotate", appId: APP, mode: "shm", preRotate: true }, true);
      await runScene(out, "triangle", 5);
      expect(out.stats.extra.bufferTransform).toBe("normal");
      expect(lines.filter((l) => l.startsWith("->"))).toEqual([]);
      for (const [t, value, size] of [["90", 1, [240, 320]], ["180", 2, [320, 240]], ["270", 3, [240, 320]], ["normal", 0, [320, 240]]] as const) {
        await turn(t);
        await runScene(out, "mesh", 8);
        expect(lines.some((l) => l.includes(`preferred_buffer_transform(${value})`)), `Mutter prefers ${t}`).toBe(true);
        expect(lines.some((l) => l.includes(`set_buffer_transform(${value})`)), `we send ${t}`).toBe(true);
        expect(out.stats.extra.preferredTransform).toBe(t);
        expect(out.stats.extra.bufferTransform).toBe(t);
        expect(out.size).toEqual(size);
      }
      expect(out.endReason).toBeUndefined();
    } finally {
      await out?.close();
      await connection.close();
    }
    expect(ctx.bed.alive()).toBe(true);
    expect(ctx.gpu.validationMessages).toEqual([]);
  });
});

describe.skipIf(forkyCompositorSkipReason("weston"))(skipTitle("Weston 16 headless, pixman, kiosk: turned buffers are turned the protocol's way", forkyCompositorSkipReason("weston")), () => {
  const ctx = forkyBlock("weston", { width: 640, height: 480 });

  for (const [name, t] of [["triangle", 1], ["mesh", 1], ["triangle", 2], ["mesh", 3]] as [SceneName, 1 | 2 | 3][]) {
    it(`${name}, transform ${t * 90}: the screen equals the headless render; Weston itself sends no preference`, async () => {
      const { connection, lines } = tracedConnection(ctx.bed.path);
      const backend = await WaylandShmBackend.open(ctx.gpu.createDevice(), { size: [320, 240], connection, title: "pre-rotate", appId: APP, preRotate: true });
      const out = new FrameLoop(backend, true);
      try {
        await runScene(out, name, 3);
        expect(lines.some((l) => l.includes("preferred_buffer_transform"))).toBe(false);
        // what Mutter or Sway on DRM would send for a turned output (Weston has no such event to send)
        backend.window.scale.preferBufferTransform(t);
        // the screenshot once the last frame is on screen (wp_presentation), not the one before it
        await runScene(out, name, 30);
        expect(await out.shown(29, 3000), "wp_presentation reports frame 29").toBe(true);
        expect(lines.some((l) => l.includes(`set_buffer_transform(${t})`))).toBe(true);
        expect(out.size).toEqual(t === 2 ? [640, 480] : [480, 640]); // kiosk: the output's size, turned
        const shot = await ctx.bed.screenshot();
        await out.close();
        const ref = await headlessFrame(ctx.gpu, name, [640, 480], 29);
        expect(litPixels(ref)).toBeGreaterThan(1000);
        const c = compareRegion(shot, ref, 0, 0);
        console.log(`Weston 16, ${name}, buffer transform ${t * 90}: ${c.differing} of ${ref.width * ref.height} pixels differ by more than 1 from the headless render (largest ${c.maxDiff})`);
        // a turned raster may settle a pixel on an edge the other way (fill rules are not symmetric
        // under a quarter turn): a few such pixels; a wrong turn differs in tens of thousands
        expect(c.differing).toBeLessThanOrEqual(EDGE_PIXELS(ref));
      } finally {
        await out.close();
        await connection.close();
      }
      expect(ctx.gpu.validationMessages).toEqual([]);
    });
  }
});

describe.skipIf(forkyCompositorSkipReason("sway"))(skipTitle("Sway 1.12 headless, pixman, output transform 90", forkyCompositorSkipReason("sway")), () => {
  const ctx = forkyBlock("sway", { width: 640, height: 480 });

  async function swayRect(bed: ForkyBed) {
    const w = swayWindows(JSON.parse(await bed.swaymsg("", "get_tree")) as SwayNode).find((n) => n.app_id === APP);
    if (!w) throw new Error("our window is not in Sway's tree");
    return w.rect;
  }

  it("sends no preference without dmabuf feedback: normal buffers, no set_buffer_transform, grim's shot equals the headless render", async () => {
    await ctx.bed.swaymsg("output HEADLESS-1 transform 90");
    const { connection, lines } = tracedConnection(ctx.bed.path);
    let out: Presenter | undefined;
    try {
      out = await openWaylandPresenter(ctx.gpu.createDevice(), { size: [320, 240], connection, title: "pre-rotate", appId: APP, mode: "shm", preRotate: true }, true);
      await runScene(out, "triangle", 30);
      expect(lines).toEqual([]);
      expect(out.stats.extra.preferredTransform).toBe("normal");
      expect(out.stats.extra.bufferTransform).toBe("normal");
      const rect = await swayRect(ctx.bed);
      const shot = await ctx.bed.screenshot();
      expect([shot.width, shot.height]).toEqual([480, 640]); // grim shows the output turned
      const ref = await headlessFrame(ctx.gpu, "triangle", [320, 240], 29);
      expect(compareRegion(shot, ref, rect.x, rect.y).differing).toBe(0);
    } finally {
      await out?.close();
      await connection.close();
      await ctx.bed.swaymsg("output HEADLESS-1 transform normal");
    }
    expect(ctx.gpu.validationMessages).toEqual([]);
  });
});

describe.skipIf(forkyCompositorSkipReason("kwin"))(skipTitle("KWin 6.7 --virtual: buffers follow the output's transform (kde_output_management_v2)", forkyCompositorSkipReason("kwin")), () => {
  const ctx = forkyBlock("kwin", { width: 640, height: 480 });

  it("90, 180, 270 and back to normal: KWin prefers each, we render turned and send set_buffer_transform, the window keeps its size", async () => {
    const { connection, lines } = tracedConnection(ctx.bed.path);
    let out: Presenter | undefined;
    try {
      out = await openWaylandPresenter(ctx.gpu.createDevice(), { size: [320, 240], connection, title: "pre-rotate", appId: APP, mode: "shm", preRotate: true }, true);
      await runScene(out, "triangle", 5);
      // KWin states the preference from the start (normal), for our surface and our title bar's
      expect(lines.filter((l) => l.startsWith("->"))).toEqual([]);
      expect(out.stats.extra.bufferTransform).toBe("normal");
      const window = await ctx.bed.kwinWindowSize(APP);
      for (const [t, value, size] of [["90", 1, [240, 320]], ["180", 2, [320, 240]], ["270", 3, [240, 320]], ["normal", 0, [320, 240]]] as const) {
        const from = lines.length;
        await turnKwinOutput(ctx.bed.path, t);
        await runScene(out, "mesh", 8);
        const now = lines.slice(from);
        expect(now.some((l) => l.startsWith("<-") && l.includes(`preferred_buffer_transform(${value})`)), `KWin prefers ${t}`).toBe(true);
        expect(now.some((l) => l.startsWith("->") && l.includes(`set_buffer_transform(${value})`)), `we send ${t}`).toBe(true);
        expect(out.stats.extra.preferredTransform).toBe(t);
        expect(out.stats.extra.bufferTransform).toBe(t);
        expect(out.size).toEqual(size);
        expect(await ctx.bed.kwinWindowSize(APP), "the window as seen keeps its size").toEqual(window);
      }
      expect(out.endReason).toBeUndefined();
    } finally {
      await out?.close();
      await connection.close();
    }
    expect(ctx.bed.alive()).toBe(true);
    expect(ctx.gpu.validationMessages).toEqual([]);
  }, 120_000);
});

describe.skipIf(forkyCompositorSkipReason("labwc"))(skipTitle("labwc 0.20 headless, pixman, output turned 90 (zwlr_output_manager_v1)", forkyCompositorSkipReason("labwc")), () => {
  const ctx = forkyBlock("labwc");

  it("sends no preference (wlroots, no dmabuf feedback): normal buffers, no set_buffer_transform; grim's portrait shot holds the headless render", async () => {
    await turnWlrOutput(ctx.bed.path, "90");
    const { connection, lines } = tracedConnection(ctx.bed.path);
    let out: Presenter | undefined;
    try {
      out = await openWaylandPresenter(ctx.gpu.createDevice(), { size: [320, 240], connection, title: "pre-rotate", appId: APP, mode: "shm", preRotate: true }, true);
      await runScene(out, "triangle", 30);
      expect(await out.shown(29, 3000), "wp_presentation reports frame 29").toBe(true);
      expect(lines).toEqual([]);
      expect(out.stats.extra.preferredTransform).toBe("normal");
      expect(out.stats.extra.bufferTransform).toBe("normal");
      const shot = await ctx.bed.screenshot();
      expect([shot.width, shot.height], "grim shows wlroots' 1280x720 headless output turned").toEqual([720, 1280]);
      const ref = await headlessFrame(ctx.gpu, "triangle", [320, 240], 29);
      expect(locate(shot, ref, 0), "the last frame is on the screen").toBeDefined();
    } finally {
      await out?.close();
      await connection.close();
    }
    expect(ctx.gpu.validationMessages).toEqual([]);
  });

  for (const [name, t] of [["mesh", 1], ["triangle", 3]] as [SceneName, 1 | 3][]) {
    it(`${name}, buffers turned ${t * 90} (the preference handed to the window): grim's shot holds the headless render as seen`, async () => {
      const { connection, lines } = tracedConnection(ctx.bed.path);
      const backend = await WaylandShmBackend.open(ctx.gpu.createDevice(), { size: [320, 240], connection, title: "pre-rotate", appId: APP, preRotate: true });
      const out = new FrameLoop(backend, true);
      try {
        await runScene(out, name, 3);
        // what Sway or labwc on DRM with a GPU renderer would send for this output
        backend.window.scale.preferBufferTransform(t);
        await runScene(out, name, 30);
        expect(await out.shown(29, 3000), "wp_presentation reports frame 29").toBe(true);
        expect(lines.some((l) => l.startsWith("->") && l.includes(`set_buffer_transform(${t})`))).toBe(true);
        expect(out.size).toEqual([240, 320]);
        const shot = await ctx.bed.screenshot();
        const ref = await headlessFrame(ctx.gpu, name, [320, 240], 29);
        expect(litPixels(ref)).toBeGreaterThan(1000);
        // the textured mesh, sampled at turned pixel centres, settles a few more texels the other way
        // than flat edges do (26 of 76,800 seen, none off by more than 10); a wrong turn misses everywhere
        const allowed = name === "mesh" ? Math.ceil((ref.width * ref.height) / 2000) : EDGE_PIXELS(ref);
        const at = locate(shot, ref, allowed);
        expect(at, "the last frame, turned back by labwc, is on the screen").toBeDefined();
        expect(compareRegion(shot, ref, at![0], at![1]).maxDiff).toBeLessThanOrEqual(16);
      } finally {
        await out.close();
        await connection.close();
      }
      expect(ctx.gpu.validationMessages).toEqual([]);
    });
  }
});
