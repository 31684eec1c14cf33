// What WaylandWindow.open takes, and the wl_compositor version it binds at most.
import type { ConnectOptions, Connection } from "./connection.js";
import type { Globals } from "./globals.js";
import { WlSurface } from "./protocol/wayland.js";
import type { DecorationsChoice } from "./decorations.js";

/**
 * The wl_compositor version we bind at most: v6, whose wl_surface tells the preferred buffer scale
 * (see scale.ts) and transform; v4 brought damage_buffer, v5 made attach's offsets 0 (ours always are).
 */
export const MAX_COMPOSITOR_VERSION = WlSurface.since.preferred_buffer_transform;

/** Options of WaylandWindow.open: what the window is called and, when reusing one, the connection (else one is opened from the ConnectOptions). */
export interface WindowOptions extends ConnectOptions {
  /** Window title shown by the compositor (xdg_toplevel.set_title); none when omitted. */
  title?: string;
  /** Application id the compositor groups windows by (xdg_toplevel.set_app_id). */
  appId?: string;
  /** Size we want when the compositor leaves it to us (configure 0x0). */
  size?: readonly [number, number];
  /**
   * Decorations: "auto" (default) asks for server-side ones (zxdg_decoration_manager_v1) and draws a
   * minimal title bar of its own when the compositor refuses or offers none; "server", "client", "none".
   */
  decorations?: DecorationsChoice;
  /** An existing connection to use instead of opening one (it is not closed with the window). */
  connection?: Connection;
  /** That connection's globals, when already fetched (default: fetched again). */
  globals?: Globals;
  /**
   * Make buffers turned the way the compositor prefers (wl_surface.preferred_buffer_transform, e.g.
   * on a rotated output), so it can show them without turning them itself (default false). Buffers
   * then have the turned size and render targets carry the transform: only for scenes that apply
   * it (RenderTarget.transform; the triangle and mesh scenes do).
   */
  preRotate?: boolean;
}
