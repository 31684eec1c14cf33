// Wall time, CPU time and GPU time of one frame-loop run, turned into FrameStats when it ends.
import { threadCpuMicros } from "../sys/rusage.js";
import type { FrameStats } from "./presenter.js";

/** GPU times kept for the median: the run's most recent frames. */
const GPU_SAMPLES = 16384;

export class RunClock {
  readonly start = performance.now();
  private readonly cpuStart = process.cpuUsage();
  private readonly threadStart = threadCpuMicros();
  /** A ring of per-frame GPU times (made only when the device writes timestamps). */
  private readonly gpuMs: Float64Array | undefined;
  private gpuCount = 0;

  constructor(gpuTimed = false) {
    this.gpuMs = gpuTimed ? new Float64Array(GPU_SAMPLES) : undefined;
  }

  /** One frame's GPU time, in ms (read from the span, so no number is boxed to pass it). */
  addGpuTime(span: { readonly ms: number }): void {
    if (this.gpuMs) this.gpuMs[this.gpuCount++ % GPU_SAMPLES] = span.ms;
  }

  /** Totals for `frames` submitted frames, from the start of the run to now. */
  stats(frames: number): FrameStats {
    const seconds = (performance.now() - this.start) / 1000;
    const cpu = process.cpuUsage(this.cpuStart);
    const thread = threadCpuMicros() - this.threadStart;
    return {
      frames,
      seconds,
      fps: frames / (seconds || Infinity),
      cpuMsPerFrame: frames ? (cpu.user + cpu.system) / 1000 / frames : 0,
      mainThreadCpuMsPerFrame: frames ? thread / 1000 / frames : 0,
      gpuMsPerFrame: this.gpuMedian(),
      extra: {},
    };
  }

  private gpuMedian(): number | undefined {
    if (!this.gpuMs || this.gpuCount === 0) return undefined;
    const sorted = this.gpuMs.slice(0, Math.min(this.gpuCount, GPU_SAMPLES)).sort();
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  }
}
