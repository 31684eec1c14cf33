// Input for a Wayland window: every wl_seat the compositor offers (and ones added or removed
// later), each seat's keyboard, pointer and touch as its capabilities come and go, turned into the
// InputEvents of src/input. Events on the window's surface go to the app's queue; events on
// surfaces given to routeSurface (client-side decorations) go to their handler instead. Keeps the
// latest input serial per seat for xdg_toplevel.move / resize and sets the cursor image.
import { InputQueue, type InputSource } from "../input/queue.js";
import type { DeviceKind, InputEvent } from "../input/events.js";
import { KeyboardDecoder } from "../input/keyboard.js";
import type { XkbKeymap } from "../input/xkb.js";
import { keymapFrom } from "./seat-keymap.js";
import { logger } from "../util/log.js";
import { CursorImages, type CursorShape } from "./cursor.js";
import type { GlobalInfo } from "./globals.js";
import { WlKeyboard, WlKeyboardKeyState, WlSeat, WlSeatCapability, type WlSurface } from "./protocol/wayland.js";
import { SeatPointer, SeatTouch, type InputSink } from "./seat-pointer.js";
import type { WaylandWindow } from "./window.js";

const log = logger("wayland");

/** The newest wl_seat version we speak (v9: axis_relative_direction; v10's repeated key state is not handled). */
const MAX_SEAT_VERSION = 9;

/** Receives the input events of a routed surface (see WaylandInput.routeSurface). */
export type SurfaceInputHandler = (event: InputEvent) => void;

/** The seat and serial of the latest user action (button press, key, touch down), for xdg_toplevel.move / resize / show_window_menu. */
export interface InputSerial {
  readonly seat: WlSeat;
  readonly serial: number;
}

/**
 * Something that adds per-seat objects to a window's input (clipboard devices, relative pointers):
 * told of every seat and pointer, present and future, until removed (WaylandInput.extend).
 */
export interface SeatExtension {
  /** A wl_seat was bound (or was there when the extension was added). */
  seatAdded?(seat: WlSeat): void;
  /** A seat goes away (its global was removed, the input closes, or the extension is removed). */
  seatRemoved?(seat: WlSeat): void;
  /** A seat gained a pointer (or had one when the extension was added). */
  pointerAdded?(seat: WlSeat, pointer: SeatPointer): void;
  /** A seat's pointer goes away (before it is released). */
  pointerRemoved?(seat: WlSeat, pointer: SeatPointer): void;
}

/** One wl_seat and the devices its capabilities give. */
class SeatDevices {
  name = "";
  announced = false;
  caps = 0;
  keyboard: { proxy: WlKeyboard; decoder: KeyboardDecoder } | undefined;
  pointer: SeatPointer | undefined;
  touch: SeatTouch | undefined;

  constructor(
    readonly global: number,
    readonly proxy: WlSeat,
    private readonly owner: WaylandInput,
  ) {
    owner.tell((x) => x.seatAdded?.(proxy));
    proxy.listen({
      capabilities: (caps) => this.setCapabilities(caps),
      name: (name) => {
        this.name = name;
        this.announce();
      },
    });
  }

  /** seat-added once the seat has a name or its first capabilities. */
  announce(): void {
    if (this.announced) return;
    this.announced = true;
    this.owner.push({ type: "seat-added", time: performance.now(), seat: this.name });
  }

  setCapabilities(caps: number): void {
    this.announce();
    const added = caps & ~this.caps;
    const removed = this.caps & ~caps;
    this.caps = caps;
    if (removed & WlSeatCapability.keyboard) this.dropKeyboard();
    if (removed & WlSeatCapability.pointer) this.dropPointer();
    if (removed & WlSeatCapability.touch) this.dropTouch();
    if (added & WlSeatCapability.keyboard) this.addKeyboard();
    if (added & WlSeatCapability.pointer) {
      const pointer = (this.pointer = this.owner.makePointer(this));
      this.device("device-added", "pointer");
      this.owner.tell((x) => x.pointerAdded?.(this.proxy, pointer));
    }
    if (added & WlSeatCapability.touch) {
      this.touch = new SeatTouch(this.proxy.get_touch(), this.proxy, this.owner.sink);
      this.device("device-added", "touch");
    }
  }

  /** The seat went away (global removed, or the input closes): its devices first. */
  remove(release: boolean): void {
    this.dropKeyboard();
    this.dropPointer();
    this.dropTouch();
    this.owner.tell((x) => x.seatRemoved?.(this.proxy));
    if (this.announced) this.owner.push({ type: "seat-removed", time: performance.now(), seat: this.name });
    if (release && this.proxy.version >= WlSeat.since.release) {
      try {
        this.proxy.release();
      } catch {
        // connection gone
      }
    }
  }

  private device(type: "device-added" | "device-removed", kind: DeviceKind): void {
    this.owner.push({ type, time: performance.now(), seat: this.name, kind, name: `${this.name || "seat"} ${kind}` });
  }

  private addKeyboard(): void {
    const proxy = this.proxy.get_keyboard();
    const decoder = new KeyboardDecoder(this.owner.queue);
    const kb = { proxy, decoder };
    this.keyboard = kb;
    const owner = this.owner;
    proxy.listen({
      keymap: (format, fd, size) => decoder.setKeymap(owner.keymapFrom(format, fd.fd, size)),
      enter: (serial, surface) => {
        if (!owner.owns(surface)) return;
        owner.noteSerial(this.proxy, serial);
        owner.push({ type: "keyboard-enter", time: performance.now() });
      },
      leave: (_serial, surface) => {
        decoder.blur();
        if (surface && !owner.owns(surface)) return;
        owner.push({ type: "keyboard-leave", time: performance.now() });
      },
      key: (serial, _time, key, state) => {
        owner.noteSerial(this.proxy, serial);
        decoder.key(key, state === WlKeyboardKeyState.pressed);
      },
      modifiers: (_serial, dep, lat, lock, group) => decoder.setModifierMasks(dep, lat, lock, group),
      repeat_info: (rate, delay) => decoder.setRepeat(rate, delay),
    });
    this.device("device-added", "keyboard");
  }

  private dropKeyboard(): void {
    const kb = this.keyboard;
    if (!kb) return;
    this.keyboard = undefined;
    kb.decoder.destroy();
    try {
      if (kb.proxy.version >= WlKeyboard.since.release) kb.proxy.release();
    } catch {
      // connection gone
    }
    this.device("device-removed", "keyboard");
  }

  private dropPointer(): void {
    if (!this.pointer) return;
    const pointer = this.pointer;
    this.owner.tell((x) => x.pointerRemoved?.(this.proxy, pointer));
    this.pointer.release();
    this.pointer = undefined;
    this.device("device-removed", "pointer");
  }

  private dropTouch(): void {
    if (!this.touch) return;
    this.touch.release();
    this.touch = undefined;
    this.device("device-removed", "touch");
  }
}

/**
 * A window's input (the InputSource of the Wayland backends): binds every wl_seat, follows seats
 * and capabilities appearing and disappearing, decodes keys with the compositor's keymap, and
 * delivers InputEvents in surface and buffer coordinates. Made with WaylandInput.attach(window).
 */
export class WaylandInput implements InputSource {
  /** The app's events (those not routed to a surface handler). */
  readonly queue = new InputQueue();
  /** Callbacks the seats' devices use (implemented here). */
  readonly sink: InputSink;
  private readonly seats = new Map<number, SeatDevices>();
  private readonly routes = new Map<WlSurface, SurfaceInputHandler>();
  private readonly cursor: CursorImages;
  /** The cursor shape chosen per surface (setCursor); "default" elsewhere. */
  private readonly shapes = new Map<WlSurface, CursorShape>();
  private latest: { seat: WlSeat; serial: number } | undefined;
  /** Takes pointer events on the window's surface before the app (client-side decorations' edge resize). */
  private windowFilter: ((event: InputEvent) => boolean) | undefined;
  private closedValue = false;
  private readonly keymapWarnings = { xkb: false };
  private readonly extensions: SeatExtension[] = [];

  private constructor(private readonly window: WaylandWindow) {
    const self = this;
    this.sink = {
      emit: (event, surface) => {
        if (surface === window.surface) {
          if (!this.windowFilter?.(event)) this.queue.push(event);
        }
        else this.routes.get(surface)?.(event); // a surface no longer routed: dropped
      },
      scaleOf: (surface) => (surface === window.surface && window.logicalWidth > 0 ? window.width / window.logicalWidth : 1),
      owns: (surface): surface is WlSurface => surface !== null && (surface === window.surface || self.routes.has(surface)),
      noteSerial: (seat, serial) => this.noteSerial(seat, serial),
      pointerEntered: (pointer, _serial, surface) => {
        pointer.shape = this.shapes.get(surface) ?? "default";
        this.applyCursor(pointer);
      },
    };
    this.cursor = new CursorImages(window.globals);
    const globals = window.globals;
    for (const g of globals.list.values()) if (g.interface === WlSeat.spec.name) this.bindSeat(g);
    // Seats plugged or unplugged later: chain onto the registry's handlers (Globals keeps its own list).
    const registry = globals.registry;
    const prevGlobal = registry.handlers.global;
    registry.on("global", function (this: typeof registry, name, iface, version) {
      prevGlobal?.call(this, name, iface, version);
      if (iface === WlSeat.spec.name && !self.closedValue) self.bindSeat({ name, interface: iface, version });
    });
    const prevRemove = globals.onRemove;
    globals.onRemove = (g) => {
      prevRemove?.(g);
      const seat = this.seats.get(g.name);
      if (!seat) return;
      this.seats.delete(g.name);
      if (this.latest?.seat === seat.proxy) this.latest = undefined;
      seat.remove(true);
    };
  }

  /** Starts input for a window: binds the seats it finds now and later. */
  static attach(window: WaylandWindow): WaylandInput {
    return new WaylandInput(window);
  }

  // ---- InputSource ----

  drain(): readonly InputEvent[] {
    return this.queue.drain();
  }
  events(): AsyncIterableIterator<InputEvent> {
    return this.queue.events();
  }
  get dropped(): number {
    return this.queue.dropped;
  }
  get closed(): boolean {
    return this.closedValue;
  }

  /** Ends the stream, stops key repeat and releases the seats' objects (the connection may already be closed). */
  close(): void {
    if (this.closedValue) return;
    this.closedValue = true;
    for (const s of this.seats.values()) s.remove(true);
    this.seats.clear();
    this.cursor.destroy();
    this.queue.close();
  }

  // ---- for decorations and the window ----

  /**
   * Sends the pointer and touch events on `surface` (e.g. a decoration's subsurface) to `handler`
   * instead of the app's stream. Returns a function that ends the routing.
   */
  routeSurface(surface: WlSurface, handler: SurfaceInputHandler): () => void {
    this.routes.set(surface, handler);
    return () => {
      if (this.routes.get(surface) !== handler) return;
      this.routes.delete(surface);
      this.shapes.delete(surface);
    };
  }

  /** Lets `filter` take pointer events on the window's surface before the app's stream (true: taken); undefined removes it. */
  filterWindowEvents(filter: ((event: InputEvent) => boolean) | undefined): void {
    this.windowFilter = filter;
  }

  /** The seat and serial of the latest button press, key or touch down: what xdg_toplevel.move(seat, serial) needs. */
  get lastSerial(): InputSerial | undefined {
    return this.latest;
  }

  /** Names of the seats bound now. */
  get seatNames(): string[] {
    return [...this.seats.values()].map((s) => s.name);
  }

  /** Whether the cursor image comes from the compositor's theme (wp_cursor_shape_v1) rather than our arrow. */
  get cursorShapes(): boolean {
    return this.cursor.shapes;
  }

  /**
   * Sets the pointer image over `surface` (default: the window's): a shape name ("default",
   * "grabbing", "ew_resize", "hidden", ...). Without wp_cursor_shape_v1 every shape but "hidden"
   * shows our arrow.
   */
  setCursor(shape: CursorShape, surface: WlSurface = this.window.surface): void {
    this.shapes.set(surface, shape);
    for (const s of this.seats.values()) {
      const p = s.pointer;
      if (p?.focus === surface) p.setShape(shape, (ptr) => this.applyCursor(ptr));
    }
  }

  /**
   * Adds per-seat objects through `ext`: it is told of the seats and pointers there are now, then of
   * each one added or removed. Returns a function that removes it (telling it the seats go away).
   */
  extend(ext: SeatExtension): () => void {
    this.extensions.push(ext);
    for (const s of this.seats.values()) {
      ext.seatAdded?.(s.proxy);
      if (s.pointer) ext.pointerAdded?.(s.proxy, s.pointer);
    }
    return () => {
      const i = this.extensions.indexOf(ext);
      if (i < 0) return;
      this.extensions.splice(i, 1);
      for (const s of this.seats.values()) {
        if (s.pointer) ext.pointerRemoved?.(s.proxy, s.pointer);
        ext.seatRemoved?.(s.proxy);
      }
    };
  }

  /** The pointers of every seat now (pointer lock, relative motion). */
  get pointers(): SeatPointer[] {
    return [...this.seats.values()].flatMap((s) => (s.pointer ? [s.pointer] : []));
  }

  /** The window this input belongs to. */
  get target(): WaylandWindow { return this.window; }

  // ---- used by SeatDevices ----

  /** @internal Calls `fn` for each extension; one that throws is logged, not fatal to the seat. */
  tell(fn: (ext: SeatExtension) => void): void {
    for (const x of this.extensions.slice())
      try {
        fn(x);
      } catch (e) {
        log.warn(`seat extension: ${(e as Error).message}`);
      }
  }

  /** @internal */
  push(event: InputEvent): void {
    this.queue.push(event);
  }

  /** @internal */
  owns(surface: WlSurface | null): boolean {
    return this.sink.owns(surface);
  }

  /** @internal */
  noteSerial(seat: WlSeat, serial: number): void {
    if (this.latest?.seat === seat) (this.latest as { serial: number }).serial = serial;
    else this.latest = { seat, serial };
  }

  /** @internal A pointer for a seat, with its cursor shape device. */
  makePointer(seat: SeatDevices): SeatPointer {
    const p = new SeatPointer(seat.proxy.get_pointer(), seat.proxy, this.sink);
    p.shapeDevice = this.cursor.deviceFor(p.proxy);
    return p;
  }

  /** @internal The keymap of a wl_keyboard.keymap event (see seat-keymap.ts). */
  keymapFrom(format: number, fd: number, size: number): XkbKeymap | undefined {
    return keymapFrom(format, fd, size, this.keymapWarnings);
  }

  private bindSeat(g: GlobalInfo): void {
    if (this.seats.has(g.name)) return;
    const version = Math.min(g.version, WlSeat.spec.version, MAX_SEAT_VERSION);
    const proxy = this.window.globals.registry.bind(g.name, WlSeat, version);
    this.seats.set(g.name, new SeatDevices(g.name, proxy, this));
  }

  private applyCursor(p: SeatPointer): void {
    if (!p.focus) return;
    try {
      this.cursor.set(p.proxy, p.shapeDevice, p.enterSerial, p.shape);
    } catch (e) {
      log.warn(`cursor: ${(e as Error).message}`);
    }
  }
}
