// Wavefront OBJ loader: positions, texture coordinates, normals and polygon faces, de-duplicated
// into one interleaved vertex buffer plus an index buffer, ready for a Vulkan vertex binding.
//
// The parser runs in stages, each in its own module under obj/: tokenising bytes (scanner.ts),
// statements into typed arrays (records.ts), corners into de-duplicated vertices (vertex-table.ts),
// polygons into triangles (triangulate.ts), missing normals (normals.ts), and the interleaved,
// indexed mesh with its bounds (assemble.ts). A 1M-triangle file costs a few typed arrays and no
// per-vertex objects.
import { logger } from "../util/log.js";
import { AssetError } from "./errors.js";
import { assemble, bounds, VERTEX_FLOATS } from "./obj/assemble.js";
import { countMissing, smoothNormalSums, splitFlat } from "./obj/normals.js";
import { parseRecords } from "./obj/records.js";
import type { Corners } from "./obj/vertex-table.js";
import { readAssetFile } from "./read-file.js";

const log = logger("demo");

export { VERTEX_FLOATS };
/** Bytes per vertex in Mesh.vertices (8 floats: position, normal, uv): the vertex binding's stride. */
export const VERTEX_STRIDE = VERTEX_FLOATS * 4;
/** Byte offset of the position (3 floats) within a vertex. */
export const POSITION_OFFSET = 0;
/** Byte offset of the normal (3 floats) within a vertex. */
export const NORMAL_OFFSET = 12;
/** Byte offset of the texture coordinate (2 floats, Vulkan convention: v down) within a vertex. */
export const UV_OFFSET = 24;

/** How to fill in normals the file does not give: per-position average (smooth) or per face (flat). */
export type NormalMode = "smooth" | "flat";

/** Options of parseObj and loadObj. */
/** Options of {@link parseObj} and {@link loadObj}. */
export interface ObjOptions {
  /** Name used in errors and warnings (defaults to the path, or "<obj>" for in-memory text). */
  name?: string;
  /** Normals computed where the file has none. Default "smooth" (angle-weighted per position). */
  normals?: NormalMode;
  /** Texture coordinate for corners without one (Vulkan convention, v down). Default [0, 0]. */
  defaultUv?: readonly [number, number];
}

/** A loaded OBJ model: one interleaved vertex buffer and a triangle index list, ready to upload, with counts, bounds, and where its normals came from. Polygons are triangulated and identical corners shared. */
/** A model ready for drawing: one interleaved vertex buffer and a triangle-list index buffer. */
export interface Mesh {
  name: string;
  /** Interleaved position(3) normal(3) uv(2) floats, VERTEX_STRIDE bytes a vertex; v already flipped. */
  vertices: Float32Array;
  /** Triangle list; Uint16 when every index fits, else Uint32. */
  indices: Uint16Array | Uint32Array;
  vertexCount: number;
  triangleCount: number;
  /** Where the normals came from: all from the file, all computed, or some of each. */
  normals: "file" | "smooth" | "flat" | "mixed-smooth" | "mixed-flat";
  /** False when at least one corner had no texture coordinate and got the default. */
  hasTexCoords: boolean;
  bounds: { min: [number, number, number]; max: [number, number, number] };
  /** Warnings also sent to the logger (missing texture coordinates, unknown statements). */
  warnings: string[];
}

/** Parses OBJ text (a Buffer or string) into an indexed, interleaved mesh. */
export function parseObj(source: Uint8Array | string, options: ObjOptions = {}): Mesh {
  const name = options.name ?? "<obj>";
  const buf = typeof source === "string" ? Buffer.from(source, "utf8") : source;
  if (buf.length === 0) throw new AssetError(name, "empty OBJ file (0 bytes)");
  const rec = parseRecords(buf, name);
  if (rec.triangles.length === 0) {
    throw new AssetError(name, `no faces in OBJ (${rec.positionCount} positions, ${rec.lines} lines): nothing to draw`);
  }
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    log.warn(`${name}: ${m}`);
  };
  for (const [word, line] of rec.unknown) warn(`unknown statement '${word}' ignored (first on line ${line})`);

  const mode = options.normals ?? "smooth";
  const defaultUv = options.defaultUv ?? [0, 0];
  let corners: Corners = rec.vertices;
  let indices: Uint32Array = rec.triangles.indices.subarray(0, rec.triangles.length);
  const missing = countMissing(corners);
  if (missing.uv === corners.count) warn(`no texture coordinates; every vertex uses the default UV (${defaultUv[0]}, ${defaultUv[1]})`);
  else if (missing.uv > 0) warn(`${missing.uv} of ${corners.count} vertices have no texture coordinate; they use (${defaultUv[0]}, ${defaultUv[1]})`);

  let faceNormals: Float32Array | undefined;
  let smoothSums: Float32Array | undefined;
  if (missing.normal > 0 && mode === "flat") {
    ({ corners, indices, faceNormals } = splitFlat(rec.positions, corners, indices));
  } else if (missing.normal > 0) {
    smoothSums = smoothNormalSums(rec.positions, rec.positionCount, corners, indices);
  }
  const mesh = assemble(corners, indices, { positions: rec.positions, uvs: rec.uvs, normals: rec.normals, faceNormals, smoothSums, defaultUv });

  const vertexTotal = rec.vertices.count;
  const normals: Mesh["normals"] =
    missing.normal === 0 ? "file" : missing.normal === vertexTotal ? mode : mode === "smooth" ? "mixed-smooth" : "mixed-flat";
  if (missing.normal > 0) log.info(`${name}: computed ${mode} normals for ${missing.normal} of ${vertexTotal} vertices`);
  return {
    name,
    ...mesh,
    triangleCount: rec.triangles.triangleCount,
    normals,
    hasTexCoords: missing.uv === 0,
    bounds: bounds(mesh.vertices, mesh.vertexCount),
    warnings,
  };
}

/** Reads and parses an OBJ file; errors name the file (and line). */
export async function loadObj(path: string, options: ObjOptions = {}): Promise<Mesh> {
  return parseObj(await readAssetFile(path, "OBJ"), { ...options, name: options.name ?? path });
}
