// Triangle benchmark: headless frames/s, main-thread CPU per frame, JS heap bytes per frame in the
// steady state (after a warm-up, so pipeline creation and first-use costs are excluded).
import { createHeadlessPresenter } from "../src/index.js";
import { Triangle } from "../examples/triangle.js";
import { measureAllocation } from "./heap.js";
export async function benchTriangle(gpu, size, frames) {
    const out = createHeadlessPresenter(gpu.createDevice(), { size }, true);
    const scene = Triangle.create(out);
    try {
        const loop = async (limit) => {
            for await (const frame of out.frames({ limit })) {
                scene.update(frame);
                frame.record((cmd) => scene.draw(cmd, frame));
            }
        };
        await loop(Math.min(200, frames)); // warm-up: lazy framebuffers, JIT
        const { bytes } = await measureAllocation(() => loop(frames));
        const s = out.stats;
        return { size: `${size[0]}x${size[1]}`, frames, fps: s.fps, cpuMsPerFrame: s.cpuMsPerFrame, mainThreadCpuMsPerFrame: s.mainThreadCpuMsPerFrame, heapBytesPerFrame: bytes / frames };
    }
    finally {
        scene.destroy();
        await out.close();
    }
}
//# sourceMappingURL=triangle.js.map