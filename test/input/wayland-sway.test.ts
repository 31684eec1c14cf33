// Input on Wayland with real parts: Sway 1.7 headless, our window (wl_shm) running its frame loop,
// and a second client of ours injecting keys and pointer events with zwp_virtual_keyboard_v1 and
// zwlr_virtual_pointer_v1 (or Debian's wtype for text). What the app reads from pollInput() is
// asserted: UTF-8 text in the us and de layouts (the compositor's keymap fd; a de dead key composed), pointer position in
// surface coordinates, buttons, wheel clicks, capabilities going away, Esc ending the loop.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { type Presenter } from "../../src/index.js";
import { openWaylandPresenter } from "../../src/present/wayland-open.js";
import { BTN_LEFT, xkbUnavailableReason, type InputEvent } from "../../src/input/index.js";
import { type Sway, startSway, swaySkipReason } from "../../scripts/testbed/sway.js";
import { swayBed } from "../helpers/sway-bed.js";
import { Injector } from "./wayland-inject.js";
import { App, windowRect, type Rect } from "./wayland-app.js";

const APP = "dev.scanout.input";
const skip = swaySkipReason ?? xkbUnavailableReason();
const KEY = { GRAVE: 41, ESC: 1, Q: 16, E: 18, Y: 21, A: 30, SEMICOLON: 39, Z: 44, LEFTSHIFT: 42, RIGHTALT: 100, SPACE: 57 };

describe.skipIf(skip)(`input on Sway 1.7 headless${skip ? ` (skipped: ${skip})` : ""}`, () => {
  const bed = swayBed({ width: 640, height: 480 });

  async function open(title: string): Promise<{ out: Presenter; app: App; rect: Rect }> {
    const out = await openWaylandPresenter(bed.gpu.createDevice(), { size: [320, 240], socket: bed.sway.path, title, appId: APP }, true);
    const app = new App(out);
    try {
      const rect = await windowRect(bed.sway, APP);
      await app.until("a few frames", () => app.frames > 3);
      return { out, app, rect };
    } catch (e) {
      app.stop();
      await out.close();
      throw e;
    }
  }

  it("keys typed with a de keymap arrive as the layout's UTF-8 (z/y swapped, umlauts, AltGr, a dead key composed), Esc ends the loop", async () => {
    const { out, app } = await open("keys de");
    const inj = await Injector.connect(bed.sway.path);
    try {
      expect(app.events.filter((e) => e.type === "seat-added").length).toBeGreaterThanOrEqual(1);
      await inj.createKeyboard("de");
      // the seat had no keyboard (Sway runs without devices): ours appears, then focus follows
      await app.until("keyboard focus", () => app.events.some((e) => e.type === "keyboard-enter"));
      expect(app.events.some((e) => e.type === "device-added" && e.kind === "keyboard")).toBe(true);
      await inj.tap(KEY.Z);
      await inj.tap(KEY.Y);
      await inj.tap(KEY.SEMICOLON);
      await inj.tap(KEY.LEFTSHIFT, KEY.A);
      await inj.tap(KEY.RIGHTALT, KEY.E);
      await inj.tap(KEY.RIGHTALT, KEY.Q);
      await inj.tap(KEY.GRAVE); // dead circumflex: composed by us (the client), as on KMS
      await inj.tap(KEY.E);
      await app.until("the typed text", () => app.text().length >= 7);
      expect(app.text()).toBe("yzöA€@ê");
      const euro = app.keys().find((e) => e.text === "€")!;
      expect(euro).toMatchObject({ keycode: KEY.E, key: "EuroSign" });
      expect(euro.modifiers.altGr).toBe(true);
      expect(app.keys("key-up").length).toBeGreaterThanOrEqual(8);
      expect(app.events.some((e) => e.type === "modifiers" && e.modifiers.shift)).toBe(true);
      await inj.tap(KEY.ESC);
      await app.done; // the loop ended by itself on Esc
      expect(app.keys().at(-1)!.key).toBe("Escape");
    } finally {
      await inj.close();
      await out.close();
    }
    expect(bed.gpu.validationMessages).toEqual([]);
  });

  it("text from wtype arrives as the same UTF-8", async () => {
    if (spawnSync("which", ["wtype"]).status !== 0) return console.warn("wtype not installed: skipped");
    const { out, app } = await open("wtype");
    const inj = await Injector.connect(bed.sway.path);
    try {
      // wtype's keyboard lives only while it types: have one in the seat first so ours is bound and focused
      await inj.createKeyboard("us");
      await app.until("keyboard focus", () => app.events.some((e) => e.type === "keyboard-enter"));
      const text = "Grüße, ß! €";
      const r = spawnSync("wtype", [text], { env: { ...process.env, WAYLAND_DISPLAY: bed.sway.path, XDG_RUNTIME_DIR: bed.sway.runtimeDir }, encoding: "utf8", timeout: 10_000 });
      expect(r.status, r.stderr).toBe(0);
      await app.until("wtype's text", () => app.text() === text);
      app.stop();
      await app.done;
    } finally {
      await inj.close();
      await out.close();
    }
  });

  it("pointer: enter/motion in surface coordinates, a drag as motion between button-down and button-up, wheel clicks, cursor set", async () => {
    const { out, app, rect } = await open("pointer");
    const inj = await Injector.connect(bed.sway.path);
    try {
      await inj.createPointer();
      await inj.moveTo(rect.x + 100, rect.y + 50, 640, 480);
      await app.until("pointer-enter", () => app.events.some((e) => e.type === "pointer-enter" || e.type === "pointer-motion"));
      await inj.button(BTN_LEFT, true);
      for (let i = 0; i < 5; i++) await inj.moveBy(10, 4);
      await inj.button(BTN_LEFT, false);
      await inj.wheel(2);
      await app.until("the drag and the wheel", () => app.events.some((e) => e.type === "scroll"));
      const pointer = app.events.filter((e) => e.type.startsWith("pointer-") || e.type.startsWith("button-") || e.type === "scroll");
      const down = pointer.findIndex((e) => e.type === "button-down");
      const up = pointer.findIndex((e) => e.type === "button-up");
      expect(down).toBeGreaterThanOrEqual(0);
      expect(up).toBeGreaterThan(down);
      expect(pointer[down]).toMatchObject({ button: BTN_LEFT, name: "left", x: 100, y: 50, bufferX: 100, bufferY: 50 });
      const moves = pointer.slice(down + 1, up).filter((e) => e.type === "pointer-motion");
      expect(moves.length).toBe(5);
      expect(pointer[up]).toMatchObject({ x: 150, y: 70 });
      const scroll = pointer.find((e) => e.type === "scroll")!;
      expect(scroll).toMatchObject({ clicksY: 2, dy: 30, dx: 0, source: "wheel" });
      const s = scroll as Extract<InputEvent, { type: "scroll" }>;
      console.log(`scroll event: clicksY ${s.clicksY}, dy ${s.dy}, value120Y ${s.value120Y}, source ${s.source}`);
      app.stop();
      await app.done;
    } finally {
      await inj.close();
      await out.close();
    }
    expect(bed.gpu.validationMessages).toEqual([]);
  });

  it("a keyboard that goes away (seat capability removed) and comes back: device events, no crash, keys still decode", async () => {
    const { out, app } = await open("capabilities");
    const inj = await Injector.connect(bed.sway.path);
    try {
      await inj.createKeyboard("us");
      await app.until("keyboard focus", () => app.events.some((e) => e.type === "keyboard-enter"));
      await inj.tap(KEY.A);
      await app.until("a", () => app.text() === "a");
      await inj.destroyKeyboard();
      await app.until("keyboard removed", () => app.events.some((e) => e.type === "device-removed" && e.kind === "keyboard"));
      await inj.createKeyboard("us");
      await app.until("keyboard added again", () => app.events.filter((e) => e.type === "device-added" && e.kind === "keyboard").length >= 2);
      await app.until("focus back", () => app.events.filter((e) => e.type === "keyboard-enter").length >= 2);
      await inj.tap(KEY.Q);
      await app.until("q", () => app.text() === "aq");
      app.stop();
      await app.done;
    } finally {
      await inj.close();
      await out.close();
    }
  });

  it("a held key repeats at the compositor's repeat_info rate and stops on release", async () => {
    const { out, app } = await open("repeat");
    const inj = await Injector.connect(bed.sway.path);
    try {
      await inj.createKeyboard("us");
      await app.until("keyboard focus", () => app.events.some((e) => e.type === "keyboard-enter"));
      await inj.key(KEY.A, true);
      await new Promise((r) => setTimeout(r, 1000)); // Sway's default: 600 ms delay, then 25/s
      await inj.key(KEY.A, false);
      await app.until("key-up", () => app.keys("key-up").length > 0);
      const repeats = app.keys("key-repeat");
      console.log(`key repeat on Sway: ${repeats.length} repeats in a 1000 ms hold`);
      expect(repeats.length).toBeGreaterThanOrEqual(3); // ~10 expected; loose for a busy machine
      expect(repeats.length).toBeLessThanOrEqual(15);
      expect(repeats.every((e) => e.text === "a")).toBe(true);
      const n = repeats.length;
      await new Promise((r) => setTimeout(r, 200));
      expect(app.keys("key-repeat").length).toBe(n);
      app.stop();
      await app.done;
    } finally {
      await inj.close();
      await out.close();
    }
  });

  it("the compositor going away mid-run (seat, keyboard and all): the loop ends, no event or key repeat after, close() is clean", async () => {
    const own = await startSway({ width: 640, height: 480 });
    let out: Presenter | undefined;
    try {
      out = await openWaylandPresenter(bed.gpu.createDevice(), { size: [320, 240], socket: own.path, title: "vanish", appId: APP }, true);
      const app = new App(out);
      await windowRect(own, APP);
      const inj = await Injector.connect(own.path);
      await inj.createKeyboard("us");
      await app.until("keyboard focus", () => app.events.some((e) => e.type === "keyboard-enter"));
      await inj.key(KEY.A, true); // held: its repeat timer must not outlive the connection
      await app.until("a", () => app.text() === "a");
      await own.stop();
      let failure: Error | undefined;
      await app.done.catch((e) => (failure = e as Error));
      console.log(`after the compositor left: ${app.frames} frames, loop error: ${failure?.message}, endReason: ${out.endReason}`);
      // a lost compositor is an error the loop throws, not a quiet end
      expect(failure?.message).toMatch(/the compositor closed the connection/);
      await inj.connection.close().catch(() => {});
      const n = app.events.length;
      await new Promise((r) => setTimeout(r, 800));
      expect(app.events.length).toBe(n); // nothing more, no repeat
    } finally {
      await out?.close();
      await own.stop();
    }
    expect(bed.gpu.validationMessages).toEqual([]);
  });

  it("on a scale-2 output, pointer positions come in surface coordinates and twice that in buffer pixels", async () => {
    const own = await startSway({ width: 1280, height: 960, scale: 2 });
    let out: Presenter | undefined;
    const inj = await Injector.connect(own.path);
    try {
      out = await openWaylandPresenter(bed.gpu.createDevice(), { size: [320, 240], socket: own.path, title: "scaled", appId: APP }, true);
      const app = new App(out);
      const rect = await windowRect(own, APP); // logical (layout) coordinates
      await app.until("buffers at scale 2", () => out!.size[0] === 640, 5000);
      await inj.createPointer();
      await inj.moveTo(rect.x + 100, rect.y + 50, 640, 480); // the layout is 640x480 logical
      await inj.button(0x110, true);
      await inj.button(0x110, false);
      await app.until("the click", () => app.events.some((e) => e.type === "button-up"));
      const down = app.events.find((e) => e.type === "button-down")!;
      expect(down).toMatchObject({ x: 100, y: 50, bufferX: 200, bufferY: 100 });
      app.stop();
      await app.done;
    } finally {
      await inj.close();
      await out?.close();
      await own.stop();
    }
    expect(bed.gpu.validationMessages).toEqual([]);
  });
});
