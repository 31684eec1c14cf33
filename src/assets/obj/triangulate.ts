// Stage 4 of the OBJ parser: triangulating polygons into a triangle list of vertex ids.
import { grow } from "./grow.js";

export class TriangleList {
  /** Three vertex ids a triangle; valid up to `length`. */
  indices = new Uint32Array(3 * 1024);
  length = 0;

  /**
   * Adds polygon `ids[0..corners)` as a fan (0, i, i+1): exact for the convex polygons OBJ
   * exporters write, and the same split every reader of the file gets.
   */
  addFan(ids: Int32Array, corners: number): void {
    const need = this.length + 3 * (corners - 2);
    if (need > this.indices.length) this.indices = grow(this.indices, need);
    const idx = this.indices;
    let k = this.length;
    for (let i = 1; i + 1 < corners; i++) {
      idx[k++] = ids[0];
      idx[k++] = ids[i];
      idx[k++] = ids[i + 1];
    }
    this.length = k;
  }

  get triangleCount(): number {
    return this.length / 3;
  }
}
