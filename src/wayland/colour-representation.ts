// wp_color_representation_manager_v1 for one surface: says how our pixels carry alpha. We blend and
// write encoded (electrical) values, so colour channels that carry alpha are premultiplied in
// electrical values: premultiplied_electrical, also what a compositor assumes for a surface that
// says nothing. Declared where the compositor lists it (a mode it does not list would be a protocol
// error); where it offers no manager or not that mode, nothing is sent and the reason is returned.
import type { Connection } from "./connection.js";
import type { Globals } from "./globals.js";
import type { WlSurface } from "./protocol/wayland.js";
import {
  WpColorRepresentationManagerV1, WpColorRepresentationSurfaceV1AlphaMode as AlphaMode, type WpColorRepresentationSurfaceV1,
} from "./protocol/color-representation-v1.js";

const MODE_NAMES = Object.fromEntries(Object.entries(AlphaMode).map(([k, v]) => [v, k]));

/** A surface's colour representation: the alpha mode declared, and the modes the compositor offered. */
export class ColourRepresentation {
  private constructor(
    private readonly manager: WpColorRepresentationManagerV1,
    private readonly surface: WpColorRepresentationSurfaceV1,
    /** The alpha modes the compositor listed, by name. */
    readonly offered: readonly string[],
  ) {}

  /** The alpha mode set on the surface (from its next commit). */
  readonly alphaMode = "premultiplied_electrical";

  /** Declares premultiplied (electrical) alpha for `surface`; a string says why nothing was declared. */
  static async open(connection: Connection, globals: Globals, surface: WlSurface): Promise<ColourRepresentation | string> {
    const manager = globals.tryBind(WpColorRepresentationManagerV1, { purpose: "to declare premultiplied alpha" });
    if (!manager) return "the compositor offers no wp_color_representation_manager_v1";
    const modes = new Set<number>();
    await connection.waitFor<void>((resolve) =>
      manager.listen({
        supported_alpha_mode: (m) => void modes.add(m),
        supported_coefficients_and_ranges: () => {}, // YCbCr only: our formats are RGB
        done: () => resolve(),
      }),
    );
    const offered = [...modes].map((m) => MODE_NAMES[m] ?? String(m));
    if (!modes.has(AlphaMode.premultiplied_electrical)) {
      manager.destroy();
      return `the compositor's color-representation lists alpha modes ${offered.join(", ") || "none"}, not premultiplied_electrical`;
    }
    const rep = manager.get_surface(surface);
    rep.set_alpha_mode(AlphaMode.premultiplied_electrical);
    return new ColourRepresentation(manager, rep, offered);
  }

  /** Frees the protocol objects (the surface's representation goes back to unset). */
  destroy(connection: Connection): void {
    if (connection.error) return;
    this.surface.destroy();
    this.manager.destroy();
  }
}
