// xdg_toplevel's configure states and wm_capabilities arrays (uint32 enum values) as names.
import { XdgToplevelState, XdgToplevelWmCapabilities } from "./protocol/xdg-shell.js";

/** A state the compositor puts a toplevel in (xdg_toplevel.state), e.g. "maximized", "suspended". */
export type ToplevelState = keyof typeof XdgToplevelState;
/** Something the window manager can do to a toplevel (xdg_toplevel.wm_capabilities), e.g. "fullscreen". */
export type WmCapability = keyof typeof XdgToplevelWmCapabilities;

function names<K extends string>(table: Record<K, number>, array: Uint8Array): Set<K> {
  const byValue = new Map<number, K>(Object.entries(table).map(([k, v]) => [v as number, k as K]));
  const out = new Set<K>();
  const view = new DataView(array.buffer, array.byteOffset, array.byteLength - (array.byteLength % 4));
  for (let i = 0; i < view.byteLength; i += 4) {
    const name = byValue.get(view.getUint32(i, true));
    if (name) out.add(name); // values newer than our XML are ignored
  }
  return out;
}

/** The states in an xdg_toplevel.configure states array. */
export function parseStates(array: Uint8Array): Set<ToplevelState> {
  return names(XdgToplevelState as Record<ToplevelState, number>, array);
}

/** The capabilities in an xdg_toplevel.wm_capabilities array. */
export function parseWmCapabilities(array: Uint8Array): Set<WmCapability> {
  return names(XdgToplevelWmCapabilities as Record<WmCapability, number>, array);
}

/** States in which the compositor dictates the size: the client must not choose another. */
export const SIZE_FIXED_STATES: readonly ToplevelState[] = ["maximized", "fullscreen", "tiled_left", "tiled_right", "tiled_top", "tiled_bottom"];

/** Whether the compositor dictates the size in `states` (one of SIZE_FIXED_STATES). */
export function isSizeFixed(states: ReadonlySet<ToplevelState>): boolean {
  return SIZE_FIXED_STATES.some((s) => states.has(s));
}

/** Whether two state sets hold the same states. */
export function sameStates(a: ReadonlySet<ToplevelState>, b: ReadonlySet<ToplevelState>): boolean {
  if (a.size !== b.size) return false;
  for (const s of a) if (!b.has(s)) return false;
  return true;
}
