// The package as an app gets it: `npm pack` the project, install the tarball (and, separately, a
// git clone) into a fresh app with its own package.json, type-check a strict TypeScript file that
// imports scanout, scanout/scenes and scanout/vk, run it on lavapipe and check the PNG it writes.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readPngPixels } from "../../src/index.js";

const repo = resolve(import.meta.dirname, "..", "..");
const work = mkdtempSync(join(tmpdir(), "scanout-consumer-"));
const tsc = join(repo, "node_modules", "typescript", "bin", "tsc");
const quiet = { cwd: work, encoding: "utf8" as const, stdio: ["ignore", "pipe", "pipe"] as ["ignore", "pipe", "pipe"], env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" } as NodeJS.ProcessEnv };

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** execFileSync whose failure carries the command's output (tsc reports on stdout). */
function sh(command: string, args: string[], options: typeof quiet): string {
  try {
    return execFileSync(command, args, options);
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  }
}

const APP = `import { Instance, openPresenter, writePng, type Pixels } from "scanout";
import { Triangle } from "scanout/scenes";
import { Format, vkFormatName } from "scanout/vk";

const out = process.argv[2]!;
await using gpu = await Instance.create({ validation: true });
await using presenter = await openPresenter(gpu, { prefer: ["headless"], size: [64, 48] });
const scene = Triangle.create(presenter);
let last: Promise<Pixels> | undefined;
for await (const frame of presenter.frames({ limit: 3 })) {
  scene.update(frame);
  frame.record((cmd) => scene.draw(cmd, frame));
  if (frame.index === 2) last = frame.capture();
}
scene.destroy();
writePng(out, await last!);
const format: string = vkFormatName(Format.VK_FORMAT_B8G8R8A8_UNORM);
console.log(\`app: \${presenter.backend} \${format} \${gpu.validationMessages.length} validation messages\`);
`;

/** A fresh app folder with scanout installed from `spec`, the app compiled strictly and run. */
function buildAndRun(name: string, spec: string): { log: string; png: string } {
  const app = join(work, name);
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name, version: "1.0.0", private: true, type: "module" }));
  sh("npm", ["install", "--no-save", "--prefer-offline", spec], { ...quiet, cwd: app });
  writeFileSync(join(app, "app.ts"), APP);
  // Strict checking of the app and of the package's own .d.ts files (no skipLibCheck).
  sh(process.execPath, [tsc, "--strict", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext",
    "--lib", "es2022,esnext.disposable", "--types", "node", "--typeRoots", join(repo, "node_modules", "@types"), "app.ts"], { ...quiet, cwd: app });
  const png = join(app, "frame.png");
  const log = sh(process.execPath, ["app.js", png], { ...quiet, cwd: app });
  return { log, png };
}

function expectTriangle(png: string): void {
  const { width, height, data } = readPngPixels(png);
  expect([width, height]).toEqual([64, 48]);
  const centre = ((height / 2) * width + width / 2) * 4;
  const corner = 0;
  // the triangle covers the centre; the corner keeps the clear colour
  expect(data[centre]! + data[centre + 1]! + data[centre + 2]!).toBeGreaterThan(100);
  expect(data[corner]! + data[corner + 1]! + data[corner + 2]!).toBeLessThan(60);
}

describe("scanout as an installed package", () => {
  let tarball = "";
  let files: string[] = [];

  const clone = join(work, "clone");

  beforeAll(() => {
    // A clean clone (what main holds, no dist/) packed with the checkout's dev tools: its prepare
    // script must build everything the tarball needs.
    sh("git", ["clone", "--quiet", repo, clone], quiet);
    symlinkSync(join(repo, "node_modules"), join(clone, "node_modules"));
    const packed = JSON.parse(sh("npm", ["pack", "--json", "--pack-destination", work], { ...quiet, cwd: clone })) as { filename: string; files: { path: string }[] }[];
    tarball = join(work, packed[0]!.filename);
    files = packed[0]!.files.map((f) => f.path);
  }, 300_000);

  it("the tarball holds compiled code, types, SPIR-V, README and licence, and no tests or benches", () => {
    expect(existsSync(tarball)).toBe(true);
    for (const needed of ["dist/src/index.js", "dist/src/index.d.ts", "dist/src/scenes/index.d.ts", "dist/src/vk/index.d.ts",
      "dist/examples/demo.js", "dist/bin/scanout-demo.js", "dist/bin/scanout-kms-info.js", "shaders/triangle.vert.spv", "shaders/mesh.frag.spv", "README.md", "LICENSE", "package.json"]) {
      expect(files).toContain(needed);
    }
    expect(files.filter((f) => /^(test|bench|dist\/test|dist\/bench)\//.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
  });

  it("installed from the tarball: a strict TypeScript app imports scanout, scanout/scenes and scanout/vk and renders", () => {
    const { log, png } = buildAndRun("from-tarball", tarball);
    expect(log).toContain("app: headless B8G8R8A8_UNORM 0 validation messages");
    expectTriangle(png);
  }, 300_000);

  it("installed from a git clone (built by its prepare script): the same app renders", () => {
    const { log, png } = buildAndRun("from-git", `git+file://${repo}`);
    expect(log).toContain("0 validation messages");
    expectTriangle(png);
  }, 600_000);

  it("the README's first-app snippet compiles strictly against the installed package and runs", () => {
    const readme = readFileSync(join(repo, "README.md"), "utf8");
    const snippet = /## First app[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(snippet, "README.md has a ## First app section with a ts block").toBeTruthy();
    const app = join(work, "from-tarball");
    writeFileSync(join(app, "first-app.ts"), snippet!);
    sh(process.execPath, [tsc, "--strict", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext",
      "--lib", "es2022,esnext.disposable", "--types", "node", "--typeRoots", join(repo, "node_modules", "@types"), "first-app.ts"], { ...quiet, cwd: app });
    const log = sh(process.execPath, ["first-app.js"], { ...quiet, cwd: app, env: { ...quiet.env, WAYLAND_DISPLAY: "" } });
    expect(log).toMatch(/^headless \d+ frames\/s/m);
    expect(readPngPixels(join(app, "first-app.png")).width).toBe(640);
  }, 120_000);

  it("the CLI entries run with --help through npx, and the bundled demo renders its default scene", () => {
    const app = join(work, "from-tarball");
    for (const bin of ["scanout-demo", "scanout-kms-info"]) {
      const text = sh("npx", ["--no-install", bin, "--help"], { ...quiet, cwd: app });
      expect(text).toMatch(/usage: /);
    }
    // the default scene is the generated room: the bundle must find the generator inside the package
    const cache = join(work, "xdg-cache");
    const log = sh("npx", ["--no-install", "scanout-demo", "--frames", "1", "--size", "64x48", "--out", "bin.png"], {
      ...quiet, cwd: app, env: { ...quiet.env, WAYLAND_DISPLAY: "", XDG_CACHE_HOME: cache },
    });
    expect(log).toMatch(/scene: mesh/);
    expect(readPngPixels(join(app, "bin.png")).width).toBe(64);
  }, 120_000);
});
