// wp_presentation feedback for one surface: a feedback object per commit, reporting when that
// commit's frame was shown (on the performance.now() clock), the refresh and the kind flags, or that
// it was discarded. Tells listeners, keeps counts and the mean commit-to-presentation latency, and
// records into a frame tracer when given one.
import { CLOCK_MONOTONIC, clockNs } from "../sys/libc.js";
import { Listeners } from "../util/listeners.js";
import { logger } from "../util/log.js";
import { nowOffsetMs, type FrameTracer } from "../util/trace.js";
import type { Globals } from "./globals.js";
import { WpPresentation } from "./protocol/presentation-time.js";
import type { WlSurface } from "./protocol/wayland.js";

const log = logger("wayland");

/** One wp_presentation_feedback.presented event, for the frame whose commit asked for it. */
export interface PresentedEvent {
  /** The frame given to WaylandWindow.present for that commit. */
  frame: number;
  /** When it was shown, in performance.now() ms; undefined when the compositor's clock is unreadable here. */
  atMs: number | undefined;
  /** The output's refresh interval in ns (0 when unknown). */
  refreshNs: number;
  /** wp_presentation_feedback.kind bits (WpPresentationFeedbackKind: vsync, hw_clock, hw_completion, zero_copy). */
  flags: number;
}

/** What the compositor reported through wp_presentation feedback, when it offers it. */
export interface PresentationStats {
  /** Frames the compositor reported as presented / discarded through wp_presentation. */
  presented: number;
  discarded: number;
  /** Mean commit-to-presentation latency in ms (on the compositor's presentation clock). */
  meanLatencyMs: number | undefined;
  /** Refresh interval reported with the last presentation, in ns (0 when unknown). */
  refreshNs: number;
}

/** Presentation feedback for the commits of one surface; `presentation` is undefined where the compositor has no wp_presentation. */
export class PresentationFeedback {
  readonly presentation: WpPresentation | undefined;
  /** Each `presented` event, with the frame it belongs to. */
  readonly presented = new Listeners<PresentedEvent>();
  readonly stats: PresentationStats = { presented: 0, discarded: 0, meanLatencyMs: undefined, refreshNs: 0 };
  /** Where presented and discarded frames are recorded, if anywhere. */
  tracer: FrameTracer | undefined;
  /** wp_presentation's clock (CLOCK_MONOTONIC until clock_id says otherwise); undefined if unreadable. */
  private clockId: number | undefined = CLOCK_MONOTONIC;
  /** Adds to a presentation-clock time (ms) to give performance.now() ms; measured on first use. */
  private clockOffsetMs: number | undefined;
  private latencySumMs = 0;
  private latencyCount = 0;

  constructor(globals: Globals) {
    this.presentation = globals.tryBind(WpPresentation, { fallback: "frames are paced by frame callbacks alone, with no presentation times" });
    this.presentation?.listen({
      clock_id: (clk) => {
        this.clockId = readableClock(clk);
        this.clockOffsetMs = undefined;
      },
    });
  }

  /** Asks for feedback on the next commit of `surface`, labelled `frame`; call right before that commit. Does nothing without wp_presentation. */
  track(surface: WlSurface, frame: number): void {
    if (!this.presentation) return;
    const committedMs = performance.now();
    this.presentation.feedback(surface).listen({
      sync_output: () => {},
      presented: (secHi, secLo, nsec, refreshNs, _seqHi, _seqLo, flags) => {
        const atMs = this.toNowMs(secHi, secLo, nsec);
        this.count(atMs === undefined ? undefined : atMs - committedMs, refreshNs);
        this.presented.emit({ frame, atMs, refreshNs, flags });
        if (atMs !== undefined) this.tracer?.point("presented", frame, atMs, refreshNs, flags);
      },
      discarded: () => {
        this.stats.discarded++;
        this.tracer?.point("discarded", frame);
      },
    });
  }

  /** The figures a presenter's stats show: counts, mean latency, refresh rate. */
  figures(): Record<string, number> {
    const p = this.stats;
    return {
      feedbackPresented: p.presented,
      feedbackDiscarded: p.discarded,
      ...(p.meanLatencyMs !== undefined ? { presentLatencyMs: Number(p.meanLatencyMs.toFixed(3)) } : {}),
      ...(p.refreshNs ? { refreshHz: Number((1e9 / p.refreshNs).toFixed(2)) } : {}),
    };
  }

  /** Destroys the wp_presentation global (feedback objects end with their events). */
  destroy(): void {
    this.presentation?.destroy();
  }

  private count(latencyMs: number | undefined, refreshNs: number): void {
    const s = this.stats;
    s.presented++;
    s.refreshNs = refreshNs;
    if (latencyMs === undefined) return; // the mean is over the presentations whose time could be read
    this.latencySumMs += latencyMs;
    this.latencyCount++;
    s.meanLatencyMs = this.latencySumMs / this.latencyCount;
  }

  /**
   * A performance.now() time (ms) on the presentation clock, as wp_commit_timer_v1.set_timestamp takes
   * it: [tv_sec_hi, tv_sec_lo, tv_nsec]; undefined when that clock is unreadable here.
   */
  toClockTime(nowMs: number): [number, number, number] | undefined {
    const clockId = this.clockId;
    if (clockId === undefined) return undefined;
    this.clockOffsetMs ??= nowOffsetMs(() => Number(clockNs(clockId)) / 1e6);
    const ms = nowMs - this.clockOffsetMs;
    if (!(ms > 0)) return undefined;
    const sec = Math.floor(ms / 1000);
    const nsec = Math.min(999_999_999, Math.round((ms - sec * 1000) * 1e6));
    return [Math.floor(sec / 2 ** 32), sec >>> 0, nsec];
  }

  /** A wp_presentation timestamp on the performance.now() clock (ms); undefined when its clock is unreadable. */
  private toNowMs(secHi: number, secLo: number, nsec: number): number | undefined {
    const clockId = this.clockId;
    if (clockId === undefined) return undefined;
    this.clockOffsetMs ??= nowOffsetMs(() => Number(clockNs(clockId)) / 1e6);
    return (secHi * 2 ** 32 + secLo) * 1e3 + nsec / 1e6 + this.clockOffsetMs;
  }
}

/** The compositor's presentation clock if we can read it; else latency goes unmeasured. */
function readableClock(clockId: number): number | undefined {
  try {
    clockNs(clockId);
    return clockId;
  } catch (e) {
    log.warn(`wp_presentation.clock_id ${clockId} cannot be read here (${(e as Error).message}): presentation latency is not measured`);
    return undefined;
  }
}
