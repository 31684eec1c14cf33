// Against a real Weston 14 (headless, pixman, kiosk): connection, registry, window, shm pixels on
// screen (checked with a screenshot), debug trace, protocol errors, close, and a killed compositor.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openFdCount } from "../../src/sys/libc.js";
import { CompositorUnreachableError, Connection, WaylandConnectionError, WaylandProtocolError } from "../../src/wayland/connection.js";
import { UnavailableError } from "../../src/util/errors.js";
import { Globals } from "../../src/wayland/globals.js";
import { WlShm, WlShmFormat } from "../../src/wayland/protocol/wayland.js";
import { chooseShmFormat, listenShmFormats, ShmSwapchain } from "../../src/wayland/shm.js";
import { WaylandWindow } from "../../src/wayland/window.js";
import { encodeMessage } from "../../src/wayland/wire.js";
import { startWeston, westonAvailable } from "../../scripts/testbed/weston.js";
import { westonFixture } from "./weston-fixture.js";

/** Four quadrants plus a horizontal ramp along the bottom rows: every region is distinguishable. */
function pattern(px: Uint8Array, w: number, h: number): void {
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      const [r, g, b] =
        y >= h - 16 ? [Math.floor((x * 255) / (w - 1)), 0, 0] : x < w / 2 ? (y < h / 2 ? [255, 0, 0] : [0, 0, 255]) : y < h / 2 ? [0, 255, 0] : [255, 255, 255];
      px[i] = b; // wl_shm XRGB8888 is little-endian: bytes B, G, R, X
      px[i + 1] = g;
      px[i + 2] = r;
      px[i + 3] = 255;
    }
}
const at = (png: { data: Buffer; width: number }, x: number, y: number) => {
  const i = (y * png.width + x) * 4;
  return [png.data[i], png.data[i + 1], png.data[i + 2]];
};

describe("connecting", () => {
  it("says clearly when WAYLAND_DISPLAY is unset, missing or refused", () => {
    const saved = { d: process.env.WAYLAND_DISPLAY, x: process.env.XDG_RUNTIME_DIR };
    const dir = mkdtempSync(join(tmpdir(), "scanout-wl-none-"));
    try {
      delete process.env.WAYLAND_DISPLAY;
      expect(() => Connection.connect()).toThrow(/WAYLAND_DISPLAY is not set/);
      process.env.WAYLAND_DISPLAY = "wayland-nope";
      delete process.env.XDG_RUNTIME_DIR;
      expect(() => Connection.connect()).toThrow(/XDG_RUNTIME_DIR is not set/);
      process.env.XDG_RUNTIME_DIR = dir;
      expect(() => Connection.connect()).toThrow(new RegExp(`${dir}/wayland-nope: no such socket`));
      writeFileSync(join(dir, "not-a-socket"), "");
      // "no compositor here" is an UnavailableError, so openPresenter's automatic choice moves on past it
      expect(() => Connection.connect({ socket: join(dir, "not-a-socket") })).toThrow(CompositorUnreachableError);
      expect(() => Connection.connect({ socket: join(dir, "not-a-socket") })).toThrow(UnavailableError);
    } finally {
      process.env.WAYLAND_DISPLAY = saved.d;
      process.env.XDG_RUNTIME_DIR = saved.x;
      if (saved.d === undefined) delete process.env.WAYLAND_DISPLAY;
      if (saved.x === undefined) delete process.env.XDG_RUNTIME_DIR;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!westonAvailable)("against Weston (headless, pixman)", () => {
  const bed = westonFixture();

  it("reuses an object id only after the compositor's delete_id", async () => {
    const c = Connection.connect({ socket: bed.weston.path });
    try {
      const cb = c.display.sync();
      // Not yet acknowledged: the next object must get a fresh id.
      const other = c.display.sync();
      expect(other.id).not.toBe(cb.id);
      expect(c.objects.get(cb.id)).toBe(cb);
      await Promise.all([c.callbackDone(cb), c.callbackDone(other)]);
      await c.roundtrip(); // the delete_id events follow the done events
      expect(cb.destroyed).toBe(true);
      expect(c.objects.has(cb.id)).toBe(false);
      // Now the freed ids come back (last freed first).
      const reused = c.display.sync();
      expect([cb.id, other.id]).toContain(reused.id);
      await c.callbackDone(reused);
    } finally {
      await c.close();
    }
  });

  it("lists globals, binds at the negotiated version and round-trips", async () => {
    const c = Connection.connect({ socket: bed.weston.path });
    try {
      const g = await Globals.fetch(c);
      const names = [...g.list.values()].map((x) => x.interface);
      expect(names).toEqual(expect.arrayContaining(["wl_compositor", "wl_shm", "xdg_wm_base", "wp_presentation"]));
      const shm = g.bind(WlShm);
      expect(shm.version).toBe(Math.min(g.find("wl_shm")!.version, WlShm.spec.version));
      const formats = listenShmFormats(shm);
      await c.roundtrip();
      expect(formats.has(WlShmFormat.xrgb8888)).toBe(true);
      expect(formats.has(WlShmFormat.argb8888)).toBe(true);
    } finally {
      await c.close();
    }
  });

  it("shows an xdg_toplevel's shm pixels on screen (screenshot) and traces messages in order", async () => {
    const lines: string[] = [];
    // name relative to XDG_RUNTIME_DIR, as a user's WAYLAND_DISPLAY would be
    const saved = process.env.XDG_RUNTIME_DIR;
    process.env.XDG_RUNTIME_DIR = bed.weston.runtimeDir;
    let win: WaylandWindow;
    try {
      win = await WaylandWindow.open({ socket: bed.weston.socket, title: "scanout test", appId: "dev.scanout.test", size: [320, 240] });
    } finally {
      process.env.XDG_RUNTIME_DIR = saved;
    }
    win.connection.trace = (l) => lines.push(l);
    try {
      // kiosk makes the window fill the output: the configure size wins over our 320x240 wish
      expect([win.width, win.height]).toEqual([640, 480]);
      const shm = win.globals.bind(WlShm);
      const formats = listenShmFormats(shm);
      await win.connection.roundtrip();
      const chain = new ShmSwapchain(win.connection, shm, win.width, win.height, chooseShmFormat(formats));
      const buf = await chain.acquire();
      pattern(buf.pixels, buf.width, buf.height);
      win.applyConfigure();
      chain.markAttached(buf, 0);
      const frameTime = await win.present(buf.wlBuffer, 0);
      expect(typeof frameTime).toBe("number");
      const png = await bed.weston.screenshot();
      expect([png.width, png.height]).toEqual([640, 480]);
      expect(at(png, 100, 100)).toEqual([255, 0, 0]);
      expect(at(png, 500, 100)).toEqual([0, 255, 0]);
      expect(at(png, 100, 400)).toEqual([0, 0, 255]);
      expect(at(png, 500, 400)).toEqual([255, 255, 255]);
      expect(at(png, 0, 470)).toEqual([0, 0, 0]);
      expect(at(png, 639, 470)).toEqual([255, 0, 0]);
      expect(at(png, 320, 470)[0]).toBeCloseTo(128, -1);
      // trace: attach, then frame, then commit, in the order sent
      const iAttach = lines.findIndex((l) => /^-> wl_surface#\d+\.attach\(wl_buffer#\d+, 0, 0\)$/.test(l));
      const iFrame = lines.findIndex((l) => /^-> wl_surface#\d+\.frame\(new id wl_callback#\d+\)$/.test(l));
      const iCommit = lines.findIndex((l, i) => i > iFrame && /^-> wl_surface#\d+\.commit\(\)$/.test(l));
      const iDone = lines.findIndex((l, i) => i > iCommit && /^<- wl_callback#\d+\.done\(\d+\)$/.test(l));
      expect(iAttach).toBeGreaterThanOrEqual(0);
      expect(iAttach).toBeLessThan(iFrame);
      expect(iFrame).toBeLessThan(iCommit);
      expect(iCommit).toBeLessThan(iDone);
      // the next frame reuses only a buffer the compositor does not hold
      const second = await chain.acquire();
      expect(second).not.toBe(buf);
      chain.cancel(second);
      chain.retire();
    } finally {
      await win.close();
    }
  });

  it("turns wl_display.error into a WaylandProtocolError naming object, interface and code", async () => {
    const c = Connection.connect({ socket: bed.weston.path });
    try {
      const g = await Globals.fetch(c);
      const shm = g.bind(WlShm);
      shm.create_pool(0, -1); // fd 0 is ours (stdin); size -1 is invalid: wl_shm.error invalid_stride
      const pending = c.roundtrip();
      const err = await pending.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WaylandProtocolError);
      const pe = err as WaylandProtocolError;
      expect(pe.interfaceName).toBe("wl_shm");
      expect(pe.objectId).toBe(shm.id);
      expect(pe.code).toBe(WlShm.spec.enums.error!.invalid_stride);
      expect(pe.message).toMatch(/wl_shm#\d+: code 1 \(invalid_stride\)/);
      await expect(c.roundtrip()).rejects.toBe(err);
      await expect(c.closed).rejects.toBe(err);
    } finally {
      await c.close();
    }
  });

  it("ends the frame loop cleanly when the toplevel is closed", async () => {
    const win = await WaylandWindow.open({ socket: bed.weston.path, title: "close me" });
    try {
      const shm = win.globals.bind(WlShm);
      const formats = listenShmFormats(shm);
      await win.connection.roundtrip();
      const chain = new ShmSwapchain(win.connection, shm, win.width, win.height, chooseShmFormat(formats));
      let frames = 0;
      const loop = (async () => {
        while (!win.closeRequested) {
          win.applyConfigure();
          const b = await chain.acquire();
          pattern(b.pixels, b.width, b.height);
          chain.markAttached(b, frames);
          await win.present(b.wlBuffer, frames);
          frames++;
          // Weston headless has no seat, so nobody can click close: inject the event the
          // compositor would send, as bytes through the same parser, after a few frames.
          if (frames === 3) {
            const fds: number[] = [];
            win.connection.feed(encodeMessage(win.toplevel.id, 1, win.toplevel.spec.events[1]!, [], fds), []);
          }
        }
      })();
      await loop;
      expect(frames).toBe(3);
      expect(win.closeRequested).toBe(true);
      await win.closeRequest;
      chain.retire();
    } finally {
      await win.close();
    }
  });
});

describe.skipIf(!westonAvailable)("when the compositor dies", () => {
  it("reports a clear error, does not hang and releases every descriptor", async () => {
    const before = openFdCount();
    const weston = await startWeston();
    try {
      const win = await WaylandWindow.open({ socket: weston.path, title: "doomed" });
      const shm = win.globals.bind(WlShm);
      const formats = listenShmFormats(shm);
      await win.connection.roundtrip();
      const chain = new ShmSwapchain(win.connection, shm, win.width, win.height, chooseShmFormat(formats));
      let frames = 0;
      const loop = (async () => {
        for (;;) {
          win.applyConfigure();
          const b = await chain.acquire();
          chain.markAttached(b, frames);
          await win.present(b.wlBuffer, frames);
          if (++frames === 2) weston.process.kill("SIGKILL");
        }
      })();
      const err = await loop.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WaylandConnectionError);
      expect((err as Error).message).toMatch(/compositor closed the connection/);
      chain.retire(true);
      await win.close();
      // Once the killed process is gone, its stale socket is left behind: connecting is refused,
      // with a message that says so. (Our side can see the hang-up before the kernel has closed
      // the dead process's listening socket, so wait for the exit first.)
      if (weston.process.exitCode === null && weston.process.signalCode === null) {
        await new Promise((resolve) => weston.process.once("exit", resolve));
      }
      expect(() => Connection.connect({ socket: weston.path })).toThrow(/connection refused/);
    } finally {
      await weston.stop();
    }
    await new Promise((r) => setTimeout(r, 50)); // the pool thread hands the socket back
    expect(openFdCount()).toBe(before);
  });
});
