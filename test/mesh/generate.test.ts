import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BLACK, CELL, DEMO_FACES, TEXTURE_SIZE, WHITE, demoFacePoint, demoTexel, generateDemoModel, writeDenseObj,
} from "../../src/assets/generate.js";
import { loadObj, VERTEX_FLOATS, type Mesh } from "../../src/assets/obj.js";
import { loadPng, type Rgba8Image } from "../../src/assets/png.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "scanout-gen-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function texel(img: Rgba8Image, x: number, y: number): number[] {
  const o = (y * img.width + x) * 4;
  return Array.from(img.data.subarray(o, o + 3));
}

/** The vertex at `pos` whose normal is `normal` (one per face corner in the generated model). */
function vertexAt(m: Mesh, pos: readonly number[], normal: readonly number[]): Float32Array {
  for (let k = 0; k < m.vertexCount; k++) {
    const v = m.vertices.subarray(k * VERTEX_FLOATS, (k + 1) * VERTEX_FLOATS);
    const near = (a: ArrayLike<number>, b: readonly number[], off: number) => b.every((x, i) => Math.abs(a[off + i] - x) < 1e-5);
    if (near(v, pos, 0) && near(v, normal, 3)) return v;
  }
  throw new Error(`no vertex at ${pos} with normal ${normal}`);
}

describe("generated demo model", () => {
  it("is written as OBJ + PNG and loads through the user path", async () => {
    const { obj, texture } = await generateDemoModel(join(dir, "room"));
    const mesh = await loadObj(obj);
    const img = await loadPng(texture, { maxDimension: 4096 });
    expect(mesh.triangleCount).toBe(2 * DEMO_FACES.length);
    expect(mesh.vertexCount).toBe(4 * DEMO_FACES.length);
    expect(mesh.normals).toBe("file");
    expect(mesh.hasTexCoords).toBe(true);
    expect(mesh.warnings).toEqual([]);
    expect(mesh.bounds).toEqual({ min: [-2, 0, -2], max: [2, 2, 2] });
    expect([img.width, img.height]).toEqual([TEXTURE_SIZE, TEXTURE_SIZE]);
    // the texture file holds exactly what demoTexel describes
    for (let y = 0; y < TEXTURE_SIZE; y += 7) for (let x = 0; x < TEXTURE_SIZE; x += 5) expect(texel(img, x, y)).toEqual([...demoTexel(x, y)]);
  });

  it("each face's corners carry the UVs of its cell, upright as seen from outside", async () => {
    const { obj, texture } = await generateDemoModel(join(dir, "room2"));
    const mesh = await loadObj(obj);
    const img = await loadPng(texture);
    for (const face of DEMO_FACES) {
      for (const [s, t] of [[0, 0], [1, 0], [1, 1], [0, 1]]) {
        const { position, texel: [tx, ty] } = demoFacePoint(face, s, t);
        const v = vertexAt(mesh, position, face.normal);
        // after the loader's v flip, uv * size is the texel corner in image rows (top = 0)
        expect([v[6] * TEXTURE_SIZE, v[7] * TEXTURE_SIZE], `${face.name} corner ${s},${t}`).toEqual([
          (face.cell % 4) * CELL + s * CELL,
          Math.floor(face.cell / 4) * CELL + t * CELL,
        ]);
        expect([tx, ty]).toEqual([v[6] * TEXTURE_SIZE, v[7] * TEXTURE_SIZE]);
      }
      if (face.markers) {
        // white marker top-left, black marker top-right, face colour in the middle
        const tl = demoFacePoint(face, 0.17, 0.17).texel, tr = demoFacePoint(face, 0.83, 0.17).texel;
        const mid = demoFacePoint(face, 0.5, 0.5).texel;
        expect(texel(img, tl[0], tl[1]), face.name).toEqual([...WHITE]);
        expect(texel(img, tr[0], tr[1]), face.name).toEqual([...BLACK]);
        expect(texel(img, mid[0], mid[1]), face.name).toEqual([...face.colour]);
      }
    }
  });

  it("dense OBJ generator writes the requested triangle count, loadable with no warnings", async () => {
    const path = join(dir, "dense.obj");
    const { bytes, triangles } = await writeDenseObj(path, 20_000);
    expect((await stat(path)).size).toBe(bytes);
    const mesh = await loadObj(path);
    expect(mesh.triangleCount).toBe(triangles);
    expect(triangles).toBeGreaterThanOrEqual(20_000);
    const n = Math.sqrt(triangles / 2);
    expect(mesh.vertexCount).toBe((n + 1) * (n + 1));
    expect(mesh.normals).toBe("file");
    expect(mesh.warnings).toEqual([]);
    expect((await readFile(path, "utf8")).startsWith("# dense grid")).toBe(true);
    // normals point up (front faces counter-clockwise from +y)
    for (let k = 0; k < mesh.vertexCount; k += 97) expect(mesh.vertices[k * VERTEX_FLOATS + 4]).toBeGreaterThan(0.5);
  });
});
