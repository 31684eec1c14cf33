// Present modes on every display path that works here: for fifo, mailbox and immediate, frames
// rendered per second, frames presented per second (committed to the compositor / flipped), frames
// shown per second (reported on screen by presentation feedback or flip events), and the
// latency from a frame's hand-out (where an app reads its input) to the moment it was on screen
// (wp_presentation feedback, or the page flip's timestamp), median and 99th percentile. The
// triangle at 640x480, SECONDS (default 3) per mode, one run each.
// Paths: headless (no display: presented stays 0), wayland-shm on a private headless Weston (pixman),
// wayland-dmabuf on a headless Weston GL where the kernel has udmabuf, kms on /dev/dri/card0 when
// there is one (the last two in the VM: `bash test/vm/run-in-vm.sh 'node dist/bench/present-modes.js kms wayland-dmabuf'`).
// Standalone: `npx tsc -p tsconfig.json && node dist/bench/present-modes.js [headless] [wayland-shm] [wayland-dmabuf] [kms]`.
import { existsSync } from "node:fs";
import { createHeadlessPresenter, FrameTracer, Instance, type Presenter } from "../src/index.js";
import { openWaylandPresenter } from "../src/present/wayland-open.js";
import { PRESENT_MODES, type PresentMode } from "../src/present/pacing.js";
import { startWeston, westonAvailable } from "../scripts/testbed/weston.js";
import { Triangle } from "./scenes.js";
import { fmt, median } from "./stats.js";

const SIZE = [640, 480] as const;

/** One row of the table. */
export interface ModeFigures {
  path: string;
  asked: PresentMode;
  mode: PresentMode;
  renderedPerSecond: number;
  presentedPerSecond: number;
  /** Frames the compositor or display reported on screen per second (presentation feedback, flips). */
  shownPerSecond: number;
  /** Hand-out to on-screen, ms (NaN when nothing reported a presentation time). */
  latencyMedianMs: number;
  latencyP99Ms: number;
  reason?: string;
}

function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** Runs the triangle on `out` for `seconds`, then reads the figures. */
async function measure(path: string, asked: PresentMode, out: Presenter, seconds: number): Promise<ModeFigures> {
  const scene = Triangle.create(out);
  const tracer = new FrameTracer(200_000);
  const handedOut = new Map<number, number>();
  let presentedBefore = 0;
  try {
    // warm-up: the first frames pay for pipeline creation and the first configure
    for await (const frame of out.frames({ limit: 10 })) frame.record((cmd) => scene.draw(cmd, frame));
    presentedBefore = out.stats.pacing?.presented ?? 0;
    const until = performance.now() + seconds * 1000;
    for await (const frame of out.frames({ tracer })) {
      handedOut.set(frame.index, performance.now());
      scene.update(frame);
      frame.record((cmd) => scene.draw(cmd, frame));
      if (performance.now() > until) break;
    }
    await new Promise((r) => setTimeout(r, 200)); // the last presentation reports
  } finally {
    scene.destroy();
  }
  const s = out.stats;
  const p = s.pacing;
  const onScreen = tracer.toJSON().traceEvents.filter((e) => (e.name === "presented" || e.name === "flip") && e.ph === "i");
  const shown = onScreen
    .map((e) => e.ts! / 1000 - handedOut.get(Number(e.args!.frame))!)
    .filter((ms) => Number.isFinite(ms) && ms >= 0);
  return {
    path,
    asked,
    mode: p?.mode ?? asked,
    renderedPerSecond: s.fps,
    presentedPerSecond: ((p?.presented ?? 0) - presentedBefore) / s.seconds,
    shownPerSecond: onScreen.length / s.seconds,
    latencyMedianMs: median(shown),
    latencyP99Ms: percentile(shown, 99),
    ...(p?.reason ? { reason: p.reason } : {}),
  };
}

type Opener = (gpu: Instance, mode: PresentMode) => Promise<Presenter>;

/** The paths that can run here, each with a way to open it for a mode and a clean-up. */
async function paths(only: string[]): Promise<{ name: string; open: Opener; stop(): Promise<void> }[]> {
  const want = (name: string) => !only.length || only.includes(name);
  const list: { name: string; open: Opener; stop(): Promise<void> }[] = [];
  if (want("headless")) list.push({ name: "headless", open: async (gpu, presentMode) => createHeadlessPresenter(gpu.createDevice(), { size: SIZE, presentMode }, true), stop: async () => {} });
  if (want("wayland-shm") && westonAvailable) {
    const weston = await startWeston({ width: SIZE[0], height: SIZE[1] });
    list.push({
      name: "wayland-shm (Weston)",
      open: (gpu, presentMode) => openWaylandPresenter(gpu.createDevice(), { size: SIZE, socket: weston.path, title: "bench", mode: "shm", presentMode }, true),
      stop: () => weston.stop(),
    });
  }
  if (want("wayland-dmabuf") && westonAvailable && existsSync("/dev/udmabuf")) {
    const weston = await startWeston({ width: SIZE[0], height: SIZE[1], renderer: "gl" });
    list.push({
      name: "wayland-dmabuf (Weston GL)",
      open: (gpu, presentMode) => openWaylandPresenter(gpu.createDevice(), { size: SIZE, socket: weston.path, title: "bench", mode: "dmabuf", presentMode }, true),
      stop: () => weston.stop(),
    });
  }
  if (want("kms") && existsSync("/dev/dri/card0")) {
    const { openKmsPresenter } = await import("../src/present/kms.js");
    list.push({ name: "kms", open: (gpu, presentMode) => openKmsPresenter(gpu.createDevice(), { size: SIZE, presentMode }, true), stop: async () => {} });
  }
  return list;
}

/** Runs every mode on every path that works here and prints one table. */
export async function benchPresentModes(options: { seconds?: number; only?: string[]; log?: (line: string) => void } = {}): Promise<ModeFigures[]> {
  const log = options.log ?? ((line: string) => console.log(line));
  const seconds = options.seconds ?? Number(process.env.SECONDS ?? 3);
  const gpu = await Instance.create();
  const rows: ModeFigures[] = [];
  try {
    for (const path of await paths(options.only ?? [])) {
      try {
        for (const mode of PRESENT_MODES) {
          const out = await path.open(gpu, mode);
          try {
            rows.push(await measure(path.name, mode, out, seconds));
          } finally {
            await out.close();
          }
        }
      } finally {
        await path.stop();
      }
    }
  } finally {
    gpu.destroy();
  }
  log(`| path | mode asked | mode in effect | rendered/s | presented/s | shown/s | hand-out to on screen, median ms | p99 ms |`);
  log(`|---|---|---|---:|---:|---:|---:|---:|`);
  for (const r of rows)
    log(`| ${r.path} | ${r.asked} | ${r.mode} | ${fmt(r.renderedPerSecond)} | ${fmt(r.presentedPerSecond)} | ${fmt(r.shownPerSecond)} | ${fmt(r.latencyMedianMs)} | ${fmt(r.latencyP99Ms)} |`);
  log("presented: committed to the compositor or queued as a page flip; shown: reported on screen (wp_presentation feedback, flip events).");
  for (const r of rows) if (r.reason) log(`- ${r.path}, ${r.asked}: ${r.reason}`);
  return rows;
}

if (process.argv[1]?.endsWith("present-modes.js")) {
  await benchPresentModes({ only: process.argv.slice(2).filter((a) => !a.startsWith("-")) });
}
