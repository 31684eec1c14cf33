// The user's cursor theme where the compositor has no cursor-shape-v1 (Sway 1.7, wlroots 0.15):
// a theme of the test's own (XCURSOR_PATH, XCURSOR_THEME, XCURSOR_SIZE; its cursor inherited from
// a parent theme) must be what the screen shows at the pointer, pixel for pixel, with its hotspot
// at the pointer's position (Sway's headless output draws the cursor, grim sees it).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openWaylandPresenter } from "../../src/present/wayland-open.js";
import { swaySkipReason } from "../../scripts/testbed/sway.js";
import { swayBed } from "../helpers/sway-bed.js";
import { App, windowRect } from "./wayland-app.js";
import { Injector } from "./wayland-inject.js";

const APP = "dev.scanout.xcursor";
const skip = swaySkipReason;
const [W, H, HX, HY] = [20, 20, 5, 7];

/** An XCursor file of one W x H image (nominal size 32), opaque magenta with a green first row. */
function cursorFile(): Buffer {
  const chunk = Buffer.alloc(36 + W * H * 4);
  [36, 0xfffd0002, 32, 1, W, H, HX, HY, 0].forEach((v, i) => chunk.writeUInt32LE(v, i * 4));
  for (let i = 0; i < W * H; i++) chunk.set(i < W ? [0, 255, 0, 255] : [255, 0, 255, 255], 36 + i * 4); // B, G, R, A
  const head = Buffer.alloc(28);
  head.write("Xcur", 0, "latin1");
  [16, 0x10000, 1, 0xfffd0002, 32, 28].forEach((v, i) => head.writeUInt32LE(v, 4 + i * 4));
  return Buffer.concat([head, chunk]);
}

const root = mkdtempSync(join(tmpdir(), "scanout-cursors-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(skip)(`cursor theme on Sway 1.7${skip ? ` (skipped: ${skip})` : ""}`, () => {
  const bed = swayBed({ width: 640, height: 480 });

  it("shows the theme's image at the pointer, hotspot on the pointer's position", async () => {
    mkdirSync(join(root, "parent/cursors"), { recursive: true });
    mkdirSync(join(root, "test-theme"), { recursive: true });
    writeFileSync(join(root, "test-theme/index.theme"), "[Icon Theme]\nInherits=parent\n");
    writeFileSync(join(root, "parent/cursors/left_ptr"), cursorFile());
    Object.assign(process.env, { XCURSOR_PATH: root, XCURSOR_THEME: "test-theme", XCURSOR_SIZE: "32" });
    const out = await openWaylandPresenter(bed.gpu.createDevice(), { size: [320, 240], socket: bed.sway.path, title: "xcursor", appId: APP, mode: "shm" }, true);
    const app = new App(out);
    const inj = await Injector.connect(bed.sway.path);
    try {
      const rect = await windowRect(bed.sway, APP);
      await app.until("first frames", () => app.frames > 3);
      await inj.createPointer();
      const [px, py] = [rect.x + 150, rect.y + 100];
      await inj.moveTo(px, py, 640, 480);
      await app.until("pointer-enter", () => app.events.some((e) => e.type === "pointer-enter"));
      const at = app.frames;
      await app.until("a few frames", () => app.frames > at + 4);
      const shot = await bed.sway.screenshot();
      const rgb = (x: number, y: number) => [...shot.data.subarray((y * shot.width + x) * 4, (y * shot.width + x) * 4 + 3)];
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++) expect(rgb(px - HX + x, py - HY + y), `cursor pixel ${x},${y}`).toEqual(y === 0 ? [0, 255, 0] : [255, 0, 255]);
      expect(rgb(px - HX - 1, py - HY + 5)).not.toEqual([255, 0, 255]); // and no wider
    } finally {
      app.stop();
      await app.done.catch(() => {});
      await inj.close();
      await out.close();
    }
    expect(bed.gpu.validationMessages).toEqual([]);
  });
});
