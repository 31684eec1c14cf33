// kms-flips: page flipping with dumb buffers through atomic KMS, no Vulkan. A benchmark (flips per
// second, CPU per frame) and the child program the VM tests signal mid-run to check restore.
// Usage: node dist/bench/kms-flips.js [--frames N (0: until a signal)] [--mode WxH[@Hz]]
//        [--connector NAME] [--device PATH] [--throw-after N]
// Prints JSON lines on stdout: {"event":"ready",...} after the modeset, {"event":"done",...} at the end.
import {
  addModeset, AtomicRequest, DrmDevice, DumbBuffer, chooseOutput, fullScreenPlane, guardState, modeRefresh, takeVt,
  type FlipEvent,
} from "../src/drm/index.js";

export interface FlipRunOptions {
  device?: string;
  connector?: string;
  mode?: string;
  /** Frames to present; 0 runs until a signal. */
  frames: number;
  /** Throw an uncaught error (outside this function's promise) after this many frames (restore test). */
  throwAfter?: number;
  /** Called once the first frame is on screen. */
  onReady?(info: { crtc: number; plane: number; fbs: number[]; mode: string; refresh: number }): void;
}

export interface FlipRunResult {
  frames: number;
  seconds: number;
  flipsPerSecond: number;
  cpuMsPerFrame: number;
  refresh: number;
  events: FlipEvent[];
}

/** Modesets with a dumb buffer, then flips between two dumb buffers paced by flip events. */
export async function runDumbFlips(opts: FlipRunOptions): Promise<FlipRunResult> {
  const dev = DrmDevice.open(opts.device);
  const vt = takeVt(dev);
  const guard = guardState(dev); // restore on close, exit, signals, uncaught errors
  const bufs: DumbBuffer[] = [];
  try {
    const out = chooseOutput(dev, { connector: opts.connector, mode: opts.mode });
    const { hdisplay: w, vdisplay: h } = out.mode;
    bufs.push(DumbBuffer.create(dev, w, h), DumbBuffer.create(dev, w, h));
    bufs.forEach((b, i) => b.fillPattern(i));
    const modeBlob = dev.createModeBlob(out.mode);
    const first = addModeset(new AtomicRequest(dev), out, modeBlob, fullScreenPlane(out, bufs[0].fb))
      .commit({ allowModeset: true, pageFlipEvent: true });
    const events: FlipEvent[] = [await first.flip];
    dev.destroyBlob(modeBlob); // the CRTC state holds its own reference
    const refresh = modeRefresh(out.mode);
    opts.onReady?.({ crtc: out.crtc, plane: out.plane.id, fbs: bufs.map((b) => b.fb), mode: out.mode.name, refresh });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let n = 0;
    while (opts.frames === 0 || n < opts.frames) {
      n++;
      if (opts.throwAfter === n)
        // thrown outside any promise chain: a genuinely uncaught error, as an app bug would be
        setImmediate(() => {
          throw new Error(`kms-flips: deliberate uncaught error after ${n} frames`);
        });
      // the back buffer is neither on screen nor queued: the previous flip completed before we got here
      const back = bufs[n % 2];
      back.fillPattern(n);
      const c = new AtomicRequest(dev).plane(out.plane.id, { FB_ID: back.fb }).commit({ nonblock: true, pageFlipEvent: true, preflight: false });
      events.push(await c.flip);
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return {
      frames: n, seconds, flipsPerSecond: n / seconds, cpuMsPerFrame: (cpu.user + cpu.system) / 1000 / Math.max(1, n),
      refresh, events,
    };
  } finally {
    guard.restore();
    vt.release();
    for (const b of bufs) b.destroy();
    dev.close();
  }
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const args = process.argv.slice(2);
  const arg = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const throwAfter = arg("--throw-after");
  runDumbFlips({
    device: arg("--device"), connector: arg("--connector"), mode: arg("--mode"),
    frames: Number(arg("--frames") ?? 120),
    throwAfter: throwAfter === undefined ? undefined : Number(throwAfter),
    onReady: (info) => console.log(JSON.stringify({ event: "ready", ...info })),
  }).then(
    (r) => {
      const seq = r.events.map((e) => e.sequence);
      console.log(JSON.stringify({
        event: "done", frames: r.frames, seconds: r.seconds, flipsPerSecond: r.flipsPerSecond,
        cpuMsPerFrame: r.cpuMsPerFrame, refresh: r.refresh, firstSequence: seq[0], lastSequence: seq[seq.length - 1],
      }));
    },
    (e) => {
      console.error(`kms-flips: ${e instanceof Error ? e.message : e}`);
      process.exitCode = 1;
    },
  );
}
