#!/usr/bin/env node
// Test-only protocol code: the virtual keyboard, virtual pointer and input method protocols (XML from wlroots,
// not packaged by Debian, stored beside this file) and KWin's fake input (XML from Debian's
// plasma-wayland-protocols, read from the forky root, or the host where installed; skipped without
// either) through the same generator as src/wayland/protocol, written here with import paths
// rewritten. `--check` exits 1 when the files here are stale.
//   node test/input/protocol/gen.mjs [--check]
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { forkyRoot, writeLocalProtocols } from "../../../scripts/gen-wayland-local.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const PLASMA_XML = "usr/share/plasma-wayland-protocols/fake-input.xml";
writeLocalProtocols(here, [
  { out: "virtual-keyboard-unstable-v1.ts", paths: [join(here, "virtual-keyboard-unstable-v1.xml")] },
  { out: "wlr-virtual-pointer-unstable-v1.ts", paths: [join(here, "wlr-virtual-pointer-unstable-v1.xml")] },
  { out: "input-method-unstable-v2.ts", paths: [join(here, "input-method-unstable-v2.xml")] },
  { out: "fake-input.ts", paths: [...(forkyRoot ? [join(forkyRoot, PLASMA_XML)] : []), `/${PLASMA_XML}`], optional: true },
], ["wayland", "text-input-unstable-v3"]);
