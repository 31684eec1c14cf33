#!/usr/bin/env node
// Generates src/wayland/protocol/*.ts from the protocol XML installed by libwayland-dev and
// wayland-protocols: interface names, versions, opcodes (message order), signatures, enums and
// since-versions only; description text is never copied. Usage:
//   node scripts/gen-wayland.mjs          write the files
//   node scripts/gen-wayland.mjs --check  exit 1 if the committed files differ
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The Debian forky root scripts/forky-root.sh builds (its path is in $SCANOUT_CACHE/forky.path): its
 * wayland-protocols is newer than the host's, so protocols marked `newer` look there first. Its
 * output is committed, so a machine without the root builds and tests the same code (see `kept`).
 */
function forkyRoot() {
  const file = join(process.env.SCANOUT_CACHE ?? join(homedir(), ".cache", "scanout"), "forky.path");
  try {
    const root = readFileSync(file, "utf8").trim();
    return root && existsSync(root) ? root : undefined;
  } catch {
    return undefined;
  }
}
const FORKY = forkyRoot();
/** A system path in the forky root first, then on the host: the first that exists wins. */
const newer = (path) => [...(FORKY ? [join(FORKY, path)] : []), path];

/** Protocols we use; the first existing path of each wins (wayland-protocols moved some). */
export const PROTOCOLS = [
  { out: "wayland.ts", paths: ["/usr/share/wayland/wayland.xml"] },
  { out: "xdg-shell.ts", paths: ["/usr/share/wayland-protocols/stable/xdg-shell/xdg-shell.xml"] },
  {
    out: "linux-dmabuf-v1.ts",
    paths: [
      "/usr/share/wayland-protocols/stable/linux-dmabuf/linux-dmabuf-v1.xml",
      "/usr/share/wayland-protocols/unstable/linux-dmabuf/linux-dmabuf-unstable-v1.xml",
    ],
  },
  { out: "presentation-time.ts", paths: ["/usr/share/wayland-protocols/stable/presentation-time/presentation-time.xml"] },
  {
    out: "linux-drm-syncobj-v1.ts",
    optional: true,
    paths: ["/usr/share/wayland-protocols/staging/linux-drm-syncobj/linux-drm-syncobj-v1.xml"],
  },
  {
    out: "linux-explicit-synchronization-unstable-v1.ts",
    optional: true,
    paths: ["/usr/share/wayland-protocols/unstable/linux-explicit-synchronization/linux-explicit-synchronization-unstable-v1.xml"],
  },
  { out: "viewporter.ts", paths: ["/usr/share/wayland-protocols/stable/viewporter/viewporter.xml"] },
  { out: "fractional-scale-v1.ts", paths: ["/usr/share/wayland-protocols/staging/fractional-scale/fractional-scale-v1.xml"] },
  { out: "xdg-decoration-unstable-v1.ts", paths: ["/usr/share/wayland-protocols/unstable/xdg-decoration/xdg-decoration-unstable-v1.xml"] },
  { out: "tearing-control-v1.ts", paths: ["/usr/share/wayland-protocols/staging/tearing-control/tearing-control-v1.xml"] },
  // cursor-shape names zwp_tablet_tool_v2 in one request, so the tablet protocol comes along
  { out: "tablet-unstable-v2.ts", paths: ["/usr/share/wayland-protocols/unstable/tablet/tablet-unstable-v2.xml"] },
  { out: "cursor-shape-v1.ts", paths: ["/usr/share/wayland-protocols/staging/cursor-shape/cursor-shape-v1.xml"] },
  // newer than bookworm's wayland-protocols 1.31: bookworm-backports (1.43) has them
  { out: "fifo-v1.ts", optional: true, paths: ["/usr/share/wayland-protocols/staging/fifo/fifo-v1.xml"] },
  { out: "commit-timing-v1.ts", optional: true, paths: ["/usr/share/wayland-protocols/staging/commit-timing/commit-timing-v1.xml"] },
  // colour manager v2/v3 (ready2, preferred_changed2) and color-representation: wayland-protocols 1.44+ (forky has 1.49)
  { out: "color-management-v1.ts", optional: true, paths: newer("/usr/share/wayland-protocols/staging/color-management/color-management-v1.xml") },
  { out: "color-representation-v1.ts", optional: true, paths: newer("/usr/share/wayland-protocols/staging/color-representation/color-representation-v1.xml") },
  // what an app needs from its window (issue 31): clipboard, pointer lock, text input, idle, activation, icons
  { out: "primary-selection-unstable-v1.ts", paths: ["/usr/share/wayland-protocols/unstable/primary-selection/primary-selection-unstable-v1.xml"] },
  { out: "pointer-constraints-unstable-v1.ts", paths: ["/usr/share/wayland-protocols/unstable/pointer-constraints/pointer-constraints-unstable-v1.xml"] },
  { out: "relative-pointer-unstable-v1.ts", paths: ["/usr/share/wayland-protocols/unstable/relative-pointer/relative-pointer-unstable-v1.xml"] },
  { out: "text-input-unstable-v3.ts", paths: ["/usr/share/wayland-protocols/unstable/text-input/text-input-unstable-v3.xml"] },
  { out: "idle-inhibit-unstable-v1.ts", paths: ["/usr/share/wayland-protocols/unstable/idle-inhibit/idle-inhibit-unstable-v1.xml"] },
  { out: "content-type-v1.ts", paths: ["/usr/share/wayland-protocols/staging/content-type/content-type-v1.xml"] },
  { out: "xdg-activation-v1.ts", paths: ["/usr/share/wayland-protocols/staging/xdg-activation/xdg-activation-v1.xml"] },
  { out: "xdg-toplevel-icon-v1.ts", optional: true, paths: ["/usr/share/wayland-protocols/staging/xdg-toplevel-icon/xdg-toplevel-icon-v1.xml"] },
  { out: "xdg-toplevel-tag-v1.ts", optional: true, paths: ["/usr/share/wayland-protocols/staging/xdg-toplevel-tag/xdg-toplevel-tag-v1.xml"] },
  { out: "xdg-dialog-v1.ts", optional: true, paths: ["/usr/share/wayland-protocols/staging/xdg-dialog/xdg-dialog-v1.xml"] },
  // a display leased from the compositor (issue 29): VR headsets, kiosk outputs driven through KMS inside a session
  { out: "drm-lease-v1.ts", optional: true, paths: ["/usr/share/wayland-protocols/staging/drm-lease/drm-lease-v1.xml"] },
];

// ---- a minimal XML reader: elements, attributes, comments; text is ignored (descriptions) ----

function decodeEntities(s) {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e) => {
    switch (e) {
      case "lt": return "<";
      case "gt": return ">";
      case "amp": return "&";
      case "quot": return '"';
      case "apos": return "'";
      default: return String.fromCodePoint(e[1] === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    }
  });
}

export function parseXml(text, file = "xml") {
  const root = { name: "#root", attrs: {}, children: [] };
  const stack = [root];
  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf("<", i);
    if (lt < 0) break;
    if (text.startsWith("<!--", lt)) {
      const end = text.indexOf("-->", lt + 4);
      if (end < 0) throw new Error(`${file}: unterminated comment`);
      i = end + 3;
      continue;
    }
    if (text.startsWith("<?", lt) || text.startsWith("<!", lt)) {
      const end = text.indexOf(">", lt);
      i = end + 1;
      continue;
    }
    const gt = text.indexOf(">", lt);
    if (gt < 0) throw new Error(`${file}: unterminated tag at ${lt}`);
    const body = text.slice(lt + 1, gt);
    i = gt + 1;
    if (body.startsWith("/")) {
      const name = body.slice(1).trim();
      const top = stack.pop();
      if (!top || top.name !== name) throw new Error(`${file}: </${name}> does not close <${top?.name}>`);
      continue;
    }
    const selfClosing = body.endsWith("/");
    const inner = selfClosing ? body.slice(0, -1) : body;
    const m = /^([\w:-]+)/.exec(inner);
    if (!m) throw new Error(`${file}: bad tag <${body}>`);
    const el = { name: m[1], attrs: {}, children: [] };
    for (const a of inner.slice(m[1].length).matchAll(/([\w:-]+)\s*=\s*("([^"]*)"|'([^']*)')/g))
      el.attrs[a[1]] = decodeEntities(a[3] ?? a[4]);
    stack[stack.length - 1].children.push(el);
    if (!selfClosing) stack.push(el);
  }
  if (stack.length !== 1) throw new Error(`${file}: unclosed <${stack[stack.length - 1].name}>`);
  return root;
}

const kids = (el, name) => el.children.filter((c) => c.name === name);

/** Protocol model: only names, versions, opcodes, argument signatures, enums. */
export function readProtocol(xml, file) {
  const root = parseXml(xml, file);
  const protocol = kids(root, "protocol")[0];
  if (!protocol) throw new Error(`${file}: no <protocol>`);
  const message = (m) => ({
    name: m.attrs.name,
    since: Number(m.attrs.since ?? 1),
    destructor: m.attrs.type === "destructor",
    args: kids(m, "arg").map((a) => ({
      name: a.attrs.name,
      type: a.attrs.type,
      interface: a.attrs.interface,
      nullable: a.attrs["allow-null"] === "true",
      enum: a.attrs.enum,
    })),
  });
  return {
    name: protocol.attrs.name,
    interfaces: kids(protocol, "interface").map((itf) => ({
      name: itf.attrs.name,
      version: Number(itf.attrs.version),
      requests: kids(itf, "request").map(message),
      events: kids(itf, "event").map(message),
      enums: kids(itf, "enum").map((e) => ({
        name: e.attrs.name,
        bitfield: e.attrs.bitfield === "true",
        since: Number(e.attrs.since ?? 1),
        entries: kids(e, "entry").map((en) => ({ name: en.attrs.name, value: Number(en.attrs.value), since: Number(en.attrs.since ?? 1) })),
      })),
    })),
  };
}

// ---- TypeScript emitter ----

const pascal = (s) => s.split("_").filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join("");
const RESERVED = new Set(("break case catch class const continue debugger default delete do else enum export extends false " +
  "finally for function if import in instanceof new null return super switch this throw true try typeof var void while with " +
  "yield let static implements interface package private protected public await").split(" "));
const ident = (s) => (RESERVED.has(s) ? `${s}_` : /^\d/.test(s) ? `_${s}` : s);
/** An enum entry's property name: reserved words are fine as properties; a leading digit is not (`_90`). */
const entryKey = (s) => key(/^\d/.test(s) ? `_${s}` : s);
const key = (s) => (/^[A-Za-z_$][\w$]*$/.test(s) ? s : JSON.stringify(s));

// ---- doc comments: built from names, versions and signatures only (never the XML's prose) ----

/** One argument as `name: type`, e.g. `buffer: wl_buffer | null`, `format: uint (wl_shm.format)`. */
function argDoc(itf, a) {
  let type = a.interface && (a.type === "object" || a.type === "new_id") ? a.interface : a.type;
  if (a.nullable) type += " | null";
  if (a.enum) type += ` (${a.enum.includes(".") ? a.enum : `${itf.name}.${a.enum}`})`;
  return `${a.name}: ${type}`;
}
const argsDoc = (itf, args) => (args.length ? args.map((a) => argDoc(itf, a)).join(", ") : "no arguments");

function requestDoc(itf, rq, opcode) {
  const created = rq.args.find((a) => a.type === "new_id");
  const sent = rq.args.filter((a) => a !== created);
  let text = `${itf.name}.${rq.name} (request ${opcode}, since v${rq.since}): ${argsDoc(itf, sent)}.`;
  if (created?.interface) text += ` Returns the new ${created.interface} proxy.`;
  else if (created)
    text += " The new object's class and version come after; returns its proxy." +
      " Throws RangeError when the version is outside 1..class.spec.version.";
  if (rq.destructor) text += " Destructor: the proxy must not be used afterwards.";
  return text;
}

function eventDoc(itf, ev, opcode) {
  let text = `${itf.name}.${ev.name} (event ${opcode}, since v${ev.since}): ${argsDoc(itf, ev.args)}.`;
  if (ev.destructor) text += " Destructor: the object is gone once this event is handled.";
  return text;
}

/** `name: since` for every request and event; a name used by both would make the table ambiguous. */
function sinceTable(itf) {
  const requests = new Set(itf.requests.map((m) => m.name));
  const both = itf.events.find((m) => requests.has(m.name));
  if (both) throw new Error(`${itf.name}: "${both.name}" is both a request and an event, so ${pascal(itf.name)}.since cannot name it`);
  return [...itf.requests, ...itf.events].map((m) => `${key(m.name)}: ${m.since}`);
}

/** One protocol's TypeScript; `owner` maps interfaces of other protocols to their generated file. */
export function emit(protocol, source, owner) {
  const lines = [];
  const imports = new Map(); // file -> Set(class)
  const local = new Set(protocol.interfaces.map((i) => i.name));
  const cls = (iface) => {
    if (!iface) return "Proxy";
    if (!local.has(iface)) {
      const file = owner.get(iface);
      if (!file) throw new Error(`${source}: interface ${iface} is not defined by any generated protocol`);
      if (!imports.has(file)) imports.set(file, new Set());
      imports.get(file).add(pascal(iface));
    }
    return pascal(iface);
  };
  const body = [];
  for (const itf of protocol.interfaces) {
    const C = pascal(itf.name);
    const specArgs = (args) =>
      "[" + args.map((a) => {
        const parts = [`name: ${JSON.stringify(a.name)}`, `type: ${JSON.stringify(a.type)}`];
        if (a.interface) parts.push(`interface: ${JSON.stringify(a.interface)}`);
        if (a.nullable) parts.push("nullable: true");
        return `{ ${parts.join(", ")} }`;
      }).join(", ") + "]";
    const specMsgs = (msgs) =>
      msgs.map((m) => `    { name: ${JSON.stringify(m.name)}, since: ${m.since}${m.destructor ? ", destructor: true" : ""}, args: ${specArgs(m.args)} },`);
    // each enum once, as a const object; the wire table refers to it
    for (const e of itf.enums) {
      body.push(`/** Values of the ${itf.name}.${e.name} enum${e.bitfield ? " (bitfield: combine with |)" : ""}, since v${e.since}. */`);
      body.push(`export const ${C}${pascal(e.name)} = {`);
      for (const en of e.entries) {
        body.push(`  /** ${itf.name}.${e.name}.${en.name} = ${en.value}, since v${Math.max(en.since, e.since)}. */`);
        body.push(`  ${entryKey(en.name)}: ${en.value},`);
      }
      body.push("} as const;", "");
    }
    body.push(`/** Wire table of ${itf.name} v${itf.version}: request and event opcodes, argument types and enums. */`);
    body.push(`export const ${itf.name}_interface: InterfaceSpec = {`);
    body.push(`  name: ${JSON.stringify(itf.name)},`, `  version: ${itf.version},`);
    body.push("  requests: [", ...specMsgs(itf.requests), "  ],");
    body.push("  events: [", ...specMsgs(itf.events), "  ],");
    if (itf.enums.length) body.push(`  enums: { ${itf.enums.map((e) => `${key(e.name)}: ${C}${pascal(e.name)}`).join(", ")} },`);
    else body.push("  enums: {},");
    body.push("};", "");
    // events
    const eventType = (a) => {
      switch (a.type) {
        case "object": return `${cls(a.interface)}${a.nullable ? " | null" : ""}`;
        case "new_id": return cls(a.interface);
        case "string": return `string${a.nullable ? " | null" : ""}`;
        case "array": return "Uint8Array";
        case "fd": return "ReceivedFd";
        default: return "number";
      }
    };
    if (itf.events.length) {
      body.push(`/** Handlers for the events of ${itf.name}, installed with listen() (all) or on() (one); called with the proxy as this. */`);
      body.push(`export interface ${C}Events {`);
      for (const [opcode, ev] of itf.events.entries()) {
        body.push(`  /** ${eventDoc(itf, ev, opcode)} */`);
        body.push(`  ${ev.name}(${ev.args.map((a) => `${ident(a.name)}: ${eventType(a)}`).join(", ")}): void;`);
      }
      body.push("}");
    } else {
      body.push(`/** ${itf.name} has no events, so its handler table is empty. */`);
      body.push(`export type ${C}Events = Record<never, never>;`);
    }
    body.push("");
    body.push(
      `/** Client proxy for a ${itf.name} object (protocol "${protocol.name}", up to v${itf.version}): requests are its methods,` +
        ` events go to {@link ${C}Events} handlers. */`,
    );
    body.push(`export class ${C} extends Proxy<${C}Events> {`);
    body.push(`  /** The wire table of ${itf.name}: ${itf.name}_interface. */`);
    body.push(`  static override readonly spec = ${itf.name}_interface;`);
    body.push(`  /** The version each request and event of ${itf.name} appeared in, by name: compare with the proxy's version. */`);
    body.push(`  static readonly since = { ${sinceTable(itf).join(", ")} } as const;`);
    itf.requests.forEach((rq, opcode) => {
      const params = [];
      const wire = [];
      let ret = "void";
      let call = "request";
      let generic = "";
      for (const a of rq.args) {
        const n = ident(a.name);
        switch (a.type) {
          case "new_id":
            if (a.interface) {
              ret = cls(a.interface);
              call = `requestNew(${opcode}, ${cls(a.interface)}, `;
            } else {
              generic = "<T extends Proxy>";
              params.push(`iface: ProxyClass<T>`, "version: number");
              ret = "T";
              call = `requestNewUntyped(${opcode}, iface, version, `;
            }
            wire.push("NEW_ID");
            break;
          case "object":
            params.push(`${n}: ${cls(a.interface)}${a.nullable ? " | null" : ""}`);
            wire.push(`objectId(${n})`);
            break;
          case "string":
            params.push(`${n}: string${a.nullable ? " | null" : ""}`);
            wire.push(n);
            break;
          case "array":
            params.push(`${n}: Uint8Array`);
            wire.push(n);
            break;
          default:
            params.push(`${n}: number`);
            wire.push(n);
        }
      }
      body.push(`  /** ${requestDoc(itf, rq, opcode)} */`);
      const methodName = key(rq.name);
      if (call === "request") {
        body.push(`  ${methodName}(${params.join(", ")}): void {`, `    this.request(${opcode}, [${wire.join(", ")}]);`, "  }");
      } else {
        body.push(`  ${methodName}${generic}(${params.join(", ")}): ${ret} {`, `    return this.${call}[${wire.join(", ")}]);`, "  }");
      }
    });
    body.push("}", "");
  }
  body.push(`registerInterfaces(${protocol.interfaces.map((i) => pascal(i.name)).join(", ")});`, "");

  lines.push(`// Generated by scripts/gen-wayland.mjs from ${source} (protocol "${protocol.name}").`);
  lines.push("// Names, opcodes, signatures, enums and versions only. Do not edit: run `node scripts/gen-wayland.mjs`.");
  lines.push("/* eslint-disable */");
  lines.push(`import { NEW_ID, objectId, Proxy, type ProxyClass, ReceivedFd, registerInterfaces } from "../proxy.js";`);
  lines.push(`import type { InterfaceSpec } from "../wire.js";`);
  for (const [file, names] of [...imports].sort()) lines.push(`import { ${[...names].sort().join(", ")} } from "./${file.replace(/\.ts$/, ".js")}";`);
  lines.push("", "");
  return lines.join("\n") + body.join("\n");
}

/** The interface versions a committed generated file carries ("wp_color_manager_v1" -> 2), empty when there is none. */
function committedVersions(out) {
  const path = join(OUT_DIR, out);
  const versions = new Map();
  if (!existsSync(path)) return versions;
  for (const m of readFileSync(path, "utf8").matchAll(/^  name: "(\w+)",\n  version: (\d+),$/gm)) versions.set(m[1], Number(m[2]));
  return versions;
}

/** Why the committed file of an optional protocol stays as it is: generated from a newer XML than this machine has (or none); else undefined. */
function keepReason(p, protocol) {
  const committed = committedVersions(p.out);
  if (committed.size === 0) return undefined;
  if (!protocol) return `no XML here (none of ${p.paths.join(", ")}); the committed file stays`;
  const older = protocol.interfaces.filter((i) => (committed.get(i.name) ?? 0) > i.version);
  if (older.length === 0) return undefined;
  return `the XML here is older (${older.map((i) => `${i.name} v${i.version} < v${committed.get(i.name)}`).join(", ")}); the committed file stays`;
}

/** A path for headers and messages: the same whether the XML came from the host or the forky root. */
const shown = (path) => (FORKY && path.startsWith(FORKY + "/") ? path.slice(FORKY.length) : path);

/**
 * Generates every protocol file: returns Map<file name, contents>, the skipped optional ones, and the
 * `kept` ones (optional protocols whose committed file came from a newer XML than this machine has,
 * e.g. forky's wayland-protocols on a machine without the forky root): those are neither rewritten nor
 * checked, and stay in the index.
 */
export function generate() {
  const loaded = [];
  const skipped = [];
  const kept = new Map();
  const exported = [];
  for (const p of PROTOCOLS) {
    const path = p.paths.find((x) => existsSync(x));
    if (!path && !p.optional) throw new Error(`protocol XML not found: ${p.paths.join(" or ")} (install libwayland-dev and wayland-protocols)`);
    const protocol = path ? readProtocol(readFileSync(path, "utf8"), shown(path)) : undefined;
    const keep = p.optional ? keepReason(p, protocol) : undefined;
    if (keep) {
      kept.set(p.out, keep);
      exported.push(p.out);
    } else if (!protocol) skipped.push(`${p.out} (none of ${p.paths.join(", ")})`);
    else {
      loaded.push({ out: p.out, path: shown(path), protocol });
      exported.push(p.out);
    }
  }
  const owner = new Map();
  for (const l of loaded) for (const i of l.protocol.interfaces) owner.set(i.name, l.out);
  const files = new Map();
  for (const l of loaded) files.set(l.out, emit(l.protocol, l.path, owner));
  const index = ["// Generated by scripts/gen-wayland.mjs. Do not edit.", ...exported.map((out) => `export * from "./${out.replace(/\.ts$/, ".js")}";`), ""];
  files.set("index.ts", index.join("\n"));
  return { files, skipped, kept };
}

export const OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "src", "wayland", "protocol");

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes("--check");
  const { files, skipped, kept } = generate();
  for (const s of skipped) console.error(`gen-wayland: skipped optional ${s}`);
  for (const [out, why] of kept) console.error(`gen-wayland: kept ${out}: ${why}`);
  let stale = 0;
  mkdirSync(OUT_DIR, { recursive: true });
  for (const [name, text] of files) {
    const path = join(OUT_DIR, name);
    const current = existsSync(path) ? readFileSync(path, "utf8") : null;
    if (current === text) continue;
    if (check) {
      console.error(`gen-wayland: ${path} is out of date`);
      stale++;
    } else {
      writeFileSync(path, text);
      console.error(`gen-wayland: wrote ${path}`);
    }
  }
  if (stale) process.exit(1);
}
