// The scale a surface's buffers should have, from whichever source the compositor offers, best first:
//   1. wp_fractional_scale_v1.preferred_scale (in 120ths) with wp_viewporter: the buffer is the
//      device-pixel size round(logical * scale), buffer scale 1, viewport destination = logical size;
//   2. wl_surface.preferred_buffer_scale (wl_compositor v6): an integer buffer scale;
//   3. the largest wl_output.scale of the outputs the surface has entered (before the first enter:
//      the scale all outputs share, so the first frame is already right on a single HiDPI output).
// Without wp_viewporter a fractional scale is rounded up to an integer buffer scale.
import { logger } from "../util/log.js";
import type { Globals } from "./globals.js";
import { WpFractionalScaleManagerV1, type WpFractionalScaleV1 } from "./protocol/fractional-scale-v1.js";
import { type WpViewport, WpViewporter } from "./protocol/viewporter.js";
import { Listeners } from "../util/listeners.js";
import { WlOutput, WlOutputTransform, WlSurface } from "./protocol/wayland.js";
import { mirrors, swapsAxes, transformName } from "../render/pre-rotation.js";

const log = logger("wayland");

/** Where the current scale came from. */
export type ScaleSource = "fractional-scale" | "preferred-buffer-scale" | "output" | "default";

/** How buffers of a given logical size are made and described to the compositor. */
export interface BufferGeometry {
  /** Buffer size in device pixels. */
  width: number;
  height: number;
  /** The scale they were computed with (e.g. 1.5). */
  scale: number;
  /** wl_surface.set_buffer_scale value (1 when a viewport maps the buffer). */
  bufferScale: number;
  /** The viewport destination (logical size), when a viewport is used. */
  viewport: readonly [number, number] | undefined;
  /** wl_surface.set_buffer_transform value: how the buffer is turned (width and height above are the buffer's). */
  transform: OutputTransform;
}

/** A wl_output.transform value (WlOutputTransform): a rotation by a multiple of 90 degrees, maybe flipped. */
export type OutputTransform = (typeof WlOutputTransform)[keyof typeof WlOutputTransform];
const TRANSFORMS: ReadonlySet<number> = new Set(Object.values(WlOutputTransform));

/** Tracks the preferred scale (and transform) of one surface; the window applies the scale with the buffer that uses it. */
export class SurfaceScale {
  /** Called when the preferred scale changes (the window then re-allocates at the next frame). */
  onChange: (() => void) | undefined;
  /** The transform the compositor prefers for the surface's buffers (wl_compositor v6); normal until told. */
  preferredTransform: OutputTransform = WlOutputTransform.normal;
  /** preferredTransform changed. */
  readonly transformChanged = new Listeners<OutputTransform>();
  /**
   * Whether buffers are made in the preferred transform (quarter and half turns; a mirrored preference
   * is left to the compositor, as mirroring would turn every triangle's winding round).
   */
  preRotate = false;
  private readonly outputs = new Map<WlOutput, { scale: number; pending: number }>();
  private readonly entered = new Set<WlOutput>();
  private readonly viewporter: WpViewporter | undefined;
  private readonly fractionalManager: WpFractionalScaleManagerV1 | undefined;
  private viewport: WpViewport | undefined;
  private fractional: WpFractionalScaleV1 | undefined;
  private fractionalScale: number | undefined;
  private preferredBufferScale: number | undefined;
  private applied: { bufferScale: number; viewport: string; transform: OutputTransform } = { bufferScale: 1, viewport: "none", transform: WlOutputTransform.normal };

  constructor(
    globals: Globals,
    private readonly surface: WlSurface,
  ) {
    for (const g of globals.list.values()) {
      if (g.interface !== WlOutput.spec.name || g.version < WlOutput.since.scale) continue;
      const output = globals.registry.bind(g.name, WlOutput, Math.min(g.version, WlOutput.spec.version));
      const state = { scale: 1, pending: 1 };
      this.outputs.set(output, state);
      output.listen({
        geometry: () => {},
        mode: () => {},
        scale: (f) => (state.pending = f),
        done: () => {
          if (state.scale === state.pending) return;
          state.scale = state.pending;
          this.changed();
        },
        name: () => {},
        description: () => {},
      });
    }
    this.viewporter = globals.tryBind(WpViewporter, { fallback: "fractional scales are rounded up to an integer buffer scale" });
    this.fractionalManager = this.viewporter
      ? globals.tryBind(WpFractionalScaleManagerV1, { fallback: "the scale comes from wl_output / preferred_buffer_scale" })
      : undefined;
    if (this.fractionalManager) {
      this.fractional = this.fractionalManager.get_fractional_scale(surface);
      this.fractional.listen({
        preferred_scale: (n) => {
          const s = n / 120;
          if (s === this.fractionalScale) return;
          this.fractionalScale = s;
          log.debug(`${surface}: fractional scale ${s}`);
          this.changed();
        },
      });
    }
  }

  /** wl_surface.enter: the surface is now (partly) on `output`. */
  enter(output: WlOutput): void {
    if (!this.outputs.has(output)) return;
    this.entered.add(output);
    this.changed();
  }

  /** wl_surface.leave. */
  leave(output: WlOutput): void {
    if (this.entered.delete(output)) this.changed();
  }

  /** wl_surface.preferred_buffer_scale (wl_compositor v6). */
  preferBufferScale(factor: number): void {
    if (factor === this.preferredBufferScale) return;
    this.preferredBufferScale = factor;
    this.changed();
  }

  /** wl_surface.preferred_buffer_transform (wl_compositor v6); a value newer than our XML is ignored. */
  preferBufferTransform(value: number): void {
    if (!TRANSFORMS.has(value)) return log.debug(`${this.surface}: preferred_buffer_transform ${value} is unknown; ignored`);
    if (value === this.preferredTransform) return;
    this.preferredTransform = value as OutputTransform;
    this.transformChanged.emit(this.preferredTransform);
    if (this.preRotate) this.changed();
  }

  /** The scale to render at now, and where it came from. */
  get current(): { scale: number; source: ScaleSource } {
    if (this.fractionalScale !== undefined) return { scale: this.fractionalScale, source: "fractional-scale" };
    if (this.preferredBufferScale !== undefined) return { scale: this.preferredBufferScale, source: "preferred-buffer-scale" };
    const on = this.entered.size ? [...this.entered] : [...this.outputs.keys()];
    const scales = on.map((o) => this.outputs.get(o)!.scale);
    // before the first enter, only a scale every output shares is a safe guess
    if (scales.length && (this.entered.size || scales.every((s) => s === scales[0]))) return { scale: Math.max(...scales), source: "output" };
    return { scale: 1, source: "default" };
  }

  /** The transform buffers are made in now: the preferred one when pre-rotating (not mirrored), else normal. */
  get bufferTransform(): OutputTransform {
    const t = this.preferredTransform;
    if (!this.preRotate || t === WlOutputTransform.normal) return WlOutputTransform.normal;
    if (mirrors(t)) {
      log.debug(`${this.surface}: preferred buffer transform ${transformName(t)} is mirrored; buffers stay normal`);
      return WlOutputTransform.normal;
    }
    return t;
  }

  /** Buffer size and how to present it for a surface of `width`x`height` logical pixels, turned as bufferTransform says. */
  geometry(width: number, height: number): BufferGeometry {
    const g = this.scaledGeometry(width, height);
    const transform = this.bufferTransform;
    return swapsAxes(transform) ? { ...g, width: g.height, height: g.width, transform } : { ...g, transform };
  }

  private scaledGeometry(width: number, height: number): Omit<BufferGeometry, "transform"> {
    const { scale } = this.current;
    if (Number.isInteger(scale)) return { width: width * scale, height: height * scale, scale, bufferScale: scale, viewport: undefined };
    if (this.viewporter) {
      // the protocol's rounding: device pixels = round(logical * scale)
      return { width: Math.round(width * scale), height: Math.round(height * scale), scale, bufferScale: 1, viewport: [width, height] };
    }
    const up = Math.ceil(scale);
    return { width: width * up, height: height * up, scale: up, bufferScale: up, viewport: undefined };
  }

  /** Sends the buffer scale, transform and viewport for `g` (double-buffered: they apply with the next commit). */
  apply(g: BufferGeometry): void {
    const viewport = g.viewport ? `${g.viewport[0]}x${g.viewport[1]}` : "none";
    if (g.bufferScale !== this.applied.bufferScale && this.surface.version >= WlSurface.since.set_buffer_scale) this.surface.set_buffer_scale(g.bufferScale);
    if (g.transform !== this.applied.transform) this.surface.set_buffer_transform(g.transform); // only non-normal after a v6 preference
    if (viewport !== this.applied.viewport) {
      if (g.viewport) {
        this.viewport ??= this.viewporter!.get_viewport(this.surface);
        this.viewport.set_destination(g.viewport[0], g.viewport[1]);
      } else this.viewport?.set_destination(-1, -1); // unset: the buffer (and buffer scale) decide
    }
    this.applied = { bufferScale: g.bufferScale, viewport, transform: g.transform };
  }

  private changed(): void {
    this.onChange?.();
  }

  /** Destroys the viewport, fractional-scale object and outputs (before the surface). */
  destroy(): void {
    this.viewport?.destroy();
    this.fractional?.destroy();
    this.fractionalManager?.destroy();
    this.viewporter?.destroy();
    for (const o of this.outputs.keys()) if (o.version >= WlOutput.since.release) o.release();
    this.outputs.clear();
  }
}
