// scanout's side of an offscreen comparison: the demo scene on a headless presenter, driven the
// way an application drives it (update, record, per frame), timed after a JIT warm-up at a small
// size and the configuration's own warm-up run.
import { createHeadlessPresenter, runScene, type Instance, type Pixels, type Presenter, type Scene } from "../src/index.js";
import { measureAllocation } from "./heap.js";
import { TexturedMesh, Triangle } from "./scenes.js";
import { BENCH_TIMESTEP, TARGET_FORMAT, type OffscreenConfig, type SceneSpec } from "./scene-spec.js";

export interface OursFigures {
  fps: number;
  cpuMsPerFrame: number;
  /** CPU of the JS thread alone (the C reference's app thread is its counterpart). */
  threadCpuMsPerFrame: number;
  /**
   * JS heap bytes allocated per frame over the timed run, after the JIT warm-up. It includes the
   * event-loop turn the loop takes every 8 ms (an Immediate, ~340 bytes): a share that grows as
   * the frame rate falls. The gc section measures the steady state over 10,000 frames.
   */
  heapBytesPerFrame: number;
  /** Peak resident set of the whole process so far (meaningful in a process of its own). */
  maxRssKb: number;
}

async function makeScene(out: Presenter, spec: SceneSpec): Promise<Scene> {
  if (spec.kind === "triangle") return Triangle.create(out);
  const { obj, texture, anisotropy, fragment, clear, lighting } = spec.mesh;
  return TexturedMesh.load(out, { obj, texture, anisotropy, clear, lighting, shaders: fragment ? { fragment } : undefined });
}

/**
 * Frames drawn at JIT_WARMUP_SIZE before a timed configuration's own warm-up. V8 optimises a
 * function after it has run a number of times, not after a time: the frame path (acquire, settle,
 * submit, the scene's draw) reached optimised code only after about 3,500 frames (--trace-opt),
 * whatever the frame rate, and the JS thread's CPU per frame halves then. The C reference has no
 * JIT; its warm-up and ours stay the same count at the timed size. Start-up, JIT included, is the
 * startup section's figure.
 *
 * The warm-up is two runs at two sizes (JIT_WARMUP_SIZES): the paths a resize and a new run take
 * (new targets and framebuffers, the scene's aspect, a new body for the loop) then have type
 * feedback before V8 optimises the frame path. With one run at one size, --trace-deopt showed
 * acquire, beginRenderPass, the scene's draw and the loop's handTo deoptimised by the resize to the
 * timed size, and the timed run then spent its first thousands of frames in baseline code: at the
 * torus's 145 frames/s, that was the whole run (JS thread 0.24–0.28 ms/frame against 0.19).
 *
 * Both sizes are 4:3, not square: the scenes' update divides height by width for the aspect, and
 * square warm-up targets gave that division only whole results. V8 then optimised it for small
 * integers, and the first frame at the timed size (1080/1920) deoptimised the scene's update and
 * the loop's body ("lost precision"); until V8 optimised them again, every double they made was a
 * heap number (the triangle at 1920x1080: 523 heap bytes/frame over the timed run, 153 without).
 */
export const JIT_WARMUP_FRAMES = Number(process.env.JIT_WARMUP ?? 4000);
const JIT_WARMUP_SIZES = [
  [64, 48],
  [48, 36],
] as const;
/** The warm-up in words, for the report's headings. */
export const JIT_WARMUP_TEXT = `${JIT_WARMUP_FRAMES} frames (half at ${JIT_WARMUP_SIZES.map(([w, h]) => `${w}x${h}`).join(", half at ")})`;

/** Builds a headless presenter and the scene, runs `use`, and frees both. */
async function withScene<T>(gpu: Instance, spec: SceneSpec, size: readonly [number, number], use: (out: Presenter, scene: Scene) => Promise<T>): Promise<T> {
  const out = createHeadlessPresenter(gpu.createDevice(), { size, format: TARGET_FORMAT }, true);
  let scene: Scene | undefined;
  try {
    scene = await makeScene(out, spec);
    return await use(out, scene);
  } finally {
    scene?.destroy();
    await out.close();
  }
}

/** One timed run: `config.warmup` frames, then `config.frames` frames measured. */
export async function runOurs(gpu: Instance, config: OffscreenConfig): Promise<OursFigures> {
  const options = { fixedTimestep: BENCH_TIMESTEP, ...(config.gpuTimeEvery === "default" ? {} : { gpuTimeEvery: config.gpuTimeEvery ?? 0 }) };
  return withScene(gpu, config.scene, JIT_WARMUP_SIZES[0], async (out, scene) => {
    for (const [i, [width, height]] of JIT_WARMUP_SIZES.entries()) {
      if (i > 0) out.resize(width, height);
      await runScene(out, scene, { ...options, limit: JIT_WARMUP_FRAMES / JIT_WARMUP_SIZES.length });
    }
    // the same presenter and scene at the timed size next: nothing a small run made stays behind
    out.resize(config.size[0], config.size[1]);
    await runScene(out, scene, { ...options, limit: config.warmup });
    const { bytes } = await measureAllocation(() => runScene(out, scene, { ...options, limit: config.frames }));
    const s = out.stats;
    return {
      fps: s.fps,
      cpuMsPerFrame: s.cpuMsPerFrame,
      threadCpuMsPerFrame: s.mainThreadCpuMsPerFrame,
      heapBytesPerFrame: bytes / config.frames,
      maxRssKb: process.resourceUsage().maxRSS,
    };
  });
}

/** The RGBA pixels of frame `index` of a fresh run (the first frame is 0). */
export async function captureOurs(gpu: Instance, spec: SceneSpec, size: readonly [number, number], index: number): Promise<Pixels> {
  return withScene(gpu, spec, size, async (out, scene) => {
    let captured: Promise<Pixels> | undefined;
    for await (const frame of out.frames({ limit: index + 1, fixedTimestep: BENCH_TIMESTEP })) {
      scene.update(frame);
      if (frame.index === index) captured = frame.capture();
      frame.record((cmd) => scene.draw(cmd, frame));
    }
    return captured!;
  });
}
