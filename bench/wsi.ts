// Side by side with what a C Vulkan app presents with: Mesa's own WSI (VK_KHR_wayland_surface +
// VK_KHR_swapchain, bench/c-reference/wsi.c) against our wl_shm presenter, on the same compositor,
// the same triangle from the same SPIR-V, per present mode. Both sides are measured the same way:
// frames the app got through per second, committed and shown (wp_presentation) per second, CPU per
// frame of the whole process, hand-out to on screen (median, p99), on time (fifo: no refresh
// missed between shown frames), peak RSS. Before any ratio, frame #30 of each side is compared
// (ours: Frame.capture; Mesa's: the swapchain image read back before vkQueuePresentKHR), and a
// short traced run of each (WAYLAND_DEBUG) lists the protocols bound and the pacing requests.
// Interleaved pairs (ours, then Mesa's), RUNS rounds (default 5), SECONDS (default 5) timed each.
// `node dist/bench/bench.js wsi`; WSI_BEDS=weston16,mutter50,kwin,weston14 picks the compositors;
// weston16-vm is Weston 16 on DRM (the VM's vkms), where ours also runs on dmabuf (udmabuf):
// `npm run bench:wsi-vm` boots the VM and runs it there.
// WSI_OURS_OPTIONS='{"fifoBatchedReads": false}' gives our timed window presenter options (read by
// wsi-ours-child.ts; a WSI_OURS_BASE build older than that knob ignores it).
import { execFile } from "node:child_process";
import { chmodSync, existsSync, readdirSync } from "node:fs";
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
import { runWsiOurs, type WsiFigures, type WsiOursRequest } from "./wsi-ours-child.js";

/** The window size on the headless beds (their output is made that size). */
const SIZE: [number, number] = [640, 480];
/**
 * vkms's connector prefers 1024x768 (XRES_DEF, YRES_DEF in drivers/gpu/drm/vkms) and Weston's kiosk
 * shell makes a window fullscreen on it: both sides draw the output's size there (the C app keeps
 * its scene file's size whatever it is configured to, and ours would follow the configure).
 */
const VKMS_SIZE: [number, number] = [1024, 768];
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
/**
 * WSI_OURS_DMABUF=1: a side in every round with ours on zwp_linux_dmabuf_v1 (mode "dmabuf"; on
 * lavapipe its images are udmabuf-backed, so it needs /dev/udmabuf): on by default on the VM bed,
 * =0 turns it off there.
 */
const OURS_DMABUF = process.env.WSI_OURS_DMABUF;
/** Timed seconds per run: WSI_SECONDS, else SECONDS (bash keeps its own SECONDS counting: the VM wrapper sets WSI_SECONDS). */
const SECONDS = Number(process.env.WSI_SECONDS ?? process.env.SECONDS ?? 5);
const MESA_ENV: NodeJS.ProcessEnv = process.env.WSI_MESA_DEBUG ? { MESA_VK_WSI_DEBUG: process.env.WSI_MESA_DEBUG } : {};

interface Bed {
  name: string;
  skip?: string;
  /** The frames' size on this bed (default SIZE). */
  size?: [number, number];
  /** Ours on dmabuf beside ours on wl_shm by default (WSI_OURS_DMABUF overrides). */
  dmabuf?: boolean;
  /** Also says whether Mesa's VK_KHR_display lists a display (KMS comparison status). */
  kms?: boolean;
  /** Only what Mesa's WSI binds and makes its buffers with, from one traced run (a bed that cannot run the comparison). */
  probeOnly?: string;
  start(): Promise<Running>;
}

/** A running compositor: its socket, and (forky beds) whether it still runs and what it logged. */
interface Running {
  socket: string;
  stop(): Promise<void>;
  alive?(): boolean;
  log?(): string;
}

/** Ours on dmabuf failed on this bed: the mode is run again without that side (on a fresh compositor, in case it died). */
class DmabufFailed extends Error {}

function forkyBed(kind: ForkyCompositor, name: string): Bed {
  return { name, skip: forkyCompositorSkipReason(kind), start: async () => {
    const bed = await startForky(kind, { width: SIZE[0], height: SIZE[1] });
    return { socket: bed.path, stop: () => bed.stop(), alive: () => bed.alive(), log: () => bed.log() };
  } };
}

/** Why the VM bed cannot run here: it needs the VM's vkms (a KMS card) and udmabuf. */
function vmSkipReason(kind: ForkyCompositor): string | undefined {
  const forky = forkyCompositorSkipReason(kind);
  if (forky) return forky;
  if (!existsSync("/dev/udmabuf") || !existsSync("/sys/module/vkms")) return "needs the VM (vkms, udmabuf): npm run bench:wsi-vm";
  if (!readdirSync("/dev/dri").some((f) => /^card\d+$/.test(f))) return "vkms is loaded but there is no /dev/dri/card*";
  return undefined;
}

const BEDS: Record<string, Bed> = {
  weston16: forkyBed("weston", "Weston 16 (forky, headless, pixman)"),
  mutter50: forkyBed("mutter", "Mutter 50 (forky, headless)"),
  kwin: forkyBed("kwin", "KWin 6 (forky, virtual)"),
  // pixman, not GL: forky's Weston 16 with its GL renderer (llvmpipe through kms_swrast on vkms)
  // dies of SIGSEGV at our first wl_shm commits on this bed, as it does on dmabufs on virtio-gpu
  // (test/wayland/desktop-2026.vm.test.ts)
  "weston16-vm": {
    name: "Weston 16 (forky) on DRM, the VM's vkms (pixman renderer, kiosk shell: fullscreen), under TCG emulation",
    skip: vmSkipReason("weston"),
    size: VKMS_SIZE,
    dmabuf: true,
    kms: true,
    start: async () => {
      const bed = await startForky("weston", { backend: "drm", renderer: "pixman" });
      return { socket: bed.path, stop: () => bed.stop(), alive: () => bed.alive(), log: () => bed.log() };
    },
  },
  // the GL renderer Weston 16 dies with here: whether Mesa's WSI's wl_shm commits end it too
  "weston16-vm-gl": {
    name: "Weston 16 (forky) on DRM, the VM's vkms (GL renderer on llvmpipe, kiosk shell), under TCG emulation",
    skip: vmSkipReason("weston"),
    size: VKMS_SIZE,
    probeOnly: "this Weston dies of SIGSEGV at our first wl_shm commits here, so only Mesa's side, traced, to see whether its commits end it too",
    start: async () => {
      const bed = await startForky("weston", { backend: "drm", renderer: "gl" });
      return { socket: bed.path, stop: () => bed.stop(), alive: () => bed.alive(), log: () => bed.log() };
    },
  },
  // wlroots' GLES2 renderer on llvmpipe (kms_swrast on vkms's card): it takes our udmabufs (see
  // test/wayland/scanout-tranche.vm.test.ts); windows float at their own size (no gaps, no border)
  "sway-vm": {
    name: "Sway 1.12 (forky) on DRM, the VM's vkms (GLES2 on llvmpipe, fullscreen), under TCG emulation",
    skip: vmSkipReason("sway"),
    size: VKMS_SIZE,
    probeOnly: "this Sway dies of SIGSEGV the first time it composites a window here (test/wayland/scanout-tranche.vm.test.ts), so only what Mesa's WSI picks where zwp_linux_dmabuf_v1 is offered",
    start: async () => {
      // Sway runs unprivileged and Mesa's EGL opens the card by path; the guest has no udev to grant it
      for (const f of readdirSync("/dev/dri")) if (/^(card|renderD)\d+$/.test(f)) chmodSync(`/dev/dri/${f}`, 0o666);
      const bed = await startForky("sway", { backend: "drm" });
      await bed.swaymsg('for_window [app_id=".*"] fullscreen enable');
      return { socket: bed.path, stop: () => bed.stop(), alive: () => bed.alive(), log: () => bed.log() };
    },
  },
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

/** The C program failed; its whole stderr (a trace, when traced) comes with it. */
class CFailed extends Error {
  constructor(message: string, readonly stderr: string) {
    super(message);
  }
}

/** How long a C run may take beyond its timed seconds before it counts as stalled (WSI_C_SLACK_S: the VM wrapper allows more, for emulation). */
const C_SLACK_MS = Number(process.env.WSI_C_SLACK_S ?? 45) * 1000;

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
      else if (error) reject(new CFailed(`${binary} ${args.join(" ")} failed (${error.code ?? error.signal}): ${stderr.trim().slice(-2000)}`, stderr));
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

/** How Mesa's WSI made its wl_buffers in a traced run (its own requests, not the app's). */
function mesaBuffers(trace: string): { shm: number; dmabuf: number } {
  const count = (re: RegExp) => (trace.match(re) ?? []).length;
  return {
    shm: count(/-> wl_shm_pool#\d+\.create_buffer\(/g),
    dmabuf: count(/-> zwp_linux_buffer_params_v1#\d+\.(create_immed|create)\(/g),
  };
}

/** One of our sides in a round: the main one, or another path or build beside it. */
interface OurSide {
  label: string;
  request: Partial<WsiOursRequest>;
  script?: string;
  flags?: readonly string[];
  /** Compared pixel for pixel with Mesa's frame before any ratio (the main side always is). */
  check?: boolean;
}

/** One mode on one bed: the same-frame checks and traces, then `runs` interleaved rounds. */
async function benchMode(binary: string, sceneFile: string, dir: string, compositor: Running, size: [number, number], mode: PresentMode, runs: number, seconds: number, dmabuf: boolean, log: (l: string) => void) {
  const cPath = join(dir, `c-${mode}.rgba`);
  const debug = { WAYLAND_DEBUG: "client" };
  const { socket } = compositor;
  const base = { socket, mode, size };
  const timed = { ...base, warmup: WARMUP, seconds, jitWarmup: JIT_WARMUP };
  const sides: OurSide[] = [{ label: "ours", request: {}, flags: OURS_FLAGS, check: true }];
  if (OURS_COPY) sides.push({ label: "our copy path", request: { hostImport: false } });
  if (OURS_BASE) sides.push({ label: "WSI_OURS_BASE", request: {}, script: OURS_BASE });
  if (dmabuf) sides.push({ label: "ours on dmabuf", request: { transport: "dmabuf" }, check: true });
  // the sides compared pixel for pixel: their frame #30, traced
  const captured = [];
  for (const side of sides.filter((x) => x.check)) {
    const path = join(dir, `ours-${mode}-${side.request.transport ?? "shm"}.rgba`);
    try {
      const run = await runWsiOurs<{ used: string }>({ ...base, ...side.request, capture: { frame: CAPTURE_FRAME, path } }, debug, side.script);
      captured.push({ side, path, run });
    } catch (e) {
      if (side.request.transport !== "dmabuf") throw e;
      const state = compositorState(compositor);
      // the child's error line, not node's stack under it
      const lines = (e as Error).message.split("\n").map((l) => l.trim()).filter(Boolean);
      const why = lines.find((l) => /^\w*Error\b|Error:/.test(l)) ?? lines[0];
      throw new DmabufFailed(`ours on dmabuf failed: ${why}${state}`);
    }
  }
  let cTrace: string;
  try {
    cTrace = (await runC(binary, ["wayland", socket, sceneFile, "--mode", mode, "--warmup", "0", "--seconds", "3600", "--capture", cPath, "--capture-frame", String(CAPTURE_FRAME)], { ...debug, ...MESA_ENV }, 0)).stderr;
  } catch (e) {
    if (!(e instanceof Unavailable)) throw e;
    log(`${mode}: Mesa's WSI: ${e.message}; no comparison, ours alone:`);
    const alone: WsiFigures[] = [];
    for (let r = 0; r < runs; r++) alone.push((await runWsiOurs(timed)).result);
    log(describe("ours", alone));
    log(`  ours used: ${captured[0]!.run.result.used}; ${traced(captured[0]!.run.stderr, OUR_BIND)}`);
    return;
  }
  const cFrame = await readFile(cPath);
  const same = new Map<OurSide, boolean>();
  for (const c of captured) {
    const check = compareFrames(await readFile(c.path), cFrame);
    same.set(c.side, check.same);
    log(`${mode}: ${c.side.label}: ${describeComparison(check)}`);
  }
  const oursRuns = sides.map((): WsiFigures[] => []);
  const cRuns: ReturnType<typeof cFigures>[] = [];
  let stalls = 0;
  for (let r = 0; r < runs; r++) {
    for (const [i, side] of sides.entries()) oursRuns[i]!.push((await runWsiOurs({ ...timed, ...side.request }, {}, side.script, side.flags)).result);
    try {
      cRuns.push(cFigures((await runC(binary, ["wayland", socket, sceneFile, "--mode", mode, "--warmup", String(WARMUP), "--seconds", String(seconds)], MESA_ENV, seconds)).stdout));
    } catch (e) {
      if (!(e instanceof Unavailable)) throw e;
      stalls++;
      log(`  Mesa's run ${r + 1}: ${e.message}`);
    }
  }
  if (!cRuns.length) {
    sides.forEach((side, i) => log(describe(side.label, oursRuns[i]!)));
    log(`  no ratio: every run of Mesa's WSI stalled (${stalls} of ${runs})`);
    return;
  }
  const resized = oursRuns.flat().find((r) => r.finalSize && (r.finalSize[0] !== size[0] || r.finalSize[1] !== size[1]));
  if (resized) throw new Error(`the compositor configured ours to ${resized.finalSize!.join("x")}, not ${size.join("x")}: not the same work`);
  sides.forEach((side, i) => log(describe(side.label, oursRuns[i]!)));
  log(describe("Mesa", cRuns));
  const m = (xs: WsiFigures[], k: keyof WsiFigures) => median(xs.map((r) => r[k] as number));
  const ratio = (k: keyof WsiFigures, side: WsiFigures[], digits = 2) => `${fmt(m(side, k) / m(cRuns, k), digits)}x`;
  // each pair ran back to back: the spread of their ratios shows how much of a ratio is noise
  const pairs = (k: keyof WsiFigures, side: WsiFigures[]) => {
    if (stalls) return " (pairs: n/a, a run of Mesa's stalled)";
    const r = side.map((o, i) => (o[k] as number) / (cRuns[i]![k] as number)).filter(Number.isFinite);
    return r.length > 1 ? ` (pairs ${fmt(median(r), 2)}x, ${fmt(Math.min(...r), 2)}-${fmt(Math.max(...r), 2)}x)` : "";
  };
  // a side that was not checked itself counts on the main side's check (the same scene code)
  sides.forEach((side, i) => {
    const runsOf = oursRuns[i]!;
    if (!(same.get(side) ?? same.get(sides[0]!))) {
      log(`  ${side.label}: no ratio: it and Mesa's WSI did not render the same frame`);
      return;
    }
    const head = i === 0 ? "  → vs Mesa WSI" : `    ${side.label} vs Mesa WSI`;
    log(`${head}: rate ${ratio("perSecond", runsOf)}, CPU ${ratio("cpuMsPerFrame", runsOf)}, latency ${ratio("latencyMedianMs", runsOf)}`);
    if (i === 0 || side.request.transport) log(`    pair by pair: rate${pairs("perSecond", runsOf)}, CPU${pairs("cpuMsPerFrame", runsOf)}, latency${pairs("latencyMedianMs", runsOf)}; on time ${side.label} ${fmt(m(runsOf, "onTime") * 100)}% / Mesa ${fmt(m(cRuns, "onTime") * 100)}%; ` +
      `app thread woken ${fmt(m(runsOf, "appThreadWakeupsPerFrame"), 2)} / ${fmt(m(cRuns, "appThreadWakeupsPerFrame"), 2)} times a frame`);
  });
  for (const c of captured) log(`  ${c.side.label} used: ${c.run.result.used}; ${traced(c.run.stderr, OUR_BIND)}`);
  const c = cRuns[0]!;
  // libwayland marks the app's own queue ("{Default Queue}": its window and feedback); Mesa's WSI uses queues of its own
  const lines = cTrace.split("\n");
  const app = lines.filter((l) => l.includes("{Default Queue}")).join("\n");
  const mesa = lines.filter((l) => !l.includes("{Default Queue}")).join("\n");
  const made = mesaBuffers(mesa);
  const buffers = made.dmabuf && !made.shm
    ? `${made.dmabuf} zwp_linux_dmabuf_v1 buffers`
    : made.shm && !made.dmabuf
      ? `a wl_shm pool per image (${made.shm} wl_shm buffers), no dmabuf`
      : `${made.shm} wl_shm and ${made.dmabuf} zwp_linux_dmabuf_v1 buffers`;
  const images = made.dmabuf && !made.shm
    ? "rendered into dmabuf-backed images"
    : MESA_ENV.MESA_VK_WSI_DEBUG?.includes("noshm")
      ? "rendered into CPU images, each copied into its wl_shm buffer at present (MESA_VK_WSI_DEBUG=noshm)"
      : "rendered straight into the wl_shm pools (VK_EXT_external_memory_host: no copy)";
  log(`  Mesa used: ${c.images} swapchain images (surface minimum ${c.minImages}), ${buffers} (from its traced run), ${images}, fence wait in vkQueuePresentKHR, no explicit sync; ` +
    `Mesa's WSI ${traced(mesa, C_BIND)}; the C app itself ${traced(app, C_BIND).replace(/; in the traced run: .*/, "")} (its window and the feedback requests)`);
}

/** One traced run of the C program: what Mesa's WSI bound and made its buffers with, however the run ended. */
async function mesaProbe(binary: string, sceneFile: string, compositor: Running, mode: PresentMode): Promise<string> {
  let trace: string, ended: string;
  try {
    trace = (await runC(binary, ["wayland", compositor.socket, sceneFile, "--mode", mode, "--warmup", "0", "--seconds", "3"], { WAYLAND_DEBUG: "client", ...MESA_ENV }, 3)).stderr;
    ended = "ran";
  } catch (e) {
    if (!(e instanceof CFailed)) throw e;
    trace = e.stderr;
    ended = `failed: ${e.message.split("\n")[0]}`;
  }
  const mesa = trace.split("\n").filter((l) => !l.includes("{Default Queue}")).join("\n");
  const offered = /wl_registry#\d+\.global\(\d+, "zwp_linux_dmabuf_v1", (\d+)\)/.exec(trace);
  const made = mesaBuffers(mesa);
  return `${mode}: the compositor offers ${offered ? `zwp_linux_dmabuf_v1 v${offered[1]}` : "no zwp_linux_dmabuf_v1"}; Mesa's WSI ${traced(mesa, C_BIND)}; it made ${made.shm} wl_shm and ${made.dmabuf} zwp_linux_dmabuf_v1 buffers; the C program ${ended}${compositorState(compositor)}`;
}

/** Whether the compositor still runs, and the end of its log when it does not (a crash is its own finding). */
function compositorState(c: Running): string {
  if (!c.alive) return "";
  if (c.alive()) return "\n  (the compositor still runs)";
  return `\n  the compositor died; the end of its log:\n    ${(c.log?.() ?? "").trim().split("\n").slice(-15).join("\n    ")}`;
}

/** Whether Mesa's VK_KHR_display offers a display here (the C program's KMS path): one line. */
async function kmsStatus(binary: string, sceneFile: string): Promise<string> {
  try {
    const { stderr } = await runC(binary, ["display", sceneFile, "--mode", "fifo", "--warmup", "0", "--seconds", "1"], {}, 1);
    return `VK_KHR_display on this device: it presented (${stderr.split("\n").find((l) => l.startsWith("display ")) ?? "a display"}): a KMS comparison can run here`;
  } catch (e) {
    return `VK_KHR_display on this device: ${e instanceof Unavailable ? e.message : (e as Error).message.split("\n")[0]}: no KMS comparison with Mesa's WSI here`;
  }
}

/** Runs the comparison on every bed in WSI_BEDS and every mode in WSI_MODES, logging the figures and ratios. */
export async function benchWsi(options: { runs: number; log: (line: string) => void }): Promise<void> {
  const { runs, log } = options;
  const build = buildC("wsi");
  if (!build.ok) return log(`skipped: ${build.reason}`);
  const wanted = (process.env.WSI_BEDS ?? "weston16,mutter50").split(",");
  const modes = (process.env.WSI_MODES?.split(",") as PresentMode[] | undefined) ?? MODES;
  const dir = await mkdtemp(join(tmpdir(), "scanout-bench-wsi-"));
  try {
    for (const key of wanted) {
      const bed = BEDS[key];
      if (!bed) throw new Error(`WSI_BEDS: no bed ${key} (beds: ${Object.keys(BEDS).join(", ")})`);
      const size = bed.size ?? SIZE;
      let dmabuf = OURS_DMABUF === undefined ? (bed.dmabuf ?? false) : OURS_DMABUF === "1";
      log(`\n### ${bed.name}, triangle ${size.join("x")}, ours on wl_shm${dmabuf ? " and on dmabuf" : ""}, Mesa's WSI on what it picks`);
      if (bed.skip) {
        log(`skipped: ${bed.skip}`);
        continue;
      }
      const sceneFile = join(dir, `triangle-${size.join("x")}.bin`);
      await writeSceneFile(sceneFile, { kind: "triangle" }, size);
      if (bed.kms) log(await kmsStatus(build.path, sceneFile));
      if (bed.probeOnly) {
        log(`(${bed.probeOnly})`);
        const running = await bed.start();
        try {
          log(await mesaProbe(build.path, sceneFile, running, modes[0]!));
        } finally {
          await running.stop();
        }
        continue;
      }
      for (const mode of modes) {
        for (let again = true; again;) {
          again = false;
          // a fresh compositor per mode: no mode inherits another's state (or a crash)
          const running = await bed.start();
          try {
            await benchMode(build.path, sceneFile, dir, running, size, mode, runs, SECONDS, dmabuf, log);
          } catch (e) {
            if (e instanceof DmabufFailed) {
              log(`${mode}: ${e.message}; on without that side (here on)`);
              dmabuf = false;
              again = true;
            } else log(`${mode}: failed: ${(e as Error).message}${compositorState(running)}`);
          } finally {
            await running.stop();
          }
        }
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
