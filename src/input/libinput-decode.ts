// One libinput event read into plain numbers for a LibinputSink: keys, pointer motion, buttons,
// scrolling and touch (KmsInput then makes the typed InputEvents of events.ts from them), and what a
// newly added device is. Nothing is allocated per input event here. Device bookkeeping (which
// devices exist, reference counts) is the context's, in libinput.ts.
import type { DeviceKind, ScrollSource } from "./events.js";
import { AXIS_HORIZONTAL, AXIS_VERTICAL, CAP_KEYBOARD, CAP_POINTER, CAP_TOUCH, EV, type LibinputApi, type Ptr } from "./libinput-ffi.js";

/** A device libinput reports: its kernel name, its node's name (event5) and what it gives. */
export interface LibinputDevice {
  /** The kernel's name, e.g. "AT Translated Set 2 keyboard". */
  readonly name: string;
  /** The event node's name, e.g. "event5". */
  readonly sysname: string;
  /** What it gives; empty for devices we do not use (a power button, a lid switch). */
  readonly kinds: readonly DeviceKind[];
}

/** What a touch point did (see LibinputSink.touch). */
export type TouchAction = "down" | "motion" | "up" | "cancel" | "frame";

/**
 * Receives libinput's events, already decoded into numbers. Positions are in the pixels of the
 * `size` the Libinput was given (absolute devices and touch screens map their whole range onto it).
 */
export interface LibinputSink {
  /** A device was added (at start or plugged in). */
  deviceAdded(device: LibinputDevice): void;
  /** A device went away (unplugged, or the context closed). */
  deviceRemoved(device: LibinputDevice): void;
  /** A key (evdev code) changed state; `seatCount` is how many devices hold it down now (forward only 0→1 and 1→0). */
  key(code: number, pressed: boolean, seatCount: number): void;
  /** Relative motion (a mouse, a touchpad), accelerated, in pixel-like units. */
  motion(dx: number, dy: number): void;
  /** Absolute motion (a tablet, a VM's absolute pointer) mapped onto the size. */
  motionAbsolute(x: number, y: number): void;
  /** A button (evdev code, BTN_LEFT = 0x110) changed state; `seatCount` as for key(). */
  button(code: number, pressed: boolean, seatCount: number): void;
  /** Scrolling: amounts per axis (wheel: 15 per click), and 120-per-click wheel values (NaN when not a wheel). */
  scroll(source: ScrollSource, dx: number, dy: number, v120x: number, v120y: number, hasX: boolean, hasY: boolean): void;
  /** A touch point (seat slot) went down, moved or up; "cancel" and "frame" carry no point (slot -1). */
  touch(action: TouchAction, slot: number, x: number, y: number): void;
}

/**
 * Hands input event `ev` (of libinput type `type`) to the sink; absolute positions are mapped onto
 * `size()`. Device events and the kinds we do not deliver (tablets, gestures, switches) are ignored.
 */
export function deliverInputEvent(a: LibinputApi, ev: Ptr, type: number, sink: LibinputSink, size: () => readonly [number, number]): void {
  switch (type) {
    case EV.KEYBOARD_KEY: {
      const k = a.keyboardEvent(ev);
      sink.key(a.keyboardKey(k), a.keyboardState(k) === 1, a.keyboardSeatCount(k));
      return;
    }
    case EV.POINTER_MOTION: {
      const p = a.pointerEvent(ev);
      sink.motion(a.pointerDx(p), a.pointerDy(p));
      return;
    }
    case EV.POINTER_MOTION_ABSOLUTE: {
      const p = a.pointerEvent(ev);
      const [w, h] = size();
      sink.motionAbsolute(a.pointerAbsX(p, w), a.pointerAbsY(p, h));
      return;
    }
    case EV.POINTER_BUTTON: {
      const p = a.pointerEvent(ev);
      sink.button(a.pointerButton(p), a.pointerButtonState(p) === 1, a.pointerSeatButtonCount(p));
      return;
    }
    case EV.SCROLL_WHEEL:
    case EV.SCROLL_FINGER:
    case EV.SCROLL_CONTINUOUS: {
      const p = a.pointerEvent(ev);
      const hasX = a.pointerHasAxis(p, AXIS_HORIZONTAL) !== 0;
      const hasY = a.pointerHasAxis(p, AXIS_VERTICAL) !== 0;
      const wheel = type === EV.SCROLL_WHEEL;
      sink.scroll(
        wheel ? "wheel" : type === EV.SCROLL_FINGER ? "finger" : "continuous",
        hasX ? a.pointerScrollValue(p, AXIS_HORIZONTAL) : 0,
        hasY ? a.pointerScrollValue(p, AXIS_VERTICAL) : 0,
        wheel && hasX ? a.pointerScrollV120(p, AXIS_HORIZONTAL) : NaN,
        wheel && hasY ? a.pointerScrollV120(p, AXIS_VERTICAL) : NaN,
        hasX, hasY,
      );
      return;
    }
    case EV.POINTER_AXIS:
      return; // the deprecated event libinput sends alongside the three above
    case EV.TOUCH_DOWN:
    case EV.TOUCH_MOTION: {
      const t = a.touchEvent(ev);
      const [w, h] = size();
      sink.touch(type === EV.TOUCH_DOWN ? "down" : "motion", a.touchSeatSlot(t), a.touchX(t, w), a.touchY(t, h));
      return;
    }
    case EV.TOUCH_UP:
      sink.touch("up", a.touchSeatSlot(a.touchEvent(ev)), 0, 0);
      return;
    case EV.TOUCH_CANCEL:
      sink.touch("cancel", -1, 0, 0);
      return;
    case EV.TOUCH_FRAME:
      sink.touch("frame", -1, 0, 0);
      return;
    default:
      return; // tablets, gestures, switches: not delivered
  }
}

/** The name, node name and kinds of input of device `dev`. */
export function readDevice(a: LibinputApi, dev: Ptr): LibinputDevice {
  const kinds: DeviceKind[] = [];
  if (a.deviceHasCap(dev, CAP_KEYBOARD)) kinds.push("keyboard");
  if (a.deviceHasCap(dev, CAP_POINTER)) kinds.push("pointer");
  if (a.deviceHasCap(dev, CAP_TOUCH)) kinds.push("touch");
  return { name: a.deviceName(dev), sysname: a.deviceSysname(dev), kinds };
}

/** A device for logs: `event5 "AT Translated Set 2 keyboard" (keyboard)`. */
export function describeDevice(d: LibinputDevice): string {
  return `${d.sysname} "${d.name}" (${d.kinds.join(", ") || "not used"})`;
}
