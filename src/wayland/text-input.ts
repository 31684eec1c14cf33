// Text from input methods (zwp_text_input_v3): one text input per seat. While the app has it
// enabled and the window has keyboard focus, the input method's pre-edit, commits and deletions
// arrive as text-* events (in the order to apply them, at each `done`); the app tells it where the
// cursor is (a rectangle for the candidate window) and, optionally, the text around it. Focus
// changes reset the protocol's state, so what the app asked for is sent again on every enter.
import type { InputEvent } from "../input/events.js";
import { logger } from "../util/log.js";
import {
  ZwpTextInputManagerV3,
  ZwpTextInputV3ContentHint,
  ZwpTextInputV3ContentPurpose,
  type ZwpTextInputV3,
} from "./protocol/text-input-unstable-v3.js";
import type { WlSeat } from "./protocol/wayland.js";
import type { SeatExtension, WaylandInput } from "./seat.js";

const log = logger("wayland");

/** A rectangle in surface (logical) pixels. */
export interface TextRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** What the field being edited is for (zwp_text_input_v3 content purpose), so an input method can adapt. */
export type TextPurpose = keyof typeof ZwpTextInputV3ContentPurpose;

/** The app's text-input state, sent on enable and again after each focus change. */
interface Wanted {
  cursor: TextRect | undefined;
  surrounding: { text: string; cursor: number; anchor: number } | undefined;
  purpose: TextPurpose;
}

/** One seat's text input and the events of its current `done` group. */
class SeatTextInput {
  focused = false;
  private preedit: { text: string; begin: number; end: number } | undefined;
  private commitText: string | undefined;
  private del: { before: number; after: number } | undefined;

  constructor(
    readonly proxy: ZwpTextInputV3,
    private readonly owner: TextInput,
  ) {
    proxy.listen({
      enter: (surface) => {
        if (surface !== owner.surface) return;
        this.focused = true;
        owner.sendState(this);
      },
      leave: (surface) => {
        if (surface !== owner.surface) return;
        this.focused = false;
        if (owner.enabled) {
          proxy.disable();
          proxy.commit();
        }
      },
      preedit_string: (text, begin, end) => (this.preedit = { text: text ?? "", begin, end }),
      commit_string: (text) => (this.commitText = text ?? ""),
      delete_surrounding_text: (before, after) => (this.del = { before, after }),
      done: () => this.done(),
    });
  }

  private done(): void {
    const time = performance.now();
    const out: InputEvent[] = [];
    if (this.del) out.push({ type: "text-delete-surrounding", time, before: this.del.before, after: this.del.after });
    if (this.commitText !== undefined) out.push({ type: "text-commit", time, text: this.commitText });
    // a done without a pre-edit clears it: say so only when there was one
    const pre = this.preedit ?? { text: "", begin: 0, end: 0 };
    if (this.preedit || this.owner.preeditShown) out.push({ type: "text-preedit", time, text: pre.text, cursorBegin: pre.begin, cursorEnd: pre.end });
    this.owner.preeditShown = pre.text !== "";
    this.preedit = this.commitText = this.del = undefined;
    for (const e of out) this.owner.push(e);
  }
}

/**
 * A window's text input (zwp_text_input_v3): enable() while a text field has focus, tell it the
 * cursor rectangle, read text-preedit / text-commit / text-delete-surrounding events. Keys the
 * input method does not take still arrive as key events. Made by DesktopWindow; `available` is
 * false where the compositor offers no text-input-v3 (Weston), and then nothing is sent.
 */
export class TextInput implements SeatExtension {
  private readonly manager: ZwpTextInputManagerV3 | undefined;
  private readonly seats = new Map<WlSeat, SeatTextInput>();
  private readonly wanted: Wanted = { cursor: undefined, surrounding: undefined, purpose: "normal" };
  /** Whether the app asked for text input. */
  enabled = false;
  /** @internal a non-empty pre-edit is shown (so the next empty one is reported) */
  preeditShown = false;
  private readonly removeExtension: () => void;

  constructor(private readonly input: WaylandInput) {
    this.manager = input.target.globals.tryBind(ZwpTextInputManagerV3, { fallback: "no input method text (keys only)" });
    this.removeExtension = input.extend(this);
  }

  /** Whether the compositor offers text-input-v3. */
  get available(): boolean {
    return this.manager !== undefined;
  }

  /** @internal */
  get surface() {
    return this.input.target.surface;
  }

  /** @internal */
  push(e: InputEvent): void {
    this.input.queue.push(e);
  }

  /** SeatExtension: each seat gets a text input. */
  seatAdded(seat: WlSeat): void {
    if (!this.manager || this.seats.has(seat)) return;
    this.seats.set(seat, new SeatTextInput(this.manager.get_text_input(seat), this));
  }

  /** SeatExtension: a seat going away destroys its text input. */
  seatRemoved(seat: WlSeat): void {
    const s = this.seats.get(seat);
    this.seats.delete(seat);
    try {
      if (s && !s.proxy.destroyed) s.proxy.destroy();
    } catch {
      // connection gone
    }
  }

  /** Starts taking text from the input method (a text field got focus), optionally for a `purpose`. */
  enable(purpose: TextPurpose = this.wanted.purpose): void {
    if (!(purpose in ZwpTextInputV3ContentPurpose)) throw new RangeError(`TextInput.enable: unknown purpose ${JSON.stringify(purpose)}`);
    this.enabled = true;
    this.wanted.purpose = purpose;
    for (const s of this.seats.values()) if (s.focused) this.sendState(s);
  }

  /** Stops taking text (the text field lost focus). */
  disable(): void {
    if (!this.enabled) return;
    this.enabled = false;
    for (const s of this.seats.values()) {
      if (!s.focused) continue;
      s.proxy.disable();
      s.proxy.commit();
    }
  }

  /** Where the text cursor is, in surface pixels (the input method places its candidates beside it). */
  setCursorRect(rect: TextRect): void {
    this.wanted.cursor = { ...rect };
    this.update((p) => p.set_cursor_rectangle(Math.round(rect.x), Math.round(rect.y), Math.round(rect.width), Math.round(rect.height)));
  }

  /** The text around the cursor (cursor and anchor are byte offsets into its UTF-8), for input methods that read it. */
  setSurrounding(text: string, cursor: number, anchor = cursor): void {
    const bytes = Buffer.byteLength(text, "utf8");
    if (bytes > 4000) log.debug(`text input: surrounding text of ${bytes} bytes (the protocol's message limit is 4 KiB): sent cut`);
    this.wanted.surrounding = { text, cursor, anchor };
    this.update((p) => this.sendSurrounding(p));
  }

  private sendSurrounding(p: ZwpTextInputV3): void {
    const s = this.wanted.surrounding;
    if (!s) return;
    // a message holds at most 4 KiB: keep the part around the cursor
    const buf = Buffer.from(s.text, "utf8");
    if (buf.length <= 4000) return p.set_surrounding_text(s.text, s.cursor, s.anchor);
    const start = Math.max(0, Math.min(s.cursor, s.anchor) - 1900);
    const cut = buf.subarray(start, start + 3800).toString("utf8").replace(/^\uFFFD+|\uFFFD+$/g, "");
    p.set_surrounding_text(cut, Math.max(0, s.cursor - start), Math.max(0, s.anchor - start));
  }

  private update(fn: (p: ZwpTextInputV3) => void): void {
    if (!this.enabled) return;
    for (const s of this.seats.values()) {
      if (!s.focused) continue;
      fn(s.proxy);
      s.proxy.commit();
    }
  }

  /** @internal enable + everything asked for, in one commit (after an enter, or enable()) */
  sendState(s: SeatTextInput): void {
    if (!this.enabled) return;
    const p = s.proxy;
    p.enable();
    p.set_content_type(ZwpTextInputV3ContentHint.none, ZwpTextInputV3ContentPurpose[this.wanted.purpose]);
    const c = this.wanted.cursor;
    if (c) p.set_cursor_rectangle(Math.round(c.x), Math.round(c.y), Math.round(c.width), Math.round(c.height));
    this.sendSurrounding(p);
    p.commit();
  }

  /** Destroys the text inputs and the manager (the connection may be gone). */
  destroy(): void {
    this.removeExtension();
    try {
      this.manager?.destroy();
    } catch {
      // connection gone
    }
  }
}
