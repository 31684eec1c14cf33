// Files dragged onto a window on Sway 1.12 (forky root): a second window (another connection of
// ours, window.startDrag on a button press) drags a text/uri-list; the compositor's virtual pointer
// (a client of the test's own) presses, moves and releases. The target app must read drag-enter and
// drag-motion with the offered types, then a drop whose paths are the decoded files; the source
// learns the drop was taken.
import { describe, expect, it } from "vitest";
import type { DropEvent, InputEvent } from "../../src/input/index.js";
import { BTN_LEFT } from "../../src/input/index.js";
import { openWaylandPresenter } from "../../src/present/wayland-open.js";
import { swayWindows, type SwayNode } from "../../scripts/testbed/sway.js";
import { forkyBlock, forkyCompositorSkipReason } from "../helpers/forky-bed.js";
import { App } from "./wayland-app.js";
import { Injector } from "./wayland-inject.js";

const skip = forkyCompositorSkipReason("sway");
const URIS = "file:///home/user/My%20Pictures/cat.png\r\n# a comment\r\nfile:///tmp/notes.txt\r\nhttps://example.invalid/x\r\n";

describe.skipIf(skip)(`drag and drop on Sway 1.12${skip ? ` (skipped: ${skip})` : ""}`, () => {
  const ctx = forkyBlock("sway", { width: 640, height: 480 });

  it("a text/uri-list dropped on the window arrives as drag events and a drop with the files' paths", async () => {
    const open = (appId: string) => openWaylandPresenter(ctx.gpu.createDevice(), { size: [200, 150], socket: ctx.bed.path, appId, title: appId, mode: "shm" }, true);
    const src = await open("dev.scanout.dragsource");
    const dst = await open("dev.scanout.droptarget");
    let dragged: Promise<boolean> | undefined;
    const srcApp = new App(src, undefined, (ev) => {
      if (ev.type === "button-down") dragged = src.window!.startDrag({ "text/uri-list": URIS, "text/plain": "not this one" });
    });
    const dstApp = new App(dst);
    const inj = await Injector.connect(ctx.bed.path);
    try {
      await srcApp.until("frames", () => srcApp.frames > 3, 15_000);
      await dstApp.until("frames", () => dstApp.frames > 3, 15_000);
      await ctx.bed.swaymsg('[app_id="dev.scanout.dragsource"] move position 20 20');
      await ctx.bed.swaymsg('[app_id="dev.scanout.droptarget"] move position 350 250');
      const tree = JSON.parse(await ctx.bed.swaymsg("", "get_tree")) as SwayNode;
      const rect = (id: string) => swayWindows(tree).find((n) => n.app_id === id)!.rect;
      const [s, d] = [rect("dev.scanout.dragsource"), rect("dev.scanout.droptarget")];
      await inj.createPointer();
      await inj.moveTo(s.x + 50, s.y + 50, 640, 480);
      await srcApp.until("pointer on the source", () => srcApp.events.some((e) => e.type === "pointer-enter"), 10_000);
      await inj.button(BTN_LEFT, true);
      await srcApp.until("the press", () => dragged !== undefined, 10_000);
      // move in steps to the target's middle, then release
      const [tx, ty] = [d.x + 100, d.y + 75];
      for (let i = 1; i <= 8; i++) await inj.moveTo(s.x + 50 + ((tx - s.x - 50) * i) / 8, s.y + 50 + ((ty - s.y - 50) * i) / 8, 640, 480);
      await dstApp.until("drag-enter", () => dstApp.events.some((e) => e.type === "drag-enter"), 10_000);
      await inj.button(BTN_LEFT, false);
      await dstApp.until("the drop", () => dstApp.events.some((e) => e.type === "drop"), 10_000);
      const enter = dstApp.events.find((e) => e.type === "drag-enter") as InputEvent & { types: string[] };
      expect(enter.types).toEqual(["text/uri-list", "text/plain"]);
      const drop = dstApp.events.find((e) => e.type === "drop") as DropEvent;
      expect(drop.uris).toEqual(["file:///home/user/My%20Pictures/cat.png", "file:///tmp/notes.txt", "https://example.invalid/x"]);
      expect(drop.paths).toEqual(["/home/user/My Pictures/cat.png", "/tmp/notes.txt"]);
      expect(drop.x).toBeCloseTo(100, 0);
      expect(drop.y).toBeCloseTo(75, 0);
      expect(await dragged).toBe(true); // the source heard dnd_finished
    } finally {
      srcApp.stop();
      dstApp.stop();
      await Promise.all([srcApp.done.catch(() => {}), dstApp.done.catch(() => {})]);
      await inj.close();
      await src.close();
      await dst.close();
    }
    expect(ctx.gpu.validationMessages).toEqual([]);
  }, 120_000);
});
