// A frame loop whose backend never waits on I/O (headless: fences are waited for synchronously)
// runs entirely in microtasks, so timers and sockets (the status server's too) never get a turn.
// yieldEvery gives the event loop one turn every few milliseconds, at the cost of a clock read
// per frame and a setImmediate per turn.
import { setImmediate as nextTurn } from "node:timers/promises";

/**
 * Returns a function to call once per frame: at most every `ms` milliseconds it returns a promise
 * that resolves after the event loop has run its timers and I/O; otherwise undefined (no await needed).
 */
export function yieldEvery(ms = 4): () => Promise<unknown> | undefined {
  let last = performance.now();
  return () => {
    const now = performance.now();
    if (now - last < ms) return undefined;
    last = now;
    return nextTurn();
  };
}
