// Runs a compiled bench module in a node process of its own and returns the JSON it printed on the
// line starting with `marker`: its figures (heap, peak RSS, JIT state, GC history) then belong to
// that one run, not to whatever this process did before.
import { spawnSync } from "node:child_process";

export function runJsonChild<T>(script: string, args: readonly string[], marker: string, nodeFlags: readonly string[] = []): T {
  if (!script.endsWith(".js")) throw new Error(`${script}: run the compiled benchmark (npx tsc -p tsconfig.json; node dist/bench/bench.js)`);
  const r = spawnSync(process.execPath, [...nodeFlags, script, ...args], { encoding: "utf8", maxBuffer: 1 << 24 });
  const line = r.stdout?.split("\n").find((l) => l.startsWith(marker));
  if (r.status !== 0 || !line) {
    const command = ["node", ...nodeFlags, script].join(" ");
    throw new Error(`${command} failed (status ${r.status}): ${(r.stderr || r.stdout || String(r.error)).trim().slice(-2000)}`);
  }
  return JSON.parse(line.slice(marker.length)) as T;
}
