export type TracePhase = "acquire" | "record" | "submit" | "present" | "release" | "flip" | "capture";
export declare class FrameTracer {
    readonly capacity: number;
    private readonly phase;
    private readonly frame;
    private readonly start;
    private readonly duration;
    private count;
    private dropped;
    constructor(capacity?: number);
    /** Records a span from `startMs` (performance.now()) to now. */
    span(phase: TracePhase, frame: number, startMs: number, endMs?: number): void;
    get events(): number;
    toJSON(): {
        traceEvents: object[];
        displayTimeUnit: string;
        otherData: object;
    };
    write(path: string): void;
}
