// Stage 5 of the OBJ parser: normals for corners the file gives none. Flat: each such triangle corner
// becomes its own vertex carrying the face normal. Smooth: per position, the unit normals of every
// triangle touching it, weighted by the triangle's angle at that corner, so the result does not
// depend on how polygons were split.
import { NONE, type Corners } from "./vertex-table.js";

/** Marks a vertex whose normal is its triangle's (flat mode), kept in `FlatSplit.faceNormals`. */
export const FACE_NORMAL = -2;

export interface FlatSplit {
  corners: Corners;
  /** The triangle list over the new vertices. */
  indices: Uint32Array;
  /** xyz per vertex of `corners`; set where its normal is FACE_NORMAL. */
  faceNormals: Float32Array;
}

/** How many vertices have no texture coordinate and no normal from the file. */
export function countMissing(c: Corners): { uv: number; normal: number } {
  let uv = 0, normal = 0;
  for (let k = 0; k < c.count; k++) {
    if (c.uv[k] === NONE) uv++;
    if (c.normal[k] === NONE) normal++;
  }
  return { uv, normal };
}

/**
 * Gives every triangle corner without a file normal a vertex of its own with the face normal.
 * Vertices left unreferenced (shared ones that lacked normals) are dropped when the mesh is assembled.
 */
export function splitFlat(positions: Float32Array, c: Corners, indices: Uint32Array): FlatSplit {
  let extra = 0;
  for (let i = 0; i < indices.length; i++) if (c.normal[indices[i]] === NONE) extra++;
  const total = c.count + extra;
  const position = new Int32Array(total), uv = new Int32Array(total), normal = new Int32Array(total);
  position.set(c.position.subarray(0, c.count));
  uv.set(c.uv.subarray(0, c.count));
  normal.set(c.normal.subarray(0, c.count));
  const faceNormals = new Float32Array(total * 3);
  const out = new Uint32Array(indices.length);
  let k = c.count;
  for (let t = 0; t < indices.length; t += 3) {
    triangleNormal(positions, c.position[indices[t]], c.position[indices[t + 1]], c.position[indices[t + 2]]);
    for (let j = t; j < t + 3; j++) {
      const v = indices[j];
      if (c.normal[v] !== NONE) {
        out[j] = v;
        continue;
      }
      position[k] = c.position[v];
      uv[k] = c.uv[v];
      normal[k] = FACE_NORMAL;
      faceNormals.set(TN, 3 * k);
      out[j] = k++;
    }
  }
  return { corners: { position, uv, normal, count: total }, indices: out, faceNormals };
}

/**
 * Per position, the angle-weighted sum of the unit normals of the triangles touching it (not yet
 * normalised; a zero sum means the position only touches degenerate triangles).
 */
export function smoothNormalSums(positions: Float32Array, positionCount: number, c: Corners, indices: Uint32Array): Float32Array {
  const sums = new Float32Array(positionCount * 3);
  for (let t = 0; t < indices.length; t += 3) {
    const a = c.position[indices[t]], b = c.position[indices[t + 1]], d = c.position[indices[t + 2]];
    triangleNormal(positions, a, b, d);
    const nx = TN[0], ny = TN[1], nz = TN[2];
    const wa = cornerAngle(positions, a, b, d), wb = cornerAngle(positions, b, d, a), wd = cornerAngle(positions, d, a, b);
    sums[3 * a] += nx * wa;
    sums[3 * a + 1] += ny * wa;
    sums[3 * a + 2] += nz * wa;
    sums[3 * b] += nx * wb;
    sums[3 * b + 1] += ny * wb;
    sums[3 * b + 2] += nz * wb;
    sums[3 * d] += nx * wd;
    sums[3 * d + 1] += ny * wd;
    sums[3 * d + 2] += nz * wd;
  }
  return sums;
}

/** The angle at corner `a` of triangle (a, b, c), in radians; 0 for degenerate corners. */
function cornerAngle(P: Float32Array, a: number, b: number, c: number): number {
  const ux = P[3 * b] - P[3 * a], uy = P[3 * b + 1] - P[3 * a + 1], uz = P[3 * b + 2] - P[3 * a + 2];
  const vx = P[3 * c] - P[3 * a], vy = P[3 * c + 1] - P[3 * a + 1], vz = P[3 * c + 2] - P[3 * a + 2];
  const d = Math.sqrt((ux * ux + uy * uy + uz * uz) * (vx * vx + vy * vy + vz * vz));
  if (d === 0) return 0;
  const cos = (ux * vx + uy * vy + uz * vz) / d;
  return Math.acos(cos > 1 ? 1 : cos < -1 ? -1 : cos);
}

const TN = new Float64Array(3); // triangleNormal's result, reused: no allocation per triangle

/** The unit normal of triangle (a, b, c) (counter-clockwise front) into TN; +Y when degenerate. */
function triangleNormal(P: Float32Array, a: number, b: number, c: number): void {
  const ax = P[3 * a], ay = P[3 * a + 1], az = P[3 * a + 2];
  const ux = P[3 * b] - ax, uy = P[3 * b + 1] - ay, uz = P[3 * b + 2] - az;
  const vx = P[3 * c] - ax, vy = P[3 * c + 1] - ay, vz = P[3 * c + 2] - az;
  let nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
  const len = Math.hypot(nx, ny, nz);
  if (len > 0) {
    nx /= len;
    ny /= len;
    nz /= len;
  } else ny = 1;
  TN[0] = nx;
  TN[1] = ny;
  TN[2] = nz;
}
