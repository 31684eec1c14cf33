// A Wayland surface as a display sink behind the present queue (present-queue.ts), shared by the
// shm and dmabuf backends: showing a buffer is attach + commit, and presentation feedback reaches the
// pacing records. "Display ready" is the commit's frame callback, except in fifo where the
// compositor offers fifo-v1 and wp_presentation: there, as Mesa's WSI does, no frame callback is
// asked for; a barrier on every commit (wait_barrier, then set_barrier: one commit applied per
// refresh) paces the loop, one commit may wait in the compositor while the next frame renders, and
// a commit's `presented` feedback is its "display ready". The compositor may ignore barriers of a
// surface it does not show (fifo-v1): such commits are discarded, never presented, so the queue
// sees no ready signal and the heartbeat keeps a hidden loop at its slow rate, as frame callbacks
// did. Mailbox commits every finished frame (the compositor shows the newest at its repaint; buffers
// come back on wl_buffer.release) and, like immediate, asks for one frame callback at a time.
// It also owns what is Wayland's own: the tearing hint for immediate, a configure that must be
// committed promptly (it ends a wait, and its frame is shown whatever the mode), a close request,
// a suspended window, and commit-timing-v1 target times (Frame.presentAt; with maxFpsTargets,
// maxFps targets every 1000/maxFps ms) where offered.
import { logger } from "../util/log.js";
import { WpTearingControlManagerV1, WpTearingControlV1PresentationHint, type WpTearingControlV1 } from "../wayland/protocol/tearing-control-v1.js";
import { WpPresentationFeedbackKind } from "../wayland/protocol/presentation-time.js";
import { WpFifoManagerV1, type WpFifoV1 } from "../wayland/protocol/fifo-v1.js";
import { WpCommitTimingManagerV1, type WpCommitTimerV1 } from "../wayland/protocol/commit-timing-v1.js";
import { transformName } from "../render/pre-rotation.js";
import type { WaylandWindow } from "../wayland/window.js";
import type { PacingOptions } from "./pacing.js";
import { PresentQueue, type DisplaySink, type Woke } from "./present-queue.js";

const log = logger("present");

/**
 * maxFps commits wait in the client until this long before the refresh ahead of their target, and
 * carry a target already due. Weston 16 cannot take an early commit with a future target on time at
 * half the refresh rate: its output goes idle in the refresh between (no damage), the target's
 * wake-up comes a repaint window (7 ms) before the grid point at or after the target
 * (weston_output_repaint_from_present), and the restarted loop presents a full refresh after that
 * wake (headless: start_repaint_loop reads "now"; DRM: the vblank after next), so frames land
 * 2 refreshes + 9.7 ms apart (43 ms at 60 Hz). A commit arriving a refresh before the target with a
 * due timestamp is applied at once and shown a refresh later, at the target. Mutter 50 keeps its
 * grid and shows such a commit at its next frame, a refresh early, but takes early commits with the
 * target less half a refresh on time. No single timestamp suits both, so the sink starts with the
 * early rule and moves to the held one when frames land late (see judgeRule).
 */
const HOLD_MARGIN_MS = 1;

/**
 * Batched fifo reads (WaylandPacingOptions.fifoBatchedReads) resume this long after the refresh that
 * presents the oldest frame in flight: the compositor sends `presented` as that refresh's repaint
 * ends, and our timer runs on libuv's millisecond clock.
 */
const READ_MARGIN_MS = 1;


/** How a backend's buffers are shown: commit one (attach + commit) or give one back unused. */
export interface WaylandBufferHooks<B> {
  /**
   * Marks the buffer attached and commits it: through window.present(wlBuffer, frame) with
   * `frameCallback` (resolves with the frame callback), else window.presentWithoutCallback.
   */
  commit(buffer: B, frame: number, frameCallback: boolean): Promise<number> | undefined;
  /** The buffer will not be committed: free for rendering again. */
  drop(buffer: B): void;
}

/** Pacing options of the Wayland backends: the present mode and heartbeat, and whether frame callbacks pace at all. */
export interface WaylandPacingOptions extends PacingOptions {
  /**
   * Paced by frame callbacks (default true). false: never wait for a callback and commit every finished
   * frame at once, whatever the present mode (throughput benchmarks; the compositor shows what it can).
   * A suspended window (xdg-shell v6) still gets no commits: the compositor shows nothing of it.
   */
  paced?: boolean;
  /**
   * fifo where the compositor offers wp_fifo_v1 and wp_presentation (default true): while acquire
   * waits for the oldest frame in flight to be presented, the connection reads nothing until just
   * after the refresh that presents it (Connection.pauseReads), so the compositor's buffer release at
   * its repaint and the `presented` feedback at the refresh are read in one event-loop wake-up, not
   * two (on Weston 16 each wake-up of node's loop cost the JS thread ~0.1 ms). Events (input,
   * configure, ping) wait at most a refresh and a millisecond. Not on a connection the app passed
   * in (WindowOptions.connection: another window's events would wait). false: every event is read
   * when it arrives.
   */
  fifoBatchedReads?: boolean;
}

/** One window's surface behind a present queue (see the top of this file). */
export class WaylandSurfaceSink<B> implements DisplaySink<B> {
  readonly queue: PresentQueue<B>;
  private tearing: WpTearingControlV1 | undefined;
  /** fifo-v1: the surface's barrier object (fifo mode, paced, where offered), and its manager. */
  private fifo: { readonly manager: WpFifoManagerV1; readonly surface: WpFifoV1 } | undefined;
  /** commit-timing-v1: the surface's timer (where offered), its manager, and the last maxFps target. */
  private timing: { readonly manager: WpCommitTimingManagerV1; readonly timer: WpCommitTimerV1 } | undefined;
  private lastTargetMs = NaN;
  /** maxFps commits: "early" (committed at once, target half a refresh early) or "held" (HOLD_MARGIN_MS). */
  private rule: "early" | "held" = "early";
  /** judgeRule's record: the maxFps target per frame not yet presented, and the misses in this round. */
  private readonly ruleTargets = new Map<number, number>();
  private readonly ruleRound = { seen: 0, missed: 0, switches: 0, lastFrame: -1, lastAtMs: NaN };
  /** maxFps commits held until a refresh before their targets (show), oldest first. */
  private readonly held: { readonly timer: ReturnType<typeof setTimeout>; readonly send: () => void; readonly buffer: B }[] = [];
  /** fifo with fifo-v1 and wp_presentation: a commit's `presented` feedback is its "display ready" (no frame callbacks). */
  private readyOnFeedback = false;
  private readonly counts = { barriers: 0, timed: 0, callbacks: 0, acksHeld: 0 };
  /** fifoBatchedReads in effect (asked for, fifo with feedback as the ready signal). */
  private batchedReads = false;
  /** Ends the sink's window listeners (destroy). */
  private readonly unlisten: (() => void)[] = [];
  private readonly onCallback = (): void => {
    if (!this.window.presentation) this.queue.pacing.setRefresh(0, performance.now()); // no feedback: callbacks mark the refresh grid
    this.queue.displayReady();
  };
  private readonly onCallbackFailed = (): void => this.queue.interrupt(); // the connection failed: acquire's check reports it

  constructor(
    private readonly window: WaylandWindow,
    options: WaylandPacingOptions,
    private readonly hooks: WaylandBufferHooks<B>,
  ) {
    // fifo: acquire waits for the frame callback, so no finished frame waits behind a commit
    this.queue = new PresentQueue<B>(this, { ...options, fifoDepth: 0, takesAnyTime: true, waitName: "wait frame callback" });
    if (this.queue.pacing.requested === "immediate") this.enableTearing();
    if (this.queue.pacing.mode === "fifo" && options.paced !== false) this.enableFifo();
    // not on a connection the app passed in: another window's events would wait through our pauses
    this.batchedReads = this.readyOnFeedback && options.fifoBatchedReads !== false && window.ownConnection;
    this.enableTiming();
    // a configure must be acked (and its frame committed) promptly: it ends any wait
    this.unlisten.push(window.configureArrived.add(() => this.queue.interrupt()));
    // one reaction for the window's life (a reaction per wait would pile up on this long-lived promise)
    void window.closeRequest.then(() => this.queue.close());
    // no frame callback may be waited on (fifo-v1): a failed connection must still end a wait
    window.connection.closed.then(undefined, () => this.queue.close());
    this.unlisten.push(window.presented.add(({ frame, atMs, refreshNs, flags }) => {
      if (this.readyOnFeedback) this.queue.presentedUpTo(frame);
      if (atMs === undefined) return;
      this.judgeRule(frame, atMs, refreshNs / 1e6);
      const vsync = (flags & WpPresentationFeedbackKind.vsync) !== 0;
      this.queue.pacing.onPresented({ frame, atMs, refreshMs: refreshNs / 1e6, vsync, zeroCopy: (flags & WpPresentationFeedbackKind.zero_copy) !== 0 });
    }));
  }

  /** fifo: barriers where the compositor offers fifo-v1; then one commit may wait in the compositor, and feedback replaces frame callbacks. */
  private enableFifo(): void {
    const manager = this.window.globals.tryBind(WpFifoManagerV1);
    if (!manager) return;
    this.fifo = { manager, surface: manager.get_fifo(this.window.surface) };
    this.queue.maxInFlight = 2;
    this.readyOnFeedback = this.queue.fifoInFlightAhead = this.window.presentation !== undefined;
    log.info(`wayland: fifo: wp_fifo_v1 barriers on every commit (one commit may wait in the compositor); display ready: ${this.readyOnFeedback ? "wp_presentation feedback, no frame callbacks" : "frame callbacks (no wp_presentation)"}`);
  }

  /** Target times for commits where the compositor offers commit-timing-v1. */
  private enableTiming(): void {
    const manager = this.window.globals.tryBind(WpCommitTimingManagerV1);
    if (!manager) return;
    this.timing = { manager, timer: manager.get_timer(this.window.surface) };
    log.info(`wayland: wp_commit_timer_v1: commits carry Frame.presentAt targets${this.queue.pacing.maxFps ? ` and maxFps ${this.queue.pacing.maxFps} targets` : ""}`);
  }

  /**
   * maxFps with commit timing: targets 1000/maxFps ms apart, locked to the first one (the refresh
   * after next then: the commit must reach the compositor before its target, less half a refresh),
   * so the rate holds whatever the hand-out jitter; after a late frame, the targets start again.
   * NaN without either.
   */
  private maxFpsTarget(nowMs: number): number {
    const maxFps = this.queue.pacing.maxFps;
    if (!this.timing || !maxFps || !this.queue.pacing.maxFpsTargets) return NaN;
    const refresh = this.queue.pacing.refreshMs ?? 1000 / 60;
    const next = this.lastTargetMs + 1000 / maxFps;
    return (this.lastTargetMs = next > nowMs + refresh ? next : this.queue.pacing.predict(nowMs + refresh));
  }

  /** immediate: the async presentation hint where the compositor offers tearing control, else mailbox. */
  private enableTearing(): void {
    const manager = this.window.globals.tryBind(WpTearingControlManagerV1);
    const pacing = this.queue.pacing;
    if (!manager) {
      pacing.fallBack("mailbox", "the compositor offers no wp_tearing_control_manager_v1: immediate falls back to mailbox");
      log.info(`wayland: ${pacing.reason}`);
      return;
    }
    this.tearing = manager.get_tearing_control(this.window.surface);
    this.tearing.set_presentation_hint(WpTearingControlV1PresentationHint.async);
    manager.destroy(); // the control object lives on without its manager
    log.info("wayland: immediate: wp_tearing_control_v1 async hint set (tearing allowed)");
  }

  /**
   * acquire's turn for frame `frame`: true at once when no wait is needed, else a promise that
   * resolves once the compositor asked for a frame (or a configure, a close, the heartbeat ended the
   * wait). A pending configure is committed with the next frame whatever the mode.
   */
  turn(frame: number): true | Promise<Woke> {
    if (this.window.configurePending) this.queue.forceNext();
    if (this.queue.turnNow()) return true;
    if (this.batchedReads) this.pauseReadsUntilPresented();
    return this.queue.waitTurn(frame).then(this.afterWait);
  }

  /**
   * fifoBatchedReads: acquire waits for the oldest frame in flight to be presented, at the refresh
   * after the last one presented (one commit waits in the compositor behind it); until just after
   * that refresh nothing we wait for can come, so the connection reads nothing until then. Not when
   * that refresh has passed (its feedback may be in the socket already: a late frame), nor while
   * hidden or suspended (no presentation comes).
   */
  private pauseReadsUntilPresented(): void {
    const pacing = this.queue.pacing;
    const refresh = pacing.refreshMs;
    const grid = pacing.gridTimeMs;
    if (refresh === undefined || grid === undefined || pacing.hidden || this.window.suspended || this.queue.inFlight === 0) return;
    const wait = grid + refresh + READ_MARGIN_MS - performance.now();
    if (wait <= READ_MARGIN_MS || wait > refresh + READ_MARGIN_MS) return;
    this.window.connection.pauseReads(wait);
  }
  private readonly afterWait = (woke: Woke): Woke => {
    if (this.window.configurePending) this.queue.forceNext(); // the configure that ended the wait
    return woke;
  };

  /**
   * Whether a finished frame may be committed later, when acquire's wait for the display ends: fifo
   * with presentation feedback as the ready signal and a frame in flight whose `presented` ends that
   * wait (the late commit waits on that frame's barrier anyway, so it reaches the same refresh).
   */
  get commitMayWait(): boolean {
    return this.readyOnFeedback && this.queue.inFlight > 0 && !this.queue.pacing.hidden && !this.window.suspended;
  }

  /**
   * Where a configure's ack must wait for the commits the compositor still holds: fifo-v1 barriers
   * queue a commit in the compositor, and Weston 16 applies ack_configure when it arrives, so a queued
   * commit of the old size applied after the ack of a maximised state fails the window
   * (invalid_surface_state). Resolves at once where nothing is held; else once every frame shown is
   * presented (a refresh or two), bounded so a display that discards them cannot hold the ack.
   */
  beforeAck(): Promise<void> | undefined {
    if (!this.fifo || this.queue.inFlight === 0 || this.queue.pacing.hidden || this.window.suspended) return undefined;
    const refresh = this.queue.pacing.refreshMs ?? 1000 / 60;
    this.counts.acksHeld++;
    return this.queue.whenDrained(Math.max(100, refresh * 4));
  }

  /** The window is xdg-shell suspended: the compositor shows nothing of it. */
  get suspended(): boolean {
    return this.window.suspended;
  }

  show(buffer: B, frame: number, atMs: number, wantReady: boolean): void {
    const explicit = !Number.isNaN(atMs); // Frame.presentAt
    const target = explicit ? atMs : this.maxFpsTarget(performance.now());
    const timed = !Number.isNaN(target);
    // maxFps's timed commits need no barrier (their targets are in order already), and Mutter 50
    // (headless) stalls timed commits that also wait on barriers; a Frame.presentAt frame keeps its
    // barrier, so the untimed frames after it are not shown before it
    if (this.fifo && (explicit || !timed || !this.timing)) {
      this.fifo.surface.wait_barrier(); // applied no earlier than the refresh that shows the previous commit
      this.fifo.surface.set_barrier();
      this.counts.barriers++;
    }
    if (!timed || explicit || !this.timing) this.flushHeld(); // commits stay in order
    if (!timed) return this.commitNow(buffer, frame, wantReady, NaN);
    this.queue.pacing.expect(frame, target);
    if (this.timing) this.counts.timed++; // a held frame's commit carries its target too
    const refresh = this.queue.pacing.refreshMs ?? 1000 / 60;
    // Frame.presentAt: half a refresh early, so the refresh nearest the target takes it
    if (explicit || !this.timing) return this.commitNow(buffer, frame, wantReady, target - refresh / 2);
    this.ruleTargets.set(frame, target);
    if (this.rule === "early") this.flushHeld();
    if (this.rule === "early") return this.commitNow(buffer, frame, wantReady, target - refresh / 2);
    // held until a refresh before the target, with a target already due (see HOLD_MARGIN_MS)
    const send = (): void => this.commitNow(buffer, frame, wantReady, target - 1.5 * refresh);
    const holdMs = target - refresh - HOLD_MARGIN_MS - performance.now();
    if (holdMs <= 0) {
      this.flushHeld();
      return send();
    }
    // targets rise, so the timers fire in order: the first held is this timer's
    const timer = setTimeout(() => {
      this.held.shift();
      if (this.window.connection.error) this.hooks.drop(buffer); // the connection failed meanwhile
      else send();
    }, holdMs);
    this.held.push({ timer, send, buffer });
  }

  /** Attach + commit, with a commit-timing target (presentation clock, ms; NaN: none). */
  private commitNow(buffer: B, frame: number, wantReady: boolean, targetMs: number): void {
    const time = this.timing && !Number.isNaN(targetMs) ? this.window.feedback.toClockTime(targetMs) : undefined;
    if (time) this.timing!.timer.set_timestamp(time[0], time[1], time[2]);
    const callback = wantReady && !this.readyOnFeedback;
    const done = this.hooks.commit(buffer, frame, callback);
    if (callback) {
      this.counts.callbacks++;
      done!.then(this.onCallback, this.onCallbackFailed);
    }
  }

  /**
   * Where maxFps frames land picks the rule: 2 in a round of up to 6 frames over half a refresh late
   * or off the refresh grid under "early" (Weston's idle output), or over half a refresh early under
   * "held" (a compositor that shows due commits at once), and the sink takes the other rule; twice
   * at most, so a noisy bed cannot flap.
   */
  private judgeRule(frame: number, atMs: number, refreshMs: number): void {
    const target = this.ruleTargets.get(frame);
    for (const f of this.ruleTargets.keys()) if (f <= frame) this.ruleTargets.delete(f);
    if (target === undefined || this.ruleRound.switches >= 2) return;
    const off = atMs - target;
    const refresh = refreshMs || 1000 / 60;
    const half = refresh / 2;
    const round = this.ruleRound;
    // two frames in a row a fraction of a refresh apart: the compositor restarted its clock at a
    // wake-up (Weston's idle output), which the early rule cannot meet even while on time
    const apart = atMs - round.lastAtMs; // a stall's long gap says nothing of the grid
    const phase = frame === round.lastFrame + 1 && apart < 3 * refresh ? apart % refresh : 0;
    const offGrid = Math.min(phase, refresh - phase) > refresh / 4;
    round.lastFrame = frame;
    round.lastAtMs = atMs;
    round.seen++;
    if (this.rule === "early" ? off > half || offGrid : off < -half) round.missed++;
    if (round.missed < 2 && round.seen < 6) return;
    if (round.missed >= 2) {
      this.rule = this.rule === "early" ? "held" : "early";
      round.switches++;
      log.info(`wayland: maxFps targets: ${round.missed} of ${round.seen} frames off by over half a refresh: commits now ${this.rule === "held" ? "held until a refresh before their targets" : "sent at once, half a refresh early"}`);
    }
    round.seen = round.missed = 0;
  }

  /** Commits the held maxFps frames now (an untimed or unheld frame follows, or the sink goes). */
  private flushHeld(): void {
    for (const held of this.held.splice(0)) {
      clearTimeout(held.timer);
      held.send();
    }
  }

  drop(buffer: B): void {
    this.hooks.drop(buffer);
  }

  /** Figures for the backend's stats. */
  stats(): Record<string, number | string> {
    return {
      tearingHint: this.tearing ? "async" : "none",
      outstandingCallbacks: this.queue.inFlight,
      fifo: this.counts.barriers > 0 ? "wp_fifo_v1" : "frame callbacks",
      fifoBarriers: this.counts.barriers,
      acksHeld: this.counts.acksHeld,
      displayReady: this.readyOnFeedback ? "presentation feedback" : "frame callbacks",
      frameCallbacks: this.counts.callbacks,
      commitTiming: this.timing ? "wp_commit_timer_v1" : "none",
      maxFpsRule: this.rule,
      timedCommits: this.counts.timed,
      batchedReads: this.batchedReads ? "on" : "off",
      readPauses: this.window.connection.readPauses.pauses,
      readPausesEndedEarly: this.window.connection.readPauses.emptyResumes,
      // what the compositor prefers (wl_compositor v6) and what our buffers are in (WindowOptions.preRotate)
      preferredTransform: transformName(this.window.preferredTransform),
      bufferTransform: transformName(this.window.geometry.transform),
    };
  }

  /** Gives back the waiting frame and the tearing-control object, and unhooks from the window (before it goes). */
  destroy(): void {
    // a held frame is committed as it would have been without the hold (the window goes after it)
    if (!this.window.connection.error) this.flushHeld();
    for (const held of this.held.splice(0)) {
      clearTimeout(held.timer);
      this.hooks.drop(held.buffer);
    }
    this.queue.destroy();
    for (const off of this.unlisten.splice(0)) off();
    if (!this.window.connection.error) {
      this.tearing?.destroy();
      this.fifo?.surface.destroy();
      this.fifo?.manager.destroy();
      this.timing?.timer.destroy();
      this.timing?.manager.destroy();
    }
    this.tearing = undefined;
    this.fifo = this.timing = undefined;
  }
}
