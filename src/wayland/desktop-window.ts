// Everything an app asks of its window beyond frames and input events, in one place: clipboard and
// primary selection (drag-and-drop arrives as events), pointer lock and relative motion, text
// input from input methods, cursor shapes, and the hints (idle inhibit, content type, activation,
// icon, tag, dialog). Each part lives in its own module; this one makes them for a window's input
// and tears them down together. What a compositor does not offer is reported by each part
// (`available`, or a false return) rather than failing.
import { logger } from "../util/log.js";
import { type Clipboard, type ClipboardContent, WindowSelections } from "./clipboard.js";
import type { CursorShape } from "./cursor.js";
import { PointerControl } from "./pointer-lock.js";
import type { WaylandInput } from "./seat.js";
import { TextInput } from "./text-input.js";
import { type ContentType, type IconPixels, WindowHints } from "./window-hints.js";
import type { WaylandWindow } from "./window.js";

const log = logger("wayland");

/**
 * A Wayland window's desktop services (Presenter.window on the Wayland backends): clipboard,
 * pointer lock, text input, cursor, idle inhibit, activation, icon. Made with the presenter.
 */
export class DesktopWindow {
  /** Copy and paste: read and write any MIME type (selection-changed events say when it changes). */
  readonly clipboard: Clipboard;
  /** The primary selection (select, middle-click paste), where the compositor offers it. */
  readonly primarySelection: Clipboard | undefined;
  /** Pointer lock and confinement, and relative-motion events. */
  readonly pointer: PointerControl;
  /** Text from input methods (text-* events while enabled). */
  readonly textInput: TextInput;
  private readonly selections: WindowSelections;
  private readonly hints: WindowHints;
  private destroyed = false;

  constructor(
    /** The underlying window (surface, toplevel, connection). */
    readonly wayland: WaylandWindow,
    private readonly input: WaylandInput,
  ) {
    this.selections = new WindowSelections(input);
    this.clipboard = this.selections.clipboard;
    this.primarySelection = this.selections.primary;
    this.pointer = new PointerControl(input);
    this.textInput = new TextInput(input);
    this.hints = new WindowHints(wayland);
  }

  /**
   * Drags `content` (bytes or text per MIME type; "text/uri-list" for files) out of the window:
   * call it on a button press, while the button is held. Resolves true when a target took the
   * drop, false when the drag was cancelled.
   */
  startDrag(content: ClipboardContent): Promise<boolean> {
    return this.selections.startDrag(content);
  }

  /** Sets the pointer image over the window ("default", "text", "crosshair", "hidden", ...). */
  setCursor(shape: CursorShape): void {
    this.input.setCursor(shape);
  }

  /** Keeps the screen awake while the window is shown (true) or not; false when the compositor cannot. */
  inhibitIdle(on: boolean): boolean {
    return this.hints.inhibitIdle(on);
  }

  /** Whether an idle inhibitor is active now. */
  get idleInhibited(): boolean {
    return this.hints.idleInhibited;
  }

  /** Says what the window shows ("game", "video", "photo", "none"); false when the compositor takes no hint. */
  setContentType(type: ContentType): boolean {
    return this.hints.setContentType(type);
  }

  /** Asks for focus with an activation token (default $XDG_ACTIVATION_TOKEN); false without one or without xdg-activation. */
  activate(token?: string): boolean {
    return this.hints.activate(token);
  }

  /** Sets the icon from a PNG file, PNG bytes or square RGBA pixels (undefined: the default); false where the compositor shows none. */
  setIcon(source: string | Uint8Array | IconPixels | undefined): boolean {
    return this.hints.setIcon(source);
  }

  /** Icon sizes the compositor prefers (once told; may stay empty). */
  get iconSizes(): readonly number[] {
    return this.hints.iconSizes;
  }

  /** Tags the window (stable across restarts) with an optional description; false where not offered. */
  setTag(tag: string, description?: string): boolean {
    return this.hints.setTag(tag, description);
  }

  /** Marks the window as a modal dialog or not; false where not offered. */
  setModal(on: boolean): boolean {
    return this.hints.setModal(on);
  }

  /** Releases every part (the presenter calls it before the window closes). */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const part of [this.selections, this.pointer, this.textInput, this.hints]) {
      try {
        part.destroy();
      } catch (e) {
        log.debug(`desktop window: ${(e as Error).message}`);
      }
    }
  }
}
