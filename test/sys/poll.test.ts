// FdPoll: readiness of a real socket pair on Node's event loop. On the main thread it is libuv's own
// poll handle (sys/uv-poll.ts), in a worker thread koffi.node.poll's; both report readable and
// writable, keep the process alive only while they watch, and release their handles on close.
import { spawnSync } from "node:child_process";
import { Worker } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import { FdPoll, type Readiness } from "../../src/sys/poll.js";
import { socketPair, type UnixSocket, WOULD_BLOCK } from "../../src/sys/socket.js";
import { NativeBytes } from "../../src/sys/native-bytes.js";
import { liveUvPolls } from "../../src/sys/uv-poll.js";

const DIST = `${process.cwd()}/dist/src`;
const nextTurn = () => new Promise<void>((r) => setImmediate(r));

describe("FdPoll on the main thread", () => {
  let pair: [UnixSocket, UnixSocket] | undefined;
  afterEach(() => {
    for (const s of pair ?? []) s.close();
    pair = undefined;
  });

  it("uses libuv's own handle and reports what the socket is ready for", async () => {
    pair = socketPair();
    const [a, b] = pair;
    const seen: Readiness[] = [];
    let wake: (() => void) | undefined;
    const poll = new FdPoll(a.descriptor, (r) => {
      seen.push({ ...r });
      wake?.();
    });
    const next = () => new Promise<void>((r) => (wake = r));
    try {
      poll.watch(true, false);
      expect(poll.handleKind).toBe("libuv");
      await nextTurn();
      expect(seen).toEqual([]); // nothing to read yet

      let ready = next();
      await b.send(new Uint8Array([1, 2, 3]));
      await ready;
      expect(seen.at(-1)).toEqual({ readable: true, writable: false, error: undefined });

      poll.watch(true, true); // an empty send buffer: writable at once, and the unread bytes still readable
      ready = next();
      await ready;
      expect(seen.at(-1)).toEqual({ readable: true, writable: true, error: undefined });

      const rx = new NativeBytes(64);
      expect(a.receive(rx, 0, 64, [])).toBe(3);
      expect(a.receive(rx, 0, 64, [])).toBe(WOULD_BLOCK);
      poll.watch(false, false);
      const count = seen.length;
      await b.send(new Uint8Array([4]));
      await nextTurn();
      await nextTurn();
      expect(seen.length).toBe(count); // stopped: no more calls
    } finally {
      poll.close();
    }
  });

  it("releases every handle it opened once closed (a thousand open/close cycles)", async () => {
    pair = socketPair();
    await nextTurn(); // the previous test's handle is released on a turn after its close
    const before = liveUvPolls();
    for (let i = 0; i < 1000; i++) {
      const poll = new FdPoll(pair[0].descriptor, () => {});
      poll.watch(true, false);
      poll.close();
    }
    expect(liveUvPolls()).toBe(before + 1000); // libuv frees them on a later turn of the loop
    await nextTurn();
    await nextTurn();
    expect(liveUvPolls()).toBe(before);
  });
});

describe("FdPoll callbacks and node's queues", () => {
  let pairs: [UnixSocket, UnixSocket][] = [];
  afterEach(() => {
    for (const p of pairs) for (const s of p) s.close();
    pairs = [];
  });

  it("the microtasks a callback queues run before libuv calls the next one, as after node's own I/O callbacks", async () => {
    pairs = [socketPair(), socketPair()];
    const order: string[] = [];
    const polls = pairs.map(([a], i) => {
      const poll = new FdPoll(a.descriptor, () => {
        poll.watch(false, false);
        order.push(`callback ${i}`);
        void Promise.resolve().then(() => order.push(`microtask ${i}`));
        process.nextTick(() => order.push(`tick ${i}`));
      });
      poll.watch(true, false);
      return poll;
    });
    try {
      // both readable before the loop polls again: libuv calls both callbacks in one poll phase
      for (const [, b] of pairs) await b.send(new Uint8Array([1]));
      await new Promise<void>((r) => setTimeout(r, 50));
      expect(order).toHaveLength(6);
      const first = order[0]!.endsWith("0") ? 0 : 1;
      const other = 1 - first;
      expect(order).toEqual([`callback ${first}`, `tick ${first}`, `microtask ${first}`, `callback ${other}`, `tick ${other}`, `microtask ${other}`]);
    } finally {
      for (const p of polls) p.close();
    }
  });
});

/** Runs `body` in a fresh node that imports the built poll and socket modules; returns its exit status. */
function runNode(body: string, timeoutMs: number): { status: number | null; signal: NodeJS.Signals | null; stdout: string } {
  const script = `
    const { FdPoll } = await import(${JSON.stringify(`${DIST}/sys/poll.js`)});
    const { socketPair } = await import(${JSON.stringify(`${DIST}/sys/socket.js`)});
    const [a, b] = socketPair();
    ${body}`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { timeout: timeoutMs, encoding: "utf8" });
  return { status: r.status, signal: r.signal, stdout: r.stdout };
}

describe("FdPoll and the life of the process", () => {
  it("a watching handle keeps node running; a closed one lets it exit", () => {
    const watching = runNode(`new FdPoll(a.descriptor, () => {}).watch(true, false);`, 1500);
    expect(watching.signal).toBe("SIGTERM"); // killed at the timeout: still running
    const closed = runNode(`const p = new FdPoll(a.descriptor, () => {}); p.watch(true, false); p.close(); console.log(p.handleKind);`, 10_000);
    expect(closed).toMatchObject({ status: 0, signal: null });
  });
});

describe("FdPoll: errors thrown from its callbacks", () => {
  /** What a fresh node prints when the poll callback runs `throwing` (the socket became readable). */
  const uncaughtFrom = (throwing: string) =>
    runNode(
      `process.on("uncaughtException", (e) => { console.log("caught: " + e.message); process.exit(0); });
       const p = new FdPoll(a.descriptor, () => { p.close(); ${throwing} });
       p.watch(true, false);
       await b.send(new Uint8Array([1]));`,
      10_000,
    );

  it.each([
    ["a throwing callback", `throw new Error("bang");`, "bang"],
    ["a throwing tick callback it queued", `process.nextTick(() => { throw new Error("boom"); });`, "boom"],
  ])("%s reaches process 'uncaughtException' like one in node's own I/O callbacks", (_what, throwing, message) => {
    const r = uncaughtFrom(throwing);
    expect(r.stdout.trim()).toBe(`caught: ${message}`);
    expect(r.status).toBe(0);
  });
});

describe("FdPoll in a worker thread", () => {
  it("falls back to koffi's handle and reports readiness the same way", async () => {
    const code = `
      const { parentPort } = require("node:worker_threads");
      (async () => {
        const { FdPoll } = await import(${JSON.stringify(`${DIST}/sys/poll.js`)});
        const { socketPair } = await import(${JSON.stringify(`${DIST}/sys/socket.js`)});
        const [a, b] = socketPair();
        const poll = new FdPoll(a.descriptor, (r) => {
          parentPort.postMessage({ kind: poll.handleKind, ready: { ...r } });
          poll.close();
          a.close();
          b.close();
        });
        poll.watch(true, false);
        await b.send(new Uint8Array([7]));
      })().catch((e) => parentPort.postMessage({ error: String(e) }));`;
    const worker = new Worker(code, { eval: true });
    // The worker ends by itself once its poll and sockets are closed. terminate() while koffi's poll
    // handle still runs its close can abort the process (koffi throws into a worker that is going
    // away: "napi_throw" FATAL ERROR, seen under vitest with koffi 3.3.4), so it is only the fallback.
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    try {
      const message = await new Promise((resolve, reject) => {
        worker.once("message", resolve);
        worker.once("error", reject);
      });
      expect(message).toEqual({ kind: "koffi", ready: { readable: true, writable: false, error: undefined } });
    } finally {
      const timer = setTimeout(() => void worker.terminate(), 10_000);
      await exited;
      clearTimeout(timer);
    }
  });
});
