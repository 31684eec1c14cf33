// A DRM device: discovery through sysfs, one owned fd, version/caps/master, and the KMS queries
// (resources, connectors, encoders, CRTCs, planes, properties, blobs, framebuffers) over raw ioctls.
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { close, open, O_NONBLOCK, O_RDWR, SysError } from "../sys/libc.js";
import { logger } from "../util/log.js";
import { addr, checkCount, cstr, drmIoctl, u32s, u64s } from "./ioctl.js";
import { makePropertyInfo, decodeProperty, parseInFormats, type PropertyInfo, type PropertyValue } from "./properties.js";
import {
  connectionName, connectorTypeNames, decodeMode, encodeMode, encoderTypeNames, MODE_INFO_SIZE, ObjectType, optId,
  type BlobId, type Connection, type ConnectorId, type CrtcId, type EncoderId, type FbId, type Mode, type ObjectKind,
  type PlaneId, type PropertyId,
} from "./types.js";

const log = logger("drm");

/** Failure that a user can act on (no device, not master, bad mode...). */
export class DrmError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "DrmError";
  }
}

// ---------------------------------------------------------------------------------------------
// Discovery

export type BusInfo =
  | { type: "pci"; domain: number; bus: number; device: number; function: number; vendorId?: number; deviceId?: number }
  | { type: "platform"; name: string }
  | { type: string; name: string };

export interface DeviceInfo {
  /** /dev/dri/cardN, the node for modesetting. */
  primary?: string;
  /** /dev/dri/renderDN, the node for rendering only. */
  render?: string;
  driver?: string;
  bus: BusInfo;
  /** sysfs path of the underlying device, the key that groups nodes. */
  sysfs: string;
}

const DRI = "/dev/dri";

function busInfo(devPath: string): BusInfo {
  let subsystem = "unknown";
  try {
    subsystem = basename(realpathSync(join(devPath, "subsystem")));
  } catch {
    /* virtual devices have no subsystem link */
  }
  const name = basename(devPath);
  if (subsystem === "pci") {
    const m = /^([0-9a-f]+):([0-9a-f]+):([0-9a-f]+)\.([0-9a-f]+)$/i.exec(name);
    const hex = (file: string) => {
      try {
        return parseInt(readFileSync(join(devPath, file), "utf8").trim(), 16);
      } catch {
        return undefined;
      }
    };
    if (m)
      return {
        type: "pci",
        domain: parseInt(m[1], 16), bus: parseInt(m[2], 16), device: parseInt(m[3], 16), function: parseInt(m[4], 16),
        vendorId: hex("vendor"), deviceId: hex("device"),
      };
  }
  return { type: subsystem, name };
}

/** DRM devices of this machine, each with its primary and render nodes and bus info. [] without DRM. */
export function listDevices(): DeviceInfo[] {
  if (!existsSync(DRI)) return [];
  const byDevice = new Map<string, DeviceInfo>();
  for (const node of readdirSync(DRI).sort()) {
    const isCard = /^card\d+$/.test(node);
    const isRender = /^renderD\d+$/.test(node);
    if (!isCard && !isRender) continue;
    const path = join(DRI, node);
    let sysfs: string;
    try {
      const rdev = statSync(path).rdev;
      const major = Math.floor(rdev / 256) & 0xfff;
      const minor = (rdev & 0xff) | ((rdev >> 12) & 0xfff00);
      sysfs = realpathSync(`/sys/dev/char/${major}:${minor}/device`);
    } catch {
      sysfs = path;
    }
    let info = byDevice.get(sysfs);
    if (!info) {
      let driver: string | undefined;
      try {
        driver = basename(realpathSync(join(sysfs, "driver")));
      } catch {
        // Virtual devices (vkms is a faux platform device) have no bound driver: name the device.
        driver = sysfs.startsWith("/sys/devices/") ? basename(sysfs) : undefined;
      }
      info = { bus: busInfo(sysfs), driver, sysfs };
      byDevice.set(sysfs, info);
    }
    if (isCard) info.primary = path;
    else info.render = path;
  }
  return [...byDevice.values()];
}

// ---------------------------------------------------------------------------------------------
// KMS object shapes

export interface Resources {
  fbs: FbId[];
  crtcs: CrtcId[];
  connectors: ConnectorId[];
  encoders: EncoderId[];
  minWidth: number;
  maxWidth: number;
  minHeight: number;
  maxHeight: number;
}

export interface Connector {
  id: ConnectorId;
  type: (typeof connectorTypeNames)[number] | `type ${number}`;
  typeId: number;
  /** Like the kernel's name: Virtual-1, DP-1, HDMI-A-2. */
  name: string;
  connection: Connection;
  mmWidth: number;
  mmHeight: number;
  modes: Mode[];
  encoders: EncoderId[];
  /** Currently bound encoder. */
  encoder: EncoderId | undefined;
}

export interface Encoder {
  id: EncoderId;
  type: string;
  crtc: CrtcId | undefined;
  possibleCrtcs: CrtcId[];
}

export interface Crtc {
  id: CrtcId;
  /** Index in the resources list, which possible_crtcs masks refer to. */
  index: number;
  fb: FbId | undefined;
  x: number;
  y: number;
  mode: Mode | undefined;
  gammaSize: number;
}

export type PlaneType = "Primary" | "Overlay" | "Cursor";

export interface Plane {
  id: PlaneId;
  type: PlaneType | undefined;
  crtc: CrtcId | undefined;
  fb: FbId | undefined;
  possibleCrtcs: CrtcId[];
  formats: number[];
  /** From the IN_FORMATS blob: format -> modifiers; undefined when the driver has no IN_FORMATS. */
  modifiers: Map<number, bigint[]> | undefined;
}

export interface Framebuffer2 {
  width: number;
  height: number;
  format: number;
  handles: number[];
  pitches: number[];
  offsets: number[];
  /** One modifier for all planes; omit for an implicit layout. */
  modifier?: bigint;
}

/** The property values of one object, readable by name with typed values. */
export class PropertySet {
  constructor(
    readonly owner: string,
    private readonly entries: ReadonlyMap<string, { info: PropertyInfo; raw: bigint }>,
  ) {}
  has(name: string): boolean {
    return this.entries.has(name);
  }
  names(): string[] {
    return [...this.entries.keys()];
  }
  info(name: string): PropertyInfo {
    return this.entry(name).info;
  }
  raw(name: string): bigint {
    return this.entry(name).raw;
  }
  value(name: string): PropertyValue {
    const e = this.entry(name);
    return decodeProperty(e.info, e.raw);
  }
  /** Raw value as a number (object ids, booleans, small ranges). */
  number(name: string): number {
    return Number(this.raw(name));
  }
  enumName(name: string): string | undefined {
    const v = this.value(name);
    if (v.kind !== "enum") throw new Error(`${this.owner}: property ${name} is ${v.kind}, not enum`);
    return v.name;
  }
  blob(name: string): BlobId | undefined {
    const v = this.value(name);
    if (v.kind !== "blob") throw new Error(`${this.owner}: property ${name} is ${v.kind}, not blob`);
    return v.blob;
  }
  [Symbol.iterator](): IterableIterator<[string, { info: PropertyInfo; raw: bigint }]> {
    return this.entries[Symbol.iterator]();
  }
  private entry(name: string) {
    const e = this.entries.get(name);
    if (!e) throw new DrmError(`${this.owner} has no property ${name} (it has ${this.names().join(", ")})`);
    return e;
  }
}

// ---------------------------------------------------------------------------------------------
// Device

export const ClientCap = { stereo3d: 1, universalPlanes: 2, atomic: 3, aspectRatio: 4, writebackConnectors: 5 } as const;
export const Cap = {
  dumbBuffer: 0x1, vblankHighCrtc: 0x2, dumbPreferredDepth: 0x3, dumbPreferShadow: 0x4, prime: 0x5,
  timestampMonotonic: 0x6, asyncPageFlip: 0x7, cursorWidth: 0x8, cursorHeight: 0x9, addFb2Modifiers: 0x10,
  pageFlipTarget: 0x11, crtcInVblankEvent: 0x12, syncobj: 0x13, syncobjTimeline: 0x14,
} as const;

export interface Version {
  major: number;
  minor: number;
  patch: number;
  name: string;
  date: string;
  description: string;
}

export interface OpenOptions {
  /** Ask for atomic + universal planes (default true): needed for atomic commits and all planes. */
  atomic?: boolean;
}

/** An open DRM device node. Owns its fd; `close()` (or `using`) releases it. */
export class DrmDevice {
  private fdValue: number;
  private readonly propInfo = new Map<number, PropertyInfo>();
  atomic = false;

  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.fdValue = fd;
  }

  /** Opens `path`, or the first primary node when omitted; errors say clearly when there is no DRM. */
  static open(path?: string, options: OpenOptions = {}): DrmDevice {
    if (!path) {
      const devices = listDevices().filter((d) => d.primary);
      if (devices.length === 0)
        throw new DrmError(
          existsSync(DRI)
            ? `no DRM device: ${DRI} has no card* node`
            : `no DRM device: ${DRI} does not exist (this kernel has no DRM driver loaded)`,
        );
      path = devices[0].primary!;
    }
    let fd: number;
    try {
      fd = open(path, O_RDWR | O_NONBLOCK);
    } catch (e) {
      const code = e instanceof SysError ? e.code : "";
      const why = code === "ENOENT" ? "no such device" : code === "EACCES" ? "permission denied (need root or the video group)" : String(e);
      throw new DrmError(`cannot open DRM device ${path}: ${why}`, e);
    }
    const dev = new DrmDevice(path, fd);
    try {
      if (options.atomic ?? true) {
        dev.setClientCap("universalPlanes", 1);
        try {
          dev.setClientCap("atomic", 1);
          dev.atomic = true;
        } catch (e) {
          log.info(`${path}: no atomic modesetting (${e instanceof Error ? e.message : e}); legacy only`);
        }
      }
    } catch (e) {
      dev.close();
      throw e;
    }
    return dev;
  }

  get fd(): number {
    if (this.fdValue < 0) throw new DrmError(`DRM device ${this.path} is closed`);
    return this.fdValue;
  }
  get closed(): boolean {
    return this.fdValue < 0;
  }

  close(): void {
    if (this.fdValue < 0) return;
    const fd = this.fdValue;
    // hooks (restore, event readers) still need the fd, so it is marked closed only after them
    for (const hook of this.closeHooks.splice(0).reverse()) {
      try {
        hook();
      } catch (e) {
        log.warn(`${this.path}: while closing: ${e instanceof Error ? e.message : e}`);
      }
    }
    this.fdValue = -1;
    close(fd);
  }
  [Symbol.dispose](): void {
    this.close();
  }
  private readonly closeHooks: (() => void)[] = [];
  /** Runs fn just before the fd closes (event readers, restore). */
  onClose(fn: () => void): void {
    this.closeHooks.push(fn);
  }

  version(): Version {
    const a = Buffer.alloc(64);
    drmIoctl(this.fd, "VERSION", a, this.path);
    const lens = [16, 32, 48].map((o) => checkCount("drm_version string", Number(a.readBigUInt64LE(o)), 1 << 16));
    const bufs = lens.map((n) => Buffer.alloc(n + 1));
    [24, 40, 56].forEach((o, i) => a.writeBigUInt64LE(addr(bufs[i]), o));
    drmIoctl(this.fd, "VERSION", a, this.path);
    const s = (i: number) => cstr(bufs[i], 0, lens[i]);
    return { major: a.readInt32LE(0), minor: a.readInt32LE(4), patch: a.readInt32LE(8), name: s(0), date: s(1), description: s(2) };
  }

  getCap(cap: keyof typeof Cap): bigint {
    const a = Buffer.alloc(16);
    a.writeBigUInt64LE(BigInt(Cap[cap]), 0);
    drmIoctl(this.fd, "GET_CAP", a, `${this.path} cap ${cap}`);
    return a.readBigUInt64LE(8);
  }

  setClientCap(cap: keyof typeof ClientCap, value: number): void {
    const a = Buffer.alloc(16);
    a.writeBigUInt64LE(BigInt(ClientCap[cap]), 0);
    a.writeBigUInt64LE(BigInt(value), 8);
    drmIoctl(this.fd, "SET_CLIENT_CAP", a, `${this.path} client cap ${cap}=${value}`);
  }

  /** Whether this fd is DRM master (probed as libdrm does: AUTH_MAGIC(0) is EACCES only for non-masters). */
  isMaster(): boolean {
    try {
      drmIoctl(this.fd, "AUTH_MAGIC", Buffer.alloc(4));
      return true;
    } catch (e) {
      if (e instanceof SysError && e.code === "EACCES") return false;
      return true;
    }
  }
  setMaster(): void {
    try {
      drmIoctl(this.fd, "SET_MASTER", null, this.path);
    } catch (e) {
      throw new DrmError(`cannot become DRM master of ${this.path}: ${e instanceof SysError ? e.code : e} (another process, e.g. a compositor, holds it)`, e);
    }
  }
  dropMaster(): void {
    drmIoctl(this.fd, "DROP_MASTER", null, this.path);
  }

  // -------------------------------------------------------------------------------------------
  // KMS queries

  resources(): Resources {
    for (let attempt = 0; ; attempt++) {
      const a = Buffer.alloc(64);
      drmIoctl(this.fd, "MODE_GETRESOURCES", a, this.path);
      const counts = [32, 36, 40, 44].map((o) => checkCount("mode resources", a.readUInt32LE(o)));
      const bufs = counts.map((n) => Buffer.alloc(n * 4));
      [0, 8, 16, 24].forEach((o, i) => a.writeBigUInt64LE(addr(bufs[i]), o));
      drmIoctl(this.fd, "MODE_GETRESOURCES", a, this.path);
      const again = [32, 36, 40, 44].map((o) => a.readUInt32LE(o));
      // a hotplug between the calls can grow the lists: ask again
      if (again.some((n, i) => n > counts[i]) && attempt < 5) continue;
      const [fbs, crtcs, connectors, encoders] = bufs.map((b, i) => u32s(b, Math.min(counts[i], again[i])));
      return {
        fbs: fbs as FbId[], crtcs: crtcs as CrtcId[], connectors: connectors as ConnectorId[], encoders: encoders as EncoderId[],
        minWidth: a.readUInt32LE(48), maxWidth: a.readUInt32LE(52), minHeight: a.readUInt32LE(56), maxHeight: a.readUInt32LE(60),
      };
    }
  }

  connector(id: ConnectorId): Connector {
    const what = `connector ${id}`;
    for (let attempt = 0; ; attempt++) {
      const a = Buffer.alloc(80);
      a.writeUInt32LE(id, 48);
      drmIoctl(this.fd, "MODE_GETCONNECTOR", a, what);
      const nModes = checkCount(`${what} modes`, a.readUInt32LE(32));
      const nEnc = checkCount(`${what} encoders`, a.readUInt32LE(40));
      const modes = Buffer.alloc(nModes * MODE_INFO_SIZE);
      const encs = Buffer.alloc(nEnc * 4);
      const b = Buffer.alloc(80);
      b.writeUInt32LE(id, 48);
      b.writeBigUInt64LE(addr(encs), 0);
      b.writeBigUInt64LE(addr(modes), 8);
      b.writeUInt32LE(nModes, 32);
      b.writeUInt32LE(nEnc, 40);
      drmIoctl(this.fd, "MODE_GETCONNECTOR", b, what);
      if ((b.readUInt32LE(32) > nModes || b.readUInt32LE(40) > nEnc) && attempt < 5) continue;
      const typeRaw = b.readUInt32LE(52);
      const typeId = b.readUInt32LE(56);
      const type = connectorTypeNames[typeRaw] ?? (`type ${typeRaw}` as const);
      const modeList: Mode[] = [];
      for (let i = 0; i < Math.min(nModes, b.readUInt32LE(32)); i++) modeList.push(decodeMode(modes, i * MODE_INFO_SIZE));
      return {
        id, type, typeId, name: `${type}-${typeId}`,
        connection: connectionName(b.readUInt32LE(60)),
        mmWidth: b.readUInt32LE(64), mmHeight: b.readUInt32LE(68),
        modes: modeList,
        encoders: u32s(encs, Math.min(nEnc, b.readUInt32LE(40))) as EncoderId[],
        encoder: optId<EncoderId>(b.readUInt32LE(44)),
      };
    }
  }

  encoder(id: EncoderId, crtcs: readonly CrtcId[] = this.resources().crtcs): Encoder {
    const a = Buffer.alloc(20);
    a.writeUInt32LE(id, 0);
    drmIoctl(this.fd, "MODE_GETENCODER", a, `encoder ${id}`);
    const type = a.readUInt32LE(4);
    return {
      id, type: encoderTypeNames[type] ?? `type ${type}`,
      crtc: optId<CrtcId>(a.readUInt32LE(8)),
      possibleCrtcs: maskToIds(a.readUInt32LE(12), crtcs),
    };
  }

  crtc(id: CrtcId, crtcs: readonly CrtcId[] = this.resources().crtcs): Crtc {
    const a = Buffer.alloc(104);
    a.writeUInt32LE(id, 12);
    drmIoctl(this.fd, "MODE_GETCRTC", a, `crtc ${id}`);
    return {
      id, index: crtcs.indexOf(id),
      fb: optId<FbId>(a.readUInt32LE(16)),
      x: a.readUInt32LE(20), y: a.readUInt32LE(24), gammaSize: a.readUInt32LE(28),
      mode: a.readUInt32LE(32) ? decodeMode(a, 36) : undefined,
    };
  }

  planes(): PlaneId[] {
    const a = Buffer.alloc(16);
    drmIoctl(this.fd, "MODE_GETPLANERESOURCES", a, this.path);
    const n = checkCount("planes", a.readUInt32LE(8));
    const ids = Buffer.alloc(n * 4);
    a.writeBigUInt64LE(addr(ids), 0);
    drmIoctl(this.fd, "MODE_GETPLANERESOURCES", a, this.path);
    return u32s(ids, Math.min(n, a.readUInt32LE(8))) as PlaneId[];
  }

  plane(id: PlaneId, crtcs: readonly CrtcId[] = this.resources().crtcs): Plane {
    const what = `plane ${id}`;
    const a = Buffer.alloc(32);
    a.writeUInt32LE(id, 0);
    drmIoctl(this.fd, "MODE_GETPLANE", a, what);
    const n = checkCount(`${what} formats`, a.readUInt32LE(20));
    const fmts = Buffer.alloc(n * 4);
    a.writeBigUInt64LE(addr(fmts), 24);
    drmIoctl(this.fd, "MODE_GETPLANE", a, what);
    const props = this.properties("plane", id);
    let modifiers: Map<number, bigint[]> | undefined;
    if (props.has("IN_FORMATS")) {
      const blob = props.blob("IN_FORMATS");
      if (blob !== undefined) modifiers = parseInFormats(this.blob(blob));
    }
    return {
      id,
      type: props.has("type") ? (props.enumName("type") as PlaneType | undefined) : undefined,
      crtc: optId<CrtcId>(a.readUInt32LE(4)),
      fb: optId<FbId>(a.readUInt32LE(8)),
      possibleCrtcs: maskToIds(a.readUInt32LE(12), crtcs),
      formats: u32s(fmts, Math.min(n, a.readUInt32LE(20))),
      modifiers,
    };
  }

  /** Definition of a property (cached: definitions do not change while the device is open). */
  propertyInfo(id: PropertyId | number): PropertyInfo {
    const cached = this.propInfo.get(id);
    if (cached) return cached;
    const what = `property ${id}`;
    const a = Buffer.alloc(64);
    a.writeUInt32LE(id, 16);
    drmIoctl(this.fd, "MODE_GETPROPERTY", a, what);
    const nValues = checkCount(`${what} values`, a.readUInt32LE(56));
    const nEnums = checkCount(`${what} enums`, a.readUInt32LE(60));
    const values = Buffer.alloc(nValues * 8);
    const enums = Buffer.alloc(nEnums * 40);
    const flags0 = a.readUInt32LE(20);
    a.writeBigUInt64LE(addr(values), 0);
    // for blob properties the kernel fills enum_blob_ptr with blob ids, not enums: leave it empty
    const isEnum = (flags0 & (8 | 32)) !== 0;
    a.writeBigUInt64LE(isEnum ? addr(enums) : 0n, 8);
    if (!isEnum) a.writeUInt32LE(0, 60);
    drmIoctl(this.fd, "MODE_GETPROPERTY", a, what);
    const name = cstr(a, 24, 32);
    const enumList = isEnum
      ? Array.from({ length: Math.min(nEnums, a.readUInt32LE(60)) }, (_, i) => ({
          value: enums.readBigUInt64LE(i * 40),
          name: cstr(enums, i * 40 + 8, 32),
        }))
      : [];
    const info = makePropertyInfo(id, name, a.readUInt32LE(20), u64s(values, Math.min(nValues, a.readUInt32LE(56))), enumList);
    this.propInfo.set(id, info);
    return info;
  }

  /** All properties of an object with their current values. */
  properties(kind: "crtc", id: CrtcId): PropertySet;
  properties(kind: "connector", id: ConnectorId): PropertySet;
  properties(kind: "plane", id: PlaneId): PropertySet;
  properties(kind: "encoder" | "framebuffer", id: number): PropertySet;
  properties(kind: ObjectKind, id: number): PropertySet {
    const owner = `${kind} ${id}`;
    for (let attempt = 0; ; attempt++) {
      const a = Buffer.alloc(32);
      a.writeUInt32LE(id, 20);
      a.writeUInt32LE(ObjectType[kind], 24);
      drmIoctl(this.fd, "MODE_OBJ_GETPROPERTIES", a, owner);
      const n = checkCount(`${owner} properties`, a.readUInt32LE(16));
      const ids = Buffer.alloc(n * 4);
      const vals = Buffer.alloc(n * 8);
      a.writeBigUInt64LE(addr(ids), 0);
      a.writeBigUInt64LE(addr(vals), 8);
      drmIoctl(this.fd, "MODE_OBJ_GETPROPERTIES", a, owner);
      if (a.readUInt32LE(16) > n && attempt < 5) continue;
      const m = new Map<string, { info: PropertyInfo; raw: bigint }>();
      const idList = u32s(ids, Math.min(n, a.readUInt32LE(16)));
      const valList = u64s(vals, idList.length);
      idList.forEach((pid, i) => {
        const info = this.propertyInfo(pid);
        m.set(info.name, { info, raw: valList[i] });
      });
      return new PropertySet(owner, m);
    }
  }

  blob(id: BlobId): Buffer {
    const what = `blob ${id}`;
    const a = Buffer.alloc(16);
    a.writeUInt32LE(id, 0);
    drmIoctl(this.fd, "MODE_GETPROPBLOB", a, what);
    const len = checkCount(`${what} length`, a.readUInt32LE(4), 1 << 24);
    const data = Buffer.alloc(len);
    a.writeBigUInt64LE(addr(data), 8);
    drmIoctl(this.fd, "MODE_GETPROPBLOB", a, what);
    if (a.readUInt32LE(4) !== len) throw new DrmError(`${what} changed size while being read`);
    return data;
  }

  createBlob(data: Uint8Array): BlobId {
    const buf = Buffer.from(data);
    const a = Buffer.alloc(16);
    a.writeBigUInt64LE(addr(buf), 0);
    a.writeUInt32LE(buf.length, 8);
    drmIoctl(this.fd, "MODE_CREATEPROPBLOB", a, `new blob of ${buf.length} bytes`);
    return a.readUInt32LE(12) as BlobId;
  }

  destroyBlob(id: BlobId): void {
    const a = Buffer.alloc(4);
    a.writeUInt32LE(id, 0);
    drmIoctl(this.fd, "MODE_DESTROYPROPBLOB", a, `blob ${id}`);
  }

  createModeBlob(mode: Mode): BlobId {
    return this.createBlob(encodeMode(mode));
  }

  modeFromBlob(id: BlobId): Mode {
    const b = this.blob(id);
    if (b.length < MODE_INFO_SIZE) throw new DrmError(`blob ${id}: ${b.length} bytes is not a mode`);
    return decodeMode(b);
  }

  addFramebuffer(fb: Framebuffer2): FbId {
    const n = fb.handles.length;
    if (n < 1 || n > 4 || fb.pitches.length !== n || fb.offsets.length !== n)
      throw new DrmError(`AddFB2: handles/pitches/offsets must have 1..4 equal-length entries`);
    const a = Buffer.alloc(104);
    a.writeUInt32LE(fb.width, 4);
    a.writeUInt32LE(fb.height, 8);
    a.writeUInt32LE(fb.format, 12);
    a.writeUInt32LE(fb.modifier === undefined ? 0 : 2 /* DRM_MODE_FB_MODIFIERS */, 16);
    for (let i = 0; i < n; i++) {
      a.writeUInt32LE(fb.handles[i], 20 + i * 4);
      a.writeUInt32LE(fb.pitches[i], 36 + i * 4);
      a.writeUInt32LE(fb.offsets[i], 52 + i * 4);
      if (fb.modifier !== undefined) a.writeBigUInt64LE(fb.modifier, 72 + i * 8);
    }
    drmIoctl(this.fd, "MODE_ADDFB2", a,
      `${fb.width}x${fb.height} format 0x${fb.format.toString(16)}${fb.modifier !== undefined ? ` modifier 0x${fb.modifier.toString(16)}` : ""}`);
    return a.readUInt32LE(0) as FbId;
  }

  removeFramebuffer(id: FbId): void {
    const a = Buffer.alloc(4);
    a.writeUInt32LE(id, 0);
    drmIoctl(this.fd, "MODE_RMFB", a, `framebuffer ${id}`);
  }

  /** Whether a framebuffer id still exists (GETFB; the returned GEM handle is closed at once). */
  framebufferExists(id: FbId): boolean {
    const a = Buffer.alloc(28);
    a.writeUInt32LE(id, 0);
    try {
      drmIoctl(this.fd, "MODE_GETFB", a, `framebuffer ${id}`);
    } catch (e) {
      if (e instanceof SysError && e.code === "ENOENT") return false;
      throw e;
    }
    const handle = a.readUInt32LE(24);
    if (handle) this.closeHandle(handle);
    return true;
  }

  /** PRIME import: a GEM handle for a dmabuf fd (the fd stays the caller's). */
  importDmabuf(fd: number): number {
    const a = Buffer.alloc(12);
    a.writeInt32LE(fd, 8);
    drmIoctl(this.fd, "PRIME_FD_TO_HANDLE", a, `dmabuf fd ${fd}`);
    return a.readUInt32LE(0);
  }

  /** PRIME export: a CLOEXEC dmabuf fd for a GEM handle, owned by the caller. */
  exportDmabuf(handle: number): number {
    const a = Buffer.alloc(12);
    a.writeUInt32LE(handle, 0);
    a.writeUInt32LE(0o2000000 | 2 /* DRM_CLOEXEC | DRM_RDWR */, 4);
    drmIoctl(this.fd, "PRIME_HANDLE_TO_FD", a, `GEM handle ${handle}`);
    return a.readInt32LE(8);
  }

  closeHandle(handle: number): void {
    const a = Buffer.alloc(8);
    a.writeUInt32LE(handle, 0);
    drmIoctl(this.fd, "GEM_CLOSE", a, `GEM handle ${handle}`);
  }

  /** Legacy SETCRTC (used only when atomic is unavailable, and by restore's fallback). */
  setCrtcLegacy(crtc: CrtcId, fb: FbId | undefined, mode: Mode | undefined, connectors: readonly ConnectorId[], x = 0, y = 0): void {
    const conns = Buffer.alloc(connectors.length * 4);
    connectors.forEach((c, i) => conns.writeUInt32LE(c, i * 4));
    const a = Buffer.alloc(104);
    a.writeBigUInt64LE(addr(conns), 0);
    a.writeUInt32LE(connectors.length, 8);
    a.writeUInt32LE(crtc, 12);
    a.writeUInt32LE(fb ?? 0, 16);
    a.writeUInt32LE(x, 20);
    a.writeUInt32LE(y, 24);
    if (mode) {
      a.writeUInt32LE(1, 32);
      encodeMode(mode, a, 36);
    }
    drmIoctl(this.fd, "MODE_SETCRTC", a, `crtc ${crtc}`);
  }

  /** Legacy SETPLANE with fb undefined: disables the plane. */
  disablePlaneLegacy(plane: PlaneId): void {
    const a = Buffer.alloc(48);
    a.writeUInt32LE(plane, 0);
    drmIoctl(this.fd, "MODE_SETPLANE", a, `plane ${plane}`);
  }
}

function maskToIds<T>(mask: number, ids: readonly T[]): T[] {
  return ids.filter((_, i) => i < 32 && (mask >>> i) & 1);
}
