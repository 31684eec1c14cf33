// Wayland benchmark against a private headless Weston, interleaved with the project's libwayland
// C reference (bench/c-reference/wayland.c): wl_display.sync round trips per second and CPU per
// round trip (each client in a process of its own; placed by the scheduler, then, where taskset
// and two CPUs are there, pinned with the compositor to one CPU and to two); the triangle
// presented through wl_shm at 640x480 unpaced (only buffer releases throttle it), after checking
// that both clients put the same frame into their shm buffer; and ours paced by frame callbacks
// (no C counterpart).
// Standalone: `npx tsc -p tsconfig.json && node dist/bench/wayland.js`.
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Instance, type Pixels } from "../src/index.js";
import { openWaylandPresenter } from "../src/present/wayland-open.js";
import { startWeston, westonAvailable } from "../scripts/testbed/weston.js";
import { buildC } from "./c-build.js";
import { runJsonChildInBackground } from "./child-process.js";
import { ROUNDTRIP_RESULT } from "./roundtrip-child.js";
import { runCInBackground, type CFigures } from "./reference.js";
import { CAPTURE_FRAME, compareFrames, describeComparison } from "./same-work.js";
import { writeSceneFile } from "./scene-file.js";
import { Triangle } from "./scenes.js";
import { benchRuns, fmt, median, pairedRatios } from "./stats.js";

export interface WaylandFigures {
  [name: string]: number | string;
}

export interface WaylandBenchOptions {
  runs?: number;
  log?: (line: string) => void;
  roundtrips?: number;
  frames?: number;
}

const SIZE = [640, 480] as const;
const WARMUP_ROUNDTRIPS = 2000;
// Ours warms up longer: V8 optimises the round trip's functions by count (--trace-opt: the last of
// them, flushTask and Outgoing.reserve, after 7,000-10,000 round trips); libwayland has no JIT.
const OUR_WARMUP_ROUNDTRIPS = 10_000;
// Our frame path is fully optimised only after ~3,500 frames (see JIT_WARMUP_FRAMES in ours.ts); the
// shm runs warm up for 500 and time 2,000 more, so part of their first run still runs warming code.
const WARMUP_FRAMES = 500;

interface Figures {
  perSecond: number;
  cpuMsPerFrame: number;
  threadCpuMsPerFrame: number;
}

const medianOf = (runs: Figures[], key: keyof Figures) => median(runs.map((r) => r[key]));

/** Where the round-trip clients and the compositor run: where the scheduler puts them, or pinned. */
interface Placement {
  name: string;
  /** Suffix of its keys in the returned figures. */
  key: string;
  /** taskset CPU lists; undefined: not pinned. */
  compositor?: string;
  client?: string;
}

const tasksetAvailable = spawnSync("taskset", ["-V"]).status === 0;

/**
 * The scheduler's choice, and where the machine allows it the two pinned cases. The rate depends
 * mostly on placement: on one CPU a round trip is two context switches; on two, each direction
 * wakes an idle CPU (on this VM about 5x slower), and the scheduler switches between the two.
 */
function placements(): Placement[] {
  const list: Placement[] = [{ name: "where the scheduler puts them", key: "" }];
  if (tasksetAvailable && availableParallelism() >= 2) {
    list.push({ name: "client and compositor pinned to one CPU", key: "OneCpu", compositor: "0", client: "0" });
    list.push({ name: "client and compositor pinned to two CPUs", key: "TwoCpus", compositor: "1", client: "0" });
  }
  return list;
}

/** Pins every thread of `pid` to `cpus` (a taskset list). */
function pin(pid: number, cpus: string): void {
  const r = spawnSync("taskset", ["-a", "-p", "-c", cpus, String(pid)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`taskset -a -p -c ${cpus} ${pid}: ${r.stderr.trim()}`);
}

const ROUNDTRIP_CHILD = fileURLToPath(new URL("./roundtrip-child.js", import.meta.url));

function ourRoundtrips(socket: string, n: number, cpus: string | undefined): Promise<Figures> {
  const prefix = cpus ? ["taskset", "-c", cpus] : [];
  return runJsonChildInBackground<{ perSecond: number; cpuMsPerFrame: number }>(
    ROUNDTRIP_CHILD,
    [socket, String(OUR_WARMUP_ROUNDTRIPS), String(n)],
    ROUNDTRIP_RESULT,
    prefix,
  ).then((f) => ({ ...f, threadCpuMsPerFrame: NaN }));
}

/** Our triangle through wl_shm: `warmup` frames, then `frames` timed; or only the pixels of frame `capture`. */
async function ourShm(gpu: Instance, socket: string, paced: boolean, frames: number, capture?: number) {
  const out = await openWaylandPresenter(gpu.createDevice(), { size: SIZE, socket, title: "bench", mode: "shm", paced }, true);
  const scene = Triangle.create(out);
  let captured: Promise<Pixels> | undefined;
  const drive = (limit: number) =>
    out.run(
      (frame) => {
        scene.update(frame);
        if (frame.index === capture) captured = frame.capture();
        frame.record((cmd) => scene.draw(cmd, frame));
      },
      { limit },
    );
  try {
    if (capture !== undefined) {
      await drive(capture + 1);
    } else {
      await drive(WARMUP_FRAMES);
      await drive(frames);
    }
    return { stats: out.stats, pixels: captured ? (await captured).data : undefined };
  } finally {
    scene.destroy();
    await out.close();
  }
}

function line(what: string, ours: Figures[], c: Figures[] | undefined, unit: { name: string; scale: number; digits: number }): string {
  const o = (k: keyof Figures) => medianOf(ours, k);
  let text = `${what}: ours ${fmt(o("perSecond"))}/s, ${fmt(o("cpuMsPerFrame") * unit.scale, unit.digits)} CPU ${unit.name}`;
  if (c) {
    const r = (k: keyof Figures) => medianOf(c, k);
    text += ` | C (libwayland) ${fmt(r("perSecond"))}/s, ${fmt(r("cpuMsPerFrame") * unit.scale, unit.digits)} CPU ${unit.name}`;
    const paired = (k: keyof Figures) => pairedRatios(ours.map((f) => f[k]), c.map((f) => f[k]));
    text += ` → rate ratio ${fmt(o("perSecond") / r("perSecond"), 3)}x${paired("perSecond")}, CPU ratio ${fmt(o("cpuMsPerFrame") / r("cpuMsPerFrame"), 2)}x${paired("cpuMsPerFrame")}`;
  }
  return text;
}

/**
 * Runs `use` against a headless Weston of its own. Weston 14 was seen to crash (SIGSEGV) after a
 * few unpaced shm clients in a row, whichever client it was, so every shm run gets a fresh one,
 * on both sides alike.
 */
async function withWeston<T>(use: (socket: string, pid: number) => Promise<T>): Promise<T> {
  const weston = await startWeston({ width: SIZE[0], height: SIZE[1] });
  try {
    return await use(weston.path, weston.process.pid!);
  } catch (error) {
    const state = weston.process.signalCode ?? weston.process.exitCode ?? "still running";
    throw new Error(`${(error as Error).message}\n(weston: ${state}; end of its log:\n${weston.log().slice(-1500)})`, { cause: error });
  } finally {
    await weston.stop();
  }
}

export async function benchWayland(options: WaylandBenchOptions = {}): Promise<WaylandFigures> {
  if (!westonAvailable) return { skipped: "weston or weston-screenshooter not installed" };
  const runs = options.runs ?? benchRuns();
  const log = options.log ?? (() => {});
  const n = options.roundtrips ?? 5000;
  const frames = options.frames ?? 2000;
  const figures: WaylandFigures = {};
  const build = buildC("wayland");
  if (!build.ok) log(`no ratios: ${build.reason}`);
  const cBinary = build.ok ? build.path : undefined;
  const client = (socket: string, mode: "roundtrip" | "shm", args: string[]) => runCInBackground(cBinary!, [mode, socket, ...args]);
  const dir = await mkdtemp(join(tmpdir(), "scanout-bench-wl-"));
  const gpu = await Instance.create({ validation: false });
  try {
    // 1. round trips: the same wl_display.sync requests, so there is no frame to compare; each
    // client in a process of its own, interleaved, for every placement
    for (const place of placements()) {
      const ours: Figures[] = [], c: CFigures[] = [];
      await withWeston(async (socket, pid) => {
        if (place.compositor) pin(pid, place.compositor);
        const cArgs = ["roundtrip", socket, "--warmup", String(WARMUP_ROUNDTRIPS), "--count", String(n)];
        const cRun = () => (place.client ? runCInBackground("taskset", ["-c", place.client, cBinary!, ...cArgs]) : runCInBackground(cBinary!, cArgs));
        for (let r = 0; r < runs; r++) {
          ours.push(await ourRoundtrips(socket, n, place.client));
          if (cBinary) c.push(await cRun());
        }
      });
      log(line(`round trips (${n} a run, ${place.name})`, ours, cBinary ? c : undefined, { name: "µs each", scale: 1000, digits: 1 }));
      const key = place.key;
      figures[`roundtripsPerSecond${key}`] = Math.round(medianOf(ours, "perSecond"));
      figures[`roundtripCpuUs${key}`] = Number((medianOf(ours, "cpuMsPerFrame") * 1000).toFixed(1));
      if (cBinary) {
        figures[`cRoundtripsPerSecond${key}`] = Math.round(medianOf(c, "perSecond"));
        figures[`cRoundtripCpuUs${key}`] = Number((medianOf(c, "cpuMsPerFrame") * 1000).toFixed(1));
      }
    }

    // 2. unpaced shm presentation, after the same-frame check
    const sceneFile = join(dir, "triangle.bin");
    await writeSceneFile(sceneFile, { kind: "triangle" }, SIZE);
    let same = false;
    if (cBinary) {
      const cPath = join(dir, "c.rgba");
      const oursPixels = (await withWeston((socket) => ourShm(gpu, socket, false, 0, CAPTURE_FRAME))).pixels!;
      const capture = ["--warmup", "0", "--frames", String(CAPTURE_FRAME + 1), "--capture", cPath, "--capture-frame", String(CAPTURE_FRAME)];
      await withWeston((socket) => client(socket, "shm", [sceneFile, ...capture]));
      const check = compareFrames(oursPixels, await readFile(cPath));
      same = check.same;
      figures.shmSameFrame = describeComparison(check);
      log(`shm ${describeComparison(check)}`);
    }
    const shmOurs: Figures[] = [], shmC: CFigures[] = [];
    let copyMs = 0, buffers = 0;
    for (let r = 0; r < runs; r++) {
      const { stats } = await withWeston((socket) => ourShm(gpu, socket, false, frames));
      shmOurs.push({ perSecond: stats.fps, cpuMsPerFrame: stats.cpuMsPerFrame, threadCpuMsPerFrame: stats.mainThreadCpuMsPerFrame });
      copyMs = Number(stats.extra.copyMsPerFrame);
      buffers = Number(stats.extra.shmBuffers);
      if (cBinary) shmC.push(await withWeston((socket) => client(socket, "shm", [sceneFile, "--warmup", String(WARMUP_FRAMES), "--frames", String(frames)])));
    }
    log(line(`shm ${SIZE[0]}x${SIZE[1]} unpaced (${frames} frames a run)`, shmOurs, same ? shmC : undefined, { name: "ms/frame", scale: 1, digits: 3 }));
    if (cBinary && !same) log("  no ratio: the two clients did not present the same frame");
    log(`  JS thread ${fmt(medianOf(shmOurs, "threadCpuMsPerFrame"), 3)} ms/frame${same ? ` | C app thread ${fmt(medianOf(shmC, "threadCpuMsPerFrame"), 3)} ms/frame` : ""}; ours: CPU copy ${fmt(copyMs, 3)} ms/frame, ${buffers} shm buffers`);
    figures.shm640x480UnpacedFps = Number(medianOf(shmOurs, "perSecond").toFixed(1));
    figures.shm640x480UnpacedCpuMsPerFrame = Number(medianOf(shmOurs, "cpuMsPerFrame").toFixed(3));
    if (same) {
      figures.cShm640x480UnpacedFps = Number(medianOf(shmC, "perSecond").toFixed(1));
      figures.cShm640x480UnpacedCpuMsPerFrame = Number(medianOf(shmC, "cpuMsPerFrame").toFixed(3));
    }

    // 3. paced by frame callbacks (ours only: the compositor's refresh decides the rate)
    const paced = (await withWeston((socket) => ourShm(gpu, socket, true, 120))).stats;
    figures.shm640x480PacedFps = Number(paced.fps.toFixed(1));
    figures.shm640x480PacedCpuMsPerFrame = Number(paced.cpuMsPerFrame.toFixed(3));
    if (paced.extra.presentLatencyMs !== undefined) figures.shm640x480PacedPresentLatencyMs = paced.extra.presentLatencyMs;
    if (paced.extra.callbackToCommitMs !== undefined) figures.shm640x480PacedCallbackToCommitMs = paced.extra.callbackToCommitMs;
    log(
      `shm ${SIZE[0]}x${SIZE[1]} paced by frame callbacks (ours only): ${fmt(paced.fps)} fps, ${fmt(paced.cpuMsPerFrame, 3)} CPU ms/frame, ` +
        `present latency ${paced.extra.presentLatencyMs ?? "n/a"} ms, callback to commit ${paced.extra.callbackToCommitMs ?? "n/a"} ms`,
    );
  } finally {
    gpu.destroy();
    await rm(dir, { recursive: true, force: true });
  }
  return figures;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  benchWayland({ log: (l) => console.log(l) }).then(
    (f) => console.log(JSON.stringify(f, null, 2)),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
