// The smallest complete scanout app: a window when there is a compositor (or the display on a
// console, or an offscreen target), the triangle from scanout/scenes, 300 frames, then a clean exit.
import { Instance, openPresenter } from "../src/index.js";
import { Triangle } from "../src/scenes/index.js";

await using gpu = await Instance.create();
await using out = await openPresenter(gpu, { size: [640, 480], title: "minimal" });
const scene = Triangle.create(out);
try {
  for await (const frame of out.frames({ limit: 300 })) {
    scene.update(frame);
    frame.record((cmd) => scene.draw(cmd, frame));
  }
} finally {
  scene.destroy(); // the loop has already waited for the GPU, however it ended
}
console.log(`${out.backend}: ${out.stats.frames} frames at ${out.stats.fps.toFixed(0)} frames/s`);
