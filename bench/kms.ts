// KMS benchmark (run it in the VM: test/vm/run-in-vm.sh 'node dist/bench/kms.js'). Two figures sets:
// - dumb: page flips of CPU-filled dumb buffers (no Vulkan): flips/s and CPU ms per frame;
// - triangle: the triangle scene through the Vulkan KMS presenter (PRIME import, or the dumb-copy
//   fallback when import fails): flips/s, loop fps and CPU ms per frame.
// Caveat: the VM is emulated (QEMU TCG, ~20x slower JavaScript, lavapipe on emulated CPUs); vkms
// flips at 60 Hz, so flips/s tops out at the refresh rate and CPU per frame is what to compare.
import { existsSync } from "node:fs";
import { Instance } from "../src/vk/index.js";
import { runScene } from "../src/render/run-scene.js";
import { KmsBackend } from "../src/present/kms.js";
import { FrameLoop } from "../src/present/frame-loop.js";
import { Triangle } from "../src/scenes/index.js";
import { runDumbFlips } from "./kms-flips.js";

/** Named figures: dumb-buffer flips, then the triangle per path and sync mode. */
export type KmsFigures = Record<string, number | string>;

export async function benchKms(options: { device?: string; frames?: number; size?: readonly [number, number] } = {}): Promise<KmsFigures> {
  const device = options.device ?? "/dev/dri/card0";
  if (!existsSync(device)) throw new Error(`bench kms: no ${device} (run it in the VM: test/vm/run-in-vm.sh 'node dist/bench/kms.js')`);
  const frames = options.frames ?? 120;
  const dumb = await runDumbFlips({ device, frames });

  const figures: KmsFigures = { device, dumbFlipsPerSecond: round(dumb.flipsPerSecond), dumbCpuMsPerFrame: round(dumb.cpuMsPerFrame), refreshHz: round(dumb.refresh) };
  const gpu = await Instance.create();
  try {
    // The kernel waiting on our render fence (IN_FENCE_FD) against a CPU wait per frame.
    for (const sync of ["auto", "cpu-wait"] as const) {
      const backend = KmsBackend.open(gpu.createDevice(), { drm: device, size: options.size ?? [640, 480], sync });
      const out = new FrameLoop(backend, true);
      const scene = Triangle.create(out);
      try {
        await runScene(out, scene, { limit: 20 }); // warm-up: modeset, lazy framebuffers, JIT
        await runScene(out, scene, { limit: frames });
        await backend.idle();
        const s = backend.stats();
        const key = `triangle ${backend.path} ${backend.sync}`;
        if (backend.fallbackReason) figures[`${key} fallback`] = backend.fallbackReason;
        figures[`${key} mode`] = String(s.mode);
        figures[`${key} flips/s`] = Number(s.flipsPerSecond ?? 0);
        figures[`${key} loop fps`] = round(out.stats.fps);
        figures[`${key} CPU ms/frame`] = round(out.stats.cpuMsPerFrame);
        figures[`${key} JS thread CPU ms/frame`] = round(out.stats.mainThreadCpuMsPerFrame);
        figures[`${key} missed vblanks`] = Number(s.missedVblanks ?? 0);
      } finally {
        scene.destroy();
        await out.close();
      }
    }
    return figures;
  } finally {
    gpu.destroy();
  }
}

function round(x: number): number {
  return Number(x.toFixed(2));
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  benchKms({ frames: Number(process.argv[2] ?? 120) }).then(
    (f) => console.log(JSON.stringify(f, null, 2)),
    (e) => {
      console.error(`bench kms: ${e instanceof Error ? e.message : e}`);
      process.exitCode = 1;
    },
  );
}
