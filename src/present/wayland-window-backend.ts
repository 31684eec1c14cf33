// What the two Wayland backends share: a window that sizes, scales and changes state, its seats'
// input, and the pacer that turns frame callbacks and present modes into commits. Each backend adds
// how its buffers are made and handed over (wl_shm copies, or dmabufs).
import type { Device } from "../vk/index.js";
import type { WaylandWindow } from "../wayland/window.js";
import { WaylandInput } from "../wayland/seat.js";
import type { Pacing } from "./pacing.js";
import { WaylandPacer, type WaylandBufferHooks, type WaylandPacingOptions } from "./pacing-wayland.js";

export type { WaylandPacingOptions } from "./pacing-wayland.js";

/** The part of the wl_shm and dmabuf backends that is the window: size, states, input and pacing. */
export abstract class WaylandWindowBackend<B> {
  /** @internal Frame callbacks, present modes and the heartbeat while hidden (pacing-wayland.ts). */
  protected readonly pacer: WaylandPacer<B>;
  /** The window's seats: keyboard, pointer and touch events (Presenter.input / pollInput). */
  readonly input: WaylandInput;

  /** @internal */
  protected constructor(
    readonly device: Device,
    readonly window: WaylandWindow,
    options: WaylandPacingOptions,
    hooks: WaylandBufferHooks<B>,
  ) {
    this.pacer = new WaylandPacer<B>(window, options, hooks);
    this.input = WaylandInput.attach(window);
    window.decorations.useInput(this.input); // our title bar (if any) takes its own pointer presses
  }

  /**
   * Undoes what the constructor attached to the window: the pacer's hooks and tearing control, and
   * the seats' input. destroy() calls it; so does a subclass whose own set-up fails, since the
   * window (or a connection the app passed in) may live on without us.
   */
  protected releaseWindowParts(): void {
    this.pacer.destroy();
    this.input.close();
  }

  /** The window's buffer size in device pixels (logical size times scale). */
  get size(): readonly [number, number] {
    return this.window.size;
  }

  /** Asks for fullscreen (or back); the size follows the compositor's configure. */
  setFullscreen(on: boolean): void {
    this.window.setFullscreen(on);
  }

  /** Asks for maximized (or back); the size follows the compositor's configure. */
  setMaximized(on: boolean): void {
    this.window.setMaximized(on);
  }

  /** Asks for a window size in logical pixels (WaylandWindow.resize): buffers follow at the next acquire. */
  resize(width: number, height: number): void {
    this.window.resize(width, height);
  }

  /** Why the window ended the loop (the compositor closed it), if it did. */
  get endReason(): string | undefined {
    return this.window.endReason;
  }

  /** The present mode in effect and presentation records. */
  get pacing(): Pacing {
    return this.pacer.pacing;
  }

  /** When a frame handed out now should be on screen (performance.now() ms). */
  predictPresentMs(nowMs: number): number {
    return this.pacer.predict(nowMs);
  }
}
