// The 2026 desktop, second part: what the newer protocol versions tell our window on Debian forky's
// compositors (test/helpers/forky-bed.ts), and what a user sees of it.
// - xdg-shell v6 `suspended`, for real: KWin 6.7 minimises our window (a KWin script), Mutter 50 has
//   it covered by a second window of ours, fullscreen (Mutter suspends a window 3 s after it is hidden
//   or fully obscured; it has no scripting to minimise one, and a window that minimised itself could
//   not be brought back here). While suspended the states say so, the loop keeps a heartbeat (frames
//   still come, stats.pacing.hidden, nothing committed after the configure's ack), and once shown
//   again it runs at full rate within a second, with no stall at any point.
// - xdg-shell v7 on Mutter 50: we bind v7, and a maximized window (Mutter adds the constrained_*
//   states) renders exactly the size Mutter configured, read off the wire.
// - wl_compositor v6 preferred_buffer_transform on Mutter 50: its monitor turned 90° through
//   org.gnome.Mutter.DisplayConfig turns window.preferredTransform to 90 (transformChanged fires) and
//   back. Not applied (pre-rotated rendering needs the scenes' cooperation): only the event path.
// What the others lack here: Sway 1.12 offers xdg_wm_base v5 (no suspended); labwc 0.20 offers v6
// but never sets suspended; wlroots (Sway, labwc) sends preferred_buffer_transform only along with a
// surface's dmabuf feedback, and other than normal only for a direct-scanout candidate, so `swaymsg
// output HEADLESS-1 transform 90` on the pixman headless bed sends nothing; KWin's virtual output can
// be turned only through kde_output_management_v2, which we do not speak.
import { describe, expect, it } from "vitest";
import { FrameLoop, Instance } from "../../../src/index.js";
import { Triangle } from "../../../src/scenes/index.js";
import { WaylandShmBackend } from "../../../src/present/wayland-shm.js";
import { addLogSink } from "../../../src/util/log.js";
import type { ToplevelState } from "../../../src/wayland/toplevel-state.js";
import { WlOutputTransform } from "../../../src/wayland/protocol/wayland.js";
import { type ForkyBed, type ForkyCompositor, forkyBlock, forkyCompositorSkipReason } from "../../helpers/forky-bed.js";

const APP = "dev.scanout.suspend";
const COVER = "dev.scanout.cover";
/** Heartbeat while hidden: 4 Hz, so that a few seconds hidden give enough frames to tell the rate. */
const HEARTBEAT_HZ = 4;
const HEARTBEAT_MS = 1000 / HEARTBEAT_HZ;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 20 ms until it holds or `ms` pass; returns when it held (performance.now()) or undefined. */
async function until(check: () => boolean, ms: number): Promise<number | undefined> {
  const deadline = performance.now() + ms;
  for (;;) {
    if (check()) return performance.now();
    if (performance.now() > deadline) return undefined;
    await sleep(20);
  }
}

/** A window of ours with its frame loop running in the background: when each frame was handed out, each change of its states, its wire. */
interface Running {
  readonly backend: WaylandShmBackend;
  readonly out: FrameLoop;
  /** When each frame was handed out (performance.now() ms). */
  readonly times: number[];
  /** Each states change: when, the states, and its index in `wire`. */
  readonly changes: { at: number; states: ReadonlySet<ToplevelState>; wireAt: number }[];
  /** Every message on the window's connection (the debug trace's lines), with a "# states ..." line at each states change. */
  readonly wire: string[];
  /** Frames handed out in [from, to). */
  between(from: number, to: number): number;
  /** Closes the loop and the window. */
  stop(): Promise<void>;
}

async function runWindow(gpu: Instance, bed: ForkyBed, appId: string, setUp?: (backend: WaylandShmBackend) => void): Promise<Running> {
  const backend = await WaylandShmBackend.open(gpu.createDevice(), { size: [320, 240], socket: bed.path, title: appId, appId, heartbeatHz: HEARTBEAT_HZ });
  const out = new FrameLoop(backend, true);
  const times: number[] = [];
  const wire: string[] = [];
  const changes: Running["changes"] = [];
  backend.window.connection.trace = (line) => void wire.push(line);
  backend.window.statesChanged.add((states) => {
    changes.push({ at: performance.now(), states, wireAt: wire.length });
    wire.push(`# states ${[...states].sort().join("+") || "none"}`);
  });
  setUp?.(backend);
  const scene = Triangle.create(out);
  const done = (async () => {
    try {
      for await (const frame of out.frames()) {
        times.push(performance.now());
        scene.update(frame);
        frame.record((cmd) => scene.draw(cmd, frame));
      }
    } finally {
      scene.destroy(); // before close() destroys the device: it waits for the loop to end
    }
  })();
  let stopped: Promise<void> | undefined;
  return {
    backend,
    out,
    times,
    changes,
    wire,
    between: (from, to) => times.filter((t) => t >= from && t < to).length,
    stop: () =>
      (stopped ??= (async () => {
        await out.close();
        await done;
        backend.window.connection.trace = undefined;
      })()),
  };
}

/**
 * Our surface's commits in wire[from, to) (from: right after the states change that suspended it):
 * those that carry a configure's ack (the first one carries the ack sent just before the change),
 * and those that do not.
 */
function commitsIn(run: Running, from: number, to: number): { acking: number; other: number; configures: number } {
  const win = run.backend.window;
  const commit = `-> ${win.surface}.commit(`;
  const ack = `-> ${win.xdgSurface}.ack_configure(`;
  const configure = `<- ${win.toplevel}.configure(`;
  let acked = true;
  const n = { acking: 0, other: 0, configures: 0 };
  for (const line of run.wire.slice(from, to)) {
    if (line.startsWith(ack)) acked = true;
    else if (line.startsWith(configure)) n.configures++;
    else if (line.startsWith(commit)) {
      if (acked) n.acking++;
      else n.other++;
      acked = false;
    }
  }
  return n;
}

/** The longest time between two frames handed out in [from, to] (the ends count as frames: a loop that stopped shows). */
function longestGap(times: readonly number[], from: number, to: number): number {
  const ts = [from, ...times.filter((t) => t > from && t < to), to];
  let gap = 0;
  for (let i = 1; i < ts.length; i++) gap = Math.max(gap, ts[i]! - ts[i - 1]!);
  return gap;
}

/** What one hide/show cycle showed. */
interface Cycle {
  visibleFps: number;
  /** From the start of the hide to the suspended configure being applied, ms. */
  suspendAfterMs: number;
  /** Frames handed out while suspended (after its first heartbeat interval), and over how long (ms). */
  hiddenFrames: number;
  hiddenMs: number;
  /** Our surface's commits while suspended: those acking a configure, the others; the configures received. */
  commits: { acking: number; other: number; configures: number };
  heartbeats: number;
  hiddenFlag: boolean;
  /** From the show to the suspended state's end, and to the 10th frame handed out after the show, ms. */
  unsuspendMs: number;
  resumeMs: number;
  resumedFps: number;
  hiddenAfter: boolean;
  longestGapMs: number;
  /** The states the window went through, from its first configure on. */
  states: string;
}

/**
 * Visible for a second, hide(), wait (up to `suspendWithinMs`) for the suspended state, stay
 * suspended for `holdMs`, show(), and measure the way back. Throws (with the states it saw) when no
 * suspended state came.
 */
async function hideAndShow(run: Running, hide: () => Promise<void>, show: () => Promise<void>, suspendWithinMs: number, holdMs: number): Promise<Cycle> {
  const win = run.backend.window;
  const start = performance.now();
  await sleep(1000);
  const hideStart = performance.now();
  const visibleFps = run.between(hideStart - 800, hideStart) / 0.8;
  const heartbeatsBefore = run.out.stats.pacing!.heartbeats;
  await hide();
  const suspendedAt = await until(() => win.suspended, suspendWithinMs);
  const seen = () => run.changes.map((c) => [...c.states].sort().join("+") || "none").join(" -> ");
  if (suspendedAt === undefined) throw new Error(`no suspended state within ${suspendWithinMs} ms of hiding; states seen: ${seen()}`);
  const onset = run.changes.find((c) => c.at >= hideStart && c.states.has("suspended"))!;
  await sleep(holdMs);
  const hiddenEnd = performance.now();
  const whileHidden = run.out.stats.pacing!;
  const hiddenFrames = run.between(onset.at + HEARTBEAT_MS, hiddenEnd);
  const hiddenMs = hiddenEnd - onset.at - HEARTBEAT_MS;
  const showStart = performance.now();
  await show();
  const unsuspended = await until(() => !win.suspended, 2000);
  const end = run.changes.find((c) => c.at >= onset.at && !c.states.has("suspended"));
  if (unsuspended === undefined || !end) throw new Error(`still suspended 2 s after being shown again; states seen: ${seen()}`);
  const tenth = await until(() => run.between(showStart, Infinity) >= 10, 3000);
  await sleep(800);
  const tail = performance.now();
  return {
    visibleFps,
    suspendAfterMs: onset.at - hideStart,
    hiddenFrames,
    hiddenMs,
    commits: commitsIn(run, onset.wireAt + 1, end.wireAt),
    heartbeats: whileHidden.heartbeats - heartbeatsBefore,
    hiddenFlag: whileHidden.hidden,
    unsuspendMs: end.at - showStart,
    resumeMs: tenth === undefined ? Number.POSITIVE_INFINITY : tenth - showStart,
    resumedFps: tenth === undefined ? 0 : run.between(tenth, tail) / ((tail - tenth) / 1000),
    hiddenAfter: run.out.stats.pacing!.hidden,
    longestGapMs: longestGap(run.times, start, tail),
    states: seen(),
  };
}

function report(bed: string, how: string, c: Cycle): void {
  console.log(
    `[suspended-2026] ${bed} (${how}): visible ${c.visibleFps.toFixed(1)} fps; suspended ${c.suspendAfterMs.toFixed(0)} ms after the hide began; ` +
      `while suspended: ${c.hiddenFrames} frames in ${(c.hiddenMs / 1000).toFixed(2)} s (heartbeat ${HEARTBEAT_HZ} Hz), ${c.commits.configures} configures, ` +
      `commits ${c.commits.acking} acking + ${c.commits.other} other, hidden=${c.hiddenFlag}, heartbeats ${c.heartbeats} since the hide; ` +
      `shown again: unsuspended in ${c.unsuspendMs.toFixed(0)} ms, 10 frames in ${c.resumeMs.toFixed(0)} ms, then ${c.resumedFps.toFixed(1)} fps, hidden=${c.hiddenAfter}; ` +
      `longest gap between frames ${c.longestGapMs.toFixed(0)} ms; states ${c.states}`,
  );
}

/** What a user sees of a suspension: a heartbeat, nothing committed but configure acks, then full rate within a second, no stall. */
function expectCycle(c: Cycle): void {
  expect(c.visibleFps, "visible: full rate").toBeGreaterThan(20);
  expect(c.hiddenFlag, "stats.pacing.hidden while suspended").toBe(true);
  expect(c.commits.other, "commits while suspended that ack no configure").toBe(0);
  expect(c.commits.acking, "the suspending configure's ack is committed").toBeGreaterThanOrEqual(1);
  const expected = (c.hiddenMs / 1000) * HEARTBEAT_HZ;
  expect(c.hiddenFrames, `frames while suspended (~${expected.toFixed(1)} at the heartbeat)`).toBeGreaterThanOrEqual(Math.floor(expected * 0.6));
  expect(c.hiddenFrames).toBeLessThanOrEqual(Math.ceil(expected * 1.5) + 1);
  expect(c.heartbeats).toBeGreaterThanOrEqual(Math.floor(expected * 0.6));
  expect(c.resumeMs, "shown again: 10 frames within a second").toBeLessThan(1000);
  expect(c.resumedFps, "shown again: full rate").toBeGreaterThan(20);
  expect(c.hiddenAfter).toBe(false);
  expect(c.longestGapMs, "no stall: no gap longer than a heartbeat interval (and some slack)").toBeLessThan(HEARTBEAT_MS + 400);
}

function title(name: string, kind: ForkyCompositor): string {
  const why = forkyCompositorSkipReason(kind);
  return `${name} (forky)${why ? ` (skipped: ${why})` : ""}`;
}

/** Mutter: turns its one monitor to `transform` (0 normal, 1 90°...) through DisplayConfig.ApplyMonitorsConfig, temporarily, as GNOME's display settings do. */
async function mutterRotate(bed: ForkyBed, transform: number): Promise<void> {
  const displayConfig = ["org.gnome.Mutter.DisplayConfig", "/org/gnome/Mutter/DisplayConfig", "org.gnome.Mutter.DisplayConfig"];
  const state = JSON.parse((await bed.exec(["busctl", "--user", "--json=short", "call", ...displayConfig, "GetCurrentState"])).toString()) as {
    data: [number, [[string, string, string, string], [string, ...unknown[]][]][]];
  };
  const [serial, [monitor]] = state.data;
  if (!monitor) throw new Error("Mutter's DisplayConfig lists no monitor");
  const connector = monitor[0][0];
  const mode = monitor[1].find((m) => (m[6] as Record<string, { data: unknown }>)["is-current"]?.data === true)?.[0] ?? monitor[1][0]![0];
  // (serial, method 1: temporary, [(x, y, scale, transform, primary, [(connector, mode, {})])], {})
  await bed.exec(["busctl", "--user", "call", ...displayConfig, "ApplyMonitorsConfig", "uua(iiduba(ssa{sv}))a{sv}", `${serial}`, "1", "1", "0", "0", "1", `${transform}`, "true", "1", connector, mode, "0", "0"]);
}

// ---------------------------------------------------------------------------------------------

describe.skipIf(forkyCompositorSkipReason("kwin"))(title("KWin 6.7: a minimised window is suspended", "kwin"), () => {
  const ctx = forkyBlock("kwin", { width: 640, height: 480 });

  it("minimised by a KWin script: suspended, heartbeat, no commits; restored: full rate within a second", async () => {
    const run = await runWindow(ctx.gpu, ctx.bed, APP);
    try {
      expect(run.backend.window.wmBase.version).toBe(6);
      const c = await hideAndShow(
        run,
        () => ctx.bed.kwinSetMinimized(APP, true),
        () => ctx.bed.kwinSetMinimized(APP, false),
        3000,
        2500,
      );
      report("KWin 6.7", "minimised", c);
      expectCycle(c);
      expect(run.out.endReason).toBeUndefined();
    } finally {
      await run.stop();
    }
    expect(ctx.bed.alive()).toBe(true);
    expect(ctx.gpu.validationMessages).toEqual([]);
  }, 20_000);
});

describe.skipIf(forkyCompositorSkipReason("mutter"))(title("Mutter 50: a covered window is suspended; xdg-shell v7; preferred_buffer_transform", "mutter"), () => {
  const ctx = forkyBlock("mutter", { width: 640, height: 480 });

  it("covered by a fullscreen window of ours: suspended after 3 s, heartbeat, no commits; uncovered: full rate within a second", async () => {
    const run = await runWindow(ctx.gpu, ctx.bed, APP);
    let cover: Running | undefined;
    try {
      const c = await hideAndShow(
        run,
        async () => {
          cover = await runWindow(ctx.gpu, ctx.bed, COVER, (b) => b.setFullscreen(true));
          const full = await until(() => cover!.backend.window.states.has("fullscreen"), 2000);
          expect(full, "the cover window went fullscreen").toBeDefined();
        },
        async () => {
          await cover!.stop();
        },
        5000, // Mutter's SUSPEND_HIDDEN_TIMEOUT_S is 3
        2500,
      );
      report("Mutter 50", "covered by a fullscreen window", c);
      expect(c.suspendAfterMs, "Mutter suspends 3 s after the window is hidden").toBeGreaterThan(2500);
      expectCycle(c);
      expect(run.out.endReason).toBeUndefined();
    } finally {
      await cover?.stop();
      await run.stop();
    }
    expect(ctx.bed.alive()).toBe(true);
    expect(ctx.gpu.validationMessages).toEqual([]);
  }, 25_000);

  it("binds xdg_wm_base v7; maximized (with Mutter's constrained_* states) it renders the size Mutter configured", async () => {
    // Mutter offers no xdg-decoration: our title bar (a subsurface with its own wl_shm) is shown, and its events must be heard too
    const warnings: string[] = [];
    const unsink = addLogSink((r) => void (r.level === "warn" && r.source === "wayland" && warnings.push(r.message)));
    const run = await runWindow(ctx.gpu, ctx.bed, APP);
    const wire = run.wire;
    try {
      const win = run.backend.window;
      expect(win.wmBase.version).toBe(7);
      await sleep(300);
      win.setMaximized(true);
      const maximized = await until(() => win.states.has("maximized"), 3000);
      expect(maximized, "maximized").toBeDefined();
      await until(() => run.between(maximized!, Infinity) >= 5, 2000);
      const states = [...win.states].sort();
      // the last toplevel configure Mutter sent, and the buffer last attached to our surface
      const configures = wire.map((l) => /^<- xdg_toplevel#\d+\.configure\((\d+), (\d+), /.exec(l)).filter((m) => m !== null);
      const [cw, ch] = configures.at(-1)!.slice(1).map(Number) as [number, number];
      const sizes = new Map<string, [number, number]>();
      let attached: [number, number] | undefined;
      for (const l of wire) {
        const made = /^-> wl_shm_pool#\d+\.create_buffer\(new id wl_buffer#(\d+), \d+, (\d+), (\d+),/.exec(l);
        if (made) sizes.set(made[1]!, [Number(made[2]), Number(made[3])]);
        const at = new RegExp(`^-> ${win.surface}\\.attach\\(wl_buffer#(\\d+),`).exec(l);
        if (at) attached = sizes.get(at[1]!);
      }
      const top = win.decorations.top;
      console.log(
        `[suspended-2026] Mutter 50: xdg_wm_base v${win.wmBase.version}; maximized states ${states.join(", ")}; configured ${cw}x${ch} ` +
          `(title bar ${top} px, ours); rendering ${run.out.size.join("x")}, last buffer attached ${attached?.join("x")}; bounds ${win.bounds?.join("x")}`,
      );
      expect(states.filter((st) => st.startsWith("constrained_")), "Mutter's v7 constrained_* states").not.toEqual([]);
      expect(cw).toBeGreaterThan(0);
      expect(ch).toBeGreaterThan(0);
      expect(run.out.size).toEqual([cw, ch - top]);
      expect(attached).toEqual([cw, ch - top]);
      expect(win.sizeFixed).toBe(true);
      // restored: our own size again, whatever constrained edges it had
      win.setMaximized(false);
      const restored = await until(() => !win.states.has("maximized"), 3000);
      expect(restored, "restored").toBeDefined();
      await until(() => run.between(restored!, Infinity) >= 3, 2000);
      console.log(`[suspended-2026] Mutter 50: restored: states ${[...win.states].sort().join(", ") || "none"}; rendering ${run.out.size.join("x")}`);
      expect(run.out.size).toEqual([320, 240]);
      expect(win.decorations.mode).toBe("client");
      expect(warnings, "no unhandled events (the title bar's surface and wl_shm)").toEqual([]);
      expect(run.out.endReason).toBeUndefined();
    } finally {
      unsink();
      await run.stop();
    }
    expect(ctx.gpu.validationMessages).toEqual([]);
  });

  it("preferred_buffer_transform: a monitor turned 90° (DisplayConfig) makes preferredTransform 90, transformChanged fires, and back", async () => {
    const run = await runWindow(ctx.gpu, ctx.bed, APP);
    const seen: number[] = [];
    try {
      const win = run.backend.window;
      win.transformChanged.add((t) => void seen.push(t));
      expect(win.compositor.version).toBe(6);
      await sleep(300);
      expect(win.preferredTransform).toBe(WlOutputTransform.normal);
      await mutterRotate(ctx.bed, 1);
      const rotated = await until(() => win.preferredTransform === WlOutputTransform._90, 3000);
      const t = performance.now();
      await sleep(400);
      const framesRotated = run.between(t, Infinity);
      await mutterRotate(ctx.bed, 0);
      const back = await until(() => win.preferredTransform === WlOutputTransform.normal, 3000);
      console.log(`[suspended-2026] Mutter 50: wl_compositor v${win.compositor.version}; preferred transforms seen ${JSON.stringify(seen)}; ${framesRotated} frames in 400 ms while turned`);
      expect(rotated, "preferredTransform 90 once the monitor is turned").toBeDefined();
      expect(back, "preferredTransform normal once it is turned back").toBeDefined();
      expect(seen).toEqual([WlOutputTransform._90, WlOutputTransform.normal]);
      expect(framesRotated, "the loop runs on while turned").toBeGreaterThan(10);
      expect(run.out.endReason).toBeUndefined();
    } finally {
      if (ctx.bed.alive()) await mutterRotate(ctx.bed, 0).catch(() => {});
      await run.stop();
    }
    expect(ctx.bed.alive()).toBe(true);
    expect(ctx.gpu.validationMessages).toEqual([]);
  });
});
