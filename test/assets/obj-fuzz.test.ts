// Fuzzing the OBJ loader with mutated files, seeded (SCANOUT_FUZZ_SEED replays a run): starting from
// the files src/assets/generate.ts writes, 10,000 inputs with damaged numbers and indices, shuffled,
// duplicated and truncated lines and random byte damage. Every input must load (with only finite
// numbers and in-range indices) or be refused with an AssetError naming the file, quickly.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { generateDemoModel, writeDenseObj } from "../../src/assets/generate.js";
import { loadObj, parseObj, VERTEX_FLOATS, type Mesh } from "../../src/assets/obj.js";
import { setLogLevel } from "../../src/util/log.js";
import { FUZZ_SEED, fuzz, rng, sometimesMutateBytes, type Rng } from "./mutate.js";

const INPUTS = 10_000;

const NUMBERS = [
  "1e400", "-1e400", "1e39", "-3.5e38", "3.4028236e38", "9".repeat(400), "0." + "0".repeat(400) + "1", "1e-400", "NaN", "nan",
  "inf", "-Infinity", "1e", "1e+", ".", "-", "+", "1.2.3", "0x1F", "1_000", "--1", "-0", "1" + "0".repeat(38), "\u0663", "1\u00002",
];
const CORNERS = [
  "0", "-0", "-99999", "99999999999", "9".repeat(60), "1//", "//1", "/", "1/1/1/1", "1/", "-1/-1/-1", "2147483648",
  "4294967297", "1/0/1", "1/1/0", "a", "1/a", "+1", "1.5", "-", "1/-0", "1e3",
];
const STATEMENTS = [
  "v", "vt", "vn", "f", "f 1", "f 1 2", "v 1 2", "vn 0 0", "vt 0.5", `f ${Array.from({ length: 300 }, (_, i) => -1 - (i % 3)).join(" ")}`,
  "o", "#", "\t", "\r", "mtllib", "usemtl x", "s 1", "g", "v 1 2 3 4 5 6 7", "f -1 -2 -3", "vp 1 2", "bogus 1", `v ${"1 ".repeat(5000)}`,
];

let seeds: { name: string; text: string }[] = [];
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "scanout-obj-fuzz-"));
  const room = await generateDemoModel(join(dir, "room"));
  const dense = join(dir, "dense.obj");
  await writeDenseObj(dense, 300);
  seeds = [
    { name: "room.obj", text: await readFile(room.obj, "utf8") },
    { name: "dense.obj", text: await readFile(dense, "utf8") },
  ];
  setLogLevel("error"); // mutated files warn about unknown statements a great deal
});
afterAll(async () => {
  setLogLevel("info");
  await rm(dir, { recursive: true, force: true });
});

/** A random whitespace-delimited token in `lines` matching `test`, as [line, token index]. */
function findToken(r: Rng, lines: string[], test: (line: string, token: string, k: number) => boolean): [number, number] | undefined {
  for (let tries = 0; tries < 40; tries++) {
    const l = r.int(lines.length);
    const tokens = lines[l].split(" ");
    const k = r.int(tokens.length);
    if (test(lines[l], tokens[k], k)) return [l, k];
  }
  return undefined;
}

function replaceToken(lines: string[], [l, k]: [number, number], value: string): void {
  const tokens = lines[l].split(" ");
  tokens[k] = value;
  lines[l] = tokens.join(" ");
}

/** One OBJ-aware mutation of `lines`, in place; returns what it did. */
function mutateLines(r: Rng, lines: string[]): string {
  switch (r.int(7)) {
    case 0: {
      const at = findToken(r, lines, (line, _t, k) => k > 0 && /^v[tn]? /.test(line));
      const n = r.pick(NUMBERS);
      if (at) replaceToken(lines, at, n);
      return `number ${JSON.stringify(n.slice(0, 12))} on line ${at ? at[0] + 1 : "-"}`;
    }
    case 1: {
      const at = findToken(r, lines, (line, _t, k) => k > 0 && line.startsWith("f "));
      const c = r.pick(CORNERS);
      if (at) replaceToken(lines, at, c);
      return `corner ${JSON.stringify(c.slice(0, 12))} on line ${at ? at[0] + 1 : "-"}`;
    }
    case 2: {
      const l = r.int(lines.length);
      lines.splice(r.int(lines.length + 1), 0, lines[l]);
      return `duplicate line ${l + 1}`;
    }
    case 3: {
      const l = r.int(lines.length), n = 1 + r.int(20);
      lines.splice(l, n);
      return `delete lines ${l + 1}+${n}`;
    }
    case 4: {
      const a = r.int(lines.length), b = r.int(lines.length);
      [lines[a], lines[b]] = [lines[b], lines[a]];
      return `swap lines ${a + 1} and ${b + 1}`;
    }
    case 5: {
      const s = r.pick(STATEMENTS);
      lines.splice(r.int(lines.length + 1), 0, s);
      return `insert ${JSON.stringify(s.slice(0, 12))}`;
    }
    default: {
      // a face over every position so far, relative indices: a long polygon
      const n = 3 + r.int(200);
      lines.push(`f ${Array.from({ length: n }, (_, i) => `${-1 - (i % 8)}/${-1 - (i % 3)}`).join(" ")}`);
      return `face with ${n} corners`;
    }
  }
}

function makeInput(r: Rng): { bytes: Uint8Array; what: string } {
  const seed = r.pick(seeds);
  const lines = seed.text.split("\n");
  const steps: string[] = [seed.name];
  for (let n = 1 + r.int(3); n > 0; n--) steps.push(mutateLines(r, lines));
  const bytes = sometimesMutateBytes(r, Buffer.from(lines.join(r.int(4) ? "\n" : "\r\n")), steps, 3);
  return { bytes, what: steps.join(", ") };
}

/** What is wrong with a mesh that loaded, or undefined. */
function checkMesh(m: Mesh): string | undefined {
  if (m.vertices.length !== m.vertexCount * VERTEX_FLOATS) return `vertices hold ${m.vertices.length} floats for ${m.vertexCount} vertices`;
  if (!m.vertices.every(Number.isFinite)) return "a vertex attribute is not finite";
  if (m.indices.length !== 3 * m.triangleCount) return `${m.indices.length} indices for ${m.triangleCount} triangles`;
  if (!m.indices.every((i) => i < m.vertexCount)) return "an index is out of range";
  if (![...m.bounds.min, ...m.bounds.max].every(Number.isFinite)) return "bounds are not finite";
  return undefined;
}

it(`${INPUTS} mutated OBJ files: a mesh or an AssetError naming the file, nothing else`, () => {
  const r = rng(FUZZ_SEED);
  const t0 = performance.now();
  const report = fuzz({ count: INPUTS, make: () => makeInput(r), load: (bytes, name) => parseObj(bytes, { name }), check: checkMesh, limitMs: 1000, label: "fuzz.obj" });
  const s = (performance.now() - t0) / 1000;
  console.log(
    `OBJ fuzz (seed ${FUZZ_SEED}): ${report.inputs} inputs in ${s.toFixed(1)} s, ${report.loaded} loaded, ${report.refused} refused ` +
      `(${report.kinds.size} distinct messages), slowest ${report.slowestMs.toFixed(0)} ms; ` +
      `making inputs ${report.makeSeconds.toFixed(1)} s, parsing ${report.loadSeconds.toFixed(1)} s`,
  );
  expect(report.failure).toBeUndefined();
  expect(report.inputs).toBe(INPUTS);
  // the mutations reach the parser's checks, not just one of them
  expect(report.loaded).toBeGreaterThan(INPUTS / 10);
  expect(report.refused).toBeGreaterThan(INPUTS / 10);
  for (const kind of ["non-numeric", "is out of range (not a finite", "out of range (", "is not a valid index", "corners (need at least"]) {
    expect([...report.kinds].some((k) => k.includes(kind)), kind).toBe(true);
  }
});

it("mutated OBJ files on disk: loadObj's errors carry the path", async () => {
  const r = rng(FUZZ_SEED ^ 0x1234);
  const path = join(dir, "mutated.obj");
  let refused = 0;
  for (let i = 0; i < 50; i++) {
    const { bytes } = makeInput(r);
    await writeFile(path, bytes);
    const e = await loadObj(path).then(() => undefined, (x: unknown) => x);
    if (e === undefined) continue;
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message.startsWith(`${path}:`), (e as Error).message).toBe(true);
    refused++;
  }
  expect(refused).toBeGreaterThan(0);
});
