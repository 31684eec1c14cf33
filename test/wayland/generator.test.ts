// The committed protocol files must be exactly what scripts/gen-wayland.mjs makes from the system XML.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script without type declarations
import { emit, generate, OUT_DIR, readProtocol } from "../../scripts/gen-wayland.mjs";
import { WpColorManagementSurfaceFeedbackV1, WpColorManagerV1, WpColorManagerV1TransferFunction, WpImageDescriptionV1 } from "../../src/wayland/protocol/color-management-v1.js";
import { WpColorRepresentationSurfaceV1 } from "../../src/wayland/protocol/color-representation-v1.js";
import { WpCommitTimingManagerV1 } from "../../src/wayland/protocol/commit-timing-v1.js";
import { WpCursorShapeDeviceV1Shape } from "../../src/wayland/protocol/cursor-shape-v1.js";
import { WpFifoManagerV1, WpFifoV1 } from "../../src/wayland/protocol/fifo-v1.js";
import { WpPresentationFeedback, WpPresentationFeedbackKind } from "../../src/wayland/protocol/presentation-time.js";
import { WpTearingControlV1PresentationHint } from "../../src/wayland/protocol/tearing-control-v1.js";
import { WlOutput, WlOutputTransform, WlRegistry, WlSurface } from "../../src/wayland/protocol/wayland.js";
import { XdgToplevel, XdgToplevelState, XdgWmBase } from "../../src/wayland/protocol/xdg-shell.js";

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

  it("writes each enum once: the wire table refers to the exported const", () => {
    const text = readFileSync(join(OUT_DIR as string, "presentation-time.ts"), "utf8");
    expect(text.match(/zero_copy: 8/g)).toHaveLength(1);
    expect(text).toContain("enums: { kind: WpPresentationFeedbackKind },");
    expect(WpPresentationFeedback.spec.enums.kind).toBe(WpPresentationFeedbackKind);
    expect(XdgToplevel.spec.enums.state).toBe(XdgToplevelState);
    // enum keys: reserved words stay as they are, a leading digit gets an underscore
    expect(WpCursorShapeDeviceV1Shape.default).toBe(1);
    expect(WlOutputTransform._90).toBe(1);
    expect(WlOutput.spec.enums.transform!._270).toBe(3);
  });

  it("gives each class the version its requests and events appeared in", () => {
    expect(WlSurface.since.damage_buffer).toBe(4);
    expect(WlSurface.since.attach).toBe(1);
    expect(WlSurface.since.preferred_buffer_transform).toBe(6); // an event
    expect(XdgToplevel.since.wm_capabilities).toBe(5);
    // the table and the wire table agree for every message
    for (const cls of [WlSurface, XdgToplevel, WlOutput]) {
      const since = cls.since as Record<string, number>;
      for (const m of [...cls.spec.requests, ...cls.spec.events]) expect(since[m.name], `${cls.spec.name}.${m.name}`).toBe(m.since);
    }
    expect(WpTearingControlV1PresentationHint.async).toBe(1);
  });

  it("refuses an interface whose request and event share a name (its since table could not name both)", () => {
    const p = readProtocol(`<protocol name="t"><interface name="a_b" version="1"><request name="x"/><event name="x"/></interface></protocol>`, "inline");
    expect(() => emit(p, "inline", new Map())).toThrow('a_b: "x" is both a request and an event');
  });

  it("has the wayland-protocols 1.43 additions: fifo, commit timing, color management, xdg-shell v7", () => {
    expect(WpFifoManagerV1.spec.name).toBe("wp_fifo_manager_v1");
    expect(WpFifoV1.spec.requests.map((r) => r.name)).toEqual(["set_barrier", "wait_barrier", "destroy"]);
    expect(WpCommitTimingManagerV1.spec.name).toBe("wp_commit_timing_manager_v1");
    expect(WpColorManagerV1.spec.name).toBe("wp_color_manager_v1");
    expect(XdgWmBase.spec.version).toBe(7);
    expect(XdgToplevelState.constrained_bottom).toBe(13);
  });

  it("has forky's colour protocols (wayland-protocols 1.49), kept as committed where this machine's XML is older or missing", () => {
    // colour manager v3: ready2 and preferred_changed2 (v2), the piecewise sRGB curve by its new name
    expect(WpColorManagerV1.spec.version).toBe(3);
    expect(WpImageDescriptionV1.since.ready2).toBe(2);
    expect(WpColorManagementSurfaceFeedbackV1.since.preferred_changed2).toBe(2);
    expect(WpColorManagerV1TransferFunction.compound_power_2_4).toBe(14);
    expect(WpColorRepresentationSurfaceV1.spec.requests.map((r) => r.name)).toContain("set_alpha_mode");
    const { files, kept } = generate() as { files: Map<string, string>; kept: Map<string, string> };
    for (const out of ["color-management-v1.ts", "color-representation-v1.ts"]) expect(files.has(out) || kept.has(out), out).toBe(true);
    for (const why of kept.values()) expect(why).toMatch(/the committed file stays/);
    expect(files.get("index.ts")).toContain(`export * from "./color-representation-v1.js";`);
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
