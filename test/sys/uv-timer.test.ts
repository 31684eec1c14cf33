// The one-shot libuv timer (sys/uv-timer.ts) that ends a Wayland connection's read pause, and the
// socket's paused readability it works with (UnixSocket.pauseReading): a paused socket with bytes
// waiting wakes nobody until it is resumed.
import { afterEach, describe, expect, it } from "vitest";
import { liveUvTimers, openUvTimer } from "../../src/sys/uv-timer.js";
import { socketPair, type UnixSocket } from "../../src/sys/socket.js";

const nextTurn = () => new Promise<void>((r) => setImmediate(r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("openUvTimer on the main thread", () => {
  it("is libuv's own timer, fires once no earlier than asked, and a new start replaces a pending one", async () => {
    const fired: number[] = [];
    const timer = openUvTimer(() => fired.push(performance.now()));
    try {
      expect(timer.kind).toBe("libuv");
      const t0 = performance.now();
      timer.start(40);
      timer.start(15); // replaces the 40 ms one
      await sleep(80);
      expect(fired.length).toBe(1);
      expect(fired[0]! - t0).toBeGreaterThanOrEqual(14); // libuv's clock counts whole milliseconds
      expect(fired[0]! - t0).toBeLessThan(40);
    } finally {
      timer.close();
    }
  });

  it("does not fire once stopped or closed, and its handle is released after close", async () => {
    await nextTurn();
    await nextTurn(); // the previous test's timer is released on a turn after its close
    const before = liveUvTimers();
    let fired = 0;
    const a = openUvTimer(() => fired++);
    const b = openUvTimer(() => fired++);
    a.start(5);
    a.stop();
    b.start(5);
    b.close();
    b.start(5); // nothing after close
    await sleep(30);
    expect(fired).toBe(0);
    a.close();
    expect(liveUvTimers()).toBe(before + 1); // b's was freed on a turn while we slept; a's on a later turn
    await nextTurn();
    await nextTurn();
    expect(liveUvTimers()).toBe(before);
  });
});

describe("UnixSocket.pauseReading", () => {
  let pair: [UnixSocket, UnixSocket] | undefined;
  afterEach(() => {
    for (const s of pair ?? []) s.close();
    pair = undefined;
  });

  it("reports no readability while paused, even with bytes waiting; resuming reports them", async () => {
    pair = socketPair();
    const [a, b] = pair;
    let readable = 0;
    a.watch((r) => {
      if (!r.readable) return;
      readable++;
      a.pauseReading(true); // unread, it would fire on every turn
    });
    a.pauseReading(true);
    await b.send(new Uint8Array([1, 2, 3]));
    await sleep(30);
    expect(readable).toBe(0);
    a.pauseReading(false);
    await sleep(30);
    expect(readable).toBe(1);
  });
});
