// Fuzzing the event parser: 100k+ random and mutated server messages. Every outcome must be a
// dispatched event or a typed error (WireError / WaylandConnectionError / WaylandProtocolError);
// no other exception, no hang, and every received descriptor closed.
import { openSync, readdirSync, readlinkSync } from "node:fs";
import { describe, expect, it, onTestFinished } from "vitest";
import { setLogLevel } from "../../src/util/log.js";
import { openFdCount } from "../../src/sys/libc.js";
import { socketPair } from "../../src/sys/socket.js";
import { Connection, WaylandConnectionError, WaylandProtocolError } from "../../src/wayland/connection.js";
import type { Proxy, ProxyClass } from "../../src/wayland/proxy.js";
import { ZwpLinuxDmabufFeedbackV1, ZwpLinuxDmabufV1 } from "../../src/wayland/protocol/linux-dmabuf-v1.js";
import { WpPresentationFeedback } from "../../src/wayland/protocol/presentation-time.js";
import { WlCallback, WlDataDevice, WlKeyboard, WlOutput, WlRegistry, WlShm, WlSurface } from "../../src/wayland/protocol/wayland.js";
import { XdgToplevel, XdgWmBase } from "../../src/wayland/protocol/xdg-shell.js";
import { type ArgSpec, encodeMessage, type WireValue, WireError } from "../../src/wayland/wire.js";

// Small deterministic PRNG so a failure can be replayed from the seed.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

/** What the open descriptors are, grouped, so a leak says what leaked. */
function describeFds(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of readdirSync("/proc/self/fd")) {
    try {
      const kind = readlinkSync(`/proc/self/fd/${f}`).replace(/\d+/g, "N");
      out[kind] = (out[kind] ?? 0) + 1;
    } catch {
      /* the directory's own fd is gone by now */
    }
  }
  return out;
}

describe("event parser fuzz", () => {
  it("survives 100k random and mutated messages with only typed errors", async () => {
    const fdsBefore = openFdCount();
    setLogLevel("error"); // "unhandled event" warnings for fuzzed events are expected here
    onTestFinished(() => setLogLevel("warn"));
    const rand = rng(0x5ca7);
    const int = (n: number) => Math.floor(rand() * n);
    const classes: ProxyClass[] = [WlCallback, WlRegistry, WlShm, WlSurface, WlOutput, WlKeyboard, WlDataDevice, XdgWmBase, XdgToplevel, ZwpLinuxDmabufV1, ZwpLinuxDmabufFeedbackV1, WpPresentationFeedback];
    let conn!: Connection;
    let peer!: ReturnType<typeof socketPair>[1];
    let objects: Proxy[] = [];
    const fresh = () => {
      const [a, b] = socketPair();
      conn = Connection.fromSocket(a);
      peer = b;
      // objects exist client-side only: nothing is sent, so the peer never needs reading
      objects = [conn.display, ...classes.map((c) => conn.allocate(c, c.spec.version))];
    };
    const teardown = async () => {
      await conn.close();
      peer.close();
    };
    fresh();
    const nullFd = openSync("/dev/null", "r");
    const { dup } = await import("../../src/sys/libc.js");

    const validArg = (a: ArgSpec): WireValue => {
      switch (a.type) {
        case "int":
          return int(2 ** 32) - 2 ** 31;
        case "uint":
          return int(2 ** 32);
        case "fixed":
          return (int(2 ** 20) - 2 ** 19) / 256;
        case "string":
          return a.nullable && rand() < 0.2 ? null : "x".repeat(int(40));
        case "object": {
          if (a.nullable && rand() < 0.2) return 0;
          const same = objects.find((o) => o.spec.name === a.interface && !o.destroyed);
          return same && rand() < 0.8 ? same.id : 1 + int(20);
        }
        case "new_id":
          return a.interface ? 0xff000000 + int(1000) : { interface: "wl_output", version: 1, id: int(50) };
        case "array":
          return new Uint8Array(int(64));
        case "fd":
          return nullFd;
      }
    };

    let dispatched = 0;
    const typed = new Map<string, number>();
    const t0 = performance.now();
    const N = 100_000;
    for (let n = 0; n < N; n++) {
      if (conn.error) {
        await teardown();

        fresh();
      }
      let bytes: Uint8Array;
      let fdCount = 0;
      const mode = rand();
      if (mode < 0.15) {
        // pure noise
        bytes = new Uint8Array(int(64)).map(() => int(256));
        fdCount = int(3);
      } else {
        const target = objects[int(objects.length)]!;
        const events = target.spec.events;
        if (events.length === 0) continue;
        const opcode = int(events.length);
        const spec = events[opcode]!;
        const fds: number[] = [];
        bytes = encodeMessage(target.id, opcode, spec, spec.args.map(validArg), fds);
        fdCount = fds.length;
        // mutate: bit flips, truncation, size field, opcode, extra bytes, missing/extra fds
        const m = rand();
        if (m < 0.3) for (let k = 0, c = 1 + int(4); k < c; k++) bytes[int(bytes.length)] ^= 1 << int(8);
        else if (m < 0.4) bytes = bytes.subarray(0, int(bytes.length));
        else if (m < 0.5) new DataView(bytes.buffer).setUint16(6, int(0x10000), true);
        else if (m < 0.6) new DataView(bytes.buffer).setUint16(4, int(20), true);
        else if (m < 0.65) fdCount = Math.max(0, fdCount - 1);
        else if (m < 0.7) fdCount += 1 + int(2);
        else if (m < 0.75) {
          const longer = new Uint8Array(bytes.length + 4 * (1 + int(4)));
          longer.set(bytes);
          bytes = longer;
        }
      }
      const fds = Array.from({ length: fdCount }, () => dup(nullFd));
      try {
        conn.feed(bytes, fds);
        dispatched++;
      } catch (e) {
        if (!(e instanceof WireError || e instanceof WaylandConnectionError || e instanceof WaylandProtocolError)) {
          throw new Error(`iteration ${n}: untyped ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`, { cause: e });
        }
        typed.set((e as Error).name, (typed.get((e as Error).name) ?? 0) + 1);
      }
      // incomplete trailing bytes and unused fds would bleed into the next case: start clean
      conn.discardInput();
    }
    const ms = performance.now() - t0;
    await teardown();
    const { closeSync } = await import("node:fs");
    closeSync(nullFd);
    console.log(`fuzz: ${N} messages in ${ms.toFixed(0)} ms, ${dispatched} accepted, errors ${JSON.stringify(Object.fromEntries(typed))}`);
    expect(dispatched).toBeGreaterThan(1000);
    expect(typed.get("WireError") ?? 0).toBeGreaterThan(1000);
    await new Promise((r) => setTimeout(r, 50));
    if (openFdCount() !== fdsBefore) console.log("open descriptors after the fuzz:", describeFds());
    expect(openFdCount()).toBe(fdsBefore);
  });
});
