// KmsInput's translation of libinput's events into InputEvents, on the host: libinput is real (a
// path-backend context with no devices, since this machine has no /dev/input), and the decoded
// numbers libinput would hand over are fed to its sink directly. The VM test
// (kms-input.vm.test.ts) drives the same code from real evdev devices.
import { afterEach, describe, expect, it } from "vitest";
import { KmsInput } from "../../src/input/kms-input.js";
import type { InputEvent } from "../../src/input/index.js";
import { xkbUnavailableReason } from "../../src/input/index.js";

const noXkb = xkbUnavailableReason();

describe.skipIf(!!noXkb)("KmsInput (host, no devices)", () => {
  let ki: KmsInput | undefined;
  afterEach(() => {
    ki?.close();
    ki = undefined;
  });
  const open = (hooks = {}) => {
    ki = new KmsInput([640, 480], hooks, { backend: "path", devices: [], keymap: { layout: "us" } });
    ki.queue.drain();
    return ki;
  };
  const types = (evs: readonly InputEvent[]) => evs.map((e) => e.type);

  it("starts with the seat and keyboard focus, and the pointer at the centre", () => {
    const k = new KmsInput([640, 480], {}, { backend: "path", devices: [] });
    ki = k;
    expect(types(k.queue.drain())).toEqual(["seat-added", "keyboard-enter", "modifiers"]);
    expect(k.pointer).toEqual([320, 240]);
    expect(k.backend).toBe("path");
  });

  it("relative motion is clamped to the mode and reported to the cursor hook; no event when the pointer stays put", () => {
    const moved: number[][] = [];
    const k = open({ pointerMoved: (x: number, y: number) => moved.push([x, y]) });
    k.motion(10.5, -20);
    k.motion(5000, 5000);
    k.motion(1, 1); // already in the corner
    k.motion(-9999, 0);
    expect(k.queue.drain()).toMatchObject([
      { type: "pointer-motion", x: 330.5, y: 220, bufferX: 330.5, bufferY: 220 },
      { type: "pointer-motion", x: 639, y: 479 },
      { type: "pointer-motion", x: 0, y: 479 },
    ]);
    expect(moved).toEqual([[330.5, 220], [639, 479], [0, 479]]);
  });

  it("keys: several keyboards count once (seat count); Ctrl+Alt+F2 asks for VT 2 and is swallowed, release included", () => {
    const vts: number[] = [];
    const k = open({ vtSwitch: (n: number) => vts.push(n) });
    k.key(30, true, 1);
    k.key(30, true, 2); // the same key on a second keyboard
    k.key(30, false, 1);
    k.key(30, false, 0);
    k.key(29, true, 1); // ctrl
    k.key(56, true, 1); // alt
    k.key(60, true, 1); // F2
    k.key(60, false, 0);
    k.key(56, false, 0);
    k.key(29, false, 0);
    k.key(60, true, 1); // F2 alone is a key
    k.key(60, false, 0);
    const keys = k.queue.drain().filter((e) => e.type === "key-down" || e.type === "key-up") as { type: string; keycode: number; text: string }[];
    expect(keys.map((e) => `${e.type} ${e.keycode} ${e.text}`)).toEqual([
      "key-down 30 a", "key-up 30 ", "key-down 29 ", "key-down 56 ", "key-up 56 ", "key-up 29 ", "key-down 60 ", "key-up 60 ",
    ]);
    expect(vts).toEqual([2]);
  });

  it("wheel: value120 kept, clicks from whole multiples of 120 (hi-res parts add up); touchpad scrolling has no clicks and ends with stop", () => {
    const k = open();
    k.scroll("wheel", 0, 15, NaN, 120, false, true);
    k.scroll("wheel", 0, 7.5, NaN, 60, false, true);
    k.scroll("wheel", 0, 7.5, NaN, 60, false, true);
    k.scroll("finger", 3, 0, NaN, NaN, true, true);
    expect(k.queue.drain()).toMatchObject([
      { type: "scroll", source: "wheel", dy: 15, clicksY: 1, value120Y: 120, value120X: undefined, clicksX: 0 },
      { type: "scroll", clicksY: 0, value120Y: 60 },
      { type: "scroll", clicksY: 1, value120Y: 60 },
      { type: "scroll", source: "finger", dx: 3, dy: 0, clicksX: 0, clicksY: 0, value120X: undefined, value120Y: undefined, stopX: false, stopY: true },
    ]);
  });

  it("touch points down, moving and up keep their id and last position; cancel forgets them", () => {
    const k = open();
    k.touch("down", 0, 10, 20);
    k.touch("down", 1, 100, 200);
    k.touch("motion", 0, 11, 21);
    k.touch("frame", -1, 0, 0);
    k.touch("up", 0, 0, 0);
    k.touch("cancel", -1, 0, 0);
    expect(k.queue.drain()).toMatchObject([
      { type: "touch-down", id: 0, x: 10, y: 20 },
      { type: "touch-down", id: 1, x: 100, y: 200 },
      { type: "touch-motion", id: 0, x: 11, y: 21 },
      { type: "touch-up", id: 0, x: 11, y: 21 },
      { type: "touch-cancel" },
    ]);
  });

  it("devices: pointer-enter with the first pointing device, pointer-leave when the last goes; a VT switch away and back moves focus", () => {
    const present: boolean[] = [];
    const k = open({ pointerPresent: (p: boolean) => present.push(p) });
    k.deviceAdded({ name: "m1", sysname: "event1", kinds: ["pointer"] });
    k.deviceAdded({ name: "kbd+touchpad", sysname: "event2", kinds: ["keyboard", "pointer"] });
    k.deviceRemoved({ name: "m1", sysname: "event1", kinds: ["pointer"] });
    k.deviceRemoved({ name: "kbd+touchpad", sysname: "event2", kinds: ["keyboard", "pointer"] });
    expect(types(k.queue.drain())).toEqual([
      "device-added", "pointer-enter", "device-added", "device-added", "device-removed", "device-removed", "device-removed", "pointer-leave",
    ]);
    expect(present).toEqual([true, false]);
    expect(k.hasPointer).toBe(false);
    k.suspend();
    k.resume();
    expect(types(k.queue.drain())).toEqual(["keyboard-leave", "pointer-leave", "keyboard-enter", "modifiers", "pointer-enter"]);
  });
});
