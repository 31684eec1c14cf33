// The frame scheduler on its own, with no GPU: its steps are a scripted pipeline that records the
// order they run in and can make any of them wait or fail. What a user of frames() and run() sees
// (frames in order, the end, errors, waits that end at close) is asserted through both consumers.
import { describe, expect, it } from "vitest";
import { FrameScheduler, type FrameSteps } from "../../src/present/frame-scheduler.js";
import { openLoopTurn } from "../../src/sys/loop-turn.js";

interface FakeFrame {
  readonly n: number;
  target: string;
}

/** A scripted pipeline: each step logs itself; `wait` makes acquire or submit return a promise the test settles. */
class ScriptedSteps implements FrameSteps<FakeFrame, string> {
  readonly log: string[] = [];
  endReason: string | undefined;
  acquireWaits = false;
  submitWaits = false;
  failOn: { step: "acquire" | "submit" | "end"; frame: number } | undefined;
  pending: { resolve: (v?: unknown) => void; reject: (e: unknown) => void }[] = [];
  ends = 0;

  private wait<T>(value: T): Promise<T> {
    return new Promise<T>((resolve, reject) => this.pending.push({ resolve: () => resolve(value), reject }));
  }
  acquire(frame: number): string | Promise<string> {
    this.log.push(`acquire ${frame}`);
    if (this.failOn?.step === "acquire" && this.failOn.frame === frame) throw new Error(`acquire ${frame} failed`);
    return this.acquireWaits ? this.wait(`t${frame}`) : `t${frame}`;
  }
  handOut(target: string, frame: number): FakeFrame {
    this.log.push(`handOut ${frame}`);
    return { n: frame, target };
  }
  submit(frame: FakeFrame, last: boolean): Promise<void> | void {
    this.log.push(`submit ${frame.n}${last ? " last" : ""}`);
    if (this.failOn?.step === "submit" && this.failOn.frame === frame.n) throw new Error(`submit ${frame.n} failed`);
    if (this.submitWaits) return this.wait(undefined);
  }
  presented(): void {
    this.log.push("presented");
  }
  abandon(frame: FakeFrame, why: string): void {
    this.log.push(`abandon ${frame.n}: ${why}`);
  }
  end(): void {
    this.ends++;
    this.log.push("end");
    if (this.failOn?.step === "end") throw new Error("end failed");
  }
  /** Settles the oldest pending wait (after a macrotask, as real I/O would). */
  async release(error?: unknown): Promise<void> {
    await new Promise((r) => setTimeout(r, 1));
    const p = this.pending.shift();
    if (!p) throw new Error("nothing is waiting");
    if (error) p.reject(error);
    else p.resolve();
  }
}

function scheduler(steps: ScriptedSteps, limit = Infinity, minIntervalMs = 0) {
  let ended = 0;
  const turn = openLoopTurn(() => s.onTurn());
  const s = new FrameScheduler(steps, { limit, minIntervalMs }, turn, () => ended++);
  return { s, endedCount: () => ended, close: () => turn.close() };
}

describe("FrameScheduler (no GPU: scripted steps)", () => {
  it("runs the steps in order: acquire, hand out, submit, presented; submit of the last frame says so; ends once", async () => {
    const steps = new ScriptedSteps();
    const { s, endedCount, close } = scheduler(steps, 2);
    const seen: number[] = [];
    for await (const f of s) seen.push(f.n);
    close();
    expect(seen).toEqual([0, 1]);
    expect(steps.log).toEqual(["acquire 0", "handOut 0", "submit 0", "presented", "acquire 1", "handOut 1", "submit 1 last", "presented", "end"]);
    expect(endedCount()).toBe(1);
    expect(s.state).toBe("ended");
  });

  it("drive() hands ready frames over synchronously and resumes after waits; the states show each wait", async () => {
    const steps = new ScriptedSteps();
    steps.acquireWaits = true;
    steps.submitWaits = true;
    const { s, close } = scheduler(steps, 3);
    const states: string[] = [];
    const done = s.drive((f) => void states.push(`${f.n}:${s.state}`));
    expect(s.state).toBe("acquiring");
    await steps.release(); // target for frame 0
    expect(states).toEqual(["0:handed-out"]);
    expect(s.state).toBe("presenting");
    await steps.release(); // frame 0 presented
    expect(s.state).toBe("acquiring");
    while (steps.pending.length || s.state !== "ended") await steps.release();
    await done;
    close();
    expect(states).toEqual(["0:handed-out", "1:handed-out", "2:handed-out"]);
  });

  it("stop() during a wait ends it at once: next() resolves done, the handed-out frame is never submitted, and a late target is ignored", async () => {
    const steps = new ScriptedSteps();
    const { s, close } = scheduler(steps);
    const first = await s.next();
    expect(first.done).toBe(false);
    steps.acquireWaits = true;
    const pending = s.next(); // submits frame 0, then waits to acquire frame 1
    expect(s.state).toBe("acquiring");
    s.stop("closed by the test");
    expect(await pending).toEqual({ value: undefined, done: true });
    await steps.release(); // the target comes after the end: nothing happens
    expect(steps.log.filter((l) => l.startsWith("handOut"))).toEqual(["handOut 0"]);
    expect(steps.ends).toBe(1);
    close();
  });

  it("a frame left handed out is abandoned, not submitted, when the consumer breaks", async () => {
    const steps = new ScriptedSteps();
    const { s, close } = scheduler(steps);
    for await (const f of s) if (f.n === 1) break;
    close();
    expect(steps.log.slice(-2)).toEqual(["abandon 1: the loop was left", "end"]);
    expect(steps.log).not.toContain("submit 1");
  });

  it("a failing step ends the run and reaches the consumer: next() rejects, drive() rejects, after a wait too", async () => {
    const sync = new ScriptedSteps();
    sync.failOn = { step: "submit", frame: 1 };
    const a = scheduler(sync);
    await expect((async () => { for await (const _ of a.s) void _; })()).rejects.toThrow("submit 1 failed");
    expect(sync.log).toContain("abandon 1: the loop failed: submit 1 failed");
    a.close();

    const later = new ScriptedSteps();
    later.acquireWaits = true;
    const b = scheduler(later);
    const run = b.s.drive(() => {});
    await later.release(new Error("the display went away"));
    await expect(run).rejects.toThrow("the display went away");
    expect(later.ends).toBe(1);
    b.close();
  });

  it("a throw in drive()'s body ends the run with that error; returning false ends it quietly", async () => {
    const steps = new ScriptedSteps();
    const a = scheduler(steps);
    await expect(a.s.drive((f) => { if (f.n === 2) throw new Error("body threw"); })).rejects.toThrow("body threw");
    expect(steps.log.slice(-2)).toEqual(["abandon 2: the loop body threw", "end"]);
    a.close();
    const quiet = new ScriptedSteps();
    const b = scheduler(quiet);
    await b.s.drive((f) => f.n < 3);
    expect(quiet.log.slice(-2)).toEqual(["abandon 3: the loop body returned false", "end"]);
    b.close();
  });

  it("ending that fails (a lost device) rejects the waiting consumer instead of a quiet end", async () => {
    const steps = new ScriptedSteps();
    steps.acquireWaits = true;
    steps.failOn = { step: "end", frame: 0 };
    const { s, close } = scheduler(steps);
    const pending = s.next();
    s.stop("closed");
    await expect(pending).rejects.toThrow("end failed");
    close();
  });

  it("the display's end (endReason) ends the run before the next frame", async () => {
    const steps = new ScriptedSteps();
    const { s, close } = scheduler(steps);
    const seen: number[] = [];
    for await (const f of s) {
      seen.push(f.n);
      if (f.n === 1) steps.endReason = "the window was closed";
    }
    close();
    expect(seen).toEqual([0, 1]);
    expect(steps.log).not.toContain("acquire 2");
  });

  it("maxFps: frames are handed out on a grid one interval apart (waits in the capped state)", async () => {
    const steps = new ScriptedSteps();
    const { s, close } = scheduler(steps, 21, 10);
    const times: number[] = [];
    const states = new Set<string>();
    const poll = setInterval(() => states.add(s.state), 1);
    for await (const _ of s) times.push(performance.now());
    clearInterval(poll);
    close();
    const mean = (times.at(-1)! - times[0]!) / (times.length - 1);
    expect(mean).toBeGreaterThanOrEqual(9.9);
    expect(mean).toBeLessThan(15); // a busy machine delays timers; a scheduler that ignored the cap would be near 0
    expect(states.has("capped")).toBe(true);
  });

  it("a run that never waits still gives the event loop turns (a timer fires during it)", async () => {
    const steps = new ScriptedSteps();
    const { s, close } = scheduler(steps);
    let fired = -1;
    let frames = 0;
    setTimeout(() => (fired = frames), 1);
    await s.drive(() => ++frames < 200_000 && fired < 0);
    close();
    expect(fired).toBeGreaterThan(0);
  });

  it("next() called again before the previous one settled is refused, naming the call", async () => {
    const steps = new ScriptedSteps();
    steps.acquireWaits = true;
    const { s, close } = scheduler(steps);
    const first = s.next();
    await expect(s.next()).rejects.toThrow("next() called again before the previous next() settled");
    s.stop("done");
    await first;
    close();
  });
});
