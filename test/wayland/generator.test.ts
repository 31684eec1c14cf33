// The committed protocol files must be exactly what scripts/gen-wayland.mjs makes from the system XML.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script without type declarations
import { generate, OUT_DIR, readProtocol } from "../../scripts/gen-wayland.mjs";
import { WlRegistry, WlSurface } from "../../src/wayland/protocol/wayland.js";
import { XdgToplevel } from "../../src/wayland/protocol/xdg-shell.js";

const xmlPresent = existsSync("/usr/share/wayland/wayland.xml");

describe.skipIf(!xmlPresent)("generated protocol code", () => {
  it("is up to date with the generator and the installed XML", () => {
    const { files } = generate() as { files: Map<string, string> };
    expect(files.size).toBeGreaterThanOrEqual(5);
    for (const [name, text] of files) {
      const path = join(OUT_DIR as string, name);
      expect(existsSync(path), `${path} missing: run node scripts/gen-wayland.mjs`).toBe(true);
      expect(readFileSync(path, "utf8") === text, `${path} is stale: run node scripts/gen-wayland.mjs`).toBe(true);
    }
  });

  it("carries names, opcodes, signatures, enums and versions, but no description text", () => {
    const text = readFileSync(join(OUT_DIR as string, "wayland.ts"), "utf8");
    expect(text).not.toMatch(/<description|summary=|The core global object/);
    // doc comments are built from the signature alone
    expect(text).toContain("/** wl_surface.attach (request 1, since v1): buffer: wl_buffer | null, x: int, y: int. */");
    expect(text).toContain("/** wl_shm_pool.create_buffer (request 0, since v1): offset: int, width: int, height: int, stride: int, format: uint (wl_shm.format). Returns the new wl_buffer proxy. */");
    expect(WlSurface.spec.requests.map((r) => r.name).slice(0, 4)).toEqual(["destroy", "attach", "damage", "frame"]);
    expect(WlSurface.spec.requests[1]!.args).toEqual([
      { name: "buffer", type: "object", interface: "wl_buffer", nullable: true },
      { name: "x", type: "int" },
      { name: "y", type: "int" },
    ]);
    expect(WlSurface.spec.requests.find((r) => r.name === "damage_buffer")!.since).toBe(4);
    expect(WlRegistry.spec.requests[0]!.args[1]).toEqual({ name: "id", type: "new_id" });
    expect(XdgToplevel.spec.enums.state!.fullscreen).toBe(2);
  });

  it("reads attributes and skips comments and text", () => {
    const p = readProtocol(
      `<?xml version="1.0"?><!-- c --><protocol name="t"><interface name="a_b" version="3"><description summary="x &amp; y">text</description>
       <request name="r" type="destructor" since="2"><arg name="v" type="uint" enum="e"/></request>
       <enum name="e" bitfield="true"><entry name="one" value="0x1"/></enum></interface></protocol>`,
      "inline",
    );
    expect(p.interfaces[0]).toEqual({
      name: "a_b",
      version: 3,
      requests: [{ name: "r", since: 2, destructor: true, args: [{ name: "v", type: "uint", interface: undefined, nullable: false, enum: "e" }] }],
      events: [],
      enums: [{ name: "e", bitfield: true, since: 1, entries: [{ name: "one", value: 1, since: 1 }] }],
    });
  });
});
