// The colour of a Wayland window's frames: which colour space and swapchain format, from what the
// app asked for (OpenPresenterOptions.color), the formats the compositor takes, and what its colour
// manager describes. A refused or impossible colour becomes the nearest one the path can show, with
// the reason logged and kept for FrameStats.colour; plain sRGB (the default) binds nothing.
// "auto" follows the surface's preferred description, also when it changes, within the format
// chosen at the start (a change of format would need new pipelines in the app's scenes). A switch
// takes effect from the next frame handed out, and its description is set with the commit of that
// frame: frames already rendered in the old colour are still shown with the old description.
import type { Device } from "../vk/index.js";
import { logger } from "../util/log.js";
import { COLOUR_SPACES, colourState, describeColour, resolveColour, type ColourChoice, type ColourName, type ColourState, type Hdr10Metadata, DEFAULT_HDR10_METADATA } from "../util/colour.js";
import { ColourSurface, colourOfDescription, type PreparedDescription } from "../wayland/colour-surface.js";
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

/** A colour switch: the state frames are encoded for from its first frame, and its description (set with that frame's commit). */
interface ColourSwitch {
  readonly state: ColourState;
  readonly description: Extract<PreparedDescription, { ready: true }>;
}

/** A window's colour: the state in effect (read each frame), its swapchain format, and the colour surface when one is bound. */
export class WaylandColour {
  /** A switch prepared ("auto" followed a change), in effect from the next frame handed out. */
  private staged: ColourSwitch | undefined;
  /** Switches handed out, oldest first, each waiting for the commit of its first frame. */
  private readonly handedOut: { readonly generation: number; readonly description: ColourSwitch["description"] }[] = [];
  /** Counts switches handed out; the frames handed out while one waits, by index, with the generation they are encoded in. */
  private generation = 0;
  private readonly frameGeneration = new Map<number, number>();

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
    const first = await colour.prepareSwitch(chosen);
    first.description.attach(); // before the first frame: nothing is in flight yet
    colour.current = first.state;
    if (requested === "auto") surface.watchPreferred(() => void colour.follow(path));
    if (colour.current.reason) log.warn(`${path}: colour ${requested} → ${describeColour(colour.current)}: ${colour.current.reason}`);
    else log.info(`${path}: colour ${describeColour(colour.current)}`);
    return colour;
  }

  /** "auto": the preferred description changed; take the new one where the format can carry it. */
  private async follow(path: string): Promise<void> {
    const surface = this.surface!;
    try {
      const info = await surface.preferred();
      const preferred = info ? colourOfDescription(info) : "srgb";
      const target = this.staged?.state ?? this.current;
      const next = resolveColour("auto", [target.depth], (n) => (n === "srgb" ? undefined : surface.refusal(n)), preferred);
      if (next.space.name === target.space.name) {
        // the same colour, for a new reason (hdr10 preferred now, but the format chosen at the start is 8-bit): say so
        if (next.reason !== target.reason) log.info(`${path}: preferred description changed (${preferred}); staying ${describeColour(target)}${next.reason ? ` (${next.reason})` : ""}`);
        if (this.staged) this.staged = { ...this.staged, state: { ...this.staged.state, reason: next.reason } };
        else this.current = { ...this.current, reason: next.reason };
        return;
      }
      const change = await this.prepareSwitch(next);
      this.staged?.description.discard();
      this.staged = change;
      log.info(`${path}: preferred description changed → ${describeColour(change.state)} from the next frame${change.state.reason ? ` (${change.state.reason})` : ""}`);
    } catch (e) {
      log.debug(`${path}: following the preferred description failed: ${(e as Error).message}`);
    }
  }

  /** Makes `state`'s description (not set yet); a refusal switches to sRGB (untagged) at the same format, with the reason. */
  private async prepareSwitch(state: ColourState): Promise<ColourSwitch> {
    const surface = this.surface!;
    const name = state.space.name;
    const prepared = await surface.prepare(name, name === "hdr10" ? (this.options.hdrMetadata ?? DEFAULT_HDR10_METADATA) : undefined);
    if (prepared.ready) return { state: { ...state, space: surface.spaceFor(name) }, description: prepared };
    const srgb = await surface.prepare("srgb");
    if (!srgb.ready) throw new Error("sRGB needs no description and cannot be refused"); // a bug
    const reason = [state.reason, `${name}: ${prepared.answer.ready ? "" : prepared.answer.reason}`].filter(Boolean).join("; ");
    return { state: colourState(state.requested, COLOUR_SPACES.srgb, state.depth, reason), description: srgb };
  }

  /**
   * The backend hands out `frame`: a staged switch takes effect from it (the app reads `state` while
   * recording it). Costs nothing unless a switch is staged or waiting for its commit.
   */
  handOut(frame: number): void {
    const change = this.staged;
    if (change) {
      this.staged = undefined;
      this.current = change.state;
      this.handedOut.push({ generation: ++this.generation, description: change.description });
    }
    if (this.handedOut.length) this.frameGeneration.set(frame, this.generation);
  }

  /**
   * The backend is about to commit `frame`: where it is the first frame of a switch handed out, that
   * switch's description is set now, so it applies with this commit (older switches never shown are freed).
   */
  committing(frame: number): void {
    if (!this.handedOut.length) return;
    const generation = this.frameGeneration.get(frame) ?? 0;
    this.frameGeneration.delete(frame);
    let newest: ColourSwitch["description"] | undefined;
    while (this.handedOut.length && this.handedOut[0]!.generation <= generation) {
      newest?.discard();
      newest = this.handedOut.shift()!.description;
    }
    newest?.attach();
    if (!this.handedOut.length) this.frameGeneration.clear(); // frames dropped uncommitted leave nothing behind
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
    this.staged?.description.discard();
    for (const h of this.handedOut.splice(0)) h.description.discard();
    this.surface?.destroy();
    if (this.representation instanceof ColourRepresentation) this.representation.destroy(this.window.connection);
  }
}

function formatOf(formats: readonly SwapchainFormat[], state: ColourState): SwapchainFormat {
  return formats.find((f) => f.depth === state.depth) ?? SRGB_8;
}
