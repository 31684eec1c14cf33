// One wl_pointer and one wl_touch of a seat, turned into InputEvents. Pointer events of one
// wl_pointer.frame are grouped: motion is coalesced and scroll amounts of both axes (continuous,
// discrete, value120, source, stop) become one ScrollEvent when the frame ends. Pointers older than
// v5 send no frames, so each event is its own frame there.
import { buttonName, type InputEvent, type ScrollSource } from "../input/events.js";
import type { CursorShape } from "./cursor.js";
import type { WpCursorShapeDeviceV1 } from "./protocol/cursor-shape-v1.js";
import { WlPointer, WlPointerAxis, WlPointerAxisSource, WlPointerButtonState, type WlSeat, type WlSurface, WlTouch } from "./protocol/wayland.js";

/** What a seat's pointer and touch need from the seat set (WaylandInput). */
export interface InputSink {
  /** Delivers an event that happened on `surface` (a routed surface's handler, or the app's queue). */
  emit(event: InputEvent, surface: WlSurface): void;
  /** Buffer pixels per surface pixel of `surface` (the window's scale). */
  scaleOf(surface: WlSurface): number;
  /** Whether the surface is one of ours (the window or a routed one); events on others are dropped. */
  owns(surface: WlSurface | null): surface is WlSurface;
  /** A serial of user action (button, key, touch down) on `seat`, kept for move/resize. */
  noteSerial(seat: WlSeat, serial: number): void;
  /** The pointer entered one of our surfaces with this serial: set its image. */
  pointerEntered(pointer: SeatPointer, serial: number, surface: WlSurface): void;
}

/** Our names of wl_pointer.axis_source values. */
const SOURCES: Readonly<Record<number, ScrollSource>> = {
  [WlPointerAxisSource.wheel]: "wheel",
  [WlPointerAxisSource.finger]: "finger",
  [WlPointerAxisSource.continuous]: "continuous",
  [WlPointerAxisSource.wheel_tilt]: "wheel-tilt",
};
const VERTICAL = WlPointerAxis.vertical_scroll;

/** A seat's wl_pointer: position, focus and the current frame's pending motion and scroll. */
export class SeatPointer {
  /** The surface under the pointer (one of ours), or null. */
  focus: WlSurface | null = null;
  /** Last position on the focus, surface pixels. */
  x = 0;
  y = 0;
  /** Serial of the last enter (for set_cursor). */
  enterSerial = 0;
  /** The cursor shape device for this pointer, when the compositor offers wp_cursor_shape_v1. */
  shapeDevice: WpCursorShapeDeviceV1 | undefined;
  /** The shape shown over the focus. */
  shape: CursorShape = "default";
  private motion = false;
  private scrolled = false;
  private dx = 0;
  private dy = 0;
  private clicksX = 0;
  private clicksY = 0;
  private v120X: number | undefined;
  private v120Y: number | undefined;
  private source: ScrollSource = "unknown";
  private stopX = false;
  private stopY = false;
  /** value120 not yet making a whole click, per axis (high-resolution wheels send 30 or 60 at a time). */
  private restX = 0;
  private restY = 0;
  private readonly framed: boolean;

  constructor(
    readonly proxy: WlPointer,
    readonly seat: WlSeat,
    private readonly sink: InputSink,
  ) {
    this.framed = proxy.version >= WlPointer.since.frame;
    proxy.listen({
      enter: (serial, surface, x, y) => {
        this.flushPending();
        if (!sink.owns(surface)) return;
        this.focus = surface;
        this.x = x;
        this.y = y;
        this.enterSerial = serial;
        sink.pointerEntered(this, serial, surface);
        this.emitAt("pointer-enter");
      },
      leave: (_serial, surface) => {
        this.flushPending();
        if (!this.focus || (surface && surface !== this.focus)) return;
        this.emitAt("pointer-leave");
        this.focus = null;
      },
      motion: (_time, x, y) => {
        this.x = x;
        this.y = y;
        this.motion = true;
        if (!this.framed) this.frame();
      },
      button: (serial, _time, button, state) => {
        this.flushMotion();
        sink.noteSerial(seat, serial);
        const f = this.focus;
        if (!f) return;
        const s = sink.scaleOf(f);
        sink.emit({ type: state === WlPointerButtonState.pressed ? "button-down" : "button-up", time: performance.now(), x: this.x, y: this.y, bufferX: this.x * s, bufferY: this.y * s, button, name: buttonName(button) }, f);
      },
      axis: (_time, axis, value) => {
        if (axis === VERTICAL) this.dy += value;
        else this.dx += value;
        this.scrolled = true;
        if (!this.framed) this.frame();
      },
      frame: () => this.frame(),
      axis_source: (source) => {
        this.source = SOURCES[source] ?? "unknown";
        this.scrolled = true;
      },
      axis_stop: (_time, axis) => {
        if (axis === VERTICAL) this.stopY = true;
        else this.stopX = true;
        this.scrolled = true;
      },
      axis_discrete: (axis, discrete) => {
        if (axis === VERTICAL) this.clicksY += discrete;
        else this.clicksX += discrete;
        this.scrolled = true;
      },
      axis_value120: (axis, value120) => {
        // v8 replaces axis_discrete: whole clicks from the running sum, the rest carried over
        if (axis === VERTICAL) {
          this.v120Y = (this.v120Y ?? 0) + value120;
          this.restY += value120;
          const clicks = Math.trunc(this.restY / 120);
          this.clicksY += clicks;
          this.restY -= clicks * 120;
        } else {
          this.v120X = (this.v120X ?? 0) + value120;
          this.restX += value120;
          const clicks = Math.trunc(this.restX / 120);
          this.clicksX += clicks;
          this.restX -= clicks * 120;
        }
        this.scrolled = true;
      },
      axis_relative_direction: () => {},
    });
  }

  /** Shows `shape` while over the current focus (and from the next enter). */
  setShape(shape: CursorShape, apply: (p: SeatPointer) => void): void {
    this.shape = shape;
    if (this.focus) apply(this);
  }

  /** Releases the wl_pointer (v3+) and its shape device. */
  release(): void {
    this.focus = null;
    try {
      this.shapeDevice?.destroy();
      if (this.proxy.version >= WlPointer.since.release) this.proxy.release();
    } catch {
      // the connection is gone; nothing to release
    }
  }

  /** wl_pointer.frame: the grouped motion, then the grouped scroll. */
  private frame(): void {
    this.flushMotion();
    if (!this.scrolled) return;
    this.scrolled = false;
    const f = this.focus;
    if (f) {
      const s = this.sink.scaleOf(f);
      this.sink.emit(
        {
          type: "scroll",
          time: performance.now(),
          x: this.x,
          y: this.y,
          bufferX: this.x * s,
          bufferY: this.y * s,
          dx: this.dx,
          dy: this.dy,
          clicksX: this.clicksX,
          clicksY: this.clicksY,
          value120X: this.v120X,
          value120Y: this.v120Y,
          source: this.source,
          stopX: this.stopX,
          stopY: this.stopY,
        },
        f,
      );
    }
    this.dx = this.dy = this.clicksX = this.clicksY = 0;
    this.v120X = this.v120Y = undefined;
    this.stopX = this.stopY = false;
    this.source = "unknown";
  }

  private flushMotion(): void {
    if (!this.motion) return;
    this.motion = false;
    this.emitAt("pointer-motion");
  }

  /** Anything pending from a frame the compositor never ended (enter and leave start new ones). */
  private flushPending(): void {
    if (this.motion || this.scrolled) this.frame();
  }

  private emitAt(type: "pointer-enter" | "pointer-leave" | "pointer-motion"): void {
    const f = this.focus;
    if (!f) return;
    const s = this.sink.scaleOf(f);
    this.sink.emit({ type, time: performance.now(), x: this.x, y: this.y, bufferX: this.x * s, bufferY: this.y * s }, f);
  }
}

/** A seat's wl_touch: points by id, each on the surface it went down on. */
export class SeatTouch {
  private readonly points = new Map<number, WlSurface>();

  constructor(
    readonly proxy: WlTouch,
    seat: WlSeat,
    sink: InputSink,
  ) {
    const at = (type: "touch-down" | "touch-motion" | "touch-up", id: number, surface: WlSurface, x: number, y: number): void => {
      const s = sink.scaleOf(surface);
      sink.emit({ type, time: performance.now(), id, x, y, bufferX: x * s, bufferY: y * s }, surface);
    };
    const last = new Map<number, [number, number]>();
    proxy.listen({
      down: (serial, _time, surface, id, x, y) => {
        if (!sink.owns(surface)) return;
        sink.noteSerial(seat, serial);
        this.points.set(id, surface);
        last.set(id, [x, y]);
        at("touch-down", id, surface, x, y);
      },
      up: (_serial, _time, id) => {
        const surface = this.points.get(id);
        if (!surface) return;
        this.points.delete(id);
        const p = last.get(id) ?? [0, 0];
        last.delete(id);
        at("touch-up", id, surface, p[0], p[1]);
      },
      motion: (_time, id, x, y) => {
        const surface = this.points.get(id);
        if (!surface) return;
        const p = last.get(id);
        if (p) {
          p[0] = x;
          p[1] = y;
        }
        at("touch-motion", id, surface, x, y);
      },
      frame: () => {},
      cancel: () => {
        const surfaces = new Set(this.points.values());
        this.points.clear();
        last.clear();
        for (const s of surfaces) sink.emit({ type: "touch-cancel", time: performance.now() }, s);
      },
      shape: () => {},
      orientation: () => {},
    });
  }

  /** Releases the wl_touch (v3+). */
  release(): void {
    try {
      if (this.proxy.version >= WlTouch.since.release) this.proxy.release();
    } catch {
      // the connection is gone
    }
  }
}
