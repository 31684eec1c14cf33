// One headless run of a scene that keeps chosen frames' pixels: the loop most image tests share.
import type { FrameOptions, Pixels, Presenter } from "../../src/index.js";
import type { Scene } from "../../src/render/scene.js";

/**
 * Runs `scene` on `out` up to the last of `indices` and returns those frames' pixels by index.
 * The scene is destroyed and the presenter closed afterwards, whatever happens.
 */
export async function captureFrames(out: Presenter, scene: Scene, indices: readonly number[], options: FrameOptions = {}): Promise<Map<number, Pixels>> {
  const captures = new Map<number, Promise<Pixels>>();
  try {
    for await (const frame of out.frames({ ...options, limit: Math.max(...indices) + 1 })) {
      scene.update(frame);
      frame.record((cmd) => scene.draw(cmd, frame));
      if (indices.includes(frame.index)) captures.set(frame.index, frame.capture());
    }
  } finally {
    scene.destroy();
    await out.close();
  }
  const result = new Map<number, Pixels>();
  for (const [i, p] of captures) result.set(i, await p);
  return result;
}

/** The pixels of frame `index` (default the first) of `scene` on `out`; see captureFrames. */
export async function captureFrame(out: Presenter, scene: Scene, index = 0, options: FrameOptions = {}): Promise<Pixels> {
  return (await captureFrames(out, scene, [index], options)).get(index)!;
}
