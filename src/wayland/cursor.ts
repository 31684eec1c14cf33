// The pointer's image over our surfaces: a named shape through wp_cursor_shape_v1 where the
// compositor offers it (it draws its own theme), else the user's XCursor theme (xcursor.ts: the
// shape's image, XCURSOR_THEME / XCURSOR_SIZE), else a small arrow we draw; theme images and the
// arrow go into wl_shm buffers (made once per shape) on a cursor surface of ours (wl_pointer.set_cursor).
import { SharedMemory } from "../sys/memfd.js";
import { logger } from "../util/log.js";
import type { Globals } from "./globals.js";
import { WpCursorShapeDeviceV1Shape, WpCursorShapeManagerV1, type WpCursorShapeDeviceV1 } from "./protocol/cursor-shape-v1.js";
import { type WlBuffer, WlCompositor, type WlPointer, WlShm, WlShmFormat, type WlSurface } from "./protocol/wayland.js";
import { type XcursorImage, XcursorTheme, xcursorNames } from "./xcursor.js";

const log = logger("wayland");

/** Cursor shape names (wp_cursor_shape_device_v1.shape): "default", "pointer", "text", "grab", "grabbing", "move", "ew_resize", ... */
export type CursorShape = keyof typeof WpCursorShapeDeviceV1Shape | "hidden";

/** Arrow size in pixels and its outline, rows top to bottom: '#' black edge, '.' white fill, ' ' clear. */
const ARROW = [
  "#           ",
  "##          ",
  "#.#         ",
  "#..#        ",
  "#...#       ",
  "#....#      ",
  "#.....#     ",
  "#......#    ",
  "#.......#   ",
  "#........#  ",
  "#.....#####",
  "#..#..#     ",
  "#.# #..#    ",
  "##  #..#    ",
  "#    #..#   ",
  "     #..#   ",
  "      ##    ",
];
const ARROW_W = 12;
const ARROW_H = ARROW.length;

/** Draws the arrow as ARGB8888 (little-endian B, G, R, A bytes), premultiplied. */
export function drawArrow(into: Uint8Array, stride: number): void {
  for (let y = 0; y < ARROW_H; y++) {
    const row = ARROW[y]!;
    for (let x = 0; x < ARROW_W; x++) {
      const c = row[x] ?? " ";
      const v = c === "." ? 255 : 0;
      const a = c === " " ? 0 : 255;
      const o = y * stride + x * 4;
      into[o] = v;
      into[o + 1] = v;
      into[o + 2] = v;
      into[o + 3] = a;
    }
  }
}

/** A cursor image in shared memory: its buffer and hotspot. */
interface ShmCursor {
  readonly buffer: WlBuffer;
  readonly memory: SharedMemory;
  readonly width: number;
  readonly height: number;
  readonly hotX: number;
  readonly hotY: number;
}

/** The cursor images of one connection: shapes when offered, else the theme's images or our arrow (made on first use). */
export class CursorImages {
  private readonly manager: WpCursorShapeManagerV1 | undefined;
  private surface: WlSurface | undefined;
  private shown: ShmCursor | undefined;
  private readonly images = new Map<string, ShmCursor | null>();
  private theme: XcursorTheme | undefined;
  private shm: WlShm | undefined;
  private failed = false;

  constructor(private readonly globals: Globals) {
    this.manager = globals.tryBind(WpCursorShapeManagerV1, { fallback: "the pointer gets the XCursor theme's images (or our arrow) through wl_shm" });
  }

  /** Whether named shapes are available (else theme images or the arrow are attached by us). */
  get shapes(): boolean {
    return this.manager !== undefined;
  }

  /** The theme images come from (after the first cursor was set without shapes); undefined otherwise. */
  get themeName(): string | undefined {
    return this.theme?.name;
  }

  /** A shape device for a pointer (undefined without wp_cursor_shape_v1). */
  deviceFor(pointer: WlPointer): WpCursorShapeDeviceV1 | undefined {
    return this.manager?.get_pointer(pointer);
  }

  /** Sets `pointer`'s image over our surface, given the serial of its enter event. */
  set(pointer: WlPointer, device: WpCursorShapeDeviceV1 | undefined, serial: number, shape: CursorShape): void {
    if (shape === "hidden") return pointer.set_cursor(serial, null, 0, 0);
    if (device) {
      return device.set_shape(serial, WpCursorShapeDeviceV1Shape[shape] ?? WpCursorShapeDeviceV1Shape.default);
    }
    const img = this.image(shape);
    const surface = img && this.show(img);
    pointer.set_cursor(serial, surface ?? null, img?.hotX ?? 0, img?.hotY ?? 0);
  }

  /** Releases the cursor surface and buffers (the connection may already be gone). */
  destroy(): void {
    const all = [...this.images.values()].filter((i): i is ShmCursor => i !== null);
    this.images.clear();
    try {
      for (const i of all) i.buffer.destroy();
      this.surface?.destroy();
      this.manager?.destroy();
      if (this.shm && this.shm.version >= WlShm.since.release) this.shm.release();
    } catch {
      // connection already closed: the compositor freed them with it
    }
    for (const i of all) i.memory.close();
    this.surface = undefined;
  }

  /** The shm image of `shape`: the theme's, else our arrow; undefined when neither can be made. */
  private image(shape: string): ShmCursor | undefined {
    if (this.failed) return undefined;
    const cached = this.images.get(shape);
    if (cached !== undefined) return cached ?? undefined;
    let made: ShmCursor | undefined;
    try {
      this.theme ??= XcursorTheme.fromEnvironment();
      const themed = this.theme.load(xcursorNames(shape));
      if (!themed) log.debug(`cursor: the ${this.theme.name} theme has no image for ${shape}; our arrow instead`);
      made = this.upload(themed ?? arrowImage());
    } catch (e) {
      this.failed = true;
      log.warn(`cursor: could not make the ${shape} cursor (${(e as Error).message}); the compositor's image stays`);
    }
    this.images.set(shape, made ?? null);
    return made;
  }

  private upload(img: XcursorImage): ShmCursor {
    this.shm ??= this.globals.bind(WlShm, { purpose: "for the cursor image" });
    this.shm.listen({ format: () => {} });
    const stride = img.width * 4;
    const memory = SharedMemory.create("scanout-cursor", stride * img.height);
    new Uint8Array(memory.buffer).set(img.pixels);
    const pool = this.shm.create_pool(memory.fd, memory.size);
    const buffer = pool.create_buffer(0, img.width, img.height, stride, WlShmFormat.argb8888);
    buffer.listen({ release: () => {} });
    pool.destroy();
    return { buffer, memory, width: img.width, height: img.height, hotX: img.hotX, hotY: img.hotY };
  }

  /** Attaches `img` to our cursor surface (made once) unless it shows already. */
  private show(img: ShmCursor): WlSurface {
    if (!this.surface) {
      const compositor = this.globals.bind(WlCompositor, { max: 4, purpose: "for the cursor surface" });
      this.surface = compositor.create_surface();
      this.surface.listen({ enter: () => {}, leave: () => {}, preferred_buffer_scale: () => {}, preferred_buffer_transform: () => {} });
    }
    if (this.shown !== img) {
      this.surface.attach(img.buffer, 0, 0);
      this.surface.damage(0, 0, img.width, img.height);
      this.surface.commit();
      this.shown = img;
    }
    return this.surface;
  }
}

/** Our arrow as a cursor image (hotspot at its tip). */
function arrowImage(): XcursorImage {
  const stride = ARROW_W * 4;
  const pixels = new Uint8Array(stride * ARROW_H);
  drawArrow(pixels, stride);
  return { width: ARROW_W, height: ARROW_H, hotX: 0, hotY: 0, nominalSize: ARROW_H, pixels };
}
