// Runs a compiled bench module in a node process of its own and returns the JSON it printed on the
// line starting with `marker`: its figures (heap, peak RSS, JIT state, GC history) then belong to
// that one run, not to whatever this process did before.
import { execFile, spawnSync } from "node:child_process";

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

/**
 * runJsonChild while this process's event loop goes on (a compositor this process started keeps
 * having its log drained); `prefix` runs node under another command (e.g. `taskset -c 0`).
 */
export function runJsonChildInBackground<T>(script: string, args: readonly string[], marker: string, prefix: readonly string[] = []): Promise<T> {
  const command = [...prefix, process.execPath, script, ...args];
  return new Promise((resolve, reject) => {
    execFile(command[0]!, command.slice(1), { encoding: "utf8", maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      const line = stdout.split("\n").find((l) => l.startsWith(marker));
      if (error || !line) reject(new Error(`${command.join(" ")} failed: ${(stderr || stdout || String(error)).trim().slice(-2000)}`));
      else resolve(JSON.parse(line.slice(marker.length)) as T);
    });
  });
}
