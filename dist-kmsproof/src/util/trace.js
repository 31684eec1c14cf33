// A frame timeline as Chrome / Perfetto trace JSON (open it in ui.perfetto.dev or chrome://tracing).
// Events go into preallocated typed arrays, so tracing costs no allocation per frame.
import { writeFileSync } from "node:fs";
const phases = ["acquire", "record", "submit", "present", "release", "flip", "capture"];
export class FrameTracer {
    capacity;
    phase;
    frame;
    start;
    duration;
    count = 0;
    dropped = 0;
    constructor(capacity = 100_000) {
        this.capacity = capacity;
        this.phase = new Uint8Array(capacity);
        this.frame = new Uint32Array(capacity);
        this.start = new Float64Array(capacity);
        this.duration = new Float64Array(capacity);
    }
    /** Records a span from `startMs` (performance.now()) to now. */
    span(phase, frame, startMs, endMs = performance.now()) {
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
    get events() {
        return this.count;
    }
    toJSON() {
        const traceEvents = [{ name: "thread_name", ph: "M", pid: process.pid, tid: 1, args: { name: "scanout frame loop" } }];
        for (let i = 0; i < this.count; i++) {
            traceEvents.push({
                name: phases[this.phase[i]],
                cat: "frame",
                ph: "X",
                pid: process.pid,
                tid: 1,
                ts: Math.round(this.start[i] * 1000),
                dur: Math.max(1, Math.round(this.duration[i] * 1000)),
                args: { frame: this.frame[i] },
            });
        }
        return { traceEvents, displayTimeUnit: "ms", otherData: { dropped: this.dropped } };
    }
    write(path) {
        writeFileSync(path, JSON.stringify(this.toJSON()));
    }
}
//# sourceMappingURL=trace.js.map