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
import { type WlBuffer, WlCompositor, WlSurface } from "./protocol/wayland.js";
import { XdgSurface, XdgToplevel, XdgWmBase } from "./protocol/xdg-shell.js";

const log = logger("wayland");

/**
 * The wl_compositor version we bind at most: v4 brings wl_surface.damage_buffer; v5 changes what
 * attach's offsets mean and v6 adds surface events, neither of which we handle yet.
 */
export const MAX_COMPOSITOR_VERSION = 4;
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
  /** Current size: the last configure applied (or our choice for 0x0). */
  width: number;
  height: number;
  /** True once the compositor asked us to close. */
  closeRequested = false;
  readonly closeRequest: Promise<void>;
  /** The frame callback of the last present, until nextFrame() has waited for it. */
  private pendingFrame: Promise<number> | undefined;
  private resolveClose!: () => void;
  private pendingSerial: number | undefined;
  private pendingSize: [number, number] | undefined;
  private configured = false;
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
  readonly presentationStats: PresentationStats = { presented: 0, discarded: 0, meanLatencyMs: undefined, refreshNs: 0 };

  private constructor(connection: Connection, globals: Globals, opts: WindowOptions, owns: boolean) {
    this.connection = connection;
    this.globals = globals;
    this.ownsConnection = owns;
    [this.width, this.height] = opts.size ?? [640, 480];
    this.closeRequest = new Promise((r) => (this.resolveClose = r));
    this.compositor = globals.bind(WlCompositor, { max: MAX_COMPOSITOR_VERSION });
    this.wmBase = globals.bind(XdgWmBase, { min: 1 });
    this.wmBase.listen({ ping: (serial) => this.wmBase.pong(serial) });
    this.presentation = globals.tryBind(WpPresentation);
    this.presentation?.listen({
      clock_id: (clk) => {
        this.clockId = readableClock(clk);
        this.clockOffsetMs = undefined;
      },
    });
    this.surface = this.compositor.create_surface();
    this.surface.listen({
      enter: () => {},
      leave: () => {},
      preferred_buffer_scale: (f) => log.debug(`${this.surface}: preferred scale ${f} (we render at 1)`),
      preferred_buffer_transform: () => {},
    });
    this.xdgSurface = this.wmBase.get_xdg_surface(this.surface);
    this.toplevel = this.xdgSurface.get_toplevel();
    this.xdgSurface.listen({
      configure: (serial) => {
        this.pendingSerial = serial;
        this.configured = true;
      },
    });
    this.toplevel.listen({
      configure: (w, h) => {
        // 0 means the client decides; keep our current choice for that axis
        this.pendingSize = [w > 0 ? w : this.width, h > 0 ? h : this.height];
      },
      close: () => {
        this.closeRequested = true;
        this.resolveClose();
      },
      configure_bounds: () => {},
      wm_capabilities: () => {},
    });
    if (opts.title !== undefined) this.toplevel.set_title(opts.title);
    if (opts.appId !== undefined) this.toplevel.set_app_id(opts.appId);
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

  /** True when a configure is waiting to be applied (the size may change). */
  get configurePending(): boolean {
    return this.pendingSerial !== undefined;
  }

  /**
   * Applies the latest configure: acks it and adopts its size. Call right before rendering the
   * frame that will be committed; returns true when the size changed.
   */
  applyConfigure(): boolean {
    if (this.pendingSerial === undefined) return false;
    this.xdgSurface.ack_configure(this.pendingSerial);
    this.pendingSerial = undefined;
    const [w, h] = this.pendingSize ?? [this.width, this.height];
    this.pendingSize = undefined;
    const changed = w !== this.width || h !== this.height;
    if (changed) log.debug(`${this.toplevel}: resized ${this.width}x${this.height} -> ${w}x${h}`);
    this.width = w;
    this.height = h;
    return changed;
  }

  /**
   * Attaches `buffer`, damages it all, asks for a frame callback (and presentation feedback) and
   * commits. Resolves with the frame callback time (ms) when the compositor wants the next frame;
   * a rejection is also kept for `throwIfFailed`.
   */
  present(buffer: WlBuffer): Promise<number> {
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
    if (this.presentation) this.trackPresentation();
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

  private trackPresentation(): void {
    const committedMs = performance.now();
    const tracer = this.tracerValue;
    const frame = tracer?.currentFrame ?? 0;
    const fb = this.presentation!.feedback(this.surface);
    fb.listen({
      sync_output: () => {},
      presented: (secHi, secLo, nsec, refresh, _seqHi, _seqLo, flags) => {
        this.presentationStats.presented++;
        this.presentationStats.refreshNs = refresh;
        const presentedMs = this.presentationTimeMs(secHi, secLo, nsec);
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
        this.toplevel.destroy();
        this.xdgSurface.destroy();
        this.surface.destroy();
        this.presentation?.destroy();
        this.wmBase.destroy();
        await c.roundtrip();
      } catch {
        /* the connection failed meanwhile: nothing left to tear down on the compositor's side */
      }
    }
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
