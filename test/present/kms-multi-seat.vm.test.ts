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
import { DrmDevice, summarizeState, WritebackCapture, type PlaneId } from "../../src/drm/index.js";
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
