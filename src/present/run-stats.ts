// Wall time and CPU time of one frame-loop run, turned into FrameStats when it ends.
import { threadCpuMicros } from "../sys/rusage.js";
import type { FrameStats } from "./presenter.js";

export class RunClock {
  readonly start = performance.now();
  private readonly cpuStart = process.cpuUsage();
  private readonly threadStart = threadCpuMicros();

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
      extra: {},
    };
  }
}
