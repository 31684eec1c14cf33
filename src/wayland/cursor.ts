// The pointer's image over our surfaces: a named shape through wp_cursor_shape_v1 where the
// compositor offers it (it draws its own theme), else a small arrow we draw once into wl_shm and
// attach to a cursor surface of ours with wl_pointer.set_cursor.
import { SharedMemory } from "../sys/memfd.js";
import { logger } from "../util/log.js";
import type { Globals } from "./globals.js";
import { WpCursorShapeDeviceV1Shape, WpCursorShapeManagerV1, type WpCursorShapeDeviceV1 } from "./protocol/cursor-shape-v1.js";
import { type WlBuffer, WlCompositor, type WlPointer, WlShm, WlShmFormat, type WlSurface } from "./protocol/wayland.js";

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

/** The cursor images of one connection: shapes when offered, else our shm arrow (made on first use). */
export class CursorImages {
  private readonly manager: WpCursorShapeManagerV1 | undefined;
  private arrow: { surface: WlSurface; buffer: WlBuffer; memory: SharedMemory } | undefined;
  private arrowFailed = false;

  constructor(private readonly globals: Globals) {
    this.manager = globals.tryBind(WpCursorShapeManagerV1, { fallback: "the pointer gets our own arrow (wl_shm)" });
  }

  /** Whether named shapes are available (else every shape but "hidden" shows the arrow). */
  get shapes(): boolean {
    return this.manager !== undefined;
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
    const arrow = this.makeArrow();
    pointer.set_cursor(serial, arrow?.surface ?? null, 0, 0);
  }

  /** Releases the cursor surface and buffer (the connection may already be gone). */
  destroy(): void {
    const a = this.arrow;
    this.arrow = undefined;
    try {
      if (a) {
        a.buffer.destroy();
        a.surface.destroy();
      }
      this.manager?.destroy();
    } catch {
      // connection already closed: the compositor freed them with it
    }
    a?.memory.close();
  }

  private makeArrow(): CursorImages["arrow"] {
    if (this.arrow || this.arrowFailed) return this.arrow;
    let memory: SharedMemory | undefined;
    try {
      const compositor = this.globals.bind(WlCompositor, { max: 4, purpose: "for the cursor surface" });
      const shm = this.globals.bind(WlShm, { purpose: "for the cursor image" });
      shm.listen({ format: () => {} });
      const stride = ARROW_W * 4;
      memory = SharedMemory.create("scanout-cursor", stride * ARROW_H);
      drawArrow(new Uint8Array(memory.buffer), stride);
      const pool = shm.create_pool(memory.fd, memory.size);
      const buffer = pool.create_buffer(0, ARROW_W, ARROW_H, stride, WlShmFormat.argb8888);
      buffer.listen({ release: () => {} });
      pool.destroy();
      if (shm.version >= WlShm.since.release) shm.release(); // (most compositors offer v1)
      const surface = compositor.create_surface();
      surface.listen({ enter: () => {}, leave: () => {}, preferred_buffer_scale: () => {}, preferred_buffer_transform: () => {} });
      surface.attach(buffer, 0, 0);
      surface.damage(0, 0, ARROW_W, ARROW_H);
      surface.commit();
      this.arrow = { surface, buffer, memory };
    } catch (e) {
      this.arrowFailed = true;
      memory?.close();
      log.warn(`cursor: could not make the arrow (${(e as Error).message}); the compositor's image stays`);
    }
    return this.arrow;
  }
}
