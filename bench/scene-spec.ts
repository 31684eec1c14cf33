// What one offscreen benchmark configuration draws, described once for both sides: scanout (the
// demo scenes through the public API) and the C reference (through the scene file).
import { Format } from "../src/index.js";

/** Frame time step both sides use (frame N is drawn at N * step seconds). */
export const BENCH_TIMESTEP = 1 / 60;
/** The headless presenter's target format, which the C reference renders into too. */
export const TARGET_FORMAT = Format.VK_FORMAT_B8G8R8A8_UNORM;

export interface MeshSpec {
  obj: string;
  texture: string;
  anisotropy: boolean;
  /** SPIR-V file name in shaders/ (default mesh.frag.spv). */
  fragment?: string;
  clear: readonly [number, number, number, number];
  lighting: number;
}

export type SceneSpec = { kind: "triangle" } | { kind: "mesh"; mesh: MeshSpec };

export interface OffscreenConfig {
  /** Label in the report, e.g. "room". */
  name: string;
  scene: SceneSpec;
  size: readonly [number, number];
  /**
   * Frames timed per run, after `warmup` untimed ones (pipelines, framebuffers, caches). Both
   * sides run the same counts; ours runs JIT_WARMUP_FRAMES (bench/ours.ts) at two small sizes first,
   * because V8 optimises the frame path after a number of frames, not after a time.
   */
  frames: number;
  warmup: number;
  /**
   * Ours' FrameOptions.gpuTimeEvery: 0 unless given, because the C reference reads no timestamps
   * (on lavapipe each timestamp flushes the rasterizer: it is work the C side does not do);
   * "default" runs with the presenter's own choice (every frame on a GPU, 1 in 16 on lavapipe).
   */
  gpuTimeEvery?: number | "default";
}

export const configLabel = (c: OffscreenConfig): string => `${c.name} ${c.size[0]}x${c.size[1]}`;
