// Does a large paste hold up frames? 10 MB of mixed-script UTF-8 text (what Ctrl+V reads) arrive
// through the clipboard's own read path while a frame loop runs, read two ways interleaved in one
// sitting: "at the end" (all the bytes, then one decode: the read path before this bench's fix) and
// "as it arrives" (readPipeText / Clipboard.readText: each 64 KiB chunk decoded in its own turn).
// Reported per run: the paste's duration, the frame interval median over the run and the longest
// interval while the paste was in flight (the target: longest < 2x median); and, since a busy
// machine stretches intervals by itself, the longest stretch of the main thread's own CPU time
// (getrusage RUSAGE_THREAD) between two runs of a 1 ms timer: the longest the loop was held by work
// of its own, which is all a paste can hold a frame up by, whatever else the machine does.
//   1. headless: the triangle capped at 120 frames/s, the other client a process writing into the
//      pipe as wl-copy does (no compositor needed);
//   2. a window on forky's Sway 1.12 (headless output at 60 Hz, wl_shm, paced by frame callbacks),
//      the text copied there by wl-copy and pasted through presenter.window.clipboard: what a user sees.
// Section `paste` of bench.ts; standalone: `node dist/bench/paste.js` (RUNS, default 5).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Instance } from "../src/index.js";
import { createHeadlessPresenter } from "../src/present/headless.js";
import { Triangle } from "../src/scenes/index.js";
import { close as closeFd } from "../src/sys/libc.js";
import { threadCpuMicros } from "../src/sys/rusage.js";
import { readPipe, readPipeText, transferPipe } from "../src/wayland/pipe-io.js";
import { benchPasteWindow } from "./paste-window.js";
import { fmt, median } from "./stats.js";

export const PASTE_BYTES = 10 << 20;

/** The two ways of reading a text paste this bench compares. */
export type ReadWay = "at the end" | "as it arrives";
export const READ_WAYS: readonly ReadWay[] = ["at the end", "as it arrives"];

/** 10 MB of text in several scripts (ASCII, Latin-1, CJK, emoji): decoding it is not the ASCII fast path. */
export function pasteText(): Buffer {
  const line = "Grüße, 世界! The quick brown fox jumps over the lazy dog; ñandú, ça va? 🙂\n";
  return Buffer.from(line.repeat(Math.ceil(PASTE_BYTES / Buffer.byteLength(line)))).subarray(0, PASTE_BYTES - 16);
}

/** One run's figures. */
export interface PasteRun {
  pasteMs: number;
  median: number;
  worst: number;
  /** Longest interval in the 0.7 s before the paste (the loop at rest). */
  calm: number;
  frames: number;
  /** Longest main-thread CPU ms between two runs of a 1 ms timer: at rest (0.7 s before), during the paste. */
  turnCalm: number;
  turnWorst: number;
  /** ms to lay the pasted string out flat at its first whole use (the app's cost, after the paste). */
  firstUseMs: number;
}

/** Frame timestamps (performance.now), and a 1 ms timer's samples of the main thread's CPU time. */
export interface Stamps {
  wall: number[];
  probe: { t: number; cpu: number }[];
  stop(): void;
}

/** Starts stamping: stamp(s) per frame; the CPU probe runs until stop(). */
export function newStamps(): Stamps {
  const probe: Stamps["probe"] = [];
  const timer = setInterval(() => probe.push({ t: performance.now(), cpu: threadCpuMicros() / 1000 }), 1);
  return { wall: [], probe, stop: () => clearInterval(timer) };
}

/** Stamps a frame. */
export function stamp(s: Stamps): void {
  s.wall.push(performance.now());
}

/** The longest main-thread CPU between two probe samples that end in [from, to], or the first sample after `to` (a stretch that ends the paste). */
function longestTurn(s: Stamps, from: number, to: number): number {
  let worst = 0;
  for (let i = 1; i < s.probe.length; i++) {
    const p = s.probe[i]!;
    if (p.t < from) continue;
    worst = Math.max(worst, p.cpu - s.probe[i - 1]!.cpu);
    if (p.t > to) break;
  }
  return worst;
}

/**
 * Figures of a run from frame stamps and the paste's start and end: the median interval over the
 * second before the paste to 300 ms after it, the longest that overlaps the paste, and the longest
 * of the 0.7 s before it (the loop at rest); the same for the probe's longest stretch of CPU.
 */
export function pasteFigures(s: Stamps, start: number, end: number): Omit<PasteRun, "firstUseMs"> {
  const gaps = s.wall.slice(1).map((t, i) => [t, t - s.wall[i]!] as const).filter(([t]) => t >= start - 1000 && t <= end + 300);
  // an interval ending up to one frame after the paste was held up by it as much as one ending within it
  const during = gaps.filter(([t, d]) => t >= start && t - d <= end).map((g) => g[1]);
  const before = gaps.filter(([t]) => t < start && t >= start - 700).map((g) => g[1]);
  return {
    pasteMs: end - start,
    median: median(gaps.map((g) => g[1])),
    worst: Math.max(0, ...during),
    calm: Math.max(0, ...before),
    frames: during.length,
    turnCalm: longestTurn(s, start - 700, start),
    turnWorst: longestTurn(s, start, end),
  };
}

/** Time to flatten `text` (V8 lays a rope out on its first whole use): charCodeAt needs it flat. */
export function firstUse(text: string): number {
  const t0 = performance.now();
  if (text.charCodeAt(text.length >> 1) < 0) throw new Error("unreachable");
  return performance.now() - t0;
}

export function describeRun(r: PasteRun): string {
  return `pasted in ${fmt(r.pasteMs, 0)} ms; frame interval median ${fmt(r.median, 2)} ms, longest during the paste ${fmt(r.worst, 2)} ms ` +
    `(${fmt(r.worst / r.median, 2)}x, ${r.frames} frames), longest in the 0.7 s before ${fmt(r.calm, 2)} ms; ` +
    `longest main-thread stretch (CPU) during the paste ${fmt(r.turnWorst, 2)} ms, before it ${fmt(r.turnCalm, 2)} ms; first use of the string ${fmt(r.firstUseMs, 1)} ms`;
}

/** Prints the verdict per way. */
export function verdict(results: Map<ReadWay, PasteRun[]>, log: (line: string) => void): void {
  for (const [way, rs] of results) {
    const ratios = rs.map((r) => r.worst / r.median);
    log(`  ${way}: longest / median ${ratios.map((x) => fmt(x, 2)).join(", ")} (median ${fmt(median(ratios), 2)}; target < 2); paste median ${fmt(median(rs.map((r) => r.pasteMs)), 0)} ms; ` +
      `longest main-thread stretch (CPU) during the paste: median ${fmt(median(rs.map((r) => r.turnWorst)), 2)} ms, max ${fmt(Math.max(...rs.map((r) => r.turnWorst)), 2)} ms (before it: median ${fmt(median(rs.map((r) => r.turnCalm)), 2)} ms)`);
  }
}

/** One headless run: frame timestamps while another process writes `file` into the pipe. */
async function headlessRun(gpu: Instance, file: string, way: ReadWay): Promise<PasteRun> {
  const out = createHeadlessPresenter(gpu.createDevice(), { size: [640, 480], maxFps: 120 }, true);
  const scene = Triangle.create(out);
  const stamps = newStamps();
  let done = false;
  const loop = out.run((frame) => {
    stamp(stamps);
    scene.update(frame);
    frame.record((cmd) => scene.draw(cmd, frame));
    return !done;
  });
  // the other client: a process that writes the text into the pipe when told, as wl-copy does;
  // started before the measured part, since forking this process stalls the event loop by itself
  const { readFd, writeFd } = transferPipe();
  const writer = spawn("sh", ["-c", `read go && exec cat "$0"`, file], { stdio: ["pipe", writeFd, "inherit"] });
  closeFd(writeFd);
  await new Promise((r) => setTimeout(r, 1000));
  const start = performance.now();
  writer.stdin!.write("go\n");
  const text = way === "as it arrives"
    ? (await readPipeText(readFd, 64 << 20, 30_000)).text
    : Buffer.from((await readPipe(readFd, 64 << 20, 30_000)).data).toString("utf8");
  const end = performance.now();
  await new Promise((r) => writer.once("exit", r));
  await new Promise((r) => setTimeout(r, 300));
  done = true;
  await loop;
  stamps.stop();
  scene.destroy();
  await out.close();
  const firstUseMs = firstUse(text);
  if (Buffer.byteLength(text) !== PASTE_BYTES - 16) throw new Error(`paste: got ${Buffer.byteLength(text)} bytes of text, wanted ${PASTE_BYTES - 16}`);
  return { ...pasteFigures(stamps, start, end), firstUseMs };
}

/** Runs `runs` rounds (each way once per round) headless, then in a window where a bed is here. */
export async function benchPaste(runs: number, log: (line: string) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "scanout-paste-"));
  const file = join(dir, "paste.txt");
  writeFileSync(file, pasteText());
  const gpu = await Instance.create();
  try {
    log(`headless, triangle capped at 120 frames/s; load ${loadNow()}`);
    const results = new Map<ReadWay, PasteRun[]>(READ_WAYS.map((w) => [w, []]));
    for (let i = 0; i < runs; i++) {
      for (const way of READ_WAYS) {
        const r = await headlessRun(gpu, file, way);
        results.get(way)!.push(r);
        log(`  run ${i + 1}, ${way}: ${describeRun(r)}`);
      }
    }
    verdict(results, log);
    await benchPasteWindow(gpu, runs, file, log);
  } finally {
    gpu.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The 1-minute load average, for the figures' context. */
export const loadNow = (): string => fmt(loadavg()[0]!, 2);

if (process.argv[1]?.endsWith("/paste.js")) await benchPaste(Number(process.env.RUNS ?? 5) || 5, (l) => console.log(l));
