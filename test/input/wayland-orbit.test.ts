// The interactive demo's controls on Sway 1.7 headless: the mesh scene with an OrbitCamera fed by
// pollInput(), a drag and wheel clicks injected with zwlr_virtual_pointer_v1. The screenshot after
// the drag must differ from the first one and equal the headless render with the camera turned by
// exactly the dragged amount (the expected direction), the wheel must zoom out, Esc must end it.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createHeadlessPresenter, Instance, type Pixels } from "../../src/index.js";
import { openWaylandPresenter } from "../../src/present/wayland-open.js";
import { loadDemoMesh, OrbitCamera, type TexturedMesh } from "../../src/scenes/index.js";
import { BTN_LEFT, xkbUnavailableReason } from "../../src/input/index.js";
import { type Sway, swaySkipReason } from "../../scripts/testbed/sway.js";
import { swayBed } from "../helpers/sway-bed.js";
import { differingPixels, type Rgba } from "../wayland/compositors/scenes.js";
import { Injector } from "./wayland-inject.js";
import { drawArrow } from "../../src/wayland/cursor.js";
import { App, windowRect } from "./wayland-app.js";
import { captureFrame } from "../helpers/capture.js";

const APP = "dev.scanout.orbit";
// no cursor theme to be found: the pixel check below is of our own arrow (xcursor-sway.test.ts checks a theme's)
process.env.XCURSOR_PATH = "/nonexistent/scanout-no-cursor-themes";
const SIZE: [number, number] = [320, 240];
const skip = swaySkipReason ?? xkbUnavailableReason();

/** The mesh at time 0 seen by a camera in the given state, rendered headless. */
async function reference(gpu: Instance, azimuth: number, elevation: number, zoom: number): Promise<Pixels> {
  const out = createHeadlessPresenter(gpu.createDevice(), { size: SIZE }, true);
  const scene = (await loadDemoMesh(out)) as TexturedMesh;
  const cam = new OrbitCamera();
  cam.turn(azimuth, elevation);
  cam.setZoom(zoom);
  scene.camera = cam;
  return captureFrame(out, scene, 0, { fixedTimestep: 0 });
}

/** Cursor image size (our arrow, src/wayland/cursor.ts): Sway headless draws it into the output, so grim sees it. */
const ARROW = { w: 12, h: 17 };

/** `shot` with the arrow's box at output position (x, y) replaced by the reference's pixels there (the window is at rect). */
function hideCursor(shot: Rgba, ref: Pixels, rect: { x: number; y: number }, x: number, y: number): Rgba {
  const data = Uint8Array.from(shot.data);
  for (let yy = y; yy < y + ARROW.h; yy++)
    for (let xx = x; xx < x + ARROW.w; xx++) {
      const o = (yy * shot.width + xx) * 4;
      const r = ((yy - rect.y) * ref.width + (xx - rect.x)) * 4;
      for (let c = 0; c < 4; c++) data[o + c] = ref.data[r + c]!;
    }
  return { width: shot.width, height: shot.height, data };
}

/** The RGB of output pixel (x, y). */
function rgb(shot: Rgba, x: number, y: number): number[] {
  const o = (y * shot.width + x) * 4;
  return [shot.data[o]!, shot.data[o + 1]!, shot.data[o + 2]!];
}

describe.skipIf(skip)(`orbit controls on Sway 1.7 headless${skip ? ` (skipped: ${skip})` : ""}`, () => {
  const bed = swayBed({ width: 640, height: 480 });

  it("a drag turns the rendered view by the dragged amount, the wheel zooms, Esc quits", async () => {
    const out = await openWaylandPresenter(bed.gpu.createDevice(), { size: SIZE, socket: bed.sway.path, title: "orbit", appId: APP }, true);
    const scene = (await loadDemoMesh(out)) as TexturedMesh;
    const orbit = new OrbitCamera();
    scene.camera = orbit;
    const app = new App(out, scene, (ev) => orbit.handle(ev), 0); // time stands still: only the camera moves
    const inj = await Injector.connect(bed.sway.path);
    /** Waits until the frames after the latest event are on screen, then screenshots our window. */
    const settledShot = async () => {
      const at = app.frames;
      await app.until("frames after the input", () => app.frames >= Math.max(at, app.lastEventFrame) + 4);
      return bed.sway.screenshot();
    };
    try {
      const rect = await windowRect(bed.sway, APP);
      await app.until("first frames", () => app.frames > 3);
      const before = await settledShot();
      const ref0 = await reference(bed.gpu, 0, 0, 1);
      expect(differingPixels(before, ref0, rect.x, rect.y)).toBe(0);

      await inj.createPointer();
      await inj.moveTo(rect.x + 100, rect.y + 100, 640, 480);
      await inj.button(BTN_LEFT, true);
      for (let i = 0; i < 6; i++) await inj.moveBy(10, 5); // 60 px right, 30 px down
      await inj.button(BTN_LEFT, false);
      await app.until("the drag", () => app.events.some((e) => e.type === "button-up"));
      expect(orbit.azimuth).toBeCloseTo(-0.6, 5); // dragging right turns the camera left round the model
      expect(orbit.elevation).toBeCloseTo(0.3, 5);
      const dragged = await settledShot();
      const refDrag = await reference(bed.gpu, orbit.azimuth, orbit.elevation, orbit.zoom); // the same floats as the app's
      // the pointer is at (160, 130) in the window: our arrow is there, pixel for pixel (Sway draws the cursor into the output)
      const [px, py] = [rect.x + 160, rect.y + 130];
      const arrow = new Uint8Array(ARROW.w * ARROW.h * 4);
      drawArrow(arrow, ARROW.w * 4);
      let opaque = 0;
      for (let y = 0; y < ARROW.h; y++)
        for (let x = 0; x < ARROW.w; x++) {
          const o = (y * ARROW.w + x) * 4;
          if (arrow[o + 3] !== 255) continue;
          opaque++;
          expect(rgb(dragged, px + x, py + y), `arrow pixel ${x},${y}`).toEqual([arrow[o + 2], arrow[o + 1], arrow[o]]);
        }
      expect(opaque).toBeGreaterThan(50); // our own arrow (wl_shm + set_cursor: Sway 1.7 has no cursor-shape)
      expect(differingPixels(dragged, refDrag, rect.x, rect.y)).toBeGreaterThan(0); // the arrow
      const changed = differingPixels(hideCursor(dragged, ref0, rect, px, py), ref0, rect.x, rect.y);
      console.log(`drag: ${changed} of ${SIZE[0] * SIZE[1]} pixels changed`);
      expect(changed).toBeGreaterThan(2000);
      expect(differingPixels(hideCursor(dragged, refDrag, rect, px, py), refDrag, rect.x, rect.y)).toBe(0);

      await inj.wheel(3); // three clicks down: further away
      await app.until("the wheel", () => app.events.some((e) => e.type === "scroll"));
      expect(orbit.zoom).toBeCloseTo(1.1 ** 3, 5);
      const zoomed = await settledShot();
      const refZoom = await reference(bed.gpu, orbit.azimuth, orbit.elevation, orbit.zoom);
      expect(differingPixels(hideCursor(zoomed, refZoom, rect, px, py), refZoom, rect.x, rect.y)).toBe(0);

      await inj.createKeyboard("us");
      await app.until("keyboard focus", () => app.events.some((e) => e.type === "keyboard-enter"));
      await inj.tap(1); // Esc
      await app.done;
      expect(app.keys().at(-1)?.key).toBe("Escape");
    } finally {
      app.stop();
      await app.done.catch(() => {});
      await inj.close();
      scene.destroy();
      await out.close();
    }
    expect(bed.gpu.validationMessages).toEqual([]);
  });

  it.skipIf(!existsSync("dist/examples/demo.js"))("the demo on Sway: a drag and the wheel are taken, f answers, q quits cleanly (exit 0)", async () => {
    const demo = spawn(process.execPath, ["dist/examples/demo.js", "--backend", "wayland-shm", "--frames", "0", "--size", "320x240"], {
      env: { ...process.env, WAYLAND_DISPLAY: bed.sway.path },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    demo.stdout.on("data", (d) => (output += d));
    demo.stderr.on("data", (d) => (output += d));
    const exited = new Promise<number | null>((r) => demo.on("exit", (code) => r(code)));
    const inj = await Injector.connect(bed.sway.path);
    try {
      const rect = await windowRect(bed.sway, "dev.scanout"); // openPresenter's app_id
      await inj.createPointer();
      await inj.moveTo(rect.x + 50, rect.y + 50, 640, 480);
      await inj.button(BTN_LEFT, true);
      await inj.moveBy(40, 10);
      await inj.button(BTN_LEFT, false);
      await inj.wheel(1);
      await inj.createKeyboard("us");
      await new Promise((r) => setTimeout(r, 300)); // keyboard focus
      await inj.tap(33); // f
      await inj.tap(16); // q
      const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r("timeout"), 15000))]);
      expect(code, output).toBe(0);
      expect(output).toMatch(/backend: wayland-shm/);
      expect(output).toMatch(/frames: \d+/);
      expect(output).toMatch(/fullscreen: on/);
    } finally {
      await inj.close();
      if (demo.exitCode === null) demo.kill("SIGTERM");
    }
  });
});
