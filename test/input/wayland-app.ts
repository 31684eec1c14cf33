// The application side of the Wayland input tests: a frame loop on a presenter that reads
// pollInput() every frame, keeps every event, and ends on Esc.
import type { Presenter, Scene } from "../../src/index.js";
import type { InputEvent, KeyEvent } from "../../src/input/index.js";
import { Triangle } from "../../src/scenes/index.js";
import { type Sway, swayWindows } from "../../scripts/testbed/sway.js";

/** The app side: a frame loop that collects every input event until Esc (or `stop()`). */
export class App {
  readonly events: InputEvent[] = [];
  readonly done: Promise<void>;
  frames = 0;
  /** The frame count when the latest event was read. */
  lastEventFrame = 0;
  private stopped = false;
  private waiters: { test: () => boolean; resolve: () => void }[] = [];

  /** Runs `scene` (default: the triangle) at `fixedTimestep` (default: wall clock); `onEvent` sees every event first. */
  constructor(
    readonly out: Presenter,
    scene: Scene = Triangle.create(out),
    onEvent?: (ev: InputEvent) => void,
    fixedTimestep?: number,
  ) {
    this.done = (async () => {
      try {
        for await (const frame of out.frames({ fixedTimestep })) {
          this.frames++;
          for (const ev of out.pollInput()) {
            onEvent?.(ev);
            this.events.push(ev);
            this.lastEventFrame = this.frames;
            if (ev.type === "key-down" && ev.key === "Escape") this.stopped = true;
          }
          this.waiters = this.waiters.filter((w) => (w.test() ? (w.resolve(), false) : true));
          scene.update(frame);
          frame.record((cmd) => scene.draw(cmd, frame));
          if (this.stopped) break;
        }
      } finally {
        scene.destroy();
      }
    })();
    // A test that kills the compositor awaits this later; until then its rejection is expected, not unhandled.
    this.done.catch(() => {});
  }

  /** Resolves once `test` holds (checked every frame); rejects after `ms`. */
  until(what: string, test: () => boolean, ms = 5000): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; events: ${this.events.map((e) => e.type).join(" ")}`)), ms);
      this.waiters.push({ test, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  stop(): void {
    this.stopped = true;
  }

  keys(type: KeyEvent["type"] = "key-down"): KeyEvent[] {
    return this.events.filter((e): e is KeyEvent => e.type === type);
  }
  text(): string {
    return this.keys().map((e) => e.text).join("");
  }
}


/** A window's rectangle on the output: x, y, width, height. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Our window's rect in Sway's tree, once it is mapped. */
export async function windowRect(sway: Sway, app: string): Promise<Rect> {
  for (let i = 0; i < 100; i++) {
    const w = swayWindows(await sway.tree()).find((n) => n.app_id === app);
    if (w && w.rect.width > 0) return w.rect;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("our window never appeared in Sway's tree");
}

