// What the status page shows, read from a presenter: fixed facts (backend, device, format, sync
// path) and samples of its counters turned into per-interval figures. Nothing here runs per frame:
// the server samples on a timer, and only while a page is connected.
import type { FrameStats, Presenter } from "../present/presenter.js";
import { vkFormatName } from "../vk/index.js";

/** The parts of a presenter the status page reads (any Presenter has them). */
export type StatusSource = Pick<Presenter, "backend" | "size" | "format" | "device" | "stats" | "endReason">;

/** The fixed facts about a presenter the status page shows: backend, device name, size, Vulkan format, how frame completion is synchronised, the scanout modifier, why it ended (null while running), and every backend figure. */
export interface PresenterInfo {
  backend: string;
  device: string;
  size: string;
  format: string;
  /** How the frame's completion reaches the compositor or display (backend figure `sync`, or `path`). */
  sync: string | null;
  modifier: string | null;
  endReason: string | null;
  /** Every backend figure, for the page's table. */
  extra: Record<string, number | string>;
}

/** One sample: totals as the presenter reports them and figures over the interval since the last. */
export interface StatusSample {
  /** Milliseconds since the server started. */
  t: number;
  /** Frames of the current (or last) run, and its average rate. */
  frames: number;
  averageFps: number;
  /** Frames per second over the interval. */
  fps: number;
  /** Wall time, CPU time of the JavaScript thread and of the whole process, and GPU time per frame over the interval. */
  frameMs: number | null;
  cpuMs: number | null;
  processCpuMs: number | null;
  /** The presenter's GPU time per frame (a median of its recent frames); null without GPU timestamps. */
  gpuMs: number | null;
  /** Submit-to-screen latency as the backend reports it (null where it reports none, e.g. headless). */
  presentMs: number | null;
  /**
   * Refreshes of the display that passed without a new frame in this run: the backend's own count
   * (KMS: missed vblanks), else estimated from the refresh rate the compositor reports, plus frames
   * it discarded; null where there is no display (headless).
   */
  missed: number | null;
}

/** Backend figures that count refreshes without a new frame, in order of preference. */
const MISSED_KEYS = ["missedFrames", "missedVblanks"] as const;
/** Backend figures that give a mean present latency, and the count each mean is over. */
const LATENCY_KEYS = [["presentLatencyMs", "feedbackPresented"], ["flipLatencyMs", "flips"]] as const;

interface Counters {
  at: number;
  frames: number;
  cpuTotal: number;
  processCpuTotal: number;
  latencyTotal: number | undefined;
  latencyCount: number | undefined;
}

const numberIn = (record: object, key: string): number | undefined => {
  const v = (record as Record<string, unknown>)[key];
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
};

/** Counters as they were when the run began (all zero), `seconds` before `now`. */
const runStart = (now: Counters, seconds: number): Counters => ({
  at: now.at - seconds * 1000,
  frames: 0,
  cpuTotal: 0,
  processCpuTotal: 0,
  latencyTotal: now.latencyTotal === undefined ? undefined : 0,
  latencyCount: 0,
});

export class StatusFeed {
  private readonly started = performance.now();
  private previous: Counters | undefined;

  constructor(private readonly source: StatusSource) {}

  /** Reads the presenter's stats once: the facts, and the figures since the previous read. */
  read(): { info: PresenterInfo; sample: StatusSample } {
    const stats = this.source.stats; // may be computed on every read: once per update
    return { info: this.info(stats), sample: this.sample(stats) };
  }

  private info(stats: FrameStats): PresenterInfo {
    const { extra } = stats;
    const text = (key: string): string | null => (extra[key] === undefined ? null : String(extra[key]));
    const [w, h] = this.source.size;
    return {
      backend: this.source.backend,
      device: this.source.device.physical.name,
      size: `${w}x${h}`,
      format: vkFormatName(this.source.format),
      sync: text("sync") ?? text("path"),
      modifier: text("modifier"),
      endReason: this.source.endReason ?? null,
      extra: { ...extra },
    };
  }

  private sample(stats: FrameStats): StatusSample {
    const now = this.counters(stats);
    // The first sample, and the first after a new run restarted the counters, covers the run so far.
    const before = this.previous && this.previous.frames <= now.frames ? this.previous : runStart(now, stats.seconds);
    this.previous = now;
    const frames = now.frames - before.frames;
    const seconds = (now.at - before.at) / 1000;
    const perFrame = (total: number | undefined, earlier: number | undefined): number | null =>
      total === undefined || earlier === undefined || frames <= 0 ? null : (total - earlier) / frames;
    const latencyCount = (now.latencyCount ?? 0) - (before.latencyCount ?? 0);
    return {
      t: Math.round(now.at - this.started),
      frames: stats.frames,
      averageFps: stats.fps,
      fps: seconds > 0 ? frames / seconds : 0,
      frameMs: frames > 0 ? (seconds * 1000) / frames : null,
      cpuMs: perFrame(now.cpuTotal, before.cpuTotal),
      processCpuMs: perFrame(now.processCpuTotal, before.processCpuTotal),
      gpuMs: numberIn(stats, "gpuMsPerFrame") ?? null, // a median: it does not split into intervals
      presentMs: now.latencyTotal === undefined || before.latencyTotal === undefined || latencyCount <= 0 ? null : (now.latencyTotal - before.latencyTotal) / latencyCount,
      missed: missedRefreshes(stats),
    };
  }

  private counters(stats: FrameStats): Counters {
    const latency = LATENCY_KEYS.find(([mean]) => numberIn(stats.extra, mean) !== undefined);
    const mean = latency && numberIn(stats.extra, latency[0]);
    const count = latency ? (numberIn(stats.extra, latency[1]) ?? stats.frames) : undefined;
    return {
      at: performance.now(),
      frames: stats.frames,
      cpuTotal: stats.mainThreadCpuMsPerFrame * stats.frames,
      processCpuTotal: stats.cpuMsPerFrame * stats.frames,
      latencyTotal: mean === undefined || count === undefined ? undefined : mean * count,
      latencyCount: count,
    };
  }
}

/** See StatusSample.missed. */
function missedRefreshes(stats: FrameStats): number | null {
  for (const key of MISSED_KEYS) {
    const v = numberIn(stats.extra, key);
    if (v !== undefined) return v;
  }
  const hz = numberIn(stats.extra, "refreshHz");
  const discarded = numberIn(stats.extra, "feedbackDiscarded");
  if (hz === undefined) return discarded ?? null;
  return Math.max(0, Math.round(stats.seconds * hz) - stats.frames) + (discarded ?? 0);
}
