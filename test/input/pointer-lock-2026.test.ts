// Pointer lock, confinement and relative motion on Sway 1.12 (forky root), driven by the
// compositor's virtual pointer (zwlr_virtual_pointer_v1, a client of the test's own on our wire
// code) with a virtual keyboard for focus. Asserted: the protocol messages we send (lock_pointer,
// the cursor hidden while locked), the events the app reads (pointer-locked / -unlocked /
// -confined, relative-motion with the injected deltas, no absolute motion while locked), and the
// pointer kept inside the window while confined.
import { describe, expect, it } from "vitest";
import type { InputEvent, RelativeMotionEvent } from "../../src/input/index.js";
import { openWaylandPresenter } from "../../src/present/wayland-open.js";
import { swayWindows, type SwayNode } from "../../scripts/testbed/sway.js";
import { forkyBlock, forkyCompositorSkipReason } from "../helpers/forky-bed.js";
import { App } from "./wayland-app.js";
import { Injector } from "./wayland-inject.js";

const APP = "dev.scanout.pointerlock";
const skip = forkyCompositorSkipReason("sway");

describe.skipIf(skip)(`pointer lock on Sway 1.12${skip ? ` (skipped: ${skip})` : ""}`, () => {
  const ctx = forkyBlock("sway");

  it("locks (cursor hidden, relative motion only), releases, confines inside the window", async () => {
    const out = await openWaylandPresenter(ctx.gpu.createDevice(), { size: [320, 240], socket: ctx.bed.path, title: "lock", appId: APP, mode: "shm" }, true);
    const app = new App(out);
    const trace: string[] = [];
    out.window!.wayland.connection.trace = (l) => trace.push(l);
    const inj = await Injector.connect(ctx.bed.path);
    const since = (n: number, type: InputEvent["type"]) => app.events.slice(n).filter((e) => e.type === type);
    try {
      await app.until("a few frames", () => app.frames > 3, 15_000);
      let rect: SwayNode["rect"] | undefined;
      for (let i = 0; i < 100 && !rect; i++) {
        rect = swayWindows(JSON.parse(await ctx.bed.swaymsg("", "get_tree")) as SwayNode).find((n) => n.app_id === APP)?.rect;
        if (!rect) await new Promise((r) => setTimeout(r, 50));
      }
      expect(rect).toBeDefined();
      await inj.createKeyboard("us");
      await app.until("keyboard focus", () => app.events.some((e) => e.type === "keyboard-enter"), 10_000);
      await inj.createPointer();
      await inj.moveTo(rect!.x + 100, rect!.y + 80, 640, 480);
      await app.until("the pointer over the window", () => app.events.some((e) => e.type === "pointer-enter"), 10_000);
      const ptr = out.window!.pointer;
      expect(ptr.available).toEqual({ constraints: true, relativeMotion: true });

      // lock
      ptr.lock();
      await app.until("pointer-locked", () => app.events.some((e) => e.type === "pointer-locked"), 10_000);
      expect(trace.some((l) => /zwp_pointer_constraints_v1#\d+\.lock_pointer\(new id zwp_locked_pointer_v1#\d+, wl_surface#\d+, wl_pointer#\d+, nil, 2\)/.test(l))).toBe(true);
      expect(trace.some((l) => /wl_pointer#\d+\.set_cursor\(\d+, nil, 0, 0\)/.test(l))).toBe(true); // hidden while locked
      const n = app.events.length;
      for (let i = 0; i < 4; i++) await inj.moveBy(10, -3);
      await app.until("relative motion", () => since(n, "relative-motion").length >= 4, 10_000);
      const rel = since(n, "relative-motion") as RelativeMotionEvent[];
      expect(rel.reduce((a, e) => a + e.dxUnaccelerated, 0)).toBeCloseTo(40, 5);
      expect(rel.reduce((a, e) => a + e.dyUnaccelerated, 0)).toBeCloseTo(-12, 5);
      expect(since(n, "pointer-motion")).toEqual([]); // locked: the pointer itself stays put

      // release: absolute motion again
      ptr.release();
      await app.until("pointer-unlocked", () => since(n, "pointer-unlocked").length > 0, 10_000);
      const m = app.events.length;
      await inj.moveBy(5, 5);
      await app.until("motion after the lock", () => since(m, "pointer-motion").length > 0, 10_000);
      expect(since(m, "relative-motion")).toEqual([]); // relative events only while locked (or asked for)

      // confine: a big move ends at the window's edge
      ptr.confine();
      await app.until("pointer-confined", () => app.events.some((e) => e.type === "pointer-confined"), 10_000);
      const c = app.events.length;
      await inj.moveBy(600, 0);
      await app.until("confined motion", () => since(c, "pointer-motion").length > 0, 10_000);
      const last = since(c, "pointer-motion").at(-1) as InputEvent & { x: number };
      expect(last.x).toBeGreaterThan(300);
      expect(last.x).toBeLessThan(320);
      expect(since(c, "pointer-leave")).toEqual([]);
      ptr.release();
      await app.until("pointer-unconfined", () => app.events.some((e) => e.type === "pointer-unconfined"), 10_000);
    } finally {
      app.stop();
      await app.done.catch(() => {});
      await inj.close();
      await out.close();
    }
    expect(ctx.gpu.validationMessages).toEqual([]);
  }, 90_000);
});
