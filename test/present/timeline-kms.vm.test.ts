// The frame timeline of a KMS run on vkms (VM only): each frame's page flip is on the display track at
// the kernel's flip timestamp (after the frame's present began, before the next one's ended), the flip releases the
// frame it took off screen, and both are on the frame's flow. Run in the VM:
//   test/vm/run-in-vm.sh 'node node_modules/vitest/vitest.mjs run test/present/timeline-kms.vm.test.ts'
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DrmDevice } from "../../src/drm/index.js";
import { FrameLoop } from "../../src/present/frame-loop.js";
import { KmsBackend } from "../../src/present/kms.js";
import { Triangle } from "../../src/scenes/index.js";
import { FrameTracer, TRACKS } from "../../src/util/trace.js";
import { Instance } from "../../src/vk/index.js";
import { checkTraceFormat, slicesOf } from "./timeline-format.js";

const CARD = "/dev/dri/card0";
const canRun = existsSync(CARD) && existsSync("/dev/udmabuf");

describe.skipIf(!canRun)("frame timeline on KMS (vkms)", () => {
  it("has one flip per frame at its vblank time and the release of the frame before", async () => {
    await using gpu = await Instance.create({ validation: true, requireValidation: true });
    const device = gpu.createDevice();
    const drm = DrmDevice.open(CARD);
    const backend = KmsBackend.open(device, { drm, size: [640, 480] });
    const out = new FrameLoop(backend, false);
    const scene = Triangle.create(out);
    const tracer = new FrameTracer();
    const N = 20;
    try {
      for await (const frame of out.frames({ limit: N, tracer })) {
        scene.update(frame);
        frame.record((cmd) => scene.draw(cmd, frame));
      }
      await backend.idle();
    } finally {
      scene.destroy();
      await out.close();
      drm.close();
      device.destroy();
    }
    const trace = checkTraceFormat(tracer.toJSON(), N);
    const flips = trace.slices.filter((s) => s.name === "flip");
    expect(flips.map((f) => f.frame)).toEqual(Array.from({ length: N }, (_, i) => i));
    const kernelFlips = backend.flipEvents;
    for (const [i, flip] of flips.entries()) {
      expect(flip.tid).toBe(TRACKS.display.tid);
      expect(flip.args.vblankSequence).toBe(kernelFlips[i]!.sequence);
      expect(flip.start, `frame ${i} flipped before its present began`).toBeGreaterThan(slicesOf(trace, i, "present")[0]!.start);
      // one commit in flight and one finished frame waiting behind it (the present queue's fifo): the
      // frame after next cannot be acquired before this flip has completed
      if (i < N - 2) expect(flip.start, `frame ${i} flipped after frame ${i + 2} was acquired`).toBeLessThanOrEqual(slicesOf(trace, i + 2, "acquire")[0]!.end);
      expect(trace.flows.get(i)!.map((s) => s.name)).toContain("flip");
    }
    const releases = trace.slices.filter((s) => s.name === "release");
    expect(releases.map((r) => r.frame)).toEqual(Array.from({ length: N - 1 }, (_, i) => i));
    for (const r of releases) expect(r.start).toBe(flips[r.frame + 1]!.start);
    expect(gpu.validationMessages).toEqual([]);
  });
});
