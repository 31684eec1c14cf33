// The frame scheduler: every wait of a frame loop, as one explicit state. It knows nothing of the
// GPU: the steps it schedules (acquire a target, hand a frame out, submit and present it) are the
// frame pipeline's (frame-pipeline.ts), or a test's fake. One core, advance(), drives both ways to
// consume frames: the async iterator (frames()) and the callback loop (run()).
//
//   idle ──acquire──▶ acquiring ──target──▶ handed-out ──next()──▶ presenting ──done──▶ idle
//     │                                  ▲  (turning: an event-loop turn first)
//     └──maxFps: too early──▶ capped ────┘
//   any state ──stop(), limit, a failure, the display's end──▶ ended
//
// A wait (presenting, capped, acquiring, turning) settles the consumer's pending next() or resumes
// run() when it ends; stop() ends any wait at once. Nothing here allocates per frame in the steady
// state: the handlers are made once, and a frame ready at once is handed to run()'s body without a
// promise.
import { logger } from "../util/log.js";
import { inAsyncContext, type LoopTurn } from "../sys/loop-turn.js";
import { loopHasWork } from "../sys/loop-work.js";

const log = logger("present");

/** What the scheduler is doing; every state but "handed-out", "idle" and "ended" is a wait. */
export type SchedulerState = "idle" | "acquiring" | "capped" | "turning" | "handed-out" | "presenting" | "ended";

/** The steps the scheduler runs, in this order for each frame (frame-pipeline.ts; a fake in tests). */
export interface FrameSteps<F, T> {
  /** Set when the display can take no more frames: the run ends before the next frame. */
  readonly endReason: string | undefined;
  /** Waits for the frame's slot and acquires a free target; a promise when the display makes us wait. */
  acquire(frame: number): T | Promise<T>;
  /** Makes frame number `frame` for the target: the consumer records into it. */
  handOut(target: T, frame: number, nowMs: number): F;
  /** Submits the handed-out frame and hands it to the display; a promise when presenting waits. `last`: the run's limit ends with it. */
  submit(frame: F, last: boolean): Promise<void> | void;
  /** Presentation of the last submitted frame is over (after submit, or after its promise). */
  presented(): void;
  /** Drops a handed-out frame that will not be submitted (a no-op when it already was). */
  abandon(frame: F, why: string): void;
  /** Ends the run: waits for the GPU and gives the backend its end; may throw (a lost device). */
  end(): void;
}

/** How a run is scheduled. */
export interface ScheduleOptions {
  /** Stop after this many frames. */
  limit: number;
  /** maxFps: the minimum ms between frames handed out (0: no cap). */
  minIntervalMs: number;
}

/** The outcome of a step: a frame handed out, the run over, a failure, or a wait that calls back. */
const READY = 0, DONE = 1, FAILED = 2, WAITING = 3;
type Outcome = typeof READY | typeof DONE | typeof FAILED | typeof WAITING;

const DONE_RESULT: IteratorReturnResult<undefined> = { value: undefined, done: true };
const DONE_PROMISE: Promise<IteratorReturnResult<undefined>> = Promise.resolve(DONE_RESULT);

/** Longest stretch a run keeps the event loop to itself while the loop has work waiting. */
const EVENT_LOOP_TURN_MS = 8;
/** Longest stretch between turns when the loop looked idle: what the check cannot see (unref'd timers, nextTick) waits this long. */
const QUIET_TURN_MS = 32;
/** How early before its due time (maxFps) a frame is handed out rather than waited for with another timer. */
const CAP_SLACK_MS = 0.2;

/** One run of frames: its state, its waits and its two consumers (iterator, callback). */
export class FrameScheduler<F, T> implements AsyncIterableIterator<F> {
  private stateValue: SchedulerState = "idle";
  /** Frames handed out so far (the next frame's number). */
  private index = 0;
  /** The frame handed out (or about to be, while turning) and not yet submitted. */
  private current: F | undefined;
  private failure: unknown;
  /** The iterator's pending next(), while a wait runs. */
  private resolveWait: ((r: IteratorResult<F>) => void) | undefined;
  private rejectWait: ((e: unknown) => void) | undefined;
  /** run()'s body and how to settle its promise, while it runs. */
  private driver: { body: (frame: F) => void | boolean; resolve: () => void; reject: (error: unknown) => void } | undefined;
  // The consumer reads `value` before asking for the next frame, so one result object serves all.
  private readonly result: IteratorYieldResult<F> = { value: undefined as unknown as F, done: false };
  private readonly ready = Promise.resolve(this.result);
  /**
   * maxFps: due times lie on a grid one interval apart. A timer fires on a whole millisecond of a
   * loop time that may be stale, up to a millisecond early (with one timer from each hand-out, a cap
   * of 200 fps ran at ~234 fps), so the wait is checked again when it fires, and a frame handed out
   * late shortens the next wait: the rate averages the cap, never more.
   */
  private nextDue = -Infinity;
  private capTimer: NodeJS.Timeout | undefined;
  /** When handOut last asked whether to turn, when the event loop last had one, and its idle time then. */
  private lastTurnCheck = performance.now();
  private lastTurn = this.lastTurnCheck;
  private lastIdle = performance.nodeTiming.idleTime;
  /** The run started in an async context (AsyncLocalStorage): its turns keep it (sys/loop-turn.ts). */
  private readonly inAsyncContext = inAsyncContext();

  constructor(
    private readonly steps: FrameSteps<F, T>,
    private readonly options: ScheduleOptions,
    private readonly turn: LoopTurn,
    private readonly onEnd: () => void,
  ) {}

  /** The state now (see the diagram at the top of this file). */
  get state(): SchedulerState {
    return this.stateValue;
  }

  /** The scheduler is its own iterator (frames() returns it). */
  [Symbol.asyncIterator](): this {
    return this;
  }

  // The two consumers ---------------------------------------------------------------------------

  /** The iterator: finishes the frame handed out, then the next one (at once, or after a wait). */
  next(): Promise<IteratorResult<F>> {
    if (this.resolveWait) return Promise.reject(new Error("frames(): next() called again before the previous next() settled"));
    const outcome = this.advance();
    if (outcome === READY) return this.ready;
    if (outcome === DONE) return DONE_PROMISE;
    if (outcome === FAILED) return Promise.reject(this.takeFailure());
    return new Promise(this.captureWait);
  }

  private readonly captureWait = (resolve: (r: IteratorResult<F>) => void, reject: (e: unknown) => void): void => {
    this.resolveWait = resolve;
    this.rejectWait = reject;
  };

  /** The consumer left the loop (break, return or a throw in its body). */
  async return(): Promise<IteratorResult<F>> {
    this.stop("the loop was left");
    return DONE_RESULT;
  }

  /**
   * The callback loop: hands every frame to `body`, synchronously when it is ready at once; a wait's
   * end calls the loop back (no promise per wait). `body` returning false ends the run as break would;
   * a throw ends it and rejects.
   */
  drive(body: (frame: F) => void | boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      this.driver = { body, resolve, reject };
      this.continueDrive(this.advance());
    });
  }

  /** Runs `body` on every ready frame until a wait starts or the run ends: a plain loop (V8 optimises it within ~1,000 frames; an async function resumed after each wait took several thousand). */
  private continueDrive(outcome: Outcome): void {
    const driver = this.driver;
    if (!driver) return;
    for (;;) {
      if (outcome === WAITING) return;
      if (outcome !== READY) {
        this.driver = undefined;
        if (outcome === DONE) driver.resolve();
        else driver.reject(this.takeFailure());
        return;
      }
      let go: void | boolean;
      try {
        go = driver.body(this.result.value);
      } catch (error) {
        return this.endDriveFromBody("the loop body threw", true, error);
      }
      if (go === false) return this.endDriveFromBody("the loop body returned false", false, undefined);
      outcome = this.advance();
    }
  }

  /** The body ended run(): the run stops; run() rejects with the body's error if it threw, else with a failure to end, else resolves. */
  private endDriveFromBody(why: string, threw: boolean, bodyError: unknown): void {
    const driver = this.driver!;
    this.driver = undefined;
    try {
      this.stop(why);
    } catch (error) {
      if (!threw) return driver.reject(error);
      log.warn(`while ending a frame loop whose body threw: ${(error as Error).message}`);
    }
    if (threw) driver.reject(bodyError);
    else driver.resolve();
  }

  /** A wait ended with `outcome`: settle the pending next(), or resume run(). */
  private deliver(outcome: Outcome): void {
    if (outcome === WAITING) return; // another wait started; it delivers when it ends
    if (this.driver) return this.continueDrive(outcome);
    const resolve = this.resolveWait;
    const reject = this.rejectWait;
    this.resolveWait = this.rejectWait = undefined;
    if (!resolve || !reject) {
      if (outcome === FAILED) log.warn(`frame loop failed with nobody waiting: ${String(this.takeFailure())}`);
      return;
    }
    if (outcome === READY) resolve(this.result);
    else if (outcome === DONE) resolve(DONE_RESULT);
    else reject(this.takeFailure());
  }

  private takeFailure(): unknown {
    const failure = this.failure;
    this.failure = undefined;
    return failure;
  }

  // The steps -----------------------------------------------------------------------------------

  /** One step of the run: submit and present the frame handed out, then start the next. */
  private advance(): Outcome {
    if (this.stateValue === "ended") return DONE;
    try {
      if (this.stateValue === "handed-out") {
        const presenting = this.steps.submit(this.current!, this.index >= this.options.limit);
        this.current = undefined;
        if (presenting) {
          this.stateValue = "presenting";
          presenting.then(this.onPresented, this.onWaitFailed);
          return WAITING;
        }
        this.stateValue = "idle";
        this.steps.presented();
      }
      return this.startFrame();
    } catch (error) {
      return this.fail(error);
    }
  }

  /** Starts the next frame: ends the run at its limit, waits out maxFps, then acquires. */
  private startFrame(): Outcome {
    if (this.index >= this.options.limit || this.steps.endReason !== undefined) return this.finish();
    if (this.options.minIntervalMs > 0) {
      const early = this.nextDue - performance.now();
      if (early > CAP_SLACK_MS) {
        this.stateValue = "capped";
        this.capTimer = setTimeout(this.onCapElapsed, early);
        return WAITING;
      }
    }
    const acquired = this.steps.acquire(this.index);
    if (!(acquired instanceof Promise)) return this.handOut(acquired);
    this.stateValue = "acquiring";
    acquired.then(this.onAcquired, this.onWaitFailed);
    return WAITING;
  }

  /** Hands the frame out, after an event-loop turn when one is due. */
  private handOut(target: T): Outcome {
    if (this.steps.endReason !== undefined) return this.finish();
    const now = performance.now();
    const interval = this.options.minIntervalMs;
    // the next due time one interval on; after a frame later than that (a slow frame, a pause), the grid starts again from now
    if (interval > 0) this.nextDue = now - this.nextDue >= interval ? now + interval : this.nextDue + interval;
    this.current = this.result.value = this.steps.handOut(target, this.index++, now);
    if (!this.turnDue(now)) {
      this.stateValue = "handed-out";
      return READY;
    }
    this.stateValue = "turning";
    this.turn.request(this.inAsyncContext); // calls onTurn() back
    return WAITING;
  }

  /**
   * A run whose display never makes it wait (headless) would otherwise run on microtasks alone and
   * starve timers, sockets and signal handlers: every few milliseconds, give the event loop a turn
   * if it has work waiting (sys/loop-work.ts), and at least every QUIET_TURN_MS, unless it has had
   * one anyway (it waited for I/O since: a frame callback, a flip). A turn (sys/loop-turn.ts) costs
   * ~60 heap bytes where the run is in no async context.
   */
  private turnDue(now: number): boolean {
    if (now - this.lastTurnCheck < EVENT_LOOP_TURN_MS) return false;
    this.lastTurnCheck = now;
    const idle = performance.nodeTiming.idleTime;
    if (idle !== this.lastIdle) {
      this.lastIdle = idle;
      this.lastTurn = now;
      return false;
    }
    if (now - this.lastTurn < QUIET_TURN_MS && !loopHasWork()) return false;
    this.lastTurn = now;
    return true;
  }

  // The ends of the waits (made once; each checks that its wait is still the current state) ------

  private readonly onPresented = (): void => {
    if (this.stateValue !== "presenting") return; // stopped meanwhile
    this.stateValue = "idle";
    let outcome: Outcome;
    try {
      this.steps.presented();
      outcome = this.startFrame();
    } catch (error) {
      outcome = this.fail(error);
    }
    this.deliver(outcome);
  };

  private readonly onCapElapsed = (): void => {
    this.capTimer = undefined;
    if (this.stateValue !== "capped") return;
    this.stateValue = "idle";
    let outcome: Outcome;
    try {
      outcome = this.startFrame(); // checks the due time again: the timer may have fired early
    } catch (error) {
      outcome = this.fail(error);
    }
    this.deliver(outcome);
  };

  private readonly onAcquired = (target: T): void => {
    if (this.stateValue !== "acquiring") return; // stopped meanwhile: the target is dropped with the run
    this.stateValue = "idle";
    let outcome: Outcome;
    try {
      outcome = this.handOut(target);
    } catch (error) {
      outcome = this.fail(error);
    }
    this.deliver(outcome);
  };

  /** The event-loop turn handOut asked for has come: the frame goes to the consumer. */
  onTurn(): void {
    if (this.stateValue !== "turning") return;
    this.stateValue = "handed-out";
    this.deliver(READY);
  }

  /** A wait's promise failed (the display, the connection): the run ends with the error. */
  private readonly onWaitFailed = (error: unknown): void => {
    if (this.stateValue !== "presenting" && this.stateValue !== "acquiring") return;
    this.stateValue = "idle";
    this.deliver(this.fail(error));
  };

  // The end -------------------------------------------------------------------------------------

  /** The limit or the display's end: the run ends normally. */
  private finish(): Outcome {
    const why = this.steps.endReason;
    if (why !== undefined) log.info(`frame loop ends: ${why}`);
    this.stop("the loop ended");
    return DONE;
  }

  /** Ends the run with `error`, which the consumer gets instead of a quiet end. */
  private fail(error: unknown): Outcome {
    try {
      this.stop(`the loop failed: ${(error as Error)?.message ?? String(error)}`);
    } catch (secondary) {
      log.warn(`while ending a failed frame loop: ${(secondary as Error).message}`);
    }
    this.failure = error;
    return FAILED;
  }

  /**
   * Ends the run now: the frame handed out is dropped, the GPU finishes what was submitted. A wait in
   * progress ends at once (a hidden window's acquire may wait long): its consumer gets the end, or the
   * error when ending fails (a fence wait that finds the device lost). Without a wait, that error throws.
   */
  stop(why: string): void {
    if (this.stateValue === "ended") return;
    const waited = this.stateValue !== "idle" && this.stateValue !== "handed-out";
    this.stateValue = "ended";
    this.turn.cancel();
    if (this.capTimer) clearTimeout(this.capTimer);
    this.capTimer = undefined;
    const current = this.current;
    this.current = undefined;
    let endError: unknown;
    let failed = false;
    try {
      try {
        if (current !== undefined) this.steps.abandon(current, why);
      } finally {
        try {
          this.steps.end();
        } finally {
          this.onEnd();
        }
      }
    } catch (error) {
      endError = error;
      failed = true;
    }
    if (!waited) {
      if (failed) throw endError;
      return;
    }
    if (failed) this.failure = endError;
    this.deliver(failed ? FAILED : DONE);
  }
}
