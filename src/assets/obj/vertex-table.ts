// Stage 3 of the OBJ parser: de-duplicating face corners. Each distinct (position, texcoord, normal)
// triple becomes one vertex; corners that repeat a triple share it. Triples are chained per position
// index, so a lookup walks only the few vertices that share a position and no per-vertex objects exist.
import { grow } from "./grow.js";

/** Marks a corner with no texture coordinate or normal in the file. */
export const NONE = -1;

/** Vertices as parallel arrays of indices into the file's positions, texcoords and normals. */
export interface Corners {
  position: Int32Array;
  uv: Int32Array;
  normal: Int32Array;
  count: number;
}

export class VertexTable implements Corners {
  position = new Int32Array(1024);
  uv = new Int32Array(1024);
  normal = new Int32Array(1024);
  count = 0;
  /** Per vertex: the next vertex with the same position, or -1. */
  private next = new Int32Array(1024);
  /** Per position: the latest vertex using it, or -1. */
  private head = new Int32Array(1024).fill(-1);

  /** Makes room for `positions` position indices (call as positions are added). */
  reservePositions(positions: number): void {
    if (positions <= this.head.length) return;
    const h = new Int32Array(this.head.length * 2).fill(-1);
    h.set(this.head);
    this.head = h;
  }

  /** The vertex for (v, t, n), made on first use; t and n are NONE when the corner has none. */
  id(v: number, t: number, n: number): number {
    for (let k = this.head[v]; k >= 0; k = this.next[k]) {
      if (this.uv[k] === t && this.normal[k] === n) return k;
    }
    const k = this.count++;
    if (k === this.position.length) {
      this.position = grow(this.position, k + 1);
      this.uv = grow(this.uv, k + 1);
      this.normal = grow(this.normal, k + 1);
      this.next = grow(this.next, k + 1);
    }
    this.position[k] = v;
    this.uv[k] = t;
    this.normal[k] = n;
    this.next[k] = this.head[v];
    this.head[v] = k;
    return k;
  }
}
