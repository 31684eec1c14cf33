// The colour of a Wayland window's frames: which colour space and swapchain format, from what the
// app asked for (OpenPresenterOptions.color), the formats the compositor takes, and what its colour
// manager describes. A refused or impossible colour becomes the nearest one the path can show, with
// the reason logged and kept for FrameStats.colour; plain sRGB (the default) binds nothing.
// "auto" follows the surface's preferred description, also when it changes, within the format
// chosen at the start (a change of format would need new pipelines in the app's scenes).
import type { Device } from "../vk/index.js";
import { logger } from "../util/log.js";
import { COLOUR_SPACES, colourState, describeColour, resolveColour, type ColourChoice, type ColourName, type ColourState, type Hdr10Metadata, DEFAULT_HDR10_METADATA } from "../util/colour.js";
import { ColourSurface, colourOfDescription } from "../wayland/colour-surface.js";
import { ColourRepresentation } from "../wayland/colour-representation.js";
import type { WaylandWindow } from "../wayland/window.js";
import { usableFormats, SWAPCHAIN_FORMATS, type SwapchainFormat } from "./colour-formats.js";

const log = logger("present");

/** The colour options of the Wayland backends. */
export interface WaylandColourOptions {
  /** The colour to encode frames for (default "srgb"). */
  color?: ColourChoice;
  /** HDR10 metadata for hdr10 (default DEFAULT_HDR10_METADATA). */
  hdrMetadata?: Hdr10Metadata;
}

const SRGB_8 = SWAPCHAIN_FORMATS[0]!;

/** A window's colour: the state in effect (read each frame), its swapchain format, and the colour surface when one is bound. */
export class WaylandColour {
  private constructor(
    private current: ColourState,
    readonly format: SwapchainFormat,
    private readonly surface: ColourSurface | undefined,
    private readonly options: WaylandColourOptions,
    /** The alpha mode declared (color-representation), or why none was. */
    private readonly representation: ColourRepresentation | string | undefined,
    private readonly window: WaylandWindow,
  ) {}

  /** The colour in effect. */
  get state(): ColourState {
    return this.current;
  }

  /**
   * Chooses the colour and format for `window`: `listed` says which swapchain formats the compositor
   * takes on this path (shm formats, dmabuf formats). Never throws for a colour the compositor
   * cannot show: the state says what is shown instead and why.
   */
  static async open(window: WaylandWindow, device: Device, options: WaylandColourOptions, listed: (f: SwapchainFormat) => boolean, path: string): Promise<WaylandColour> {
    const requested = options.color ?? "srgb";
    const formats = usableFormats(device, listed);
    const depths = formats.map((f) => f.depth);
    if (requested === "srgb") return new WaylandColour(colourState("srgb", COLOUR_SPACES.srgb, 8), SRGB_8, undefined, options, undefined, window);
    // how our pixels carry alpha, where the compositor lets us say it
    const representation = await ColourRepresentation.open(window.connection, window.globals, window.surface);
    log.debug(`${path}: alpha mode: ${typeof representation === "string" ? `not declared (${representation})` : representation.alphaMode}`);
    const surface = await ColourSurface.open(window.connection, window.globals, window.surface);
    if (typeof surface === "string") {
      const state = resolveColour(requested, depths, (name) => (name === "srgb" ? undefined : surface));
      log.warn(`${path}: colour ${requested} → ${describeColour(state)}: ${state.reason}`);
      return new WaylandColour(state, formatOf(formats, state), undefined, options, representation, window);
    }
    const refusal = (name: ColourName) => (name === "srgb" ? undefined : surface.refusal(name));
    let preferred: ColourName = "srgb";
    if (requested === "auto") {
      const info = await surface.preferred();
      preferred = info ? colourOfDescription(info) : "srgb";
      log.info(`${path}: the surface's preferred description: ${JSON.stringify(info)} → ${preferred}`);
    }
    const chosen = resolveColour(requested, depths, refusal, preferred);
    const colour = new WaylandColour(chosen, formatOf(formats, chosen), surface, options, representation, window);
    await colour.apply(chosen);
    if (requested === "auto") surface.watchPreferred(() => void colour.follow(path));
    if (colour.current.reason) log.warn(`${path}: colour ${requested} → ${describeColour(colour.current)}: ${colour.current.reason}`);
    else log.info(`${path}: colour ${describeColour(colour.current)}`);
    return colour;
  }

  /** Describes `state`'s space to the compositor; a refusal falls back to sRGB (untagged) at the same format, with the reason. */
  private async apply(state: ColourState): Promise<void> {
    const surface = this.surface!;
    const name = state.space.name;
    const answer = await surface.describe(name, name === "hdr10" ? (this.options.hdrMetadata ?? DEFAULT_HDR10_METADATA) : undefined);
    if (answer.ready) {
      this.current = { ...state, space: surface.spaceFor(name) };
      return;
    }
    await surface.describe("srgb");
    const reason = [state.reason, `${name}: ${answer.reason}`].filter(Boolean).join("; ");
    this.current = colourState(state.requested, COLOUR_SPACES.srgb, state.depth, reason);
  }

  /** "auto": the preferred description changed; take the new one where the format can carry it. */
  private async follow(path: string): Promise<void> {
    const surface = this.surface!;
    try {
      const info = await surface.preferred();
      const preferred = info ? colourOfDescription(info) : "srgb";
      const next = resolveColour("auto", [this.current.depth], (n) => (n === "srgb" ? undefined : surface.refusal(n)), preferred);
      if (next.space.name === this.current.space.name) {
        // the same colour, for a new reason (hdr10 preferred now, but the format chosen at the start is 8-bit): say so
        if (next.reason !== this.current.reason) log.info(`${path}: preferred description changed (${preferred}); staying ${describeColour(this.current)}${next.reason ? ` (${next.reason})` : ""}`);
        this.current = { ...this.current, reason: next.reason };
        return;
      }
      await this.apply(next);
      log.info(`${path}: preferred description changed → ${describeColour(this.current)}${this.current.reason ? ` (${this.current.reason})` : ""}`);
    } catch (e) {
      log.debug(`${path}: following the preferred description failed: ${(e as Error).message}`);
    }
  }

  /** Figures for FrameStats.colour.descriptions, and the alpha mode declared (or why none was). */
  stats(): Record<string, number | string> | undefined {
    const rep = this.representation;
    const out: Record<string, number | string> = {};
    for (const [k, v] of Object.entries(this.surface?.counters ?? {})) if (v !== undefined) out[k] = v;
    if (rep !== undefined) out.alphaMode = typeof rep === "string" ? `not declared: ${rep}` : rep.alphaMode;
    return Object.keys(out).length ? out : undefined;
  }

  /** Frees the colour surface's and the representation's protocol objects. */
  destroy(): void {
    this.surface?.destroy();
    if (this.representation instanceof ColourRepresentation) this.representation.destroy(this.window.connection);
  }
}

function formatOf(formats: readonly SwapchainFormat[], state: ColourState): SwapchainFormat {
  return formats.find((f) => f.depth === state.depth) ?? SRGB_8;
}
