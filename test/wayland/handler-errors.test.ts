// An application's event handler that throws, against a real Weston: the error reaches the caller
// as WaylandHandlerError naming interface and event, with the handler's own error as `cause`. It is
// neither a protocol nor a wire error, and the connection goes on working (the bytes were fine).
import { describe, expect, it } from "vitest";
import { Connection, WaylandHandlerError } from "../../src/wayland/connection.js";
import { Globals } from "../../src/wayland/globals.js";
import { WlShm } from "../../src/wayland/protocol/wayland.js";
import { chooseShmFormat, listenShmFormats, ShmSwapchain } from "../../src/wayland/shm.js";
import { WaylandWindow } from "../../src/wayland/window.js";
import { westonAvailable } from "../../scripts/testbed/weston.js";
import { westonFixture } from "./weston-fixture.js";

const settle = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

describe.skipIf(!westonAvailable)("a throwing event handler", () => {
  // the desktop shell answers set_maximized with a configure; kiosk keeps every window fullscreen
  const bed = westonFixture({ shell: "desktop" });

  it("wl_callback.done: the waiting round trip rejects with the handler's error; the connection lives on", async () => {
    const c = Connection.connect({ socket: bed.weston.path });
    try {
      const bug = new TypeError("app bug in done");
      c.display.sync().listen({
        done: () => {
          throw bug;
        },
      });
      const err = await settle(c.roundtrip()); // its done comes after the throwing one
      expect(err).toBeInstanceOf(WaylandHandlerError);
      const he = err as WaylandHandlerError;
      expect(he.message).toBe("wl_callback.done handler threw: app bug in done");
      expect(he.cause).toBe(bug);
      expect([he.interfaceName, he.event]).toEqual(["wl_callback", "done"]);
      expect(c.error).toBeUndefined();
      // still a working connection: a round trip, and a global bound with its events received
      await c.roundtrip();
      const g = await Globals.fetch(c);
      const formats = listenShmFormats(g.bind(WlShm));
      await c.roundtrip();
      expect(formats.size).toBeGreaterThan(1);
    } finally {
      await c.close();
    }
  });

  it("with nobody waiting, the next wait gets the error, once", async () => {
    const c = Connection.connect({ socket: bed.weston.path });
    try {
      c.display.sync().listen({
        done: () => {
          throw new Error("late bug");
        },
      });
      await c.flush();
      // no waiter: watch the dispatch counter until the callback's done has been handled
      const deadline = Date.now() + 5000;
      while (c.stats.received < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(c.stats.received).toBeGreaterThanOrEqual(1);
      await expect(c.roundtrip()).rejects.toThrow("wl_callback.done handler threw: late bug");
      await c.roundtrip();
      expect(c.error).toBeUndefined();
    } finally {
      await c.close();
    }
  });

  it("xdg_toplevel.configure: the error names the event, and later events are still dispatched", async () => {
    const win = await WaylandWindow.open({ socket: bed.weston.path, title: "handler bug", size: [320, 240] });
    try {
      const shm = win.globals.bind(WlShm);
      const formats = listenShmFormats(shm);
      await win.connection.roundtrip();
      const chain = new ShmSwapchain(win.connection, shm, win.width, win.height, chooseShmFormat(formats));
      const first = await chain.acquire();
      chain.markAttached(first, 0);
      await win.present(first.wlBuffer, 0); // mapped: the shell now answers state requests

      win.toplevel.on("configure", (w, h) => {
        throw new RangeError(`app cannot handle ${w}x${h}`);
      });
      win.toplevel.set_maximized();
      win.surface.commit();
      // the shell answers a little later: wait for whatever fails first, or 5 s
      const timeout = new Promise((r) => setTimeout(() => r("no configure within 5 s"), 5000));
      const err = await Promise.race([settle(win.connection.waitFor<never>(() => {})), timeout]);
      expect(err).toBeInstanceOf(WaylandHandlerError);
      expect((err as Error).message).toMatch(/^xdg_toplevel\.configure handler threw: app cannot handle \d+x\d+$/);
      expect((err as Error).cause).toBeInstanceOf(RangeError);
      expect(win.connection.error).toBeUndefined();
      // xdg_surface.configure, right after the failed one, was handled: a configure waits to be acked
      expect(win.configurePending).toBe(true);
      // (not acked: the handler that would have taken the new size failed, so we stay as we are)
      const next = await chain.acquire();
      chain.markAttached(next, 1);
      expect(typeof (await win.present(next.wlBuffer, 1))).toBe("number"); // the compositor still shows our frames
      chain.retire(true);
    } finally {
      await win.close();
    }
  });
});
