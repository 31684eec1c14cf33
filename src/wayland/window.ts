// A toplevel window: wl_surface + xdg_surface + xdg_toplevel. Honours configure sizes (0x0 means
// we choose), acks configures lazily right before the commit that applies them, answers pings,
// turns close into a flag and a promise, paces frames with wl_surface.frame callbacks and collects
// wp_presentation feedback when the compositor offers it. Given a frame tracer (traceTo), it records
// frame callbacks, presentation feedback, waits for frame callbacks and its buffers' releases.
import { CLOCK_MONOTONIC, clockNs } from "../sys/libc.js";
import { logger } from "../util/log.js";
import { nowOffsetMs, type FrameTracer } from "../util/trace.js";
import { traceBufferRings } from "./buffer-ring.js";
import { Connection, type ConnectOptions } from "./connection.js";
import { Globals } from "./globals.js";
import { WpPresentation } from "./protocol/presentation-time.js";
import { type WlBuffer, WlCompositor, type WlSeat, WlSurface } from "./protocol/wayland.js";
import { XdgSurface, XdgToplevel, XdgWmBase } from "./protocol/xdg-shell.js";
import { type BufferGeometry, SurfaceScale } from "./scale.js";
import { type DecorationsChoice, WindowDecorations } from "./decorations.js";
import { parseStates, parseWmCapabilities, SIZE_FIXED_STATES, type ToplevelState, type WmCapability } from "./toplevel-state.js";

const log = logger("wayland");

/**
 * The wl_compositor version we bind at most: v4 brings wl_surface.damage_buffer, v5 makes attach's
 * offsets 0 (ours always are) and v6 adds preferred_buffer_scale (see scale.ts).
 */
export const MAX_COMPOSITOR_VERSION = 6;
/** The wl_surface version from which damage_buffer (damage in buffer coordinates) exists. */
const DAMAGE_BUFFER_SINCE = 4;

/** Options of WaylandWindow.open: what the window is called and, when reusing one, the connection (else one is opened from the ConnectOptions). */
export interface WindowOptions extends ConnectOptions {
  /** Window title shown by the compositor (xdg_toplevel.set_title); none when omitted. */
  title?: string;
  /** Application id the compositor groups windows by (xdg_toplevel.set_app_id). */
  appId?: string;
  /** Size we want when the compositor leaves it to us (configure 0x0). */
  size?: readonly [number, number];
  /**
   * Decorations: "auto" (default) asks for server-side ones (zxdg_decoration_manager_v1) and draws a
   * minimal title bar of its own when the compositor refuses or offers none; "server", "client", "none".
   */
  decorations?: DecorationsChoice;
  /** An existing connection to use instead of opening one (it is not closed with the window). */
  connection?: Connection;
  /** That connection's globals, when already fetched (default: fetched again). */
  globals?: Globals;
}

/** What the compositor reported through wp_presentation feedback, when it offers it. */
export interface PresentationStats {
  /** Frames the compositor reported as presented / discarded through wp_presentation. */
  presented: number;
  discarded: number;
  /** Mean commit-to-presentation latency in ms (on the compositor's presentation clock). */
  meanLatencyMs: number | undefined;
  /** Refresh interval reported with the last presentation, in ns (0 when unknown). */
  refreshNs: number;
}

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
  readonly presentation: WpPresentation | undefined;
  readonly surface: WlSurface;
  readonly xdgSurface: XdgSurface;
  readonly toplevel: XdgToplevel;
  /**
   * Current buffer size in device pixels: the logical size (last configure applied, or our choice
   * for 0x0) times the scale. Buffers attached must have this size.
   */
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
   * Called when an xdg_surface.configure arrives (not yet applied): a frame-callback wait should end
   * so the configure is acked promptly (wlroots holds a resize transaction until the client commits).
   */
  onConfigure: (() => void) | undefined;
  /** Called after applyConfigure adopted new states (e.g. to stop rendering while suspended). */
  onStatesChange: ((states: ReadonlySet<ToplevelState>) => void) | undefined;
  /** True once the compositor asked us to close. */
  closeRequested = false;
  readonly closeRequest: Promise<void>;
  /** The frame callback of the last present, until nextFrame() has waited for it. */
  private pendingFrame: Promise<number> | undefined;
  private resolveClose!: () => void;
  private pendingSerial: number | undefined;
  /** The last configure's width and height as sent (0: ours to choose). */
  private pendingSize: [number, number] | undefined;
  /** The window geometry last set (xdg_surface.set_window_geometry), "" while never set. */
  private windowGeometry = "";
  private pendingStates: Set<ToplevelState> | undefined;
  /** The size we chose (WindowOptions.size, resize()), used whenever the compositor leaves it to us. */
  private chosenSize: [number, number];
  /** Something other than a configure (scale, resize()) asks for new buffers. */
  private geometryDirty = false;
  /** resize() was called since the last applyConfigure. */
  private resizeRequested = false;  private configured = false;
  private readonly ownsConnection: boolean;
  /** wp_presentation's clock (CLOCK_MONOTONIC until clock_id says otherwise); undefined if unreadable. */
  private clockId: number | undefined = CLOCK_MONOTONIC;
  /** Adds to a presentation-clock time (ms) to give performance.now() ms; measured on first use. */
  private clockOffsetMs: number | undefined;
  private tracerValue: FrameTracer | undefined;
  /** The first failure of a frame callback (the connection failed, a handler threw). */
  private failure: Error | undefined;
  private latencySumMs = 0;
  private latencyCount = 0;
  /**
   * Called with each wp_presentation `presented` event: the frame given to present(), when it was
   * shown (performance.now() ms; undefined when the clock is unreadable), the refresh in ns and the
   * feedback's kind flags (1 vsync, 8 zero copy). The frame loop's pacing sets it.
   */
  onPresented: ((frame: number, atMs: number | undefined, refreshNs: number, flags: number) => void) | undefined;
  readonly presentationStats: PresentationStats = { presented: 0, discarded: 0, meanLatencyMs: undefined, refreshNs: 0 };

  private constructor(connection: Connection, globals: Globals, opts: WindowOptions, owns: boolean) {
    this.connection = connection;
    this.globals = globals;
    this.ownsConnection = owns;
    this.chosenSize = [...(opts.size ?? [640, 480])];
    [this.logicalWidth, this.logicalHeight] = this.chosenSize;
    this.closeRequest = new Promise((r) => (this.resolveClose = r));
    this.compositor = globals.bind(WlCompositor, { max: MAX_COMPOSITOR_VERSION, purpose: "to make surfaces" });
    this.wmBase = globals.bind(XdgWmBase, { min: 1, purpose: "for desktop windows (xdg-shell)" });
    this.wmBase.listen({ ping: (serial) => this.wmBase.pong(serial) });
    this.presentation = globals.tryBind(WpPresentation, { fallback: "frames are paced by frame callbacks alone, with no presentation times" });
    this.presentation?.listen({
      clock_id: (clk) => {
        this.clockId = readableClock(clk);
        this.clockOffsetMs = undefined;
      },
    });
    this.surface = this.compositor.create_surface();
    this.scale = new SurfaceScale(globals, this.surface);
    this.scale.onChange = () => (this.geometryDirty = true);
    this.surface.listen({
      enter: (output) => this.scale.enter(output),
      leave: (output) => this.scale.leave(output),
      preferred_buffer_scale: (f) => this.scale.preferBufferScale(f),
      preferred_buffer_transform: () => {},
    });
    this.geometry = this.scale.geometry(this.logicalWidth, this.logicalHeight);
    [this.width, this.height] = [this.geometry.width, this.geometry.height];
    this.xdgSurface = this.wmBase.get_xdg_surface(this.surface);
    this.toplevel = this.xdgSurface.get_toplevel();
    this.xdgSurface.listen({
      configure: (serial) => {
        this.pendingSerial = serial;
        this.configured = true;
        this.onConfigure?.();
      },
    });
    this.toplevel.listen({
      configure: (w, h, states) => {
        this.pendingSize = [w, h]; // 0: ours to choose (applyConfigure)
        this.pendingStates = parseStates(states);
      },
      close: () => this.requestClose(),
      configure_bounds: (w, h) => (this.bounds = w > 0 && h > 0 ? [w, h] : undefined),
      wm_capabilities: (caps) => (this.wmCapabilities = parseWmCapabilities(caps)),
    });
    if (opts.title !== undefined) this.toplevel.set_title(opts.title);
    if (opts.appId !== undefined) this.toplevel.set_app_id(opts.appId);
    this.decorations = new WindowDecorations(this, opts.decorations ?? "auto", opts.title ?? "");
    this.decorations.onClose = () => this.requestClose();
    this.decorations.onModeChange = () => (this.geometryDirty = true);
    this.surface.commit(); // initial commit without a buffer asks for the first configure
  }

  /** Connects (unless given a connection), binds globals and waits for the first configure. */
  static async open(opts: WindowOptions = {}): Promise<WaylandWindow> {
    const owns = !opts.connection;
    const connection = opts.connection ?? Connection.connect(opts);
    try {
      const globals = opts.globals ?? (await Globals.fetch(connection));
      const win = new WaylandWindow(connection, globals, opts, owns);
      while (!win.configured) await connection.roundtrip();
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
    return this.pendingSerial !== undefined || this.geometryDirty;
  }

  /** True while the compositor says the window is not visible (xdg-shell v6 `suspended`): render nothing until the next configure. */
  get suspended(): boolean {
    return this.states.has("suspended");
  }

  /** True when the compositor dictates the size (maximized, fullscreen, tiled). */
  get sizeFixed(): boolean {
    return SIZE_FIXED_STATES.some((s) => this.states.has(s));
  }

  /**
   * Applies the latest configure (acks it, adopts its size and states) and the current scale. Call
   * right before rendering the frame that will be committed: the buffer scale / viewport go out with
   * that commit. Returns true when the buffer size changed.
   */
  applyConfigure(): boolean {
    if (this.pendingSerial === undefined && !this.geometryDirty) return false;
    this.geometryDirty = false;
    const resizeRequested = this.resizeRequested;
    this.resizeRequested = false;
    if (this.pendingSerial !== undefined) {
      this.xdgSurface.ack_configure(this.pendingSerial);
      this.pendingSerial = undefined;
      // Leaving fullscreen/maximized/tiled for a floating state: the size is ours again (a configure's
      // size is only advisory there), and like every toolkit we go back to the app's own size rather
      // than keep the one the compositor echoes (Sway 1.7 sends the fullscreen size back).
      const leavingFixed = this.sizeFixed && this.pendingStates !== undefined && !SIZE_FIXED_STATES.some((st) => this.pendingStates!.has(st));
      if (leavingFixed && this.pendingSize) this.pendingSize = [0, 0];
      if (this.pendingSize) {
        // the configure's size is the window geometry: our title bar (if shown) comes out of it
        const [w, h] = this.pendingSize;
        const top = this.decorations.mode === "client" && WindowDecorations.visibleIn(this.pendingStates ?? this.states) ? this.decorations.barHeight : 0;
        [this.logicalWidth, this.logicalHeight] = [w > 0 ? w : this.chosenSize[0], h > 0 ? Math.max(1, h - top) : this.chosenSize[1]];
      }
      this.pendingSize = undefined;
      if (this.pendingStates) {
        const before = [...this.states].sort().join(",");
        this.states = this.pendingStates;
        this.pendingStates = undefined;
        if ([...this.states].sort().join(",") !== before) {
          log.debug(`${this.toplevel}: states ${[...this.states].join(", ") || "none"}`);
          this.onStatesChange?.(this.states);
        }
      }
    }
    if (resizeRequested && !this.sizeFixed) [this.logicalWidth, this.logicalHeight] = this.chosenSize;
    this.decorations.update(this.logicalWidth, this.states);
    this.setWindowGeometry();
    const g = this.scale.geometry(this.logicalWidth, this.logicalHeight);
    this.scale.apply(g);
    this.geometry = g;
    const changed = g.width !== this.width || g.height !== this.height;
    if (changed) log.debug(`${this.toplevel}: buffers ${this.width}x${this.height} -> ${g.width}x${g.height} (${this.logicalWidth}x${this.logicalHeight} at scale ${g.scale})`);
    this.width = g.width;
    this.height = g.height;
    return changed;
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
    else this.geometryDirty = this.resizeRequested = true;
  }

  /** The window geometry includes our title bar while it is shown (xdg_surface.set_window_geometry). */
  private setWindowGeometry(): void {
    const top = this.decorations.top;
    if (!top && !this.windowGeometry) return; // never set: the surface's extents, as wanted
    const g = `${-top},${this.logicalWidth},${this.logicalHeight + top}`;
    if (g === this.windowGeometry) return;
    this.windowGeometry = g;
    this.xdgSurface.set_window_geometry(0, -top, this.logicalWidth, this.logicalHeight + top);
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
   * Attaches `buffer`, damages it all, asks for a frame callback (and presentation feedback) and
   * commits. Resolves with the frame callback time (ms) when the compositor wants the next frame;
   * a rejection is also kept for `throwIfFailed`. `frame` labels its presentation feedback (default:
   * the tracer's current frame).
   */
  present(buffer: WlBuffer, frame?: number): Promise<number> {
    this.surface.attach(buffer, 0, 0);
    if (this.surface.version >= DAMAGE_BUFFER_SINCE) this.surface.damage_buffer(0, 0, this.width, this.height);
    else this.surface.damage(0, 0, this.width, this.height); // surface coordinates = buffer's at scale 1
    const done = this.connection.callbackDone(this.surface.frame());
    done.catch((e: Error) => (this.failure ??= e));
    const tracer = this.tracerValue;
    if (tracer) {
      const frame = tracer.currentFrame;
      done.then((time) => tracer.point("frame callback", frame, performance.now(), time), () => {});
    }
    if (this.presentation) this.trackPresentation(frame ?? tracer?.currentFrame ?? 0);
    this.surface.commit();
    this.pendingFrame = done;
    return done;
  }

  /** Throws why the window cannot present any more: the connection failed, or a frame callback did. */
  throwIfFailed(): void {
    const e = this.connection.error ?? this.failure;
    if (e) throw e;
  }

  /** Why no more frames will be shown (the compositor closed the window), else undefined. */
  get endReason(): string | undefined {
    // a lost connection is not an end but a failure: the frame loop throws it (throwIfFailed)
    return this.closeRequested ? "the compositor closed the window" : undefined;
  }

  /**
   * Frame pacing: waits until the compositor asks for the frame after the last present (its frame
   * callback), or the window is closed. Resolves false at once when nothing was pending.
   */
  async nextFrame(): Promise<boolean> {
    const pending = this.pendingFrame;
    if (!pending) return false;
    this.pendingFrame = undefined;
    const tracer = this.tracerValue;
    const waitStart = tracer ? performance.now() : 0;
    await Promise.race([pending, this.closeRequest]);
    tracer?.span("wait frame callback", tracer.currentFrame, waitStart);
    return true;
  }

  /** The tracer given to traceTo, if any. */
  get tracer(): FrameTracer | undefined {
    return this.tracerValue;
  }

  /**
   * Records this window's frame callbacks, presentation feedback (presented at its time on the
   * performance.now() clock, with refresh and flags; or discarded), frame-callback waits and the
   * releases of buffer rings on its connection into `tracer`, labelled with tracer.currentFrame at
   * commit; undefined stops.
   */
  traceTo(tracer: FrameTracer | undefined): void {
    this.tracerValue = tracer;
    traceBufferRings(this.connection, tracer);
  }

  private trackPresentation(frame: number): void {
    const committedMs = performance.now();
    const tracer = this.tracerValue;
    const fb = this.presentation!.feedback(this.surface);
    fb.listen({
      sync_output: () => {},
      presented: (secHi, secLo, nsec, refresh, _seqHi, _seqLo, flags) => {
        this.presentationStats.presented++;
        this.presentationStats.refreshNs = refresh;
        const presentedMs = this.presentationTimeMs(secHi, secLo, nsec);
        this.onPresented?.(frame, presentedMs, refresh, flags);
        if (presentedMs === undefined) return;
        this.latencySumMs += presentedMs - committedMs;
        this.latencyCount++;
        this.presentationStats.meanLatencyMs = this.latencySumMs / this.latencyCount;
        tracer?.point("presented", frame, presentedMs, refresh, flags);
      },
      discarded: () => {
        this.presentationStats.discarded++;
        tracer?.point("discarded", frame);
      },
    });
  }

  /** A wp_presentation timestamp on the performance.now() clock (ms); undefined when its clock is unreadable. */
  private presentationTimeMs(secHi: number, secLo: number, nsec: number): number | undefined {
    const clockId = this.clockId;
    if (clockId === undefined) return undefined;
    this.clockOffsetMs ??= nowOffsetMs(() => Number(clockNs(clockId)) / 1e6);
    return (secHi * 2 ** 32 + secLo) * 1e3 + nsec / 1e6 + this.clockOffsetMs;
  }

  /** wp_presentation figures for a presenter's stats. */
  presentationFigures(): Record<string, number> {
    const p = this.presentationStats;
    return {
      feedbackPresented: p.presented,
      feedbackDiscarded: p.discarded,
      ...(p.meanLatencyMs !== undefined ? { presentLatencyMs: Number(p.meanLatencyMs.toFixed(3)) } : {}),
      ...(p.refreshNs ? { refreshHz: Number((1e9 / p.refreshNs).toFixed(2)) } : {}),
    };
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
        this.presentation?.destroy();
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

/** The compositor's presentation clock if we can read it; else latency goes unmeasured. */
function readableClock(clockId: number): number | undefined {
  try {
    clockNs(clockId);
    return clockId;
  } catch (e) {
    log.warn(`wp_presentation.clock_id ${clockId} cannot be read here (${(e as Error).message}): presentation latency is not measured`);
    return undefined;
  }
}
