// A model authored Z-up (as Blender and CAD exports are) stands upright with --up z: its top
// (red) is drawn above its bottom (blue), and it is taller than wide. With the default y-up the
// same file lies on its side.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { encodePng, readPngPixels } from "../../src/index.js";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "scanout-up-axis-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type V3 = [number, number, number];
const sub = (a: V3, b: V3): V3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const cross = (a: V3, b: V3): V3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const dot = (a: V3, b: V3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

/** OBJ text of a square pillar along +Z: the lower half samples the texture at u, the upper at u2. */
function pillarObj(): string {
  const lines: string[] = ["vt 0.25 0.5", "vt 0.75 0.5"]; // vt 1: left texel (blue), vt 2: right texel (red)
  let base = 0;
  const box = (z0: number, z1: number, vt: number) => {
    const a = 0.15;
    const corner = (i: number): V3 => [i & 1 ? a : -a, i & 2 ? a : -a, i & 4 ? z1 : z0];
    for (let i = 0; i < 8; i++) lines.push(`v ${corner(i).join(" ")}`);
    const centre: V3 = [0, 0, (z0 + z1) / 2];
    const faces = [[0, 1, 3, 2], [4, 5, 7, 6], [0, 1, 5, 4], [2, 3, 7, 6], [0, 2, 6, 4], [1, 3, 7, 5]];
    for (const f of faces) {
      const [p0, p1, p2] = f.map((i) => corner(i)) as [V3, V3, V3];
      // counter-clockwise seen from outside: the face normal points away from the box centre
      const outward = dot(cross(sub(p1, p0), sub(p2, p0)), sub(p0, centre)) > 0;
      const order = outward ? f : [...f].reverse();
      lines.push(`f ${order.map((i) => `${base + i + 1}/${vt}`).join(" ")}`);
    }
    base += 8;
  };
  box(0, 1, 1); // bottom half: blue
  box(1, 2, 2); // top half: red
  return lines.join("\n") + "\n";
}

async function render(up: "y" | "z"): Promise<{ redY: number; blueY: number; width: number; height: number }> {
  const out = join(dir, `pillar-${up}.png`);
  await run(process.execPath, ["dist/examples/demo.js", "--backend", "headless", "--scene", "mesh", "--model", join(dir, "pillar.obj"),
    "--texture", join(dir, "pillar.png"), "--up", up, "--frames", "1", "--size", "200x200", "--out", out]);
  const { width, data } = readPngPixels(out);
  let red = 0, redY = 0, blue = 0, blueY = 0;
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (let i = 0; i < data.length; i += 4) {
    const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
    const x = (i / 4) % width, y = Math.floor(i / 4 / width);
    const isRed = r > 120 && b < 80 && g < 80, isBlue = b > 120 && r < 80 && g < 80;
    if (isRed) (red++, (redY += y));
    if (isBlue) (blue++, (blueY += y));
    if (isRed || isBlue) {
      minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y);
    }
  }
  expect(red).toBeGreaterThan(100);
  expect(blue).toBeGreaterThan(100);
  return { redY: redY / red, blueY: blueY / blue, width: maxX - minX, height: maxY - minY };
}

describe("--up z", () => {
  writeFileSync(join(dir, "pillar.obj"), pillarObj());
  // 2x1 texture: left texel blue, right texel red
  writeFileSync(join(dir, "pillar.png"), encodePng({ width: 2, height: 1, data: new Uint8Array([0, 0, 255, 255, 255, 0, 0, 255]) }));

  it("a Z-up pillar renders upright: top above bottom, taller than wide", async () => {
    const z = await render("z");
    expect(z.redY).toBeLessThan(z.blueY - 20);
    expect(z.height).toBeGreaterThan(z.width * 1.5);
  });

  it("read as Y-up, the same file lies on its side (the option changes the picture)", async () => {
    const y = await render("y");
    expect(y.height).toBeLessThan(y.width * 1.5);
  });
});
