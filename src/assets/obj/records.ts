// Stage 2 of the OBJ parser: statements. Walks the file line by line and turns `v`, `vt`, `vn` and
// `f` records into typed arrays of positions, texture coordinates and normals; each face's corners
// go through the vertex table (de-duplication) and the triangle list (triangulation) as they are
// read, so no per-face objects are kept.
import { grow } from "./grow.js";
import { ObjScanner } from "./scanner.js";
import { TriangleList } from "./triangulate.js";
import { NONE, VertexTable } from "./vertex-table.js";

const SP = 32, TAB = 9, SLASH = 47;
const V = 118, T = 116, N = 110, F = 102;
const COORDINATES = ["x coordinate", "y coordinate", "z coordinate"] as const;
const COMPONENTS = ["x component", "y component", "z component"] as const;

// Statements accepted and ignored: grouping, smoothing groups, materials, free-form geometry.
const TOLERATED = new Set([
  "o", "g", "s", "mtllib", "usemtl", "l", "p", "vp", "mg", "cstype", "deg", "bmat", "step", "curv",
  "curv2", "surf", "parm", "trim", "hole", "scrv", "sp", "end", "con", "lod", "usemap", "maplib",
  "shadow_obj", "trace_obj", "ctech", "stech", "bevel", "c_interp", "d_interp",
]);

/** What the statements of one file amount to. */
export interface ObjRecords {
  /** xyz per position, `positionCount` of them. */
  positions: Float32Array;
  positionCount: number;
  /** uv per texture coordinate, as written (v up). */
  uvs: Float32Array;
  uvCount: number;
  /** xyz per normal, as written. */
  normals: Float32Array;
  normalCount: number;
  vertices: VertexTable;
  triangles: TriangleList;
  /** Statements we do not know, with the line each first appeared on. */
  unknown: Map<string, number>;
  lines: number;
}

/** Reads every statement of `buf`; errors name `name` and the line. */
export function parseRecords(buf: Uint8Array, name: string): ObjRecords {
  const reader = new RecordReader(buf, name);
  reader.run();
  return reader.records();
}

// A scanner subclass rather than a holder of one: the hot loop then reads a single object's cursor.
class RecordReader extends ObjScanner {
  private positions: Float32Array = new Float32Array(3 * 1024);
  private positionCount = 0;
  private uvs: Float32Array = new Float32Array(2 * 1024);
  private uvCount = 0;
  private normals: Float32Array = new Float32Array(3 * 1024);
  private normalCount = 0;
  private readonly vertices = new VertexTable();
  private readonly triangles = new TriangleList();
  private readonly unknown = new Map<string, number>();
  /** The vertex ids of the face being read. */
  private face = new Int32Array(16);

  records(): ObjRecords {
    return {
      positions: this.positions,
      positionCount: this.positionCount,
      uvs: this.uvs,
      uvCount: this.uvCount,
      normals: this.normals,
      normalCount: this.normalCount,
      vertices: this.vertices,
      triangles: this.triangles,
      unknown: this.unknown,
      lines: this.line,
    };
  }

  run(): void {
    while (this.nextLine()) {
      const c = this.peek(), c1 = this.peek(1);
      if (c === V && (c1 === SP || c1 === TAB)) this.position();
      else if (c === V && c1 === T && this.blankAt(2)) this.texcoord();
      else if (c === V && c1 === N && this.blankAt(2)) this.normal();
      else if (c === F && (c1 === SP || c1 === TAB)) this.faceStatement();
      else if (!this.atCommentOrBlankLine()) this.other();
      this.endLine();
    }
  }

  private other(): void {
    const word = this.token();
    if (TOLERATED.has(word)) return;
    if (!this.unknown.has(word)) this.unknown.set(word, this.line);
  }

  private position(): void {
    this.p += 1;
    this.positions = this.xyz(this.positions, this.positionCount, "v", COORDINATES);
    this.positionCount++; // optional w and vertex colours after xyz are ignored
    this.vertices.reservePositions(this.positionCount);
  }

  private texcoord(): void {
    this.p += 2;
    let n = this.uvCount * 2;
    if (n + 2 > this.uvs.length) this.uvs = grow(this.uvs, n + 2);
    this.uvs[n++] = this.float("u coordinate", "vt");
    this.uvs[n] = this.atEol() ? 0 : this.float("v coordinate", "vt"); // 1D textures: v = 0
    this.uvCount++;
  }

  private normal(): void {
    this.p += 2;
    this.normals = this.xyz(this.normals, this.normalCount, "vn", COMPONENTS);
    this.normalCount++;
  }

  /** Reads three numbers into element `count` of `a`, which comes back grown if it was full. */
  private xyz(a: Float32Array, count: number, statement: string, names: readonly [string, string, string]): Float32Array {
    let n = count * 3;
    if (n + 3 > a.length) a = grow(a, n + 3);
    a[n++] = this.float(names[0], statement);
    a[n++] = this.float(names[1], statement);
    a[n] = this.float(names[2], statement);
    return a;
  }

  /** `f v[/vt][/vn] ...`: each corner becomes a vertex id, then the polygon is triangulated. */
  private faceStatement(): void {
    this.p += 1;
    let corners = 0;
    while (!this.atEol()) {
      const v = this.index("position", this.positionCount);
      let t = NONE;
      let n = NONE;
      if (this.skip(SLASH)) {
        if (this.peek() !== SLASH) t = this.index("texcoord", this.uvCount);
        if (this.skip(SLASH)) n = this.index("normal", this.normalCount);
      }
      if (corners === this.face.length) this.face = grow(this.face, corners + 1);
      this.face[corners++] = this.vertices.id(v, t, n);
    }
    if (corners < 3) this.fail(`face with ${corners} corner${corners === 1 ? "" : "s"} (need at least 3)`);
    this.triangles.addFan(this.face, corners);
  }
}
