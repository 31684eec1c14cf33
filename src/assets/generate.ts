// Our own demo assets, generated rather than downloaded: a small "room corner" diorama (floor, two
// walls and a cube standing in it) written as OBJ + PNG, then loaded through the same loader a
// user's model takes. Every cube face has its own colour and an asymmetric marker pair (white
// square top-left, black square top-right of the face as seen from outside, up being +Y), so any
// flip or rotation of the texture coordinates shows in a rendered image.
import { mkdir, open, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { encodePng } from "../util/png.js";

/** A colour as red, green, blue bytes (0..255). */
export type Rgb = readonly [number, number, number];
/** A point or direction in model space (x, y, z; +Y up). */
type Vec3 = readonly [number, number, number];

/** Width and height in texels of the generated demo texture (a 4x4 atlas of CELL-sized cells). */
export const TEXTURE_SIZE = 512;
/** Side in texels of one atlas cell of the demo texture; each face of the demo model uses one cell. */
export const CELL = 128; // texture atlas: 4x4 cells of 128x128 texels
const MARK = 24; // marker squares, CELL-relative
const MARK_INSET = 10;

/** The top-left marker colour of each cube face (and white in general). */
export const WHITE: Rgb = [255, 255, 255];
/** The top-right marker and cell border colour of the demo texture. */
export const BLACK: Rgb = [0, 0, 0];

/** A textured quad of the generated model: centre, outward normal, "up" in the face, half extents. */
export interface DemoFace {
  name: string;
  cell: number; // atlas cell index, row-major from the top-left
  colour: Rgb;
  centre: Vec3;
  normal: Vec3;
  up: Vec3;
  half: readonly [number, number]; // half width (along right = up x normal), half height (along up)
  markers: boolean;
}

// Listed in drawing order. The cube comes first and the walls last on purpose: without a working
// depth test the walls would paint over the cube.
/** The faces of the generated demo room: the six cube faces (each its own colour, with orientation markers), then the floor and two walls. */
export const DEMO_FACES: readonly DemoFace[] = [
  { name: "cube +Z", cell: 4, colour: [40, 70, 220], centre: [0, 0.5, 0.5], normal: [0, 0, 1], up: [0, 1, 0], half: [0.5, 0.5], markers: true },
  { name: "cube -Z", cell: 5, colour: [230, 200, 40], centre: [0, 0.5, -0.5], normal: [0, 0, -1], up: [0, 1, 0], half: [0.5, 0.5], markers: true },
  { name: "cube +X", cell: 0, colour: [220, 40, 40], centre: [0.5, 0.5, 0], normal: [1, 0, 0], up: [0, 1, 0], half: [0.5, 0.5], markers: true },
  { name: "cube -X", cell: 1, colour: [40, 200, 200], centre: [-0.5, 0.5, 0], normal: [-1, 0, 0], up: [0, 1, 0], half: [0.5, 0.5], markers: true },
  { name: "cube +Y", cell: 2, colour: [40, 180, 60], centre: [0, 1, 0], normal: [0, 1, 0], up: [0, 0, -1], half: [0.5, 0.5], markers: true },
  { name: "cube -Y", cell: 3, colour: [200, 40, 200], centre: [0, 0, 0], normal: [0, -1, 0], up: [0, 0, 1], half: [0.5, 0.5], markers: true },
  { name: "floor", cell: 6, colour: [150, 150, 150], centre: [0, 0, 0], normal: [0, 1, 0], up: [0, 0, -1], half: [2, 2], markers: false },
  { name: "back wall", cell: 7, colour: [170, 110, 70], centre: [0, 1, -2], normal: [0, 0, 1], up: [0, 1, 0], half: [2, 1], markers: false },
  { name: "left wall", cell: 8, colour: [110, 130, 170], centre: [-2, 1, 0], normal: [1, 0, 0], up: [0, 1, 0], half: [2, 1], markers: false },
];

const FILLER: Rgb = [60, 60, 60];
const FLOOR_DARK: Rgb = [90, 90, 90];

const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];

/** The colour the generated texture has at texel (x, y), y counted from the top row. */
export function demoTexel(x: number, y: number): Rgb {
  const cell = Math.floor(y / CELL) * 4 + Math.floor(x / CELL);
  const cx = x % CELL, cy = y % CELL;
  const face = DEMO_FACES.find((f) => f.cell === cell);
  if (!face) return FILLER;
  if (cx < 2 || cy < 2 || cx >= CELL - 2 || cy >= CELL - 2) return BLACK; // cell border
  if (face.markers) {
    const top = cy >= MARK_INSET && cy < MARK_INSET + MARK;
    if (top && cx >= MARK_INSET && cx < MARK_INSET + MARK) return WHITE;
    if (top && cx >= CELL - MARK_INSET - MARK && cx < CELL - MARK_INSET) return BLACK;
    // the face's cell number as a row of dark dots along the bottom: a label readable in a picture
    const dot = Math.floor((cx - MARK_INSET) / 16);
    if (cy >= CELL - 26 && cy < CELL - 16 && cx >= MARK_INSET && (cx - MARK_INSET) % 16 < 10 && dot <= face.cell) {
      return [face.colour[0] >> 2, face.colour[1] >> 2, face.colour[2] >> 2];
    }
    return face.colour;
  }
  if (face.name === "floor") return (Math.floor(cx / 16) + Math.floor(cy / 16)) % 2 ? FLOOR_DARK : face.colour;
  // walls: brick-like courses so the texture's orientation shows there too
  const row = Math.floor(cy / 16);
  const brickX = (cx + (row % 2) * 16) % 32;
  return cy % 16 < 2 || brickX < 2 ? [face.colour[0] >> 1, face.colour[1] >> 1, face.colour[2] >> 1] : face.colour;
}

/** The generated demo texture as tightly packed RGBA8 pixels, TEXTURE_SIZE x TEXTURE_SIZE, rows from the top (see demoTexel). */
export function demoTexture(): Uint8Array {
  const px = new Uint8Array(TEXTURE_SIZE * TEXTURE_SIZE * 4);
  for (let y = 0; y < TEXTURE_SIZE; y++) {
    for (let x = 0; x < TEXTURE_SIZE; x++) {
      const [r, g, b] = demoTexel(x, y);
      const o = (y * TEXTURE_SIZE + x) * 4;
      px[o] = r;
      px[o + 1] = g;
      px[o + 2] = b;
      px[o + 3] = 255;
    }
  }
  return px;
}

/**
 * Where a point given in face coordinates (s, t in 0..1, s to the right, t downwards from the top
 * edge, as seen from outside) lies on the model, and which texel it shows.
 */
export function demoFacePoint(face: DemoFace, s: number, t: number): { position: Vec3; texel: [number, number] } {
  const right = cross(face.up, face.normal);
  const a = (2 * s - 1) * face.half[0], b = (1 - 2 * t) * face.half[1];
  const position: Vec3 = [0, 1, 2].map((i) => face.centre[i] + right[i] * a + face.up[i] * b) as unknown as Vec3;
  const cx = (face.cell % 4) * CELL, cy = Math.floor(face.cell / 4) * CELL;
  return { position, texel: [Math.floor(cx + s * CELL), Math.floor(cy + t * CELL)] };
}

/** OBJ text of the demo model: shared positions, one normal per direction, 4 UVs per face. */
export function demoObj(): string {
  const out: string[] = ["# scanout demo model: a room corner with a cube (generated by src/assets/generate.ts)", "o room"];
  const positions = new Map<string, number>();
  const normals = new Map<string, number>();
  const vLines: string[] = [], vnLines: string[] = [], vtLines: string[] = [], fLines: string[] = [];
  const fmt = (n: number) => String(Math.round(n * 1e6) / 1e6);
  const pos = (p: Vec3) => {
    const key = p.map(fmt).join(" ");
    let i = positions.get(key);
    if (i === undefined) {
      vLines.push(`v ${key}`);
      positions.set(key, (i = positions.size + 1));
    }
    return i;
  };
  let vt = 0;
  for (const face of DEMO_FACES) {
    const nkey = face.normal.map(fmt).join(" ");
    let n = normals.get(nkey);
    if (n === undefined) {
      vnLines.push(`vn ${nkey}`);
      normals.set(nkey, (n = normals.size + 1));
    }
    const right = cross(face.up, face.normal);
    // corners counter-clockwise seen from the front: bottom-left, bottom-right, top-right, top-left
    const corners: [number, number][] = [[-1, -1], [1, -1], [1, 1], [-1, 1]];
    const cx = (face.cell % 4) * CELL, cy = Math.floor(face.cell / 4) * CELL;
    const refs = corners.map(([sx, sy]) => {
      const p = [0, 1, 2].map((i) => face.centre[i] + right[i] * sx * face.half[0] + face.up[i] * sy * face.half[1]);
      // texel-space corners of the cell, written in OBJ's v-up convention
      const u = (cx + (sx < 0 ? 0 : CELL)) / TEXTURE_SIZE;
      const v = 1 - (cy + (sy > 0 ? 0 : CELL)) / TEXTURE_SIZE;
      vtLines.push(`vt ${fmt(u)} ${fmt(v)}`);
      vt++;
      return `${pos(p as unknown as Vec3)}/${vt}/${n}`;
    });
    fLines.push(`g ${face.name.replace(/\W+/g, "_")}`, `usemtl ${face.name.replace(/\W+/g, "_")}`, "s off", `f ${refs.join(" ")}`);
  }
  return [...out, ...vLines, ...vtLines, ...vnLines, ...fLines, ""].join("\n");
}

/** Paths of the files generateDemoModel wrote: the OBJ model and its PNG texture. */
export interface GeneratedAssets {
  obj: string;
  texture: string;
}

/** Writes room.obj and room.png into `dir` (created if missing) and returns their paths. */
export async function generateDemoModel(dir: string): Promise<GeneratedAssets> {
  await mkdir(dir, { recursive: true });
  const obj = join(dir, "room.obj"), texture = join(dir, "room.png");
  await writeFile(obj, demoObj());
  await writeFile(texture, encodePng({ width: TEXTURE_SIZE, height: TEXTURE_SIZE, data: demoTexture() }));
  return { obj, texture };
}

/**
 * Writes a dense OBJ for load and throughput tests: a rippled grid of quads (two triangles each)
 * with v/vt/vn on every corner, about `triangles` triangles, spanning -1..1 in x and z.
 * Streams to disk so generating 1M triangles does not hold the whole text in memory.
 */
export async function writeDenseObj(path: string, triangles: number): Promise<{ bytes: number; triangles: number }> {
  const n = Math.max(1, Math.ceil(Math.sqrt(triangles / 2))); // quads per side
  const fh = await open(path, "w");
  let bytes = 0;
  let chunk: string[] = [];
  let chunkLen = 0;
  const put = (s: string) => {
    chunk.push(s);
    chunkLen += s.length;
  };
  const flush = async (force = false) => {
    if (!force && chunkLen < 1 << 20) return;
    const s = chunk.join("");
    chunk = [];
    chunkLen = 0;
    bytes += (await fh.write(s)).bytesWritten;
  };
  try {
    put(`# dense grid ${n}x${n} quads, ${2 * n * n} triangles (generated by scanout)\no dense\n`);
    for (let j = 0; j <= n; j++) {
      for (let i = 0; i <= n; i++) {
        const x = (2 * i) / n - 1, z = (2 * j) / n - 1;
        const y = 0.05 * Math.sin(9 * x) * Math.cos(7 * z);
        put(`v ${x.toFixed(5)} ${y.toFixed(5)} ${z.toFixed(5)}\n`);
      }
      await flush();
    }
    for (let j = 0; j <= n; j++) {
      for (let i = 0; i <= n; i++) put(`vt ${(i / n).toFixed(5)} ${(1 - j / n).toFixed(5)}\n`);
      await flush();
    }
    for (let j = 0; j <= n; j++) {
      for (let i = 0; i <= n; i++) {
        const x = (2 * i) / n - 1, z = (2 * j) / n - 1;
        // analytic normal of y = 0.05 sin(9x) cos(7z)
        const dx = 0.45 * Math.cos(9 * x) * Math.cos(7 * z), dz = -0.35 * Math.sin(9 * x) * Math.sin(7 * z);
        const len = Math.hypot(dx, 1, dz);
        put(`vn ${(-dx / len).toFixed(4)} ${(1 / len).toFixed(4)} ${(-dz / len).toFixed(4)}\n`);
      }
      await flush();
    }
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        const a = j * (n + 1) + i + 1, b = a + 1, c = a + n + 2, d = a + n + 1;
        // counter-clockwise seen from +y: a (x, z), d (x, z+1), c, b
        put(`f ${a}/${a}/${a} ${d}/${d}/${d} ${c}/${c}/${c} ${b}/${b}/${b}\n`);
      }
      await flush();
    }
    await flush(true);
  } finally {
    await fh.close();
  }
  return { bytes, triangles: 2 * n * n };
}
