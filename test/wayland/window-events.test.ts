// The window's listener sets against a real Weston 14: each listener hears events until its
// unsubscribe, `presented` carries the frame given to present(), and configures arrive and change
// states. States and transforms no test bed sends (suspended, constrained_*, values newer than our
// XML) are fed through the real parser on the same connection: a fake for events Weston does not make.
import { describe, expect, it } from "vitest";
import { WlOutputTransform, WlShm, WlSurface } from "../../src/wayland/protocol/wayland.js";
import { XdgToplevelState, XdgWmBase } from "../../src/wayland/protocol/xdg-shell.js";
import { chooseShmFormat, listenShmFormats, ShmSwapchain } from "../../src/wayland/shm.js";
import type { ToplevelState } from "../../src/wayland/toplevel-state.js";
import { type OutputTransform, type PresentedEvent, WaylandWindow } from "../../src/wayland/window.js";
import { encodeMessage } from "../../src/wayland/wire.js";
import { westonAvailable } from "../../scripts/testbed/weston.js";
import { westonFixture } from "./weston-fixture.js";

/** Waits (the connection reads on its own) until `done()` holds, at most 5 s. */
async function until(what: string, done: () => boolean): Promise<void> {
  const end = performance.now() + 5000;
  while (!done()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A uint32 array as xdg_toplevel.configure's states argument carries it. */
function u32s(values: number[], extraBytes = 0): Uint8Array {
  const a = new Uint8Array(values.length * 4 + extraBytes);
  values.forEach((v, i) => new DataView(a.buffer).setUint32(i * 4, v, true));
  return a;
}

/** Opens a window with an shm chain; `show(frame)` presents one frame labelled `frame`. */
async function openShown(socket: string) {
  const win = await WaylandWindow.open({ socket, title: "listeners", size: [200, 150] });
  const shm = win.globals.bind(WlShm);
  const formats = listenShmFormats(shm);
  await win.connection.roundtrip();
  const chain = new ShmSwapchain(win.connection, shm, win.width, win.height, chooseShmFormat(formats));
  const show = async (frame: number) => {
    win.applyConfigure();
    const b = await chain.acquire();
    chain.markAttached(b, frame);
    return win.present(b.wlBuffer, frame);
  };
  const close = async () => {
    chain.retire(true);
    await win.close();
  };
  return { win, show, close };
}

describe.skipIf(!westonAvailable)("WaylandWindow listener sets", () => {
  const bed = westonFixture({ shell: "desktop" });

  it("presented: every listener hears each frame, with the frame present() was given, until it unsubscribes", async () => {
    const { win, show, close } = await openShown(bed.weston.path);
    try {
      expect(win.presentation, "Weston offers wp_presentation").toBeDefined();
      const kept: PresentedEvent[] = [];
      const dropped: PresentedEvent[] = [];
      win.presented.add((e) => kept.push(e));
      const stop = win.presented.add((e) => dropped.push(e));
      await show(7);
      await until("frame 7's feedback", () => kept.length === 1);
      stop();
      stop(); // a second call is harmless
      await show(8);
      await until("frame 8's feedback", () => kept.length === 2);
      expect(kept.map((e) => e.frame)).toEqual([7, 8]);
      expect(dropped.map((e) => e.frame)).toEqual([7]);
      // shown after it was committed, on the performance.now() clock, a refresh of Weston's 60 Hz
      expect(kept[1]!.atMs!).toBeGreaterThan(kept[0]!.atMs!);
      expect(kept[1]!.atMs!).toBeLessThanOrEqual(performance.now());
      expect(kept[0]!.refreshNs).toBeGreaterThan(0);
      expect(win.presentationStats.presented).toBe(2);
    } finally {
      await close();
    }
  });

  it("configureArrived and statesChanged: a removed listener is not called, the others are", async () => {
    const { win, show, close } = await openShown(bed.weston.path);
    try {
      await show(0); // mapped: the shell now answers state requests
      let removed = 0;
      const arrivals: number[] = [];
      const changes: ReadonlySet<ToplevelState>[] = [];
      win.configureArrived.add(() => arrivals.push(performance.now()));
      win.configureArrived.add(() => removed++)();
      win.statesChanged.add((s) => changes.push(s));
      win.statesChanged.add(() => removed++)();
      win.setMaximized(true);
      await until("the maximize configure", () => arrivals.length > 0);
      expect(changes).toEqual([]); // not applied yet: states change when the configure is acked
      expect(win.configurePending).toBe(true);
      expect(win.applyConfigure()).toBe(true); // maximized: a new size
      expect(changes.map((s) => [...s].sort())).toEqual([[...win.states].sort()]);
      expect(win.states.has("maximized")).toBe(true);
      expect(removed).toBe(0);
    } finally {
      await close();
    }
  });

  it("binds xdg_wm_base at the newest version both sides know and ignores state values newer than our XML", async () => {
    const { win, show, close } = await openShown(bed.weston.path);
    try {
      await show(0);
      const offered = [...win.globals.list.values()].find((g) => g.interface === "xdg_wm_base")!.version;
      expect(win.wmBase.version).toBe(Math.min(offered, XdgWmBase.spec.version));
      expect(XdgWmBase.spec.version).toBeGreaterThanOrEqual(7); // wayland-protocols 1.43: constrained states
      const changes: ReadonlySet<ToplevelState>[] = [];
      win.statesChanged.add((s) => changes.push(s));
      // a configure with states from v6 and v7, one value no XML defines and two stray trailing bytes
      const S = XdgToplevelState;
      const states = u32s([S.activated, S.suspended, 4242, S.constrained_left, S.tiled_top], 2);
      const tl = win.toplevel;
      win.connection.feed(encodeMessage(tl.id, 0, tl.spec.events[0]!, [0, 0, states], []), []);
      win.connection.feed(encodeMessage(win.xdgSurface.id, 0, win.xdgSurface.spec.events[0]!, [123_456], []), []);
      win.applyConfigure();
      expect([...win.states].sort()).toEqual(["activated", "constrained_left", "suspended", "tiled_top"]);
      expect(changes).toHaveLength(1);
      expect(win.suspended).toBe(true);
      expect(win.sizeFixed).toBe(true); // tiled
    } finally {
      await close();
    }
  });

  it("keeps wl_surface.preferred_buffer_transform (v6) and tells transformChanged; unknown values are ignored", async () => {
    const { win, close } = await openShown(bed.weston.path);
    try {
      expect(win.preferredTransform).toBe(WlOutputTransform.normal);
      const seen: OutputTransform[] = [];
      win.transformChanged.add((t) => seen.push(t));
      const event = win.surface.spec.events.findIndex((e) => e.name === "preferred_buffer_transform");
      const send = (t: number) => win.connection.feed(encodeMessage(win.surface.id, event, win.surface.spec.events[event]!, [t], []), []);
      // Weston 14 offers wl_compositor v5, so no test bed sends the event: it is fed to the window's surface as v6 would send it
      expect(WlSurface.since.preferred_buffer_transform).toBe(6);
      send(WlOutputTransform._90);
      send(WlOutputTransform._90); // the same again: no change
      send(99); // newer than our XML
      send(WlOutputTransform.flipped_270);
      expect(seen).toEqual([WlOutputTransform._90, WlOutputTransform.flipped_270]);
      expect(win.preferredTransform).toBe(WlOutputTransform.flipped_270);
      expect(win.connection.error).toBeUndefined();
    } finally {
      await close();
    }
  });
});
