// A toplevel window: wl_surface + xdg_surface + xdg_toplevel. Honours configure sizes (0x0 means
// we choose), acks configures lazily right before the commit that applies them, answers pings,
// turns close into a flag and a promise, paces frames with wl_surface.frame callbacks and collects
// wp_presentation feedback (presentation-feedback.ts) when the compositor offers it. Given a frame
// tracer (traceTo), it records each frame's callback and presentation, labelled with the frame that
// present() was given; buffer rings made with the window as their tracing source record releases.
import { Listeners } from "../util/listeners.js";
import { logger } from "../util/log.js";
import type { FrameTracer } from "../util/trace.js";
import { Connection } from "./connection.js";
import { Globals } from "./globals.js";
import type { PresentationFeedback, PresentationStats, PresentedEvent } from "./presentation-feedback.js";
import type { WpPresentation } from "./protocol/presentation-time.js";
import { type WlBuffer, WlCompositor, type WlSeat, WlSurface } from "./protocol/wayland.js";
import { XdgSurface, XdgToplevel, XdgWmBase } from "./protocol/xdg-shell.js";
import { type BufferGeometry, type OutputTransform, SurfaceScale } from "./scale.js";
import { WindowDecorations } from "./decorations.js";
import { contentSize, PendingConfigure } from "./pending-configure.js";
import { isSizeFixed, parseWmCapabilities, sameStates, type ToplevelState, type WmCapability } from "./toplevel-state.js";
import { MAX_COMPOSITOR_VERSION, type WindowOptions } from "./window-options.js";
import { SurfaceFrames } from "./surface-frames.js";
import { transformName } from "../render/pre-rotation.js";

export type { PresentationStats, PresentedEvent } from "./presentation-feedback.js";
export type { OutputTransform } from "./scale.js";
export { MAX_COMPOSITOR_VERSION, type WindowOptions } from "./window-options.js";

const log = logger("wayland");

/**
 * A Wayland xdg_toplevel window: binds the globals it needs, applies configure events (size changes, close requests), and
 * presents wl_buffers paced by frame callbacks, measuring presentation latency through wp_presentation when the compositor
 * offers it. Made with WaylandWindow.open; close() destroys it.
 */
export class WaylandWindow {
  readonly connection: Connection;
  readonly globals: Globals;
  readonly compositor: WlCompositor;
  readonly wmBase: XdgWmBase;
  readonly surface: WlSurface;
  readonly xdgSurface: XdgSurface;
  readonly toplevel: XdgToplevel;
  /** Current buffer size in device pixels: the logical size times the scale. Attached buffers must have it. */
  width: number;
  height: number;
  /** Current size in surface-local (logical) pixels, as configures and resize() speak. */
  logicalWidth: number;
  logicalHeight: number;
  /** Server-side decorations or our own title bar (see decorations.ts). */
  readonly decorations: WindowDecorations;
  /** The surface's scale tracking (wl_output, preferred_buffer_scale, fractional scale). */
  readonly scale: SurfaceScale;
  /** How the current buffers are scaled (buffer scale or viewport); applied with the next commit. */
  geometry: BufferGeometry;
  /** States of the last configure applied (maximized, fullscreen, activated, suspended, ...). */
  states: ReadonlySet<ToplevelState> = new Set();
  /** The compositor's hint of the largest useful size (xdg_toplevel.configure_bounds), if sent. */
  bounds: readonly [number, number] | undefined;
  /** What the window manager supports (xdg_toplevel.wm_capabilities v5; undefined: not told, assume all). */
  wmCapabilities: ReadonlySet<WmCapability> | undefined;
  /**
   * An xdg_surface.configure arrived (not yet applied): a frame-callback wait should end so the
   * configure is acked promptly (wlroots holds a resize transaction until the client commits).
   */
  readonly configureArrived = new Listeners<void>();
  /** applyConfigure adopted new states (e.g. to stop rendering while suspended). */
  readonly statesChanged = new Listeners<ReadonlySet<ToplevelState>>();
  /**
   * Each wp_presentation `presented` event: the frame given to present(), when it was shown
   * (performance.now() ms; undefined when the clock is unreadable), the refresh and the kind flags.
   */
  readonly presented: Listeners<PresentedEvent>;
  /** preferredTransform changed. */
  readonly transformChanged: Listeners<OutputTransform>;
  /** True once the compositor asked us to close. */
  closeRequested = false;
  readonly closeRequest: Promise<void>;
  private resolveClose!: () => void;
  /** Configures and relayout requests not applied yet. */
  private readonly pending = new PendingConfigure();
  /** The size we chose (WindowOptions.size, resize()), used whenever the compositor leaves it to us. */
  private chosenSize: readonly [number, number];
  private readonly ownsConnection: boolean;
  /** Whether the window opened its connection itself (not one the app passed in, which other windows may read through). */
  get ownConnection(): boolean {
    return this.ownsConnection;
  }
  /** Commits, frame callbacks, presentation feedback and their tracing (surface-frames.ts). */
  private readonly frames: SurfaceFrames;

  private constructor(connection: Connection, globals: Globals, opts: WindowOptions, owns: boolean) {
    this.connection = connection;
    this.globals = globals;
    this.ownsConnection = owns;
    this.chosenSize = [...(opts.size ?? [640, 480])];
    [this.logicalWidth, this.logicalHeight] = this.chosenSize;
    this.closeRequest = new Promise((r) => (this.resolveClose = r));
    this.compositor = globals.bind(WlCompositor, { max: MAX_COMPOSITOR_VERSION, purpose: "to make surfaces" });
    // the newest xdg_wm_base our generated code knows (v7: constrained states); older ones send fewer states
    this.wmBase = globals.bind(XdgWmBase, { min: 1, purpose: "for desktop windows (xdg-shell)" });
    this.wmBase.listen({ ping: (serial) => this.wmBase.pong(serial) });
    this.surface = this.compositor.create_surface();
    this.frames = new SurfaceFrames(connection, globals, this.surface);
    this.presented = this.frames.feedback.presented;
    this.scale = new SurfaceScale(globals, this.surface);
    this.scale.onChange = () => this.pending.relayoutFor("geometry");
    this.scale.preRotate = opts.preRotate ?? false;
    this.transformChanged = this.scale.transformChanged;
    this.surface.listen({
      enter: (output) => this.scale.enter(output),
      leave: (output) => this.scale.leave(output),
      preferred_buffer_scale: (f) => this.scale.preferBufferScale(f),
      preferred_buffer_transform: (t) => this.scale.preferBufferTransform(t),
    });
    this.geometry = this.scale.geometry(this.logicalWidth, this.logicalHeight);
    [this.width, this.height] = [this.geometry.width, this.geometry.height];
    this.xdgSurface = this.wmBase.get_xdg_surface(this.surface);
    this.toplevel = this.xdgSurface.get_toplevel();
    this.xdgSurface.listen({
      configure: (serial) => {
        this.pending.surfaceConfigure(serial);
        this.configureArrived.emit();
      },
    });
    this.toplevel.listen({
      configure: (w, h, states) => this.pending.toplevelConfigure(w, h, states),
      close: () => this.requestClose(),
      configure_bounds: (w, h) => (this.bounds = w > 0 && h > 0 ? [w, h] : undefined),
      wm_capabilities: (caps) => (this.wmCapabilities = parseWmCapabilities(caps)),
    });
    if (opts.title !== undefined) this.toplevel.set_title(opts.title);
    if (opts.appId !== undefined) this.toplevel.set_app_id(opts.appId);
    this.decorations = new WindowDecorations(this, opts.decorations ?? "auto", opts.title ?? "");
    this.decorations.onClose = () => this.requestClose();
    this.decorations.onModeChange = () => this.pending.relayoutFor("geometry");
    this.surface.commit(); // initial commit without a buffer asks for the first configure
  }

  /** Connects (unless given a connection), binds globals and waits for the first configure. */
  static async open(opts: WindowOptions = {}): Promise<WaylandWindow> {
    const owns = !opts.connection;
    const connection = opts.connection ?? Connection.connect(opts);
    try {
      const globals = opts.globals ?? (await Globals.fetch(connection));
      const win = new WaylandWindow(connection, globals, opts, owns);
      while (!win.pending.configured) await connection.roundtrip();
      win.applyConfigure();
      return win;
    } catch (e) {
      if (owns) await connection.close();
      throw e;
    }
  }

  /**
   * Opens a window and builds something on it (a presenter); the window is closed again when
   * `build` throws, so a failed set-up leaves no connection or surface behind.
   */
  static async openWith<T>(opts: WindowOptions, build: (window: WaylandWindow) => Promise<T>): Promise<T> {
    const window = await WaylandWindow.open(opts);
    try {
      return await build(window);
    } catch (e) {
      await window.close();
      throw e;
    }
  }

  /** The current size, as [width, height]. */
  get size(): readonly [number, number] {
    return [this.width, this.height];
  }

  /** The current size in logical (surface-local) pixels, as [width, height]. */
  get logicalSize(): readonly [number, number] {
    return [this.logicalWidth, this.logicalHeight];
  }

  /** True when a configure, a scale change or a resize() is waiting to be applied (the size may change). */
  get configurePending(): boolean {
    return this.pending.any;
  }

  /** True while the compositor says the window is not visible (xdg-shell v6 `suspended`): render nothing until the next configure. */
  get suspended(): boolean {
    return this.states.has("suspended");
  }

  /** True when the compositor dictates the size (maximized, fullscreen, tiled). */
  get sizeFixed(): boolean {
    return isSizeFixed(this.states);
  }

  /**
   * Applies the latest configure (acks it, adopts its size and states) and the current scale. Call
   * right before rendering the frame that will be committed: the buffer scale / viewport go out with
   * that commit. Returns true when the buffer size changed.
   */
  applyConfigure(): boolean {
    const work = this.pending.take();
    if (!work) return false;
    if (work.serial !== undefined) this.xdgSurface.ack_configure(work.serial);
    const { toplevel } = work;
    if (toplevel) {
      [this.logicalWidth, this.logicalHeight] = contentSize(toplevel, this.sizeFixed, this.chosenSize, this.decorations.topIn(toplevel.states));
      this.setStates(toplevel.states);
    }
    if (work.backToChosenSize && !this.sizeFixed) [this.logicalWidth, this.logicalHeight] = this.chosenSize;
    return this.layOut();
  }

  private setStates(states: ReadonlySet<ToplevelState>): void {
    const changed = !sameStates(states, this.states);
    this.states = states;
    if (!changed) return;
    log.debug(`${this.toplevel}: states ${[...states].join(", ") || "none"}`);
    this.statesChanged.emit(states);
  }

  /** Fits decorations, window geometry and buffer geometry to the logical size; true when the buffer size or transform changed. */
  private layOut(): boolean {
    this.decorations.update(this.logicalWidth, this.logicalHeight, this.states);
    const g = this.scale.geometry(this.logicalWidth, this.logicalHeight);
    this.scale.apply(g);
    const changed = g.width !== this.width || g.height !== this.height || g.transform !== this.geometry.transform;
    this.geometry = g;
    if (changed) log.debug(`${this.toplevel}: buffers ${this.width}x${this.height} -> ${g.width}x${g.height} (${this.logicalWidth}x${this.logicalHeight} at scale ${g.scale}, transform ${transformName(g.transform)})`);
    [this.width, this.height] = [g.width, g.height];
    return changed;
  }

  /** The transform the compositor would like buffers in (wl_surface.preferred_buffer_transform, v6; normal until told); applied (geometry.transform) with WindowOptions.preRotate. */
  get preferredTransform(): OutputTransform {
    return this.scale.preferredTransform;
  }

  /**
   * Chooses the window's size in logical pixels (desktop shells leave it to the client: configure
   * 0x0, floating windows). Takes effect at the next frame; while maximized, fullscreen or tiled the
   * compositor's size wins and this one is used once it leaves that state.
   */
  resize(width: number, height: number): void {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0)
      throw new RangeError(`WaylandWindow.resize: size must be two positive integers, got ${width}x${height}`);
    this.chosenSize = [width, height];
    if (this.sizeFixed) log.debug(`${this.toplevel}: resize to ${width}x${height} waits until the window is no longer ${[...this.states].join("/")}`);
    else this.pending.relayoutFor("chosen size");
  }

  private requestClose(): void {
    if (this.closeRequested) return;
    this.closeRequested = true;
    this.resolveClose();
  }

  /**
   * Feeds a pointer button press (wl_pointer.button, pressed, with its serial) at (x, y) in the
   * logical coordinates of `surface` to our title bar: move, close, or resize from an edge. Returns
   * true when the decorations handled it (the application should then ignore the press).
   */
  pointerPress(seat: WlSeat, serial: number, surface: WlSurface, x: number, y: number): boolean {
    return this.decorations.pointerPress(seat, serial, surface, x, y, this.logicalSize, !this.sizeFixed);
  }

  /** Starts an interactive move (xdg_toplevel.move) for the press with `serial` on `seat`. */
  beginMove(seat: WlSeat, serial: number): void {
    this.toplevel.move(seat, serial);
  }

  /** Starts an interactive resize from `edges` (xdg_toplevel.resize_edge bits) for the press with `serial` on `seat`. */
  beginResize(seat: WlSeat, serial: number, edges: number): void {
    this.toplevel.resize(seat, serial, edges);
  }

  /** Asks the compositor to make the window fullscreen (on its choice of output) or not; the configure that follows decides. */
  setFullscreen(on: boolean): void {
    if (on) this.toplevel.set_fullscreen(null);
    else this.toplevel.unset_fullscreen();
  }

  /** Asks the compositor to maximize the window or restore it; the configure that follows decides. */
  setMaximized(on: boolean): void {
    if (on) this.toplevel.set_maximized();
    else this.toplevel.unset_maximized();
  }

  /** Asks the compositor to minimize the window (no configure follows; it may then be suspended). */
  setMinimized(): void {
    this.toplevel.set_minimized();
  }

  /**
   * Attaches `buffer`, damages it all, asks for a frame callback (and presentation feedback, labelled
   * `frame`) and commits. Resolves with the frame callback time (ms) when the compositor wants the
   * next frame; a rejection is also kept for `throwIfFailed`.
   */
  present(buffer: WlBuffer, frame: number): Promise<number> {
    return this.frames.present(buffer, frame, this.width, this.height);
  }

  /** present() with no frame callback, for commits paced by other means (fifo-v1 barriers and presentation feedback). */
  presentWithoutCallback(buffer: WlBuffer, frame: number): void {
    this.frames.commitWithoutCallback(buffer, frame, this.width, this.height);
  }

  /** Throws why the window cannot present any more: the connection failed, or a frame callback did. */
  throwIfFailed(): void {
    this.frames.throwIfFailed();
  }

  /** Why no more frames will be shown (the compositor closed the window), else undefined. */
  get endReason(): string | undefined {
    // a lost connection is not an end but a failure: the frame loop throws it (throwIfFailed)
    return this.closeRequested ? "the compositor closed the window" : undefined;
  }

  /**
   * The tracer given to traceTo, if any: buffer rings made with this window as their tracing source
   * record releases and waits into it.
   */
  get tracer(): FrameTracer | undefined {
    return this.frames.tracer;
  }

  /**
   * Records this window's frame callbacks and presentation feedback (presented at its time on the
   * performance.now() clock, with refresh and flags; or discarded) into `tracer`, each labelled with
   * the frame given to present(); undefined stops.
   */
  traceTo(tracer: FrameTracer | undefined): void {
    this.frames.traceTo(tracer);
  }

  /** wp_presentation feedback of the window's commits, and the presentation clock (commit-timing targets). */
  get feedback(): PresentationFeedback {
    return this.frames.feedback;
  }

  /** The wp_presentation global, where the compositor offers it. */
  get presentation(): WpPresentation | undefined {
    return this.feedback.presentation;
  }

  /** What wp_presentation feedback reported so far. */
  get presentationStats(): PresentationStats {
    return this.feedback.stats;
  }

  /** wp_presentation figures for a presenter's stats. */
  presentationFigures(): Record<string, number> {
    return this.feedback.figures();
  }

  /** Destroys the window's objects and, if it opened it, the connection. */
  async close(): Promise<void> {
    const c = this.connection;
    if (!c.error) {
      try {
        this.decorations.destroy();
        this.toplevel.destroy();
        this.xdgSurface.destroy();
        this.scale.destroy();
        this.surface.destroy();
        this.feedback.destroy();
        this.wmBase.destroy();
        await c.roundtrip();
      } catch {
        /* the connection failed meanwhile: nothing left to tear down on the compositor's side */
      }
    }
    this.decorations.destroy(false); // our title bar's shared memory, whatever became of the connection
    if (this.ownsConnection) await c.close();
  }

  /** `await using` support: calls close(). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
