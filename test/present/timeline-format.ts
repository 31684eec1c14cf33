// Checks a frame timeline file against the Trace Event Format as Perfetto and Chrome read it, and
// indexes its slices by frame for the timeline tests' own assertions.
import { expect } from "vitest";
import type { TraceEvent } from "../../src/util/trace.js";

export interface Slice {
  name: string;
  tid: number;
  frame: number;
  /** Microseconds; end = start for instants. */
  start: number;
  end: number;
  args: Record<string, number | string>;
}

export interface CheckedTrace {
  slices: Slice[];
  /** The slices each frame's flow arrow passes through, in order. */
  flows: Map<number, Slice[]>;
  trackNames: Map<number, string>;
}

/** Rounding of ts and dur to whole nanoseconds leaves at most this much (µs) between a sum and a stamp. */
const NS = 0.002;

/**
 * Asserts the structure of a trace and returns its slices: required fields, a named track for every
 * tid, per-track time order with no overlapping spans, B/E pairs matched, frame numbers on every
 * event, and flows that start once, finish once and bind to a slice of their frame.
 */
export function checkTraceFormat(file: { traceEvents: TraceEvent[] }, frames: number): CheckedTrace {
  const events = file.traceEvents;
  expect(events.length).toBeGreaterThan(0);
  const trackNames = new Map<number, string>();
  for (const e of events) {
    for (const field of ["ph", "pid", "tid", "name"] as const) expect(e[field], `${JSON.stringify(e)} lacks ${field}`).toBeDefined();
    if (e.ph === "M") {
      if (e.name === "thread_name") trackNames.set(e.tid, String(e.args!.name));
      continue;
    }
    expect(typeof e.ts, `${JSON.stringify(e)}: ts`).toBe("number");
    const frame = e.args?.frame;
    expect(Number.isInteger(frame) && (frame as number) >= 0 && (frame as number) < frames, `${JSON.stringify(e)}: args.frame`).toBe(true);
    expect(["X", "B", "E", "i", "s", "t", "f"]).toContain(e.ph);
    if (e.ph === "X") expect(e.dur, `${JSON.stringify(e)}: dur`).toBeGreaterThanOrEqual(0);
  }

  const slices: Slice[] = [];
  const lastTs = new Map<number, number>();
  const lastEnd = new Map<number, number>();
  const open = new Map<number, TraceEvent[]>(); // B events waiting for their E, per track
  const latestSlice = new Map<number, Slice>(); // the slice a flow event on this track binds to
  const flowEvents = new Map<number, { ph: string; slice: Slice; frame: number }[]>();
  for (const e of events) {
    if (e.ph === "M") continue;
    expect(trackNames.has(e.tid), `tid ${e.tid} has no thread_name`).toBe(true);
    const ts = e.ts!;
    expect(ts, `${e.name} on track ${e.tid} goes back in time`).toBeGreaterThanOrEqual(lastTs.get(e.tid) ?? -Infinity);
    lastTs.set(e.tid, ts);
    const frame = e.args!.frame as number;
    if (e.ph === "s" || e.ph === "t" || e.ph === "f") {
      const bound = latestSlice.get(e.tid);
      expect(bound && bound.start === ts && bound.frame === frame, `flow event of frame ${frame} at ${ts} on ${e.tid} binds to no slice of its frame`).toBe(true);
      expect(e.id).toBe(frame + 1);
      if (e.ph === "f") expect(e.bp).toBe("e");
      flowEvents.set(e.id!, [...(flowEvents.get(e.id!) ?? []), { ph: e.ph, slice: bound!, frame }]);
      continue;
    }
    if ((e.ph as string) === "B") {
      open.set(e.tid, [...(open.get(e.tid) ?? []), e]);
      continue;
    }
    let slice: Slice;
    if ((e.ph as string) === "E") {
      const begin = open.get(e.tid)?.pop();
      expect(begin?.name, `E of ${e.name} on track ${e.tid} without its B`).toBe(e.name);
      slice = { name: e.name, tid: e.tid, frame, start: begin!.ts!, end: ts, args: e.args! };
    } else {
      slice = { name: e.name, tid: e.tid, frame, start: ts, end: ts + (e.dur ?? 0), args: e.args! };
      if (e.ph === "i") expect(e.s).toBe("t");
    }
    if (e.ph === "X") {
      expect(ts, `${e.name} of frame ${frame} overlaps the span before it on track ${e.tid}`).toBeGreaterThanOrEqual((lastEnd.get(e.tid) ?? -Infinity) - NS);
      lastEnd.set(e.tid, slice.end);
    }
    slices.push(slice);
    latestSlice.set(e.tid, slice);
  }
  for (const [tid, begins] of open) expect(begins, `unmatched B on track ${tid}`).toEqual([]);

  const flows = new Map<number, Slice[]>();
  for (const [id, steps] of flowEvents) {
    expect(steps.map((s) => s.ph).filter((p) => p === "s"), `flow ${id} starts once`).toHaveLength(1);
    expect(steps.map((s) => s.ph).filter((p) => p === "f"), `flow ${id} finishes once`).toHaveLength(1);
    expect(steps[0]!.ph).toBe("s");
    expect(steps[steps.length - 1]!.ph).toBe("f");
    for (let i = 1; i < steps.length; i++) expect(steps[i]!.slice.start).toBeGreaterThanOrEqual(steps[i - 1]!.slice.start);
    flows.set(id - 1, steps.map((s) => s.slice));
  }
  return { slices, flows, trackNames };
}

/** The slices of one frame with one name, in time order. */
export function slicesOf(trace: CheckedTrace, frame: number, name: string): Slice[] {
  return trace.slices.filter((s) => s.frame === frame && s.name === name);
}
