// Cache folders that every copy of the package, driver or device writes into would only grow:
// after writing one file, the oldest others go.
import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

/** Deletes all `.bin` files in `dir` but `keep` and the newest `others` (by modification time). Errors are the caller's. */
export function pruneCacheFolder(dir: string, keep: string, others: number): void {
  const files = readdirSync(dir)
    .filter((n) => n.endsWith(".bin"))
    .map((n) => join(dir, n))
    .filter((f) => f !== keep)
    .map((f) => ({ f, t: statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => b.t - a.t);
  for (const { f } of files.slice(others)) rmSync(f, { force: true });
}
