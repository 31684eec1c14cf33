// A frame timeline in the Trace Event Format (open it in ui.perfetto.dev or chrome://tracing): one
// track per source (the JS thread's frame steps, the GPU, waits, the compositor or display, buffer
// releases), every event labelled with its frame, and a flow arrow through each frame's events.
// Events go into preallocated typed arrays, so tracing costs no allocation per frame; the JSON
// (tracks, args, flows) is built only by toJSON().
import { writeFileSync } from "node:fs";

/**
 * What a FrameTracer records. JS thread: acquire, record, submit, present, capture. GPU: gpu (from
 * timestamp queries). Waits on the JS thread: wait fence, wait release, wait frame callback, wait flip.
 * Compositor or display (points in time): presented, discarded, frame callback, flip. Buffers: release.
 */
export type TracePhase =
  | "acquire" | "record" | "submit" | "present" | "capture"
  | "gpu"
  | "wait fence" | "wait release" | "wait frame callback" | "wait flip"
  | "presented" | "discarded" | "frame callback" | "flip"
  | "release";

/** The tracks (Trace Event Format "tid"s) of a frame timeline, in display order. */
export const TRACKS = {
  js: { tid: 1, name: "JS thread: frame steps" },
  gpu: { tid: 2, name: "GPU: frame commands" },
  gpuOverlap: { tid: 3, name: "GPU: overlapping frames" },
  waits: { tid: 4, name: "waits (JS thread)" },
  display: { tid: 5, name: "compositor / display" },
  buffers: { tid: 6, name: "buffer release" },
} as const;
type TrackName = keyof typeof TRACKS;

interface Kind {
  phase: TracePhase;
  track: TrackName;
  /** A point in time (an instant event) rather than a span. */
  point: boolean;
  /** On the frame's flow arrow. */
  flow: boolean;
}

const kinds: Kind[] = [
  { phase: "acquire", track: "js", point: false, flow: true },
  { phase: "record", track: "js", point: false, flow: false },
  { phase: "submit", track: "js", point: false, flow: true },
  { phase: "present", track: "js", point: false, flow: true },
  { phase: "capture", track: "js", point: false, flow: false },
  { phase: "gpu", track: "gpu", point: false, flow: true },
  { phase: "wait fence", track: "waits", point: false, flow: false },
  { phase: "wait release", track: "waits", point: false, flow: false },
  { phase: "wait frame callback", track: "waits", point: false, flow: false },
  { phase: "wait flip", track: "waits", point: false, flow: false },
  { phase: "presented", track: "display", point: true, flow: true },
  { phase: "discarded", track: "display", point: true, flow: true },
  { phase: "frame callback", track: "display", point: true, flow: false },
  { phase: "flip", track: "display", point: true, flow: true },
  { phase: "release", track: "buffers", point: true, flow: true },
];
const kindIndex = Object.fromEntries(kinds.map((k, i) => [k.phase, i])) as Record<TracePhase, number>;

/** wp_presentation_feedback.kind bits, for the "presented" event's args. */
const presentationFlags: [number, string][] = [[1, "vsync"], [2, "hw_clock"], [4, "hw_completion"], [8, "zero_copy"]];

/** One event of the Trace Event Format as toJSON() writes it. */
export interface TraceEvent {
  name: string;
  ph: "X" | "i" | "M" | "s" | "t" | "f";
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  id?: number;
  s?: "t";
  bp?: "e";
  args?: Record<string, number | string>;
}

/**
 * A timeline of frames, written as Trace Event Format JSON. Pass it as FrameOptions.tracer; the frame
 * loop, the GPU timestamps and the backends (Wayland window, buffer rings, KMS) record into it. Events
 * go into arrays preallocated for `capacity` events (default 100 000; a frame makes 7 to 12);
 * events past the capacity are counted as dropped. Times are performance.now() milliseconds.
 */
export class FrameTracer {
  private readonly kind: Uint8Array;
  private readonly frame: Int32Array;
  private readonly start: Float64Array;
  private readonly end: Float64Array;
  private readonly a: Float64Array;
  private readonly b: Float64Array;
  private count = 0;
  private droppedCount = 0;

  constructor(readonly capacity = 100_000) {
    this.kind = new Uint8Array(capacity);
    this.frame = new Int32Array(capacity);
    this.start = new Float64Array(capacity);
    this.end = new Float64Array(capacity);
    this.a = new Float64Array(capacity);
    this.b = new Float64Array(capacity);
  }

  /** Records a span of `frame` from `startMs` to `endMs` (default now). */
  span(phase: TracePhase, frame: number, startMs: number, endMs = performance.now()): void {
    this.add(phase, frame, startMs, endMs, 0, 0);
  }

  /**
   * Records a point in time of `frame`, with up to two figures: presented (refresh ns, flags),
   * flip (vblank sequence), frame callback (the compositor's callback time in ms).
   */
  point(phase: TracePhase, frame: number, atMs = performance.now(), a = 0, b = 0): void {
    this.add(phase, frame, atMs, atMs, a, b);
  }

  private add(phase: TracePhase, frame: number, startMs: number, endMs: number, a: number, b: number): void {
    if (this.count >= this.capacity) {
      this.droppedCount++;
      return;
    }
    const i = this.count++;
    this.kind[i] = kindIndex[phase];
    this.frame[i] = frame;
    this.start[i] = startMs;
    this.end[i] = endMs;
    this.a[i] = a;
    this.b[i] = b;
  }

  /** Events recorded so far (at most capacity). */
  get events(): number {
    return this.count;
  }

  /** Events that did not fit. */
  get dropped(): number {
    return this.droppedCount;
  }

  /**
   * The trace in the Trace Event Format, events in time order: thread_name metadata per track,
   * complete events ("X", with dur) for spans and thread-scoped instants ("i") for points, each with
   * args.frame; and per frame one flow (id = frame + 1: "s" on its first event, "t" on the middle
   * ones, "f" on its last) through acquire, submit, GPU, present, presented/flip and release. Flow
   * events carry the ts, tid and cat of the event they bind to and follow it in the list.
   */
  toJSON(): { traceEvents: TraceEvent[]; displayTimeUnit: string; otherData: object } {
    const pid = process.pid;
    const traceEvents: TraceEvent[] = [{ name: "process_name", ph: "M", pid, tid: 0, args: { name: "scanout" } }];
    for (const { tid, name } of Object.values(TRACKS)) {
      traceEvents.push({ name: "thread_name", ph: "M", pid, tid, args: { name } });
      traceEvents.push({ name: "thread_sort_index", ph: "M", pid, tid, args: { sort_index: tid } });
    }
    const order = Array.from({ length: this.count }, (_, i) => i).sort((x, y) => this.start[x]! - this.start[y]! || x - y);
    const tids = this.assignTracks(order);
    // Each frame's flow runs from its first event on the arrow to its last, in time order.
    const flowEnds = new Map<number, { first: number; last: number }>();
    for (const i of order) {
      if (!kinds[this.kind[i]!]!.flow) continue;
      const ends = flowEnds.get(this.frame[i]!);
      if (ends) ends.last = i;
      else flowEnds.set(this.frame[i]!, { first: i, last: i });
    }
    for (const i of order) {
      const kind = kinds[this.kind[i]!]!;
      const frame = this.frame[i]!;
      const ts = micros(this.start[i]!);
      const tid = tids[i]!;
      const event: TraceEvent = { name: kind.phase, cat: "frame", ph: kind.point ? "i" : "X", pid, tid, ts, args: this.args(i) };
      if (kind.point) event.s = "t";
      else event.dur = Math.max(0, micros(this.end[i]!) - ts);
      traceEvents.push(event);
      const ends = kind.flow ? flowEnds.get(frame) : undefined;
      if (ends && ends.first !== ends.last) {
        const ph = i === ends.first ? "s" : i === ends.last ? "f" : "t";
        traceEvents.push({ name: "frame", cat: "frame", ph, id: frame + 1, pid, tid, ts, ...(ph === "f" ? { bp: "e" } : {}), args: { frame } });
      }
    }
    return {
      traceEvents,
      displayTimeUnit: "ms",
      otherData: { dropped: this.droppedCount, clock: "performance.now() of the traced process; GPU and compositor times converted to it" },
    };
  }

  /** Writes toJSON() to path as a .json trace file. */
  write(path: string): void {
    writeFileSync(path, JSON.stringify(this.toJSON()));
  }

  /** Each event's track; a GPU span that starts before the previous one ended goes on the overlap track. */
  private assignTracks(order: number[]): Int32Array {
    const tids = new Int32Array(this.count);
    let gpuEnd = -Infinity;
    for (const i of order) {
      const track = kinds[this.kind[i]!]!.track;
      if (track === "gpu" && this.start[i]! < gpuEnd) {
        tids[i] = TRACKS.gpuOverlap.tid;
        continue;
      }
      if (track === "gpu") gpuEnd = this.end[i]!;
      tids[i] = TRACKS[track].tid;
    }
    return tids;
  }

  private args(i: number): Record<string, number | string> {
    const frame = this.frame[i]!;
    const a = this.a[i]!;
    const b = this.b[i]!;
    switch (kinds[this.kind[i]!]!.phase) {
      case "presented":
        return { frame, refreshNs: a, flags: presentationFlags.filter(([bit]) => b & bit).map(([, name]) => name).join("|") || "none" };
      case "flip":
        return { frame, vblankSequence: a };
      case "frame callback":
        return { frame, compositorTimeMs: a };
      default:
        return { frame };
    }
  }
}

/** performance.now() milliseconds as Trace Event Format microseconds (ns resolution). */
function micros(ms: number): number {
  return Math.round(ms * 1e6) / 1e3;
}

/**
 * The offset that turns another clock's reading into performance.now() milliseconds
 * (now = clock + offset), sampled between two performance.now() calls: the tightest of a few tries.
 */
export function nowOffsetMs(readClockMs: () => number): number {
  let best = Infinity;
  let offset = 0;
  for (let i = 0; i < 5; i++) {
    const before = performance.now();
    const clock = readClockMs();
    const after = performance.now();
    if (after - before < best) {
      best = after - before;
      offset = (before + after) / 2 - clock;
    }
  }
  return offset;
}

let monotonicOffset: number | undefined;

/**
 * A CLOCK_MONOTONIC time (ms) on the performance.now() clock. process.hrtime reads CLOCK_MONOTONIC on
 * Linux (libuv's uv_hrtime), the clock of DRM page-flip events, wp_presentation (usually) and
 * calibrated Vulkan timestamps; the offset is measured once per process.
 */
export function monotonicToNowMs(monotonicMs: number): number {
  monotonicOffset ??= nowOffsetMs(() => Number(process.hrtime.bigint()) / 1e6);
  return monotonicMs + monotonicOffset;
}
