// DirectoryWatch (sys/inotify.ts), what libinput's path backend follows /dev/input with: on a real
// temporary directory, entries created, moved in, changed and deleted are reported by name with the
// right IN_* bit; a directory that does not exist fails with a SysError naming the call and path;
// close() releases the descriptor.
import { mkdtempSync, renameSync, rmSync, writeFileSync, chmodSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DirectoryWatch, IN_ATTRIB, IN_CREATE, IN_DELETE, IN_MOVED_TO, type DirectoryChange } from "../../src/sys/inotify.js";
import { openFdCount, SysError } from "../../src/sys/libc.js";

describe("DirectoryWatch", () => {
  let dir: string | undefined;
  let watch: DirectoryWatch | undefined;
  afterEach(() => {
    watch?.close();
    watch = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  /** Changes until `until` says the ones seen so far are enough (or 2 s pass). */
  const collect = (until: (seen: DirectoryChange[]) => boolean) => {
    const seen: DirectoryChange[] = [];
    let wake: () => void = () => {};
    const done = new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out; seen ${JSON.stringify(seen)}`)), 2000);
      wake = () => {
        if (until(seen)) {
          clearTimeout(t);
          resolve();
        }
      };
    });
    return { seen, done, add: (changes: readonly DirectoryChange[]) => (seen.push(...changes), wake()) };
  };

  it("reports created, moved-in, changed and deleted entries by name", async () => {
    dir = mkdtempSync(join(tmpdir(), "inotify-"));
    const c = collect((seen) => seen.some((s) => s.name === "event7" && s.mask & IN_DELETE));
    watch = new DirectoryWatch(dir, IN_CREATE | IN_DELETE | IN_ATTRIB | IN_MOVED_TO, c.add);
    writeFileSync(join(dir, "event5"), "");
    chmodSync(join(dir, "event5"), 0o600);
    writeFileSync(join(dir, "..tmp"), "");
    renameSync(join(dir, "..tmp"), join(dir, "event6"));
    writeFileSync(join(dir, "event7"), "");
    unlinkSync(join(dir, "event7"));
    await c.done;
    const has = (name: string, bit: number) => c.seen.some((s) => s.name === name && (s.mask & bit) !== 0);
    expect(has("event5", IN_CREATE)).toBe(true);
    expect(has("event5", IN_ATTRIB)).toBe(true);
    expect(has("event6", IN_MOVED_TO)).toBe(true);
    expect(has("event7", IN_CREATE)).toBe(true);
    expect(has("event7", IN_DELETE)).toBe(true);
  });

  it("a missing directory is a SysError naming inotify_add_watch and the path, and leaks no descriptor", () => {
    const before = openFdCount();
    const missing = join(tmpdir(), "inotify-does-not-exist");
    let error: unknown;
    try {
      new DirectoryWatch(missing, IN_CREATE, () => {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SysError);
    expect((error as SysError).message).toBe(`inotify_add_watch (${missing}): ENOENT`);
    expect(openFdCount()).toBe(before);
  });

  it("close() releases the descriptor, and nothing is reported after it", async () => {
    dir = mkdtempSync(join(tmpdir(), "inotify-"));
    const before = openFdCount();
    const seen: DirectoryChange[] = [];
    const w = new DirectoryWatch(dir, IN_CREATE, (changes) => seen.push(...changes));
    expect(openFdCount()).toBe(before + 1);
    w.close();
    w.close(); // idempotent
    expect(openFdCount()).toBe(before);
    writeFileSync(join(dir, "event9"), "");
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([]);
  });
});
