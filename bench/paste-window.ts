// The window half of bench paste (bench/paste.ts): a window of ours on forky's Sway 1.12 (headless
// output at its 60 Hz, wl_shm, each frame paced by the compositor's frame callback), the 10 MB text
// copied there by wl-copy and pasted through presenter.window.clipboard, both read ways interleaved.
// Skipped with the reason where the forky root or its wl-clipboard is missing.
import { copyFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import type { Instance, Presenter } from "../src/index.js";
import { openWaylandPresenter } from "../src/present/wayland-open.js";
import { Triangle } from "../src/scenes/index.js";
import { forkyCompositorSkipReason, forkyRoot, startForky } from "../scripts/testbed/forky.js";
import { describeRun, firstUse, loadNow, newStamps, PASTE_BYTES, pasteFigures, READ_WAYS, stamp, verdict, type PasteRun, type ReadWay } from "./paste.js";

const MIME = "text/plain;charset=utf-8";

/** Why the window half cannot run here, or undefined. */
function skipReason(): string | undefined {
  const why = forkyCompositorSkipReason("sway");
  if (why) return why;
  if (!existsSync(join(forkyRoot!, "usr/bin/wl-copy"))) return "the forky root lacks wl-clipboard (wl-copy)";
  return undefined;
}

/** A window running the triangle, stamping every frame, until stop(); `selections` counts clipboard changes it saw. */
function frameLoop(out: Presenter) {
  const scene = Triangle.create(out);
  const stamps = newStamps();
  let stop = false;
  let selections = 0;
  const done = out.run((frame) => {
    stamp(stamps);
    for (const ev of out.pollInput()) if (ev.type === "selection-changed" && ev.selection === "clipboard") selections++;
    scene.update(frame);
    frame.record((cmd) => scene.draw(cmd, frame));
    return !stop;
  }).finally(() => {
    stamps.stop();
    scene.destroy();
  });
  return { stamps, done, selections: () => selections, stop: () => void (stop = true) };
}

async function until(what: string, test: () => boolean, ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (!test()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function benchPasteWindow(gpu: Instance, runs: number, file: string, log: (line: string) => void): Promise<void> {
  const why = skipReason();
  if (why) return log(`window on Sway 1.12: skipped: ${why}`);
  const bed = await startForky("sway", { width: 640, height: 480 });
  try {
    copyFileSync(file, join(bed.runtimeDir, "paste.txt"));
    const out = await openWaylandPresenter(gpu.createDevice(), { size: [320, 240], socket: bed.path, title: "paste", appId: "dev.scanout.paste", mode: "shm" }, true);
    const loop = frameLoop(out);
    try {
      const clip = out.window!.clipboard;
      await until("frames", () => loop.stamps.wall.length > 10, 15_000);
      const seen = loop.selections();
      await bed.exec(["sh", "-c", `wl-copy -t '${MIME}' < paste.txt >/dev/null 2>>wl-copy.log`], { timeoutMs: 20_000 });
      await until("the selection (keyboard focus on our window)", () => loop.selections() > seen && clip.types.includes(MIME), 15_000);
      log(`window on Sway 1.12 (wl_shm, fifo by frame callbacks), wl-copy -> presenter.window.clipboard; load ${loadNow()}`);
      const results = new Map<ReadWay, PasteRun[]>(READ_WAYS.map((w) => [w, []]));
      for (let i = 0; i < runs; i++) {
        for (const way of READ_WAYS) {
          await new Promise((r) => setTimeout(r, 1000));
          const start = performance.now();
          const text = way === "as it arrives"
            ? await clip.readText({ timeoutMs: 30_000 })
            : Buffer.from((await clip.read(MIME, { timeoutMs: 30_000 })).data).toString("utf8");
          const end = performance.now();
          await new Promise((r) => setTimeout(r, 300));
          const r = { ...pasteFigures(loop.stamps, start, end), firstUseMs: firstUse(text) };
          if (Buffer.byteLength(text) !== PASTE_BYTES - 16) throw new Error(`paste: got ${Buffer.byteLength(text)} bytes of text`);
          results.get(way)!.push(r);
          log(`  run ${i + 1}, ${way}: ${describeRun(r)}`);
        }
      }
      verdict(results, log);
    } finally {
      loop.stop();
      await loop.done.catch(() => {});
      await out.close();
    }
  } finally {
    await bed.stop();
  }
}
