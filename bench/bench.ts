// npm run bench: every benchmark that can run here, interleaved with the C reference when it is
// built (so ratios come from one sitting), medians of RUNS runs (default 3).
import { Instance } from "../src/index.js";
import { benchTriangle } from "./triangle.js";
import { haveReference, runReference } from "./reference.js";

const runs = Number(process.env.RUNS ?? 3);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");

async function triangleSection(): Promise<void> {
  const gpu = await Instance.create({ validation: false });
  const configs: [readonly [number, number], number][] = [
    [[64, 64], 5000],
    [[1920, 1080], 300],
  ];
  const withRef = haveReference();
  console.log(`\n## triangle, headless on ${gpu.selectPhysicalDevice().name} (median of ${runs})${withRef ? ", C reference interleaved" : " (C reference not built: sh ../shared/ref-bench/build.sh)"}`);
  for (const [size, frames] of configs) {
    const ours: { fps: number; cpu: number; thread: number; heap: number }[] = [];
    const ref: { fps: number; cpu: number; thread: number }[] = [];
    for (let r = 0; r < runs; r++) {
      const f = await benchTriangle(gpu, size, frames);
      ours.push({ fps: f.fps, cpu: f.cpuMsPerFrame, thread: f.mainThreadCpuMsPerFrame, heap: f.heapBytesPerFrame });
      if (withRef) {
        const c = runReference("triangle", size, frames);
        ref.push({ fps: c.fps, cpu: c.cpuMsPerFrame, thread: c.mainThreadCpuMsPerFrame });
      }
    }
    const fps = median(ours.map((o) => o.fps));
    let line = `triangle ${size[0]}x${size[1]} frames=${frames}: ${fmt(fps)} fps, ${fmt(median(ours.map((o) => o.cpu)), 3)} CPU ms/frame (${fmt(median(ours.map((o) => o.thread)), 3)} JS thread), ${fmt(median(ours.map((o) => o.heap)), 0)} heap bytes/frame`;
    if (withRef) {
      const refFps = median(ref.map((o) => o.fps));
      line += ` | C reference ${fmt(refFps)} fps, ${fmt(median(ref.map((o) => o.cpu)), 3)} CPU ms/frame (${fmt(median(ref.map((o) => o.thread)), 3)} app thread) → fps ratio ${fmt(fps / refFps, 3)}x`;
    }
    console.log(line);
  }
  gpu.destroy();
}

function printFigures(title: string, figures: Record<string, number | string>): void {
  console.log(`\n## ${title}`);
  for (const [name, value] of Object.entries(figures)) console.log(`${name}: ${typeof value === "number" ? fmt(value, value < 10 ? 3 : 1) : value}`);
}

async function waylandSection(): Promise<void> {
  const { benchWayland } = await import("./wayland.js");
  printFigures("wayland (headless Weston 14, pixman, wl_shm)", await benchWayland());
}

async function meshSection(): Promise<void> {
  const { benchMesh } = await import("./mesh.js");
  console.log(`\n## mesh (headless, median of ${runs}; torus20k-lambert does the C reference's own per-pixel work)`);
  await benchMesh({ runs, log: (line) => console.log(line) });
}

const sections: Record<string, () => Promise<void>> = { triangle: triangleSection, mesh: meshSection, wayland: waylandSection };

const only = process.argv.slice(2).filter((a) => !a.startsWith("-"));
for (const [name, section] of Object.entries(sections)) {
  if (only.length && !only.includes(name)) continue;
  try {
    await section();
  } catch (error) {
    console.log(`${name}: skipped: ${(error as Error).message}`);
  }
}
