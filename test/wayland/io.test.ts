// The connection's socket I/O: it runs on the main thread (round trips go on while every libuv
// pool thread is busy), dispatches everything waiting in the socket in one wake-up, writes a turn's
// requests in one sendmsg, keeps the event loop running while a compositor does not read, passes
// descriptors both ways in order, and ends cleanly when the compositor hangs up (after reading what
// it said last). The peer is the other end of a real socket pair, or a real Weston.
import { closeSync, readlinkSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { libc, openFdCount } from "../../src/sys/libc.js";
import { SharedMemory } from "../../src/sys/memfd.js";
import { NativeBytes } from "../../src/sys/native-bytes.js";
import { socketPair, type UnixSocket } from "../../src/sys/socket.js";
import { Connection, type Transport, WaylandConnectionError, WaylandProtocolError } from "../../src/wayland/connection.js";
import type { ReceivedFd } from "../../src/wayland/proxy.js";
import { WlKeyboard, WlShm, WlSurface } from "../../src/wayland/protocol/wayland.js";
import { decodeArgs, encodeMessage, HEADER_SIZE, type MessageSpec, readHeader, type WireValue } from "../../src/wayland/wire.js";
import { westonAvailable } from "../../scripts/testbed/weston.js";
import { westonFixture } from "./weston-fixture.js";

const settle = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
const nextMacrotask = () => new Promise<void>((r) => setImmediate(r));

/** One event as the compositor would send it. */
function event(target: { id: number; spec: { events: readonly MessageSpec[] } }, name: string, args: WireValue[]): Uint8Array {
  const opcode = target.spec.events.findIndex((e) => e.name === name);
  return encodeMessage(target.id, opcode, target.spec.events[opcode]!, args, []);
}

/** Request parser for the peer side: whole messages, each with the descriptors it carries. */
class RequestReader {
  private pending = new Uint8Array(0);
  private readonly fds: number[] = [];
  readonly messages: { id: number; opcode: number; args: WireValue[] }[] = [];
  constructor(private readonly specOf: (id: number, opcode: number) => MessageSpec) {}
  /** Adds what one recv returned; a message whose descriptor has not arrived yet is an error. */
  add(bytes: Uint8Array, fds: number[]): void {
    this.fds.push(...fds);
    const all = new Uint8Array(this.pending.length + bytes.length);
    all.set(this.pending);
    all.set(bytes, this.pending.length);
    let offset = 0;
    for (let h = readHeader(all, 0, all.length); h && all.length - offset >= h.size; h = readHeader(all, offset, all.length)) {
      const spec = this.specOf(h.id, h.opcode);
      const args = decodeArgs(spec, all.subarray(offset + HEADER_SIZE, offset + h.size), () => this.fds.shift(), `${spec.name} #${this.messages.length}`);
      this.messages.push({ id: h.id, opcode: h.opcode, args });
      offset += h.size;
    }
    this.pending = all.slice(offset);
  }
}

describe("socket I/O against a peer on a socket pair", () => {
  let conn: Connection;
  let peer: UnixSocket;
  let fdsBefore: number;
  const memfds: SharedMemory[] = [];
  /** A 4 KiB memfd, closed after the test. */
  const memfd = (name: string) => {
    const m = SharedMemory.create(name, 4096);
    memfds.push(m);
    return m;
  };
  beforeEach(() => {
    fdsBefore = openFdCount();
    const [a, b] = socketPair();
    conn = Connection.fromSocket(a);
    peer = b;
  });
  afterEach(async () => {
    for (const m of memfds.splice(0)) m.close();
    await conn.close();
    peer.close();
    expect(openFdCount()).toBe(fdsBefore);
  });

  it("dispatches every event waiting in the socket in the wake-up that finds it", async () => {
    const shm = conn.allocate(WlShm, 1);
    const count = 8000; // 96 KB: several reads of the receive buffer, all in the socket at once
    let seen = 0;
    let seenWhenImmediateRan = -1;
    shm.on("format", (format) => {
      expect(format).toBe(seen);
      if (seen++ === 0) setImmediate(() => (seenWhenImmediateRan = seen));
    });
    const stream = new NativeBytes(count * 12);
    for (let i = 0; i < count; i++) stream.bytes.set(event(shm, "format", [i]), i * 12);
    expect(peer.sendSome(stream, 0, stream.size)).toBe(stream.size); // queued whole before we read
    while (seenWhenImmediateRan < 0) await nextMacrotask();
    expect(seenWhenImmediateRan).toBe(count);
  });

  it("writes the requests of one turn with one sendmsg", async () => {
    let sends = 0;
    const [a, b] = socketPair();
    const counting: Transport = {
      receive: (...args) => a.receive(...args),
      sendSome: (...args) => (sends++, a.sendSome(...args)),
      watch: (listener) => a.watch(listener),
      wantWritable: (on) => a.wantWritable(on),
      close: () => a.close(),
    };
    const c = Connection.fromSocket(counting);
    try {
      const surface = c.allocate(WlSurface, 4);
      for (let i = 0; i < 40; i++) surface.damage_buffer(i, 0, 1, 1);
      expect(sends).toBe(0); // nothing is written while the turn's code still runs
      await nextMacrotask();
      expect(sends).toBe(1);
      const reader = new RequestReader(() => WlSurface.spec.requests[9]!);
      while (reader.messages.length < 40) {
        const got = await b.recv();
        reader.add(got.bytes, got.fds);
      }
      expect(reader.messages.map((m) => m.args[0])).toEqual([...Array(40).keys()]);
    } finally {
      await c.close();
      b.close();
    }
  });

  it("keeps the event loop running while the peer does not read, then delivers everything in order with its descriptors", async () => {
    const shm = conn.allocate(WlShm, 1);
    const surface = conn.allocate(WlSurface, 4);
    const memory = memfd("io-test");
    const total = 30_000; // 720 KB of damage_buffer: several times what the socket buffers
    const poolEvery = 1000;
    for (let i = 0; i < total; i++) {
      surface.damage_buffer(i, 0, 1, 1);
      if (i % poolEvery === 0) shm.create_pool(memory.fd, 4096);
    }
    let drained = false;
    const flushed = conn.flush().then(() => (drained = true));
    // the socket is full and nobody reads: timers still fire, and the flush is still waiting
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 30));
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(drained).toBe(false);
    // now the peer reads: every request arrives once, in order, each create_pool with its memfd
    const reader = new RequestReader((id, opcode) => (id === shm.id ? WlShm.spec : WlSurface.spec).requests[opcode]!);
    const expected = total + total / poolEvery;
    while (reader.messages.length < expected) {
      const got = await peer.recv();
      expect(got.bytes.length).toBeGreaterThan(0);
      reader.add(got.bytes, got.fds);
    }
    await flushed;
    const damage = reader.messages.filter((m) => m.id === surface.id).map((m) => m.args[0]);
    expect(damage).toEqual([...Array(total).keys()]);
    const pools = reader.messages.filter((m) => m.id === shm.id);
    expect(pools.length).toBe(total / poolEvery);
    for (const p of pools) {
      const fd = p.args[1] as number;
      expect(readlinkSync(`/proc/self/fd/${fd}`)).toBe(readlinkSync(`/proc/self/fd/${memory.fd}`));
      closeSync(fd);
    }
  });

  it("hands a received descriptor to the handler and closes it afterwards unless taken", async () => {
    const keyboard = conn.allocate(WlKeyboard, 1);
    const memory = memfd("keymap");
    const seen: string[] = [];
    let kept: number | undefined;
    keyboard.on("keymap", (_format: number, fd: ReceivedFd, size: number) => {
      seen.push(`${readlinkSync(`/proc/self/fd/${fd.fd}`)} ${size}`);
      if (seen.length === 2) kept = fd.take();
    });
    await peer.send(event(keyboard, "keymap", [1, 0, 4096]), [memory.fd]);
    await peer.send(event(keyboard, "keymap", [1, 0, 4096]), [memory.fd]);
    while (seen.length < 2) await nextMacrotask();
    const name = readlinkSync(`/proc/self/fd/${memory.fd}`);
    expect(seen).toEqual([`${name} 4096`, `${name} 4096`]);
    expect(openFdCount()).toBe(fdsBefore + 2 + 1 + 1); // the pair, the memfd, the kept one only
    closeSync(kept!);
  });

  it("a hang-up fails waiting round trips with a clear error and closes queued descriptors", async () => {
    const shm = conn.allocate(WlShm, 1);
    const memory = memfd("doomed");
    const rt = settle(conn.roundtrip());
    shm.create_pool(memory.fd, 4096);
    peer.close();
    const err = await rt;
    expect(err).toBeInstanceOf(WaylandConnectionError);
    expect((err as Error).message).toMatch(/the compositor closed the connection \(\(socket\)/);
    expect(conn.error).toBe(err);
    await expect(conn.closed).rejects.toBe(err);
  });

  it("a compositor killed with our requests unread: its last events are dispatched, then the hang-up is named as such", async () => {
    // Closing a socket with unread data resets the peer: ours then polls as an error (libuv calls it
    // EBADF) while still holding the compositor's last bytes. Weston killed mid-run does exactly this.
    const shm = conn.allocate(WlShm, 1);
    const formats: number[] = [];
    shm.on("format", (f) => formats.push(f));
    const rt = settle(conn.roundtrip()); // a request the peer never reads
    await nextMacrotask();
    await peer.send(event(shm, "format", [7]));
    peer.close();
    const err = await rt;
    expect(formats).toEqual([7]);
    expect(err).toBeInstanceOf(WaylandConnectionError);
    expect((err as Error).message).toMatch(/^the compositor closed the connection \(\(socket\)/);
  });

  it("reads the compositor's last words before blaming the hang-up on a failed send", async () => {
    const shm = conn.allocate(WlShm, 1);
    // the compositor reports an error and hangs up; our next request then fails with EPIPE
    await peer.send(event(conn.display, "error", [shm.id, 1, "invalid stride"]));
    peer.close();
    const err = await settle(conn.roundtrip());
    expect(err).toBeInstanceOf(WaylandProtocolError);
    expect((err as Error).message).toBe("Wayland protocol error on wl_shm#2: code 1 (invalid_stride): invalid stride");
  });
});

describe.skipIf(!westonAvailable)("socket I/O against Weston", () => {
  const bed = westonFixture();

  it("round trips go on while every libuv pool thread is busy: no thread hop", async () => {
    const c = Connection.connect({ socket: bed.weston.path });
    const usleep = libc.func("int usleep(uint32_t usec)");
    const poolSize = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
    let sleepersDone = 0;
    const sleepers = Array.from({ length: poolSize }, () => new Promise<void>((r) => usleep.async(1_500_000, () => r(void sleepersDone++))));
    try {
      await new Promise((r) => setTimeout(r, 50)); // the pool threads are asleep now
      const t0 = performance.now();
      for (let i = 0; i < 200; i++) await c.roundtrip();
      const ms = performance.now() - t0;
      expect(sleepersDone).toBe(0);
      expect(ms).toBeLessThan(1000);
    } finally {
      await Promise.all(sleepers);
      await c.close();
    }
  });
});
