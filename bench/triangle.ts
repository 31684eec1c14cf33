// Triangle benchmark: headless frames/s, main-thread CPU per frame, JS heap bytes per frame in the
// steady state (after a warm-up, so pipeline creation and first-use costs are excluded).
import { Instance, createHeadlessPresenter, runScene } from "../src/index.js";
import { Triangle } from "../examples/triangle.js";
import { measureAllocation } from "./heap.js";

export interface TriangleFigures {
  size: string;
  frames: number;
  fps: number;
  cpuMsPerFrame: number;
  mainThreadCpuMsPerFrame: number;
  heapBytesPerFrame: number;
}

export async function benchTriangle(gpu: Instance, size: readonly [number, number], frames: number): Promise<TriangleFigures> {
  const out = createHeadlessPresenter(gpu.createDevice(), { size }, true);
  const scene = Triangle.create(out);
  try {
    await runScene(out, scene, { limit: Math.min(200, frames) }); // warm-up: lazy framebuffers, JIT
    const { bytes } = await measureAllocation(() => runScene(out, scene, { limit: frames }));
    const s = out.stats;
    return { size: `${size[0]}x${size[1]}`, frames, fps: s.fps, cpuMsPerFrame: s.cpuMsPerFrame, mainThreadCpuMsPerFrame: s.mainThreadCpuMsPerFrame, heapBytesPerFrame: bytes / frames };
  } finally {
    scene.destroy();
    await out.close();
  }
}
