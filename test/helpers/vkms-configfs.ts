// vkms devices of our own topology, built through the kernel's configfs (kernel 7.x; the VM mounts
// configfs at /sys/kernel/config whenever vkms is loaded, test/vm/run-in-vm.sh). A device is a
// folder under /sys/kernel/config/vkms/NAME with planes/, crtcs/, encoders/ and connectors/, linked
// together (possible_crtcs, possible_encoders) and then switched on with `enabled`; the kernel then
// registers a faux device NAME with its own /dev/dri/cardN. Layout and rules as 7.3's
// drivers/gpu/drm/vkms/vkms_configfs.c and vkms_config.c have them: every CRTC needs exactly one
// primary plane and at most one cursor, every plane, encoder and connector at least one link.
// Nothing of a device can change while it is enabled except a connector's `status` (a hotplug).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ConnectorId } from "../../src/drm/index.js";

/** Where the kernel documents configfs (Documentation/gpu/vkms.rst) and where the VM mounts it. */
export const VKMS_CONFIGFS = "/sys/kernel/config/vkms";

/** A plane's role, as configfs's `type` takes it (0 overlay, 1 primary, 2 cursor). */
export type VkmsPlaneType = "overlay" | "primary" | "cursor";
/** A connector's `status` (1 connected, 2 disconnected, 3 unknown): what the kernel reports for it. */
export type VkmsConnectorStatus = "connected" | "disconnected" | "unknown";

const PLANE_TYPE: Record<VkmsPlaneType, number> = { overlay: 0, primary: 1, cursor: 2 };
const STATUS: Record<VkmsConnectorStatus, number> = { connected: 1, disconnected: 2, unknown: 3 };
const STATUS_NAME = Object.fromEntries(Object.entries(STATUS).map(([k, v]) => [v, k])) as Record<number, VkmsConnectorStatus>;

/** A CRTC; with writeback, the kernel adds a writeback connector fed by it (Writeback-N). */
export interface VkmsCrtcSpec {
  writeback?: boolean;
}
/** A plane and the CRTCs (indices into `crtcs`) it may show on. */
export interface VkmsPlaneSpec {
  type: VkmsPlaneType;
  crtcs: readonly number[];
}
/** An encoder and the CRTCs (indices) it may take its picture from. */
export interface VkmsEncoderSpec {
  crtcs: readonly number[];
}
/** A connector (Virtual-N, in this order), its initial status (default connected) and its encoders (indices). */
export interface VkmsConnectorSpec {
  status?: VkmsConnectorStatus;
  encoders: readonly number[];
}
/** A whole vkms device as configfs builds it; indices refer to the arrays' positions. */
export interface VkmsTopology {
  crtcs: readonly VkmsCrtcSpec[];
  planes: readonly VkmsPlaneSpec[];
  encoders: readonly VkmsEncoderSpec[];
  connectors: readonly VkmsConnectorSpec[];
}

/** Options of outputsTopology: what every output (CRTC + encoder + connector) gets besides its primary plane. */
export interface OutputsOptions {
  /** A writeback connector on every CRTC (default true: tests read what was shown through it). */
  writeback?: boolean;
  /** Overlay planes per CRTC (default 0). */
  overlays?: number;
  /** A cursor plane per CRTC (default false). */
  cursor?: boolean;
  /** Initial status per output (default all connected). */
  status?: readonly VkmsConnectorStatus[];
}

/**
 * The usual topology: `n` independent outputs, each a CRTC with its own primary plane (plus overlays
 * and a cursor if asked), one encoder and one connector, so connector i is Virtual-(i+1) on CRTC i.
 */
export function outputsTopology(n: number, options: OutputsOptions = {}): VkmsTopology {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`outputsTopology: ${n} outputs (at least 1)`);
  const idx = [...Array(n).keys()];
  return {
    crtcs: idx.map(() => ({ writeback: options.writeback ?? true })),
    planes: idx.flatMap((i) => [
      { type: "primary" as const, crtcs: [i] },
      ...Array.from({ length: options.overlays ?? 0 }, () => ({ type: "overlay" as const, crtcs: [i] })),
      ...(options.cursor ? [{ type: "cursor" as const, crtcs: [i] }] : []),
    ]),
    encoders: idx.map((i) => ({ crtcs: [i] })),
    connectors: idx.map((i) => ({ status: options.status?.[i] ?? "connected", encoders: [i] })),
  };
}

/** Why configfs devices cannot be made here, or undefined when they can (kernel 7.x with vkms and configfs mounted, as root). */
export function vkmsConfigfsSkipReason(): string | undefined {
  if (!existsSync(VKMS_CONFIGFS))
    return existsSync("/sys/module/vkms")
      ? `vkms is loaded but ${VKMS_CONFIGFS} is missing (kernel older than 6.19, or configfs not mounted at /sys/kernel/config)`
      : `no ${VKMS_CONFIGFS}: needs vkms on kernel 7.x with configfs mounted (the VM: test/vm/run-suite.sh)`;
  if (process.getuid?.() !== 0) return `making vkms devices under ${VKMS_CONFIGFS} needs root`;
  return undefined;
}

/** The last kernel messages, for an error that only dmesg explains (vkms logs why a topology is invalid). */
function kernelLogTail(lines = 5): string {
  try {
    return execFileSync("dmesg", [], { encoding: "utf8" }).trim().split("\n").slice(-lines).join(" | ");
  } catch {
    return "(dmesg unreadable)";
  }
}

/** Runs a configfs write/mkdir/link, saying which file and what the kernel answered. */
function fsStep(what: string, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new Error(`vkms configfs: ${what} failed with ${code}`, { cause: e });
  }
}

function checkIndices(kind: string, i: number, refs: readonly number[], of: string, count: number): void {
  if (refs.length === 0) throw new RangeError(`vkms topology: ${kind} ${i} links to no ${of} (the kernel needs at least one)`);
  for (const r of refs) if (!Number.isInteger(r) || r < 0 || r >= count) throw new RangeError(`vkms topology: ${kind} ${i} links to ${of} ${r}, but there are ${count}`);
}

/** Checks a topology against the rules vkms_config_is_valid applies, so a mistake is named before the kernel says only EINVAL. */
export function checkTopology(t: VkmsTopology): void {
  if (t.crtcs.length === 0) throw new RangeError("vkms topology: no CRTC");
  if (t.encoders.length === 0 || t.connectors.length === 0) throw new RangeError("vkms topology: needs at least one encoder and one connector");
  t.planes.forEach((p, i) => checkIndices("plane", i, p.crtcs, "crtc", t.crtcs.length));
  t.encoders.forEach((e, i) => checkIndices("encoder", i, e.crtcs, "crtc", t.crtcs.length));
  t.connectors.forEach((c, i) => checkIndices("connector", i, c.encoders, "encoder", t.encoders.length));
  t.crtcs.forEach((_, c) => {
    const on = (type: VkmsPlaneType) => t.planes.filter((p) => p.type === type && p.crtcs.includes(c)).length;
    if (on("primary") !== 1) throw new RangeError(`vkms topology: crtc ${c} has ${on("primary")} primary planes (exactly one needed)`);
    if (on("cursor") > 1) throw new RangeError(`vkms topology: crtc ${c} has ${on("cursor")} cursor planes (at most one)`);
  });
}

/**
 * One vkms device made through configfs: created and enabled by VkmsConfigfsDevice.create, then
 * reachable at `card`. destroy() (also `using`) disables it and removes its folders in the order the
 * kernel requires (links, then items, then the device). Close DRM fds on it before destroying.
 */
export class VkmsConfigfsDevice {
  /** The devices this process made and has not destroyed, by name: a new device of a taken name retires the old object. */
  private static readonly live = new Map<string, VkmsConfigfsDevice>();
  private destroyed = false;
  private constructor(
    /** The configfs folder name, which is also the faux device's name. */
    readonly name: string,
    readonly topology: VkmsTopology,
    /** /sys/kernel/config/vkms/NAME */
    readonly dir: string,
    /** /dev/dri/cardN of the enabled device. */
    readonly card: string,
  ) {}

  /**
   * Builds `topology` under configfs as device `name`, enables it and waits for its card node.
   * Throws (after removing what it made) naming the step the kernel refused; an existing device of
   * that name (a test that died before its teardown) is removed first.
   */
  static async create(name: string, topology: VkmsTopology): Promise<VkmsConfigfsDevice> {
    const why = vkmsConfigfsSkipReason();
    if (why) throw new Error(`vkms configfs: ${why}`);
    if (!/^[A-Za-z0-9_-]+$/.test(name) || name === "default") throw new RangeError(`vkms configfs: device name "${name}" (letters, digits, - and _; not "default")`);
    checkTopology(topology);
    const dir = join(VKMS_CONFIGFS, name);
    const old = VkmsConfigfsDevice.live.get(name);
    if (old) old.destroyed = true; // its folder goes now; a later destroy() of it must not take the new one
    VkmsConfigfsDevice.live.delete(name);
    if (existsSync(dir)) removeDeviceDir(dir);
    try {
      build(dir, topology);
      try {
        writeFileSync(join(dir, "enabled"), "1");
      } catch (e) {
        throw new Error(`vkms configfs: enabling ${name} failed with ${(e as NodeJS.ErrnoException).code}; kernel says: ${kernelLogTail()}`, { cause: e });
      }
      const card = await waitForCard(name);
      const dev = new VkmsConfigfsDevice(name, topology, dir, card);
      VkmsConfigfsDevice.live.set(name, dev);
      return dev;
    } catch (e) {
      removeDeviceDir(dir);
      throw e;
    }
  }

  /** The sysfs folder of the faux device (its drm/cardN and the connectors' cardN-Virtual-M folders are below). */
  get sysfs(): string {
    return `/sys/bus/faux/devices/${this.name}`;
  }

  /**
   * The kernel's id and name of connector `i` (in the topology's order), from sysfs. Names are not
   * fixed: the kernel numbers connectors of a type across all devices (vkms's default device or
   * virtio-gpu may already have Virtual-1).
   */
  connector(i: number): { id: ConnectorId; name: string } {
    this.checkConnector(i);
    const card = this.card.replace("/dev/dri/", "");
    const found = list("/sys/class/drm")
      .filter((n) => n.startsWith(`${card}-`) && !n.startsWith(`${card}-Writeback-`))
      .map((n) => ({ id: Number(readFileSync(join("/sys/class/drm", n, "connector_id"), "utf8").trim()) as ConnectorId, name: n.slice(card.length + 1) }))
      .sort((a, b) => a.id - b.id);
    if (found.length !== this.topology.connectors.length)
      throw new Error(`vkms device ${this.name}: sysfs lists ${found.length} connectors of ${card}, the topology has ${this.topology.connectors.length}`);
    return found[i]!;
  }

  /** Connector i's status as configfs holds it (what the next probe reports). */
  status(i: number): VkmsConnectorStatus {
    this.checkConnector(i);
    return STATUS_NAME[Number(readFileSync(join(this.dir, "connectors", `connector${i}`, "status"), "utf8").trim())] ?? "unknown";
  }

  /** Changes connector i's status while the device runs: the kernel sends a hotplug uevent for the card. */
  setStatus(i: number, status: VkmsConnectorStatus): void {
    this.checkConnector(i);
    if (this.destroyed) throw new Error(`vkms configfs: ${this.name} is destroyed`);
    const file = join(this.dir, "connectors", `connector${i}`, "status");
    fsStep(`writing ${STATUS[status]} (${status}) to ${file}`, () => writeFileSync(file, String(STATUS[status])));
  }

  /** The connector's status as the kernel's sysfs shows it (/sys/class/drm/cardN-Virtual-M/status). */
  sysfsStatus(i: number): string {
    return readFileSync(`/sys/class/drm/${this.card.replace("/dev/dri/", "")}-${this.connector(i).name}/status`, "utf8").trim();
  }

  /** Disables the device (its card goes away) and removes its configfs folders. Idempotent. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    VkmsConfigfsDevice.live.delete(this.name);
    removeDeviceDir(this.dir);
  }
  /** `using` support: destroy(). */
  [Symbol.dispose](): void {
    this.destroy();
  }

  private checkConnector(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.topology.connectors.length)
      throw new RangeError(`vkms device ${this.name}: no connector ${i} (it has ${this.topology.connectors.length})`);
  }
}

function build(dir: string, t: VkmsTopology): void {
  const mk = (path: string) => fsStep(`mkdir ${path}`, () => mkdirSync(path));
  const write = (file: string, value: number) => fsStep(`writing ${value} to ${file}`, () => writeFileSync(file, String(value)));
  const link = (target: string, linkDir: string) => fsStep(`linking ${target} into ${linkDir}`, () => symlinkSync(target, join(linkDir, target.split("/").pop()!)));
  mk(dir);
  t.crtcs.forEach((c, i) => {
    const d = join(dir, "crtcs", `crtc${i}`);
    mk(d);
    write(join(d, "writeback"), c.writeback ? 1 : 0);
  });
  t.planes.forEach((p, i) => {
    const d = join(dir, "planes", `plane${i}`);
    mk(d);
    write(join(d, "type"), PLANE_TYPE[p.type]);
    for (const c of p.crtcs) link(join(dir, "crtcs", `crtc${c}`), join(d, "possible_crtcs"));
  });
  t.encoders.forEach((e, i) => {
    const d = join(dir, "encoders", `encoder${i}`);
    mk(d);
    for (const c of e.crtcs) link(join(dir, "crtcs", `crtc${c}`), join(d, "possible_crtcs"));
  });
  t.connectors.forEach((c, i) => {
    const d = join(dir, "connectors", `connector${i}`);
    mk(d);
    write(join(d, "status"), STATUS[c.status ?? "connected"]);
    for (const e of c.encoders) link(join(dir, "encoders", `encoder${e}`), join(d, "possible_encoders"));
  });
}

const list = (d: string) => (existsSync(d) ? readdirSync(d) : []);

/** Disables a device folder and removes it: links first, then planes, CRTCs, encoders, connectors, then the device (vkms.rst's order). */
function removeDeviceDir(dir: string): void {
  if (!existsSync(dir)) return;
  if (readFileSync(join(dir, "enabled"), "utf8").trim() === "1") fsStep(`disabling ${dir}`, () => writeFileSync(join(dir, "enabled"), "0"));
  for (const [group, links] of [["planes", "possible_crtcs"], ["encoders", "possible_crtcs"], ["connectors", "possible_encoders"]] as const)
    for (const item of list(join(dir, group)))
      for (const l of list(join(dir, group, item, links))) fsStep(`unlink ${l}`, () => unlinkSync(join(dir, group, item, links, l)));
  for (const group of ["planes", "crtcs", "encoders", "connectors"])
    for (const item of list(join(dir, group))) fsStep(`rmdir ${group}/${item}`, () => rmdirSync(join(dir, group, item)));
  fsStep(`rmdir ${dir}`, () => rmdirSync(dir));
}

/** The card node of an enabled device: /sys/bus/faux/devices/NAME/drm/cardN, then its /dev node (devtmpfs makes it). */
async function waitForCard(name: string): Promise<string> {
  const drm = `/sys/bus/faux/devices/${name}/drm`;
  for (let waited = 0; ; waited += 20) {
    const card = list(drm).find((n) => /^card\d+$/.test(n));
    if (card && existsSync(`/dev/dri/${card}`)) return `/dev/dri/${card}`;
    if (waited >= 5000) throw new Error(`vkms configfs: ${name} is enabled but has no card node after 5 s (${drm}: ${list(drm).join(", ") || "missing"})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
