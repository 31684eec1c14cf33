// What a window has yet to apply: the configure sequence of its xdg toplevel (xdg_toplevel.configure
// with size and states, then xdg_surface.configure with the serial to ack) and the other reasons to
// lay out again (a scale or decorations change, resize()). The window takes it all at once right
// before the commit that applies it, so a burst of configures is acked once, at the latest serial.
import { isSizeFixed, parseStates, type ToplevelState } from "./toplevel-state.js";

/** An xdg_toplevel.configure: its window-geometry size (0: the client chooses) and states. */
export interface ToplevelConfigure {
  readonly size: readonly [number, number];
  readonly states: ReadonlySet<ToplevelState>;
}

/** Why the window must lay out again without a configure: its scale or decorations changed, or resize() chose a size. */
export type RelayoutReason = "geometry" | "chosen size";

/** What the window has to apply, as PendingConfigure.take returns it. */
export interface ConfigureWork {
  /** The serial to ack, when a configure arrived. */
  readonly serial: number | undefined;
  /** The xdg_toplevel.configure that came with it, if any. */
  readonly toplevel: ToplevelConfigure | undefined;
  /** resize() was called: go back to the chosen size unless the compositor fixes it. */
  readonly backToChosenSize: boolean;
}

/** The configure and relayout requests a window has not applied yet. */
export class PendingConfigure {
  private serial: number | undefined;
  private toplevel: ToplevelConfigure | undefined;
  private relayout: RelayoutReason | undefined;

  /** Whether anything waits to be applied (the size may change). */
  get any(): boolean {
    return this.serial !== undefined || this.relayout !== undefined;
  }

  /** Whether a configure arrived that is not acked yet. */
  get configured(): boolean {
    return this.serial !== undefined;
  }

  /** xdg_toplevel.configure: size and states (a uint32 array of xdg_toplevel.state values). */
  toplevelConfigure(width: number, height: number, states: Uint8Array): void {
    this.toplevel = { size: [width, height], states: parseStates(states) };
  }

  /** xdg_surface.configure: the sequence is complete; `serial` is the one to ack. */
  surfaceConfigure(serial: number): void {
    this.serial = serial;
  }

  /** Asks for a layout without a configure; "chosen size" outranks "geometry". */
  relayoutFor(reason: RelayoutReason): void {
    if (this.relayout !== "chosen size") this.relayout = reason;
  }

  /** Everything pending, now cleared; undefined when nothing is. */
  take(): ConfigureWork | undefined {
    if (!this.any) return undefined;
    const work = { serial: this.serial, toplevel: this.serial !== undefined ? this.toplevel : undefined, backToChosenSize: this.relayout === "chosen size" };
    this.serial = this.relayout = undefined;
    if (work.serial !== undefined) this.toplevel = undefined;
    return work;
  }
}

/**
 * The content size (logical pixels) a toplevel configure asks for: its window-geometry size less our
 * title bar (`titleBar` px in its states); 0 means the client's chosen size. Leaving fullscreen,
 * maximized or tiled (`wasSizeFixed`) for a floating state the size is the client's again (a
 * configure's size is only advisory there), and like every toolkit we go back to the app's own size
 * rather than keep the one the compositor echoes (Sway 1.7 sends the fullscreen size back).
 */
export function contentSize(
  { size, states }: ToplevelConfigure,
  wasSizeFixed: boolean,
  [chosenW, chosenH]: readonly [number, number],
  titleBar: number,
): [number, number] {
  const [w, h] = wasSizeFixed && !isSizeFixed(states) ? [0, 0] : size;
  return [w > 0 ? w : chosenW, h > 0 ? Math.max(1, h - titleBar) : chosenH];
}
