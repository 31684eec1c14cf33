// Input on KMS with real parts (VM only): virtual keyboards and mice made through /dev/uinput are
// real evdev devices that udev tags and libinput reads; what the KMS presenter's input stream
// delivers is asserted (text typed through a German layout as UTF-8, a dead key composed, pointer motion clamped to the
// mode, buttons, wheel clicks with value120, devices plugged and unplugged at run time), and the
// cursor plane's position in the DRM state (our property queries and debugfs). Then VT switching: a
// child presenter on /dev/tty2, switched away and back by another process (VT_ACTIVATE) and by its own
// Ctrl+Alt+F3 chord: master dropped and taken back, flips stop and resume, state restored at exit.
import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  activateVt, activeVt, AtomicRequest, DrmDevice, DumbBuffer, summarizeState, type CrtcId, type StateSummary,
} from "../../src/drm/index.js";
import { createHeadlessPresenter } from "../../src/present/headless.js";
import type { Pixels } from "../../src/present/presenter.js";
import { loadDemoMesh, OrbitCamera, type TexturedMesh } from "../../src/scenes/index.js";
import { koffi } from "../../src/sys/libc.js";
import type { InputEvent, InputEventType } from "../../src/input/index.js";

/** The event with a given type (also for interfaces carrying several types, e.g. KeyEvent). */
type InputEventOf<T extends InputEventType> = InputEvent extends infer E ? (E extends { type: infer U } ? (T extends U ? E & { type: T } : never) : never) : never;
import { KmsInput } from "../../src/input/kms-input.js";
import { KmsBackend } from "../../src/present/kms.js";
import { FrameLoop } from "../../src/present/frame-loop.js";
import { Triangle } from "../../src/scenes/index.js";
import { close as closeFd, open, O_RDWR } from "../../src/sys/libc.js";
import { Instance, type Device } from "../../src/vk/index.js";
import { ensureUdevd, KEY, stopUdevd, udevSettled, uinputUnavailable, UinputDevice, BTN_LEFT } from "./uinput.js";

const CARD = "/dev/dri/card0";
const skipWhy = !existsSync(CARD) ? "no /dev/dri/card0 on this machine: run the KMS suite in the VM with test/vm/run-suite.sh"
  : uinputUnavailable() ?? ensureUdevd();
if (skipWhy) console.warn(`[kms-input.vm.test] skipped: ${skipWhy}`);
const DEBUGFS_STATE = "/sys/kernel/debug/dri/0/state";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** KINPUT_TRACE=1: progress lines into the kernel log (the VM's serial console), readable even if the guest hangs. */
const trace = (msg: string) => {
  if (process.env.KINPUT_TRACE) appendFileSync("/dev/kmsg", `<3>kinput-test: ${msg}\n`);
};
/**
 * Shows VT n and polls until it is shown, asking again now and then: a request made while the
 * kernel is finishing another switch can be lost, and VT_WAITACTIVE would then block this thread.
 */
async function switchVt(n: number, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  for (let i = 0; activeVt() !== n; i++) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`VT ${n} not shown within ${timeoutMs} ms (shown: ${activeVt()})`);
    if (i % 25 === 0) activateVt(n);
    await sleep(20);
  }
}

/** Collects a presenter's input events; waitFor resolves with the first event (after `from`) matching. */
class Collector {
  readonly seen: InputEvent[] = [];
  private done = false;
  constructor(private readonly it: AsyncIterableIterator<InputEvent>) {
    void (async () => {
      for await (const ev of it) this.seen.push(ev);
      this.done = true;
    })();
  }
  /** Ends the iteration (so that pollInput sees the events instead). */
  async stop(): Promise<void> {
    await this.it.return?.();
  }
  mark(): number {
    return this.seen.length;
  }
  async waitFor<T extends InputEventType>(type: T, from: number, pred: (e: InputEventOf<T>) => boolean = () => true, timeoutMs = 20_000): Promise<InputEventOf<T>> {
    const t0 = Date.now();
    for (;;) {
      const hit = this.seen.slice(from).find((e): e is InputEventOf<T> => e.type === type && pred(e as InputEventOf<T>));
      if (hit) return hit;
      if (this.done || Date.now() - t0 > timeoutMs)
        throw new Error(`no ${type} event within ${timeoutMs} ms; got ${JSON.stringify(this.seen.slice(from).map((e) => e.type))}`);
      await sleep(10);
    }
  }
  since(from: number): InputEvent[] {
    return this.seen.slice(from);
  }
  async settle(ms = 300): Promise<void> {
    let n = -1;
    while (n !== this.seen.length) {
      n = this.seen.length;
      await sleep(ms);
    }
  }
}

/** What the CRTC composes (all planes, the cursor too), read through vkms's writeback connector: 0x00RRGGBB per pixel. */
async function writeback(drm: DrmDevice, crtc: CrtcId): Promise<{ px: Uint32Array; pitch: number; width: number; height: number }> {
  const res = drm.resources();
  const wb = res.connectors.map((c) => drm.connector(c)).find((c) => c.type === "Writeback")!;
  const { hdisplay: w, vdisplay: h } = drm.crtc(crtc, res.crtcs).mode!;
  const buf = DumbBuffer.create(drm, w, h);
  try {
    // vkms cannot clone the display and the writeback connector: the CRTC feeds only the latter meanwhile
    const shown = res.connectors.filter((c) => c !== wb.id && drm.properties("connector", c).number("CRTC_ID") === crtc);
    const fencePtr = Buffer.alloc(4);
    fencePtr.writeInt32LE(-1, 0);
    const swap = (toWriteback: boolean) => {
      const req = new AtomicRequest(drm).connector(wb.id, toWriteback
        ? { CRTC_ID: crtc, WRITEBACK_FB_ID: buf.fb, WRITEBACK_OUT_FENCE_PTR: koffi.address(fencePtr) as bigint }
        : { CRTC_ID: undefined });
      for (const c of shown) req.connector(c, { CRTC_ID: toWriteback ? undefined : crtc });
      req.commit({ allowModeset: true, preflight: !toWriteback });
    };
    swap(true);
    const fence = fencePtr.readInt32LE(0);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => (handle.close(), reject(new Error("writeback fence did not signal within 10 s"))), 10_000);
        const handle = koffi.node.poll(fence, { readable: true }, () => (clearTimeout(timer), handle.close(), resolve()));
      });
    } finally {
      closeFd(fence);
    }
    const px = new Uint32Array(buf.pixels.buffer.slice(0));
    swap(false);
    return { px, pitch: buf.pitch / 4, width: w, height: h };
  } finally {
    buf.destroy();
  }
}

function cursorPlaneState(drm: DrmDevice, plane: number) {
  return summarizeState(drm).planes.find((p) => p.id === plane)!;
}

describe.skipIf(!!skipWhy)("KMS input through libinput (VM)", () => {
  let gpu: Instance;
  let device: Device;
  let drm: DrmDevice;
  let initial: StateSummary;
  let kb: UinputDevice;
  let mouse: UinputDevice;
  let backend: KmsBackend;
  let out: FrameLoop;
  let scene: Triangle;
  let input: Collector;

  const render = async (n: number) => {
    for await (const frame of out.frames({ limit: n })) {
      scene.update(frame);
      frame.record((cmd) => scene.draw(cmd, frame));
    }
    await backend.idle();
  };

  beforeAll(async () => {
    kb = UinputDevice.keyboard();
    mouse = UinputDevice.mouse();
    await udevSettled(kb.node);
    await udevSettled(mouse.node);
    gpu = await Instance.create({ validation: true, requireValidation: true });
    device = gpu.createDevice();
    drm = DrmDevice.open(CARD);
    initial = summarizeState(drm);
    backend = KmsBackend.open(device, { drm, size: [640, 480], input: { pointerAccel: "flat", keymap: { layout: "de" } } });
    out = new FrameLoop(backend, false);
    scene = Triangle.create(out);
    input = new Collector(out.input());
  });
  afterAll(async () => {
    scene?.destroy();
    await out?.close();
    kb?.destroy();
    mouse?.destroy();
    drm?.close();
    device?.destroy();
    gpu?.destroy();
  });

  it("the stream starts with the seat, focus and the devices found (udev backend, udevd running)", async () => {
    trace("the stream starts with the seat, focus and the devices found");
    expect(backend.input).toBeDefined();
    expect(backend.seat.kmsInput!.backend).toBe("udev");
    await input.waitFor("device-added", 0, (e) => e.name === kb.name && e.kind === "keyboard");
    await input.waitFor("device-added", 0, (e) => e.name === mouse.name && e.kind === "pointer");
    const types = input.seen.map((e) => e.type);
    expect(types[0]).toBe("seat-added");
    expect(types).toContain("keyboard-enter");
    expect(types).toContain("pointer-enter");
    expect(input.seen.find((e) => e.type === "pointer-enter")).toMatchObject({ x: 320, y: 240 });
  });

  it("typed text arrives as UTF-8 through the layout (de: Grüß, then a dead key composed: ´ e is é), with modifiers; the key-up carries no text", async () => {
    trace("typed text arrives as UTF-8 through the layout (de: Grüß, then a dead key composed: ´ e is é), ");
    const from = input.mark();
    kb.key(KEY.leftshift, true);
    kb.tap(KEY.g);
    kb.key(KEY.leftshift, false);
    for (const k of [KEY.r, KEY["["], KEY["-"], KEY["="], KEY.e]) kb.tap(k); // de: [ is ü, - is ß, = is dead acute
    const lastUp = await input.waitFor("key-up", from, (e) => e.keycode === KEY.e);
    const downs = input.since(from).filter((e): e is InputEventOf<"key-down"> => e.type === "key-down");
    expect(downs.map((e) => e.text).join("")).toBe("Grüßé");
    expect(downs.find((e) => e.keycode === KEY.g)).toMatchObject({ key: "G", modifiers: { shift: true } });
    expect(downs.find((e) => e.keycode === KEY["["])).toMatchObject({ key: "udiaeresis", text: "ü", modifiers: { shift: false } });
    expect(lastUp.text).toBe("");
    expect(input.since(from).some((e) => e.type === "modifiers" && e.modifiers.shift)).toBe(true);
  });

  it("a held key repeats at the default rate after the default delay", async () => {
    trace("a held key repeats at the default rate after the default del");
    const from = input.mark();
    kb.key(KEY.a, true);
    await sleep(1000); // 600 ms delay, then 25 Hz
    kb.key(KEY.a, false);
    await input.waitFor("key-up", from, (e) => e.keycode === KEY.a);
    const repeats = input.since(from).filter((e) => e.type === "key-repeat");
    console.log(`[kms-input.vm.test] key held 1 s: ${repeats.length} repeats`);
    expect(repeats.length).toBeGreaterThan(0);
    expect(repeats.length).toBeLessThan(25);
    expect(repeats[0]).toMatchObject({ keycode: KEY.a, text: "a" });
  });

  it("pointer: relative motion from the centre, clamped to the mode; buttons and the wheel at the pointer; the cursor plane follows", async () => {
    trace("pointer: relative motion from the centre, clamped to the mod");
    await render(3); // the modeset, then the cursor plane is shown after the first flip
    const cursor = backend.seat.cursor;
    expect(cursor, "vkms has a cursor plane").toBeDefined();
    let from = input.mark();
    mouse.move(100, 50);
    expect(await input.waitFor("pointer-motion", from)).toMatchObject({ x: 420, y: 290, bufferX: 420, bufferY: 290 });
    from = input.mark();
    mouse.move(5000, 5000);
    expect(await input.waitFor("pointer-motion", from)).toMatchObject({ x: 639, y: 479 });
    // no frame is drawn now: the move gets a commit of its own after about a refresh
    const [cw, ch] = cursor!.size;
    for (let i = 0; i < 100 && cursorPlaneState(drm, cursor!.plane).dst[0] !== 639; i++) await sleep(20);
    expect(cursorPlaneState(drm, cursor!.plane)).toMatchObject({ crtc: backend.output.crtc, fb: cursor!.fb, dst: [639, 479, cw, ch], src: [0, 0, cw, ch] });
    if (existsSync(DEBUGFS_STATE)) {
      const state = readFileSync(DEBUGFS_STATE, "utf8");
      const block = new RegExp(`plane\\[${cursor!.plane}\\]:[^\\n]*\\n(\\t[^\\n]*\\n)+`).exec(state)?.[0] ?? "";
      expect(block).toContain(`fb=${cursor!.fb}\n`);
      expect(block).toContain(`crtc-pos=${cw}x${ch}+639+479`);
      expect(block).toMatch(/format=AR24/);
    }
    from = input.mark();
    mouse.move(-5000, -5000);
    expect(await input.waitFor("pointer-motion", from)).toMatchObject({ x: 0, y: 0 });
    // while frames are drawn, the move rides along with them
    mouse.move(30, 40);
    await render(4);
    expect(cursorPlaneState(drm, cursor!.plane).dst.slice(0, 2)).toEqual([30, 40]);

    from = input.mark();
    mouse.key(BTN_LEFT, true);
    mouse.key(BTN_LEFT, false);
    expect(await input.waitFor("button-down", from)).toMatchObject({ button: BTN_LEFT, name: "left", x: 30, y: 40 });
    await input.waitFor("button-up", from);
    from = input.mark();
    mouse.wheel(1); // one click up
    expect(await input.waitFor("scroll", from)).toMatchObject({
      source: "wheel", clicksY: -1, value120Y: -120, clicksX: 0, value120X: undefined, x: 30, y: 40, stopX: false, stopY: false,
    });
    mouse.wheel(-2);
    expect(await input.waitFor("scroll", from, (e) => e.clicksY > 0)).toMatchObject({ clicksY: 2, value120Y: 240 });
    expect(gpu.validationMessages).toEqual([]);
  });

  it("devices unplugged and plugged at run time: removed, added, and the new mouse drives the pointer", async () => {
    trace("devices unplugged and plugged at run time: removed, added, a");
    let from = input.mark();
    mouse.destroy();
    expect(await input.waitFor("device-removed", from)).toMatchObject({ kind: "pointer", name: mouse.name, seat: "seat0" });
    await input.waitFor("pointer-leave", from);
    // no pointing device: no cursor on screen
    const cursor = backend.seat.cursor!;
    const cursorFb = async (want: number | undefined) => {
      for (let i = 0; i < 250 && cursorPlaneState(drm, cursor.plane).fb !== want; i++) await sleep(20);
      return cursorPlaneState(drm, cursor.plane).fb;
    };
    expect(await cursorFb(undefined)).toBeUndefined();
    from = input.mark();
    mouse = UinputDevice.mouse("scanout test mouse 2");
    expect(await input.waitFor("device-added", from, (e) => e.name === "scanout test mouse 2")).toMatchObject({ kind: "pointer" });
    await input.waitFor("pointer-enter", from);
    expect(await cursorFb(cursor.fb)).toBe(cursor.fb);
    from = input.mark();
    mouse.move(7, 9);
    expect(await input.waitFor("pointer-motion", from)).toMatchObject({ x: 37, y: 49 });
    expect(backend.seat.kmsInput!.devices.map((d) => d.name)).toContain("scanout test mouse 2");
  });

  it("the path backend (we open the nodes, inotify for hotplug): devices at start, one plugged in and unplugged later", async () => {
    trace("the path backend (we open the nodes, inotify for hotplug): d");
    const ki = new KmsInput([640, 480], {}, { backend: "path", keymap: { layout: "us" } });
    const c = new Collector(ki.queue.events());
    try {
      expect(ki.backend).toBe("path");
      await c.waitFor("device-added", 0, (e) => e.name === kb.name && e.kind === "keyboard");
      const kb2 = UinputDevice.keyboard("scanout test keyboard 2");
      try {
        await c.waitFor("device-added", 0, (e) => e.name === kb2.name);
        const from = c.mark();
        kb2.tap(KEY.q);
        expect(await c.waitFor("key-down", from)).toMatchObject({ keycode: KEY.q, key: "q", text: "q" });
      } finally {
        kb2.destroy();
      }
      expect(await c.waitFor("device-removed", 0, (e) => e.name === kb2.name)).toMatchObject({ kind: "keyboard", seat: "seat0" });
    } finally {
      ki.close();
      ki.queue.close();
    }
  });

  it("latency from an injected event to its delivery in the stream (figure)", async () => {
    trace("latency from an injected event to its delivery in the stream");
    const lat: number[] = [];
    for (let i = 0; i < 200; i++) {
      const from = input.mark();
      const t0 = performance.now();
      mouse.move(i % 2 ? 3 : -3, 0);
      const ev = await input.waitFor("pointer-motion", from);
      lat.push(ev.time - t0);
    }
    lat.sort((a, b) => a - b);
    const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!.toFixed(2);
    console.log(`[kms-input.vm.test] uinput write -> event in the stream (VM, TCG): median ${q(0.5)} ms, p99 ${q(0.99)} ms over ${lat.length}`);
    expect(lat[0]).toBeGreaterThanOrEqual(0);
  });

  it("latency from an injected event to the first frame that sees it, while drawing (figure)", async () => {
    trace("frame latency");
    await input.stop();
    const lat: number[] = [];
    let injectedAt = -1;
    for await (const frame of out.frames({ limit: 120 })) {
      for (const ev of out.pollInput()) {
        if (ev.type === "pointer-motion" && injectedAt >= 0) {
          lat.push(performance.now() - injectedAt);
          injectedAt = -1;
        }
      }
      if (injectedAt < 0 && frame.index % 2 === 0) {
        injectedAt = performance.now();
        mouse.move(frame.index % 4 ? 2 : -2, 0);
      }
      scene.update(frame);
      frame.record((cmd) => scene.draw(cmd, frame));
    }
    await backend.idle();
    input = new Collector(out.input());
    lat.sort((a, b) => a - b);
    const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!.toFixed(1);
    const fps = out.stats.fps.toFixed(1);
    console.log(`[kms-input.vm.test] uinput write -> the next frame handed out sees it (VM, TCG, ${fps} fps): median ${q(0.5)} ms, p99 ${q(0.99)} ms over ${lat.length}`);
    expect(lat.length).toBeGreaterThan(10);
    expect(gpu.validationMessages).toEqual([]);
  });

  it("a drag turns the orbit camera: the written-back frame changes, and equals the scene rendered with the camera turned the dragged way", async (ctx) => {
    trace("orbit drag");
    try {
      drm.setClientCap("writebackConnectors", 1);
    } catch {
      ctx.skip(); // a driver without writeback
    }
    if (!drm.resources().connectors.some((c) => drm.connector(c).type === "Writeback")) ctx.skip();
    await input.stop();
    const mesh = (await loadDemoMesh(out)) as TexturedMesh;
    const orbit = new OrbitCamera();
    mesh.camera = orbit;
    const draw = async (n: number) => {
      for await (const frame of out.frames({ limit: n, fixedTimestep: 0 })) {
        for (const ev of out.pollInput()) orbit.handle(ev);
        mesh.update(frame);
        frame.record((cmd) => mesh.draw(cmd, frame));
      }
      await sleep(100); // a cursor move of its own, if one is due, goes out now
      await backend.idle();
    };
    try {
      await draw(2);
      const before = await writeback(drm, backend.output.crtc);
      mouse.key(BTN_LEFT, true);
      mouse.move(60, 0);
      mouse.key(BTN_LEFT, false);
      await sleep(300);
      await draw(3);
      expect(orbit.azimuth, "dragging right by 60 px turns the camera left by 60 * 0.01 rad").toBeCloseTo(-0.6, 6);
      const after = await writeback(drm, backend.output.crtc);

      const ref = createHeadlessPresenter(gpu.createDevice(), { size: [640, 480] }, true);
      const refScene = (await loadDemoMesh(ref)) as TexturedMesh;
      const refCam = new OrbitCamera();
      refCam.turn(-0.6, 0);
      refScene.camera = refCam;
      let shot: Promise<Pixels> | undefined;
      for await (const frame of ref.frames({ limit: 1, fixedTimestep: 0 })) {
        refScene.update(frame);
        frame.record((cmd) => refScene.draw(cmd, frame));
        shot = frame.capture();
      }
      const expected = await shot!;
      refScene.destroy();
      await ref.close();

      // the cursor plane is composed into the written-back frame: leave its box out
      const [cx, cy] = backend.seat.kmsInput!.pointer;
      const [cw, ch] = backend.seat.cursor!.size;
      const differing = (a: typeof after, ref?: Pixels, b?: typeof after) => {
        let n = 0;
        for (let y = 0; y < a.height; y++)
          for (let x = 0; x < a.width; x++) {
            if (x >= cx && x < cx + cw && y >= cy && y < cy + ch) continue;
            const p = a.px[y * a.pitch + x]!;
            const q = b ? b.px[y * b.pitch + x]! : undefined;
            const o = (y * a.width + x) * 4;
            const rgb = q !== undefined ? [(q >> 16) & 0xff, (q >> 8) & 0xff, q & 0xff] : [ref!.data[o]!, ref!.data[o + 1]!, ref!.data[o + 2]!];
            if (Math.max(Math.abs(((p >> 16) & 0xff) - rgb[0]!), Math.abs(((p >> 8) & 0xff) - rgb[1]!), Math.abs((p & 0xff) - rgb[2]!)) > 2) n++;
          }
        return n;
      };
      expect(differing(after, undefined, before), "the view changed").toBeGreaterThan(1000);
      expect(differing(after, expected), "the display shows the scene turned by the dragged amount").toBe(0);
    } finally {
      mesh.destroy();
      input = new Collector(out.input());
      drm.setClientCap("writebackConnectors", 0); // the state compared at the end lists no writeback connector
    }
    expect(gpu.validationMessages).toEqual([]);
  });

  it("Ctrl+Alt+F<n> is not delivered to the app (it asks for a VT switch; proven on a real VT below)", async () => {
    trace("Ctrl+Alt+F<n> is not delivered to the app (it asks for a VT ");
    const vtBefore = activeVt();
    const from = input.mark();
    kb.key(KEY.leftctrl, true);
    kb.key(KEY.leftalt, true);
    kb.tap(KEY.f5!);
    kb.key(KEY.leftalt, false);
    kb.key(KEY.leftctrl, false);
    await input.waitFor("key-up", from, (e) => e.keycode === KEY.leftctrl);
    expect(input.since(from).filter((e) => e.type === "key-down" || e.type === "key-up").map((e) => (e as InputEventOf<"key-down">).keycode))
      .toEqual([KEY.leftctrl, KEY.leftalt, KEY.leftalt, KEY.leftctrl]);
    // (this process is on no VT, so the console's own keyboard handling switches too; go back)
    await sleep(200);
    await switchVt(vtBefore);
  });

  it("closing gives the display back as found (cursor plane off) and ends the input stream", async () => {
    trace("closing gives the display back as found (cursor plane off) a");
    scene.destroy();
    await out.close();
    trace("closed");
    expect(summarizeState(drm)).toEqual(initial);
    expect(backend.input!.closed).toBe(true);
    expect(gpu.validationMessages).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------------------

/** The child: a KMS presenter on /dev/tty2 drawing frames until Escape, reporting its state as JSON lines. */
const CHILD = `
  const dist = ${JSON.stringify(`${process.cwd()}/dist/src`)};
  const { Instance } = await import(dist + "/vk/index.js");
  const { KmsBackend } = await import(dist + "/present/kms.js");
  const { FrameLoop } = await import(dist + "/present/frame-loop.js");
  const { Triangle } = await import(dist + "/scenes/index.js");
  const gpu = await Instance.create({ validation: true, requireValidation: true });
  const device = gpu.createDevice();
  const backend = KmsBackend.open(device, { size: [640, 480] });
  const out = new FrameLoop(backend, false);
  const scene = Triangle.create(out);
  const vt = backend.seat.kmsInput ? "input" : "no input";
  const report = (extra = {}) => console.log(JSON.stringify({ flips: backend.flipEvents.length, presented: backend.stats().presented,
    master: backend.drm.isMaster(), away: backend.seat.suspended, ...extra }));
  report({ ready: true, input: vt });
  const timer = setInterval(() => report(), 100);
  // "close" on fd 3: close the presenter right away (the test does it while another VT is shown)
  const control = new (await import("node:net")).Socket({ fd: 3, readable: true, writable: false });
  control.on("data", (d) => { if (String(d).includes("close")) void out.close(); });
  let quit = false;
  (async () => { for await (const ev of out.input()) if (ev.type === "key-down" && ev.key === "Escape") quit = true; })();
  for await (const frame of out.frames()) {
    if (quit) break;
    scene.update(frame);
    frame.record((cmd) => scene.draw(cmd, frame));
  }
  clearInterval(timer);
  control.destroy();
  scene.destroy();
  await out.close();
  device.destroy();
  console.log(JSON.stringify({ done: true, validation: gpu.validationMessages }));
  gpu.destroy();
`;

interface Report { flips: number; presented: number; master: boolean; away: boolean; ready?: boolean; done?: boolean; validation?: string[] }

describe.skipIf(!!skipWhy || !existsSync("/dev/tty2"))("VT switching of the KMS presenter (VM)", () => {
  let child: ChildProcess;
  let reports: Report[] = [];
  let log = "";
  let before: StateSummary;
  let kb: UinputDevice;
  let startVt = 1;

  const latest = () => reports[reports.length - 1]!;
  const waitReport = async (pred: (r: Report) => boolean, what: string, timeoutMs = 60_000): Promise<Report> => {
    const t0 = Date.now();
    const from = reports.length;
    for (;;) {
      const r = reports.slice(Math.max(0, from - 1)).find(pred);
      if (r) return r;
      if (Date.now() - t0 > timeoutMs || child.exitCode !== null) throw new Error(`child: ${what} not seen within ${timeoutMs} ms; last ${JSON.stringify(latest())}\n${log.slice(-3000)}`);
      await sleep(50);
    }
  };
  const waitVt = async (n: number) => {
    for (let i = 0; i < 250 && activeVt() !== n; i++) await sleep(20);
    expect(activeVt()).toBe(n);
  };
  const summary = () => {
    const d = DrmDevice.open(CARD);
    try {
      if (d.isMaster()) d.dropMaster(); // a probe must never keep the display from the child
      return summarizeState(d);
    } finally {
      d.close();
    }
  };

  /** Starts the child presenter on /dev/tty2 (shown) and waits for its first flips. */
  const startChild = async () => {
    reports = [];
    log = "";
    await switchVt(2);
    before = summary();
    trace("vt: spawning the child");
    const tty = open("/dev/tty2", O_RDWR);
    child = spawn(process.execPath, ["--input-type=module", "-e", CHILD], { stdio: [tty, "pipe", "pipe", "pipe"], env: { ...process.env, SCANOUT_LOG: "info" } });
    closeFd(tty);
    let buf = "";
    child.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      for (let i; (i = buf.indexOf("\n")) >= 0; buf = buf.slice(i + 1)) {
        const line = buf.slice(0, i);
        log += line + "\n";
        if (line.startsWith("{")) reports.push(JSON.parse(line) as Report);
      }
    });
    child.stderr!.on("data", (d: Buffer) => (log += d.toString()));
    await waitReport((r) => !!r.ready, "ready", 120_000);
    trace("vt: child ready");
    await waitReport((r) => r.flips > 3, "first flips");
  };
  const exited = (timeoutMs = 60_000) => new Promise<number | null>((resolve, reject) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => reject(new Error(`child did not exit within ${timeoutMs} ms\n${log.slice(-3000)}`)), timeoutMs);
    child.on("exit", (code) => (clearTimeout(timer), resolve(code)));
  });

  beforeAll(async () => {
    kb = UinputDevice.keyboard("scanout test keyboard (vt)");
    await udevSettled(kb.node);
    startVt = activeVt();
    await startChild();
  });
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill("SIGTERM");
    kb?.destroy();
    await switchVt(startVt).catch(() => undefined);
  });

  const awayAndBack = async (how: string, away: () => void, back: () => void) => {
    const r0 = await waitReport((r) => r.master && !r.away, "master on our VT");
    away();
    await waitVt(3);
    const gone = await waitReport((r) => r.away && !r.master, `${how}: master dropped`);
    // nobody is master now: a new opener becomes master (proof the child let go)
    const probe = DrmDevice.open(CARD);
    expect(probe.isMaster()).toBe(true);
    probe.close();
    await sleep(500);
    const stillGone = latest();
    expect(stillGone.away).toBe(true);
    expect(stillGone.flips, "no flips while away").toBe(gone.flips);
    back();
    await waitVt(2);
    const backAgain = await waitReport((r) => r.master && !r.away && r.flips > stillGone.flips + 3, `${how}: master back and flips resumed`);
    expect(backAgain.flips).toBeGreaterThan(r0.flips);
  };

  it("VT_ACTIVATE from another process: master dropped, flips stop; back: master taken, our mode again, flips resume (twice)", async () => {
    trace("VT_ACTIVATE from another process: master dropped, flips stop");
    for (let i = 0; i < 2; i++) await awayAndBack(`switch ${i + 1}`, () => activateVt(3), () => activateVt(2));
    // our frames are on screen again: the primary plane shows a framebuffer that is not fbcon's
    const s = summary();
    const primaryBefore = before.planes.find((p) => p.fb !== undefined && p.dst[2]! > 64)!;
    expect(s.planes.find((p) => p.id === primaryBefore.id)!.fb).not.toBe(primaryBefore.fb);
  });

  it("the key chord: Ctrl+Alt+F3 in the app switches away; Ctrl+Alt+F2 on the text console switches back", async () => {
    trace("the key chord: Ctrl+Alt+F3 in the app switches away; Ctrl+Al");
    const chord = (f: string) => () => {
      kb.key(KEY.leftctrl, true);
      kb.key(KEY.leftalt, true);
      kb.tap(KEY[f]!);
      kb.key(KEY.leftalt, false);
      kb.key(KEY.leftctrl, false);
    };
    await awayAndBack("chord", chord("f3"), chord("f2"));
  });

  it("Escape ends the app, which gives back the display exactly as it found it", async () => {
    (child.stdio[3] as NodeJS.WritableStream).end(); // the child's control pipe is not needed now
    trace("Escape ends the app, which gives back the display exactly as");
    kb.tap(KEY.esc);
    const done = await waitReport((r) => !!r.done, "exit");
    expect(done.validation).toEqual([]);
    expect(await exited(), log.slice(-3000)).toBe(0);
    expect(summary()).toEqual(before);
    expect(log).toMatch(/switched away \(DRM master dropped\)/);
    expect(log).toMatch(/switched back \(DRM master taken\)/);
  });

  it("Ctrl+C interrupts the app as on a console (its keyboard is ours now): SIGINT, and the display is given back as found", async () => {
    trace("ctrl+c");
    await startChild();
    await waitReport((r) => r.master && !r.away && r.flips > 3, "drawing");
    kb.key(KEY.leftctrl, true);
    kb.tap(KEY.c!);
    kb.key(KEY.leftctrl, false);
    const code = await exited();
    expect(code === null || code === 130, `exit ${code}\n${log.slice(-3000)}`).toBe(true); // killed by SIGINT, after the exit hooks ran
    expect(log).toMatch(/Ctrl\+C: interrupting/);
    expect(summary()).toEqual(before);
  });

  it("closed while another VT is shown: no hang, the VT is handed back, and the console shows its own display again", async () => {
    trace("close while away");
    await startChild();
    activateVt(3);
    await waitVt(3);
    await waitReport((r) => r.away && !r.master, "master dropped");
    (child.stdio[3] as NodeJS.WritableStream).end("close\n");
    const done = await waitReport((r) => !!r.done, "exit after close");
    expect(done.validation).toEqual([]);
    expect(await exited(), log.slice(-3000)).toBe(0);
    // (fbcon put its own state back when VT 3 was shown, so there was nothing left to restore)
    await switchVt(2); // tty2 is a text console again (VT_AUTO): the kernel switches without asking anyone
    expect(summary()).toEqual(before);
  });
});

// the VM boots without udevd: later test files find it as booted
afterAll(() => stopUdevd());
