// Runs a compiled bench module in a node process of its own and returns the JSON it printed on the
// line starting with `marker`: its figures (heap, peak RSS, JIT state, GC history) then belong to
// that one run, not to whatever this process did before.
import { execFile, spawnSync } from "node:child_process";

export function runJsonChild<T>(script: string, args: readonly string[], marker: string, nodeFlags: readonly string[] = []): T {
  if (!script.endsWith(".js")) throw new Error(`${script}: run the compiled benchmark (npx tsc -p tsconfig.json; node dist/bench/bench.js)`);
  const r = spawnSync(process.execPath, [...nodeFlags, script, ...args], { encoding: "utf8", maxBuffer: 1 << 24 });
  return resultOf<T>(["node", ...nodeFlags, script], r.status === 0, r.stdout ?? "", r.stderr ?? "", r.error, marker);
}

/** The JSON after `marker` in a child's stdout; an Error naming the command and its last output when it failed or printed none. */
function resultOf<T>(command: readonly string[], ok: boolean, stdout: string, stderr: string, error: unknown, marker: string): T {
  const line = stdout.split("\n").find((l) => l.startsWith(marker));
  if (!ok || !line) throw new Error(`${command.join(" ")} failed: ${(stderr || stdout || String(error)).trim().slice(-2000)}`);
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
      try {
        resolve(resultOf<T>(command, !error, stdout, stderr, error, marker));
      } catch (e) {
        reject(e as Error);
      }
    });
  });
}
