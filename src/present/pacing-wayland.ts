// Present modes on a Wayland surface, shared by the shm and dmabuf backends. The backend hands each
// finished buffer to present(); this decides whether it is committed now, held as the newest frame
// until the compositor asks for one (mailbox), or dropped, and acquire() asks waitTurn() whether to
// wait for a frame callback first.
//   fifo:      one commit per frame callback; acquire waits for the callback of the last commit.
//   mailbox:   acquire never waits; a frame finished while a callback is outstanding replaces the
//              held one (whose buffer is free again at once) and is committed when the callback comes.
//   immediate: like mailbox, but every finished frame is committed at once with the
//              wp_tearing_control_v1 "async" hint, so the compositor may flip it mid-scanout.
// Never stall: a surface that gets no frame callbacks (hidden, minimised, suspended, on no output)
// is "hidden" once a callback is outstanding for longer than a heartbeat interval; the loop then
// renders one frame per heartbeat (not committed: the compositor asked for none), or waits
// for the callback with whenHidden "pause". The first callback after that resumes full rate.
import { logger } from "../util/log.js";
import { WpTearingControlManagerV1, type WpTearingControlV1 } from "../wayland/protocol/tearing-control-v1.js";
import type { WaylandWindow } from "../wayland/window.js";
import { Pacing, type PacingOptions } from "./pacing.js";

const log = logger("present");

/** wp_tearing_control_v1.presentation_hint: async (tearing allowed). */
const HINT_ASYNC = 1;
/** wp_presentation_feedback.kind bits. */
const KIND_VSYNC = 0x1;
const KIND_ZERO_COPY = 0x8;

/** What the pacer needs of a backend's buffers: commit one (attach + commit) or give one back unused. */
export interface WaylandBufferHooks<B> {
  /** Marks the buffer attached and commits it through window.present(wlBuffer, frame); returns the frame callback. */
  commit(buffer: B, frame: number): Promise<number>;
  /** The buffer will not be committed: free for rendering again. */
  drop(buffer: B): void;
}

/** What ended a wait for the compositor: a frame callback, a configure, a close request, or the heartbeat. */
type Woke = "callback" | "configure" | "closed" | "beat";

/** Pacing options of the Wayland backends: the present mode and heartbeat, and whether frame callbacks pace at all. */
export interface WaylandPacingOptions extends PacingOptions {
  /**
   * Paced by frame callbacks (default true). false: never wait for a callback and commit every finished
   * frame at once, whatever the present mode (throughput benchmarks; the compositor shows what it can).
   * A suspended window (xdg-shell v6) still gets no commits: the compositor shows nothing of it.
   */
  paced?: boolean;
}

/** Frame-callback pacing and present modes for one window (see the top of this file). */
export class WaylandPacer<B> {
  readonly pacing: Pacing;
  /** When each commit whose frame callback has not come yet was made, oldest first (callbacks come in order). */
  private readonly commitTimes: number[] = [];
  /** The newest finished frame not committed yet (mailbox, immediate). */
  private held: { buffer: B; frame: number } | undefined;
  /** Wakes an acquire waiting in waitTurn when a callback or a configure comes. */
  private wake: ((why: Woke) => void) | undefined;
  /** The heartbeat timer of the current wait, if any. */
  private beat: NodeJS.Timeout | undefined;
  private readonly onBeat = (): void => this.wake?.("beat");
  /** A configure was acked for the next frame: commit it whatever the mode (wlroots waits for it to finish a resize). */
  private commitNext = false;
  private lastTurnMs = performance.now();
  private tearing: WpTearingControlV1 | undefined;
  /** `paced: false`: the backend never waits for a callback and every finished frame is committed. */
  private readonly unpaced: boolean;
  /** Ends this pacer's window listeners (destroy). */
  private readonly unlisten: (() => void)[] = [];

  constructor(
    private readonly window: WaylandWindow,
    options: WaylandPacingOptions,
    private readonly hooks: WaylandBufferHooks<B>,
  ) {
    this.pacing = new Pacing(options);
    this.unpaced = options.paced === false;
    if (this.pacing.requested === "immediate") this.enableTearing();
    // a configure must be acked (and its frame committed) promptly: it ends any wait
    this.unlisten.push(window.configureArrived.add(() => this.wake?.("configure")));
    // one reaction for the window's life (a reaction per wait would pile up on this long-lived promise)
    void window.closeRequest.then(() => this.wake?.("closed"));
    this.unlisten.push(window.presented.add(({ frame, atMs, refreshNs, flags }) => {
      if (atMs === undefined) return;
      this.pacing.onPresented({ frame, atMs, refreshMs: refreshNs / 1e6, vsync: (flags & KIND_VSYNC) !== 0, zeroCopy: (flags & KIND_ZERO_COPY) !== 0 });
    }));
  }

  /** immediate: the async presentation hint where the compositor offers tearing control, else mailbox. */
  private enableTearing(): void {
    const manager = this.window.globals.tryBind(WpTearingControlManagerV1);
    if (!manager) {
      this.pacing.fallBack("mailbox", "the compositor offers no wp_tearing_control_manager_v1: immediate falls back to mailbox");
      log.info(`wayland: ${this.pacing.reason}`);
      return;
    }
    this.tearing = manager.get_tearing_control(this.window.surface);
    this.tearing.set_presentation_hint(HINT_ASYNC);
    manager.destroy(); // the control object lives on without its manager
    log.info("wayland: immediate: wp_tearing_control_v1 async hint set (tearing allowed)");
  }

  /** Whether the compositor has asked for no frame for longer than a heartbeat interval. */
  private hiddenNow(now: number): boolean {
    return this.commitTimes.length > 0 && now - this.commitTimes[0]! > this.pacing.heartbeatMs;
  }

  /** Frame callbacks asked for and not yet done. */
  get outstanding(): number {
    return this.commitTimes.length;
  }

  /** Whether present() would commit a frame finished now (else it is held or dropped). */
  get wouldCommitNow(): boolean {
    if (this.commitNext) return true;
    if (this.window.suspended) return false; // xdg-shell v6: the compositor shows nothing of ours
    return this.unpaced || this.outstanding === 0 || (this.pacing.mode === "immediate" && !this.hiddenNow(performance.now()));
  }

  /**
   * waitTurn's answer when it would not wait (no callback to wait for, a configure to commit), made
   * without a promise: the steady state of mailbox and immediate, and of unpaced loops. Undefined
   * when waitTurn must wait.
   */
  turnNow(): "configure" | "none" | undefined {
    const now = performance.now();
    if (this.window.configurePending) {
      this.commitNext = true;
      this.lastTurnMs = now;
      return "configure";
    }
    if (this.window.suspended || (this.pacing.mode === "fifo" ? this.outstanding > 0 : this.hiddenNow(now))) return undefined;
    this.lastTurnMs = now;
    return "none";
  }

  /**
   * Called at the start of acquire (or after turnNow said it must): waits for the compositor's frame
   * callback when the mode says so (fifo; any mode while hidden or suspended), at most until the next heartbeat unless whenHidden is
   * "pause". A configure ends the wait (its frame is then committed whatever the mode). Returns what
   * ended the wait: "none" when there was none.
   */
  async waitTurn(): Promise<Woke | "none"> {
    const ready = this.turnNow();
    if (ready) return ready;
    const now = performance.now();
    const suspended = this.window.suspended;
    const mustWait = () => this.window.suspended || (this.pacing.mode === "fifo" ? this.outstanding > 0 : this.hiddenNow(performance.now()));
    let woke: Woke | "none" = "none";
    if (suspended && !this.pacing.hidden) {
      log.info("wayland: the window is suspended: heartbeat only");
      this.pacing.hidden = true;
    }
    // fifo: until every callback asked for has come (a configure's extra commit may leave two)
    while (mustWait() && !this.window.closeRequested && woke !== "beat" && woke !== "configure") {
      const tracer = this.window.tracer;
      const beatIn = this.pacing.whenHidden === "pause" ? undefined : Math.max(0, this.lastTurnMs + this.pacing.heartbeatMs - now);
      woke = await new Promise<Woke>((resolve) => {
        this.wake = resolve;
        if (beatIn !== undefined) this.beat = setTimeout(this.onBeat, beatIn);
      });
      clearTimeout(this.beat);
      this.beat = undefined;
      this.wake = undefined;
      tracer?.span("wait frame callback", tracer.currentFrame, now);
      if (woke === "configure") this.commitNext = true;
      if (woke === "beat") {
        if (!this.pacing.hidden) log.info(`wayland: no frame callback for ${this.pacing.heartbeatMs} ms: the surface is hidden; heartbeat at ${(1000 / this.pacing.heartbeatMs).toFixed(2)} Hz`);
        this.pacing.hidden = true;
        this.pacing.heartbeats++;
      }
    }
    this.lastTurnMs = performance.now();
    return woke;
  }

  /**
   * A finished frame's buffer: committed now, held for the next frame callback, or dropped, as the
   * mode says. A held frame replaced by a newer one is dropped (its buffer free at once).
   */
  present(buffer: B, frame: number): void {
    if (this.wouldCommitNow) {
      this.dropHeld();
      this.commit(buffer, frame);
      return;
    }
    if (this.pacing.mode === "fifo") {
      // a heartbeat frame while hidden: the compositor asked for none
      this.hooks.drop(buffer);
      this.pacing.dropped++;
      return;
    }
    this.dropHeld();
    this.held = { buffer, frame };
  }

  /** A buffer the backend will need soon and has none free for: the held frame's, taken back (dropped). */
  takeHeld(): B | undefined {
    const held = this.held;
    if (!held) return undefined;
    this.held = undefined;
    this.pacing.dropped++;
    return held.buffer;
  }

  /** The buffer of the frame held for the next callback, if any (not free, not attached). */
  get heldBuffer(): B | undefined {
    return this.held?.buffer;
  }

  /** Whether present() would drop a frame finished now (fifo while hidden), so the backend can skip its copy. */
  get wouldDrop(): boolean {
    return this.pacing.mode === "fifo" && !this.wouldCommitNow;
  }

  /** A finished frame the backend did not hand to present() because wouldDrop said so. */
  skip(): void {
    this.pacing.dropped++;
  }

  /** Drops the held frame, if any (its buffer free again). */
  dropHeld(): void {
    if (!this.held) return;
    this.hooks.drop(this.held.buffer);
    this.held = undefined;
    this.pacing.dropped++;
  }

  private commit(buffer: B, frame: number): void {
    const done = this.hooks.commit(buffer, frame);
    this.commitNext = false;
    this.commitTimes.push(performance.now());
    this.pacing.presented++;
    done.then(
      () => this.onCallback(),
      () => this.wake?.("callback"), // the connection failed: acquire's check reports it
    );
  }

  private onCallback(): void {
    this.commitTimes.shift();
    if (this.pacing.hidden && !this.window.suspended) {
      log.info("wayland: frame callbacks again: the surface is shown; full rate");
      this.pacing.hidden = false;
    }
    if (!this.window.presentation) this.pacing.setRefresh(0, performance.now()); // no feedback: callbacks mark the refresh grid
    if (this.outstanding === 0 && this.held && !this.window.connection.error && !this.window.closeRequested) {
      const { buffer, frame } = this.held;
      this.held = undefined;
      this.commit(buffer, frame);
    }
    this.wake?.("callback");
  }

  /** When a frame handed out now should be on screen (see Pacing.predict). */
  predict(nowMs: number): number {
    return this.pacing.predict(nowMs, this.pacing.mode === "fifo" ? 0 : Math.min(1, this.outstanding));
  }

  /** Figures for the backend's stats. */
  stats(): Record<string, number | string> {
    return { tearingHint: this.tearing ? "async" : "none", outstandingCallbacks: this.outstanding };
  }

  /** Gives back the held frame and the tearing-control object (before the window goes). */
  destroy(): void {
    if (this.held) this.hooks.drop(this.held.buffer);
    this.held = undefined;
    for (const off of this.unlisten.splice(0)) off();
    clearTimeout(this.beat); // a wait still pending is over with the run: its heartbeat must not keep the process up
    this.beat = undefined;
    if (this.tearing && !this.window.connection.error) this.tearing.destroy();
    this.tearing = undefined;
  }
}
