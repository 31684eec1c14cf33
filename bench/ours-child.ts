// Runs scanout's side of one offscreen comparison in a process of its own, as the C reference
// runs in its own: peak RSS then belongs to that one scene, and no run inherits another's heap.
// The process starts with NODE_FLAGS_FOR_FRAME_LOOPS, as the README tells frame-loop apps to and
// scanout's own programs do: with node's defaults, V8's memory reducer ran its compacting
// collections inside timed runs (the gc section shows both), and the heap figure then counted the
// old garbage they freed (the torus at 1920x1080: up to 1,300 bytes a frame instead of ~500).
//   node dist/bench/ours-child.js '{"run": OffscreenConfig}'                  prints OursFigures (JSON)
//   node dist/bench/ours-child.js '{"capture": {scene, size, index, path}}'  writes RGBA to path
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { Instance, NODE_FLAGS_FOR_FRAME_LOOPS } from "../src/index.js";
import { captureOurs, runOurs, type OursFigures } from "./ours.js";
import { runJsonChild } from "./child-process.js";
import type { OffscreenConfig, SceneSpec } from "./scene-spec.js";

interface CaptureRequest {
  scene: SceneSpec;
  size: [number, number];
  index: number;
  path: string;
}
type Request = { run: OffscreenConfig } | { capture: CaptureRequest };

const RESULT = "ours-child result: ";

function child<T>(request: Request): T {
  return runJsonChild<T>(fileURLToPath(import.meta.url), [JSON.stringify(request)], RESULT, NODE_FLAGS_FOR_FRAME_LOOPS);
}

export function runOursInChild(config: OffscreenConfig): OursFigures {
  return child<OursFigures>({ run: config });
}

/** Writes frame `index` of a fresh run as raw RGBA to `path`. */
export function captureOursInChild(scene: SceneSpec, size: readonly [number, number], index: number, path: string): void {
  child({ capture: { scene, size: [size[0], size[1]], index, path } });
}

async function main(request: Request): Promise<string> {
  const gpu = await Instance.create({ validation: false });
  try {
    if ("run" in request) return JSON.stringify(await runOurs(gpu, request.run));
    const { scene, size, index, path } = request.capture;
    const pixels = await captureOurs(gpu, scene, size, index);
    await writeFile(path, pixels.data);
    return JSON.stringify({ written: path });
  } finally {
    gpu.destroy();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = await main(JSON.parse(process.argv[2]!) as Request);
  process.stdout.write(`${RESULT}${out}\n`);
}
