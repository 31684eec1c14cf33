// Does a large paste hold up frames? A frame loop (triangle, headless, capped at 120 frames/s like
// a window at a high refresh) runs while 10 MB arrive through the clipboard's own read path
// (pipe-io.ts: a non-blocking pipe, another process writing into it as wl-copy does). Reported per
// run: the median frame interval over the whole run, and the longest interval while the paste was
// in flight; the target is that the longest stays under twice the median.
// Section `paste` of bench.ts; standalone: `node dist/bench/paste.js`.
import { spawn } from "node:child_process";
import { Instance } from "../src/index.js";
import { createHeadlessPresenter } from "../src/present/headless.js";
import { Triangle } from "../src/scenes/index.js";
import { close as closeFd } from "../src/sys/libc.js";
import { readPipe, transferPipe } from "../src/wayland/pipe-io.js";
import { fmt, median } from "./stats.js";

const BYTES = 10 << 20;

/** One run: frame timestamps, and when the paste started and ended. */
async function run(gpu: Instance): Promise<{ median: number; worst: number; calm: number; pasteMs: number; frames: number }> {
  const out = createHeadlessPresenter(gpu.createDevice(), { size: [640, 480], maxFps: 120 }, true);
  const scene = Triangle.create(out);
  const stamps: number[] = [];
  let pasteStart = Infinity;
  let pasteEnd = Infinity;
  let done = false;
  const loop = out.run((frame) => {
    stamps.push(performance.now());
    scene.update(frame);
    frame.record((cmd) => scene.draw(cmd, frame));
    return !done;
  });
  // the other client: a process that writes 10 MB into the pipe when told, as wl-copy does; started
  // before the measured part, since forking this process stalls the event loop by itself
  const { readFd, writeFd } = transferPipe();
  const writer = spawn("sh", ["-c", `read go && exec head -c ${BYTES} /dev/zero`], { stdio: ["pipe", writeFd, "inherit"] });
  closeFd(writeFd);
  await new Promise((r) => setTimeout(r, 700));
  const reading = readPipe(readFd, 64 << 20, 30_000);
  writer.stdin!.write("go\n");
  pasteStart = performance.now();
  const got = await reading;
  pasteEnd = performance.now();
  await new Promise((r) => writer.once("exit", r));
  if (got.data.length !== BYTES) throw new Error(`paste: got ${got.data.length} of ${BYTES} bytes`);
  await new Promise((r) => setTimeout(r, 300));
  done = true;
  await loop;
  scene.destroy();
  await out.close();
  const gaps = stamps.slice(1).map((t, i) => [t, t - stamps[i]!] as const);
  const during = gaps.filter(([t]) => t >= pasteStart && t <= pasteEnd + 20).map((g) => g[1]);
  const before = gaps.filter(([t]) => t < pasteStart).map((g) => g[1]);
  return { median: median(gaps.map((g) => g[1])), worst: Math.max(0, ...during), calm: Math.max(0, ...before), pasteMs: pasteEnd - pasteStart, frames: during.length };
}

/** Runs `runs` times and prints each run and the verdict. */
export async function benchPaste(runs: number, log: (line: string) => void): Promise<void> {
  const gpu = await Instance.create();
  try {
    const ratios: number[] = [];
    for (let i = 0; i < runs; i++) {
      const r = await run(gpu);
      ratios.push(r.worst / r.median);
      log(`run ${i + 1}: 10 MB pasted in ${fmt(r.pasteMs, 0)} ms; frame interval median ${fmt(r.median, 2)} ms, longest during the paste ${fmt(r.worst, 2)} ms (${r.frames} frames during it), longest in the 0.7 s before ${fmt(r.calm, 2)} ms`);
    }
    log(`longest / median: ${ratios.map((x) => fmt(x, 2)).join(", ")} (median ${fmt(median(ratios), 2)}; target < 2)`);
  } finally {
    gpu.destroy();
  }
}

if (process.argv[1]?.endsWith("/paste.js")) await benchPaste(Number(process.env.RUNS ?? 5) || 5, (l) => console.log(l));
