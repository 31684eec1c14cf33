// Our side of the comparison with Mesa's WSI (bench/wsi.ts) in a process of its own, as the C
// reference runs in its own: the triangle through our wl_shm presenter in one present mode, the
// same figures the C program prints, taken the same way (hand-out: the frame reaching the body,
// where the C program's vkAcquireNextImageKHR returns; on screen: wp_presentation `presented`).
//   node dist/bench/wsi-ours-child.js '{"socket", "mode", "warmup", "seconds", "jitWarmup"}'  prints WsiOursFigures
//   node dist/bench/wsi-ours-child.js '{"socket", "mode", "capture": {"frame", "path"}}'        writes frame's RGBA to path
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { Instance, NODE_FLAGS_FOR_FRAME_LOOPS, type Frame, type Pixels, type Presenter } from "../src/index.js";
import type { PresentMode } from "../src/present/pacing.js";
import { openWaylandPresenter, type WaylandPresenterOptions } from "../src/present/wayland-open.js";
import type { WaylandWindow } from "../src/wayland/window.js";
import { Triangle } from "./scenes.js";
import { koffi, libc } from "../src/sys/libc.js";

/** What the child runs: the compositor's socket, the present mode and size, and either a timed run or one captured frame. */
export interface WsiOursRequest {
  socket: string;
  mode: PresentMode;
  size: [number, number];
  warmup?: number;
  seconds?: number;
  /**
   * Frames in a window of their own first (in `jitWarmupMode`, default immediate: every frame
   * committed with its frame callback and feedback, as fast as it renders), so that V8 has optimised
   * the frame path, the wire and the event dispatch before the timed run (see bench/ours.ts).
   */
  jitWarmup?: number;
  jitWarmupMode?: PresentMode;
  capture?: { frame: number; path: string };
  /** false: our copy path (offscreen image, staging buffer, JS-thread copy) even where lavapipe could render into the shm buffers. */
  hostImport?: boolean;
  /** Our buffers: "shm" (default) or "dmabuf" (zwp_linux_dmabuf_v1; on lavapipe, udmabuf-backed images: the VM bed). */
  transport?: "shm" | "dmabuf";
}

/** The figures one side of the comparison reports (the C program prints the same, by other names). */
export interface WsiFigures {
  /** Frames the app got through (handed out, rendered, presented) per second. */
  perSecond: number;
  /** Whole-process CPU per frame (every thread: Mesa's, lavapipe's, node's). */
  cpuMsPerFrame: number;
  /** CPU per frame of the app's own thread (ours: the JS thread; Mesa's: the thread that calls Vulkan, WSI included). */
  appThreadCpuMsPerFrame: number;
  /** Of appThreadCpuMsPerFrame, the part in the kernel (system time: syscalls, wake-ups); the rest is the app's own code. */
  appThreadSystemMsPerFrame: number;
  /** The app thread's wake-ups per frame: its voluntary context switches (each a sleep it was woken from: an event-loop turn, a fence wait). */
  appThreadWakeupsPerFrame: number;
  /** Frames committed to the compositor per second (Mesa: every vkQueuePresentKHR commits). */
  committedPerSecond: number;
  /** Frames wp_presentation reported on screen per second. */
  shownPerSecond: number;
  latencyMedianMs: number;
  latencyP99Ms: number;
  /** Shown frames that followed the previous shown one within 1.5 refreshes (no refresh missed). */
  onTime: number;
  maxRssKb: number;
  /** Minor page faults per frame, whole process and the app thread (memory first touched, or reclaimed and touched again). */
  minorFaultsPerFrame?: number;
  appThreadMinorFaultsPerFrame?: number;
  /** Context switches per frame of the whole process (every thread, voluntary and not). */
  processSwitchesPerFrame?: number;
  /** What the side used: buffers, sync path, pacing. */
  used: string;
  /** The size frames had at the end (the compositor could have configured another). */
  finalSize?: [number, number];
}

const RESULT = "wsi-ours result: ";
const RING = 256;
const MAX_SHOWN = 1 << 16;

/** Runs our side in a child node process (NODE_FLAGS_FOR_FRAME_LOOPS, as scanout's programs run); `script`: this file of another build (WSI_OURS_BASE). */
export function runWsiOurs<T = WsiFigures>(request: WsiOursRequest, env: NodeJS.ProcessEnv = {}, script = fileURLToPath(import.meta.url), extraFlags: readonly string[] = []): Promise<{ result: T; stderr: string }> {
  const args = [...NODE_FLAGS_FOR_FRAME_LOOPS, ...extraFlags, script, JSON.stringify(request)];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 1 << 28 }, (error, stdout, stderr) => {
      const line = stdout.split("\n").find((l) => l.startsWith(RESULT));
      if (error || !line) reject(new Error(`node wsi-ours-child.js (${request.mode}) failed: ${(stderr || stdout || String(error)).trim().slice(-2000)}`));
      else resolve({ result: JSON.parse(line.slice(RESULT.length)) as T, stderr });
    });
  });
}

/** The presenter's window, for its `presented` events (bench instrumentation: not public API). */
function windowOf(out: Presenter): WaylandWindow {
  const window = (out as unknown as { swapchain?: { window?: WaylandWindow } }).swapchain?.window;
  if (!window) throw new Error("wsi-ours-child: the presenter has no Wayland window");
  return window;
}

/** The calling thread's voluntary context switches so far (it is the JS thread: /proc/thread-self). */
function threadWakeups(): number {
  const m = /^voluntary_ctxt_switches:\s*(\d+)/m.exec(readFileSync("/proc/thread-self/status", "utf8"));
  return m ? Number(m[1]) : NaN;
}

const timeval = koffi.struct({ tv_sec: "long", tv_usec: "long" });
const rusage = koffi.struct({ ru_utime: timeval, ru_stime: timeval, rest: koffi.array("long", 14) });
const getrusage = libc.func("getrusage", "int", ["int", koffi.out(koffi.pointer(rusage))]);

/** System CPU ms and minor page faults of the calling thread so far (getrusage RUSAGE_THREAD). */
function threadUsage(): { systemMs: number; minorFaults: number } {
  const out = { ru_stime: { tv_sec: 0, tv_usec: 0 }, rest: [] } as { ru_stime: { tv_sec: number; tv_usec: number }; rest: number[] };
  if (getrusage(1, out) !== 0) return { systemMs: NaN, minorFaults: NaN };
  return { systemMs: out.ru_stime.tv_sec * 1e3 + out.ru_stime.tv_usec / 1e3, minorFaults: Number(out.rest[4]) }; // rest: ru_maxrss onwards
}

/** Minor page faults and context switches of the whole process so far. */
function processUsage(): { minorFaults: number; switches: number } {
  const u = process.resourceUsage();
  return { minorFaults: u.minorPageFault, switches: u.voluntaryContextSwitches + u.involuntaryContextSwitches };
}

function percentile(xs: Float64Array, p: number): number {
  if (!xs.length) return NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function jitWarmup(gpu: Instance, request: WsiOursRequest, frames: number): Promise<void> {
  const out = await openWaylandPresenter(gpu.createDevice(), { size: request.size, socket: request.socket, title: "bench warm-up", decorations: "none", mode: request.transport ?? "shm", presentMode: request.jitWarmupMode ?? "immediate", hostImport: request.hostImport }, true);
  const scene = Triangle.create(out);
  try {
    await out.run((frame) => {
      scene.update(frame);
      frame.record((cmd) => scene.draw(cmd, frame));
    }, { limit: frames, gpuTimeEvery: 0 });
  } finally {
    scene.destroy();
    await out.close();
  }
}

async function main(request: WsiOursRequest): Promise<object> {
  const gpu = await Instance.create({ validation: false });
  try {
    if (request.jitWarmup) await jitWarmup(gpu, request, request.jitWarmup);
    // WSI_OURS_OPTIONS='{"fifoBatchedReads": false}': presenter options of the timed window (an option measured against its default)
    const extra = JSON.parse(process.env.WSI_OURS_OPTIONS ?? "{}") as Partial<WaylandPresenterOptions>;
    const out = await openWaylandPresenter(gpu.createDevice(), { size: request.size, socket: request.socket, title: "bench", decorations: "none", mode: request.transport ?? "shm", presentMode: request.mode, hostImport: request.hostImport, ...extra }, true);
    const scene = Triangle.create(out);
    try {
      // per frame: its hand-out time; per shown frame: latency, and whether a refresh was missed
      const handout = new Float64Array(RING);
      const latency = new Float64Array(MAX_SHOWN);
      let counting = false, shown = 0, intervals = 0, onTime = 0, lastShownMs = 0;
      windowOf(out).presented.add(({ frame, atMs, refreshNs }) => {
        if (atMs === undefined) return;
        if (counting && shown < MAX_SHOWN) {
          latency[shown++] = atMs - handout[frame % RING]!;
          if (lastShownMs > 0 && refreshNs > 0) {
            intervals++;
            if (atMs - lastShownMs <= (1.5 * refreshNs) / 1e6) onTime++;
          }
        }
        lastShownMs = atMs;
      });
      let captured: Promise<Pixels> | undefined;
      let until = Infinity;
      const body = (frame: Frame): boolean => {
        handout[frame.index % RING] = performance.now();
        if (performance.now() > until) return false;
        scene.update(frame);
        if (frame.index === request.capture?.frame) captured = frame.capture();
        frame.record((cmd) => scene.draw(cmd, frame));
        return true;
      };
      if (request.capture) {
        await out.run(body, { limit: request.capture.frame + 1, gpuTimeEvery: 0 });
        await writeFile(request.capture.path, (await captured!).data);
        return { written: request.capture.path, used: used(out) };
      }
      await out.run(body, { limit: request.warmup ?? 120, gpuTimeEvery: 0 });
      const committedBefore = out.stats.pacing?.presented ?? 0;
      counting = true;
      until = performance.now() + (request.seconds ?? 5) * 1000;
      const wakes0 = threadWakeups(), thread0 = threadUsage(), process0 = processUsage();
      const stats = await out.run(body, { gpuTimeEvery: 0 });
      const wakes = threadWakeups() - wakes0, thread1 = threadUsage(), process1 = processUsage();
      const sys = thread1.systemMs - thread0.systemMs;
      const perFrame = (n: number) => (stats.frames ? n / stats.frames : NaN);
      const committed = (out.stats.pacing?.presented ?? 0) - committedBefore;
      await new Promise((r) => setTimeout(r, 300)); // the last frames' feedback, outside the figures
      counting = false;
      const lat = latency.subarray(0, shown);
      const figures: WsiFigures = {
        perSecond: stats.fps,
        cpuMsPerFrame: stats.cpuMsPerFrame,
        appThreadCpuMsPerFrame: stats.mainThreadCpuMsPerFrame,
        appThreadWakeupsPerFrame: stats.frames ? wakes / stats.frames : NaN,
        appThreadSystemMsPerFrame: stats.frames ? sys / stats.frames : NaN,
        committedPerSecond: committed / stats.seconds,
        shownPerSecond: shown / stats.seconds,
        latencyMedianMs: percentile(lat, 50),
        latencyP99Ms: percentile(lat, 99),
        onTime: intervals ? onTime / intervals : NaN,
        maxRssKb: process.resourceUsage().maxRSS,
        minorFaultsPerFrame: perFrame(process1.minorFaults - process0.minorFaults),
        appThreadMinorFaultsPerFrame: perFrame(thread1.minorFaults - thread0.minorFaults),
        processSwitchesPerFrame: perFrame(process1.switches - process0.switches),
        used: used(out),
        finalSize: [out.size[0], out.size[1]],
      };
      return figures;
    } finally {
      scene.destroy();
      await out.close();
    }
  } finally {
    gpu.destroy();
  }
}

/** Buffers, sync path and pacing the presenter used, from its stats. */
function used(out: Presenter): string {
  const e = out.stats.extra;
  const pacing = `pacing: ${e.fifo}${e.fifoBarriers ? ` (${e.fifoBarriers} barriers)` : ""}, display ready: ${e.displayReady} (${e.frameCallbacks} frame callbacks for ${out.stats.pacing?.presented} commits)${e.batchedReads === "on" ? `, batched reads (${e.readPauses} pauses, ${e.readPausesEndedEarly} ended before anything came)` : ""}, tearing hint ${e.tearingHint}`;
  if (e.bufferKind !== undefined) {
    return `zwp_linux_dmabuf_v1 buffers (${e.bufferKind}, modifier ${e.modifier}, made by ${e.bufferCreation}; formats from ${e.formats}, tranche ${e.tranche}), sync ${e.sync}, ${pacing}`;
  }
  const path = e.shmPath === "host-import"
    ? `rendered straight into them (VK_EXT_external_memory_host), sync cpu-wait (fence, then commit${e.committedWhenWoken ? `; ${e.committedWhenWoken} of ${out.stats.pacing?.presented} commits at the next wake-up, the fence done by then` : ""})`
    : `3 offscreen images, sync ${e.sync} (fence, then CPU copy; ${e.shmPath})`;
  return `${e.shmBuffers} wl_shm buffers (one pool), ${path}, ${pacing}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = await main(JSON.parse(process.argv[2]!) as WsiOursRequest);
  process.stdout.write(`${RESULT}${JSON.stringify(out)}\n`);
}
