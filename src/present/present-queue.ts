// The present queue: fifo, mailbox and immediate, implemented once for every display. It is fed two
// events: "frame finished" (present) and "display ready" (displayReady: a frame callback, a page
// flip). A display sink behind it (a Wayland surface, a KMS output) shows a buffer when the queue
// says so and reports when the display has taken it; the frame loop's acquire asks the queue for its
// turn (turnNow / waitTurn), so pacing waits on the same side for every backend.
//   fifo:      every finished frame is shown, one per "display ready". While the display has a frame
//              in flight, up to `fifoDepth` finished frames wait (KMS 1: one queued behind the flip;
//              Wayland 0: acquire waits for the frame callback instead), and acquire waits.
//   mailbox:   acquire never waits; a frame finished while the display is busy replaces the waiting
//              one (whose buffer is free again at once) and is shown at the next "display ready".
//              A display that takes frames at any time (`takesAnyTime`: a Wayland compositor shows
//              the newest commit at its repaint, as Mesa's WSI relies on) is shown every finished
//              frame at once instead, as in immediate.
//   immediate: every finished frame is shown at once (the sink asks for tearing where it can).
// With `takesAnyTime`, mailbox and immediate ask for one "display ready" at a time (show's wantReady):
// it is what tells a hidden display from a busy one, and one per refresh is enough for that.
// Never stall: a display that takes no frames (a hidden, minimised or suspended window) is "hidden"
// once a shown frame has waited longer than a heartbeat interval; the loop then renders one frame
// per heartbeat (not shown), or waits for the display with whenHidden "pause".
import { logger } from "../util/log.js";
import type { FrameTracer, TracePhase } from "../util/trace.js";
import { Pacing, type PacingOptions } from "./pacing.js";

const log = logger("present");

/** Where finished frames go: a Wayland surface or a KMS output. */
export interface DisplaySink<B> {
  /**
   * Shows the buffer now (attach + commit, an atomic flip), not before `atMs` where a target was set
   * (NaN: none). With `wantReady` (always, unless the queue was made with takesAnyTime) the sink
   * calls displayReady() (or presentedUpTo) when the display has taken it; without, it need not.
   */
  show(buffer: B, frame: number, atMs: number, wantReady: boolean): void;
  /** The buffer will not be shown: free for rendering again. */
  drop(buffer: B): void;
  /** The display shows nothing of ours now (an xdg-shell suspended window): nothing is shown, and acquire waits (heartbeat). */
  readonly suspended: boolean;
}

/** The queue's options: the pacing options and what the display allows. */
export interface PresentQueueOptions extends PacingOptions {
  /** How finished frames may wait for a busy display in fifo (see the top of this file). */
  fifoDepth: number;
  /** false: never wait for the display and show every finished frame at once (throughput benchmarks). */
  paced?: boolean;
  /** The name of the wait for the display on a frame timeline ("wait frame callback", "wait flip"). */
  waitName: TracePhase;
  /** The display takes a new frame at any time and shows the newest at its refresh (Wayland): see the top of this file. */
  takesAnyTime?: boolean;
}

/** What ended a wait for the display: it became ready, something the sink reported (a configure, a close), or the heartbeat. */
export type Woke = "ready" | "interrupted" | "beat";

/** fifo, mailbox and immediate over one display sink, with the heartbeat while the display takes no frames (see the top of this file). */
export class PresentQueue<B> {
  readonly pacing: Pacing;
  /** When each frame shown and not yet taken by the display was shown, oldest first (they are taken in order). */
  private readonly shownAt: number[] = [];
  /** The frames of those, in the same order. */
  private readonly shownFrames: number[] = [];
  /** The finished frame waiting for the display (mailbox; fifo with fifoDepth 1), its buffer free when undefined. */
  private heldBuffer: B | undefined;
  private heldFrame = 0;
  private heldAtMs = NaN;
  /** How many shown frames the display may have in flight before the next waits (2 with a fifo barrier: one queued in the compositor). */
  maxInFlight = 1;
  /** fifo with fifoDepth 0: the frames in flight are ahead of a new one on screen (the ready signal is their presentation, not their latching). */
  fifoInFlightAhead = false;
  /** The next finished frame is shown whatever the mode (a configure it acks must be committed promptly). */
  private forced = false;
  /** Finished frames the sink will present once they are rendered (reserve): in flight for acquire's turn. */
  private reserved = 0;
  /** No more waits: the display is gone or the window closed. */
  private closed = false;
  private readonly unpaced: boolean;
  private wake: ((why: Woke) => void) | undefined;
  /**
   * The heartbeat: one timer for the queue's life, not one per wait. A fifo loop waits every frame,
   * and arming and clearing a timer each time cost a Timeout, a timer list and a priority-queue
   * insert and removal per frame; this one is re-armed only when it fires (about once per heartbeat
   * interval) or when a wait's deadline comes before its own. It is ref'd only while a wait is pending.
   */
  private beat: NodeJS.Timeout | undefined;
  /** When the armed heartbeat fires (performance.now() ms), NaN when none is armed. */
  private beatAtMs = NaN;
  /** The pending wait's heartbeat deadline (NaN: no wait, or whenHidden "pause"). */
  private beatDeadlineMs = NaN;
  private readonly onBeat = (): void => {
    this.beatAtMs = NaN;
    if (!this.wake || Number.isNaN(this.beatDeadlineMs)) return; // no wait now: the next one arms it again
    const left = this.beatDeadlineMs - performance.now();
    if (left > 1) this.armBeat(left); // a later wait moved the deadline on
    else this.wake("beat");
  };
  private lastTurnMs = performance.now();
  /** Where waits are recorded (the frame loop's tracer, through the sink). */
  tracer: FrameTracer | undefined;

  constructor(
    private readonly sink: DisplaySink<B>,
    private readonly options: PresentQueueOptions,
  ) {
    this.pacing = new Pacing(options);
    this.unpaced = options.paced === false;
  }

  /** Frames shown and not yet taken by the display. */
  get inFlight(): number {
    return this.shownAt.length;
  }

  /** Whether a finished frame waits for the display. */
  get holding(): boolean {
    return this.heldBuffer !== undefined;
  }

  /** The display has taken no frame for longer than a heartbeat interval. */
  private hiddenNow(now: number): boolean {
    return this.shownAt.length > 0 && now - this.shownAt[0]! > this.pacing.heartbeatMs;
  }

  /** Whether a frame finished now would be shown at once. */
  private canShowNow(): boolean {
    if (this.forced) return true;
    if (this.sink.suspended) return false;
    return this.unpaced || this.shownAt.length < this.maxInFlight || (this.anyTime() && !this.hiddenNow(performance.now()));
  }

  /** Whether a finished frame goes to the display at once whatever it has in flight: immediate, and mailbox where the display takes frames at any time. */
  private anyTime(): boolean {
    const mode = this.pacing.mode;
    return mode === "immediate" || (mode === "mailbox" && this.options.takesAnyTime === true);
  }

  /** Whether acquire must wait for the display before the next frame. */
  private mustWait(now: number): boolean {
    if (this.unpaced) return false;
    if (this.sink.suspended) return true;
    if (this.pacing.mode !== "fifo") return this.hiddenNow(now);
    return this.shownAt.length + this.reserved >= this.maxInFlight && (this.options.fifoDepth === 0 || this.heldBuffer !== undefined);
  }

  /**
   * fifo: a finished frame the sink will hand to present() later (its rendering is not done yet)
   * counts as in flight for acquire's turn until then (unreserve), as if shown already.
   */
  reserve(): void {
    this.reserved++;
  }

  /** A reserved frame is presented (or given up) now. */
  unreserve(): void {
    if (this.reserved > 0) this.reserved--;
  }

  // "frame finished" ----------------------------------------------------------------------------

  /** A finished frame: shown now, held for the display, or dropped, as the mode says; `atMs`: its target time (Frame.presentAt), NaN for none. */
  present(buffer: B, frame: number, atMs = NaN): void {
    if (this.canShowNow()) {
      this.dropHeld();
      return this.show(buffer, frame, atMs);
    }
    if (this.pacing.mode === "fifo" && (this.heldBuffer !== undefined || this.options.fifoDepth === 0)) {
      // the display asked for no frame (a heartbeat frame while hidden): not shown
      this.sink.drop(buffer);
      this.pacing.dropped++;
      return;
    }
    this.dropHeld(); // mailbox: the newer frame replaces the older one
    this.heldBuffer = buffer;
    this.heldFrame = frame;
    this.heldAtMs = atMs;
  }

  /** Whether present() would drop a frame finished now, so a sink can skip its work for it. */
  get wouldDrop(): boolean {
    return this.pacing.mode === "fifo" && !this.canShowNow() && (this.heldBuffer !== undefined || this.options.fifoDepth === 0);
  }

  /** A finished frame the sink did not hand to present() because wouldDrop said so. */
  skip(): void {
    this.pacing.dropped++;
  }

  /** The waiting frame's buffer, taken back (the frame dropped) when the sink has no free buffer. */
  takeHeld(): B | undefined {
    const buffer = this.heldBuffer;
    if (buffer === undefined) return undefined;
    this.heldBuffer = undefined;
    this.pacing.dropped++;
    return buffer;
  }

  /** Drops the waiting frame, if any: its buffer is free again. */
  dropHeld(): void {
    const buffer = this.takeHeld();
    if (buffer !== undefined) this.sink.drop(buffer);
  }

  /** The next finished frame is shown whatever the mode (a configure to commit). */
  forceNext(): void {
    this.forced = true;
  }

  /** Whether forceNext() is pending (the next finished frame is shown whatever the mode). */
  get forcing(): boolean {
    return this.forced;
  }

  /** Something the display did not show of ours counts as in flight (KMS: a cursor-only commit), until displayReady(). */
  occupy(): void {
    this.shownAt.push(performance.now());
    this.shownFrames.push(-1);
  }

  private show(buffer: B, frame: number, atMs: number): void {
    this.forced = false;
    // with takesAnyTime, mailbox and immediate ask for one "display ready" at a time
    const wantReady = !(this.options.takesAnyTime && this.pacing.mode !== "fifo" && this.shownAt.length > 0);
    if (wantReady) {
      this.shownAt.push(performance.now());
      this.shownFrames.push(frame);
    }
    this.pacing.presented++;
    this.sink.show(buffer, frame, atMs, wantReady);
  }

  // "display ready" -----------------------------------------------------------------------------

  /** The display took the oldest frame shown (a frame callback, a page flip): the waiting frame is shown. */
  displayReady(): void {
    this.shownAt.shift();
    this.shownFrames.shift();
    this.afterReady();
  }

  /**
   * The display reports frame `frame` on screen (presentation feedback, where it is the ready signal):
   * it took every frame shown up to it. A frame the display discarded instead is not "ready": a
   * display that shows nothing of ours (a hidden window whose barriers the compositor ignores) then
   * looks hidden once a heartbeat interval has passed, rather than free-running.
   */
  presentedUpTo(frame: number): void {
    let taken = 0;
    while (taken < this.shownFrames.length && this.shownFrames[taken]! <= frame) taken++;
    if (taken === 0) return;
    for (let i = 0; i < taken; i++) {
      this.shownAt.shift();
      this.shownFrames.shift();
    }
    this.afterReady();
  }

  private afterReady(): void {
    if (this.shownAt.length === 0 && this.drainWaiters.length) for (const w of this.drainWaiters.splice(0)) w();
    if (this.pacing.hidden && !this.sink.suspended) {
      log.info("present: the display takes frames again: full rate");
      this.pacing.hidden = false;
    }
    if (this.shownAt.length < this.maxInFlight && this.heldBuffer !== undefined && !this.closed && !this.sink.suspended) {
      const buffer = this.heldBuffer;
      this.heldBuffer = undefined;
      this.show(buffer, this.heldFrame, this.heldAtMs);
    }
    this.wake?.("ready");
  }

  /**
   * Resolves once the display has taken every frame shown (none in flight), on close, or after
   * `timeoutMs` (a display that discards instead never takes them).
   */
  whenDrained(timeoutMs: number): Promise<void> {
    if (this.shownAt.length === 0 || this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const waiters = this.drainWaiters;
      function done(): void {
        clearTimeout(timer);
        const i = waiters.indexOf(done);
        if (i >= 0) waiters.splice(i, 1);
        resolve();
      }
      waiters.push(done);
    });
  }
  private readonly drainWaiters: (() => void)[] = [];

  /** Ends a wait in progress (the sink saw a configure or a close request). */
  interrupt(): void {
    this.wake?.("interrupted");
  }

  /** No more waits: the display is gone (a failed flip, a closed window); a wait in progress ends. */
  close(): void {
    this.closed = true;
    for (const w of this.drainWaiters.splice(0)) w();
    this.wake?.("interrupted");
  }

  // acquire's turn ------------------------------------------------------------------------------

  /** True when acquire may go on at once (no promise made): the steady state of mailbox, immediate and unpaced loops. */
  turnNow(): boolean {
    const now = performance.now();
    if (this.closed || this.forced || !this.mustWait(now)) {
      this.lastTurnMs = now;
      return true;
    }
    return false;
  }

  /**
   * Waits for the display's turn (after turnNow said no): until it takes a frame, at most until the
   * next heartbeat unless whenHidden is "pause", or until the sink interrupts. Returns what ended it.
   */
  async waitTurn(frame: number): Promise<Woke> {
    const start = performance.now();
    if (this.sink.suspended && !this.pacing.hidden) {
      log.info("present: the display shows nothing of ours (suspended): heartbeat only");
      this.pacing.hidden = true;
    }
    let woke: Woke = "ready";
    while (!this.closed && !this.forced && this.mustWait(performance.now())) {
      this.beatDeadlineMs = this.pacing.whenHidden === "pause" ? NaN : this.lastTurnMs + this.pacing.heartbeatMs;
      woke = await new Promise<Woke>((resolve) => {
        this.wake = resolve;
        if (!Number.isNaN(this.beatDeadlineMs)) this.keepBeat(this.beatDeadlineMs);
      });
      this.wake = undefined;
      this.beatDeadlineMs = NaN;
      this.beat?.unref(); // armed still (it fires once, finds no wait and stops), but it keeps no process up
      if (woke === "interrupted") break;
      if (woke === "beat") {
        if (!this.pacing.hidden) log.info(`present: the display took no frame for ${this.pacing.heartbeatMs} ms: hidden; heartbeat at ${(1000 / this.pacing.heartbeatMs).toFixed(2)} Hz`);
        this.pacing.hidden = true;
        this.pacing.heartbeats++;
        break;
      }
    }
    this.tracer?.span(this.options.waitName, frame, start);
    this.lastTurnMs = performance.now();
    return woke;
  }

  /** When a frame handed out now should be on screen (see Pacing.predict): after what is in flight, in mailbox. */
  predict(nowMs: number): number {
    // Wayland's fifo waits for the callback before rendering, so nothing is ahead of the new frame
    // there; a display that takes frames at any time shows the newest at its next refresh
    const fifoNone = this.pacing.mode === "fifo" && this.options.fifoDepth === 0 && !this.fifoInFlightAhead;
    const ahead = fifoNone || (this.anyTime() && this.options.takesAnyTime) ? 0 : Math.min(1, this.shownAt.length);
    return this.pacing.predict(nowMs, ahead);
  }

  /** Gives back the waiting frame's buffer and ends any wait (before the sink goes). */
  destroy(): void {
    this.dropHeld();
    this.close();
    clearTimeout(this.beat); // a wait still pending is over with the run: its heartbeat must not keep the process up
    this.beat = undefined;
    this.beatAtMs = NaN;
  }

  /** Makes sure the heartbeat fires by `deadlineMs` (performance.now() ms) and keeps the process up meanwhile (a wait is pending). */
  private keepBeat(deadlineMs: number): void {
    if (this.beat && !Number.isNaN(this.beatAtMs) && this.beatAtMs <= deadlineMs) {
      this.beat.ref(); // fires first: onBeat checks the deadline and re-arms
      return;
    }
    this.armBeat(deadlineMs - performance.now());
  }

  private armBeat(inMs: number): void {
    const delay = Math.max(1, inMs);
    this.beatAtMs = performance.now() + delay;
    if (this.beat) {
      clearTimeout(this.beat);
      this.beat = undefined;
    }
    this.beat = setTimeout(this.onBeat, delay);
  }
}
