#!/usr/bin/env node
// Test-only protocol code for turning a compositor's output: KWin's kde-output-device-v2 and
// kde-output-management-v2 (XML from Debian's plasma-wayland-protocols, read from the forky root or
// the host where installed; the committed files stay without either) and wlroots'
// wlr-output-management-unstable-v1 (not packaged by Debian: a names-and-types-only XML beside this
// file). Same generator as src/wayland/protocol, import paths rewritten; `--check` exits 1 when stale.
//   node test/wayland/compositors/protocol/gen.mjs [--check]
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { forkyRoot, writeLocalProtocols } from "../../../../scripts/gen-wayland-local.mjs";

const here = dirname(fileURLToPath(import.meta.url));
// Plasma's XML carries a bare <address> in its copyright text, which the generator's strict reader
// rejects: it reads a copy without the copyright element (text it never uses anyway).
const scratch = mkdtempSync(join(tmpdir(), "scanout-gen-"));
process.once("exit", () => rmSync(scratch, { recursive: true, force: true }));
const plasma = (file) => {
  const rel = `usr/share/plasma-wayland-protocols/${file}`;
  const found = [...(forkyRoot ? [join(forkyRoot, rel)] : []), `/${rel}`].find((p) => existsSync(p));
  if (!found) return [`/${rel}`];
  const copy = join(scratch, "usr/share/plasma-wayland-protocols", file);
  mkdirSync(dirname(copy), { recursive: true });
  writeFileSync(copy, readFileSync(found, "utf8").replace(/<copyright>[\s\S]*?<\/copyright>/, ""));
  return [copy];
};
writeLocalProtocols(here, [
  { out: "kde-output-device-v2.ts", paths: plasma("kde-output-device-v2.xml"), optional: true },
  { out: "kde-output-management-v2.ts", paths: plasma("kde-output-management-v2.xml"), optional: true },
  { out: "wlr-output-management-unstable-v1.ts", paths: [join(here, "wlr-output-management-unstable-v1.xml")] },
]);
