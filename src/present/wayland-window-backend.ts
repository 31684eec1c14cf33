// What the two Wayland backends share: a window that sizes, scales and changes state, its seats'
// input, and its surface as a display sink behind the present queue (wayland-sink.ts). Each backend adds
// how its buffers are made and handed over (wl_shm copies, or dmabufs).
import type { Device } from "../vk/index.js";
import type { FrameTracer } from "../util/trace.js";
import type { WaylandWindow } from "../wayland/window.js";
import { WaylandInput } from "../wayland/seat.js";
import { DesktopWindow } from "../wayland/desktop-window.js";
import type { Pacing } from "./pacing.js";
import { WaylandSurfaceSink, type WaylandBufferHooks, type WaylandPacingOptions } from "./wayland-sink.js";
import type { PresentQueue } from "./present-queue.js";

export type { WaylandPacingOptions } from "./wayland-sink.js";

/** The part of the wl_shm and dmabuf backends that is the window: size, states, input and pacing. */
export abstract class WaylandWindowBackend<B> {
  /** @internal The surface as a display sink: commits, frame callbacks, tearing, configures (wayland-sink.ts). */
  protected readonly sink: WaylandSurfaceSink<B>;
  /** @internal Present modes and the heartbeat while hidden (present-queue.ts). */
  protected readonly queue: PresentQueue<B>;
  /** The window's seats: keyboard, pointer and touch events (Presenter.input / pollInput). */
  readonly input: WaylandInput;
  /** Clipboard, pointer lock, text input, cursor and window hints (Presenter.window). */
  readonly desktop: DesktopWindow;

  /** @internal */
  protected constructor(
    readonly device: Device,
    readonly window: WaylandWindow,
    options: WaylandPacingOptions,
    hooks: WaylandBufferHooks<B>,
  ) {
    this.sink = new WaylandSurfaceSink<B>(window, options, hooks);
    this.queue = this.sink.queue;
    this.input = WaylandInput.attach(window);
    window.decorations.useInput(this.input); // our title bar (if any) takes its own pointer presses
    this.desktop = new DesktopWindow(window, this.input);
  }

  /**
   * Undoes what the constructor attached to the window: the sink's hooks and tearing control, and
   * the seats' input. destroy() calls it; so does a subclass whose own set-up fails, since the
   * window (or a connection the app passed in) may live on without us.
   */
  protected releaseWindowParts(): void {
    this.sink.destroy();
    this.desktop.destroy();
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
    return this.queue.pacing;
  }

  /** Records the waits for frame callbacks into the run's tracer (the window records the rest). */
  traceTo(tracer: FrameTracer | undefined): void {
    this.queue.tracer = tracer;
  }

  /** When a frame handed out now should be on screen (performance.now() ms). */
  predictPresentMs(nowMs: number): number {
    return this.queue.predict(nowMs);
  }
}
