// The demo's keys in a window, as a user presses them: `npm run demo` (dist/examples/demo.js) on
// forky's Sway 1.12 as a process of its own, keys and pointer from the compositor's virtual keyboard
// and pointer (a client of the test's own, test/input/wayland-inject.ts). Ctrl+V prints what
// wl-copy put on the clipboard, Ctrl+C puts the status line there (read back with wl-paste), and m
// toggles mouse-look: while it is on, relative motion turns the camera (the window's pixels change
// as the pointer moves); once off, the same motion leaves the picture alone.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PNG } from "pngjs";
import { swayWindows, type SwayNode } from "../../scripts/testbed/sway.js";
import { type ForkyBed, forkyCompositorSkipReason, forkyRoot, startForky } from "../helpers/forky-bed.js";
import { example } from "../helpers/example-process.js";
import { Injector } from "../input/wayland-inject.js";

const KEY = { ESC: 1, LEFTCTRL: 29, C: 46, V: 47, M: 50 };
const skip = forkyCompositorSkipReason("sway") ?? (existsSync(join(forkyRoot ?? "/nonexistent", "usr/bin/wl-copy")) ? undefined : "the forky root lacks wl-clipboard");

/** The window's pixels (RGBA rows) cut out of a screenshot. */
function crop(png: PNG, r: SwayNode["rect"]): Buffer {
  const rows: Buffer[] = [];
  for (let y = r.y; y < r.y + r.height; y++) rows.push(Buffer.from(png.data.subarray((y * png.width + r.x) * 4, (y * png.width + r.x + r.width) * 4)));
  return Buffer.concat(rows);
}

/** How many pixels differ between two crops. */
function differing(a: Buffer, b: Buffer): number {
  let n = 0;
  for (let i = 0; i < a.length; i += 4) if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) n++;
  return n;
}

describe.skipIf(skip)(`the demo's keys on Sway 1.12${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let bed: ForkyBed;
  beforeAll(async () => {
    bed = await startForky("sway", { width: 640, height: 480 });
  }, 90_000);
  afterAll(async () => bed?.stop());

  it("Ctrl+V prints the paste, Ctrl+C copies the status line, m toggles mouse-look, Esc quits", async () => {
    // a frozen clock (--time): only the camera can change the picture
    const demo = example({ socket: bed.path, runtimeDir: bed.runtimeDir }, ["dist/examples/demo.js", "--frames", "0", "--time", "1", "--size", "320x240", "--validation"]);
    const inj = await Injector.connect(bed.path);
    try {
      let rect: SwayNode["rect"] | undefined;
      for (let i = 0; i < 600 && !rect?.width; i++) {
        rect = swayWindows(JSON.parse(await bed.swaymsg("", "get_tree")) as SwayNode).find((n) => n.app_id === "dev.scanout")?.rect;
        if (!rect?.width) await new Promise((r) => setTimeout(r, 100));
      }
      expect(rect?.width, demo.output()).toBeGreaterThan(0);
      await inj.createKeyboard("us");
      await inj.createPointer();
      await inj.moveTo(rect!.x + rect!.width / 2, rect!.y + rect!.height / 2, 640, 480);

      // Ctrl+V: tapped until the demo has bound the new keyboard and answers
      await bed.exec(["sh", "-c", "wl-copy 'Grüße from wl-copy' >/dev/null 2>>wl-copy.log"], { timeoutMs: 20_000 });
      for (let i = 0; ; i++) {
        await inj.tap(KEY.LEFTCTRL, KEY.V);
        try {
          await demo.line(/pasted: Grüße from wl-copy\n/, 2000);
          break;
        } catch (e) {
          if (i === 9) throw e;
        }
      }

      // Ctrl+C: the status line, read back by wl-paste
      await inj.tap(KEY.LEFTCTRL, KEY.C);
      await demo.line(/copied: (.*)\n/);
      const copied = /copied: (.*)\n/.exec(demo.output())![1]!;
      expect(copied).toMatch(/^scanout mesh on wayland-(shm|dmabuf), 320x240, frame \d+, [\d.]+ frames\/s$/);
      expect((await bed.exec(["wl-paste", "-n"], { timeoutMs: 20_000 })).toString()).toBe(copied);

      // m: the pointer locks, and relative motion turns the camera
      const shot = async () => {
        await new Promise((r) => setTimeout(r, 400)); // a few frames
        return crop(await bed.screenshot(), rect!);
      };
      const moveRight = async () => {
        for (let i = 0; i < 4; i++) await inj.moveBy(30, 0);
      };
      await inj.tap(KEY.M);
      await demo.line(/mouse-look: on/);
      await demo.line(/mouse-look: pointer locked/, 10_000);
      const before = await shot();
      await moveRight();
      const turned = await shot();
      expect(differing(before, turned)).toBeGreaterThan(before.length / 4 / 20); // over 5% of the window changed

      // m again: released, and the same motion moves only the pointer
      await inj.tap(KEY.M);
      await demo.line(/mouse-look: off/);
      await demo.line(/mouse-look: pointer released/, 10_000);
      const still = await shot();
      await moveRight();
      expect(differing(still, await shot())).toBe(0);

      await inj.tap(KEY.ESC);
      expect(await demo.exit, demo.output()).toBe(0);
      expect(demo.output()).not.toMatch(/validation/i);
    } finally {
      demo.child.kill("SIGTERM");
      await demo.exit;
      await inj.close();
    }
  }, 180_000);
});
