// Keyboard layouts with the real libxkbcommon and xkb-data: what keys type in the us and de
// layouts, modifiers, key repeat, and malformed keymaps (bad text, bad sizes) failing cleanly.
import { afterEach, describe, expect, it } from "vitest";
import { closeSync, openSync, writeSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputQueue, KeyboardDecoder, KeymapError, XkbKeymap, XkbState, keysymName, systemKeymapNames, xkbUnavailableReason, type InputEvent, type KeyEvent } from "../../src/input/index.js";

const skip = xkbUnavailableReason();

// evdev codes (input-event-codes.h)
const KEY = { GRAVE: 41, EQUAL: 13, Q: 16, E: 18, Y: 21, A: 30, SEMICOLON: 39, APOSTROPHE: 40, Z: 44, LEFTSHIFT: 42, LEFTCTRL: 29, RIGHTALT: 100, ESC: 1, C: 46 };

const made: { destroy(): void }[] = [];
function keymap(layout: string): XkbKeymap {
  const k = XkbKeymap.fromNames({ layout });
  made.push(k);
  return k;
}
afterEach(() => {
  while (made.length) made.pop()!.destroy();
});

/** Types keys (code, down) through a decoder that tracks modifiers itself (as on KMS) and returns the key-down events. */
function type(layout: string, keys: [number, boolean][]): KeyEvent[] {
  const q = new InputQueue();
  const kb = new KeyboardDecoder(q, XkbKeymap.fromNames({ layout }), { trackModifiers: true, repeat: { rate: 0, delayMs: 0 } });
  try {
    for (const [code, down] of keys) kb.key(code, down);
  } finally {
    kb.destroy();
  }
  return q.drain().filter((e): e is KeyEvent => e.type === "key-down");
}
const tap = (code: number): [number, boolean][] => [[code, true], [code, false]];
const withKey = (mod: number, code: number): [number, boolean][] => [[mod, true], ...tap(code), [mod, false]];

describe.skipIf(skip)("xkb keymaps (libxkbcommon)", () => {
  it("us: letters, shift, names", () => {
    const st = new XkbState(keymap("us"));
    try {
      expect(st.text(KEY.A)).toBe("a");
      expect(keysymName(st.keysym(KEY.Z))).toBe("z");
      expect(keysymName(st.keysym(KEY.ESC))).toBe("Escape");
      expect(st.text(KEY.ESC)).toBe("\u001b");
    } finally {
      st.destroy();
    }
    const evs = type("us", [...tap(KEY.A), ...withKey(KEY.LEFTSHIFT, KEY.A)]);
    expect(evs.map((e) => e.text)).toEqual(["a", "", "A"]);
    expect(evs[2]!.key).toBe("A");
    expect(evs[2]!.modifiers.shift).toBe(true);
    expect(evs[0]!.modifiers.shift).toBe(false);
  });

  it("de: z and y swap, umlauts and AltGr give non-ASCII UTF-8", () => {
    const evs = type("de", [...tap(KEY.Z), ...tap(KEY.Y), ...tap(KEY.SEMICOLON), ...tap(KEY.APOSTROPHE), ...withKey(KEY.RIGHTALT, KEY.E), ...withKey(KEY.RIGHTALT, KEY.Q)]);
    const texts = evs.filter((e) => e.text).map((e) => e.text);
    expect(texts).toEqual(["y", "z", "ö", "ä", "€", "@"]);
    expect(Buffer.from("ö").length).toBe(2); // really multi-byte UTF-8
    const euro = evs.find((e) => e.text === "€")!;
    expect(euro.key).toBe("EuroSign");
    expect(euro.modifiers.altGr).toBe(true);
    expect(evs.find((e) => e.text === "ö")!.key).toBe("odiaeresis");
    expect(keymap("de").layoutName()).toMatch(/German/);
  });

  it("de dead keys compose through the locale's table: ^ e gives ê, ´ e gives é, ^ ^ gives ^; a key that fits no sequence types nothing", () => {
    const texts = (keys: [number, boolean][]) => type("de", keys).map((e) => e.text);
    expect(texts([...tap(KEY.GRAVE), ...tap(KEY.E)])).toEqual(["", "ê"]);
    expect(texts([...tap(KEY.EQUAL), ...tap(KEY.E)])).toEqual(["", "é"]);
    expect(texts([...tap(KEY.GRAVE), ...tap(KEY.GRAVE)])).toEqual(["", "^"]);
    expect(texts([...tap(KEY.GRAVE), ...tap(KEY.Q), ...tap(KEY.E)])).toEqual(["", "", "e"]); // cancelled, then plain again
    expect(texts([...tap(KEY.GRAVE), ...withKey(KEY.LEFTSHIFT, KEY.E)])).toEqual(["", "", "Ê"]); // Shift (its own key-down, no text) is no part of it
    // compose off: the dead key types nothing and e is e
    const q = new InputQueue();
    const kb = new KeyboardDecoder(q, XkbKeymap.fromNames({ layout: "de" }), { trackModifiers: true, compose: false });
    for (const [code, down] of [...tap(KEY.GRAVE), ...tap(KEY.E)]) kb.key(code, down);
    kb.destroy();
    expect(q.drain().filter((e): e is KeyEvent => e.type === "key-down").map((e) => e.text)).toEqual(["", "e"]);
  });

  it("Ctrl gives control characters and a modifiers event", () => {
    const q = new InputQueue();
    const kb = new KeyboardDecoder(q, XkbKeymap.fromNames({ layout: "us" }), { trackModifiers: true });
    kb.key(KEY.LEFTCTRL, true);
    kb.key(KEY.C, true);
    kb.key(KEY.C, false);
    kb.key(KEY.LEFTCTRL, false);
    kb.destroy();
    const evs = q.drain();
    const c = evs.find((e): e is KeyEvent => e.type === "key-down" && e.keycode === KEY.C)!;
    expect(c.text).toBe("\u0003");
    expect(c.modifiers.ctrl).toBe(true);
    expect(evs.filter((e) => e.type === "modifiers").map((e) => (e as Extract<InputEvent, { type: "modifiers" }>).modifiers.ctrl)).toEqual([true, false]);
  });

  it("Wayland-style modifier masks (update_mask) give shifted text", () => {
    const q = new InputQueue();
    const km = XkbKeymap.fromNames({ layout: "us" });
    const kb = new KeyboardDecoder(q, km);
    const shiftMask = 1 << km.modIndex.shift;
    kb.setModifierMasks(shiftMask, 0, 0, 0);
    kb.key(KEY.A, true);
    kb.setModifierMasks(0, 0, 0, 0);
    kb.key(KEY.A, true);
    kb.destroy();
    expect(q.drain().filter((e): e is KeyEvent => e.type === "key-down").map((e) => e.text)).toEqual(["A", "a"]);
  });

  it("held keys repeat at the given rate after the delay, and stop on release", async () => {
    const q = new InputQueue();
    const kb = new KeyboardDecoder(q, XkbKeymap.fromNames({ layout: "us" }), { trackModifiers: true, repeat: { rate: 50, delayMs: 60 } });
    kb.key(KEY.A, true);
    await new Promise((r) => setTimeout(r, 300));
    kb.key(KEY.A, false);
    const n = q.drain().filter((e) => e.type === "key-repeat").length;
    await new Promise((r) => setTimeout(r, 100));
    const after = q.drain().filter((e) => e.type === "key-repeat").length;
    // modifiers do not repeat
    kb.key(KEY.LEFTSHIFT, true);
    await new Promise((r) => setTimeout(r, 150));
    kb.key(KEY.LEFTSHIFT, false);
    const shiftRepeats = q.drain().filter((e) => e.type === "key-repeat").length;
    kb.destroy();
    console.log(`key repeat: ${n} repeats in 300 ms at 50 Hz after 60 ms`);
    expect(n).toBeGreaterThanOrEqual(3); // ~12 expected; loose for a busy machine
    expect(n).toBeLessThanOrEqual(15);
    expect(after).toBe(0);
    expect(shiftRepeats).toBe(0);
  });

  it("a keymap round-trips through text and through an fd with its NUL", () => {
    const text = keymap("de").text();
    expect(text).toContain("xkb_keymap");
    const file = join(tmpdir(), `scanout-keymap-${process.pid}.xkb`);
    const fd = openSync(file, "w+");
    try {
      writeSync(fd, Buffer.concat([Buffer.from(text), Buffer.from([0])]));
      const k = XkbKeymap.fromFd(fd, Buffer.byteLength(text) + 1);
      made.push(k);
      const st = new XkbState(k);
      expect(st.text(KEY.Z)).toBe("y");
      st.destroy();
    } finally {
      closeSync(fd);
      unlinkSync(file);
    }
  });

  it("malformed keymaps give KeymapError, never a crash", () => {
    expect(() => XkbKeymap.fromString("this is not a keymap")).toThrow(KeymapError);
    expect(() => XkbKeymap.fromString("xkb_keymap { xkb_keycodes { <A> = ; }; };")).toThrow(/not a valid XKB keymap/);
    const garbage = new Uint8Array(4096);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) % 255 + 1;
    expect(() => XkbKeymap.fromBytes(garbage, "garbage")).toThrow(/garbage: not a valid XKB keymap/);
    expect(() => XkbKeymap.fromBytes(new Uint8Array(16), "zeros")).toThrow(/zeros: empty keymap/);
    expect(() => XkbKeymap.fromNames({ layout: "no-such-layout" })).toThrow(/layout no-such-layout/);

    const file = join(tmpdir(), `scanout-keymap-bad-${process.pid}.xkb`);
    const fd = openSync(file, "w+");
    try {
      writeSync(fd, Buffer.from("xkb_keymap {"));
      // a size beyond the file would fault (SIGBUS) when read through mmap: refused before mapping
      expect(() => XkbKeymap.fromFd(fd, 1 << 20)).toThrow(/the file has only 12 bytes/);
      expect(() => XkbKeymap.fromFd(fd, 0)).toThrow(/size must be positive/);
      expect(() => XkbKeymap.fromFd(fd, 2 ** 31)).toThrow(/larger than/);
      expect(() => XkbKeymap.fromFd(fd, 12)).toThrow(KeymapError); // truncated text
    } finally {
      closeSync(fd);
      unlinkSync(file);
    }
    expect(() => XkbKeymap.fromFd(987654, 100)).toThrow(/fstat failed/);
  });

  it("system default names: XKB_DEFAULT_* wins, else /etc/default/keyboard", () => {
    const file = join(tmpdir(), `scanout-default-keyboard-${process.pid}`);
    const fd = openSync(file, "w");
    writeSync(fd, 'XKBMODEL="pc105"\nXKBLAYOUT="de"\nXKBVARIANT=""\nXKBOPTIONS=""\n');
    closeSync(fd);
    const saved = process.env.XKB_DEFAULT_LAYOUT;
    try {
      delete process.env.XKB_DEFAULT_LAYOUT;
      expect(systemKeymapNames(file)).toEqual({ model: "pc105", layout: "de", variant: undefined, options: undefined });
      process.env.XKB_DEFAULT_LAYOUT = "fr";
      expect(systemKeymapNames(file)).toEqual({});
      expect(systemKeymapNames("/nonexistent")).toEqual({});
    } finally {
      if (saved === undefined) delete process.env.XKB_DEFAULT_LAYOUT;
      else process.env.XKB_DEFAULT_LAYOUT = saved;
      unlinkSync(file);
    }
  });
});

describe("InputQueue", () => {
  it("drains in order, bounds its size and feeds one async iterator until close", async () => {
    const q = new InputQueue(3);
    expect(q.drain()).toHaveLength(0);
    for (let i = 0; i < 5; i++) q.push({ type: "keyboard-enter", time: i });
    expect(q.dropped).toBe(2);
    expect(q.drain().map((e) => e.time)).toEqual([2, 3, 4]);
    const it = q.events();
    expect(() => q.events()).toThrow(/already running/);
    const got: number[] = [];
    const reader = (async () => {
      for await (const e of it) got.push(e.time);
    })();
    q.push({ type: "keyboard-enter", time: 10 });
    await new Promise((r) => setImmediate(r));
    q.push({ type: "keyboard-leave", time: 11 });
    q.close();
    await reader;
    expect(got).toEqual([10, 11]);
    q.push({ type: "keyboard-enter", time: 12 });
    expect(q.drain()).toHaveLength(0);
  });
});

describe("Presenter input API on headless", () => {
  it("pollInput() is empty and input() ends when the presenter closes", async () => {
    const { Instance, createHeadlessPresenter } = await import("../../src/index.js");
    const gpu = await Instance.create({ validation: true, requireValidation: true });
    try {
      const out = createHeadlessPresenter(gpu.createDevice(), { size: [32, 32] }, true);
      const got: InputEvent[] = [];
      const reader = (async () => {
        for await (const ev of out.input()) got.push(ev);
      })();
      for await (const frame of out.frames({ limit: 3 })) {
        expect(out.pollInput()).toHaveLength(0);
        frame.record(() => {});
      }
      await out.close();
      await reader; // ended by close()
      expect(got).toEqual([]);
      expect(gpu.validationMessages).toEqual([]);
    } finally {
      gpu.destroy();
    }
  });
});
