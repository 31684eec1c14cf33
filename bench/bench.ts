// npm run bench: every benchmark that can run here. Where the project's C reference (built from
// bench/c-reference with the system compiler) does the same work, it runs interleaved with ours
// (ours, C, ours, C, ...) so ratios come from one sitting; medians of RUNS runs (default 5). A
// ratio is printed only after one frame from each side was compared and found the same.
// Sections: `node dist/bench/bench.js triangle mesh wayland desktop2026 glsl colour paste wsi` (default: all).
import { JIT_WARMUP_TEXT } from "./ours.js";
import { NODE_FLAGS_FOR_FRAME_LOOPS } from "../src/index.js";
import { benchTriangle } from "./triangle.js";
import { benchRuns } from "./stats.js";

const runs = benchRuns();
const log = (line: string) => console.log(line);

async function triangleSection(): Promise<void> {
  console.log(`\n## triangle, headless (median of ${runs}, each run a process of its own; ours with ${NODE_FLAGS_FOR_FRAME_LOOPS.join(" ")} after a JIT warm-up of ${JIT_WARMUP_TEXT}, GPU timing off as in the C reference)`);
  await benchTriangle(runs, log);
}

async function meshSection(): Promise<void> {
  const { benchMesh } = await import("./mesh.js");
  console.log(`\n## mesh, headless (median of ${runs}; ours with ${NODE_FLAGS_FOR_FRAME_LOOPS.join(" ")} after a JIT warm-up of ${JIT_WARMUP_TEXT}, GPU timing off; torus20k-lambert: 20k triangles, Lambert shading, no texture)`);
  await benchMesh({ runs, log });
}

async function waylandSection(): Promise<void> {
  const { benchWayland } = await import("./wayland.js");
  console.log(`\n## wayland (headless Weston, pixman; median of ${runs})`);
  const figures = await benchWayland({ runs, log });
  if (figures.skipped) console.log(`skipped: ${figures.skipped}`);
}

async function startupSection(): Promise<void> {
  const { benchStartup } = await import("./startup.js");
  console.log(`\n## start-up to the first frame, headless demo (median of ${runs}, whole process)`);
  benchStartup(runs, log);
}

async function glslSection(): Promise<void> {
  const { benchGlsl } = await import("./glsl.js");
  console.log(`\n## GLSL at run time (median of ${runs}, each run a process of its own): the compiler's load, a plasma-sized fragment shader's compilation`);
  benchGlsl(runs, log);
}

async function gcSection(): Promise<void> {
  const { benchGcConfigurations, GC_WARMUP_FRAMES } = await import("./gc.js");
  const frames = Number(process.env.GC_FRAMES ?? 10_000);
  const gcRuns = Math.max(1, Number(process.env.GC_RUNS ?? 3) || 3);
  console.log(
    `\n## GC pauses, headless (${frames} frames per scene after ${GC_WARMUP_FRAMES} of warm-up, ${gcRuns} runs, each a process of its own; perf_hooks "gc" entries; ` +
      `node's defaults, then the flags scanout's programs run with)`,
  );
  benchGcConfigurations(frames, gcRuns, log);
}

async function modesSection(): Promise<void> {
  const { benchPresentModes } = await import("./present-modes.js");
  console.log(`\n## present modes (triangle 640x480, SECONDS=${process.env.SECONDS ?? 3} s per mode; headless and wayland-shm here, kms and wayland-dmabuf where the machine has them)`);
  await benchPresentModes({ log });
}

async function desktop2026Section(): Promise<void> {
  const { benchDesktop2026 } = await import("./desktop-2026.js");
  console.log(`\n## the 2026 compositors' pacing (forky's Weston 16 and Mutter 50, headless, wl_shm; ${process.env.DESKTOP_FRAMES ?? 300} frames per run): fifo-v1 and commit timing`);
  await benchDesktop2026(log);
}

async function colourSection(): Promise<void> {
  const { benchColour } = await import("./colour.js");
  console.log(`\n## colour, headless (the hdr scene in each colour, interleaved in one process; median of ${runs} rounds; encoding's target: at most 5% over sRGB)`);
  await benchColour(log);
}

async function pasteSection(): Promise<void> {
  const { benchPaste } = await import("./paste.js");
  console.log(`\n## a 10 MB paste beside frame loops (headless triangle at a 120 frames/s cap, then a window on forky Sway 1.12 at 60 Hz; ${runs} rounds, the two read ways interleaved): the clipboard's read must not hold up frames`);
  await benchPaste(runs, log);
}

async function wsiSection(): Promise<void> {
  const { benchWsi } = await import("./wsi.js");
  console.log(
    `\n## vs Mesa's Vulkan WSI (VK_KHR_wayland_surface + VK_KHR_swapchain, C, bench/c-reference/wsi.c), per present mode; ` +
      `interleaved pairs, ${runs} rounds of ${process.env.WSI_SECONDS ?? process.env.SECONDS ?? 5} s; ours in its own node process after a JIT warm-up of WSI_JIT_WARMUP=${process.env.WSI_JIT_WARMUP ?? 3000} frames in immediate mode in a window of its own, GPU timing off)`,
  );
  await benchWsi({ runs, log });
}

async function kmsOutputsSection(): Promise<void> {
  const { existsSync } = await import("node:fs");
  console.log(`\n## KMS over two and three outputs (vkms through configfs, triangle, extend, MODE=${process.env.MODE ?? "640x480"}, SECONDS=${process.env.SECONDS ?? 5} s per run): flips and vblanks per second against the refresh (target within 2%), CPU per frame and output`);
  if (!existsSync("/sys/kernel/config/vkms")) {
    console.log("skipped: needs kernel 7.x's vkms with configfs; in the VM: VMTEST_VKMS=configfs bash test/vm/run-in-vm.sh 'node dist/bench/bench.js kmsoutputs'");
    return;
  }
  const { benchOutputs, benchHeads, benchVblanks } = await import("./kms-outputs.js");
  for (const n of [1, 2, 3]) console.log(JSON.stringify({ vblanksOnly: true, ...(await benchVblanks(n, { mode: process.env.MODE, seconds: Number(process.env.SECONDS ?? 5) })) }));
  for (const n of [1, 2, 3]) console.log(JSON.stringify({ flipsOnly: true, ...(await benchHeads(n, { mode: process.env.MODE, seconds: Number(process.env.SECONDS ?? 5) })) }));
  const { Instance } = await import("../src/vk/index.js");
  const gpu = await Instance.create();
  try {
    for (const n of [2, 3]) console.log(JSON.stringify(await benchOutputs(gpu, n, { mode: process.env.MODE, seconds: Number(process.env.SECONDS ?? 5) })));
  } finally {
    gpu.destroy();
  }
}

const sections: Record<string, () => Promise<void>> = {
  paste: pasteSection,
  startup: startupSection, glsl: glslSection, gc: gcSection, modes: modesSection, triangle: triangleSection, mesh: meshSection, wayland: waylandSection, desktop2026: desktop2026Section, colour: colourSection,
  wsi: wsiSection, kmsoutputs: kmsOutputsSection,
};

const only = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const unknown = only.filter((name) => !(name in sections));
if (unknown.length) {
  console.error(`unknown section ${unknown.join(", ")}; sections: ${Object.keys(sections).join(", ")}`);
  process.exit(2);
}
for (const [name, section] of Object.entries(sections)) {
  if (only.length && !only.includes(name)) continue;
  try {
    await section();
  } catch (error) {
    console.log(`${name}: failed: ${(error as Error).stack ?? (error as Error).message}`);
    process.exitCode = 1;
  }
}
