// GLSL compiled at run time (vk/glsl.ts): the compiler's load time and a plasma-sized fragment
// shader's compile time once it is loaded (target: under 100 ms), each run a fresh process, and
// whether importing scanout loads the compiler (it must not: apps that never ask for GLSL start as before).
import { fileURLToPath } from "node:url";
import { runJsonChild } from "./child-process.js";
import { fmt, median } from "./stats.js";

interface GlslFigures {
  importMs: number;
  loadedAtStart: boolean;
  loadMs: number;
  firstCompileMs: number;
  compileMs: number[];
}

/** Runs bench/glsl-child.js `runs` times and logs the medians. */
export function benchGlsl(runs: number, log: (line: string) => void): void {
  const child = fileURLToPath(new URL("./glsl-child.js", import.meta.url));
  const results = Array.from({ length: runs }, () => runJsonChild<GlslFigures>(child, [], "GLSL_RESULT "));
  const all = results.flatMap((r) => r.compileMs.slice(1));
  log(`import scanout: ${fmt(median(results.map((r) => r.importMs)))} ms, GLSL compiler loaded by it: ${results.some((r) => r.loadedAtStart) ? "yes (wrong)" : "no"}`);
  log(`load the compiler (@webgpu/glslang: import, WebAssembly, first compilation): ${fmt(median(results.map((r) => r.loadMs)))} ms`);
  // min is the cost itself; median and max also show how busy the machine was
  log(
    `compile plasma.frag once loaded: first ${fmt(median(results.map((r) => r.firstCompileMs)))} ms, then min ${fmt(Math.min(...all))} ms, median ${fmt(median(all))} ms, ` +
      `max ${fmt(Math.max(...all))} ms (target < 100 ms)`,
  );
}
