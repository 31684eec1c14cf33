// Rendered rotation of the KMS presenter over several outputs, on a real kernel. Where a plane cannot
// turn the picture, the presenter renders it turned (targets carry RenderTarget.transform) and each
// plane scans out its rectangle unturned. vkms (configfs, writeback on each CRTC): its planes can
// turn, so rotateBy "render" asks for the rendered path; each CRTC's writeback then equals what the
// planes' own rotation shows and the headless render turned. virtio-gpu: its primary plane has no
// rotation property (a real driver that cannot turn), so rotate falls back to rendering turned on its
// own; the scanned-out buffer equals the headless render turned. Stats say which path turned it.
// VM: bash test/vm/run-suite.sh test/present/kms-rotate.vm.test.ts (vkms), VMTEST_GPU=virtio (virtio-gpu).
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { captureCrtc, DrmDevice, listOutputs, planeRotations, readDisplayObjects, summarizeState, type QuarterTurn } from "../../src/drm/index.js";
import { FrameLoop } from "../../src/present/frame-loop.js";
import { KmsMultiBackend } from "../../src/present/kms-multi.js";
import type { KmsMultiOptions } from "../../src/present/kms-options.js";
import type { Pixels } from "../../src/present/presenter.js";
import { orientedSize } from "../../src/render/pre-rotation.js";
import { Triangle } from "../../src/scenes/index.js";
import { openFdCount } from "../../src/sys/libc.js";
import { compare, hasPicture, headlessTriangle, scannedOut, view } from "../helpers/kms-pixels.js";
import { outputsTopology, vkmsConfigfsSkipReason, VkmsConfigfsDevice } from "../helpers/vkms-configfs.js";
import { validatedGpu } from "../helpers/gpu.js";

const MODE = "640x480";
const N = 6;
/**
 * Pixels allowed to differ by more than 1 between a picture rendered turned and one rendered upright
 * and turned afterwards: rasterisation's tie-break for a pixel centre exactly on a triangle edge is
 * not turn-invariant (the top-left rule), so a few edge pixels may land on the other side.
 */
const EDGE_PIXELS = 64;

const configfsWhy = vkmsConfigfsSkipReason() ?? (existsSync("/dev/udmabuf") ? undefined : "no /dev/udmabuf");
/** A card whose primary planes have no rotation property (virtio-gpu), or why there is none. */
function unturnableCard(): { card: string } | { why: string } {
  for (const card of ["/dev/dri/card0", "/dev/dri/card1"]) {
    if (!existsSync(card)) continue;
    const drm = DrmDevice.open(card);
    try {
      const primaries = readDisplayObjects(drm).planes.filter((p) => p.type === "Primary");
      if (primaries.length && primaries.every((p) => !planeRotations(drm, p.id).includes("rotate-90"))) return { card };
    } finally {
      drm.close();
    }
  }
  return { why: "no DRM card whose primary planes lack rotation (virtio-gpu has one: VMTEST_GPU=virtio)" };
}
const unturnable = existsSync("/dev/dri") ? unturnableCard() : { why: "no /dev/dri" };
if (configfsWhy) console.warn(`[kms-rotate.vm.test] vkms part skipped: ${configfsWhy}`);
if ("why" in unturnable) console.warn(`[kms-rotate.vm.test] no-rotation part skipped: ${unturnable.why}`);

describe("KMS presenter over several outputs: rendered rotation", () => {
  const ctx = validatedGpu();

  /** Runs N triangle frames on `options`' outputs; returns the backend's figures and, per output, what it shows (read by `shot`). */
  async function present(drm: DrmDevice, options: Omit<KmsMultiOptions, "drm">, shot: (b: KmsMultiBackend, i: number) => Promise<Pixels> | Pixels) {
    const initial = summarizeState(drm);
    const fds = openFdCount();
    const backend = KmsMultiBackend.open(ctx.device, { drm, hotplug: false, ...options });
    const out = new FrameLoop(backend, false);
    const scene = Triangle.create(out);
    const shots: Pixels[] = [];
    let stats: Record<string, number | string>;
    try {
      for await (const frame of out.frames({ limit: N })) {
        scene.update(frame);
        frame.record((cmd) => scene.draw(cmd, frame));
      }
      await backend.idle();
      for (let i = 0; i < backend.heads.length; i++) shots.push(await shot(backend, i));
      stats = backend.stats();
    } finally {
      scene.destroy();
      await out.close();
    }
    expect(summarizeState(drm)).toEqual(initial);
    expect(openFdCount()).toBe(fds);
    expect(ctx.gpu.validationMessages).toEqual([]);
    return { backend, stats, shots };
  }

  /** Checks each shot against the headless render's view of that output, turned; returns a log line. */
  async function checkTurned(backend: KmsMultiBackend, shots: Pixels[], turn: QuarterTurn): Promise<string> {
    const { upright } = backend.turning;
    const want = await headlessTriangle(ctx.device, [upright.width, upright.height], N);
    expect(hasPicture(want)).toBe(true);
    return shots.map((s, i) => {
      const r = compare(s, view(want, upright.viewports[i]!, turn));
      expect(r.differing, `${backend.heads[i]!.name}: pixels differing by more than 1 from the headless render turned ${turn}° (worst ${r.worst}) at ${r.where.join(" ")}`).toBeLessThanOrEqual(EDGE_PIXELS);
      return `${backend.heads[i]!.name} ${r.differing} px off (worst ${r.worst})`;
    }).join(", ");
  }

  describe.skipIf(!!configfsWhy)("vkms (configfs): rotateBy render against the planes' rotation", () => {
    async function withWall(n: number, fn: (drm: DrmDevice) => Promise<void>): Promise<void> {
      const wall = await VkmsConfigfsDevice.create("turned", outputsTopology(n));
      const drm = DrmDevice.open(wall.card);
      try {
        drm.setClientCap("writebackConnectors", 1);
        await fn(drm);
      } finally {
        drm.close();
        wall.destroy();
      }
    }
    const writeback = (b: KmsMultiBackend, i: number) => captureCrtc(b.drm, b.heads[i]!.output.crtc);

    it("2 outputs, extend, 90°: the rendered turn shows what the planes' rotation shows, and the headless render turned", async () => {
      await withWall(2, async (drm) => {
        const plane = await present(drm, { connectors: "all", layout: "extend", mode: MODE, rotate: 90 }, writeback);
        expect(plane.stats.rotation).toBe("plane");
        expect(plane.backend.size).toEqual([960, 640]);
        const render = await present(drm, { connectors: "all", layout: "extend", mode: MODE, rotate: 90, rotateBy: "render" }, writeback);
        expect([render.stats.rotation, render.stats.rotationReason]).toEqual(["rendered", "rotateBy: render"]);
        expect(render.backend.size).toEqual([640, 960]); // the upright 960x640 picture turned
        expect(orientedSize({ width: 640, height: 960, transform: 1 })).toEqual([960, 640]);
        const between = render.shots.map((s, i) => {
          const r = compare(s, plane.shots[i]!);
          expect(r.differing, `output ${i}: rendered against plane-turned, worst ${r.worst} at ${r.where.join(" ")}`).toBeLessThanOrEqual(EDGE_PIXELS);
          return `${r.differing} px off (worst ${r.worst})`;
        });
        const line = await checkTurned(render.backend, render.shots, 90);
        console.log(`[kms-rotate.vm.test] extend 90°: rendered vs plane ${between.join(", ")}; rendered vs headless ${line}; ${JSON.stringify(render.stats)}`);
      });
    });

    for (const { layout, turn } of [{ layout: "extend", turn: 270 }, { layout: "clone", turn: 180 }] as const)
      it(`2 outputs, ${layout}, ${turn}°, rendered: each CRTC's writeback equals the headless render turned`, async () => {
        await withWall(2, async (drm) => {
          const { backend, stats, shots } = await present(drm, { connectors: "all", layout, mode: MODE, rotate: turn, rotateBy: "render" }, writeback);
          expect(stats.rotation).toBe("rendered");
          console.log(`[kms-rotate.vm.test] ${layout} ${turn}°: ${await checkTurned(backend, shots, turn)}; ${JSON.stringify(stats)}`);
        });
      });
  });

  describe.skipIf("why" in unturnable)("a driver whose plane has no rotation property (virtio-gpu)", () => {
    it("rotate 90 renders turned on its own (stats say why); the scanned-out buffer equals the headless render turned", async () => {
      const drm = DrmDevice.open((unturnable as { card: string }).card);
      try {
        const offered = listOutputs(drm).outputs.find((o) => o.connected)?.modes.some((m) => m.name === MODE);
        const mode = offered ? MODE : undefined;
        expect(() => KmsMultiBackend.open(ctx.device, { drm, connectors: "all", rotate: 90, rotateBy: "plane", hotplug: false })).toThrow(/cannot turn the picture by 90°/);
        const { backend, stats, shots } = await present(drm, { connectors: "all", mode, rotate: 90 }, (b, i) => scannedOut(drm, b.heads[i]!.output.crtc));
        expect(stats.rotation).toBe("rendered");
        expect(String(stats.rotationReason)).toMatch(/cannot turn the picture by 90° \(its rotations: rotate-0\)/);
        const [w, h] = [backend.heads[0]!.output.mode.hdisplay, backend.heads[0]!.output.mode.vdisplay];
        expect(backend.size).toEqual([w, h * backend.heads.length]); // the upright picture turned back to the display's axes
        console.log(`[kms-rotate.vm.test] ${drm.path} 90° rendered: ${await checkTurned(backend, shots, 90)}; ${JSON.stringify(stats)}`);
      } finally {
        drm.close();
      }
    });
  });
});
