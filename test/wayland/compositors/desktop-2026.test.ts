// The 2026 desktop: Debian forky's compositors (Weston 16, Sway 1.12, KWin 6.7, Mutter 50, labwc 0.20) started
// from the forky root (scripts/forky-root.sh, test/helpers/forky-bed.ts), our client on the host.
// For each: the globals it offers (what DESIGN.md says each offers must be there), our window
// through wl_shm with validation on (triangle and textured mesh, no protocol error), a resize, the
// maximized/fullscreen states where the compositor honours them, a close from the compositor where
// one can be triggered, and screenshots equal to the headless render where there is a screenshot
// tool. Every compositor that cannot start here skips with the reason. The matrix is printed at the
// end and written to test-results/desktop-2026.md.
import { mkdirSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { FrameLoop, Instance, writePng } from "../../../src/index.js";
import { openWaylandPresenter } from "../../../src/present/wayland-open.js";
import { WaylandShmBackend } from "../../../src/present/wayland-shm.js";
import { type SwayNode, swayWindows } from "../../../scripts/testbed/sway.js";
import { type ForkyBed, type ForkyCompositor, forkyBlock, forkyCompositorSkipReason, type GlobalEntry, listGlobals } from "../../helpers/forky-bed.js";
import { differingPixels, headlessFrame, litPixels, runScene, type SceneName } from "./scenes.js";

const APP = "dev.scanout.forky";

/** What the matrix records, per bed: a column's cell ("yes", "no: why", a version...). */
const matrix = new Map<string, Map<string, string>>();
const COLUMNS = ["shm", "fifo", "commit-timing", "drm-syncobj", "color", "xdg_wm_base", "triangle", "mesh", "resize", "states", "close", "screenshot"] as const;
type Column = (typeof COLUMNS)[number];
function note(bed: string, column: Column, value: string): void {
  if (!matrix.has(bed)) matrix.set(bed, new Map());
  matrix.get(bed)!.set(column, value);
}
const globalTables = new Map<string, GlobalEntry[]>();

afterAll(() => {
  if (matrix.size === 0) return;
  const rows = [...matrix].map(([bed, cells]) => `| ${bed} | ${COLUMNS.map((c) => cells.get(c) ?? "-").join(" | ")} |`);
  const table = [`| compositor | ${COLUMNS.join(" | ")} |`, `|${"---|".repeat(COLUMNS.length + 1)}`, ...rows].join("\n");
  const globals = [...globalTables].map(([bed, gs]) => `### ${bed}\n${gs.map((g) => `${g.interface} v${g.version}`).sort().join(", ")}`).join("\n\n");
  mkdirSync("test-results", { recursive: true });
  writeFileSync("test-results/desktop-2026.md", `${table}\n\n${globals}\n`);
  console.log(`The 2026 desktop (forky):\n${table}`);
});

/** `version` of `iface` among `globals`, or 0. */
function versionOf(globals: GlobalEntry[], iface: string): number {
  return globals.find((g) => g.interface === iface)?.version ?? 0;
}

/** Records the globals' columns and checks what DESIGN.md says this compositor offers. */
async function checkGlobals(bedName: string, path: string, expected: Record<string, number>): Promise<GlobalEntry[]> {
  const globals = await listGlobals(path);
  globalTables.set(bedName, globals);
  const cell = (iface: string) => (versionOf(globals, iface) ? `v${versionOf(globals, iface)}` : "no");
  note(bedName, "shm", cell("wl_shm"));
  note(bedName, "fifo", cell("wp_fifo_manager_v1"));
  note(bedName, "commit-timing", cell("wp_commit_timing_manager_v1"));
  note(bedName, "drm-syncobj", cell("wp_linux_drm_syncobj_manager_v1"));
  note(bedName, "color", cell("wp_color_manager_v1"));
  note(bedName, "xdg_wm_base", cell("xdg_wm_base"));
  console.log(`${bedName} offers: ${globals.map((g) => `${g.interface} v${g.version}`).join(", ")}`);
  const offered = Object.fromEntries(Object.keys(expected).map((k) => [k, versionOf(globals, k)]));
  for (const [iface, min] of Object.entries(expected)) expect(offered[iface], `${bedName}: ${iface}`).toBeGreaterThanOrEqual(min);
  return globals;
}

/** Runs a scene through wl_shm on the bed; the loop must run to its limit and the compositor live on. */
async function presentScene(gpu: Instance, bed: ForkyBed, name: SceneName, frames: number, size: [number, number] = [320, 240]) {
  const out = await openWaylandPresenter(gpu.createDevice(), { size, socket: bed.path, title: `forky ${name}`, appId: APP, mode: "shm" }, true);
  try {
    expect(out.backend).toBe("wayland-shm");
    await runScene(out, name, frames);
    expect(out.endReason).toBeUndefined();
    expect(out.stats.frames).toBe(frames);
    return { size: out.size };
  } finally {
    await out.close();
    expect(bed.alive(), `${bed.kind} died:\n${bed.log().slice(-2000)}`).toBe(true);
  }
}

function title(name: string, kind: ForkyCompositor): string {
  const why = forkyCompositorSkipReason(kind);
  return `${name} (forky, chroot)${why ? ` (skipped: ${why})` : ""}`;
}

/** Our window's rect in Sway's tree. */
async function swayRect(bed: ForkyBed) {
  const tree = JSON.parse(await bed.swaymsg("", "get_tree")) as SwayNode;
  const w = swayWindows(tree).find((n) => n.app_id === APP);
  if (!w) throw new Error("our window is not in Sway's tree");
  return w.rect;
}

/** Fullscreen at frame 5, back at 20, maximized at 35, back at 50: the states the compositor sent, and the size while fullscreen. */
async function cycleStates(gpu: Instance, bed: ForkyBed) {
  const backend = await WaylandShmBackend.open(gpu.createDevice(), { size: [320, 240], socket: bed.path, title: "forky states", appId: APP });
  const out = new FrameLoop(backend, true);
  const win = backend.window;
  const seen: string[] = [];
  let fullscreenSize: readonly [number, number] | undefined;
  win.statesChanged.add((st) => void seen.push([...st].filter((s) => s === "fullscreen" || s === "maximized").sort().join("+") || "none"));
  try {
    await runScene(out, "triangle", 65, (i) => {
      if (i === 5) win.setFullscreen(true);
      if (i === 19 && win.states.has("fullscreen")) fullscreenSize = out.size;
      if (i === 20) win.setFullscreen(false);
      if (i === 35) win.setMaximized(true);
      if (i === 50) win.setMaximized(false);
    });
    expect(out.endReason).toBeUndefined();
  } finally {
    await out.close();
  }
  const compact = seen.filter((s, k) => s !== seen[k - 1]);
  return { seen: compact, fullscreen: compact.includes("fullscreen"), maximized: compact.includes("maximized"), fullscreenSize, wmBase: win.wmBase.version };
}

// ---------------------------------------------------------------------------------------------
// Weston 16: pixman kiosk, pixman desktop, GL with colour management

describe.skipIf(forkyCompositorSkipReason("weston"))(title("Weston 16 headless, pixman, kiosk shell", "weston"), () => {
  const BED = "Weston 16 pixman kiosk";
  const ctx = forkyBlock("weston", { shell: "kiosk", width: 640, height: 480 });

  // (wp_color_representation_manager_v1 comes with the GL renderer only: see the GL block)
  it("offers wl_shm, fifo, commit-timing, presentation v2, explicit sync v2, xdg_wm_base v5", async () => {
    await checkGlobals(BED, ctx.bed.path, {
      wl_shm: 1,
      wl_compositor: 5,
      xdg_wm_base: 5,
      wp_fifo_manager_v1: 1,
      wp_commit_timing_manager_v1: 1,
      wp_presentation: 2,
      zwp_linux_explicit_synchronization_v1: 2,
      weston_capture_v1: 1,
    });
  });

  for (const name of ["triangle", "mesh"] as SceneName[]) {
    it(`shows the ${name} (30 frames, shm) as the headless render of the same frame`, async () => {
      const bed = await ctx.fresh(); // a Weston per window (see westonFresh in scripts/testbed/weston.ts)
      const { size } = await presentScene(ctx.gpu, bed, name, 30, [400, 300]);
      expect(size).toEqual([640, 480]); // kiosk: the output's size
      note(BED, name, "yes");
      note(BED, "states", "fullscreen (kiosk)");
      note(BED, "resize", "no: kiosk fixes the size");
      note(BED, "close", "no: nothing to trigger it");
      expect(ctx.gpu.validationMessages).toEqual([]);
    });
  }

  it("screenshot (weston-screenshooter) equals the headless render", async () => {
    const bed = await ctx.fresh();
    const out = await openWaylandPresenter(ctx.gpu.createDevice(), { size: [640, 480], socket: bed.path, title: "forky shot", appId: APP, mode: "shm" }, true);
    try {
      await runScene(out, "mesh", 6);
      const ref = await headlessFrame(ctx.gpu, "mesh", [640, 480], 5);
      // the last commit reaches the screen with Weston's next repaint: a shot taken before it holds frame 4
      expect(await out.shown(5, 3000), "wp_presentation reports frame 5").toBe(true);
      const shot = await bed.screenshot();
      expect([shot.width, shot.height]).toEqual([640, 480]);
      expect(litPixels(ref)).toBeGreaterThan(1000);
      expect(differingPixels(shot, ref)).toBe(0);
      note(BED, "screenshot", "equal");
    } finally {
      await out.close();
    }
    expect(ctx.gpu.validationMessages).toEqual([]);
  });
});

describe.skipIf(forkyCompositorSkipReason("weston"))(title("Weston 16 headless, pixman, desktop shell", "weston"), () => {
  const BED = "Weston 16 pixman desktop";
  const ctx = forkyBlock("weston", { shell: "desktop", width: 640, height: 480 });

  it("offers the same globals as kiosk", async () => {
    await checkGlobals(BED, ctx.bed.path, { wl_shm: 1, xdg_wm_base: 5, wp_fifo_manager_v1: 1, wp_commit_timing_manager_v1: 1 });
  });

  it("takes our size and follows presenter.resize (the screenshot shows the new size)", async () => {
    const bed = await ctx.fresh();
    const backend = await WaylandShmBackend.open(ctx.gpu.createDevice(), { size: [320, 240], socket: bed.path, title: "forky resize", appId: APP });
    const out = new FrameLoop(backend, true);
    try {
      expect(out.size).toEqual([320, 240]); // configure 0x0: ours
      // the screenshot once the last frame is on screen (wp_presentation), not the one before it
      await runScene(out, "triangle", 40, (i) => {
        if (i === 5) out.resize(400, 300);
      });
      expect(await out.shown(39, 3000), "wp_presentation reports frame 39").toBe(true);
      expect(out.size).toEqual([400, 300]);
      expect(out.endReason).toBeUndefined();
      // the window's region: the screenshot must hold the last frame somewhere (the shell places it)
      const shot = await bed.screenshot();
      const ref = await headlessFrame(ctx.gpu, "triangle", [400, 300], 39);
      const at = locate(shot, ref);
      if (!at) keepShot("weston16-desktop-resize", shot);
      expect(at, "the last 400x300 frame is on the screen (screenshot kept in test-results/)").toBeDefined();
      note(BED, "resize", "yes (client, screenshot)");
      note(BED, "screenshot", "equal");
      note(BED, "triangle", "yes");
      note(BED, "close", "no: nothing to trigger it");
    } finally {
      await out.close();
    }
    expect(ctx.gpu.validationMessages).toEqual([]);
  });

  it("maximizes and goes fullscreen on request", async () => {
    const bed = await ctx.fresh();
    const r = await cycleStates(ctx.gpu, bed);
    console.log(`${BED}: states ${r.seen.join(" -> ")}; fullscreen size ${r.fullscreenSize}; xdg_wm_base v${r.wmBase}`);
    expect(r.fullscreen).toBe(true);
    expect(r.maximized).toBe(true);
    expect(r.fullscreenSize).toEqual([640, 480]);
    note(BED, "states", "fullscreen, maximized");
    expect(ctx.gpu.validationMessages).toEqual([]);
  });
});

describe.skipIf(forkyCompositorSkipReason("weston"))(title("Weston 16 headless, GL renderer, colour management", "weston"), () => {
  const BED = "Weston 16 GL (color-management)";
  const ctx = forkyBlock("weston", { shell: "kiosk", renderer: "gl", colorManagement: true, width: 640, height: 480 });

  it("offers wp_color_manager_v1, colour representation and dmabuf v3 besides wl_shm", async () => {
    await checkGlobals(BED, ctx.bed.path, { wl_shm: 1, wp_color_manager_v1: 1, wp_color_representation_manager_v1: 1, zwp_linux_dmabuf_v1: 3, wp_fifo_manager_v1: 1, wp_commit_timing_manager_v1: 1 });
  });

  it("shows the mesh through shm as the headless render", async () => {
    const out = await openWaylandPresenter(ctx.gpu.createDevice(), { size: [640, 480], socket: ctx.bed.path, title: "forky gl", appId: APP, mode: "shm" }, true);
    try {
      await runScene(out, "mesh", 30);
      expect(out.endReason).toBeUndefined();
      // the screenshot once the last frame is on screen (it caught frame 28 in CI)
      expect(await out.shown(29, 3000), "wp_presentation reports frame 29").toBe(true);
      const shot = await ctx.bed.screenshot();
      const ref = await headlessFrame(ctx.gpu, "mesh", [640, 480], 29);
      expect(differingPixels(shot, ref)).toBe(0);
      note(BED, "mesh", "yes");
      note(BED, "screenshot", "equal");
    } finally {
      await out.close();
    }
    expect(ctx.gpu.validationMessages).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Sway 1.12

describe.skipIf(forkyCompositorSkipReason("sway"))(title("Sway 1.12 headless, pixman", "sway"), () => {
  const BED = "Sway 1.12";
  const ctx = forkyBlock("sway", { width: 640, height: 480 });

  it("offers wl_shm, xdg_wm_base v5, xdg-decoration", async () => {
    await checkGlobals(BED, ctx.bed.path, { wl_shm: 1, xdg_wm_base: 5, zxdg_decoration_manager_v1: 1 });
  });

  for (const name of ["triangle", "mesh"] as SceneName[]) {
    it(`shows the ${name} (30 frames, shm); grim's screenshot equals the headless render`, async () => {
      const out = await openWaylandPresenter(ctx.gpu.createDevice(), { size: [320, 240], socket: ctx.bed.path, title: name, appId: APP, mode: "shm" }, true);
      try {
        await runScene(out, name, 30);
        expect(out.endReason).toBeUndefined();
        const rect = await swayRect(ctx.bed);
        expect([rect.width, rect.height]).toEqual([320, 240]);
        const shot = await ctx.bed.screenshot();
        const ref = await headlessFrame(ctx.gpu, name, [320, 240], 29);
        expect(differingPixels(shot, ref, rect.x, rect.y)).toBe(0);
        note(BED, name, "yes");
        note(BED, "screenshot", "equal (grim)");
      } finally {
        await out.close();
      }
      expect(ctx.bed.alive()).toBe(true);
      expect(ctx.gpu.validationMessages).toEqual([]);
    });
  }

  it("follows `swaymsg resize set`; `swaymsg kill` closes the window and ends the loop", async () => {
    const out = await openWaylandPresenter(ctx.gpu.createDevice(), { size: [320, 240], socket: ctx.bed.path, title: "resize", appId: APP, mode: "shm" }, true);
    try {
      await runScene(out, "triangle", 30, async (i) => {
        if (i === 5) await ctx.bed.swaymsg(`[app_id="${APP}"] resize set 400 300`);
      });
      expect(out.size).toEqual([400, 300]);
      const rect = await swayRect(ctx.bed);
      expect([rect.width, rect.height]).toEqual([400, 300]);
      const shot = await ctx.bed.screenshot();
      const ref = await headlessFrame(ctx.gpu, "triangle", [400, 300], 29);
      expect(differingPixels(shot, ref, rect.x, rect.y)).toBe(0);
      note(BED, "resize", "yes (swaymsg, screenshot)");
      await ctx.bed.closeWindow(APP);
      await runScene(out, "triangle", 300);
      expect(out.endReason).toMatch(/closed/);
      expect(out.stats.frames).toBeLessThan(300);
      note(BED, "close", "yes (swaymsg kill)");
    } finally {
      await out.close();
    }
    expect(ctx.gpu.validationMessages).toEqual([]);
  });

  it("goes fullscreen on request (a floating window does not maximize)", async () => {
    const r = await cycleStates(ctx.gpu, ctx.bed);
    console.log(`${BED}: states ${r.seen.join(" -> ")}; fullscreen size ${r.fullscreenSize}; xdg_wm_base v${r.wmBase}`);
    expect(r.fullscreen).toBe(true);
    expect(r.fullscreenSize).toEqual([640, 480]);
    note(BED, "states", `fullscreen${r.maximized ? ", maximized" : "; maximize ignored (floating)"}`);
    expect(ctx.gpu.validationMessages).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// KWin 6.7, Mutter 50 and labwc 0.20. Screenshots: KWin's ScreenShot2 (over busctl, which passes the fd)
// answers "Screenshot got cancelled" on its virtual backend here; Mutter has no screenshot API of
// its own (that is gnome-shell's); labwc has grim. A close: KWin through a KWin script; Mutter and
// labwc have no way to ask for it here.

const others: { kind: ForkyCompositor; bed: string; expected: Record<string, number>; output: [number, number] }[] = [
  { kind: "kwin", bed: "KWin 6.7", expected: { wl_shm: 1, xdg_wm_base: 6, wp_fifo_manager_v1: 1, wp_color_manager_v1: 1, wp_tearing_control_manager_v1: 1 }, output: [640, 480] },
  { kind: "mutter", bed: "Mutter 50", expected: { wl_shm: 1, xdg_wm_base: 7, wp_fifo_manager_v1: 1, wp_commit_timing_manager_v1: 1, wp_color_manager_v1: 1 }, output: [640, 480] },
  // labwc (wlroots 0.19): its headless output keeps wlroots' 1280x720; grim takes the screenshot
  { kind: "labwc", bed: "labwc 0.20", expected: { wl_shm: 1, xdg_wm_base: 6, wp_presentation: 2, zwlr_screencopy_manager_v1: 1 }, output: [1280, 720] },
];
for (const { kind, bed: BED, expected, output } of others) {
  describe.skipIf(forkyCompositorSkipReason(kind))(title(`${BED} ${kind === "labwc" ? "headless" : "virtual output"}`, kind), () => {
    const ctx = forkyBlock(kind, { width: 640, height: 480 });

    it(`offers ${Object.keys(expected).join(", ")} at the versions DESIGN.md records`, async () => {
      await checkGlobals(BED, ctx.bed.path, expected);
      if (kind !== "labwc") note(BED, "screenshot", kind === "kwin" ? "no: ScreenShot2 cancels on the virtual backend" : "no: no screenshot API without gnome-shell");
      if (kind !== "kwin") note(BED, "close", kind === "mutter" ? "no: nothing here can ask for it" : "no: no IPC to ask for it");
    });

    for (const name of ["triangle", "mesh"] as SceneName[]) {
      it(`presents the ${name} 30 frames through shm, no protocol error`, async () => {
        await presentScene(ctx.gpu, ctx.bed, name, 30);
        note(BED, name, "yes");
        expect(ctx.gpu.validationMessages).toEqual([]);
      });
    }

    it("follows presenter.resize", async () => {
      const backend = await WaylandShmBackend.open(ctx.gpu.createDevice(), { size: [320, 240], socket: ctx.bed.path, title: "forky resize", appId: APP });
      const out = new FrameLoop(backend, true);
      try {
        await runScene(out, "triangle", 30, (i) => {
          if (i === 5) out.resize(400, 300);
        });
        expect(out.size).toEqual([400, 300]);
        expect(out.endReason).toBeUndefined();
        // KWin's own view of our window: the content plus our title bar when we draw it (no server-side decorations here)
        if (kind === "kwin") expect(await ctx.bed.kwinWindowSize(APP)).toEqual([400, 300 + backend.window.decorations.top]);
        note(BED, "resize", kind === "kwin" ? "yes (client; KWin's window size)" : "yes (client)");
      } finally {
        await out.close();
      }
      expect(ctx.bed.alive()).toBe(true);
      expect(ctx.gpu.validationMessages).toEqual([]);
    });

    if (kind === "kwin")
      it("a KWin script's closeWindow() closes ours and ends the loop", async () => {
        const out = await openWaylandPresenter(ctx.gpu.createDevice(), { size: [320, 240], socket: ctx.bed.path, title: "forky close", appId: APP, mode: "shm" }, true);
        try {
          await runScene(out, "triangle", 10);
          await ctx.bed.closeWindow(APP);
          await runScene(out, "triangle", 300);
          expect(out.endReason).toMatch(/closed/);
          expect(out.stats.frames).toBeLessThan(300);
          note(BED, "close", "yes (KWin script)");
        } finally {
          await out.close();
        }
        expect(ctx.gpu.validationMessages).toEqual([]);
      });

    it("maximizes and goes fullscreen on request", async () => {
      const r = await cycleStates(ctx.gpu, ctx.bed);
      console.log(`${BED}: states ${r.seen.join(" -> ")}; fullscreen size ${r.fullscreenSize}; xdg_wm_base v${r.wmBase}`);
      note(BED, "states", [r.fullscreen && "fullscreen", r.maximized && "maximized"].filter(Boolean).join(", ") || "none");
      expect(r.fullscreen).toBe(true);
      expect(r.maximized).toBe(true);
      expect(r.fullscreenSize).toEqual(output);
      expect(ctx.gpu.validationMessages).toEqual([]);
    });

    if (kind === "labwc")
      it("grim's screenshot holds the headless render of the last frame", async () => {
        const out = await openWaylandPresenter(ctx.gpu.createDevice(), { size: [320, 240], socket: ctx.bed.path, title: "forky shot", appId: APP, mode: "shm" }, true);
        try {
          await runScene(out, "mesh", 30);
          expect(out.size).toEqual([320, 240]);
          const shot = await ctx.bed.screenshot();
          expect([shot.width, shot.height]).toEqual(output);
          const ref = await headlessFrame(ctx.gpu, "mesh", [320, 240], 29);
          expect(locate(shot, ref), "the last frame is on the screen").toBeDefined();
          note(BED, "screenshot", "equal (grim)");
        } finally {
          await out.close();
        }
        expect(ctx.gpu.validationMessages).toEqual([]);
      });
  });
}

/** Where `ref` appears in `shot` (exactly, within 2 per channel), or undefined. */
function locate(shot: { width: number; height: number; data: Uint8Array }, ref: { width: number; height: number; data: Uint8Array }): [number, number] | undefined {
  const c = [ref.width >> 1, ref.height >> 1] as const;
  const ci = (c[1] * ref.width + c[0]) * 4;
  for (let y = 0; y + ref.height <= shot.height; y++)
    for (let x = 0; x + ref.width <= shot.width; x++) {
      const j = ((y + c[1]) * shot.width + x + c[0]) * 4;
      if (Math.abs(shot.data[j]! - ref.data[ci]!) > 2 || Math.abs(shot.data[j + 1]! - ref.data[ci + 1]!) > 2 || Math.abs(shot.data[j + 2]! - ref.data[ci + 2]!) > 2) continue;
      if (differingPixels(shot, ref, x, y) === 0) return [x, y];
    }
  return undefined;
}

/** Keeps a screenshot that failed a check, for whoever reads the failure. */
function keepShot(name: string, shot: { width: number; height: number; data: Uint8Array }): void {
  mkdirSync("test-results", { recursive: true });
  writePng(`test-results/${name}.png`, { width: shot.width, height: shot.height, data: shot.data });
}
