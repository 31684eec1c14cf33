// Present modes and pacing shared by every backend: which mode is in effect (and why, when it is not
// the one asked for), what was presented when, and the presentation time a new frame should expect.
// The backends decide when a frame reaches the display; this module only keeps the books and
// predicts. See pacing-wayland.ts and pacing-kms.ts for the path-specific parts.

/**
 * How finished frames reach the display, as Vulkan's present modes:
 * - "fifo": one frame per refresh, paced by the display (frame callbacks, page-flip events); no tearing.
 * - "mailbox": render as fast as possible, show the newest finished frame at each refresh; older ones
 *   are dropped (never shown out of order) and their buffers reused at once.
 * - "immediate": show each frame as soon as it is finished, tearing allowed where the display path
 *   permits (wp_tearing_control_v1 async hint, DRM_MODE_PAGE_FLIP_ASYNC); else mailbox, and stats say why.
 */
export type PresentMode = "fifo" | "mailbox" | "immediate";

/** The present modes, in the order of PresentMode's documentation. */
export const PRESENT_MODES: readonly PresentMode[] = ["fifo", "mailbox", "immediate"];

/** Options every presenter takes for its present mode and pacing. */
export interface PacingOptions {
  /** How frames reach the display (default "fifo"); see PresentMode. Headless has no display and ignores it. */
  presentMode?: PresentMode;
  /** At most this many frames per second, whatever the mode (default: no cap). */
  maxFps?: number;
  /**
   * With maxFps, also stamp each commit with its target time (1000/maxFps ms apart) where the
   * compositor offers wp_commit_timer_v1, so frames are shown on their targets, not just handed out
   * at the rate (default false: Mutter 50's headless backend stalled some such windows here).
   */
  maxFpsTargets?: boolean;
  /**
   * What the loop does while the display asks for no frames (a hidden, minimised or suspended
   * window gets no frame callbacks): "heartbeat" (default) keeps rendering at heartbeatHz, frames
   * not shown; "pause" waits for the display (close() still ends the loop at once).
   */
  whenHidden?: "heartbeat" | "pause";
  /** Frames per second while hidden with whenHidden "heartbeat" (default 1). */
  heartbeatHz?: number;
}

/** Present mode and presentation figures of a presenter (FrameStats.pacing). */
export interface PacingStats {
  /** The mode asked for. */
  requested: PresentMode;
  /** The mode in effect. */
  mode: PresentMode;
  /** Why `mode` differs from `requested` (absent when they are the same). */
  reason?: string;
  /** Frames handed to the display (committed to the compositor, queued as a page flip). */
  presented: number;
  /** Finished frames never handed to the display: replaced by a newer one (mailbox) or rendered while hidden. */
  dropped: number;
  /** Frames rendered by the heartbeat because the display asked for none within a heartbeat interval. */
  heartbeats: number;
  /** True while the display asks for no frames (no frame callback for longer than a heartbeat interval). */
  hidden: boolean;
  /** The frame (Frame.index) most recently reported on screen, and when (performance.now() ms). */
  lastPresentedFrame?: number;
  lastPresentedMs?: number;
  /** Whether that frame was scanned out from our buffer without a copy, and in step with the refresh (no tearing). */
  zeroCopy?: boolean;
  vsync?: boolean;
  /** The display's refresh interval in ms, as last reported or measured. */
  refreshMs?: number;
  /** The maxFps cap in effect, if any. */
  maxFps?: number;
  /** Frames shown with a target time (Frame.presentAt, or maxFps through commit timing) and reported on screen. */
  targeted?: number;
  /** Of those, the ones shown within half a refresh of their target. */
  onTime?: number;
  /** onTime / targeted. */
  onTimeRate?: number;
  /** The most a targeted frame was shown ahead of its target, in ms (0 when none was early): how well the display honoured the targets. */
  maxEarlyMs?: number;
}

/** The pacing options among a backend's options, for handing them on. */
export function pacingOf(o: PacingOptions): PacingOptions {
  return { presentMode: o.presentMode, maxFps: o.maxFps, maxFpsTargets: o.maxFpsTargets, whenHidden: o.whenHidden, heartbeatHz: o.heartbeatHz };
}

/** Checks PacingOptions, with errors that name the field. */
export function checkPacingOptions(o: PacingOptions): void {
  if (o.presentMode !== undefined && !PRESENT_MODES.includes(o.presentMode))
    throw new RangeError(`presentMode must be one of ${PRESENT_MODES.join(", ")}, got ${JSON.stringify(o.presentMode)}`);
  if (o.maxFps !== undefined && !(o.maxFps > 0)) throw new RangeError(`maxFps must be a positive number, got ${o.maxFps}`);
  if (o.heartbeatHz !== undefined && !(o.heartbeatHz > 0)) throw new RangeError(`heartbeatHz must be a positive number, got ${o.heartbeatHz}`);
  if (o.whenHidden !== undefined && o.whenHidden !== "heartbeat" && o.whenHidden !== "pause")
    throw new RangeError(`whenHidden must be "heartbeat" or "pause", got ${JSON.stringify(o.whenHidden)}`);
}

/** What a presentation report says about one frame. */
export interface PresentedReport {
  frame: number;
  /** When it reached the screen, performance.now() ms. */
  atMs: number;
  zeroCopy?: boolean;
  vsync?: boolean;
  /** The refresh interval reported with it, in ms (0 or undefined: unknown). */
  refreshMs?: number;
}

/** Default refresh interval until the display says otherwise: 60 Hz. */
const DEFAULT_REFRESH_MS = 1000 / 60;
/** How many frames' target times are kept until their presentation is reported. */
const TARGET_RING = 64;

/**
 * A backend's pacing state: the mode in effect and why, counters, the last presentation, and the
 * presentation time predicted for the next frame. One per backend, made at open.
 */
export class Pacing {
  readonly requested: PresentMode;
  private modeValue: PresentMode;
  private reasonValue: string | undefined;
  readonly maxFps: number | undefined;
  /** maxFps stamps commits with target times where it can (PacingOptions.maxFpsTargets). */
  readonly maxFpsTargets: boolean;
  readonly whenHidden: "heartbeat" | "pause";
  /** Heartbeat interval while hidden, ms. */
  readonly heartbeatMs: number;
  presented = 0;
  dropped = 0;
  heartbeats = 0;
  hidden = false;
  private last: PresentedReport | undefined;
  /** Callers of whenShown waiting for a frame's report, resolved in onPresented or by endWaits. */
  private shownWaiters: { frame: number; resolve: (shown: boolean) => void }[] = [];
  /** Target times of the latest frames shown with one (a ring by frame number; NaN: none). */
  private readonly targetFrames = new Float64Array(TARGET_RING).fill(-1);
  private readonly targetTimes = new Float64Array(TARGET_RING);
  private targeted = 0;
  private onTime = 0;
  private maxEarlyMs = 0;
  /** Refresh interval in ms: reported by the display, else measured from frame callbacks. */
  private refreshMsValue: number | undefined;
  /** A time on the display's refresh grid (a past presentation or flip), ms. */
  private gridMs: number | undefined;

  constructor(options: PacingOptions = {}) {
    checkPacingOptions(options);
    this.requested = this.modeValue = options.presentMode ?? "fifo";
    this.maxFps = options.maxFps;
    this.maxFpsTargets = options.maxFpsTargets ?? false;
    this.whenHidden = options.whenHidden ?? "heartbeat";
    this.heartbeatMs = 1000 / (options.heartbeatHz ?? 1);
  }

  /** The mode in effect. */
  get mode(): PresentMode {
    return this.modeValue;
  }

  /** Why the mode in effect differs from the one asked for, if it does. */
  get reason(): string | undefined {
    return this.reasonValue;
  }

  /** Records that `mode` is used instead of the one asked for, and why. */
  fallBack(mode: PresentMode, reason: string): void {
    this.modeValue = mode;
    this.reasonValue = reason;
  }

  /** The refresh interval in ms (reported or measured), if known. */
  get refreshMs(): number | undefined {
    return this.refreshMsValue;
  }

  /** A time on the refresh grid (the last presentation, or one setRefresh gave), if known. */
  get gridTimeMs(): number | undefined {
    return this.gridMs;
  }

  /** Sets the refresh interval (e.g. from the KMS mode), and optionally a time on its grid. */
  setRefresh(refreshMs: number, gridMs?: number): void {
    if (refreshMs > 0) this.refreshMsValue = refreshMs;
    if (gridMs !== undefined) this.gridMs = gridMs;
  }

  /** Frame `frame` was shown with a target time (performance.now() ms): its presentation counts for the on-time rate. */
  expect(frame: number, targetMs: number): void {
    this.targetFrames[frame % TARGET_RING] = frame;
    this.targetTimes[frame % TARGET_RING] = targetMs;
  }

  /** A frame reached the screen (wp_presentation feedback, a page-flip event). */
  onPresented(report: PresentedReport): void {
    const slot = report.frame % TARGET_RING;
    if (this.targetFrames[slot] === report.frame) {
      this.targetFrames[slot] = -1;
      this.targeted++;
      const halfRefresh = (report.refreshMs || this.refreshMsValue || DEFAULT_REFRESH_MS) / 2;
      const late = report.atMs - this.targetTimes[slot]!;
      if (Math.abs(late) <= halfRefresh) this.onTime++;
      if (-late > this.maxEarlyMs) this.maxEarlyMs = -late;
    }
    // feedback may arrive out of order across frames only if the display misbehaves; keep the newest
    if (this.last && report.frame < this.last.frame) return;
    this.last = report;
    if (report.refreshMs && report.refreshMs > 0) this.refreshMsValue = report.refreshMs;
    this.gridMs = report.atMs;
    if (this.shownWaiters.length > 0) this.settleWaiters(report.frame);
  }

  /**
   * Resolves true once frame `frame`, or a later one (which covers it on screen), is reported shown;
   * false after `timeoutMs` or when endWaits() comes first. At once where such a report has arrived.
   */
  whenShown(frame: number, timeoutMs: number): Promise<boolean> {
    if (this.last && this.last.frame >= frame) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        frame,
        resolve: (shown: boolean) => {
          clearTimeout(timer);
          resolve(shown);
        },
      };
      const timer = setTimeout(() => {
        this.shownWaiters = this.shownWaiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      this.shownWaiters.push(waiter);
    });
  }

  /**
   * A new run numbers its frames from 0 again: forget the last run's newest report, so the new run's
   * reports count and whenShown waits for them; waits for the old run's frames end with false.
   */
  newRun(): void {
    this.last = undefined;
    this.endWaits();
  }

  /** Resolves every whenShown still waiting with false (the presenter closes). */
  endWaits(): void {
    const ending = this.shownWaiters;
    this.shownWaiters = [];
    for (const w of ending) w.resolve(false);
  }

  private settleWaiters(shown: number): void {
    const done = this.shownWaiters.filter((w) => w.frame <= shown);
    this.shownWaiters = this.shownWaiters.filter((w) => w.frame > shown);
    for (const w of done) w.resolve(true);
  }

  /**
   * When a frame handed out now should reach the screen (performance.now() ms): the next point of
   * the refresh grid after now, plus one refresh per frame already queued ahead of it.
   */
  predict(nowMs: number, queuedAhead = 0): number {
    const period = this.refreshMsValue ?? DEFAULT_REFRESH_MS;
    const grid = this.gridMs;
    const next = grid === undefined ? nowMs + period : grid + Math.max(1, Math.ceil((nowMs - grid) / period)) * period;
    return next + queuedAhead * period;
  }

  /** Figures for FrameStats.pacing. */
  stats(): PacingStats {
    const s: PacingStats = {
      requested: this.requested,
      mode: this.modeValue,
      presented: this.presented,
      dropped: this.dropped,
      heartbeats: this.heartbeats,
      hidden: this.hidden,
    };
    if (this.reasonValue !== undefined) s.reason = this.reasonValue;
    if (this.last) {
      s.lastPresentedFrame = this.last.frame;
      s.lastPresentedMs = this.last.atMs;
      if (this.last.zeroCopy !== undefined) s.zeroCopy = this.last.zeroCopy;
      if (this.last.vsync !== undefined) s.vsync = this.last.vsync;
    }
    if (this.refreshMsValue !== undefined) s.refreshMs = Number(this.refreshMsValue.toFixed(3));
    if (this.maxFps !== undefined) s.maxFps = this.maxFps;
    if (this.targeted > 0) {
      s.targeted = this.targeted;
      s.onTime = this.onTime;
      s.onTimeRate = Number((this.onTime / this.targeted).toFixed(4));
      s.maxEarlyMs = Number(this.maxEarlyMs.toFixed(3));
    }
    return s;
  }
}
