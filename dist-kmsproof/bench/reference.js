// Runs the C reference (../shared/ref-bench, built into /tmp/ref-bench by its build.sh) for the same
// configuration, so our figures can be given as ratios taken in one sitting.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
export const refBinary = process.env.REF_BENCH ?? "/tmp/ref-bench/ref-bench";
export function haveReference() {
    return existsSync(refBinary);
}
export function runReference(scene, size, frames) {
    const r = spawnSync(refBinary, ["--scene", scene, "--size", `${size[0]}x${size[1]}`, "--frames", String(frames)], { encoding: "utf8" });
    if (r.status !== 0)
        throw new Error(`${refBinary} failed: ${r.stderr}`);
    const text = `${r.stdout} ${r.stderr}`;
    const field = (name) => Number(new RegExp(`\\b${name}=([\\d.]+)`).exec(text)?.[1] ?? NaN);
    return { fps: field("fps"), cpuMsPerFrame: field("cpu_ms_per_frame"), mainThreadCpuMsPerFrame: field("main_thread_cpu_ms_per_frame") };
}
//# sourceMappingURL=reference.js.map