// Several windows from one app on Sway 1.12 (forky root): one Wayland connection (and its globals)
// and one Vulkan device shared by two presenters of different sizes, both frame loops running at
// once; each window, screenshotted with grim, must equal the headless render of its own last frame,
// and closing one leaves the other (and the shared connection) working.
import { describe, expect, it } from "vitest";
import { openWaylandPresenter } from "../../../src/present/wayland-open.js";
import { Connection } from "../../../src/wayland/connection.js";
import { Globals } from "../../../src/wayland/globals.js";
import { swayWindows, type SwayNode } from "../../../scripts/testbed/sway.js";
import { forkyBlock, forkyCompositorSkipReason } from "../../helpers/forky-bed.js";
import { differingPixels, headlessFrame, litPixels, runScene } from "./scenes.js";

const skip = forkyCompositorSkipReason("sway");
const FRAMES = 20;

describe.skipIf(skip)(`two windows on one connection and device, Sway 1.12${skip ? ` (skipped: ${skip})` : ""}`, () => {
  const ctx = forkyBlock("sway", { width: 640, height: 480 });

  it("each window shows its own frames; one closes, the other goes on", async () => {
    const connection = Connection.connect({ socket: ctx.bed.path });
    const globals = await Globals.fetch(connection);
    const device = ctx.gpu.createDevice();
    const sizes = { "dev.scanout.one": [300, 200], "dev.scanout.two": [200, 150] } as const;
    const [a, b] = await Promise.all(
      Object.entries(sizes).map(([appId, size]) => openWaylandPresenter(device, { size, connection, globals, appId, title: appId, mode: "shm" })),
    );
    try {
      expect(a!.window!.wayland.connection).toBe(b!.window!.wayland.connection);
      await Promise.all([runScene(a!, "triangle", 3), runScene(b!, "triangle", 3)]); // mapped (Sway's tree has them)
      await ctx.bed.swaymsg('[app_id="dev.scanout.one"] move position 10 10');
      await ctx.bed.swaymsg('[app_id="dev.scanout.two"] move position 400 250');
      await Promise.all([runScene(a!, "triangle", FRAMES), runScene(b!, "triangle", FRAMES)]);
      const tree = JSON.parse(await ctx.bed.swaymsg("", "get_tree")) as SwayNode;
      const shot = await ctx.bed.screenshot();
      for (const [appId, size] of Object.entries(sizes)) {
        const rect = swayWindows(tree).find((n) => n.app_id === appId)!.rect;
        expect([rect.width, rect.height], appId).toEqual(size);
        const ref = await headlessFrame(ctx.gpu, "triangle", size, FRAMES - 1);
        expect(litPixels(ref)).toBeGreaterThan(1000);
        expect(differingPixels(shot, ref, rect.x, rect.y), `${appId} at ${rect.x},${rect.y}`).toBe(0);
      }
      // one window closes; the other keeps presenting on the shared connection
      await a!.close();
      await runScene(b!, "triangle", 5);
      expect(connection.error).toBeUndefined();
    } finally {
      await a!.close();
      await b!.close();
      device.destroy();
      await connection.close();
    }
    expect(ctx.gpu.validationMessages).toEqual([]);
  }, 90_000);
});
