// Start-up: wall time from launching a command to the demo's first frame, measured from outside
// (the demo prints its first frame's wall-clock time when SCANOUT_PRINT_FIRST_FRAME_EPOCH is set).
// Two commands, interleaved: `npm run demo -- --frames 1` (what a user types: npm, the up-to-date
// check, then the compiled demo) and the compiled demo alone (`node dist/examples/demo.js`).
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { fmt, median } from "./stats.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Milliseconds from spawning `command` to the demo's first frame. */
function firstFrameMs(command: string, args: string[]): number {
  const start = Date.now();
  const r = spawnSync(command, args, { cwd: root, encoding: "utf8", env: { ...process.env, SCANOUT_PRINT_FIRST_FRAME_EPOCH: "1" } });
  const m = /first frame epoch ms: (\d+)/.exec(r.stdout ?? "");
  if (r.status !== 0 || !m) throw new Error(`${command} ${args.join(" ")}: exit ${r.status}, no first frame\n${r.stderr}`);
  return Number(m[1]) - start;
}

/** Prints the median (and range) of `runs` interleaved runs of each command. */
export function benchStartup(runs: number, log: (line: string) => void): void {
  const commands: [string, string, string[]][] = [
    ["npm run demo -- --frames 1", "npm", ["run", "--silent", "demo", "--", "--frames", "1"]],
    ["node dist/examples/demo.js --frames 1", process.execPath, [join(root, "dist", "examples", "demo.js"), "--frames", "1"]],
  ];
  firstFrameMs(commands[0]![1], commands[0]![2]); // builds if needed, warms the caches
  const times = commands.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) commands.forEach(([, cmd, args], j) => times[j]!.push(firstFrameMs(cmd, args)));
  commands.forEach(([name], j) => {
    const t = times[j]!;
    log(`${name}: first frame after ${fmt(median(t), 0)} ms (median; ${fmt(Math.min(...t), 0)}-${fmt(Math.max(...t), 0)})`);
  });
}
