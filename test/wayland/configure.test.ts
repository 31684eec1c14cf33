// The pieces of configure handling that need no compositor: the states parser (values newer than our
// XML and stray bytes ignored), the pending configure a window takes at once, and the content size a
// configure asks for (title bar, leaving fullscreen). Typed errors of shm and dmabuf code come last.
import { describe, expect, it } from "vitest";
import { fourcc } from "../../src/util/fourcc.js";
import { CompositorDataError } from "../../src/wayland/errors.js";
import { contentSize, PendingConfigure } from "../../src/wayland/pending-configure.js";
import { WlShmFormat } from "../../src/wayland/protocol/wayland.js";
import { XdgToplevelState } from "../../src/wayland/protocol/xdg-shell.js";
import { chooseShmFormat, shmFormatName } from "../../src/wayland/shm.js";
import { isSizeFixed, parseStates, sameStates } from "../../src/wayland/toplevel-state.js";

function u32s(values: number[], extraBytes = 0): Uint8Array {
  const a = new Uint8Array(values.length * 4 + extraBytes);
  values.forEach((v, i) => new DataView(a.buffer).setUint32(i * 4, v, true));
  return a;
}

describe("xdg_toplevel states", () => {
  it("names the values our XML knows (v6 suspended, v7 constrained_*) and ignores others and stray bytes", () => {
    const S = XdgToplevelState;
    const states = parseStates(u32s([S.maximized, 0, 4242, S.suspended, S.constrained_top, 0xffffffff], 3));
    expect([...states].sort()).toEqual(["constrained_top", "maximized", "suspended"]);
    expect(parseStates(new Uint8Array(0)).size).toBe(0);
    // a view into a bigger, unaligned buffer reads the same
    const bytes = new Uint8Array(9);
    bytes.set(u32s([S.fullscreen, S.tiled_left]), 1);
    expect([...parseStates(bytes.subarray(1))]).toEqual(["fullscreen", "tiled_left"]);
  });

  it("tells fixed-size states and equal sets", () => {
    expect(isSizeFixed(new Set(["tiled_bottom"] as const))).toBe(true);
    expect(isSizeFixed(new Set(["activated", "constrained_left", "suspended"] as const))).toBe(false);
    expect(sameStates(new Set(["activated", "maximized"] as const), new Set(["maximized", "activated"] as const))).toBe(true);
    expect(sameStates(new Set(["activated"] as const), new Set(["activated", "maximized"] as const))).toBe(false);
  });
});

describe("PendingConfigure", () => {
  it("hands out the latest serial with the toplevel configure before it, once", () => {
    const p = new PendingConfigure();
    expect(p.any).toBe(false);
    expect(p.take()).toBeUndefined();
    p.toplevelConfigure(300, 200, u32s([XdgToplevelState.activated]));
    p.surfaceConfigure(5);
    p.surfaceConfigure(6); // a second configure before the first was applied: only the latest is acked
    expect(p.configured).toBe(true);
    const work = p.take()!;
    expect(work.serial).toBe(6);
    expect(work.toplevel!.size).toEqual([300, 200]);
    expect([...work.toplevel!.states]).toEqual(["activated"]);
    expect(work.backToChosenSize).toBe(false);
    expect(p.any).toBe(false);
    expect(p.take()).toBeUndefined();
  });

  it("asks for a layout without a serial; resize() outranks a scale change", () => {
    const p = new PendingConfigure();
    p.relayoutFor("chosen size");
    p.relayoutFor("geometry");
    expect(p.configured).toBe(false);
    expect(p.take()).toEqual({ serial: undefined, toplevel: undefined, backToChosenSize: true });
    p.relayoutFor("geometry");
    expect(p.take()!.backToChosenSize).toBe(false);
  });
});

describe("contentSize", () => {
  const floating = { size: [800, 600] as const, states: new Set(["activated"] as const) };
  it("takes the configured size less our title bar, and the chosen size where the configure says 0", () => {
    expect(contentSize(floating, false, [640, 480], 24)).toEqual([800, 576]);
    expect(contentSize({ size: [0, 0], states: new Set() }, false, [640, 480], 24)).toEqual([640, 480]);
    expect(contentSize({ size: [0, 700], states: new Set() }, false, [640, 480], 0)).toEqual([640, 700]);
    expect(contentSize({ size: [100, 10], states: new Set() }, false, [640, 480], 24)).toEqual([100, 1]);
  });

  it("goes back to the chosen size when leaving fullscreen, maximized or tiled, whatever size is echoed", () => {
    expect(contentSize(floating, true, [640, 480], 24)).toEqual([640, 480]);
    const maximized = { size: [1280, 700] as const, states: new Set(["maximized"] as const) };
    expect(contentSize(maximized, true, [640, 480], 24)).toEqual([1280, 676]);
  });
});

describe("wl_shm formats and typed errors", () => {
  it("prints wl_shm formats by their fourcc names", () => {
    expect(shmFormatName(WlShmFormat.argb8888)).toBe("AR24");
    expect(shmFormatName(WlShmFormat.xrgb8888)).toBe("XR24");
    expect(shmFormatName(fourcc("NV12"))).toBe("NV12");
  });

  it("a compositor without the two required formats is a CompositorDataError naming what it offered", () => {
    const offered = new Set([fourcc("NV12"), fourcc("AB24")]);
    expect(() => chooseShmFormat(offered)).toThrow(CompositorDataError);
    expect(() => chooseShmFormat(offered)).toThrow("wl_shm.format: neither XRGB8888 nor ARGB8888 is listed (got NV12, AB24)");
    expect(() => chooseShmFormat(new Set())).toThrow(/\(got none\)/);
  });
});
