// Turns raw key codes into KeyEvents: the keymap and state (xkb.ts) give keysym, name, text and
// modifiers; held keys repeat on a timer at the compositor's rate (Wayland) or the default (KMS).
// The Wayland seat feeds it keys plus the compositor's modifier masks; KMS feeds keys alone. Dead
// keys and Compose sequences go through the locale's compose table (xkb-compose.ts) on both.
import { logger } from "../util/log.js";
import type { InputQueue } from "./queue.js";
import { XkbState, keysymName, type XkbKeymap } from "./xkb.js";
import { XkbCompose } from "./xkb-compose.js";
import { NO_MODIFIERS, type Modifiers } from "./events.js";

const log = logger("present"); // TODO(lead): an "input" LogSource

/** Key repeat: `rate` repeats per second once a key has been held `delayMs` (rate 0: no repeat). */
export interface RepeatInfo {
  rate: number;
  delayMs: number;
}

/** The repeat rate and delay when the compositor does not say (Weston's and Sway's defaults), also used on KMS. */
export const DEFAULT_REPEAT: Readonly<RepeatInfo> = Object.freeze({ rate: 25, delayMs: 600 });

/** Options of KeyboardDecoder. */
export interface KeyboardDecoderOptions {
  /**
   * Whether modifiers come from the key presses themselves (KMS) or from the compositor's
   * wl_keyboard.modifiers masks (Wayland, default false).
   */
  trackModifiers?: boolean;
  /** Repeat rate and delay (default DEFAULT_REPEAT). */
  repeat?: RepeatInfo;
  /** Dead keys and Compose sequences through the locale's compose table (default true). */
  compose?: boolean;
}

/**
 * One keyboard's decoder: key(code, down) pushes key-down / key-up events (and key-repeat while a
 * repeating key is held) into the queue. Without a keymap, events still carry the keycode, with
 * keysym 0, key "" and text "".
 */
export class KeyboardDecoder {
  private state: XkbState | undefined;
  private repeat: RepeatInfo;
  private readonly trackModifiers: boolean;
  /** Made with the first keymap (undefined: off, or no table for the locale). */
  private compose: XkbCompose | undefined;
  private composeWanted: boolean;
  /** The key repeating (or about to), its timer. */
  private repeatKey = -1;
  private repeatTimer: NodeJS.Timeout | undefined;
  private readonly onDelay = (): void => this.afterDelay();
  private readonly onRepeat = (): void => void this.fireRepeat();

  constructor(
    private readonly queue: InputQueue,
    keymap?: XkbKeymap,
    options: KeyboardDecoderOptions = {},
  ) {
    this.trackModifiers = options.trackModifiers ?? false;
    this.composeWanted = options.compose ?? true;
    this.repeat = { ...(options.repeat ?? DEFAULT_REPEAT) };
    if (keymap) this.setKeymap(keymap);
  }

  /** The keymap in use (undefined: none, keycodes only). */
  get keymap(): XkbKeymap | undefined {
    return this.state?.keymap;
  }

  /** Current modifiers. */
  get modifiers(): Modifiers {
    return this.state?.modifiers ?? NO_MODIFIERS;
  }

  /** Current repeat rate and delay. */
  get repeatInfo(): Readonly<RepeatInfo> {
    return this.repeat;
  }

  /** Uses a new keymap (a new wl_keyboard.keymap); the old one and its state are released. */
  setKeymap(keymap: XkbKeymap | undefined): void {
    this.stopRepeat();
    const old = this.state;
    this.state = keymap ? new XkbState(keymap) : undefined;
    if (keymap && this.composeWanted) {
      this.composeWanted = false; // one try
      try {
        this.compose = XkbCompose.create();
      } catch (e) {
        log.warn(`compose: ${(e as Error).message}`);
      }
    }
    if (old) {
      old.destroy();
      if (old.keymap !== keymap) old.keymap.destroy();
    }
  }

  /** Sets the repeat rate (per second, 0 = none) and delay (wl_keyboard.repeat_info). */
  setRepeat(rate: number, delayMs: number): void {
    this.repeat.rate = Math.max(0, rate);
    this.repeat.delayMs = Math.max(0, delayMs);
    if (this.repeat.rate === 0) this.stopRepeat();
  }

  /** A key went down or up (evdev code). */
  key(code: number, down: boolean, time = performance.now()): void {
    const st = this.state;
    const keysym = st ? st.keysym(code) : 0;
    let text = down && st ? st.text(code, keysym) : "";
    if (down && this.compose && !this.modifiers.ctrl) {
      const c = this.compose.feed(keysym);
      if (c.kind === "composed") text = c.text;
      else if (c.kind !== "none") text = ""; // inside a sequence, or breaking one off
    }
    this.queue.push({
      type: down ? "key-down" : "key-up",
      time,
      keycode: code,
      keysym,
      key: keysym ? keysymName(keysym) : "",
      text,
      modifiers: this.modifiers,
    });
    if (st && this.trackModifiers && st.updateKey(code, down)) this.pushModifiers(time);
    if (down) {
      if (this.repeat.rate > 0 && st?.keymap.keyRepeats(code)) this.startRepeat(code);
    } else if (code === this.repeatKey) {
      this.stopRepeat();
    }
  }

  /** The compositor's modifier state (wl_keyboard.modifiers). */
  setModifierMasks(depressed: number, latched: number, locked: number, group: number, time = performance.now()): void {
    if (this.state?.updateMask(depressed, latched, locked, group)) this.pushModifiers(time);
  }

  /** Focus left our surface: stop repeating (the keys held get no key-up, as on Wayland). */
  blur(): void {
    this.stopRepeat();
    this.compose?.reset();
  }

  /** Stops the repeat timer and releases the keymap. */
  destroy(): void {
    this.stopRepeat();
    this.compose?.destroy();
    this.compose = undefined;
    const st = this.state;
    this.state = undefined;
    if (st) {
      st.destroy();
      st.keymap.destroy();
    }
  }

  private pushModifiers(time: number): void {
    this.queue.push({ type: "modifiers", time, modifiers: this.modifiers });
  }

  private startRepeat(code: number): void {
    this.stopRepeat();
    this.repeatKey = code;
    this.repeatTimer = setTimeout(this.onDelay, this.repeat.delayMs);
    this.repeatTimer.unref(); // a held key never keeps the process alive
  }

  private stopRepeat(): void {
    if (this.repeatTimer) clearTimeout(this.repeatTimer); // clears an interval too
    this.repeatTimer = undefined;
    this.repeatKey = -1;
  }

  /** The delay is over: repeat now, then on one interval timer until the key is released. */
  private afterDelay(): void {
    if (!this.fireRepeat()) return;
    this.repeatTimer = setInterval(this.onRepeat, 1000 / this.repeat.rate);
    this.repeatTimer.unref();
  }

  private fireRepeat(): boolean {
    const st = this.state;
    const code = this.repeatKey;
    if (!st || code < 0 || this.repeat.rate <= 0) return false;
    try {
      const keysym = st.keysym(code);
      this.queue.push({ type: "key-repeat", time: performance.now(), keycode: code, keysym, key: keysym ? keysymName(keysym) : "", text: st.text(code, keysym), modifiers: st.modifiers });
      return true;
    } catch (e) {
      log.warn(`key repeat: ${(e as Error).message}`);
      this.stopRepeat();
      return false;
    }
  }
}
