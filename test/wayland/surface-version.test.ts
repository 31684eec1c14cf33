// wl_compositor is bound at min(offered, MAX_COMPOSITOR_VERSION = 6): v4 brings wl_surface.damage_buffer,
// which the window then uses, v6 preferred_buffer_scale; below v4 it damages in surface coordinates instead. Checked on the wire (the trace)
// and on screen (a screenshot) against a real Weston.
import { describe, expect, it } from "vitest";
import { Connection } from "../../src/wayland/connection.js";
import { Globals } from "../../src/wayland/globals.js";
import { WlShm } from "../../src/wayland/protocol/wayland.js";
import { chooseShmFormat, listenShmFormats, ShmSwapchain } from "../../src/wayland/shm.js";
import { MAX_COMPOSITOR_VERSION, WaylandWindow } from "../../src/wayland/window.js";
import { type Weston, westonAvailable } from "../../scripts/testbed/weston.js";
import { westonFixture } from "./weston-fixture.js";

/** Opens a window on a traced connection, shows one frame of `rgb`; returns the trace, the window and the screen's colour. */
async function showFrame(weston: Weston, rgb: [number, number, number], adjust?: (g: Globals) => void) {
  const connection = Connection.connect({ socket: weston.path });
  const lines: string[] = [];
  connection.trace = (l) => lines.push(l);
  const globals = await Globals.fetch(connection);
  adjust?.(globals);
  const win = await WaylandWindow.open({ connection, globals, title: "damage" });
  const shm = win.globals.bind(WlShm);
  const formats = listenShmFormats(shm);
  await connection.roundtrip();
  const chain = new ShmSwapchain(connection, shm, win.width, win.height, chooseShmFormat(formats));
  const buf = await chain.acquire();
  for (let i = 0; i < buf.pixels.length; i += 4) buf.pixels.set([rgb[2], rgb[1], rgb[0], 255], i); // B, G, R, X
  chain.markAttached(buf, 0);
  win.applyConfigure();
  await win.present(buf.wlBuffer, 0);
  const shot = await weston.screenshot();
  chain.retire(true);
  await win.close();
  await connection.close();
  const shown = [shot.data[0], shot.data[1], shot.data[2]];
  return { lines, win, shown, width: win.width, height: win.height };
}

describe.skipIf(!westonAvailable)("wl_compositor version and surface damage", () => {
  const bed = westonFixture();

  it("binds min(offered, ours) and damages with damage_buffer", async () => {
    let offered = 0;
    const r = await showFrame(bed.weston, [0, 255, 0], (g) => (offered = g.find("wl_compositor")!.version));
    const bound = Math.min(offered, MAX_COMPOSITOR_VERSION);
    expect(bound).toBeGreaterThanOrEqual(4);
    expect(r.win.compositor.version).toBe(bound);
    expect(r.win.surface.version).toBe(bound);
    expect(r.lines).toContainEqual(expect.stringMatching(new RegExp(`^-> wl_registry#\\d+\\.bind\\(\\d+, new id wl_compositor#\\d+ v${bound}\\)$`)));
    expect(r.lines).toContain(`-> ${r.win.surface}.damage_buffer(0, 0, ${r.width}, ${r.height})`);
    expect(r.lines.some((l) => l.includes(".damage("))).toBe(false);
    expect(r.shown).toEqual([0, 255, 0]);
  });

  it("falls back to wl_surface.damage when the compositor offers less than v4", async () => {
    // Every Weston offers v5+, so the older compositor is simulated by lowering what the registry
    // advertised; the bind and every request after it go to the real Weston.
    const r = await showFrame(bed.weston, [0, 0, 255], (g) => (g.find("wl_compositor")!.version = 3));
    expect(r.win.surface.version).toBe(3);
    expect(r.lines).toContain(`-> ${r.win.surface}.damage(0, 0, ${r.width}, ${r.height})`);
    expect(r.lines.some((l) => l.includes(".damage_buffer("))).toBe(false);
    expect(r.shown).toEqual([0, 0, 255]);
  });
});
