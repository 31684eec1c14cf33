// The pointer on KMS: an arrow we draw once into an ARGB8888 dumb buffer, shown on the CRTC's cursor
// plane and moved by setting the plane's CRTC_X/CRTC_Y in atomic commits (the presenter's page
// flips carry the move, or a commit of its own when no flip is due). The hotspot is the arrow's tip:
// the buffer's top-left corner upright; on a display showing the picture turned, the arrow is drawn
// turned the same way (on the CPU, once: few drivers' cursor planes can rotate) and its tip lies at
// another corner, which the plane's position allows for (CRTC_X/Y may be negative).
import { logger } from "../util/log.js";
import type { AtomicRequest } from "./atomic.js";
import type { DrmDevice } from "./device.js";
import { DumbBuffer } from "./dumb.js";
import { turnRect, type QuarterTurn } from "./layout.js";
import type { Output } from "./output.js";
import { DRM_FORMAT_ARGB8888, fixed16, type FbId, type PlaneId } from "./types.js";

const log = logger("drm");

/** The arrow's outline (tip at 0,0), in pixels at scale 1. */
const ARROW: readonly (readonly [number, number])[] = [[0, 0], [0, 17], [4, 13], [7, 20], [10, 19], [7, 12], [12, 12]];

/**
 * A CRTC's cursor plane with our arrow in it. Made by CursorPlane.find (undefined when the CRTC has
 * no cursor plane able to show ARGB8888); the owner adds it to commits (enableInto, moveInto) and
 * destroys it after the display's state has been restored.
 */
export class CursorPlane {
  private px = 0;
  private py = 0;
  /** The position the plane shows, as last committed (undefined: none committed yet). */
  private committedAt: readonly [number, number] | undefined;
  private destroyed = false;

  private constructor(
    private readonly dev: DrmDevice,
    private readonly output: Output,
    /** The cursor plane's id. */
    readonly plane: PlaneId,
    private readonly buffer: DumbBuffer,
    /** The ARGB8888 framebuffer holding the arrow. */
    readonly fb: FbId,
    /** Where the arrow's tip (the pointer's position) lies in the buffer: its top-left corner unless turned. */
    readonly hotspot: readonly [number, number],
  ) {}

  /**
   * The cursor plane of `output`'s CRTC with an arrow drawn in a buffer of the driver's cursor size
   * (DRM_CAP_CURSOR_WIDTH/HEIGHT, 64 if it does not say), or undefined (logged) when there is none.
   * `taken`: cursor planes other outputs use already (a presenter over several outputs). `turn`: the
   * display shows the picture turned counter-clockwise by this much, and the arrow is drawn turned alike.
   */
  static find(dev: DrmDevice, output: Output, taken: ReadonlySet<PlaneId> = new Set(), turn: QuarterTurn = 0): CursorPlane | undefined {
    const crtcs = dev.resources().crtcs;
    const plane = dev.planes().map((id) => dev.plane(id, crtcs))
      .find((p) => p.type === "Cursor" && !taken.has(p.id) && p.possibleCrtcs.includes(output.crtc) && p.formats.includes(DRM_FORMAT_ARGB8888));
    if (!plane) {
      log.info(`cursor: crtc ${output.crtc} has no cursor plane that takes ARGB8888; the pointer is not drawn`);
      return undefined;
    }
    const cap = (name: "cursorWidth" | "cursorHeight") => {
      try {
        return Number(dev.getCap(name));
      } catch {
        return 64;
      }
    };
    // drivers of real hardware want exactly their cursor size; a very large one (a software plane) gets 64
    const w = cap("cursorWidth") > 0 && cap("cursorWidth") <= 256 ? cap("cursorWidth") : 64;
    const h = cap("cursorHeight") > 0 && cap("cursorHeight") <= 256 ? cap("cursorHeight") : 64;
    const buffer = DumbBuffer.create(dev, w, h);
    try {
      const hotspot = drawArrow(new Uint32Array(buffer.pixels.buffer), buffer.pitch / 4, w, h, Math.max(1, Math.floor(Math.min(w, h) / 48)), turn);
      const fb = dev.addFramebuffer({ width: w, height: h, format: DRM_FORMAT_ARGB8888, handles: [buffer.handle], pitches: [buffer.pitch], offsets: [0] });
      log.info(`cursor: plane ${plane.id}, ${w}x${h} ARGB8888 arrow${turn ? ` turned ${turn}°` : ""} in framebuffer ${fb}`);
      return new CursorPlane(dev, output, plane.id, buffer, fb, hotspot);
    } catch (e) {
      buffer.destroy();
      throw e;
    }
  }

  /** Width and height of the cursor image in pixels. */
  get size(): readonly [number, number] {
    return [this.buffer.width, this.buffer.height];
  }

  /** The pointer position shown (or to be shown), in mode pixels. */
  get position(): readonly [number, number] {
    return [this.px, this.py];
  }

  /** Whether the position differs from the one last committed (a commit refused, EBUSY, leaves it pending). */
  get pending(): boolean {
    return this.committedAt === undefined || this.committedAt[0] !== this.px || this.committedAt[1] !== this.py;
  }

  /** The plane's CRTC_X/CRTC_Y for a pointer at (x, y): the buffer placed so that its hotspot is there. */
  planePosition(x = this.px, y = this.py): [number, number] {
    return [x - this.hotspot[0], y - this.hotspot[1]];
  }

  /** The arrow's pixels (premultiplied ARGB8888, rows of `size[0]`): what the plane's framebuffer holds. */
  pixels(): Uint32Array {
    const [w, h] = this.size;
    const all = new Uint32Array(this.buffer.pixels.buffer, 0, (this.buffer.pitch / 4) * h);
    const out = new Uint32Array(w * h);
    for (let y = 0; y < h; y++) out.set(all.subarray(y * (this.buffer.pitch / 4), y * (this.buffer.pitch / 4) + w), y * w);
    return out;
  }

  /** Sets the pointer position (clamped to the mode, whole pixels); false when it did not change. */
  move(x: number, y: number): boolean {
    const { hdisplay: w, vdisplay: h } = this.output.mode;
    const nx = Math.min(Math.max(Math.floor(x), 0), w - 1);
    const ny = Math.min(Math.max(Math.floor(y), 0), h - 1);
    if (nx === this.px && ny === this.py) return false;
    this.px = nx;
    this.py = ny;
    return true;
  }

  /**
   * Adds everything that shows the cursor (framebuffer, CRTC, rectangles) at the current position.
   * Returns what to call once the commit went through: only then is that position no longer pending.
   */
  enableInto(req: AtomicRequest): () => void {
    const [w, h] = this.size;
    const [x, y] = this.planePosition();
    req.plane(this.plane, {
      FB_ID: this.fb, CRTC_ID: this.output.crtc,
      SRC_X: fixed16(0), SRC_Y: fixed16(0), SRC_W: fixed16(w), SRC_H: fixed16(h),
      CRTC_X: x, CRTC_Y: y, CRTC_W: w, CRTC_H: h,
    });
    return this.committing();
  }

  /** Adds what turns the plane off (no pointing device left). */
  disableInto(req: AtomicRequest): void {
    req.plane(this.plane, { FB_ID: undefined, CRTC_ID: undefined });
  }

  /** Adds the position alone (the plane already shows the cursor); returns what to call once the commit went through. */
  moveInto(req: AtomicRequest): () => void {
    const [x, y] = this.planePosition();
    req.plane(this.plane, { CRTC_X: x, CRTC_Y: y });
    return this.committing();
  }

  /** The position added now, recorded as shown when the commit succeeds (a newer move stays pending). */
  private committing(): () => void {
    const at = [this.px, this.py] as const;
    return () => void (this.committedAt = at);
  }

  /** The plane no longer shows the cursor (turned off, or the console's modeset): the next enable sends the position. */
  forget(): void {
    this.committedAt = undefined;
  }

  /** Frees the buffer and framebuffer. Call after the plane no longer shows it (state restored). Idempotent. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.dev.closed) return;
    try {
      this.dev.removeFramebuffer(this.fb);
    } catch (e) {
      log.debug(`cursor: removing framebuffer ${this.fb}: ${e instanceof Error ? e.message : e}`);
    }
    this.buffer.destroy();
  }
}

/**
 * Draws the arrow (white, black outline, premultiplied ARGB) into a cleared w x h image, turned
 * counter-clockwise by `turn` within its top-left square; returns where its tip lies.
 */
export function drawArrow(px: Uint32Array, stride: number, w: number, h: number, scale: number, turn: QuarterTurn = 0): [number, number] {
  for (let y = 0; y < h; y++) px.fill(0, y * stride, y * stride + w);
  const side = Math.min(w, h); // a square, so that a quarter turn stays inside the buffer
  const at = (x: number, y: number) => turnRect({ x, y, width: 1, height: 1 }, side, side, turn);
  const inside = (x: number, y: number) => insidePolygon(ARROW, (x + 0.5) / scale, (y + 0.5) / scale);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      if (!inside(x, y)) continue;
      const edge = !inside(x - 1, y) || !inside(x + 1, y) || !inside(x, y - 1) || !inside(x, y + 1);
      const p = at(x, y);
      px[p.y * stride + p.x] = edge ? 0xff000000 : 0xffffffff;
    }
  }
  const tip = at(0, 0);
  return [tip.x, tip.y];
}

/** Even-odd rule. */
function insidePolygon(poly: readonly (readonly [number, number])[], x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!;
    const [xj, yj] = poly[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
