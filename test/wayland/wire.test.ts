// Wire format: every argument type round-trips, padding and sizes are exact, fds travel in order
// through a real socket pair, and bad input is a typed error.
import { closeSync, openSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { openFdCount } from "../../src/sys/libc.js";
import { socketPair } from "../../src/sys/socket.js";
import {
  decodeArgs,
  encodeMessage,
  HEADER_SIZE,
  MAX_MESSAGE_SIZE,
  messageSize,
  type MessageSpec,
  readHeader,
  WireError,
  type WireValue,
  writeMessage,
} from "../../src/wayland/wire.js";

const everything: MessageSpec = {
  name: "everything",
  since: 1,
  args: [
    { name: "i", type: "int" },
    { name: "u", type: "uint" },
    { name: "f", type: "fixed" },
    { name: "s", type: "string" },
    { name: "ns", type: "string", nullable: true },
    { name: "o", type: "object", interface: "wl_surface" },
    { name: "no", type: "object", interface: "wl_surface", nullable: true },
    { name: "n", type: "new_id", interface: "wl_callback" },
    { name: "a", type: "array" },
    { name: "fd", type: "fd" },
  ],
};
const bind: MessageSpec = { name: "bind", since: 1, args: [{ name: "name", type: "uint" }, { name: "id", type: "new_id" }] };

function roundTrip(spec: MessageSpec, args: WireValue[], fdsIn: number[] = []) {
  const fds: number[] = [];
  const bytes = encodeMessage(7, 3, spec, args, fds);
  const h = readHeader(bytes, 0, bytes.length)!;
  const queue = [...fds, ...fdsIn];
  const decoded = decodeArgs(spec, bytes.subarray(HEADER_SIZE, h.size), () => queue.shift(), "test");
  return { bytes, header: h, decoded, fds };
}

describe("wire format", () => {
  it("round-trips every argument type", () => {
    const args: WireValue[] = [-5, 0xfffffffe, -1.5, "héllo", null, 12, 0, 13, new Uint8Array([1, 2, 3, 4, 5]), 42];
    const { header, decoded, fds, bytes } = roundTrip(everything, args);
    expect(header).toEqual({ id: 7, opcode: 3, size: bytes.length });
    expect(fds).toEqual([42]);
    expect(decoded).toEqual(args);
  });

  it("encodes fixed as 24.8 and rounds to the nearest 1/256", () => {
    const spec: MessageSpec = { name: "f", since: 1, args: [{ name: "v", type: "fixed" }] };
    const { bytes, decoded } = roundTrip(spec, [1.0]);
    expect(new DataView(bytes.buffer).getInt32(8, true)).toBe(256);
    expect(roundTrip(spec, [-0.25]).decoded).toEqual([-0.25]);
    expect(roundTrip(spec, [3.14159]).decoded[0]).toBeCloseTo(3.14159, 2);
    expect(decoded).toEqual([1]);
  });

  it("pads strings and arrays to 4 bytes, with the exact sizes libwayland uses", () => {
    const s: MessageSpec = { name: "s", since: 1, args: [{ name: "s", type: "string" }] };
    // "abc" + NUL = 4 bytes: 8 header + 4 length + 4
    expect(roundTrip(s, ["abc"]).bytes.length).toBe(16);
    // "abcd" + NUL = 5 bytes -> padded to 8
    const b = roundTrip(s, ["abcd"]).bytes;
    expect(b.length).toBe(20);
    expect(new DataView(b.buffer).getUint32(8, true)).toBe(5);
    expect([...b.subarray(12 + 5)]).toEqual([0, 0, 0]);
    const a: MessageSpec = { name: "a", since: 1, args: [{ name: "a", type: "array" }] };
    expect(roundTrip(a, [new Uint8Array(0)]).bytes.length).toBe(12);
    expect(roundTrip(a, [new Uint8Array(5)]).bytes.length).toBe(20);
    // the untyped new_id of wl_registry.bind: string interface, uint version, uint id
    const { bytes, decoded } = roundTrip(bind, [9, { interface: "wl_compositor", version: 4, id: 5 }]);
    expect(bytes.length).toBe(8 + 4 + 4 + 16 + 4 + 4);
    expect(decoded).toEqual([9, { interface: "wl_compositor", version: 4, id: 5 }]);
  });

  it("writes into a reused buffer exactly what a fresh one gets: sizes of multi-byte text, zero padding", () => {
    const spec: MessageSpec = { name: "t", since: 1, args: [{ name: "s", type: "string" }, { name: "a", type: "array" }, { name: "u", type: "uint" }] };
    // 2-, 3- and 4-byte UTF-8, and a lone surrogate (sent as U+FFFD, as TextEncoder does)
    for (const text of ["é", "€uro", "a😀", "x\ud800y"]) {
      const args: WireValue[] = [text, new Uint8Array([1, 2, 3]), 7];
      const fresh = encodeMessage(3, 1, spec, args, []);
      expect(messageSize(spec, args)).toBe(fresh.length);
      const dirty = new Uint8Array(fresh.length + 8).fill(0xff); // what an earlier message left
      writeMessage({ bytes: dirty, view: new DataView(dirty.buffer) }, 4, fresh.length, 3, 1, spec, args, []);
      expect([...dirty.subarray(4, 4 + fresh.length)]).toEqual([...fresh]);
      expect(decodeArgs(spec, fresh.subarray(HEADER_SIZE), () => undefined, "t")).toEqual([text.replace("\ud800", "\ufffd"), args[1], 7]);
    }
  });

  it("enforces the 16-bit size limit and argument ranges", () => {
    const a: MessageSpec = { name: "a", since: 1, args: [{ name: "a", type: "array" }] };
    const fits = MAX_MESSAGE_SIZE - HEADER_SIZE - 4;
    expect(roundTrip(a, [new Uint8Array(fits)]).bytes.length).toBe(MAX_MESSAGE_SIZE);
    expect(() => roundTrip(a, [new Uint8Array(fits + 1)])).toThrow(WireError);
    const i: MessageSpec = { name: "i", since: 1, args: [{ name: "i", type: "int" }] };
    expect(() => roundTrip(i, [2 ** 31])).toThrow(/out of int32 range/);
    expect(() => roundTrip(i, [1.5])).toThrow(WireError);
    const o: MessageSpec = { name: "o", since: 1, args: [{ name: "o", type: "object" }] };
    expect(() => roundTrip(o, [0])).toThrow(/non-nullable/);
    const s: MessageSpec = { name: "s", since: 1, args: [{ name: "s", type: "string" }] };
    expect(() => roundTrip(s, [null])).toThrow(/non-nullable/);
    expect(() => roundTrip(s, ["a\0b"])).toThrow(/NUL/);
  });

  it("rejects malformed input with WireError", () => {
    const s: MessageSpec = { name: "s", since: 1, args: [{ name: "s", type: "string" }] };
    const body = (words: number[], extra: number[] = []) => {
      const u = new Uint8Array(words.length * 4 + extra.length);
      const v = new DataView(u.buffer);
      words.forEach((w, k) => v.setUint32(k * 4, w, true));
      u.set(extra, words.length * 4);
      return u;
    };
    const none = () => undefined;
    expect(() => decodeArgs(s, body([100], [97, 0, 0, 0]), none, "t")).toThrow(/exceeds the message/);
    expect(() => decodeArgs(s, body([4], [97, 98, 99, 100]), none, "t")).toThrow(/not NUL-terminated/);
    expect(() => decodeArgs(s, body([0]), none, "t")).toThrow(/null string/);
    expect(() => decodeArgs(s, body([2], [97, 0, 0, 0, 1, 2, 3, 4]), none, "t")).toThrow(/trailing bytes/);
    expect(() => decodeArgs(s, body([]), none, "t")).toThrow(/runs past the end/);
    const f: MessageSpec = { name: "f", since: 1, args: [{ name: "fd", type: "fd" }] };
    expect(() => decodeArgs(f, new Uint8Array(0), none, "t")).toThrow(/descriptor fd missing/);
    const hdr = new Uint8Array(8);
    new DataView(hdr.buffer).setUint32(4, (6 << 16) | 1, true);
    expect(() => readHeader(hdr, 0, 8)).toThrow(/invalid size 6/);
    expect(readHeader(hdr, 0, 7)).toBeNull();
  });

  it("passes descriptors with SCM_RIGHTS in order and closes nothing it does not own", async () => {
    const before = openFdCount();
    const [a, b] = socketPair();
    const f1 = openSync("/dev/null", "r");
    const f2 = openSync("/proc/self/stat", "r");
    try {
      await a.send(new Uint8Array([1, 2, 3, 4]), [f1, f2]);
      const got = await b.recv();
      expect([...got.bytes]).toEqual([1, 2, 3, 4]);
      expect(got.fds.length).toBe(2);
      // received descriptors are new ones, close-on-exec, referring to the same files
      const { readlinkSync } = await import("node:fs");
      expect(readlinkSync(`/proc/self/fd/${got.fds[0]}`)).toBe("/dev/null");
      expect(readlinkSync(`/proc/self/fd/${got.fds[1]}`)).toMatch(/\/stat$/);
      for (const fd of got.fds) closeSync(fd);
      // a large payload (more than one socket buffer) arrives whole
      const big = new Uint8Array(600_000).map((_, i) => i & 0xff);
      const sending = a.send(big);
      let total = 0;
      while (total < big.length) {
        const r = await b.recv();
        expect(r.bytes[0]).toBe(total & 0xff);
        total += r.bytes.length;
      }
      await sending;
      expect(total).toBe(big.length);
    } finally {
      closeSync(f1);
      closeSync(f2);
      a.close();
      b.close();
    }
    expect(openFdCount()).toBe(before);
  });
});
