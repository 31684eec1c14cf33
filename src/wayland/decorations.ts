// Window decorations. Server-side when the compositor offers zxdg_decoration_manager_v1 and agrees
// (Sway, KWin); otherwise a minimal client-side title bar of our own (Weston's desktop shell): a
// subsurface above the content with the title and a close button, drawn by the CPU into a small
// wl_shm buffer. Its wl_subsurface is synchronized, so a new bar shows with the content's commit.
// Pressing on the bar moves the window (xdg_toplevel.move), on the close button closes it, near the
// content's edges resizes it (xdg_toplevel.resize); the seat and the press's serial come from the
// caller's wl_pointer (pointerPress). Hidden while fullscreen.
import type { InputEvent } from "../input/events.js";
import { SharedMemory } from "../sys/memfd.js";
import { logger } from "../util/log.js";
import { drawText, fillRect, GLYPH_HEIGHT } from "./bitmap-font.js";
import type { Connection } from "./connection.js";
import type { Globals } from "./globals.js";
import { ZxdgDecorationManagerV1, ZxdgToplevelDecorationV1Mode, type ZxdgToplevelDecorationV1 } from "./protocol/xdg-decoration-unstable-v1.js";
import { type WlBuffer, WlShm, WlShmFormat, type WlSeat, WlSubcompositor, type WlSubsurface, type WlSurface, type WlCompositor } from "./protocol/wayland.js";
import { type XdgSurface, XdgToplevelResizeEdge, type XdgToplevel } from "./protocol/xdg-shell.js";

const log = logger("wayland");

/** How a window is decorated: "auto" (default) asks for server-side ones and draws its own when refused or not offered. */
export type DecorationsChoice = "auto" | "server" | "client" | "none";

/** Title bar height in logical pixels. */
export const TITLE_BAR_HEIGHT = 24;
/** How close to the content's edge (logical px) a press starts a resize. */
const EDGE = 6;
const BAR_COLOR = [48, 48, 56] as const;
const TEXT_COLOR = [230, 230, 230] as const;
const CLOSE_COLOR = [200, 60, 60] as const;

/** What the decorations need of the window's input (WaylandInput): the bar's pointer events and the latest press's serial. */
export interface DecorationInput {
  /** Sends the pointer events on `surface` to `handler` instead of the app; returns the undo. */
  routeSurface(surface: WlSurface, handler: (event: InputEvent) => void): () => void;
  /** The seat and serial of the latest button press, key or touch down. */
  readonly lastSerial: { readonly seat: WlSeat; readonly serial: number } | undefined;
  /** Lets `filter` take pointer events on the window's own surface before the app sees them (true: taken); undefined removes it. */
  filterWindowEvents(filter: ((event: InputEvent) => boolean) | undefined): void;
}

/** What the decorations need of their window. */
export interface DecoratedWindow {
  readonly connection: Connection;
  readonly globals: Globals;
  readonly compositor: WlCompositor;
  readonly surface: WlSurface;
  readonly xdgSurface: XdgSurface;
  readonly toplevel: XdgToplevel;
  /** The content's size in logical pixels, and whether the compositor fixes it (fullscreen, maximized, tiled). */
  readonly logicalSize: readonly [number, number];
  readonly sizeFixed: boolean;
}

/** The decorations of one toplevel. */
export class WindowDecorations {
  /** What the window has now: "server" (the compositor draws them), "client" (our title bar) or "none". */
  mode: "server" | "client" | "none";
  /** Called when the close button is pressed. */
  onClose: (() => void) | undefined;
  /** Called when the compositor changes the mode (a configure follows, applied by the window). */
  onModeChange: (() => void) | undefined;
  private readonly decoration: ZxdgToplevelDecorationV1 | undefined;
  private readonly manager: ZxdgDecorationManagerV1 | undefined;
  private bar: { surface: WlSurface; subsurface: WlSubsurface } | undefined;
  private buffer: { wl: WlBuffer; memory: SharedMemory; width: number; title: string } | undefined;
  private shown = false;
  /** The window geometry last set (xdg_surface.set_window_geometry), "" while never set. */
  private windowGeometry = "";
  private destroyed = false;
  /** Earlier bar buffers the compositor has not released yet. */
  private readonly replaced = new Set<{ wl: WlBuffer; memory: SharedMemory }>();
  private shm: WlShm | undefined;
  private input: DecorationInput | undefined;
  private unroute: (() => void) | undefined;
  private width = 0;

  constructor(
    private readonly window: DecoratedWindow,
    choice: DecorationsChoice,
    private title: string,
  ) {
    this.mode = choice === "server" || choice === "auto" ? "client" : choice;
    if (choice === "auto" || choice === "server") {
      this.manager = window.globals.tryBind(ZxdgDecorationManagerV1, { fallback: "we draw our own title bar (client-side decorations)" });
      if (this.manager) {
        // made before the surface's first commit, so the first configure carries the mode
        this.decoration = this.manager.get_toplevel_decoration(window.toplevel);
        this.decoration.listen({
          configure: (mode) => {
            const next = mode === ZxdgToplevelDecorationV1Mode.server_side ? "server" : "client";
            if (next === this.mode) return;
            log.debug(`${window.toplevel}: decorations ${next}-side (compositor's choice)`);
            this.mode = next;
            this.onModeChange?.();
          },
        });
        this.decoration.set_mode(ZxdgToplevelDecorationV1Mode.server_side);
        this.mode = "server"; // until the compositor says otherwise
      }
    }
  }

  /** Our title bar's height (logical px) when shown. */
  get barHeight(): number {
    return TITLE_BAR_HEIGHT;
  }

  /** Space our title bar takes above the content (logical px): 0 unless client-side and shown. */
  get top(): number {
    return this.mode === "client" && this.shown ? TITLE_BAR_HEIGHT : 0;
  }

  /** The space our title bar would take above the content in `states` (logical px): 0 unless client-side and shown there. */
  topIn(states: ReadonlySet<string>): number {
    return this.mode === "client" && WindowDecorations.visibleIn(states) ? TITLE_BAR_HEIGHT : 0;
  }

  /** Whether the given states leave room for a title bar (not fullscreen). */
  static visibleIn(states: ReadonlySet<string>): boolean {
    return !states.has("fullscreen");
  }

  /**
   * Brings our title bar and the window geometry up to date for content of `width` x `height` logical
   * px and the window's states (double-buffered: both apply with the content's next commit).
   */
  update(width: number, height: number, states: ReadonlySet<string>): void {
    this.updateBar(width, states);
    this.setWindowGeometry(width, height);
  }

  /** Shows, hides or redraws our title bar; no-op for server-side or none. */
  private updateBar(width: number, states: ReadonlySet<string>): void {
    const show = this.mode === "client" && WindowDecorations.visibleIn(states);
    if (!show) {
      if (this.shown && this.bar) {
        this.bar.surface.attach(null, 0, 0);
        this.bar.surface.commit();
      }
      this.shown = false;
      return;
    }
    if (this.shown && width === this.width && this.buffer?.title === this.title) return;
    this.shown = true;
    this.width = width;
    this.bar ??= this.makeBar();
    this.routeBar();
    this.draw(width);
  }

  /** The window geometry includes our title bar while it is shown (xdg_surface.set_window_geometry). */
  private setWindowGeometry(width: number, height: number): void {
    const top = this.top;
    if (!top && !this.windowGeometry) return; // never set: the surface's extents, as wanted
    const g = `${-top},${width},${height + top}`;
    if (g === this.windowGeometry) return;
    this.windowGeometry = g;
    this.window.xdgSurface.set_window_geometry(0, -top, width, height + top);
  }

  /**
   * Takes the bar's pointer input from the window's seats: a left press on it moves the window or
   * closes it (close button), at its top edge resizes. Until called, use pointerPress.
   */
  useInput(input: DecorationInput): void {
    this.input = input;
    this.routeBar();
    // Presses at the content's edges resize the window while our decorations are shown; the press
    // and its release are then not the app's.
    let taken: number | undefined;
    input.filterWindowEvents((e) => {
      if (e.type === "button-up" && e.button === taken) {
        taken = undefined;
        return true;
      }
      if (e.type !== "button-down" || e.name !== "left") return false;
      const at = this.input?.lastSerial;
      if (!at || !this.pointerPress(at.seat, at.serial, this.window.surface, e.x, e.y, this.window.logicalSize, !this.window.sizeFixed)) return false;
      taken = e.button;
      return true;
    });
  }

  private routeBar(): void {
    if (!this.input || !this.bar || this.unroute) return;
    const surface = this.bar.surface;
    this.unroute = this.input.routeSurface(surface, (e) => {
      if (e.type !== "button-down" && e.type !== "touch-down") return;
      if (e.type === "button-down" && e.name !== "left") return;
      const at = this.input?.lastSerial;
      if (at) this.pointerPress(at.seat, at.serial, surface, e.x, e.y, [this.width, 0], true);
    });
  }

  /** Changes the title drawn in our bar (the window also sets xdg_toplevel.set_title). */
  setTitle(title: string): void {
    this.title = title;
    if (this.shown) this.draw(this.width);
  }

  private makeBar(): { surface: WlSurface; subsurface: WlSubsurface } {
    const sub = this.window.globals.bind(WlSubcompositor, { purpose: "for our title bar (client-side decorations)" });
    const surface = this.window.compositor.create_surface();
    // a subsurface of the window's: the window's own surface hears (and acts on) the same outputs, scale and transform
    surface.listen({ enter: () => {}, leave: () => {}, preferred_buffer_scale: () => {}, preferred_buffer_transform: () => {} });
    const subsurface = sub.get_subsurface(surface, this.window.surface);
    sub.destroy();
    subsurface.set_position(0, -TITLE_BAR_HEIGHT);
    return { surface, subsurface };
  }

  private draw(width: number): void {
    this.shm ??= this.window.globals.bind(WlShm, { purpose: "for our title bar (client-side decorations)" }).listen({ format: () => {} }); // XRGB8888 is always there
    const shm = this.shm;
    const height = TITLE_BAR_HEIGHT;
    const stride = width * 4;
    const memory = SharedMemory.create(`scanout-title-${width}`, stride * height);
    const pool = shm.create_pool(memory.fd, memory.size);
    const wl = pool.create_buffer(0, width, height, stride, WlShmFormat.xrgb8888);
    pool.destroy();
    const canvas = { pixels: new Uint8Array(memory.buffer), width, height, stride };
    fillRect(canvas, 0, 0, width, height, BAR_COLOR);
    const scale = 2;
    const textY = (height - GLYPH_HEIGHT * scale) >> 1;
    drawText(canvas, this.title, 8, textY, scale, TEXT_COLOR, width - 8 - height - 8);
    // close button: an X in the rightmost square
    const x0 = width - height;
    fillRect(canvas, x0, 0, height, height, CLOSE_COLOR);
    for (let i = 6; i < height - 6; i++) {
      fillRect(canvas, x0 + i, i, 2, 1, TEXT_COLOR);
      fillRect(canvas, x0 + height - 1 - i - 1, i, 2, 1, TEXT_COLOR);
    }
    const old = this.buffer;
    this.buffer = { wl, memory, width, title: this.title };
    wl.listen({ release: () => {} });
    const bar = this.bar!;
    bar.surface.attach(wl, 0, 0);
    bar.surface.damage(0, 0, width, height);
    bar.surface.commit(); // cached until the parent's commit (synchronized subsurface)
    if (old) {
      // the compositor may still read the old buffer until the new one replaces it: free it on release
      this.replaced.add(old);
      old.wl.listen({
        release: () => {
          this.replaced.delete(old);
          old.wl.destroy();
          old.memory.close();
        },
      });
    }
  }

  /**
   * A pointer button press (wl_pointer.button, pressed) at (x, y) in `surface`'s logical coordinates,
   * with the seat and the event's serial: on our title bar it moves the window or closes it (close
   * button); near the content's edges it resizes. Returns true when it was ours to handle.
   */
  pointerPress(seat: WlSeat, serial: number, surface: WlSurface, x: number, y: number, contentSize: readonly [number, number], resizable: boolean): boolean {
    if (this.mode !== "client" || !this.shown) return false;
    const [w, h] = contentSize;
    if (this.bar && surface === this.bar.surface) {
      if (resizable && y < EDGE / 2) this.window.toplevel.resize(seat, serial, XdgToplevelResizeEdge.top);
      else if (x >= this.width - TITLE_BAR_HEIGHT) this.onClose?.();
      else this.window.toplevel.move(seat, serial);
      return true;
    }
    if (surface !== this.window.surface || !resizable) return false;
    const edges = (x < EDGE ? XdgToplevelResizeEdge.left : x >= w - EDGE ? XdgToplevelResizeEdge.right : 0) | (y >= h - EDGE ? XdgToplevelResizeEdge.bottom : 0);
    if (!edges) return false;
    this.window.toplevel.resize(seat, serial, edges);
    return true;
  }

  /**
   * Destroys the bar and the decoration object (before the toplevel); with `requests` false only
   * frees our memory (the connection is gone). Idempotent.
   */
  destroy(requests = true): void {
    this.unroute?.();
    this.unroute = undefined;
    if (requests && !this.destroyed) {
      this.destroyed = true;
      this.decoration?.destroy();
      this.manager?.destroy();
      if (this.bar) {
        this.bar.subsurface.destroy();
        this.bar.surface.destroy();
      }
      for (const b of [...this.replaced, ...(this.buffer ? [this.buffer] : [])]) b.wl.destroy();
      if (this.shm && this.shm.version >= WlShm.since.release) this.shm.release();
    }
    for (const b of [...this.replaced, ...(this.buffer ? [this.buffer] : [])]) b.memory.close();
    this.replaced.clear();
    this.buffer = undefined;
  }
}
