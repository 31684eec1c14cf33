// A frame timeline as Chrome / Perfetto trace JSON (open it in ui.perfetto.dev or chrome://tracing).
// Events go into preallocated typed arrays, so tracing costs no allocation per frame.
import { writeFileSync } from "node:fs";

export type TracePhase = "acquire" | "record" | "submit" | "present" | "release" | "flip" | "capture";
const phases: TracePhase[] = ["acquire", "record", "submit", "present", "release", "flip", "capture"];

export class FrameTracer {
  private readonly phase: Uint8Array;
  private readonly frame: Uint32Array;
  private readonly start: Float64Array;
  private readonly duration: Float64Array;
  private count = 0;
  private dropped = 0;

  constructor(readonly capacity = 100_000) {
    this.phase = new Uint8Array(capacity);
    this.frame = new Uint32Array(capacity);
    this.start = new Float64Array(capacity);
    this.duration = new Float64Array(capacity);
  }

  /** Records a span from `startMs` (performance.now()) to now. */
  span(phase: TracePhase, frame: number, startMs: number, endMs = performance.now()): void {
    if (this.count >= this.capacity) {
      this.dropped++;
      return;
    }
    const i = this.count++;
    this.phase[i] = phases.indexOf(phase);
    this.frame[i] = frame;
    this.start[i] = startMs;
    this.duration[i] = endMs - startMs;
  }

  get events(): number {
    return this.count;
  }

  toJSON(): { traceEvents: object[]; displayTimeUnit: string; otherData: object } {
    const traceEvents: object[] = [{ name: "thread_name", ph: "M", pid: process.pid, tid: 1, args: { name: "scanout frame loop" } }];
    for (let i = 0; i < this.count; i++) {
      traceEvents.push({
        name: phases[this.phase[i]!],
        cat: "frame",
        ph: "X",
        pid: process.pid,
        tid: 1,
        ts: Math.round(this.start[i]! * 1000),
        dur: Math.max(1, Math.round(this.duration[i]! * 1000)),
        args: { frame: this.frame[i] },
      });
    }
    return { traceEvents, displayTimeUnit: "ms", otherData: { dropped: this.dropped } };
  }

  write(path: string): void {
    writeFileSync(path, JSON.stringify(this.toJSON()));
  }
}
