// Fuzzing the event parser with random and mutated server messages, seeded: every outcome must be a
// dispatched event or a typed error (WireError / WaylandConnectionError / WaylandProtocolError);
// no other exception, no hang, and every received descriptor closed. A failure names the seed and
// the message index; SCANOUT_FUZZ_SEED=<seed> replays it.
// - decoder: 1,000,000 messages fed straight into Connection.feed (no socket I/O), a few seconds.
// - socket: a smaller run through a real socket pair and the connection's read loop, where bytes
//   arrive in arbitrary chunks and a malformed one must fail the connection with a typed error.
import { closeSync, openSync, readdirSync, readlinkSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { setLogLevel } from "../../src/util/log.js";
import { dup, openFdCount, SysError } from "../../src/sys/libc.js";
import { socketPair, WOULD_BLOCK } from "../../src/sys/socket.js";
import { Connection, type Transport, WaylandConnectionError, WaylandHandlerError, WaylandProtocolError } from "../../src/wayland/connection.js";
import type { Proxy, ProxyClass } from "../../src/wayland/proxy.js";
import { ZwpLinuxDmabufFeedbackV1, ZwpLinuxDmabufV1 } from "../../src/wayland/protocol/linux-dmabuf-v1.js";
import { WpPresentationFeedback } from "../../src/wayland/protocol/presentation-time.js";
import { WlCallback, WlDataDevice, WlKeyboard, WlOutput, WlRegistry, WlShm, WlSurface } from "../../src/wayland/protocol/wayland.js";
import { XdgToplevel, XdgWmBase } from "../../src/wayland/protocol/xdg-shell.js";
import { type ArgSpec, encodeMessage, type WireValue, WireError } from "../../src/wayland/wire.js";

const SEED = Number(process.env.SCANOUT_FUZZ_SEED ?? 0x5ca7) >>> 0;
const DECODER_MESSAGES = 1_000_000;
const SOCKET_CONNECTIONS = 2000;
/** Messages per connection: 1 to this many, so some streams get through whole. */
const SOCKET_MAX_MESSAGES = 12;

// xorshift32: small, fast and deterministic, so a failure can be replayed from the seed.
function rng(seed: number) {
  let s = seed || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
  return { next, int: (n: number) => Math.floor(next() * n) };
}
type Rng = ReturnType<typeof rng>;

const CLASSES: ProxyClass[] = [WlCallback, WlRegistry, WlShm, WlSurface, WlOutput, WlKeyboard, WlDataDevice, XdgWmBase, XdgToplevel, ZwpLinuxDmabufV1, ZwpLinuxDmabufFeedbackV1, WpPresentationFeedback];
const typedError = (e: unknown) => e instanceof WireError || e instanceof WaylandConnectionError || e instanceof WaylandProtocolError;

/** Client-side objects to aim events at (nothing is sent, so the peer never needs reading). */
function populate(conn: Connection, throwingHandlers: boolean): Proxy[] {
  const objects = [conn.display, ...CLASSES.map((c) => conn.allocate(c, c.spec.version))];
  if (throwingHandlers) {
    // a buggy application: these must come out as WaylandHandlerError, never out of feed()
    const bug = () => {
      throw new Error("handler bug");
    };
    objects.find((o): o is WlCallback => o instanceof WlCallback)!.on("done", bug);
    objects.find((o): o is WlShm => o instanceof WlShm)!.on("format", bug);
  }
  return objects;
}

/**
 * A transport that carries nothing: the decoder run feeds bytes by hand, so a connection costs no
 * socket and no poll handle, and reconnecting after a protocol error is cheap.
 */
function silentTransport(): Transport {
  return {
    receive: () => WOULD_BLOCK,
    sendSome: (_from, _offset, length) => length,
    watch: () => {},
    wantWritable: () => {},
    close: () => {},
  };
}

/** One server message: valid, mutated, or noise, with how many descriptors travel with it. */
function fuzzMessage(r: Rng, objects: readonly Proxy[], fd: number): { bytes: Uint8Array; fdCount: number } {
  const validArg = (a: ArgSpec): WireValue => {
    switch (a.type) {
      case "int":
        return r.int(2 ** 32) - 2 ** 31;
      case "uint":
        return r.int(2 ** 32);
      case "fixed":
        return (r.int(2 ** 20) - 2 ** 19) / 256;
      case "string":
        return a.nullable && r.next() < 0.2 ? null : "x".repeat(r.int(40));
      case "object": {
        if (a.nullable && r.next() < 0.2) return 0;
        const same = objects.find((o) => o.spec.name === a.interface && !o.destroyed);
        return same && r.next() < 0.8 ? same.id : 1 + r.int(20);
      }
      case "new_id":
        return a.interface ? 0xff000000 + r.int(1000) : { interface: "wl_output", version: 1, id: r.int(50) };
      case "array":
        return new Uint8Array(r.int(64));
      case "fd":
        return fd;
    }
  };
  if (r.next() < 0.15) return { bytes: new Uint8Array(r.int(64)).map(() => r.int(256)), fdCount: r.int(3) }; // noise
  const target = objects[r.int(objects.length)]!;
  const events = target.spec.events;
  const opcode = r.int(events.length);
  const spec = events[opcode]!;
  const fds: number[] = [];
  let bytes = encodeMessage(target.id, opcode, spec, spec.args.map(validArg), fds);
  let fdCount = fds.length;
  const view = () => new DataView(bytes.buffer, bytes.byteOffset);
  // mutate: bit flips, truncation, size field, opcode, object id, extra bytes, missing/extra fds
  const m = r.next();
  if (m < 0.25) for (let k = 0, c = 1 + r.int(4); k < c; k++) bytes[r.int(bytes.length)] ^= 1 << r.int(8);
  else if (m < 0.35) bytes = bytes.subarray(0, r.int(bytes.length));
  else if (m < 0.42) view().setUint16(6, r.int(0x10000), true);
  else if (m < 0.5) view().setUint16(4, r.int(20), true);
  else if (m < 0.55) view().setUint32(0, r.next() < 0.5 ? r.int(64) : 0xff000000 + r.int(64), true);
  else if (m < 0.6) fdCount = Math.max(0, fdCount - 1);
  else if (m < 0.65) fdCount += 1 + r.int(2);
  else if (m < 0.7) {
    const longer = new Uint8Array(bytes.length + 4 * (1 + r.int(4)));
    longer.set(bytes);
    bytes = longer;
  }
  return { bytes, fdCount };
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

/** An error's name, with its cause's where it wraps one (a malformed message wraps the WireError). */
function outcomeName(e: Error): string {
  return e.cause instanceof Error ? `${e.name}(${e.cause.name})` : e.name;
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

describe("event parser fuzz", () => {
  let fdsBefore: number;
  let nullFd: number;
  beforeAll(() => {
    fdsBefore = openFdCount();
    nullFd = openSync("/dev/null", "r");
    console.log(`fuzz seed ${SEED} (replay with SCANOUT_FUZZ_SEED=${SEED})`);
  });
  afterAll(async () => {
    closeSync(nullFd);
        if (openFdCount() !== fdsBefore) console.log("open descriptors after the fuzz:", describeFds());
    expect(openFdCount()).toBe(fdsBefore);
  });

  it(`decoder: ${DECODER_MESSAGES} random and mutated messages, only typed errors`, async () => {
    setLogLevel("error"); // "unhandled event" warnings for fuzzed events are expected here
    onTestFinished(() => setLogLevel("warn"));
    const r = rng(SEED);
    let conn!: Connection;
    let objects: Proxy[] = [];
    let handlerErrors = 0;
    const fresh = () => {
      conn = Connection.fromSocket(silentTransport());
      objects = populate(conn, true);
      // the throwing handlers' errors reach a waiter (the first one of each connection is counted)
      conn.waitFor(() => {}).catch((e: unknown) => void (e instanceof WaylandHandlerError && handlerErrors++));
    };
    const teardown = () => conn.close();
    fresh();
    let dispatched = 0;
    let reconnects = 0;
    const typed = new Map<string, number>();
    const t0 = performance.now();
    for (let n = 0; n < DECODER_MESSAGES; n++) {
      if (conn.error) {
        await teardown();
        fresh();
        reconnects++;
      }
      const { bytes, fdCount } = fuzzMessage(r, objects, nullFd);
      const fds = Array.from({ length: fdCount }, () => dup(nullFd));
      try {
        conn.feed(bytes, fds);
        dispatched++;
      } catch (e) {
        if (!typedError(e)) throw new Error(`fuzz seed ${SEED}, message ${n}: untyped ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`, { cause: e });
        count(typed, (e as Error).name);
      }
      // incomplete trailing bytes and unused fds would bleed into the next case: start clean
      conn.discardInput();
    }
    const ms = performance.now() - t0;
    await teardown();
    console.log(
      `fuzz decoder: ${DECODER_MESSAGES} messages in ${ms.toFixed(0)} ms (seed ${SEED}), ${dispatched} accepted, ` +
        `${reconnects} wl_display.error (reconnected), ${handlerErrors} handler errors delivered, thrown ${JSON.stringify(Object.fromEntries(typed))}`,
    );
    expect(dispatched).toBeGreaterThan(DECODER_MESSAGES / 10);
    expect(typed.get("WireError") ?? 0).toBeGreaterThan(DECODER_MESSAGES / 10);
    expect(reconnects).toBeGreaterThan(0); // protocol errors fail the connection instead of throwing
    expect(handlerErrors).toBeGreaterThan(0);
  }, 120_000);

  it(`socket: ${SOCKET_CONNECTIONS} connections of mutated message streams through the read loop`, async () => {
    setLogLevel("error");
    onTestFinished(() => setLogLevel("warn"));
    const r = rng(SEED ^ 0x50c);
    const outcomes = new Map<string, number>();
    const t0 = performance.now();
    for (let k = 0; k < SOCKET_CONNECTIONS; k++) {
      const [a, peer] = socketPair();
      const conn = Connection.fromSocket(a);
      try {
        const objects = populate(conn, false);
        // a callback whose done, sent last, says the whole stream was taken apart
        const last = conn.allocate(WlCallback, 1);
        const finished = conn.callbackDone(last);
        const stream: Uint8Array[] = [];
        const fds: number[] = [];
        for (let i = 0, n = 1 + r.int(SOCKET_MAX_MESSAGES); i < n; i++) {
          const { bytes, fdCount } = fuzzMessage(r, objects, nullFd);
          stream.push(bytes);
          for (let f = 0; f < fdCount; f++) fds.push(nullFd);
        }
        stream.push(encodeMessage(last.id, 0, WlCallback.spec.events[0]!, [0], []));
        // the stream in random chunks, descriptors spread over them (at most 28 per sendmsg)
        const all = Uint8Array.from(stream.flatMap((b) => [...b]));
        let offset = 0;
        while (offset < all.length) {
          const n = 1 + r.int(Math.min(256, all.length - offset));
          try {
            await peer.send(all.subarray(offset, offset + n), fds.splice(0, Math.min(28, r.int(4))));
          } catch (e) {
            if (e instanceof SysError && e.code === "EPIPE" && conn.error) break; // it failed and hung up: nothing more to read
            throw e;
          }
          offset += n;
        }
        peer.close(); // end of stream: whatever is still incomplete can never complete
        const timeout = new Promise<string>((resolve) => setTimeout(() => resolve("hang"), 5000).unref());
        const outcome = await Promise.race([finished.then(() => "processed", (e: unknown) => e), timeout]);
        if (outcome === "hang") throw new Error(`fuzz seed ${SEED}, socket connection ${k}: neither processed nor failed within 5 s of the end of the stream`);
        if (typeof outcome === "string") count(outcomes, outcome);
        else if (typedError(outcome)) count(outcomes, outcomeName(outcome as Error));
        else throw new Error(`fuzz seed ${SEED}, socket connection ${k}: untyped ${(outcome as Error)?.name}: ${(outcome as Error)?.message}`, { cause: outcome });
        // a connection that failed stays failed, with the error it failed with
        if (conn.error) await expect(conn.closed).rejects.toBe(conn.error);
      } finally {
        await conn.close();
        peer.close();
      }
    }
    const ms = performance.now() - t0;
    console.log(`fuzz socket: ${SOCKET_CONNECTIONS} connections of up to ${SOCKET_MAX_MESSAGES} messages in ${ms.toFixed(0)} ms (seed ${SEED}), outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`);
    expect(outcomes.get("processed") ?? 0).toBeGreaterThan(SOCKET_CONNECTIONS / 50);
    expect(outcomes.get("WaylandConnectionError(WireError)") ?? 0).toBeGreaterThan(SOCKET_CONNECTIONS / 4); // "malformed message"
    expect(outcomes.get("WaylandProtocolError") ?? 0).toBeGreaterThan(0);
  }, 120_000);
});
