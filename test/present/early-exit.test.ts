// Leaving the frame loop early (break, return, a throw, close() mid-loop) must leave the GPU done
// with everything the loop submitted, so the scene can be destroyed at once: 0 validation messages.
import { describe, expect, it } from "vitest";
import { validatedGpu } from "../helpers/gpu.js";
import { createHeadlessPresenter, type Presenter } from "../../src/index.js";
import { Triangle } from "../../src/scenes/index.js";

const gpu = validatedGpu();

/** Runs `body` with a presenter and a scene on the shared device, then destroys the scene first. */
async function withLoop(body: (out: Presenter, scene: Triangle) => Promise<void>): Promise<string[]> {
  const before = gpu.gpu.validationMessages.length;
  const out = createHeadlessPresenter(gpu.device, { size: [256, 256] });
  const scene = Triangle.create(out);
  try {
    await body(out, scene);
  } finally {
    scene.destroy(); // right after the loop, while the presenter is still open
    await out.close();
  }
  return gpu.gpu.validationMessages.slice(before).map((m) => m.message);
}

describe("leaving the frame loop early", () => {
  it("break", async () => {
    const messages = await withLoop(async (out, scene) => {
      for await (const frame of out.frames({ limit: 100 })) {
        scene.update(frame);
        frame.record((cmd) => scene.draw(cmd, frame));
        if (frame.index === 5) break;
      }
      expect(out.stats.frames).toBe(5); // frame 5 was handed out but never submitted
    });
    expect(messages).toEqual([]);
  });

  it("return from the enclosing function", async () => {
    const messages = await withLoop(async (out, scene) => {
      const run = async (): Promise<number> => {
        for await (const frame of out.frames({ limit: 100 })) {
          scene.update(frame);
          frame.record((cmd) => scene.draw(cmd, frame));
          if (frame.index === 7) return frame.index;
        }
        return -1;
      };
      expect(await run()).toBe(7);
    });
    expect(messages).toEqual([]);
  });

  it("an error thrown in the loop body, after record()", async () => {
    const messages = await withLoop(async (out, scene) => {
      const run = async () => {
        for await (const frame of out.frames({ limit: 100 })) {
          scene.update(frame);
          frame.record((cmd) => scene.draw(cmd, frame));
          if (frame.index === 4) throw new Error("app bug at frame 4");
        }
      };
      await expect(run()).rejects.toThrow("app bug at frame 4");
    });
    expect(messages).toEqual([]);
  });

  it("an error thrown inside record()", async () => {
    const messages = await withLoop(async (out, scene) => {
      const run = async () => {
        for await (const frame of out.frames({ limit: 100 })) {
          scene.update(frame);
          frame.record((cmd) => {
            scene.draw(cmd, frame);
            if (frame.index === 3) throw new Error("draw failed");
          });
        }
      };
      await expect(run()).rejects.toThrow("draw failed");
    });
    expect(messages).toEqual([]);
  });

  it("close() in the middle of the loop ends it; the held frame is dropped", async () => {
    const messages = await withLoop(async (out, scene) => {
      let seen = -1;
      for await (const frame of out.frames({ limit: 100 })) {
        seen = frame.index;
        scene.update(frame);
        if (frame.index === 6) {
          await out.close();
          let drew = false;
          frame.record(() => (drew = true)); // dropped: its commands could never be submitted
          expect(drew).toBe(false);
          await expect(frame.capture()).rejects.toThrow(/closed/);
          continue; // the loop must end by itself
        }
        frame.record((cmd) => scene.draw(cmd, frame));
      }
      expect(seen).toBe(6);
      expect(out.stats.frames).toBe(6);
    });
    expect(messages).toEqual([]);
  });

  it("close() from outside while the loop waits ends the loop", async () => {
    const messages = await withLoop(async (out, scene) => {
      let frames = 0;
      const closing = new Promise<void>((resolve) => setTimeout(() => void out.close().then(resolve), 30));
      for await (const frame of out.frames()) {
        frames++;
        scene.update(frame);
        frame.record((cmd) => scene.draw(cmd, frame));
        await new Promise((r) => setTimeout(r, 1));
      }
      await closing;
      expect(frames).toBeGreaterThan(0);
    });
    expect(messages).toEqual([]);
  });

  it("a loop can run again after an early exit and renders the same pixels", async () => {
    const out = createHeadlessPresenter(gpu.device, { size: [64, 64] });
    const scene = Triangle.create(out);
    try {
      for await (const frame of out.frames({ limit: 10 })) {
        frame.record((cmd) => scene.draw(cmd, frame));
        if (frame.index === 2) break;
      }
      let captured: Promise<{ data: Uint8Array }> | undefined;
      for await (const frame of out.frames({ limit: 1 })) {
        scene.update(frame);
        frame.record((cmd) => scene.draw(cmd, frame));
        captured = frame.capture(); // resolves once the frame is submitted and done
      }
      const pixels = (await captured!).data;
      // the triangle covers the centre: not the clear colour
      const centre = (32 * 64 + 32) * 4;
      expect([pixels[centre], pixels[centre + 1], pixels[centre + 2]]).not.toEqual([13, 13, 20]);
    } finally {
      scene.destroy();
      await out.close();
    }
  });
});
