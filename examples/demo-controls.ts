// The demo's input: drag orbits the camera, the wheel zooms, f toggles fullscreen (Wayland), m
// toggles mouse-look (pointer lock, relative motion turns the camera), Ctrl+C copies the status
// line and Ctrl+V prints what the clipboard holds, Esc or q quits.
import type { Presenter } from "../src/index.js";
import { OrbitCamera } from "../src/scenes/index.js";

/** Radians per pixel of relative motion while mouse-look is on. */
const LOOK_RADIANS_PER_PIXEL = 0.005;
/** Characters of a paste printed whole; a longer one is shortened (a megabyte on the console stalls it). */
const PRINTED_PASTE = 2000;

export class DemoControls {
  readonly orbit = new OrbitCamera();
  private fullscreen = false;
  private mouseLook = false;
  /** What Ctrl+C copies: the demo's status line (made only when asked for: nothing per frame). */
  statusLine: () => string = () => "";

  constructor(private readonly out: Presenter) {}

  /** Applies the input since the last frame; true when the user asked to quit. */
  poll(): boolean {
    for (const ev of this.out.pollInput()) {
      switch (ev.type) {
        case "key-down":
          if (ev.modifiers.ctrl && ev.key === "c") this.copyStatus();
          else if (ev.modifiers.ctrl && ev.key === "v") this.paste();
          else if (ev.key === "Escape" || ev.key === "q") return true;
          else if (ev.key === "f") this.toggleFullscreen();
          else if (ev.key === "m") this.toggleMouseLook();
          break;
        case "relative-motion":
          if (this.mouseLook) this.orbit.turn(-ev.dx * LOOK_RADIANS_PER_PIXEL, ev.dy * LOOK_RADIANS_PER_PIXEL);
          break;
        case "pointer-locked":
        case "pointer-unlocked":
          console.log(`mouse-look: ${ev.type === "pointer-locked" ? "pointer locked" : "pointer released"}`);
          break;
        case "drop":
          console.log(`dropped: ${ev.paths.length ? ev.paths.join(", ") : ev.uris.length ? ev.uris.join(", ") : ev.text}`);
          break;
        default:
          this.orbit.handle(ev);
      }
    }
    return false;
  }

  private copyStatus(): void {
    const w = this.out.window;
    if (!w) return console.log(`copy: the ${this.out.backend} backend has no clipboard`);
    try {
      const line = this.statusLine();
      w.clipboard.writeText(line);
      console.log(`copied: ${line}`);
    } catch (e) {
      console.log(`copy: ${(e as Error).message}`);
    }
  }

  private paste(): void {
    const w = this.out.window;
    if (!w) return console.log(`paste: the ${this.out.backend} backend has no clipboard`);
    // read in the background: the frames go on while a large paste arrives
    w.clipboard.readText({ limit: 1 << 20 }).then(
      (text) => console.log(`pasted: ${text.length > PRINTED_PASTE ? `${text.slice(0, PRINTED_PASTE)}… (${text.length} characters)` : text}`),
      (e: Error) => console.log(`paste failed: ${e.message}`),
    );
  }

  private toggleFullscreen(): void {
    if (!this.out.window) return console.log(`fullscreen: the ${this.out.backend} backend has no window`);
    this.fullscreen = !this.fullscreen;
    this.out.setFullscreen(this.fullscreen);
    console.log(`fullscreen: ${this.fullscreen ? "on" : "off"}`);
  }

  private toggleMouseLook(): void {
    const p = this.out.window?.pointer;
    if (!p?.available.constraints) return console.log("mouse-look: this backend or compositor cannot lock the pointer");
    this.mouseLook = !this.mouseLook;
    if (this.mouseLook) p.lock();
    else p.release();
    console.log(`mouse-look: ${this.mouseLook ? "on (m again to release)" : "off"}`);
  }
}
