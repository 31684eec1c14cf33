// Wavefront OBJ loader: positions, texture coordinates, normals and polygon faces, de-duplicated
// into one interleaved vertex buffer plus an index buffer, ready for a Vulkan vertex binding.
//
// The parser walks the bytes of the file once, with no per-line strings or regular expressions:
// numbers are decoded in place and (v, vt, vn) corners are de-duplicated through a chain per
// position index, so a 1M-triangle file costs a few typed arrays and no per-vertex objects.
import { readFile } from "node:fs/promises";
import { logger } from "../util/log.js";
import { AssetError } from "./errors.js";
const log = logger("demo");
/** Floats per vertex: position xyz, normal xyz, uv. */
export const VERTEX_FLOATS = 8;
export const VERTEX_STRIDE = VERTEX_FLOATS * 4;
export const POSITION_OFFSET = 0;
export const NORMAL_OFFSET = 12;
export const UV_OFFSET = 24;
// byte values
const NL = 10, CR = 13, SP = 32, TAB = 9, HASH = 35, SLASH = 47, MINUS = 45, PLUS = 43, DOT = 46;
const ZERO = 48, NINE = 57, LOWER_E = 101, UPPER_E = 69;
// Statements we accept and ignore: grouping, smoothing groups, materials, free-form geometry.
const TOLERATED = new Set([
    "o", "g", "s", "mtllib", "usemtl", "l", "p", "vp", "mg", "cstype", "deg", "bmat", "step", "curv",
    "curv2", "surf", "parm", "trim", "hole", "scrv", "sp", "end", "con", "lod", "usemap", "maplib",
    "shadow_obj", "trace_obj", "ctech", "stech", "bevel", "c_interp", "d_interp",
]);
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
function grow(a, need) {
    let size = a.length * 2;
    while (size < need)
        size *= 2;
    const b = new a.constructor(size);
    b.set(a);
    return b;
}
class Parser {
    buf;
    name;
    p = 0;
    lineStart = 0;
    line = 0;
    positions = new Float32Array(3 * 1024);
    nPos = 0;
    uvs = new Float32Array(2 * 1024);
    nUv = 0;
    normals = new Float32Array(3 * 1024);
    nNorm = 0;
    // de-duplicated vertices: which (v, vt, vn) each one is, chained per position index
    vPos = new Int32Array(1024);
    vUv = new Int32Array(1024);
    vNorm = new Int32Array(1024);
    vNext = new Int32Array(1024);
    nVert = 0;
    head = new Int32Array(1024).fill(-1);
    indices = new Uint32Array(3 * 1024);
    nIdx = 0;
    face = new Int32Array(16);
    unknown = new Map();
    constructor(buf, name) {
        this.buf = buf;
        this.name = name;
    }
    fail(detail) {
        throw new AssetError(this.name, detail, this.line);
    }
    run() {
        const buf = this.buf;
        const n = buf.length;
        while (this.p < n) {
            this.line++;
            this.lineStart = this.p;
            this.skipBlanks();
            const p = this.p;
            const c = p < n ? buf[p] : NL;
            const c1 = p + 1 < n ? buf[p + 1] : NL;
            if (c === 118 /* v */) {
                if (c1 === SP || c1 === TAB) {
                    this.p = p + 1;
                    this.vertex();
                }
                else if (c1 === 116 /* t */ && isBlank(buf, p + 2)) {
                    this.p = p + 2;
                    this.texcoord();
                }
                else if (c1 === 110 /* n */ && isBlank(buf, p + 2)) {
                    this.p = p + 2;
                    this.normal();
                }
                else
                    this.other();
            }
            else if (c === 102 /* f */ && (c1 === SP || c1 === TAB)) {
                this.p = p + 1;
                this.faceStatement();
            }
            else if (c !== HASH && c !== NL && c !== CR) {
                this.other();
            }
            this.skipLine();
        }
    }
    skipBlanks() {
        const buf = this.buf;
        let p = this.p;
        while (p < buf.length && (buf[p] === SP || buf[p] === TAB))
            p++;
        this.p = p;
    }
    skipLine() {
        const i = this.buf.indexOf(NL, this.p);
        this.p = i < 0 ? this.buf.length : i + 1;
    }
    atEol() {
        this.skipBlanks();
        const p = this.p;
        return p >= this.buf.length || this.buf[p] === NL || this.buf[p] === CR || this.buf[p] === HASH;
    }
    /** The whitespace-delimited token at the cursor, for error messages. */
    token(from = this.p) {
        let e = from;
        const buf = this.buf;
        while (e < buf.length && buf[e] !== SP && buf[e] !== TAB && buf[e] !== NL && buf[e] !== CR)
            e++;
        return Buffer.from(buf.buffer, buf.byteOffset + from, Math.min(e - from, 40)).toString("utf8");
    }
    other() {
        const word = this.token();
        if (TOLERATED.has(word))
            return;
        if (!this.unknown.has(word))
            this.unknown.set(word, this.line);
    }
    /** Reads one number; `what` names it in the error when it is missing or not a number. */
    float(what, statement) {
        if (this.atEol())
            this.fail(`'${statement}' statement is missing its ${what}`);
        const buf = this.buf;
        const start = this.p;
        let p = start;
        let neg = false;
        if (buf[p] === MINUS) {
            neg = true;
            p++;
        }
        else if (buf[p] === PLUS)
            p++;
        let mant = 0;
        let digits = 0; // significant digits taken into mant
        let scale = 0; // decimal exponent adjustment
        let any = false;
        let c = buf[p];
        while (c >= ZERO && c <= NINE) {
            if (digits < 16) {
                mant = mant * 10 + (c - ZERO);
                if (mant !== 0)
                    digits++;
            }
            else
                scale++;
            any = true;
            c = buf[++p];
        }
        if (c === DOT) {
            c = buf[++p];
            while (c >= ZERO && c <= NINE) {
                if (digits < 16) {
                    mant = mant * 10 + (c - ZERO);
                    if (mant !== 0)
                        digits++;
                    scale--;
                }
                any = true;
                c = buf[++p];
            }
        }
        if (any && (c === LOWER_E || c === UPPER_E)) {
            let q = p + 1;
            let eneg = false;
            if (buf[q] === MINUS) {
                eneg = true;
                q++;
            }
            else if (buf[q] === PLUS)
                q++;
            let e = 0;
            let eany = false;
            while (buf[q] >= ZERO && buf[q] <= NINE) {
                e = e * 10 + (buf[q] - ZERO);
                if (e > 9999)
                    e = 9999;
                eany = true;
                q++;
            }
            if (eany) {
                p = q;
                scale += eneg ? -e : e;
                c = buf[p];
            }
            else
                any = false;
        }
        const end = p >= buf.length || c === SP || c === TAB || c === NL || c === CR || c === HASH;
        if (!any || !end)
            this.fail(`non-numeric ${what} "${this.token(start)}" in '${statement}' statement`);
        this.p = p;
        let v;
        if (scale === 0)
            v = mant;
        else if (scale > 0 && scale < POW10.length)
            v = mant * POW10[scale];
        else if (scale < 0 && -scale < POW10.length)
            v = mant / POW10[-scale];
        else
            v = Number(this.token(start).replace(/^\+/, "")); // extreme exponents: let the runtime round
        return neg ? -v : v;
    }
    vertex() {
        let n = this.nPos * 3;
        if (n + 3 > this.positions.length)
            this.positions = grow(this.positions, n + 3);
        const a = this.positions;
        a[n++] = this.float("x coordinate", "v");
        a[n++] = this.float("y coordinate", "v");
        a[n] = this.float("z coordinate", "v");
        this.nPos++; // optional w and vertex colours after xyz are ignored
        if (this.nPos > this.head.length) {
            const h = new Int32Array(this.head.length * 2).fill(-1);
            h.set(this.head);
            this.head = h;
        }
    }
    texcoord() {
        let n = this.nUv * 2;
        if (n + 2 > this.uvs.length)
            this.uvs = grow(this.uvs, n + 2);
        this.uvs[n++] = this.float("u coordinate", "vt");
        this.uvs[n] = this.atEol() ? 0 : this.float("v coordinate", "vt"); // 1D textures: v = 0
        this.nUv++;
    }
    normal() {
        let n = this.nNorm * 3;
        if (n + 3 > this.normals.length)
            this.normals = grow(this.normals, n + 3);
        const a = this.normals;
        a[n++] = this.float("x component", "vn");
        a[n++] = this.float("y component", "vn");
        a[n] = this.float("z component", "vn");
        this.nNorm++;
    }
    /** A face index: 1-based, or negative counting back from the latest element. */
    index(kind, count) {
        const buf = this.buf;
        const start = this.p;
        let p = start;
        let neg = false;
        if (buf[p] === MINUS) {
            neg = true;
            p++;
        }
        let v = 0;
        let any = false;
        while (buf[p] >= ZERO && buf[p] <= NINE) {
            v = v * 10 + (buf[p] - ZERO);
            any = true;
            p++;
        }
        const c = buf[p];
        if (!any || !(p >= buf.length || c === SLASH || c === SP || c === TAB || c === NL || c === CR || c === HASH)) {
            this.fail(`face corner "${this.token(start)}" is not a valid index`);
        }
        this.p = p;
        if (v === 0)
            this.fail(`face ${kind} index 0 (OBJ indices start at 1)`);
        const i = neg ? count - v : v - 1;
        if (i < 0 || i >= count) {
            this.fail(`face ${kind} index ${neg ? -v : v} out of range (${count} ${kind}${count === 1 ? "" : "s"} defined so far)`);
        }
        return i;
    }
    faceStatement() {
        const buf = this.buf;
        let corners = 0;
        while (!this.atEol()) {
            const v = this.index("position", this.nPos);
            let t = -1;
            let nm = -1;
            if (buf[this.p] === SLASH) {
                this.p++;
                if (buf[this.p] !== SLASH)
                    t = this.index("texcoord", this.nUv);
                if (buf[this.p] === SLASH) {
                    this.p++;
                    nm = this.index("normal", this.nNorm);
                }
            }
            if (corners === this.face.length)
                this.face = grow(this.face, corners + 1);
            this.face[corners++] = this.vertexId(v, t, nm);
        }
        if (corners < 3)
            this.fail(`face with ${corners} corner${corners === 1 ? "" : "s"} (need at least 3)`);
        // fan triangulation: (0, i, i+1); exact for the convex polygons OBJ exporters write
        const need = this.nIdx + 3 * (corners - 2);
        if (need > this.indices.length)
            this.indices = grow(this.indices, need);
        const idx = this.indices;
        const f = this.face;
        let k = this.nIdx;
        for (let i = 1; i + 1 < corners; i++) {
            idx[k++] = f[0];
            idx[k++] = f[i];
            idx[k++] = f[i + 1];
        }
        this.nIdx = k;
    }
    vertexId(v, t, nm) {
        for (let k = this.head[v]; k >= 0; k = this.vNext[k]) {
            if (this.vUv[k] === t && this.vNorm[k] === nm)
                return k;
        }
        const k = this.nVert++;
        if (k === this.vPos.length) {
            this.vPos = grow(this.vPos, k + 1);
            this.vUv = grow(this.vUv, k + 1);
            this.vNorm = grow(this.vNorm, k + 1);
            this.vNext = grow(this.vNext, k + 1);
        }
        this.vPos[k] = v;
        this.vUv[k] = t;
        this.vNorm[k] = nm;
        this.vNext[k] = this.head[v];
        this.head[v] = k;
        return k;
    }
}
function isBlank(buf, p) {
    return p >= buf.length || buf[p] === SP || buf[p] === TAB;
}
/** Parses OBJ text (a Buffer or string) into an indexed, interleaved mesh. */
export function parseObj(source, options = {}) {
    const name = options.name ?? "<obj>";
    const buf = typeof source === "string" ? Buffer.from(source, "utf8") : source;
    if (buf.length === 0)
        throw new AssetError(name, "empty OBJ file (0 bytes)");
    const ps = new Parser(buf, name);
    ps.run();
    if (ps.nIdx === 0) {
        throw new AssetError(name, `no faces in OBJ (${ps.nPos} positions, ${ps.line} lines): nothing to draw`);
    }
    const warnings = [];
    const warn = (m) => {
        warnings.push(m);
        log.warn(`${name}: ${m}`);
    };
    for (const [word, line] of ps.unknown)
        warn(`unknown statement '${word}' ignored (first on line ${line})`);
    const mode = options.normals ?? "smooth";
    const [du, dv] = options.defaultUv ?? [0, 0];
    const P = ps.positions, UV = ps.uvs, N = ps.normals;
    let vPos = ps.vPos, vUv = ps.vUv, vNorm = ps.vNorm;
    let nVert = ps.nVert;
    let idx = ps.indices.subarray(0, ps.nIdx);
    const nTri = ps.nIdx / 3;
    let missingUv = 0, missingNormal = 0;
    for (let k = 0; k < nVert; k++) {
        if (vUv[k] < 0)
            missingUv++;
        if (vNorm[k] < 0)
            missingNormal++;
    }
    if (missingUv === nVert)
        warn(`no texture coordinates; every vertex uses the default UV (${du}, ${dv})`);
    else if (missingUv > 0)
        warn(`${missingUv} of ${nVert} vertices have no texture coordinate; they use (${du}, ${dv})`);
    // Flat normals for corners without a file normal: give each such triangle corner its own vertex.
    let faceNormal; // per new vertex, flat mode
    if (missingNormal > 0 && mode === "flat") {
        let extra = 0;
        for (let i = 0; i < idx.length; i++)
            if (vNorm[idx[i]] < 0)
                extra++;
        const total = nVert + extra;
        const nP = new Int32Array(total), nU = new Int32Array(total), nN = new Int32Array(total);
        nP.set(vPos.subarray(0, nVert));
        nU.set(vUv.subarray(0, nVert));
        nN.set(vNorm.subarray(0, nVert));
        faceNormal = new Float32Array(total * 3);
        const out = new Uint32Array(idx.length);
        let k = nVert;
        for (let t = 0; t < nTri; t++) {
            const a = idx[3 * t], b = idx[3 * t + 1], c = idx[3 * t + 2];
            triNormal(P, vPos[a], vPos[b], vPos[c], true);
            const nx = TN[0], ny = TN[1], nz = TN[2];
            for (let j = 0; j < 3; j++) {
                const v = idx[3 * t + j];
                if (vNorm[v] >= 0) {
                    out[3 * t + j] = v;
                    continue;
                }
                nP[k] = vPos[v];
                nU[k] = vUv[v];
                nN[k] = -2; // marks "use faceNormal"
                faceNormal[3 * k] = nx;
                faceNormal[3 * k + 1] = ny;
                faceNormal[3 * k + 2] = nz;
                out[3 * t + j] = k++;
            }
        }
        vPos = nP;
        vUv = nU;
        vNorm = nN;
        idx = out;
        // vertices no longer referenced (the shared ones that lacked normals) are dropped below
    }
    // Smooth normals: per position, the unit face normals of every triangle touching it, weighted by
    // the triangle's angle at that corner (so the result does not depend on how polygons were split).
    let smooth;
    if (missingNormal > 0 && mode === "smooth") {
        smooth = new Float32Array(ps.nPos * 3);
        for (let t = 0; t < nTri; t++) {
            const a = vPos[idx[3 * t]], b = vPos[idx[3 * t + 1]], c = vPos[idx[3 * t + 2]];
            triNormal(P, a, b, c, true);
            const nx = TN[0], ny = TN[1], nz = TN[2];
            const wa = cornerAngle(P, a, b, c), wb = cornerAngle(P, b, c, a), wc = cornerAngle(P, c, a, b);
            smooth[3 * a] += nx * wa;
            smooth[3 * a + 1] += ny * wa;
            smooth[3 * a + 2] += nz * wa;
            smooth[3 * b] += nx * wb;
            smooth[3 * b + 1] += ny * wb;
            smooth[3 * b + 2] += nz * wb;
            smooth[3 * c] += nx * wc;
            smooth[3 * c + 1] += ny * wc;
            smooth[3 * c + 2] += nz * wc;
        }
    }
    // Compact: keep only referenced vertices, in first-use order (better post-transform cache reuse).
    const remap = new Int32Array(vPos.length).fill(-1);
    let used = 0;
    for (let i = 0; i < idx.length; i++)
        if (remap[idx[i]] < 0)
            remap[idx[i]] = used++;
    nVert = used;
    const vertices = new Float32Array(nVert * VERTEX_FLOATS);
    const min = [Infinity, Infinity, Infinity];
    const max = [-Infinity, -Infinity, -Infinity];
    for (let k = 0; k < remap.length; k++) {
        const r = remap[k];
        if (r < 0)
            continue;
        const o = r * VERTEX_FLOATS;
        const p = vPos[k] * 3;
        const x = P[p], y = P[p + 1], z = P[p + 2];
        vertices[o] = x;
        vertices[o + 1] = y;
        vertices[o + 2] = z;
        if (x < min[0])
            min[0] = x;
        if (y < min[1])
            min[1] = y;
        if (z < min[2])
            min[2] = z;
        if (x > max[0])
            max[0] = x;
        if (y > max[1])
            max[1] = y;
        if (z > max[2])
            max[2] = z;
        const nm = vNorm[k];
        if (nm >= 0) {
            vertices[o + 3] = N[3 * nm];
            vertices[o + 4] = N[3 * nm + 1];
            vertices[o + 5] = N[3 * nm + 2];
        }
        else if (nm === -2 && faceNormal) {
            vertices[o + 3] = faceNormal[3 * k];
            vertices[o + 4] = faceNormal[3 * k + 1];
            vertices[o + 5] = faceNormal[3 * k + 2];
        }
        else if (smooth) {
            const s = vPos[k] * 3;
            const sx = smooth[s], sy = smooth[s + 1], sz = smooth[s + 2];
            const len = Math.hypot(sx, sy, sz);
            if (len > 0) {
                vertices[o + 3] = sx / len;
                vertices[o + 4] = sy / len;
                vertices[o + 5] = sz / len;
            }
            else
                vertices[o + 4] = 1; // degenerate: point up rather than NaN
        }
        const t = vUv[k];
        if (t >= 0) {
            vertices[o + 6] = UV[2 * t];
            vertices[o + 7] = 1 - UV[2 * t + 1]; // OBJ's v grows upwards, Vulkan's image rows downwards
        }
        else {
            vertices[o + 6] = du;
            vertices[o + 7] = dv;
        }
    }
    const indices = nVert <= 0xffff ? new Uint16Array(idx.length) : new Uint32Array(idx.length);
    for (let i = 0; i < idx.length; i++)
        indices[i] = remap[idx[i]];
    const normals = missingNormal === 0 ? "file" : missingNormal === ps.nVert ? mode : mode === "smooth" ? "mixed-smooth" : "mixed-flat";
    if (missingNormal > 0)
        log.info(`${name}: computed ${mode} normals for ${missingNormal} of ${ps.nVert} vertices`);
    return {
        name,
        vertices,
        indices,
        vertexCount: nVert,
        triangleCount: nTri,
        normals,
        hasTexCoords: missingUv === 0,
        bounds: { min, max },
        warnings,
    };
}
/** The angle at corner `a` of triangle (a, b, c), in radians; 0 for degenerate corners. */
function cornerAngle(P, a, b, c) {
    const ux = P[3 * b] - P[3 * a], uy = P[3 * b + 1] - P[3 * a + 1], uz = P[3 * b + 2] - P[3 * a + 2];
    const vx = P[3 * c] - P[3 * a], vy = P[3 * c + 1] - P[3 * a + 1], vz = P[3 * c + 2] - P[3 * a + 2];
    const d = Math.sqrt((ux * ux + uy * uy + uz * uz) * (vx * vx + vy * vy + vz * vz));
    if (d === 0)
        return 0;
    const cos = (ux * vx + uy * vy + uz * vz) / d;
    return Math.acos(cos > 1 ? 1 : cos < -1 ? -1 : cos);
}
const TN = new Float64Array(3); // triNormal's result, reused: no allocation per triangle
function triNormal(P, a, b, c, unit) {
    const ax = P[3 * a], ay = P[3 * a + 1], az = P[3 * a + 2];
    const ux = P[3 * b] - ax, uy = P[3 * b + 1] - ay, uz = P[3 * b + 2] - az;
    const vx = P[3 * c] - ax, vy = P[3 * c + 1] - ay, vz = P[3 * c + 2] - az;
    let nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    if (unit) {
        const len = Math.hypot(nx, ny, nz);
        if (len > 0) {
            nx /= len;
            ny /= len;
            nz /= len;
        }
        else
            ny = 1;
    }
    TN[0] = nx;
    TN[1] = ny;
    TN[2] = nz;
}
/** Reads and parses an OBJ file; errors name the file (and line). */
export async function loadObj(path, options = {}) {
    let data;
    try {
        data = await readFile(path);
    }
    catch (e) {
        const code = e.code;
        throw new AssetError(path, `cannot read OBJ file${code === "ENOENT" ? ": no such file" : code ? `: ${code}` : ""}`);
    }
    return parseObj(data, { ...options, name: options.name ?? path });
}
//# sourceMappingURL=obj.js.map