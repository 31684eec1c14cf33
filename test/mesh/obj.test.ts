import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AssetError } from "../../src/assets/errors.js";
import { loadObj, parseObj, VERTEX_FLOATS, type Mesh } from "../../src/assets/obj.js";
import { addLogSink, type LogRecord } from "../../src/util/log.js";

/** Triangles as lists of [x, y, z, nx, ny, nz, u, v] corners, to compare meshes by content. */
function corners(m: Mesh): number[][][] {
  const tris: number[][][] = [];
  for (let t = 0; t < m.indices.length; t += 3) {
    const tri: number[][] = [];
    for (let j = 0; j < 3; j++) {
      const o = m.indices[t + j] * VERTEX_FLOATS;
      tri.push(Array.from(m.vertices.subarray(o, o + VERTEX_FLOATS), (x) => Math.round(x * 1e5) / 1e5 + 0));
    }
    tris.push(tri);
  }
  return tris;
}

const square = `v 0 0 0
v 1 0 0
v 1 1 0
v 0 1 0
vt 0 0
vt 1 0
vt 1 1
vt 0 1
vn 0 0 1
`;

function err(fn: () => unknown): AssetError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AssetError);
    return e as AssetError;
  }
  throw new Error("expected an AssetError");
}

describe("OBJ forms", () => {
  it("v/vt/vn triangle: interleaved position, normal, uv with v flipped", () => {
    const m = parseObj(square + "f 1/1/1 2/2/1 3/3/1\n");
    expect(m.triangleCount).toBe(1);
    expect(m.vertexCount).toBe(3);
    expect(m.indices).toBeInstanceOf(Uint16Array);
    expect(corners(m)).toEqual([
      [
        [0, 0, 0, 0, 0, 1, 0, 1],
        [1, 0, 0, 0, 0, 1, 1, 1],
        [1, 1, 0, 0, 0, 1, 1, 0],
      ],
    ]);
    expect(m.normals).toBe("file");
    expect(m.hasTexCoords).toBe(true);
    expect(m.bounds).toEqual({ min: [0, 0, 0], max: [1, 1, 0] });
  });

  it("quad is split into two triangles sharing 4 de-duplicated vertices", () => {
    const m = parseObj(square + "f 1/1/1 2/2/1 3/3/1 4/4/1\n");
    expect(m.triangleCount).toBe(2);
    expect(m.vertexCount).toBe(4);
    expect(Array.from(m.indices)).toEqual([0, 1, 2, 0, 2, 3]);
  });

  it("n-gon is fan-triangulated from its first corner", () => {
    const hex = Array.from({ length: 6 }, (_, i) => `v ${Math.cos((i * Math.PI) / 3)} ${Math.sin((i * Math.PI) / 3)} 0`).join("\n");
    const m = parseObj(`${hex}\nvn 0 0 1\nvt 0.5 0.5\nf 1/1/1 2/1/1 3/1/1 4/1/1 5/1/1 6/1/1\n`);
    expect(m.triangleCount).toBe(4);
    expect(Array.from(m.indices)).toEqual([0, 1, 2, 0, 2, 3, 0, 3, 4, 0, 4, 5]);
  });

  it("negative indices count back from the latest element", () => {
    const abs = parseObj(square + "f 1/1/1 2/2/1 3/3/1 4/4/1\n");
    const rel = parseObj(square + "f -4/-4/-1 -3/-3/-1 -2/-2/-1 -1/-1/-1\n");
    expect(corners(rel)).toEqual(corners(abs));
    // relative to the count at the face, not at the end of the file
    const later = parseObj("v 0 0 0\nv 1 0 0\nv 0 1 0\nf -3 -2 -1\nv 5 5 5\nv 6 5 5\nv 5 6 5\nf -3 -2 -1\n");
    expect(corners(later).map((t) => t.map((c) => c.slice(0, 3)))).toEqual([
      [[0, 0, 0], [1, 0, 0], [0, 1, 0]],
      [[5, 5, 5], [6, 5, 5], [5, 6, 5]],
    ]);
  });

  it("v (position only), v/vt, v//vn and v/vt/vn forms", () => {
    const pos = parseObj(square + "f 1 2 3\n");
    expect(corners(pos)[0].map((c) => c.slice(0, 3))).toEqual([[0, 0, 0], [1, 0, 0], [1, 1, 0]]);
    const vt = parseObj(square + "f 1/1 2/2 3/3\n");
    expect(corners(vt)[0].map((c) => c.slice(6))).toEqual([[0, 1], [1, 1], [1, 0]]);
    expect(vt.normals).toBe("smooth");
    const vn = parseObj("v 0 0 0\nv 1 0 0\nv 0 1 0\nvn 0.6 0 0.8\nf 1//1 2//1 3//1\n");
    expect(corners(vn)[0].map((c) => c.slice(3, 6))).toEqual([[0.6, 0, 0.8], [0.6, 0, 0.8], [0.6, 0, 0.8]]);
    expect(vn.normals).toBe("file");
    const full = parseObj(square + "f 1/1/1 2/2/1 3/3/1\n");
    expect(full.hasTexCoords).toBe(true);
  });

  it("comments, blank lines, CRLF, tabs and tolerated statements are accepted", () => {
    const text = [
      "# a comment",
      "mtllib thing.mtl",
      "o Thing",
      "",
      "g group1 group2",
      "\tv 0 0 0  # trailing comment",
      "v 1 0 0 1.0",
      "v 0 1 0 0.5 0.5 0.5",
      "vt 0.25",
      "s 1",
      "usemtl Red",
      "   f 1/1 2/1 3/1   ",
      "l 1 2",
      "s off",
    ].join("\r\n");
    const m = parseObj(text);
    expect(m.triangleCount).toBe(1);
    expect(corners(m)[0].map((c) => c.slice(0, 3))).toEqual([[0, 0, 0], [1, 0, 0], [0, 1, 0]]);
    expect(corners(m)[0][0].slice(6)).toEqual([0.25, 1]); // 1D vt: v = 0, flipped to 1
    expect(m.warnings).toEqual([]);
  });

  it("number forms: signs, exponents, leading dots, many digits", () => {
    const m = parseObj("v -1.5e2 +.25 3E-3\nv 1.000000000000000000001 0.1234567890123456789 -0\nv 12345678901234567890 0 1e-30\nf 1 2 3\n");
    const v = corners(m)[0];
    expect(v[0].slice(0, 3)).toEqual([-150, 0.25, 0.003]);
    expect(m.vertices[VERTEX_FLOATS + 1]).toBeCloseTo(0.1234567890123456789, 7);
    expect(m.vertices[2 * VERTEX_FLOATS]).toBe(Math.fround(12345678901234567890));
    expect(m.vertices[2 * VERTEX_FLOATS + 2]).toBe(Math.fround(1e-30));
  });

  it("unknown statements are ignored with one warning naming the line", () => {
    const records: LogRecord[] = [];
    const remove = addLogSink((r) => records.push(r));
    try {
      const m = parseObj(square + "bogus 1 2\nbogus 3\nf 1/1/1 2/2/1 3/3/1\n", { name: "x.obj" });
      expect(m.warnings).toEqual(["unknown statement 'bogus' ignored (first on line 10)"]);
      expect(records.some((r) => r.level === "warn" && r.message.includes("x.obj") && r.message.includes("bogus"))).toBe(true);
    } finally {
      remove();
    }
  });

  it("de-duplicates identical corners and keeps distinct (v, vt, vn) apart", () => {
    // two triangles share an edge in position but not in uv on one corner
    const m = parseObj(square + "f 1/1/1 2/2/1 3/3/1\nf 1/1/1 3/3/1 4/4/1\nf 1/2/1 3/3/1 4/4/1\n");
    expect(m.vertexCount).toBe(5);
    expect(m.triangleCount).toBe(3);
  });

  it("uses Uint32 indices once more than 65535 vertices are referenced", () => {
    const lines: string[] = [];
    const n = 70_000;
    for (let i = 0; i < n; i++) lines.push(`v ${i} 0 0`);
    for (let i = 0; i + 2 < n; i += 3) lines.push(`f ${i + 1} ${i + 2} ${i + 3}`);
    const m = parseObj(lines.join("\n"));
    expect(m.vertexCount).toBe(69_999);
    expect(m.indices).toBeInstanceOf(Uint32Array);
    expect(m.indices[m.indices.length - 1]).toBe(69_998);
    const small = parseObj(lines.slice(0, 65535).join("\n") + "\nf 1 2 3\nf 65533 65534 65535\n");
    expect(small.vertexCount).toBe(6);
    expect(small.indices).toBeInstanceOf(Uint16Array);
  });
});

describe("normals", () => {
  // a bent strip: two triangles meeting at a 90° fold along the edge (1,0,0)-(1,1,0)
  const fold = "v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nv 1 0 -1\nv 1 1 -1\nf 1 2 3 4\nf 2 5 6 3\n";

  it("smooth (default): angle-weighted average per position, unit length", () => {
    const m = parseObj(fold);
    expect(m.normals).toBe("smooth");
    expect(m.vertexCount).toBe(6);
    const byPos = new Map(corners(m).flat().map((c) => [c.slice(0, 3).join(","), c.slice(3, 6)]));
    expect(byPos.get("0,0,0")).toEqual([0, 0, 1]);
    expect(byPos.get("1,0,-1")).toEqual([1, 0, 0]);
    const r = Math.round(Math.SQRT1_2 * 1e5) / 1e5;
    expect(byPos.get("1,0,0")).toEqual([r, 0, r]); // shared by both faces
  });

  it("flat: each face keeps its own normal, shared positions are split", () => {
    const m = parseObj(fold, { normals: "flat" });
    expect(m.normals).toBe("flat");
    expect(m.vertexCount).toBe(12);
    for (const tri of corners(m).slice(0, 2)) for (const c of tri) expect(c.slice(3, 6)).toEqual([0, 0, 1]);
    for (const tri of corners(m).slice(2)) for (const c of tri) expect(c.slice(3, 6)).toEqual([1, 0, 0]);
  });

  it("mixed: file normals kept, missing ones computed", () => {
    const m = parseObj(fold.replace("f 1 2 3 4", "vn 0 1 0\nf 1//1 2//1 3//1 4//1"));
    expect(m.normals).toBe("mixed-smooth");
    expect(corners(m)[0][0].slice(3, 6)).toEqual([0, 1, 0]);
    const r = Math.round(Math.SQRT1_2 * 1e5) / 1e5;
    expect(corners(m)[2][0].slice(3, 6)).toEqual([r, 0, r]); // on the fold: both faces' geometry counts
    expect(corners(m)[2][1].slice(3, 6)).toEqual([1, 0, 0]);
  });
});

describe("missing texture coordinates", () => {
  it("render with the default UV and a warning naming the file, not an error", () => {
    const records: LogRecord[] = [];
    const remove = addLogSink((r) => records.push(r));
    try {
      const m = parseObj("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n", { name: "plain.obj", defaultUv: [0.5, 0.25] });
      expect(m.hasTexCoords).toBe(false);
      for (const c of corners(m)[0]) expect(c.slice(6)).toEqual([0.5, 0.25]);
      expect(m.warnings[0]).toMatch(/no texture coordinates/);
      expect(records.some((r) => r.level === "warn" && /plain\.obj: no texture coordinates/.test(r.message))).toBe(true);
    } finally {
      remove();
    }
  });

  it("partial texture coordinates are counted in the warning", () => {
    const m = parseObj(square + "f 1/1 2/2 3/3\nf 1 3 4\n");
    expect(m.warnings[0]).toMatch(/^3 of 6 vertices have no texture coordinate/);
  });
});

describe("bad input names the file and line", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "scanout-obj-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("missing file", async () => {
    const path = join(dir, "nope.obj");
    await expect(loadObj(path)).rejects.toThrow(new AssetError(path, "cannot read OBJ file: no such file"));
  });

  it("empty file and OBJ with no faces", async () => {
    const empty = join(dir, "empty.obj");
    await writeFile(empty, "");
    await expect(loadObj(empty)).rejects.toThrow(`${empty}: empty OBJ file (0 bytes)`);
    const noFaces = join(dir, "nofaces.obj");
    await writeFile(noFaces, "# only a comment\nv 0 0 0\n");
    await expect(loadObj(noFaces)).rejects.toThrow(`${noFaces}: no faces in OBJ (1 positions, 2 lines): nothing to draw`);
  });

  it("face index out of range (positive, negative, texcoord, normal, zero)", () => {
    const e = err(() => parseObj("v 0 0 0\nv 1 0 0\nv 0 1 0\n\nf 1 2 4\n", { name: "m.obj" }));
    expect(e.message).toBe("m.obj:5: face position index 4 out of range (3 positions defined so far)");
    expect(e.line).toBe(5);
    expect(err(() => parseObj("v 0 0 0\nf -1 -2 -3\n", { name: "m.obj" })).message).toBe(
      "m.obj:2: face position index -2 out of range (1 position defined so far)",
    );
    expect(err(() => parseObj(square + "f 1/5 2/1 3/1\n", { name: "m.obj" })).message).toBe(
      "m.obj:10: face texcoord index 5 out of range (4 texcoords defined so far)",
    );
    expect(err(() => parseObj(square + "f 1//2 2//1 3//1\n", { name: "m.obj" })).message).toBe(
      "m.obj:10: face normal index 2 out of range (1 normal defined so far)",
    );
    expect(err(() => parseObj(square + "f 0 1 2\n", { name: "m.obj" })).message).toBe(
      "m.obj:10: face position index 0 (OBJ indices start at 1)",
    );
  });

  it("non-numeric coordinates and malformed statements", () => {
    expect(err(() => parseObj("v 0 0 0\nv 1 zero 0\n", { name: "m.obj" })).message).toBe(
      'm.obj:2: non-numeric y coordinate "zero" in \'v\' statement',
    );
    expect(err(() => parseObj("v 0 0 0\nv 1 2.5x 0\n", { name: "m.obj" })).message).toBe(
      'm.obj:2: non-numeric y coordinate "2.5x" in \'v\' statement',
    );
    expect(err(() => parseObj("vt nan 0\n", { name: "m.obj" })).message).toBe(
      'm.obj:1: non-numeric u coordinate "nan" in \'vt\' statement',
    );
    expect(err(() => parseObj("vn 0 1\n", { name: "m.obj" })).message).toBe(
      "m.obj:1: 'vn' statement is missing its z component",
    );
    expect(err(() => parseObj("v 1 2\n", { name: "m.obj" })).message).toBe("m.obj:1: 'v' statement is missing its z coordinate");
    expect(err(() => parseObj(square + "f 1 2\n", { name: "m.obj" })).message).toBe(
      "m.obj:10: face with 2 corners (need at least 3)",
    );
    expect(err(() => parseObj(square + "f 1 2 x\n", { name: "m.obj" })).message).toBe(
      'm.obj:10: face corner "x" is not a valid index',
    );
    expect(err(() => parseObj(square + "f 1/a 2 3\n", { name: "m.obj" })).message).toBe(
      'm.obj:10: face corner "a" is not a valid index',
    );
  });

  it("numbers that overflow to Infinity are refused in every numeric field", () => {
    const cases: [string, string][] = [
      ["v 1e400 0 0\n", `m.obj:1: x coordinate "1e400" is out of range (not a finite 32-bit float) in 'v' statement`],
      ["v 0 -1e400 0\n", `m.obj:1: y coordinate "-1e400" is out of range (not a finite 32-bit float) in 'v' statement`],
      ["v 0 0 0\nv 0 0 1e39\n", `m.obj:2: z coordinate "1e39" is out of range (not a finite 32-bit float) in 'v' statement`],
      [`v ${"9".repeat(400)} 0 0\n`, `m.obj:1: x coordinate "${"9".repeat(40)}" is out of range (not a finite 32-bit float) in 'v' statement`],
      ["vt 1E+999 0\n", `m.obj:1: u coordinate "1E+999" is out of range (not a finite 32-bit float) in 'vt' statement`],
      ["vt 0 4e38\n", `m.obj:1: v coordinate "4e38" is out of range (not a finite 32-bit float) in 'vt' statement`],
      ["vn 0 0 -1e400\n", `m.obj:1: z component "-1e400" is out of range (not a finite 32-bit float) in 'vn' statement`],
    ];
    for (const [text, message] of cases) expect(err(() => parseObj(text + "f 1 1 1\n", { name: "m.obj" })).message, text).toBe(message);
    // the largest finite float32 and tiny numbers (which round to 0) are fine
    const m = parseObj("v 3.4028234e38 -3.4028234e38 1e-400\nv 0 0 0\nv 0 1 0\nf 1 2 3\n");
    expect(m.bounds.max[0]).toBe(Math.fround(3.4028234e38));
    expect(m.bounds.min[1]).toBe(Math.fround(-3.4028234e38));
    // spellings of infinity and NaN are not numbers at all
    for (const word of ["inf", "Infinity", "NaN", "-nan"]) {
      expect(err(() => parseObj(`v ${word} 0 0\n`, { name: "m.obj" })).message).toBe(
        `m.obj:1: non-numeric x coordinate "${word}" in 'v' statement`,
      );
    }
  });

  it("face indices with absurdly many digits are reported as written, not as Infinity", () => {
    const big = "9".repeat(400);
    expect(err(() => parseObj(`v 0 0 0\nf 1 1 ${big}\n`, { name: "m.obj" })).message).toBe(
      `m.obj:2: face position index ${"9".repeat(40)} out of range (1 position defined so far)`,
    );
    expect(err(() => parseObj(`v 0 0 0\nf 1 1 -${big}\n`, { name: "m.obj" })).message).toBe(
      `m.obj:2: face position index -${"9".repeat(39)} out of range (1 position defined so far)`,
    );
  });

  it("loadObj errors carry the path", async () => {
    const bad = join(dir, "bad.obj");
    await writeFile(bad, "v 0 0 0\nv 0 0 0\nv 0 0 0\nf 1 2 9\n");
    await expect(loadObj(bad)).rejects.toThrow(`${bad}:4: face position index 9 out of range`);
  });
});
