// Input on KMS: libinput's devices turned into the same InputEvents a Wayland seat gives. Keys go
// through xkb (the system's default layout, or XKB_DEFAULT_*) with key repeat at the default rate;
// relative motion moves a pointer that stays inside the mode; touch points map onto the mode.
// Ctrl+Alt+F1..F12 is not delivered: it asks for a VT switch (onVtSwitch), as on a console.
import { logger } from "../util/log.js";
import { buttonName, type DeviceKind, type Modifiers, type ScrollSource } from "./events.js";
import { KeyboardDecoder, type RepeatInfo } from "./keyboard.js";
import { Libinput, type LibinputOptions } from "./libinput.js";
import type { LibinputDevice, LibinputSink, TouchAction } from "./libinput-decode.js";
import { InputQueue } from "./queue.js";
import { panelSize, panelToPicture } from "./kms-turn.js";
import type { QuarterTurn } from "../drm/layout.js";
import { XkbKeymap, type KeymapNames } from "./xkb.js";

const log = logger("present"); // LogSource has no "input" yet

/** Options of input on KMS (KmsOptions.input). */
export interface KmsInputOptions {
  /** libinput backend (default "auto": udev when systemd-udevd runs, else path). */
  backend?: LibinputOptions["backend"];
  /** Path backend: these event nodes only (no hotplug). */
  devices?: readonly string[];
  /** Keyboard layout names; default: the system's (XKB_DEFAULT_* or /etc/default/keyboard). */
  keymap?: KeymapNames;
  /** Key repeat (default 25 Hz after 600 ms). */
  repeat?: RepeatInfo;
  /** Pointer acceleration (default "adaptive", libinput's). */
  pointerAccel?: "adaptive" | "flat";
  /** Whether Ctrl+Alt+F1..F12 switches VTs (default true). */
  vtSwitchKeys?: boolean;
  /**
   * Whether Ctrl+C interrupts the process (SIGINT to itself) as it does on a console (default true):
   * while we read the keyboard, the console's own line discipline is switched off. The key events
   * are still delivered.
   */
  ctrlCInterrupts?: boolean;
  /**
   * The display shows the picture turned counter-clockwise by this (the presenter's rotate; default
   * 0): absolute positions (touchscreens, tablets: fixed to the panel) are turned back into the picture.
   */
  turn?: QuarterTurn;
}

/** What KmsInput tells its owner besides the events: where the pointer is, and VT switch requests. */
export interface KmsInputHooks {
  /** The pointer moved to (x, y) in mode pixels. */
  pointerMoved?(x: number, y: number): void;
  /** Ctrl+Alt+F<n> was pressed. */
  vtSwitch?(n: number): void;
  /** The first pointing device appeared (true) or the last one went away (false). */
  pointerPresent?(present: boolean): void;
}

const KEY_LEFTCTRL = 29;
const KEY_RIGHTCTRL = 97;
const KEY_LEFTALT = 56;
const KEY_RIGHTALT = 100;
const KEY_C = 46;
/** evdev codes of F1..F12 -> VT number. */
const F_KEYS = new Map([[59, 1], [60, 2], [61, 3], [62, 4], [63, 5], [64, 6], [65, 7], [66, 8], [67, 9], [68, 10], [87, 11], [88, 12]]);
const SEAT = "seat0";

/**
 * libinput's events as InputEvents in `queue`, for a picture of `size` (the mode, or the picture as
 * seen when shown turned). Positions are in the picture's pixels (x = bufferX on KMS). The pointer
 * starts at the centre.
 */
export class KmsInput implements LibinputSink {
  /** The events, for SwapchainBackend.input. */
  readonly queue: InputQueue;
  private readonly libinput: Libinput;
  private readonly keyboard: KeyboardDecoder;
  private x: number;
  private y: number;
  private readonly counts = { keyboard: 0, pointer: 0, touch: 0 };
  private focused = true;
  private readonly ctrlC: boolean;
  private ctrl = 0;
  private alt = 0;
  /** F-keys whose press was a VT chord: their release is swallowed too. */
  private readonly chordKeys = new Set<number>();
  private readonly touches = new Map<number, { x: number; y: number }>();
  private readonly scrollRest = { x: 0, y: 0 };
  private readonly vtKeys: boolean;
  private readonly turn: QuarterTurn;

  /** Throws LibinputUnavailableError when libinput cannot start. */
  constructor(
    private readonly size: readonly [number, number],
    private readonly hooks: KmsInputHooks = {},
    options: KmsInputOptions = {},
    queue = new InputQueue(),
  ) {
    this.queue = queue;
    this.x = Math.floor(size[0] / 2);
    this.y = Math.floor(size[1] / 2);
    this.vtKeys = options.vtSwitchKeys ?? true;
    this.turn = options.turn ?? 0;
    this.ctrlC = options.ctrlCInterrupts ?? true;
    let keymap: XkbKeymap | undefined;
    try {
      keymap = options.keymap ? XkbKeymap.fromNames(options.keymap) : XkbKeymap.systemDefault();
    } catch (e) {
      log.warn(`input: no keyboard layout (${e instanceof Error ? e.message : e}); key events carry keycodes only`);
    }
    this.keyboard = new KeyboardDecoder(queue, keymap, { trackModifiers: true, repeat: options.repeat });
    this.push({ type: "seat-added", time: performance.now(), seat: SEAT });
    try {
      this.libinput = new Libinput(this, { backend: options.backend, devices: options.devices, pointerAccel: options.pointerAccel, size: () => panelSize(this.size[0], this.size[1], this.turn) });
    } catch (e) {
      this.keyboard.destroy();
      throw e;
    }
    this.push({ type: "keyboard-enter", time: performance.now() });
    this.push({ type: "modifiers", time: performance.now(), modifiers: this.keyboard.modifiers });
  }

  /** "udev" or "path". */
  get backend(): "udev" | "path" {
    return this.libinput.backend;
  }
  /** The pointer position in mode pixels. */
  get pointer(): readonly [number, number] {
    return [this.x, this.y];
  }
  /** Current modifiers. */
  get modifiers(): Modifiers {
    return this.keyboard.modifiers;
  }
  /** Whether some pointing device (mouse, touchpad) is there now. */
  get hasPointer(): boolean {
    return this.counts.pointer > 0;
  }
  /** The devices in use. */
  get devices(): readonly LibinputDevice[] {
    return this.libinput.deviceList;
  }

  /** Another VT is shown: close the devices (so keys typed there do not reach us), stop repeating; our surface loses focus. */
  suspend(): void {
    if (!this.focused) return;
    const t = performance.now();
    this.keyboard.blur();
    this.libinput.suspend();
    this.ctrl = this.alt = 0;
    this.chordKeys.clear();
    this.touches.clear();
    this.focused = false;
    this.push({ type: "keyboard-leave", time: t });
    this.push({ type: "pointer-leave", time: t, x: this.x, y: this.y, bufferX: this.x, bufferY: this.y });
  }

  /** Our VT is shown again: devices reopen, focus returns. */
  resume(): void {
    if (this.focused) return;
    this.focused = true;
    const t = performance.now();
    this.push({ type: "keyboard-enter", time: t });
    this.push({ type: "modifiers", time: t, modifiers: this.keyboard.modifiers });
    this.push({ type: "pointer-enter", time: t, x: this.x, y: this.y, bufferX: this.x, bufferY: this.y });
    this.libinput.resume();
  }

  /** Releases libinput and the keymap (the queue is closed by its presenter). Idempotent. */
  close(): void {
    this.libinput.close();
    this.keyboard.destroy();
  }

  // ---- LibinputSink ---------------------------------------------------------------------------

  /** @internal */
  deviceAdded(d: LibinputDevice): void {
    for (const kind of d.kinds) this.deviceEvent("device-added", kind, d.name);
  }

  /** @internal */
  deviceRemoved(d: LibinputDevice): void {
    for (const kind of d.kinds) this.deviceEvent("device-removed", kind, d.name);
  }

  private deviceEvent(type: "device-added" | "device-removed", kind: DeviceKind, name: string): void {
    const t = performance.now();
    const before = this.counts[kind];
    this.counts[kind] += type === "device-added" ? 1 : -1;
    this.push({ type, time: t, seat: SEAT, kind, name });
    // the pointer is on our (full-screen) surface while some pointing device exists
    if (kind !== "pointer" || (before > 0) === (this.counts.pointer > 0)) return;
    const present = this.counts.pointer > 0;
    if (this.focused) this.push({ type: present ? "pointer-enter" : "pointer-leave", time: t, x: this.x, y: this.y, bufferX: this.x, bufferY: this.y });
    this.hooks.pointerPresent?.(present);
  }

  /** @internal */
  key(code: number, pressed: boolean, seatCount: number): void {
    // several keyboards: only the first press and the last release of a key count
    if (pressed ? seatCount !== 1 : seatCount !== 0) return;
    if (code === KEY_LEFTCTRL || code === KEY_RIGHTCTRL) this.ctrl += pressed ? 1 : -1;
    if (code === KEY_LEFTALT || code === KEY_RIGHTALT) this.alt += pressed ? 1 : -1;
    const vt = F_KEYS.get(code);
    if (vt !== undefined && this.vtKeys) {
      if (pressed && this.ctrl > 0 && this.alt > 0) {
        this.chordKeys.add(code);
        log.info(`input: Ctrl+Alt+F${vt}: switching to VT ${vt}`);
        this.hooks.vtSwitch?.(vt);
        return;
      }
      if (!pressed && this.chordKeys.delete(code)) return;
    }
    this.keyboard.key(code, pressed);
    if (pressed && code === KEY_C && this.ctrlC && this.ctrl > 0 && this.alt === 0) {
      log.info("input: Ctrl+C: interrupting (SIGINT), as a console would");
      process.kill(process.pid, "SIGINT"); // the exit hooks restore the display
    }
  }

  /** @internal */
  motion(dx: number, dy: number): void {
    this.moveTo(this.x + dx, this.y + dy);
  }

  /** @internal */
  motionAbsolute(x: number, y: number): void {
    this.moveTo(...this.toPicture(x, y));
  }

  /** A panel position (libinput's, mapped onto the panel's size) in the picture. */
  private toPicture(x: number, y: number): [number, number] {
    return panelToPicture(x, y, this.size[0], this.size[1], this.turn);
  }

  private moveTo(x: number, y: number): void {
    const nx = Math.min(Math.max(x, 0), this.size[0] - 1);
    const ny = Math.min(Math.max(y, 0), this.size[1] - 1);
    if (nx === this.x && ny === this.y) return;
    this.x = nx;
    this.y = ny;
    this.push({ type: "pointer-motion", time: performance.now(), x: nx, y: ny, bufferX: nx, bufferY: ny });
    this.hooks.pointerMoved?.(nx, ny);
  }

  /** @internal */
  button(code: number, pressed: boolean, seatCount: number): void {
    if (pressed ? seatCount !== 1 : seatCount !== 0) return;
    const { x, y } = this;
    this.push({ type: pressed ? "button-down" : "button-up", time: performance.now(), x, y, bufferX: x, bufferY: y, button: code, name: buttonName(code) });
  }

  /** @internal */
  scroll(source: ScrollSource, dx: number, dy: number, v120x: number, v120y: number, hasX: boolean, hasY: boolean): void {
    const wheel = source === "wheel";
    const clicks = (axis: "x" | "y", v: number): number => {
      if (!wheel || Number.isNaN(v)) return 0;
      const total = this.scrollRest[axis] + v; // hi-res wheels send parts of a click
      const n = Math.trunc(total / 120);
      this.scrollRest[axis] = total - n * 120;
      return n;
    };
    const { x, y } = this;
    this.push({
      type: "scroll", time: performance.now(), x, y, bufferX: x, bufferY: y, source,
      dx, dy, clicksX: clicks("x", v120x), clicksY: clicks("y", v120y),
      value120X: wheel && hasX ? v120x : undefined, value120Y: wheel && hasY ? v120y : undefined,
      // libinput ends a finger/continuous scroll with a zero on the axis
      stopX: !wheel && hasX && dx === 0, stopY: !wheel && hasY && dy === 0,
    });
  }

  /** @internal */
  touch(action: TouchAction, slot: number, panelX: number, panelY: number): void {
    const time = performance.now();
    const [x, y] = this.toPicture(panelX, panelY);
    switch (action) {
      case "down":
      case "motion": {
        let p = this.touches.get(slot);
        if (!p) this.touches.set(slot, (p = { x, y }));
        p.x = x;
        p.y = y;
        this.push({ type: action === "down" ? "touch-down" : "touch-motion", time, id: slot, x, y, bufferX: x, bufferY: y });
        return;
      }
      case "up": {
        const p = this.touches.get(slot);
        this.touches.delete(slot);
        const px = p?.x ?? 0;
        const py = p?.y ?? 0;
        this.push({ type: "touch-up", time, id: slot, x: px, y: py, bufferX: px, bufferY: py });
        return;
      }
      case "cancel":
        this.touches.clear();
        this.push({ type: "touch-cancel", time });
        return;
      case "frame":
        return;
    }
  }

  private push(ev: Parameters<InputQueue["push"]>[0]): void {
    this.queue.push(ev);
  }
}
