// Side by side with what a C Vulkan app presents with: Mesa's own WSI (VK_KHR_wayland_surface +
// VK_KHR_swapchain, bench/c-reference/wsi.c) against our wl_shm presenter, on the same compositor,
// the same triangle from the same SPIR-V, per present mode. Both sides are measured the same way:
// frames the app got through per second, committed and shown (wp_presentation) per second, CPU per
// frame of the whole process, hand-out to on screen (median, p99), on time (fifo: no refresh
// missed between shown frames), peak RSS. Before any ratio, frame #30 of each side is compared
// (ours: Frame.capture; Mesa's: the swapchain image read back before vkQueuePresentKHR), and a
// short traced run of each (WAYLAND_DEBUG) lists the protocols bound and the pacing requests.
// Interleaved pairs (ours, then Mesa's), RUNS rounds (default 5), SECONDS (default 5) timed each.
// `node dist/bench/bench.js wsi`; WSI_BEDS=weston16,mutter50,kwin,weston14 picks the compositors.
// WSI_OURS_OPTIONS='{"fifoBatchedReads": false}' gives our timed window presenter options (read by
// wsi-ours-child.ts; a WSI_OURS_BASE build older than that knob ignores it).
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PresentMode } from "../src/present/pacing.js";
import { forkyCompositorSkipReason, startForky, type ForkyCompositor } from "../scripts/testbed/forky.js";
import { startWeston, westonAvailable } from "../scripts/testbed/weston.js";
import { buildC } from "./c-build.js";
import { CAPTURE_FRAME, compareFrames, describeComparison } from "./same-work.js";
import { writeSceneFile } from "./scene-file.js";
import { fmt, median } from "./stats.js";
import { runWsiOurs, type WsiFigures } from "./wsi-ours-child.js";

const SIZE: [number, number] = [640, 480];
const MODES: PresentMode[] = ["fifo", "mailbox", "immediate"];
const JIT_WARMUP = Number(process.env.WSI_JIT_WARMUP ?? 3000);
const WARMUP = 120;
/**
 * WSI_MESA_DEBUG: MESA_VK_WSI_DEBUG for the C side. "noshm" makes Mesa's CPU-image path copy each
 * frame into its wl_shm buffer (WSI_WL_BUFFER_SHM_MEMCPY) instead of rendering into the shm pool
 * itself (WSI_WL_BUFFER_GPU_SHM, imported with VK_EXT_external_memory_host: its default on lavapipe).
 */
/**
 * WSI_OURS_COPY=1: a third side in every round, ours on the copy path (hostImport: false: offscreen
 * image, staging buffer, JS-thread copy), so the gain of rendering into the shm buffers is measured
 * in the same sitting.
 */
const OURS_COPY = process.env.WSI_OURS_COPY === "1";
/**
 * WSI_OURS_BASE=PATH: another side in every round, ours from another build's
 * dist/bench/wsi-ours-child.js (a checkout before a change), so a change is measured before and
 * after in the same sitting.
 */
const OURS_BASE = process.env.WSI_OURS_BASE;
/** WSI_OURS_FLAGS="--flag --flag": node flags for our main side only (WSI_OURS_BASE runs without them): a flag measured against the same build without it. */
const OURS_FLAGS = process.env.WSI_OURS_FLAGS?.split(/\s+/).filter(Boolean) ?? [];
const MESA_ENV: NodeJS.ProcessEnv = process.env.WSI_MESA_DEBUG ? { MESA_VK_WSI_DEBUG: process.env.WSI_MESA_DEBUG } : {};

interface Bed {
  name: string;
  skip?: string;
  start(): Promise<{ socket: string; stop(): Promise<void> }>;
}

function forkyBed(kind: ForkyCompositor, name: string): Bed {
  return { name, skip: forkyCompositorSkipReason(kind), start: async () => {
    const bed = await startForky(kind, { width: SIZE[0], height: SIZE[1] });
    return { socket: bed.path, stop: () => bed.stop() };
  } };
}

const BEDS: Record<string, Bed> = {
  weston16: forkyBed("weston", "Weston 16 (forky, headless, pixman)"),
  mutter50: forkyBed("mutter", "Mutter 50 (forky, headless)"),
  kwin: forkyBed("kwin", "KWin 6 (forky, virtual)"),
  weston14: {
    name: "Weston 14 (host, headless, pixman)",
    skip: westonAvailable ? undefined : "weston is not installed on the host",
    start: async () => {
      const w = await startWeston({ width: SIZE[0], height: SIZE[1] });
      return { socket: w.path, stop: () => w.stop() };
    },
  },
};

/** What a traced run shows: the globals bound (name vN) and how many pacing requests a frame made. */
function traced(trace: string, bindLine: RegExp): string {
  const binds = new Set<string>();
  for (const m of trace.matchAll(bindLine)) binds.add(`${m[1]} v${m[2]}`);
  const count = (re: RegExp) => (trace.match(re) ?? []).length;
  const pacing = [
    ["frame callbacks", count(/\.frame\(/g)],
    ["fifo barriers", count(/\.set_barrier\(/g)],
    ["commit timestamps", count(/\.set_timestamp\(/g)],
    ["commits", count(/\.commit\(/g)],
  ].filter(([, n]) => n) .map(([what, n]) => `${n} ${what}`);
  return `bound ${[...binds].join(", ")}; in the traced run: ${pacing.join(", ")}`;
}

const OUR_BIND = /bind\(\d+, new id (\w+)#\d+ v(\d+)\)/g;
const C_BIND = /bind\(\d+, "(\w+)", (\d+),/g;

class Unavailable extends Error {}

/** How long a C run may take beyond its timed seconds before it counts as stalled. */
const C_SLACK_MS = 45_000;

/** Runs the C program; resolves with stdout and stderr, rejects with Unavailable on exit 3 or when it stalls. */
function runC(binary: string, args: string[], env: NodeJS.ProcessEnv, seconds: number): Promise<{ stdout: string; stderr: string }> {
  const timeout = seconds * 1000 + C_SLACK_MS;
  return new Promise((resolve, reject) => {
    execFile(binary, args, { encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 1 << 28, timeout, killSignal: "SIGKILL" }, (error, stdout, stderr) => {
      if (error?.code === 3) reject(new Unavailable(stderr.split("\n").find((l) => l.startsWith("unavailable:"))?.slice(13) ?? stderr.trim()));
      else if (error?.killed) {
        const trace = stderr.split("\n").filter((l) => l.includes("->")).slice(-6).map((l) => l.replace(/^\[[\d. ]+\]\s*/, "")).join("; ");
        reject(new Unavailable(`the C program made no progress for ${timeout / 1000} s and was killed (stalled)${trace ? `; its last requests: ${trace}` : ""}`));
      }
      else if (error) reject(new Error(`${binary} ${args.join(" ")} failed (${error.code ?? error.signal}): ${stderr.trim().slice(-2000)}`));
      else resolve({ stdout, stderr });
    });
  });
}

function cFigures(stdout: string): WsiFigures & { images: number; minImages: number } {
  const field = (name: string) => {
    const m = new RegExp(`\\b${name}=(-?[\\d.]+)`).exec(stdout);
    if (!m) throw new Error(`wsi: no ${name}= in its output: ${stdout.trim()}`);
    return Number(m[1]);
  };
  const orNaN = (x: number) => (x < 0 ? NaN : x);
  return {
    perSecond: field("per_second"),
    cpuMsPerFrame: field("cpu_ms_per_frame"),
    appThreadCpuMsPerFrame: field("app_thread_cpu_ms_per_frame"),
    appThreadWakeupsPerFrame: orNaN(field("app_thread_wakeups_per_frame")),
    appThreadSystemMsPerFrame: orNaN(field("app_thread_sys_ms_per_frame")),
    committedPerSecond: field("per_second"), // Mesa's Wayland WSI commits every present
    shownPerSecond: orNaN(field("shown_per_second")),
    latencyMedianMs: orNaN(field("latency_median_ms")),
    latencyP99Ms: orNaN(field("latency_p99_ms")),
    onTime: orNaN(field("on_time")),
    maxRssKb: field("max_rss_kb"),
    minorFaultsPerFrame: field("minor_faults_per_frame"),
    appThreadMinorFaultsPerFrame: field("app_thread_minor_faults_per_frame"),
    processSwitchesPerFrame: field("process_switches_per_frame"),
    images: field("images"),
    minImages: field("min_images"),
    used: "",
  };
}

function describe(side: string, runs: WsiFigures[]): string {
  const m = (k: keyof WsiFigures) => median(runs.map((r) => r[k] as number));
  return `  ${side}: ${fmt(m("perSecond"))} frames/s (committed ${fmt(m("committedPerSecond"))}/s, shown ${fmt(m("shownPerSecond"))}/s), ` +
    `CPU ${fmt(m("cpuMsPerFrame"), 3)} ms/frame (app thread ${fmt(m("appThreadCpuMsPerFrame"), 3)}, of it ${fmt(m("appThreadSystemMsPerFrame"), 3)} in the kernel, woken ${fmt(m("appThreadWakeupsPerFrame"), 2)} times a frame), hand-out to on screen ${fmt(m("latencyMedianMs"))} ms median (p99 ${fmt(m("latencyP99Ms"))}), ` +
    `on time ${fmt(m("onTime") * 100)}%, peak RSS ${fmt(m("maxRssKb") / 1024, 0)} MiB; per frame ${fmt(m("minorFaultsPerFrame"), 2)} minor faults (app thread ${fmt(m("appThreadMinorFaultsPerFrame"), 2)}), ${fmt(m("processSwitchesPerFrame"), 2)} context switches (all threads)`;
}

/** One mode on one bed: the same-frame check and traces, then `runs` interleaved pairs. */
async function benchMode(binary: string, sceneFile: string, dir: string, socket: string, mode: PresentMode, runs: number, seconds: number, log: (l: string) => void) {
  const cPath = join(dir, `c-${mode}.rgba`), oursPath = join(dir, `ours-${mode}.rgba`);
  const debug = { WAYLAND_DEBUG: "client" };
  let cTrace: string;
  const ours = await runWsiOurs<{ used: string }>({ socket, mode, size: SIZE, capture: { frame: CAPTURE_FRAME, path: oursPath } }, debug);
  try {
    cTrace = (await runC(binary, ["wayland", socket, sceneFile, "--mode", mode, "--warmup", "0", "--capture", cPath, "--capture-frame", String(CAPTURE_FRAME)], { ...debug, ...MESA_ENV }, 0)).stderr;
  } catch (e) {
    if (!(e instanceof Unavailable)) throw e;
    log(`${mode}: Mesa's WSI: ${e.message}; no comparison, ours alone:`);
    const alone: WsiFigures[] = [];
    for (let r = 0; r < runs; r++) alone.push((await runWsiOurs({ socket, mode, size: SIZE, warmup: WARMUP, seconds, jitWarmup: JIT_WARMUP })).result);
    log(describe("ours", alone));
    log(`  ours used: ${ours.result.used}; ${traced(ours.stderr, OUR_BIND)}`);
    return;
  }
  const check = compareFrames(await readFile(oursPath), await readFile(cPath));
  log(`${mode}: ${describeComparison(check)}`);
  const oursRuns: WsiFigures[] = [], copyRuns: WsiFigures[] = [], baseRuns: WsiFigures[] = [], cRuns: ReturnType<typeof cFigures>[] = [];
  let stalls = 0;
  for (let r = 0; r < runs; r++) {
    oursRuns.push((await runWsiOurs({ socket, mode, size: SIZE, warmup: WARMUP, seconds, jitWarmup: JIT_WARMUP }, {}, undefined, OURS_FLAGS)).result);
    if (OURS_COPY) copyRuns.push((await runWsiOurs({ socket, mode, size: SIZE, warmup: WARMUP, seconds, jitWarmup: JIT_WARMUP, hostImport: false })).result);
    if (OURS_BASE) baseRuns.push((await runWsiOurs({ socket, mode, size: SIZE, warmup: WARMUP, seconds, jitWarmup: JIT_WARMUP }, {}, OURS_BASE)).result);
    try {
      cRuns.push(cFigures((await runC(binary, ["wayland", socket, sceneFile, "--mode", mode, "--warmup", String(WARMUP), "--seconds", String(seconds)], MESA_ENV, seconds)).stdout));
    } catch (e) {
      if (!(e instanceof Unavailable)) throw e;
      stalls++;
      log(`  Mesa's run ${r + 1}: ${e.message}`);
    }
  }
  if (!cRuns.length) {
    log(describe("ours", oursRuns));
    log(`  no ratio: every run of Mesa's WSI stalled (${stalls} of ${runs})`);
    return;
  }
  const resized = oursRuns.find((r) => r.finalSize && (r.finalSize[0] !== SIZE[0] || r.finalSize[1] !== SIZE[1]));
  if (resized) throw new Error(`the compositor configured ours to ${resized.finalSize!.join("x")}, not ${SIZE.join("x")}: not the same work`);
  log(describe("ours", oursRuns));
  if (copyRuns.length) log(describe("ours (copy path)", copyRuns));
  if (baseRuns.length) log(describe("ours (WSI_OURS_BASE)", baseRuns));
  log(describe("Mesa", cRuns));
  const m = (xs: WsiFigures[], k: keyof WsiFigures) => median(xs.map((r) => r[k] as number));
  const ratio = (k: keyof WsiFigures, digits = 2, side = oursRuns) => `${fmt(m(side, k) / m(cRuns, k), digits)}x`;
  // each pair ran back to back: the spread of their ratios shows how much of a ratio is noise
  const pairs = (k: keyof WsiFigures) => {
    if (stalls) return " (pairs: n/a, a run of Mesa's stalled)";
    const r = oursRuns.map((o, i) => (o[k] as number) / (cRuns[i]![k] as number)).filter(Number.isFinite);
    return r.length > 1 ? ` (pairs ${fmt(median(r), 2)}x, ${fmt(Math.min(...r), 2)}-${fmt(Math.max(...r), 2)}x)` : "";
  };
  if (check.same) log(`  → vs Mesa WSI: rate ${ratio("perSecond")}, CPU ${ratio("cpuMsPerFrame")}, latency ${ratio("latencyMedianMs")}`);
  if (check.same && baseRuns.length) log(`    WSI_OURS_BASE vs Mesa WSI: rate ${ratio("perSecond", 2, baseRuns)}, CPU ${ratio("cpuMsPerFrame", 2, baseRuns)}, latency ${ratio("latencyMedianMs", 2, baseRuns)}`);
  if (check.same && copyRuns.length) log(`    our copy path vs Mesa WSI: rate ${ratio("perSecond", 2, copyRuns)}, CPU ${ratio("cpuMsPerFrame", 2, copyRuns)}, latency ${ratio("latencyMedianMs", 2, copyRuns)}`);
  if (check.same) log(`    pair by pair: rate${pairs("perSecond")}, CPU${pairs("cpuMsPerFrame")}, latency${pairs("latencyMedianMs")}; on time ours ${fmt(m(oursRuns, "onTime") * 100)}% / Mesa ${fmt(m(cRuns, "onTime") * 100)}%; ` +
    `app thread woken ${fmt(m(oursRuns, "appThreadWakeupsPerFrame"), 2)} / ${fmt(m(cRuns, "appThreadWakeupsPerFrame"), 2)} times a frame`);
  else log("  no ratio: the two sides did not render the same frame");
  log(`  ours used: ${ours.result.used}; ${traced(ours.stderr, OUR_BIND)}`);
  const c = cRuns[0]!;
  // libwayland marks the app's own queue ("{Default Queue}": its window and feedback); Mesa's WSI uses queues of its own
  const lines = cTrace.split("\n");
  const app = lines.filter((l) => l.includes("{Default Queue}")).join("\n");
  const mesa = lines.filter((l) => !l.includes("{Default Queue}")).join("\n");
  const images = MESA_ENV.MESA_VK_WSI_DEBUG?.includes("noshm")
    ? "rendered into CPU images, each copied into its wl_shm buffer at present (MESA_VK_WSI_DEBUG=noshm)"
    : "rendered straight into the wl_shm pools (VK_EXT_external_memory_host: no copy)";
  log(`  Mesa used: ${c.images} swapchain images (surface minimum ${c.minImages}), a wl_shm pool per image, ${images}, fence wait in vkQueuePresentKHR, no dmabuf, no explicit sync; ` +
    `Mesa's WSI ${traced(mesa, C_BIND)}; the C app itself ${traced(app, C_BIND).replace(/; in the traced run: .*/, "")} (its window and the feedback requests)`);
}

/** Runs the comparison on every bed in WSI_BEDS and every mode in WSI_MODES, logging the figures and ratios. */
export async function benchWsi(options: { runs: number; log: (line: string) => void }): Promise<void> {
  const { runs, log } = options;
  const seconds = Number(process.env.SECONDS ?? 5);
  const build = buildC("wsi");
  if (!build.ok) return log(`skipped: ${build.reason}`);
  const wanted = (process.env.WSI_BEDS ?? "weston16,mutter50").split(",");
  const modes = (process.env.WSI_MODES?.split(",") as PresentMode[] | undefined) ?? MODES;
  const dir = await mkdtemp(join(tmpdir(), "scanout-bench-wsi-"));
  try {
    const sceneFile = join(dir, "triangle.bin");
    await writeSceneFile(sceneFile, { kind: "triangle" }, SIZE);
    for (const key of wanted) {
      const bed = BEDS[key];
      if (!bed) throw new Error(`WSI_BEDS: no bed ${key} (beds: ${Object.keys(BEDS).join(", ")})`);
      log(`\n### ${bed.name}, triangle ${SIZE.join("x")}, wl_shm on both sides`);
      if (bed.skip) {
        log(`skipped: ${bed.skip}`);
        continue;
      }
      for (const mode of modes) {
        // a fresh compositor per mode: no mode inherits another's state (or a crash)
        const running = await bed.start();
        try {
          await benchMode(build.path, sceneFile, dir, running.socket, mode, runs, seconds, log);
        } catch (e) {
          log(`${mode}: failed: ${(e as Error).message}`);
        } finally {
          await running.stop();
        }
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
