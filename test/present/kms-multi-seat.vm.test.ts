// The KMS presenter over several outputs gets what the one-output presenter has, on a real kernel
// (VM: bash test/vm/run-suite.sh test/present/kms-multi-seat.vm.test.ts). A configfs vkms device of
// two outputs, each CRTC with a cursor plane and writeback; a keyboard and a mouse made through
// /dev/uinput (real evdev devices libinput reads). Input: the devices and a typed key arrive; the
// pointer moves over the whole extend picture, and the arrow is on the cursor plane of the CRTC under
// it: crossing from one output to the other moves it to the other CRTC (read back as the planes'
// state), with frames drawn and without. Colour: 16 bits per channel asked for scans out XB48 on
// both CRTCs (debugfs's plane state) and each writeback reads values between 8-bit steps; hdr10 on
// connectors without HDR properties becomes sRGB with the reason.
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AtomicError, AtomicRequest, DrmDevice, summarizeState, WritebackCapture, type PlaneId } from "../../src/drm/index.js";
import { FrameLoop } from "../../src/present/frame-loop.js";
import { KmsMultiBackend } from "../../src/present/kms-multi.js";
import type { InputEvent } from "../../src/input/index.js";
import { Triangle } from "../../src/scenes/index.js";
import { openFdCount } from "../../src/sys/libc.js";
import { Instance, type Device } from "../../src/vk/index.js";
import { ensureUdevd, KEY, stopUdevd, udevSettled, uinputUnavailable, UinputDevice } from "../input/uinput.js";
import { outputsTopology, vkmsConfigfsSkipReason, VkmsConfigfsDevice } from "../helpers/vkms-configfs.js";

const skipWhy = vkmsConfigfsSkipReason() ?? (existsSync("/dev/udmabuf") ? undefined : "no /dev/udmabuf") ?? uinputUnavailable() ?? ensureUdevd();
if (skipWhy) console.warn(`[kms-multi-seat.vm.test] skipped: ${skipWhy}`);
const MODE = "640x480";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!!skipWhy)("KMS presenter over several outputs: input, cursor planes, colour (VM, vkms configfs)", () => {
  let gpu: Instance;
  let device: Device;
  let wall: VkmsConfigfsDevice;
  let drm: DrmDevice;
  beforeAll(async () => {
    gpu = await Instance.create({ validation: true, requireValidation: true });
    device = gpu.createDevice();
    wall = await VkmsConfigfsDevice.create("seat", outputsTopology(2, { cursor: true }));
    drm = DrmDevice.open(wall.card);
    drm.setClientCap("writebackConnectors", 1);
  });
  afterAll(() => {
    drm?.close();
    wall?.destroy();
    device?.destroy();
    gpu?.destroy();
    stopUdevd();
  });

  it("events arrive; the arrow is on the cursor plane of the output under the pointer and moves to the other CRTC when the pointer crosses", async () => {
    const fds = openFdCount(); // before the virtual devices, which are gone again at the end
    const kb = UinputDevice.keyboard("multi seat keyboard");
    const mouse = UinputDevice.mouse("multi seat mouse");
    await udevSettled(kb.node);
    await udevSettled(mouse.node);
    const initial = summarizeState(drm);
    const backend = KmsMultiBackend.open(device, { drm, connectors: "all", layout: "extend", mode: MODE, hotplug: false, input: { pointerAccel: "flat", keymap: { layout: "us" } } });
    const out = new FrameLoop(backend, false);
    const scene = Triangle.create(out);
    const seen: InputEvent[] = [];
    const stream = out.input();
    const reading = (async () => {
      for await (const ev of stream) seen.push(ev);
    })();
    const waitFor = async (what: string, pred: (e: InputEvent) => boolean, from = 0) => {
      for (let t = 0; t < 1000; t++) {
        const hit = seen.slice(from).find(pred);
        if (hit) return hit;
        await sleep(20);
      }
      throw new Error(`no ${what} within 20 s; got ${JSON.stringify(seen.slice(from).map((e) => e.type))}`);
    };
    const render = async (n: number) => {
      for await (const frame of out.frames({ limit: n })) {
        scene.update(frame);
        frame.record((cmd) => scene.draw(cmd, frame));
      }
      await backend.idle();
    };
    const [a, b] = backend.heads;
    const [ca, cb] = backend.seat.cursors;
    const plane = (id: PlaneId) => summarizeState(drm).planes.find((p) => p.id === id)!;
    /** Waits until the cursor shows at (x, y) on `on`'s CRTC and on no other. */
    const cursorAt = async (on: 0 | 1, x: number, y: number) => {
      const [shown, hidden] = on === 0 ? [ca!, cb!] : [cb!, ca!];
      const crtc = backend.heads[on]!.output.crtc;
      const ok = () => {
        const s = plane(shown.plane);
        return s.fb === shown.fb && s.crtc === crtc && s.dst[0] === x && s.dst[1] === y && plane(hidden.plane).fb === undefined;
      };
      for (let t = 0; t < 250 && !ok(); t++) await sleep(20);
      expect({ shown: plane(shown.plane), hidden: plane(hidden.plane).fb }).toMatchObject({ shown: { fb: shown.fb, crtc, dst: [x, y, ...shown.size] }, hidden: undefined });
    };
    try {
      expect(ca && cb, "each CRTC has its own cursor plane").toBeTruthy();
      expect(ca!.plane).not.toBe(cb!.plane);
      await waitFor("the keyboard", (e) => e.type === "device-added" && e.name === kb.name);
      await waitFor("the mouse", (e) => e.type === "device-added" && e.name === mouse.name);
      let from = seen.length;
      kb.tap(KEY.a);
      expect(await waitFor("key-down a", (e) => e.type === "key-down", from)).toMatchObject({ keycode: KEY.a, text: "a" });
      await render(3); // the modesets; the arrow starts at the picture's centre (640, 240): output b's left edge
      await cursorAt(1, 0, 240);
      from = seen.length;
      mouse.move(-100, 0); // no frames drawn: the change gets commits of its own on both outputs
      expect(await waitFor("pointer-motion", (e) => e.type === "pointer-motion", from)).toMatchObject({ x: 540, y: 240 });
      await cursorAt(0, 540, 240);
      expect(backend.stats().cursorOn).toBe(a!.name);
      from = seen.length;
      mouse.move(300, 10);
      expect(await waitFor("pointer-motion", (e) => e.type === "pointer-motion", from)).toMatchObject({ x: 840, y: 250 });
      await cursorAt(1, 200, 250);
      mouse.move(-250, 0); // back across, while frames are drawn: the changes ride along with them
      await render(4);
      await cursorAt(0, 590, 250);
      expect(backend.stats().cursorOn).toBe(a!.name);
      console.log(`[kms-multi-seat.vm.test] input and cursor: ${seen.length} events; ${JSON.stringify(backend.stats())}`);
      expect(b!.committed).toBeGreaterThan(0);
    } finally {
      scene.destroy();
      await out.close();
      await reading.catch(() => {});
      kb.destroy();
      mouse.destroy();
    }
    expect(summarizeState(drm)).toEqual(initial);
    expect(openFdCount()).toBe(fds);
    expect(gpu.validationMessages).toEqual([]);
  });

  it("rotate 90: the arrow on each cursor plane is turned as the picture is (writeback), the mouse moves it in the picture; a cursor side commit refused with EBUSY is tried again; vrr absent per output", async () => {
    const mouse = UinputDevice.mouse("turned seat mouse");
    await udevSettled(mouse.node);
    const initial = summarizeState(drm);
    // two 640x480 outputs, each turned 90° counter-clockwise: a 960x640 picture (two 480x640 views side by side)
    const backend = KmsMultiBackend.open(device, { drm, connectors: "all", layout: "extend", mode: MODE, rotate: 90, hotplug: false, input: { pointerAccel: "flat", keymap: { layout: "us" } } });
    const out = new FrameLoop(backend, false);
    const scene = Triangle.create(out);
    const seen: InputEvent[] = [];
    const stream = out.input();
    const reading = (async () => {
      for await (const ev of stream) seen.push(ev);
    })();
    const lastMotion = (from = 0) => seen.slice(from).reverse().find((e) => e.type === "pointer-motion");
    const motion = async (from: number) => {
      for (let t = 0; t < 1000; t++) {
        const hit = lastMotion(from);
        if (hit) return hit;
        await sleep(20);
      }
      throw new Error("no pointer-motion within 20 s");
    };
    const [ca] = backend.seat.cursors;
    const head = backend.heads[0]!;
    const plane = (id: PlaneId) => summarizeState(drm).planes.find((p) => p.id === id)!;
    /** Waits until output a's cursor plane is at the display position of picture point (x, y), turned 90°: (y, 480 - 1 - x) less the hotspot. */
    const arrowAt = async (x: number, y: number) => {
      const [dx, dy] = [y - ca!.hotspot[0], 480 - 1 - x - ca!.hotspot[1]];
      const ok = () => plane(ca!.plane).fb === ca!.fb && plane(ca!.plane).dst[0] === dx && plane(ca!.plane).dst[1] === dy;
      for (let t = 0; t < 250 && !ok(); t++) await sleep(20);
      expect(plane(ca!.plane)).toMatchObject({ fb: ca!.fb, crtc: head.output.crtc, dst: [dx, dy, ...ca!.size] });
      return [dx, dy] as const;
    };
    try {
      expect(backend.stats()).toMatchObject({ rotate: 90, image: "960x640" });
      expect(ca, "output a has a cursor plane").toBeTruthy();
      for (let t = 0; t < 500 && !seen.some((e) => e.type === "device-added" && e.name === mouse.name); t++) await sleep(20);
      for await (const frame of out.frames({ limit: 3 })) {
        scene.update(frame);
        frame.record((cmd) => scene.draw(cmd, frame));
      }
      await out.shown(out.stats.frames - 1, 3000);
      for (const h of backend.heads) { // variable refresh: vkms's connectors have no vrr_capable (read at each output's modeset)
        expect(backend.stats()[`${h.name} vrr`]).toBe("absent");
        expect(backend.stats()[`${h.name} vrrReason`]).toMatch(/no vrr_capable property/);
      }
      // the arrow's tip is at the hotspot, a corner of the buffer other than the top-left: turned with the picture
      expect(ca!.hotspot).not.toEqual([0, 0]);
      let from = seen.length;
      mouse.move(-100, 0); // from the picture's centre (480, 320) onto output a
      expect(await motion(from)).toMatchObject({ x: 380, y: 320 });
      const before = await arrowAt(380, 320);
      from = seen.length;
      mouse.move(50, 0); // right, for whoever sees the picture upright: on the panel (mounted turned) the arrow goes up
      expect(await motion(from)).toMatchObject({ x: 430, y: 320 });
      const after = await arrowAt(430, 320);
      expect([after[0] - before[0], after[1] - before[1]]).toEqual([0, -50]);
      // writeback: the composed CRTC shows the turned arrow's pixels where the plane puts them
      const wb = await WritebackCapture.attach(drm, head.output.crtc);
      let white = 0;
      let black = 0;
      try {
        const shot = await wb.capture();
        const arrow = ca!.pixels();
        const [w, h] = ca!.size;
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            const a = arrow[y * w + x]!;
            const [sx, sy] = [after[0] + x, after[1] + y];
            if (a === 0 || sx < 0 || sy < 0 || sx >= shot.width || sy >= shot.height) continue;
            const px = shot.data.subarray((sy * shot.width + sx) * 4, (sy * shot.width + sx) * 4 + 3);
            const want = a === 0xffffffff ? 255 : 0;
            expect([...px], `writeback at (${sx}, ${sy})`).toEqual([want, want, want]);
            if (want) white++;
            else black++;
          }
        }
      } finally {
        await wb.detach();
      }
      expect(white).toBeGreaterThan(20);
      expect(black).toBeGreaterThan(20);
      // EBUSY: another commit keeps output a's CRTC busy while the mouse moves; the seat's side commits are refused and tried again
      const fb = head.onScreen!.fb;
      const retriesBefore = backend.seat.busyRetries; // EBUSY also happens by itself now and then (vkms's commit tail after the flip event)
      const busyEnd = performance.now() + 4000;
      let moves = 0;
      while (performance.now() < busyEnd && (moves < 4 || backend.seat.busyRetries === retriesBefore)) {
        try {
          new AtomicRequest(drm).plane(head.output.plane.id, { FB_ID: fb }).commit({ nonblock: true, preflight: false });
        } catch (e) {
          if (!(e instanceof AtomicError && e.code === "EBUSY")) throw e;
        }
        if (moves < 20 && (++moves & 1)) mouse.move(0, 1); // down in the picture
        await sleep(1);
      }
      await sleep(100);
      const last = lastMotion() as { x: number; y: number };
      expect(backend.seat.busyRetries, "the seat's side commits met EBUSY while the CRTC was kept busy").toBeGreaterThan(retriesBefore);
      await arrowAt(last.x, last.y); // the newest position arrived without any further move
      console.log(`[kms-multi-seat.vm.test] rotate 90: hotspot ${ca!.hotspot}, arrow ${JSON.stringify(before)} -> ${JSON.stringify(after)} on the panel for +50 in the picture; writeback ${white} white and ${black} black arrow pixels; EBUSY retries ${backend.seat.busyRetries - retriesBefore} over ${Math.ceil(moves / 2)} moves (${retriesBefore} before); ${JSON.stringify(backend.stats())}`);
    } finally {
      scene.destroy();
      await out.close();
      await reading.catch(() => {});
      mouse.destroy();
    }
    expect(summarizeState(drm)).toEqual(initial);
    expect(gpu.validationMessages).toEqual([]);
  });

  it("colour: 16 bits per channel scan out XB48 on both CRTCs, each writeback deeper than 8 bits; hdr10 becomes sRGB with the reason", async () => {
    const hdr = KmsMultiBackend.open(device, { drm, connectors: "all", mode: MODE, hotplug: false, input: false, color: "hdr10" });
    try {
      expect(hdr.colour.space.name).toBe("srgb");
      expect(hdr.colour.reason).toMatch(/has no HDR_OUTPUT_METADATA property/);
    } finally {
      await hdr.destroy();
    }
    const initial = summarizeState(drm);
    const backend = KmsMultiBackend.open(device, { drm, connectors: "all", mode: MODE, hotplug: false, input: false, depth: 16 });
    const out = new FrameLoop(backend, false);
    const scene = Triangle.create(out);
    try {
      for await (const frame of out.frames({ limit: 4 })) {
        scene.update(frame);
        frame.record((cmd) => scene.draw(cmd, frame));
      }
      await backend.idle();
      expect(backend.stats().format).toBe("XB48");
      expect(out.stats.colour?.inEffect).toBe("srgb (srgb, gamma22, 16-bit XB48)");
      const debugfs = `/sys/kernel/debug/dri/${wall.card.replace("/dev/dri/card", "")}/state`;
      const state = existsSync(debugfs) ? readFileSync(debugfs, "utf8") : undefined;
      const lines: string[] = [];
      for (const head of backend.heads) {
        if (state) {
          const block = new RegExp(`plane\\[${head.output.plane.id}\\]:[^\\n]*\\n(\\t[^\\n]*\\n)+`).exec(state)?.[0] ?? "";
          expect(block, `${head.name}'s primary plane in ${debugfs}`).toMatch(/format=XB48/);
        }
        const wb = await WritebackCapture.attach(drm, head.output.crtc);
        try {
          const shot = await wb.capture({ depth: 16 });
          let between = 0;
          for (let i = 0; i < shot.data.length; i++) if (i % 4 !== 3 && shot.data[i]! % 257 !== 0) between++;
          lines.push(`${head.name} ${between} channel values between 8-bit steps`);
          expect(between, `${head.name}: values between 8-bit steps`).toBeGreaterThan(1000);
        } finally {
          await wb.detach();
        }
      }
      console.log(`[kms-multi-seat.vm.test] depth 16: ${lines.join(", ")}${state ? "; debugfs: XB48 on both primary planes" : "; (no debugfs)"}; ${JSON.stringify(out.stats.colour)}`);
    } finally {
      scene.destroy();
      await out.close();
    }
    expect(summarizeState(drm)).toEqual(initial);
    expect(gpu.validationMessages).toEqual([]);
  });
});
