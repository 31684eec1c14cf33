// Runs the project's C references (bench/c-reference, built by c-build.ts) and reads the figures
// each prints on one line: `<what> frames= seconds= per_second= cpu_ms_per_frame=
// app_thread_cpu_ms_per_frame= max_rss_kb=`.
import { execFile, spawnSync } from "node:child_process";

export interface CFigures {
  /** Frames (or round trips) a second. */
  perSecond: number;
  /** Whole-process CPU per frame, driver threads included. */
  cpuMsPerFrame: number;
  /** CPU of the application's own thread per frame. */
  threadCpuMsPerFrame: number;
  maxRssKb: number;
}

function parseFigures(binary: string, stdout: string): CFigures {
  const field = (name: string) => {
    const m = new RegExp(`\\b${name}=([\\d.]+)`).exec(stdout);
    if (!m) throw new Error(`${binary}: no ${name}= in its output: ${stdout.trim()}`);
    return Number(m[1]);
  };
  return {
    perSecond: field("per_second"),
    cpuMsPerFrame: field("cpu_ms_per_frame"),
    threadCpuMsPerFrame: field("app_thread_cpu_ms_per_frame"),
    maxRssKb: field("max_rss_kb"),
  };
}

const failure = (binary: string, args: string[], status: number | string | null, stderr: string) =>
  new Error(`${binary} ${args.join(" ")} failed (${status}): ${stderr.trim()}`);

/** Runs the program to the end (blocking this process). */
export function runC(binary: string, args: string[]): CFigures {
  const r = spawnSync(binary, args, { encoding: "utf8" });
  if (r.status !== 0) throw failure(binary, args, r.status ?? r.signal, r.stderr || String(r.error));
  return parseFigures(binary, r.stdout);
}

/** Runs the program while this process's event loop goes on (e.g. draining a compositor's log). */
export function runCInBackground(binary: string, args: string[]): Promise<CFigures> {
  return new Promise((resolve, reject) => {
    execFile(binary, args, { encoding: "utf8" }, (error, stdout, stderr) => {
      if (error) reject(failure(binary, args, error.code ?? error.signal ?? null, stderr || error.message));
      else resolve(parseFigures(binary, stdout));
    });
  });
}

/** The offscreen renderer: `warmup` untimed frames, then `frames` timed; the last one written as RGBA to `capture`. */
export function runOffscreenC(binary: string, sceneFile: string, options: { warmup: number; frames: number; capture?: string }): CFigures {
  const args = [sceneFile, "--warmup", String(options.warmup), "--frames", String(options.frames)];
  if (options.capture) args.push("--capture", options.capture);
  return runC(binary, args);
}
