// A failure while a run ends must reach the app. Here the last frame's present is asynchronous (as
// it is for dmabuf and KMS), so the run ends from a step after a wait; the fence wait at the end
// then fails as it would with VK_ERROR_DEVICE_LOST. lavapipe cannot lose its device, so that one
// wait is replaced by a throwing one (a fake, for a fault no real part here produces).
import { afterEach, beforeAll, afterAll, describe, expect, it } from "vitest";
import { Instance, VulkanError, type Fence, type RenderTarget } from "../../src/index.js";
import { HeadlessBackend } from "../../src/present/headless.js";
import { FrameLoop } from "../../src/present/frame-loop.js";
import { Triangle } from "../../src/scenes/index.js";

const VK_ERROR_DEVICE_LOST = -4;

/** Headless, but present() answers after a timer, and the last frame's fence "loses the device". */
class AsyncPresentBackend extends HeadlessBackend {
  lost: Fence | undefined;
  private presented = 0;
  constructor(
    device: ConstructorParameters<typeof HeadlessBackend>[0],
    private readonly lastFrame: number,
  ) {
    super(device, { size: [64, 48] });
  }
  override present(target: RenderTarget, rendered: Fence): Promise<void> {
    super.present(target, rendered);
    if (this.presented++ === this.lastFrame) {
      this.lost = rendered;
      Object.defineProperty(rendered, "wait", {
        configurable: true,
        value: () => {
          throw new VulkanError("vkWaitForFences", VK_ERROR_DEVICE_LOST, "injected");
        },
      });
    }
    return new Promise((r) => setTimeout(r, 5));
  }
}

describe("a failure while the run ends", () => {
  let gpu: Instance;
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  beforeAll(async () => {
    gpu = await Instance.create({ validation: true, requireValidation: true });
    process.on("unhandledRejection", onUnhandled);
  });
  afterAll(() => {
    process.off("unhandledRejection", onUnhandled);
    gpu?.destroy();
  });
  afterEach(() => {
    unhandled.length = 0;
  });

  it("rejects the loop's next() with the error, and leaves no unhandled rejection", async () => {
    const backend = new AsyncPresentBackend(gpu.createDevice(), 2);
    const out = new FrameLoop(backend, true);
    const scene = Triangle.create(out);
    let seen = 0;
    let caught: unknown;
    try {
      for await (const frame of out.frames({ limit: 3 })) {
        scene.update(frame);
        frame.record((cmd) => scene.draw(cmd, frame));
        seen++;
      }
    } catch (e) {
      caught = e;
    } finally {
      if (backend.lost) delete (backend.lost as { wait?: unknown }).wait; // the real wait again, for the teardown
      scene.destroy();
      await out.close();
    }
    await new Promise((r) => setTimeout(r, 50)); // an unhandled rejection is reported after a turn
    expect(seen).toBe(3);
    expect(caught).toBeInstanceOf(VulkanError);
    expect((caught as VulkanError).resultName).toBe("VK_ERROR_DEVICE_LOST");
    expect(unhandled).toEqual([]);
    expect(gpu.validationMessages).toEqual([]);
  });
});
