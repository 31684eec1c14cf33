// Shared by the VM presentation tests (test/wayland/*.vm.test.ts): the demo scenes rendered
// headless as the reference, the same frames presented, screenshots compared with the reference,
// and this process's descriptors listed so a leak is named.
import { readdirSync, readlinkSync } from "node:fs";
import type { PNG } from "pngjs";
import { BackendUnavailableError, createHeadlessPresenter, type Instance, type Pixels, type Presenter } from "../../src/index.js";
import { openWaylandPresenter } from "../../src/present/wayland-open.js";
import { loadDemoMesh, Triangle } from "../../src/scenes/index.js";

export type SceneName = "triangle" | "mesh";
/** Frame times are a fixed step everywhere, so frame N looks the same on every presenter. */
export const STEP = 1 / 60;

/** This process's open descriptors and what they point at. */
export function openFds(): Map<string, string> {
  const fds = new Map<string, string>();
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      fds.set(fd, readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      /* the directory's own fd, closed by now */
    }
  }
  return fds;
}

/** Descriptors open now that were not in `before`, as "fd -> target". */
export function fdsLeakedSince(before: Map<string, string>): string[] {
  return [...openFds()].filter(([fd]) => !before.has(fd)).map(([fd, target]) => `${fd} -> ${target}`);
}

/** Pixels whose largest channel difference exceeds `tolerance`, and the largest difference. */
export function compare(shot: PNG, ref: Pixels, tolerance = 3): { differing: number; maxDiff: number; sameSize: boolean } {
  if (shot.width !== ref.width || shot.height !== ref.height) return { differing: ref.width * ref.height, maxDiff: 255, sameSize: false };
  let differing = 0;
  let maxDiff = 0;
  for (let i = 0; i < ref.data.length; i += 4) {
    const d = Math.max(Math.abs(shot.data[i]! - ref.data[i]!), Math.abs(shot.data[i + 1]! - ref.data[i + 1]!), Math.abs(shot.data[i + 2]! - ref.data[i + 2]!));
    if (d > tolerance) differing++;
    if (d > maxDiff) maxDiff = d;
  }
  return { differing, maxDiff, sameSize: true };
}

/** Pixels that differ from the top-left one: a blank frame has none, a real scene many. */
export function coverage(p: Pixels): number {
  let n = 0;
  for (let i = 0; i < p.data.length; i += 4) if (p.data[i] !== p.data[0] || p.data[i + 1] !== p.data[1] || p.data[i + 2] !== p.data[2]) n++;
  return n;
}

/**
 * Runs `frames` frames of a scene on a presenter; returns the last frame's pixels when asked to
 * capture it. Whatever the loop throws propagates, after the scene is freed.
 */
export async function runScene(out: Presenter, scene: SceneName, frames: number, options: { capture?: boolean; onFrame?: (index: number) => void } = {}): Promise<Pixels | undefined> {
  const s = scene === "triangle" ? Triangle.create(out) : await loadDemoMesh(out);
  let last: Promise<Pixels> | undefined;
  try {
    for await (const frame of out.frames({ limit: frames, fixedTimestep: STEP })) {
      s.update(frame);
      frame.record((cmd) => s.draw(cmd, frame));
      if (options.capture && frame.index === frames - 1) last = frame.capture();
      options.onFrame?.(frame.index);
    }
  } finally {
    s.destroy();
  }
  return last && (await last);
}

/** The reference: the same frames rendered headless at `size`, the last one read back. */
export async function renderHeadless(gpu: Instance, scene: SceneName, size: readonly [number, number], frames: number): Promise<Pixels> {
  const h = createHeadlessPresenter(gpu.createDevice(), { size }, true);
  try {
    return (await runScene(h, scene, frames, { capture: true }))!;
  } finally {
    await h.close();
  }
}

/**
 * Undefined when the compositor at `socket` imports our dmabufs; else why not (the unavailable
 * error's message: Weston GL on virtio-gpu lists formats it then fails to import, for instance).
 */
export async function dmabufRejection(gpu: Instance, socket: string): Promise<string | undefined> {
  const device = gpu.createDevice();
  try {
    const out = await openWaylandPresenter(device, { size: [640, 480], socket, mode: "dmabuf", sync: "cpu-wait" });
    await out.close();
    return undefined;
  } catch (e) {
    if (e instanceof BackendUnavailableError) return e.message;
    throw e;
  } finally {
    device.destroy();
  }
}
