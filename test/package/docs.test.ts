// The API reference builds from the TSDoc comments with every warning an error: an exported symbol
// without documentation, a broken {@link}, or a public type that is not exported fails this test.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect, it } from "vitest";

const repo = resolve(import.meta.dirname, "..", "..");

it("npm run docs: TypeDoc reports no warnings (every export documented)", () => {
  const out = mkdtempSync(join(tmpdir(), "scanout-docs-"));
  try {
    let output = "";
    try {
      output = execFileSync(process.execPath, [join(repo, "node_modules", "typedoc", "bin", "typedoc"), "--out", out], { cwd: repo, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string };
      const warnings = `${e.stdout ?? ""}${e.stderr ?? ""}`.split("\n").filter((l) => /warning|error/.test(l));
      expect.fail(`typedoc failed:\n${warnings.slice(0, 40).join("\n")}`);
    }
    expect(output).not.toMatch(/\[warning\]/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 180_000);
