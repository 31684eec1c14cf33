// Input latency on Wayland: from an input event injected into Sway 1.7 headless (a virtual pointer
// motion or a virtual key, sent by a second client in this process, so both ends share one clock)
// to the moment the first frame that read it (pollInput) is recorded and handed back for
// submission. Median and 99th percentile over N events (default 1000: half pointer motion, half
// keys), one at a time, each sent at a random point of the frame interval.
// Standalone: `npx tsc -p tsconfig.json && node dist/bench/input-latency.js [N]`.
import { Instance } from "../src/index.js";
import { openWaylandPresenter } from "../src/present/wayland-open.js";
import { Triangle } from "../src/scenes/index.js";
import { startSway, swaySkipReason } from "../scripts/testbed/sway.js";
import { Injector } from "../test/input/wayland-inject.js";
import { fmt, median } from "./stats.js";

/** The figures of one run. */
export interface InputLatency {
  events: number;
  medianMs: number;
  p99Ms: number;
  maxMs: number;
  /** Frames per second of the loop meanwhile (the compositor's frame callbacks pace it). */
  fps: number;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** Runs the measurement; undefined (with the reason printed) when Sway is not available. */
export async function measureInputLatency(n = 1000): Promise<InputLatency | undefined> {
  if (swaySkipReason) {
    console.log(`input latency: skipped (${swaySkipReason})`);
    return undefined;
  }
  const sway = await startSway({ width: 640, height: 480 });
  const gpu = await Instance.create();
  const out = await openWaylandPresenter(gpu.createDevice(), { size: [320, 240], socket: sway.path, title: "latency", appId: "dev.scanout.latency" }, true);
  const inj = await Injector.connect(sway.path);
  const scene = Triangle.create(out);
  const latencies: number[] = [];
  /** Send time of the event in flight, and what resolves when a frame read it. */
  let sentAt = 0;
  let seen: (() => void) | undefined;
  let readAt = 0;
  let stop = false;
  const loop = (async () => {
    for await (const frame of out.frames()) {
      let got = false;
      for (const ev of out.pollInput()) if (ev.type === "pointer-motion" || ev.type === "key-down") got = true;
      scene.update(frame);
      frame.record((cmd) => scene.draw(cmd, frame));
      if (got && seen) {
        readAt = performance.now(); // recorded: the next step of the loop submits it
        const s = seen;
        seen = undefined;
        s();
      }
      if (stop) break;
    }
  })();
  try {
    await inj.createPointer();
    await inj.createKeyboard("us");
    await inj.moveTo(400, 300, 640, 480); // over the centred window
    await new Promise((r) => setTimeout(r, 300));
    out.pollInput();
    const start = performance.now();
    const framesBefore = out.stats.frames;
    for (let i = 0; i < n; i++) {
      await new Promise((r) => setTimeout(r, Math.random() * 17)); // anywhere in the frame interval
      const wait = new Promise<void>((r) => (seen = r));
      sentAt = performance.now();
      if (i % 2 === 0) {
        inj.pointerMotion(i % 4 === 0 ? 1 : -1, 0);
      } else {
        inj.keyNow(30, true);
        inj.keyNow(30, false);
      }
      await inj.connection.flush();
      await wait;
      latencies.push(readAt - sentAt);
    }
    const seconds = (performance.now() - start) / 1000;
    const fps = (out.stats.frames - framesBefore) / seconds;
    return { events: n, medianMs: median(latencies), p99Ms: percentile(latencies, 99), maxMs: Math.max(...latencies), fps };
  } finally {
    stop = true;
    await loop.catch(() => {});
    scene.destroy();
    await inj.close();
    await out.close();
    gpu.destroy();
    await sway.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 1000);
  const r = await measureInputLatency(n);
  if (r) {
    console.log(`input latency (Sway 1.7 headless, wl_shm, ${r.events} events: injected -> first frame recorded with it)`);
    console.log(`  median ${fmt(r.medianMs)} ms, p99 ${fmt(r.p99Ms)} ms, max ${fmt(r.maxMs)} ms, loop at ${fmt(r.fps)} frames/s`);
  }
}
