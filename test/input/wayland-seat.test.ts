// WaylandInput against a scripted compositor: faults Sway cannot be made to produce on demand
// (a wl_seat global removed mid-run, a second seat appearing, a keymap fd that is garbage or
// shorter than announced, a scaled surface, wl_pointer v8 value120 scrolling, routed surfaces).
// Our real client code reads the events from the same wire bytes a compositor would send; only
// the compositor side is scripted (what the "fake" is, and why: no real part produces these now).
import { afterEach, describe, expect, it } from "vitest";
import { openFdCount } from "../../src/sys/libc.js";
import { SharedMemory } from "../../src/sys/memfd.js";
import { socketPair, WOULD_BLOCK, type UnixSocket } from "../../src/sys/socket.js";
import { NativeBytes } from "../../src/sys/native-bytes.js";
import { close as closeFd } from "../../src/sys/libc.js";
import { WpCursorShapeDeviceV1 } from "../../src/wayland/protocol/cursor-shape-v1.js";
import { Connection } from "../../src/wayland/connection.js";
import { Globals } from "../../src/wayland/globals.js";
import { WlCallback, WlKeyboard, WlPointer, WlRegistry, WlSeat, WlSurface, WlTouch } from "../../src/wayland/protocol/wayland.js";
import { encodeMessage, type WireValue } from "../../src/wayland/wire.js";
import { WaylandInput } from "../../src/wayland/seat.js";
import type { WaylandWindow } from "../../src/wayland/window.js";
import { XkbKeymap, xkbUnavailableReason, type InputEvent, type KeyEvent } from "../../src/input/index.js";

function event(conn: Connection, id: number, name: string, args: WireValue[], fds: number[] = []): void {
  const obj = conn.objects.get(id);
  if (!obj) throw new Error(`no object ${id}`);
  const opcode = obj.spec.events.findIndex((e) => e.name === name);
  conn.feed(encodeMessage(id, opcode, obj.spec.events[opcode]!, args, []), fds);
}
function find<T>(conn: Connection, cls: new (...a: never[]) => T, nth = 0): T {
  const all = [...conn.objects.values()].filter((o) => o instanceof cls) as T[];
  if (!all[nth]) throw new Error(`no ${cls.name} #${nth}`);
  return all[nth]!;
}
const id = (p: unknown) => (p as { id: number }).id;

/** Every request the client sent so far, read from the compositor's end: object id, opcode, 32-bit words of the body. */
async function sentRequests(conn: Connection, peer: UnixSocket): Promise<{ object: number; opcode: number; words: number[] }[]> {
  await conn.flush();
  const buf = new NativeBytes(1 << 16);
  let len = 0;
  const fds: number[] = [];
  for (;;) {
    const n = peer.receive(buf, len, buf.size - len, fds);
    if (n === WOULD_BLOCK || n === 0) break;
    len += n;
  }
  for (const fd of fds) closeFd(fd);
  const out: { object: number; opcode: number; words: number[] }[] = [];
  for (let at = 0; at + 8 <= len; ) {
    const object = buf.view.getUint32(at, true);
    const word = buf.view.getUint32(at + 4, true);
    const size = word >>> 16;
    const words: number[] = [];
    for (let o = at + 8; o < at + size; o += 4) words.push(buf.view.getUint32(o, true));
    out.push({ object, opcode: word & 0xffff, words });
    at += size;
  }
  return out;
}

/** A connection whose compositor side is this script: globals, then one window surface at buffer scale 2. */
async function scripted(seatVersion = 8, extraGlobals: [string, number][] = []) {
  const [a, b] = socketPair();
  const conn = Connection.fromSocket(a);
  const fetching = Globals.fetch(conn);
  const registry = find(conn, WlRegistry);
  event(conn, registry.id, "global", [1, "wl_compositor", 4]);
  event(conn, registry.id, "global", [2, "wl_seat", seatVersion]);
  extraGlobals.forEach(([iface, version], i) => event(conn, registry.id, "global", [10 + i, iface, version]));
  event(conn, find(conn, WlCallback).id, "done", [0]);
  const globals = await fetching;
  const surface = conn.allocate(WlSurface, 4);
  const window = { globals, surface, width: 640, logicalWidth: 320 } as unknown as WaylandWindow;
  const input = WaylandInput.attach(window);
  return { conn, b, registry, surface, input };
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe.skipIf(xkbUnavailableReason())("WaylandInput with a scripted compositor", () => {
  async function setup(seatVersion = 8, extraGlobals: [string, number][] = []) {
    const before = openFdCount();
    const s = await scripted(seatVersion, extraGlobals);
    cleanup = async () => {
      s.input.close();
      await s.conn.close();
      (s.b as UnixSocket).close();
      await new Promise((r) => setTimeout(r, 20));
      expect(openFdCount()).toBe(before); // every keymap fd closed
    };
    const seat = find(s.conn, WlSeat);
    event(s.conn, seat.id, "name", ["seat0"]);
    event(s.conn, seat.id, "capabilities", [3]); // pointer + keyboard
    return { ...s, seat, keyboard: find(s.conn, WlKeyboard), pointer: find(s.conn, WlPointer) };
  }
  /** Sends wl_keyboard.keymap with `bytes` in a memfd, announcing `size` bytes. */
  async function sendKeymap(conn: Connection, keyboard: WlKeyboard, bytes: Uint8Array, size = bytes.length) {
    const mem = SharedMemory.create("keymap", Math.max(bytes.length, 1));
    new Uint8Array(mem.buffer).set(bytes);
    const { dup } = await import("../../src/sys/libc.js");
    event(conn, keyboard.id, "keymap", [1, mem.fd, size], [dup(mem.fd)]);
    mem.close();
  }
  function typeA(conn: Connection, keyboard: WlKeyboard, surface: WlSurface) {
    event(conn, keyboard.id, "enter", [1, id(surface), new Uint8Array(0)]);
    event(conn, keyboard.id, "key", [2, 0, 30, 1]);
    event(conn, keyboard.id, "key", [3, 0, 30, 0]);
  }
  const keys = (evs: readonly InputEvent[]) => evs.filter((e): e is KeyEvent => e.type === "key-down");

  it("the compositor's keymap fd decides the text (de), serials are kept for move/resize", async () => {
    const { conn, input, keyboard, surface, seat } = await setup();
    const de = XkbKeymap.fromNames({ layout: "de" });
    await sendKeymap(conn, keyboard, Buffer.from(de.text() + "\0"));
    de.destroy();
    event(conn, keyboard.id, "enter", [10, id(surface), new Uint8Array(0)]);
    event(conn, keyboard.id, "key", [11, 0, 44, 1]); // KEY_Z: "y" in de
    const evs = input.drain();
    expect(evs.map((e) => e.type)).toEqual(["seat-added", "device-added", "device-added", "keyboard-enter", "key-down"]);
    expect(keys(evs)[0]).toMatchObject({ text: "y", key: "y", keycode: 44 });
    expect(input.lastSerial).toEqual({ seat, serial: 11 });
    event(conn, keyboard.id, "key", [12, 0, 44, 0]);
  });

  it("a garbage keymap, or one shorter than announced, falls back to the default layout: no crash, keys still type", async () => {
    const { conn, input, keyboard, surface } = await setup();
    const garbage = new Uint8Array(5000).map((_, i) => ((i * 131) % 250) + 1);
    await sendKeymap(conn, keyboard, garbage);
    typeA(conn, keyboard, surface);
    expect(keys(input.drain()).map((e) => e.text)).toEqual(["a"]);
    // announces 1 MiB, the file has 12 bytes: mapping it all would fault (SIGBUS) on read
    await sendKeymap(conn, keyboard, Buffer.from("xkb_keymap {"), 1 << 20);
    typeA(conn, keyboard, surface);
    expect(keys(input.drain()).map((e) => e.text)).toEqual(["a"]);
  });

  it("pointer: scaled buffer coordinates, motion coalesced per frame, value120 wheel clicks, routed surfaces", async () => {
    const { conn, input, pointer, surface } = await setup(8);
    input.drain();
    event(conn, pointer.id, "enter", [5, id(surface), 10.5, 20]);
    event(conn, pointer.id, "frame", []);
    event(conn, pointer.id, "motion", [0, 11, 21]);
    event(conn, pointer.id, "motion", [0, 12.25, 22]);
    event(conn, pointer.id, "frame", []);
    // a high-resolution wheel: half clicks, 15 px each, then a whole one
    for (let i = 0; i < 3; i++) {
      event(conn, pointer.id, "axis_source", [0]);
      event(conn, pointer.id, "axis", [0, 0, 7.5]);
      event(conn, pointer.id, "axis_value120", [0, 60]);
      event(conn, pointer.id, "frame", []);
    }
    const evs = input.drain();
    expect(evs[0]).toMatchObject({ type: "pointer-enter", x: 10.5, y: 20, bufferX: 21, bufferY: 40 });
    const motion = evs.filter((e) => e.type === "pointer-motion");
    expect(motion).toHaveLength(1);
    expect(motion[0]).toMatchObject({ x: 12.25, y: 22, bufferX: 24.5, bufferY: 44 });
    const scrolls = evs.filter((e) => e.type === "scroll");
    expect(scrolls.map((e) => [e.clicksY, e.value120Y, e.dy, e.source])).toEqual([
      [0, 60, 7.5, "wheel"],
      [1, 60, 7.5, "wheel"],
      [0, 60, 7.5, "wheel"],
    ]);

    // a decoration surface: its events go to the handler, not the app
    const deco = conn.allocate(WlSurface, 4);
    const routed: InputEvent[] = [];
    const unroute = input.routeSurface(deco, (e) => routed.push(e));
    event(conn, pointer.id, "leave", [6, id(surface)]);
    event(conn, pointer.id, "enter", [7, id(deco), 3, 4]);
    event(conn, pointer.id, "button", [8, 0, 0x110, 1]);
    event(conn, pointer.id, "frame", []);
    expect(routed.map((e) => e.type)).toEqual(["pointer-enter", "button-down"]);
    expect(routed[0]).toMatchObject({ x: 3, bufferX: 3 }); // not the window: unscaled
    expect(input.drain().map((e) => e.type)).toEqual(["pointer-leave"]);
    expect(input.lastSerial?.serial).toBe(8);
    unroute();
    // events on a surface that is not ours are dropped
    event(conn, pointer.id, "leave", [9, id(deco)]);
    event(conn, pointer.id, "enter", [10, id(deco), 1, 1]);
    expect(input.drain()).toEqual([]);
    // touch: points by id, in surface and buffer coordinates, cancel drops them all
    const { seat } = { seat: find(conn, WlSeat) };
    event(conn, seat.id, "capabilities", [7]);
    const touch = find(conn, WlTouch);
    event(conn, touch.id, "down", [11, 0, id(surface), 0, 5, 6]);
    event(conn, touch.id, "down", [12, 0, id(surface), 1, 50, 60]);
    event(conn, touch.id, "motion", [0, 0, 7.5, 8]);
    event(conn, touch.id, "frame", []);
    event(conn, touch.id, "up", [13, 0, 0]);
    event(conn, touch.id, "cancel", []);
    event(conn, touch.id, "motion", [0, 1, 1, 1]); // after cancel: no such point any more
    const touches = input.drain().filter((e) => e.type.startsWith("touch"));
    expect(touches.map((e) => [e.type, "id" in e ? e.id : -1])).toEqual([
      ["touch-down", 0],
      ["touch-down", 1],
      ["touch-motion", 0],
      ["touch-up", 0],
      ["touch-cancel", -1],
    ]);
    expect(touches[2]).toMatchObject({ x: 7.5, y: 8, bufferX: 15, bufferY: 16 });
    expect(input.lastSerial?.serial).toBe(12);
  });

  it("capabilities and whole seats appearing and vanishing mid-run: device and seat events, then silence, no crash", async () => {
    const { conn, input, registry, seat, keyboard, surface } = await setup();
    await sendKeymap(conn, keyboard, Buffer.from(XkbKeymap.fromNames({ layout: "us" }).text()));
    input.drain();
    event(conn, seat.id, "capabilities", [1]); // keyboard unplugged
    expect(input.drain()).toMatchObject([{ type: "device-removed", seat: "seat0", kind: "keyboard" }]);
    event(conn, seat.id, "capabilities", [7]); // keyboard and touch plugged
    expect(input.drain().map((e) => (e.type === "device-added" ? e.kind : e.type))).toEqual(["keyboard", "touch"]);

    // a second seat appears
    event(conn, registry.id, "global", [3, "wl_seat", 8]);
    const seat1 = find(conn, WlSeat, 1);
    event(conn, seat1.id, "name", ["seat1"]);
    event(conn, seat1.id, "capabilities", [1]);
    expect(input.drain()).toMatchObject([{ type: "seat-added", seat: "seat1" }, { type: "device-added", seat: "seat1", kind: "pointer" }]);
    expect(input.seatNames).toEqual(["seat0", "seat1"]);

    // seat0 vanishes while its keyboard is held with a key repeating
    const kb = find(conn, WlKeyboard, 1);
    typeA(conn, kb, surface);
    event(conn, kb.id, "key", [20, 0, 30, 1]);
    event(conn, registry.id, "global_remove", [2]);
    const gone = input.drain().filter((e) => e.type.startsWith("device") || e.type.startsWith("seat"));
    expect(gone).toMatchObject([
      { type: "device-removed", kind: "keyboard", seat: "seat0" },
      { type: "device-removed", kind: "pointer", seat: "seat0" },
      { type: "device-removed", kind: "touch", seat: "seat0" },
      { type: "seat-removed", seat: "seat0" },
    ]);
    expect(input.seatNames).toEqual(["seat1"]);
    expect(input.lastSerial).toBeUndefined();
    await new Promise((r) => setTimeout(r, 700)); // past the repeat delay: no repeat from a removed keyboard
    expect(input.drain()).toEqual([]);
  });

  it("cursor: wp_cursor_shape_v1's default shape with the enter serial where offered, else (no XCursor theme) our arrow with set_cursor", async () => {
    {
      const { conn, b, pointer, surface } = await setup(8, [["wp_cursor_shape_manager_v1", 1]]);
      await sentRequests(conn, b); // what came before
      event(conn, pointer.id, "enter", [42, id(surface), 1, 1]);
      const sent = await sentRequests(conn, b);
      const device = find(conn, WpCursorShapeDeviceV1);
      expect(sent).toContainEqual({ object: device.id, opcode: 1, words: [42, 1] }); // set_shape(serial, default)
      await cleanup!();
      cleanup = undefined;
    }
    process.env.XCURSOR_PATH = "/nonexistent/scanout-no-cursor-themes"; // no theme: our arrow (xcursor-sway.test.ts checks a theme's)
    const { conn, b, pointer, surface, input } = await setup(8, [["wl_shm", 1]]);
    event(conn, pointer.id, "enter", [43, id(surface), 1, 1]);
    let sent = await sentRequests(conn, b);
    const setCursor = sent.find((m) => m.object === pointer.id && m.opcode === 0)!;
    expect(setCursor.words[0]).toBe(43);
    expect(setCursor.words[1]).toBeGreaterThan(0); // our cursor surface
    expect(setCursor.words.slice(2)).toEqual([0, 0]); // hotspot at the arrow's tip
    expect(input.cursorShapes).toBe(false);
    input.setCursor("hidden");
    sent = await sentRequests(conn, b);
    expect(sent).toContainEqual({ object: pointer.id, opcode: 0, words: [43, 0, 0, 0] });
  });
});
