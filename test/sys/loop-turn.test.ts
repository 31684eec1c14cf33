// LoopTurn: one event-loop turn per request, through libuv's idle handle where the caller has no
// async context (allocation-free), through setImmediate where it has one (AsyncLocalStorage keeps
// its store); loopHasWork: whether a turn would find anything to run. Each case runs in a fresh
// node at top level, where no test runner's async context hides the idle path; the last block
// drives the headless frame loop, whose turns these are.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const DIST = `${process.cwd()}/dist`;

/** Runs `body` (ES module code) in a fresh node and returns what it printed as JSON on its last line. */
function runNode<T>(body: string, timeoutMs = 30_000, flags: string[] = []): { status: number | null; signal: NodeJS.Signals | null; result: T | undefined; stderr: string } {
  const script = `
    const { openLoopTurn, inAsyncContext, loopTurnsStarted } = await import(${JSON.stringify(`${DIST}/src/sys/loop-turn.js`)});
    const { loopHasWork } = await import(${JSON.stringify(`${DIST}/src/sys/loop-work.js`)});
    const busy = (ms) => { const until = performance.now() + ms; while (performance.now() < until); };
    const { liveUvHandles, UV_IDLE } = await import(${JSON.stringify(`${DIST}/src/sys/libuv.js`)});
    const nextTurns = async (n) => { for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r)); };
    ${body}`;
  const r = spawnSync(process.execPath, [...flags, "--input-type=module", "-e", script], { timeout: timeoutMs, encoding: "utf8" });
  const last = r.stdout.trim().split("\n").pop();
  let result: T | undefined;
  try {
    result = last ? (JSON.parse(last) as T) : undefined;
  } catch {
    result = undefined;
  }
  return { status: r.status, signal: r.signal, result, stderr: r.stderr };
}

/** Module code that opens a headless presenter (validation on) with the triangle: gpu, out, scene, draw(frame). */
const HEADLESS_TRIANGLE = `
      const { Instance, createHeadlessPresenter } = await import(${JSON.stringify(`${DIST}/src/index.js`)});
      const { Triangle } = await import(${JSON.stringify(`${DIST}/src/scenes/index.js`)});
      const gpu = await Instance.create({ validation: true, requireValidation: true });
      const out = createHeadlessPresenter(gpu.createDevice(), { size: [64, 48] }, true);
      const scene = Triangle.create(out);
      const draw = (f) => { scene.update(f); f.record((cmd) => scene.draw(cmd, f)); };`;

describe("LoopTurn outside any async context: libuv's idle handle", () => {
  it("calls back once per request; cancel drops it; close releases the handle", () => {
    const r = runNode<{ inContext: boolean; kind: string; once: number; cancelled: number; afterClose: number; liveOpen: number; liveAfter: number }>(`
      let calls = 0;
      const turn = openLoopTurn(() => calls++);
      const inContext = inAsyncContext();
      turn.request(false);
      turn.request(false); // the same turn
      const kind = turn.lastKind;
      const liveOpen = liveUvHandles(UV_IDLE);
      await nextTurns(3);
      const once = calls;
      turn.request(false);
      turn.cancel();
      await nextTurns(3);
      const cancelled = calls - once;
      turn.close();
      turn.request(false); // ignored after close
      await nextTurns(3);
      console.log(JSON.stringify({ inContext, kind, once, cancelled, afterClose: calls - once, liveOpen, liveAfter: liveUvHandles(UV_IDLE) }));
    `);
    expect(r.stderr).toBe("");
    expect(r.result).toEqual({ inContext: false, kind: "libuv", once: 1, cancelled: 0, afterClose: 0, liveOpen: 1, liveAfter: 0 });
  });

  it("each turn lets timers, immediates and I/O run: a chain of turns for 60 ms sees all three", () => {
    const r = runNode<{ turns: number; timer: number; immediates: number; reads: number }>(`
      const { FdPoll } = await import(${JSON.stringify(`${DIST}/src/sys/poll.js`)});
      const { socketPair } = await import(${JSON.stringify(`${DIST}/src/sys/socket.js`)});
      const [a, b] = socketPair();
      let reads = 0, immediates = 0, timer = 0, turns = 0;
      const poll = new FdPoll(a.descriptor, () => { reads++; poll.watch(false, false); });
      const start = performance.now();
      await new Promise((done) => {
        const turn = openLoopTurn(() => {
          turns++;
          // busy for 2 ms, as a frame loop is between turns, then the next turn
          const until = performance.now() + 2;
          while (performance.now() < until);
          if (turns === 3) { setTimeout(() => timer++, 5); setImmediate(() => immediates++); poll.watch(true, false); void b.send(new Uint8Array([1])); }
          if (performance.now() - start < 60) turn.request(false);
          else { turn.close(); done(); }
        });
        turn.request(false);
      });
      poll.close(); a.close(); b.close();
      console.log(JSON.stringify({ turns, timer, immediates, reads }));
    `);
    expect(r.stderr).toBe("");
    expect(r.result!.turns).toBeGreaterThan(5);
    expect(r.result).toMatchObject({ timer: 1, immediates: 1, reads: 1 });
  });

  it("a pending request keeps node running, a cancelled one lets it exit", () => {
    const forever = runNode(`const t = openLoopTurn(() => t.request(false)); t.request(false);`, 1500);
    expect(forever.signal).toBe("SIGTERM"); // killed at the timeout: still turning
    const cancelled = runNode(`const t = openLoopTurn(() => {}); t.request(false); t.cancel(); console.log("{}");`, 10_000);
    expect(cancelled).toMatchObject({ status: 0, signal: null });
  });

  it("an error thrown by the callback reaches 'uncaughtException'", () => {
    const r = runNode<{ caught: string }>(`
      process.on("uncaughtException", (e) => { console.log(JSON.stringify({ caught: e.message })); process.exit(0); });
      openLoopTurn(() => { throw new Error("from the turn"); }).request(false);
    `);
    expect(r.result).toEqual({ caught: "from the turn" });
  });

  it("allocates a fraction of what setImmediate's turns allocate", () => {
    const r = runNode<{ idle: number; immediate: number; kinds: string[] }>(`
      const { measureAllocation } = await import(${JSON.stringify(`${DIST}/bench/heap.js`)});
      const kinds = [];
      const chain = (keepContext, n) => new Promise((done) => {
        let left = n;
        const turn = openLoopTurn(() => { if (--left > 0) turn.request(keepContext); else { turn.close(); done(); } });
        turn.request(keepContext);
        kinds.push(turn.lastKind);
      });
      const perTurn = async (keep) => { await chain(keep, 2000); return (await measureAllocation(() => chain(keep, 20000))).bytes / 20000; };
      const idle = await perTurn(false);
      const immediate = await perTurn(true);
      console.log(JSON.stringify({ idle, immediate, kinds }));
    `);
    expect(r.stderr).toBe("");
    console.log(`[turn] heap bytes per turn: idle handle ${r.result!.idle.toFixed(1)}, setImmediate ${r.result!.immediate.toFixed(1)}`);
    expect(r.result!.kinds).toEqual(["libuv", "libuv", "immediate", "immediate"]);
    // ~60 bytes (numbers koffi and node box on the way) against ~370 (an Immediate, async ids, node's context stack)
    expect(r.result!.idle).toBeLessThan(100);
    expect(r.result!.immediate).toBeGreaterThan(3 * r.result!.idle);
  });
});

describe("LoopTurn inside an async context: setImmediate, which keeps it", () => {
  it("an AsyncLocalStorage store entered before the request is there in the callback", () => {
    const r = runNode<{ inContext: boolean; kind: string; seen: unknown; before: boolean }>(`
      const { AsyncLocalStorage } = await import("node:async_hooks");
      const als = new AsyncLocalStorage();
      let seen;
      const turn = openLoopTurn(() => (seen = als.getStore()));
      const before = inAsyncContext();
      let inContext, kind;
      als.run("the store", () => { inContext = inAsyncContext(); turn.request(inContext); kind = turn.lastKind; });
      await nextTurns(3);
      console.log(JSON.stringify({ inContext, kind, seen, before }));
    `);
    expect(r.stderr).toBe("");
    expect(r.result).toEqual({ before: false, inContext: true, kind: "immediate", seen: "the store" });
  });
});

describe("loopHasWork: what libuv would run on a turn, seen without taking one", () => {
  it("sees a due timer, a pending immediate, a readable socket and a caught signal, and nothing otherwise", () => {
    const r = runNode<Record<string, boolean>>(`
      const { FdPoll } = await import(${JSON.stringify(`${DIST}/src/sys/poll.js`)});
      const { socketPair } = await import(${JSON.stringify(`${DIST}/src/sys/socket.js`)});
      // Waits two turns of the idle handle, as the frame loop does: code continuing inside an
      // immediate's or a timer's callback runs while node still holds its handle for them active,
      // which reads as work waiting.
      let resume;
      const turn = openLoopTurn(() => resume());
      const oneTurn = () => new Promise((resolve) => { resume = resolve; turn.request(false); });
      const settle = async () => { await oneTurn(); await oneTurn(); };
      const seen = {};
      await settle();
      seen.nothing = loopHasWork();
      const late = setTimeout(() => {}, 60_000);
      seen.timerFarOff = loopHasWork();
      clearTimeout(late);
      await settle();
      const soon = setTimeout(() => {}, 5);
      seen.timerNotDue = loopHasWork();
      busy(10);
      seen.timerDue = loopHasWork();
      clearTimeout(soon);
      await settle(); // node re-arms its one libuv timer lazily, when the cleared one's time comes
      const immediate = setImmediate(() => {});
      seen.immediate = loopHasWork();
      clearImmediate(immediate);
      const [a, b] = socketPair();
      let reads = 0;
      const poll = new FdPoll(a.descriptor, () => { reads++; poll.watch(false, false); });
      poll.watch(true, false);
      await settle(); // libuv adds a new watcher to its epoll set on its next turn
      seen.socketQuiet = loopHasWork();
      void b.send(new Uint8Array([1]));
      seen.socketReadable = loopHasWork();
      await settle();
      seen.socketRead = reads === 1;
      seen.socketDrained = loopHasWork();
      poll.close(); a.close(); b.close();
      let signals = 0;
      process.on("SIGUSR2", () => signals++);
      await settle();
      seen.signalQuiet = loopHasWork();
      process.kill(process.pid, "SIGUSR2");
      busy(5); // delivery to this process is asynchronous to kill()
      seen.signal = loopHasWork();
      await settle();
      seen.signalHandled = signals === 1;
      console.log(JSON.stringify(seen));
    `,
      30_000,
      // V8's helper threads post tasks to this thread at times of their own (a finished optimisation,
      // a GC step), which rightly read as work waiting: without them, each answer is this test's.
      ["--single-threaded"],
    );
    expect(r.stderr).toBe("");
    expect(r.result).toEqual({
      nothing: false,
      timerNotDue: false,
      timerDue: true,
      timerFarOff: false,
      immediate: true,
      socketQuiet: false,
      socketReadable: true,
      socketRead: true,
      socketDrained: false,
      signalQuiet: false,
      signal: true,
      signalHandled: true,
    });
  });
});

describe("the headless frame loop's turns", () => {
  it("turns every 8 ms while the event loop has work, and only every 32 ms while it has none", () => {
    type Run = { ms: number; turns: number; ticks: number };
    const r = runNode<{ quiet: Run; refTimer: Run; unrefTimer: Run; tick: { queuedAt: number; ranAt: number; frames: number }; errors: number }>(
      `
      ${HEADLESS_TRIANGLE}
      // a run of about 800 ms, with a 2 ms interval (refed, unref'd or none) counting its ticks
      const timed = async (interval) => {
        let ticks = 0;
        const iv = interval ? setInterval(() => ticks++, 2) : undefined;
        if (interval === "unref") iv.unref();
        const turns0 = loopTurnsStarted();
        const start = performance.now();
        await out.run((f) => { draw(f); return performance.now() - start < 800; });
        const run = { ms: performance.now() - start, turns: loopTurnsStarted() - turns0, ticks };
        clearInterval(iv);
        return run;
      };
      await out.run(draw, { limit: 200 });
      const quiet = await timed(undefined);
      const refTimer = await timed("ref");
      const unrefTimer = await timed("unref");
      const tick = { queuedAt: -1, ranAt: -1, frames: 0 };
      await out.run((f) => {
        draw(f);
        tick.frames = f.index + 1;
        if (f.index === 100) { tick.queuedAt = performance.now(); process.nextTick(() => (tick.ranAt = performance.now())); }
        return f.index < 100 || tick.ranAt < 0 ? f.index < 100_000 : false;
      });
      scene.destroy();
      await out.close();
      const errors = gpu.validationErrors.length;
      gpu.destroy();
      console.log(JSON.stringify({ quiet, refTimer, unrefTimer, tick, errors }));
    `,
      120_000,
    );
    expect(r.stderr).toBe("");
    const { quiet, refTimer, unrefTimer, tick, errors } = r.result!;
    console.log(`[turn] turns in ~800 ms: quiet ${quiet.turns}, with a 2 ms timer ${refTimer.turns} (${refTimer.ticks} ticks), with an unref'd one ${unrefTimer.turns} (${unrefTimer.ticks} ticks)`);
    expect(errors).toBe(0);
    // nothing waiting: a turn every 32 ms (~25), not every 8 (~100)
    expect(quiet.turns).toBeGreaterThanOrEqual(quiet.ms / 32 / 2);
    expect(quiet.turns).toBeLessThanOrEqual(quiet.ms / 32 + 3);
    // a due timer is seen at each 8 ms check: well over the ~25 quiet turns, each running the interval once
    expect(refTimer.turns).toBeGreaterThan(quiet.ms / 32 + 10);
    expect(refTimer.ticks).toBeGreaterThanOrEqual(refTimer.turns - 1);
    // an unref'd timer is not seen (the process would exit without the loop): it runs at the quiet turns
    expect(unrefTimer.turns).toBeLessThanOrEqual(unrefTimer.ms / 32 + 3);
    expect(unrefTimer.ticks).toBeGreaterThanOrEqual(unrefTimer.turns - 1);
    expect(unrefTimer.ticks).toBeGreaterThan(5);
    // a tick the loop's body queued runs at the next turn, within 32 ms and some frames
    expect(tick.ranAt).toBeGreaterThan(tick.queuedAt);
    expect(tick.ranAt - tick.queuedAt).toBeLessThan(32 + 20);
  });

  it("runs on the idle handle at top level, lets a timer tick during a run, and keeps an AsyncLocalStorage store in every frame", () => {
    const r = runNode<{ idleDuringRun: number; ticks: number; frames: number; withStore: number; ticksInStore: number; liveAfter: number; errors: number }>(
      `
      const { AsyncLocalStorage } = await import("node:async_hooks");
      ${HEADLESS_TRIANGLE}
      let ticks = 0;
      const iv = setInterval(() => ticks++, 1);
      let idleDuringRun = -1;
      await out.run((f) => { draw(f); if (f.index === 1500) idleDuringRun = liveUvHandles(UV_IDLE); }, { limit: 3000 });
      const runTicks = ticks;
      const als = new AsyncLocalStorage();
      let frames = 0, withStore = 0;
      ticks = 0;
      await als.run("app context", () => out.run((f) => { draw(f); frames++; if (als.getStore() === "app context") withStore++; }, { limit: 3000 }));
      const ticksInStore = ticks;
      clearInterval(iv);
      scene.destroy();
      await out.close();
      const errors = gpu.validationErrors.length;
      gpu.destroy();
      await nextTurns(2); // libuv frees a closed handle on a later turn
      console.log(JSON.stringify({ idleDuringRun, ticks: runTicks, frames, withStore, ticksInStore, liveAfter: liveUvHandles(UV_IDLE), errors }));
    `,
      120_000,
    );
    expect(r.stderr).toBe("");
    expect(r.result).toMatchObject({ idleDuringRun: 1, frames: 3000, withStore: 3000, liveAfter: 0, errors: 0 });
    // without turns the interval would tick only after each run
    expect(r.result!.ticks).toBeGreaterThan(2);
    expect(r.result!.ticksInStore).toBeGreaterThan(2);
  });
});
