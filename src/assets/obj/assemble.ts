// Stage 6 of the OBJ parser: the indexed mesh. Keeps only the vertices the triangles use, in
// first-use order (better post-transform cache reuse), interleaves position, normal and uv, and
// narrows the index buffer to 16 bits when every index fits.
import { FACE_NORMAL } from "./normals.js";
import { NONE, type Corners } from "./vertex-table.js";

/** Floats per vertex of the interleaved vertex buffer: position xyz, normal xyz, uv. */
export const VERTEX_FLOATS = 8;

export interface Attributes {
  positions: Float32Array;
  uvs: Float32Array;
  /** The file's normals. */
  normals: Float32Array;
  /** Per vertex, the face normal where the vertex's normal is FACE_NORMAL (flat mode). */
  faceNormals?: Float32Array;
  /** Per position, un-normalised smooth normals for vertices with no normal (smooth mode). */
  smoothSums?: Float32Array;
  /** Texture coordinate for vertices without one, already in Vulkan's v-down convention. */
  defaultUv: readonly [number, number];
}

export interface IndexedMesh {
  /** VERTEX_FLOATS floats a vertex: position, normal, uv with v flipped for Vulkan. */
  vertices: Float32Array;
  indices: Uint16Array | Uint32Array;
  vertexCount: number;
}

/** Builds the vertex and index buffers for the triangles `indices` over vertices `c`. */
export function assemble(c: Corners, indices: Uint32Array, a: Attributes): IndexedMesh {
  // new number of each used vertex, in order of first use
  const remap = new Int32Array(c.count).fill(-1);
  let used = 0;
  for (let i = 0; i < indices.length; i++) if (remap[indices[i]] < 0) remap[indices[i]] = used++;
  const position = c.position, normal = c.normal, uv = c.uv;

  const P = a.positions, UV = a.uvs, N = a.normals, faceNormals = a.faceNormals, smooth = a.smoothSums;
  const [du, dv] = a.defaultUv;
  const vertices = new Float32Array(used * VERTEX_FLOATS);
  for (let k = 0; k < c.count; k++) {
    const r = remap[k];
    if (r < 0) continue;
    const o = r * VERTEX_FLOATS;
    const p = position[k] * 3;
    vertices[o] = P[p];
    vertices[o + 1] = P[p + 1];
    vertices[o + 2] = P[p + 2];
    const nm = normal[k];
    if (nm >= 0) {
      vertices[o + 3] = N[3 * nm];
      vertices[o + 4] = N[3 * nm + 1];
      vertices[o + 5] = N[3 * nm + 2];
    } else if (nm === FACE_NORMAL && faceNormals) {
      vertices[o + 3] = faceNormals[3 * k];
      vertices[o + 4] = faceNormals[3 * k + 1];
      vertices[o + 5] = faceNormals[3 * k + 2];
    } else if (smooth) {
      const sx = smooth[p], sy = smooth[p + 1], sz = smooth[p + 2];
      const len = Math.hypot(sx, sy, sz);
      if (len > 0) {
        vertices[o + 3] = sx / len;
        vertices[o + 4] = sy / len;
        vertices[o + 5] = sz / len;
      } else vertices[o + 4] = 1; // degenerate: point up rather than NaN
    }
    const t = uv[k];
    if (t !== NONE) {
      vertices[o + 6] = UV[2 * t];
      vertices[o + 7] = 1 - UV[2 * t + 1]; // OBJ's v grows upwards, Vulkan's image rows downwards
    } else {
      vertices[o + 6] = du;
      vertices[o + 7] = dv;
    }
  }
  const out = used <= 0xffff ? new Uint16Array(indices.length) : new Uint32Array(indices.length);
  for (let i = 0; i < indices.length; i++) out[i] = remap[indices[i]];
  return { vertices, indices: out, vertexCount: used };
}

/** The axis-aligned box around the positions of `vertexCount` interleaved vertices. */
export function bounds(vertices: Float32Array, vertexCount: number): { min: [number, number, number]; max: [number, number, number] } {
  let x0 = Infinity, y0 = Infinity, z0 = Infinity, x1 = -Infinity, y1 = -Infinity, z1 = -Infinity;
  for (let o = 0; o < vertexCount * VERTEX_FLOATS; o += VERTEX_FLOATS) {
    const x = vertices[o], y = vertices[o + 1], z = vertices[o + 2];
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
    if (z < z0) z0 = z;
    if (z > z1) z1 = z;
  }
  return { min: [x0, y0, z0], max: [x1, y1, z1] };
}
