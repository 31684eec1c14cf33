// Start-up: wall time from launching a command to the demo's first frame, measured from outside
// (the demo prints its first frame's wall-clock time when SCANOUT_PRINT_FIRST_FRAME_EPOCH is set).
// Three commands, interleaved: `npm run demo -- --frames 1` (what a user types: npm, the up-to-date
// check, then the bundled demo), the bundled demo alone (`dist/bin/scanout-demo.js`, what the
// package's `scanout-demo` runs) and the compiled demo unbundled (`node dist/examples/demo.js`).
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { fmt, median } from "./stats.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Milliseconds from spawning `command` to the demo's first frame, and the CPU time the demo's process had used by then (all its threads). */
function firstFrame(command: string, args: string[]): { wall: number; cpu: number } {
  const start = Date.now();
  const r = spawnSync(command, args, { cwd: root, encoding: "utf8", env: { ...process.env, SCANOUT_PRINT_FIRST_FRAME_EPOCH: "1" } });
  const m = /first frame epoch ms: (\d+)/.exec(r.stdout ?? "");
  const cpu = /first frame cpu ms: (\d+)/.exec(r.stdout ?? "");
  if (r.status !== 0 || !m || !cpu) throw new Error(`${command} ${args.join(" ")}: exit ${r.status}, no first frame\n${r.stderr}`);
  return { wall: Number(m[1]) - start, cpu: Number(cpu[1]) };
}

/** Prints the median (and range) of `runs` interleaved runs of each command. */
export function benchStartup(runs: number, log: (line: string) => void): void {
  const commands: [string, string, string[]][] = [
    ["npm run demo -- --frames 1", "npm", ["run", "--silent", "demo", "--", "--frames", "1"]],
    ["node dist/bin/scanout-demo.js --frames 1 (bundled)", process.execPath, [join(root, "dist", "bin", "scanout-demo.js"), "--frames", "1"]],
    ["node dist/examples/demo.js --frames 1 (unbundled)", process.execPath, [join(root, "dist", "examples", "demo.js"), "--frames", "1"]],
  ];
  firstFrame(commands[0]![1], commands[0]![2]); // builds if needed, warms the caches
  const times = commands.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  for (let i = 0; i < runs; i++) {
    commands.forEach(([, cmd, args], j) => {
      const t = firstFrame(cmd, args);
      times[j]!.wall.push(t.wall);
      times[j]!.cpu.push(t.cpu);
    });
  }
  commands.forEach(([name], j) => {
    const { wall, cpu } = times[j]!;
    log(
      `${name}: first frame after ${fmt(median(wall), 0)} ms (median; ${fmt(Math.min(...wall), 0)}-${fmt(Math.max(...wall), 0)}); ` +
        `the demo's CPU time by then ${fmt(median(cpu), 0)} ms (median, all threads)`,
    );
  });
}
