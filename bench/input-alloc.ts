// JS heap bytes allocated per input event in the steady state, Wayland path: the same wire bytes
// a compositor sends (pointer motion + frame, key press + release) are fed to our connection
// 20,000 times, once to proxies with empty handlers (the wire decoding alone) and once through
// WaylandInput (decoding + our events). The difference is what input handling costs per event;
// the aim is the event object the app receives and nothing else (a pointer event is ~100 bytes).
// Standalone: `npx tsc -p tsconfig.json && node dist/bench/input-alloc.js`.
import { socketPair } from "../src/sys/socket.js";
import { Connection } from "../src/wayland/connection.js";
import { Globals } from "../src/wayland/globals.js";
import { WlCallback, WlKeyboard, WlPointer, WlRegistry, WlSeat, WlSurface } from "../src/wayland/protocol/wayland.js";
import { encodeMessage, type WireValue } from "../src/wayland/wire.js";
import { WaylandInput } from "../src/wayland/seat.js";
import type { WaylandWindow } from "../src/wayland/window.js";
import { measureAllocation } from "./heap.js";
import { fmt } from "./stats.js";

const N = 20_000;

function message(conn: Connection, id: number, name: string, args: WireValue[]): Uint8Array {
  const obj = conn.objects.get(id)!;
  const opcode = obj.spec.events.findIndex((e) => e.name === name);
  return encodeMessage(id, opcode, obj.spec.events[opcode]!, args, []);
}
function find<T>(conn: Connection, cls: new (...a: never[]) => T): T {
  return [...conn.objects.values()].find((o) => o instanceof cls) as T;
}

/** Bytes per event pair for both kinds of event, with our handlers or with empty ones. */
async function run(ours: boolean): Promise<{ pointer: number; key: number }> {
  const [a, b] = socketPair();
  const conn = Connection.fromSocket(a);
  const fetching = Globals.fetch(conn);
  const registry = find(conn, WlRegistry);
  conn.feed(message(conn, registry.id, "global", [1, "wl_compositor", 4]), []);
  conn.feed(message(conn, registry.id, "global", [2, "wl_seat", 8]), []);
  conn.feed(message(conn, find(conn, WlCallback).id, "done", [0]), []);
  const globals = await fetching;
  const surface = conn.allocate(WlSurface, 4);
  const window = { globals, surface, width: 640, logicalWidth: 640 } as unknown as WaylandWindow;
  const input = WaylandInput.attach(window);
  const seat = find(conn, WlSeat);
  conn.feed(message(conn, seat.id, "capabilities", [3]), []);
  const pointer = find(conn, WlPointer);
  const keyboard = find(conn, WlKeyboard);
  conn.feed(message(conn, pointer.id, "enter", [1, surface.id, 10, 10]), []);
  conn.feed(message(conn, keyboard.id, "enter", [2, surface.id, new Uint8Array(0)]), []);
  if (!ours) {
    pointer.listen({ enter() {}, leave() {}, motion() {}, button() {}, axis() {}, frame() {}, axis_source() {}, axis_stop() {}, axis_discrete() {}, axis_value120() {}, axis_relative_direction() {} });
    keyboard.listen({ keymap() {}, enter() {}, leave() {}, key() {}, modifiers() {}, repeat_info() {} });
  }
  // one buffer of motion+frame pairs and one of press+release pairs, fed in chunks like socket reads
  const motion = message(conn, pointer.id, "motion", [0, 20.5, 30.25]);
  const frame = message(conn, pointer.id, "frame", []);
  const press = message(conn, keyboard.id, "key", [3, 0, 30, 1]);
  const release = message(conn, keyboard.id, "key", [4, 0, 30, 0]);
  const chunk = (x: Uint8Array, y: Uint8Array, n: number) => {
    const out = new Uint8Array((x.length + y.length) * n);
    for (let i = 0; i < n; i++) {
      out.set(x, i * (x.length + y.length));
      out.set(y, i * (x.length + y.length) + x.length);
    }
    return out;
  };
  const PER_CHUNK = 50;
  const pointerChunk = chunk(motion, frame, PER_CHUNK);
  const keyChunk = chunk(press, release, PER_CHUNK);
  const feed = async (bytes: Uint8Array) => {
    for (let i = 0; i < N / PER_CHUNK; i++) {
      conn.feed(bytes, []);
      if (i % 20 === 0) input.drain(); // the app reads once per "frame"
    }
    input.drain();
  };
  await feed(pointerChunk); // warm-up
  await feed(keyChunk);
  const p = await measureAllocation(() => feed(pointerChunk));
  const k = await measureAllocation(() => feed(keyChunk));
  input.close();
  await conn.close();
  b.close();
  return { pointer: p.bytes / N, key: k.bytes / N };
}

/** Heap bytes per event: wire decoding alone, and with our input handling. */
export async function measureInputAllocation(): Promise<{ decode: { pointer: number; key: number }; ours: { pointer: number; key: number } }> {
  const decode = await run(false);
  const ours = await run(true);
  return { decode, ours };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await measureInputAllocation();
  console.log(`input allocation (JS heap bytes per wire event pair, ${N} pairs; xkb keymap: none, keycodes only)`);
  console.log(`  pointer motion+frame: decoding ${fmt(r.decode.pointer)}, with WaylandInput ${fmt(r.ours.pointer)} (+${fmt(r.ours.pointer - r.decode.pointer)})`);
  console.log(`  key press+release:    decoding ${fmt(r.decode.key)}, with WaylandInput ${fmt(r.ours.key)} (+${fmt(r.ours.key - r.decode.key)})`);
}
