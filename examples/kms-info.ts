#!/usr/bin/env node
// kms-info: what the DRM devices of this machine offer, like `modetest` but shorter: outputs by name
// with make/model from the EDID, planes with formats and rotations, writeback connectors, lease support.
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import {
  describeMode, DrmDevice, formatPropertyValue, fourccName, fromFixed16, leasesSupported, listDevices, listLessees, listOutputs,
  modeRefresh, planeRotations, DRM_MODE_TYPE_PREFERRED, type BusInfo, type OutputInfo, type PropertySet,
} from "../src/drm/index.js";
import { formatPciAddress } from "../src/sys/dev.js";

function bus(b: BusInfo): string {
  if (b.type === "pci" && "domain" in b) {
    const hex = (n: number) => n.toString(16).padStart(4, "0");
    const ids = b.vendorId !== undefined ? ` [${hex(b.vendorId)}:${hex(b.deviceId ?? 0)}]` : "";
    return `pci ${formatPciAddress(b)}${ids}`;
  }
  return `${b.type} ${"name" in b ? b.name : ""}`;
}

function props(p: PropertySet, indent: string): string[] {
  const out: string[] = [];
  for (const [name, { info, raw }] of p) {
    let v: string;
    if (name === "IN_FORMATS") v = raw ? `blob ${raw} (see formats)` : "none";
    else v = formatPropertyValue(p.value(name));
    const flags = [info.immutable ? "ro" : "", info.atomicOnly ? "atomic" : ""].filter(Boolean).join(",");
    let range = "";
    if (info.range) range = ` [${info.kind === "fixed16" ? `${fromFixed16(info.range[0])}..${fromFixed16(info.range[1])}` : `${info.range[0]}..${info.range[1]}`}]`;
    else if (info.enums && info.enums.length <= 8) range = ` {${info.enums.map((e) => e.name).join(",")}}`;
    out.push(`${indent}${name} = ${v}  (${info.kind}${range}${flags ? `, ${flags}` : ""})`);
  }
  return out;
}

/** An output's lines: name, make/model/serial, preferred mode, CRTCs and planes, HDR facts. */
function outputLines(o: OutputInfo): string[] {
  const who = [o.make, o.model].filter(Boolean).join(" ") || (o.displayInfoError ? `EDID not read: ${o.displayInfoError}` : "no EDID");
  const lines = [
    `  ${o.name} ${o.connector.connection}, ${who}${o.serial ? ` (serial ${o.serial})` : ""}${o.nonDesktop ? ", non-desktop" : ""}`,
    `    preferred ${o.preferredMode ? describeMode(o.preferredMode) : "none"}, ${o.modes.length} modes, crtcs [${o.crtcs.join(", ")}]` +
      `, planes: primary [${o.planes.primary.join(", ")}] overlay [${o.planes.overlay.join(", ")}] cursor [${o.planes.cursor.join(", ")}]`,
  ];
  const d = o.display;
  if (d) {
    const eotfs = Object.entries(d.eotfs).filter(([, v]) => v).map(([k]) => k);
    const col = Object.entries(d.colorimetry).filter(([, v]) => v).map(([k]) => k);
    const lum = d.luminance.max === undefined ? "" : `, max ${d.luminance.max} cd/m², max FALL ${d.luminance.maxFrameAverage ?? "?"}, min ${d.luminance.min ?? "?"}`;
    lines.push(`    EOTFs ${eotfs.join(" ")}; colorimetry ${col.join(" ") || "default RGB"}${lum}`);
  }
  return lines;
}

export function kmsInfo(path?: string, opts: { allModes?: boolean; props?: boolean } = {}): string {
  const lines: string[] = [];
  const devices = listDevices();
  lines.push("Devices:");
  for (const d of devices) lines.push(`  ${d.primary ?? "-"} ${d.render ?? "-"}  driver ${d.driver ?? "?"}, ${bus(d.bus)}`);
  const dev = DrmDevice.open(path); // without a path: the first primary node, or an error naming /dev/dri
  try {
    const v = dev.version();
    lines.push(`\n${dev.path}: ${v.name} ${v.major}.${v.minor}.${v.patch} (${v.description}), master: ${dev.isMaster()}, atomic: ${dev.atomic}`);
    let res = dev.resources();
    lines.push(`  size limits ${res.minWidth}x${res.minHeight} .. ${res.maxWidth}x${res.maxHeight}`);
    const { outputs, writeback } = listOutputs(dev); // also asks for writeback connectors on this fd
    lines.push("\nOutputs:");
    for (const o of outputs) lines.push(...outputLines(o));
    lines.push(`\nWriteback connectors: ${writeback.map((w) => `${w.name} (crtcs ${w.crtcs.join(",")})`).join(", ") || "none"}`);
    const leases = leasesSupported(dev);
    let lessees = "";
    try {
      lessees = leases ? `, active lessees [${listLessees(dev).join(", ")}]` : "";
    } catch {
      /* listing needs master */
    }
    lines.push(`DRM leases: ${leases ? "supported" : "not supported by this kernel"}${lessees}`);
    res = dev.resources(); // now with the writeback connectors
    lines.push("\nConnectors:");
    for (const id of res.connectors) {
      const c = dev.connector(id);
      lines.push(`  ${c.id} ${c.name} ${c.connection}, ${c.mmWidth}x${c.mmHeight} mm, encoders [${c.encoders.join(", ")}], current ${c.encoder ?? "none"}, ${c.modes.length} modes`);
      const modes = opts.allModes ? c.modes : c.modes.slice(0, 4);
      for (const m of modes)
        lines.push(`    ${m.name} ${modeRefresh(m).toFixed(2)} Hz  ${m.clock} kHz${m.type & DRM_MODE_TYPE_PREFERRED ? "  preferred" : ""}`);
      if (modes.length < c.modes.length) lines.push(`    ... ${c.modes.length - modes.length} more (--all-modes)`);
      if (opts.props) lines.push(...props(dev.properties("connector", id), "    "));
    }
    lines.push("\nEncoders:");
    for (const id of res.encoders) {
      const e = dev.encoder(id, res.crtcs);
      lines.push(`  ${e.id} ${e.type}, crtc ${e.crtc ?? "none"}, possible crtcs [${e.possibleCrtcs.join(", ")}]`);
    }
    lines.push("\nCRTCs:");
    for (const id of res.crtcs) {
      const c = dev.crtc(id, res.crtcs);
      lines.push(`  ${c.id} fb ${c.fb ?? "none"}, ${c.mode ? `${c.mode.name} ${modeRefresh(c.mode).toFixed(2)} Hz at ${c.x},${c.y}` : "off"}`);
      if (opts.props) lines.push(...props(dev.properties("crtc", id), "    "));
    }
    lines.push("\nPlanes:");
    for (const id of dev.planes()) {
      const p = dev.plane(id, res.crtcs);
      lines.push(`  ${p.id} ${p.type ?? "?"}, crtc ${p.crtc ?? "none"}, fb ${p.fb ?? "none"}, possible crtcs [${p.possibleCrtcs.join(", ")}]`);
      lines.push(`    formats: ${p.formats.map(fourccName).join(" ")}`);
      lines.push(`    rotation: ${planeRotations(dev, id).join(" ")}`);
      if (p.modifiers) {
        const mods = new Set([...p.modifiers.values()].flat().map((m) => `0x${m.toString(16)}`));
        lines.push(`    modifiers (IN_FORMATS): ${[...mods].join(" ")}`);
      }
      if (opts.props) lines.push(...props(dev.properties("plane", id), "    "));
    }
  } finally {
    dev.close();
  }
  return lines.join("\n");
}

const USAGE = `usage: scanout-kms-info [/dev/dri/cardN] [--all-modes] [--props]
  /dev/dri/cardN  the device to describe (default: every DRM device of this machine)
  --all-modes     list every mode of each connector (default: the preferred and current ones)
  --props         print each object's KMS properties and values
  --help          this text`;

// Run as a program (also through npm's bin symlink), not when imported.
const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (isMain) {
  const args = process.argv.slice(2);
  const unknown = args.find((a) => a.startsWith("-") && !["--all-modes", "--props", "--help", "-h"].includes(a));
  if (args.includes("--help") || args.includes("-h")) {
    console.log(USAGE);
  } else if (unknown) {
    console.error(`kms-info: unknown option '${unknown}'\n${USAGE}`);
    process.exitCode = 2;
  } else {
    try {
      console.log(kmsInfo(args.find((a) => !a.startsWith("-")), { allModes: args.includes("--all-modes"), props: args.includes("--props") }));
    } catch (e) {
      console.error(`kms-info: ${e instanceof Error ? e.message : e}`);
      process.exitCode = 1;
    }
  }
}
