// An open DRM device node: one owned fd, version/caps/master, and the KMS queries and buffer calls
// as methods (the ioctls themselves are in queries.ts and buffers.ts). Finding devices: discovery.ts.
import { inspect } from "node:util";
import { close, open, O_NONBLOCK, O_RDWR, SysError } from "../sys/libc.js";
import { logger } from "../util/log.js";
import {
  addFramebuffer, destroyById, framebufferExists, framebufferFromDmabuf, type DmabufLayout, type Framebuffer2,
} from "./buffers.js";
import { listDevices, noDeviceReason } from "./discovery.js";
import { DrmError, DrmUnavailableError } from "./error.js";
import { addr, checkCount, cstr, drmIoctl } from "./ioctl.js";
import type { Connector, Crtc, Encoder, Plane, PlaneType, Resources } from "./objects.js";
import { parseInFormats, PropertySet, type PropertyInfo } from "./properties.js";
import {
  readBlob, readConnector, readCrtc, readEncoder, readObjectProperties, readPlane, readPlaneIds, readPropertyInfo,
  readResources,
} from "./queries.js";
import {
  decodeMode, encodeMode, MODE_INFO_SIZE, type BlobId, type ColoropId, type ConnectorId, type CrtcId, type EncoderId, type FbId,
  type Mode, type ObjectKind, type PlaneId, type PropertyId,
} from "./types.js";

const log = logger("drm");

/** DRM client capabilities (DRM_CLIENT_CAP_*) by name, for DrmDevice.setClientCap. DrmDevice.open turns on universalPlanes and atomic by default. */
export const ClientCap = {
  stereo3d: 1, universalPlanes: 2, atomic: 3, aspectRatio: 4, writebackConnectors: 5, cursorPlaneHotspot: 6,
  /** Planes show COLOR_PIPELINE (and hide COLOR_ENCODING/COLOR_RANGE); colorops become settable. EOPNOTSUPP when no plane has a pipeline. */
  planeColorPipeline: 7,
} as const;
/** Device capabilities (DRM_CAP_*) by name, for DrmDevice.getCap; e.g. dumbBuffer, prime, addFb2Modifiers, cursorWidth. */
export const Cap = {
  dumbBuffer: 0x1, vblankHighCrtc: 0x2, dumbPreferredDepth: 0x3, dumbPreferShadow: 0x4, prime: 0x5,
  timestampMonotonic: 0x6, asyncPageFlip: 0x7, cursorWidth: 0x8, cursorHeight: 0x9, addFb2Modifiers: 0x10,
  pageFlipTarget: 0x11, crtcInVblankEvent: 0x12, syncobj: 0x13, syncobjTimeline: 0x14, atomicAsyncPageFlip: 0x15,
} as const;

/** The kernel driver behind a node (DRM_IOCTL_VERSION): version numbers, short name (e.g. "i915", "amdgpu", "vkms"), date and description. */
export interface Version {
  major: number;
  minor: number;
  patch: number;
  name: string;
  date: string;
  description: string;
}

/** Options of DrmDevice.open. */
export interface OpenOptions {
  /** Ask for atomic + universal planes (default true): needed for atomic commits and all planes. */
  atomic?: boolean;
}

/** The id type of each object kind, for calls that take a kind and an id. */
export interface ObjectIds {
  crtc: CrtcId;
  connector: ConnectorId;
  encoder: EncoderId;
  plane: PlaneId;
  framebuffer: FbId;
  blob: BlobId;
  mode: number;
  property: PropertyId;
  colorop: ColoropId;
}

/** Opens a node, saying in the error what a user can do about a failure. */
function openNode(path: string): number {
  try {
    return open(path, O_RDWR | O_NONBLOCK);
  } catch (e) {
    if (!(e instanceof SysError)) throw e;
    if (e.code === "ENOENT" || e.code === "ENXIO" || e.code === "ENODEV")
      throw new DrmUnavailableError(`cannot open DRM device ${path}: no such device (${e.code})`, e);
    if (e.code === "EACCES" || e.code === "EPERM")
      throw new DrmUnavailableError(`cannot open DRM device ${path}: permission denied (${e.code}; needs root or the video group)`, e);
    throw new DrmError(`cannot open DRM device ${path}: ${e.message}`, e);
  }
}

/** An open DRM device node. Owns its fd; `close()` (or `using`) releases it. */
export class DrmDevice {
  private fdValue: number;
  private readonly propInfo = new Map<number, PropertyInfo>();
  private readonly closeHooks: (() => void)[] = [];
  private driver: string | undefined;
  atomic = false;

  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.fdValue = fd;
  }

  /**
   * Opens `path`, or the first primary node when omitted. Throws DrmUnavailableError when there is
   * no device or no permission to open it, naming /dev/dri or the node and the errno.
   */
  static open(path?: string, options: OpenOptions = {}): DrmDevice {
    if (!path) {
      const first = listDevices().find((d) => d.primary);
      if (!first?.primary) throw new DrmUnavailableError(noDeviceReason());
      path = first.primary;
    }
    return DrmDevice.setUp(new DrmDevice(path, openNode(path)), options);
  }

  /**
   * Takes ownership of an open DRM fd that came from elsewhere (a lease fd received from the lessor
   * or a compositor); `label` names it in messages (e.g. "lease from /dev/dri/card0"). Closes the fd
   * when it cannot be set up.
   */
  static adopt(fd: number, label: string, options: OpenOptions = {}): DrmDevice {
    return DrmDevice.setUp(new DrmDevice(label, fd), options);
  }

  private static setUp(dev: DrmDevice, options: OpenOptions): DrmDevice {
    const path = dev.path;
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

  /** The open file descriptor (still owned by the device). Throws DrmError once the device is closed. */
  get fd(): number {
    if (this.fdValue < 0) throw new DrmError(`DRM device ${this.path} is closed`);
    return this.fdValue;
  }
  /** True after close(). */
  get closed(): boolean {
    return this.fdValue < 0;
  }

  /**
   * Runs the onClose hooks (last registered first; a failing hook is logged, not thrown), then closes the fd,
   * which also drops DRM master and removes this fd's framebuffers and blobs. Idempotent.
   */
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
  /** `using` support: calls close(). */
  [Symbol.dispose](): void {
    this.close();
  }
  /** Runs fn just before the fd closes (event readers, restore). */
  onClose(fn: () => void): void {
    this.closeHooks.push(fn);
  }

  /** `DrmDevice /dev/dri/card0 (vkms)` in the REPL. */
  [inspect.custom](): string {
    if (this.closed) return `DrmDevice ${this.path} (closed)`;
    try {
      this.driver ??= this.version().name;
    } catch {
      /* printing must not throw */
    }
    return `DrmDevice ${this.path} (${this.driver ?? "driver unknown"})`;
  }

  /** The driver's name and version (DRM_IOCTL_VERSION). Throws SysError on ioctl failure. */
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

  /** Reads a device capability (DRM_IOCTL_GET_CAP): 0n/1n for flags, a size for cursorWidth/cursorHeight. Throws SysError (e.g. EINVAL) when the kernel does not know the capability. */
  getCap(cap: keyof typeof Cap): bigint {
    const a = Buffer.alloc(16);
    a.writeBigUInt64LE(BigInt(Cap[cap]), 0);
    drmIoctl(this.fd, "GET_CAP", a, `${this.path} cap ${cap}`);
    return a.readBigUInt64LE(8);
  }

  /** Turns a client capability on (1) or off (0) for this fd (DRM_IOCTL_SET_CLIENT_CAP). Throws SysError when the driver refuses it (e.g. atomic on a legacy-only driver). */
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
      return !(e instanceof SysError && e.code === "EACCES");
    }
  }
  /** Becomes DRM master, which modesetting requires. Throws DrmError naming the errno when another process (usually a compositor) is master. */
  setMaster(): void {
    try {
      drmIoctl(this.fd, "SET_MASTER", null, this.path);
    } catch (e) {
      throw new DrmError(`cannot become DRM master of ${this.path}: ${e instanceof SysError ? e.code : e} (another process, e.g. a compositor, holds it)`, e);
    }
  }
  /** Gives up DRM master so another process (a compositor, another VT) can take the display. Throws SysError when this fd is not master. */
  dropMaster(): void {
    drmIoctl(this.fd, "DROP_MASTER", null, this.path);
  }

  // -------------------------------------------------------------------------------------------
  // KMS queries

  /** The device's CRTCs, connectors, encoders and framebuffers, and its size limits (DRM_IOCTL_MODE_GETRESOURCES). */
  resources(): Resources {
    return readResources(this.fd, this.path);
  }
  /** One connector's current state: type, connection, modes, encoders, physical size (the kernel re-probes the display first when this fd is DRM master). */
  connector(id: ConnectorId): Connector {
    return readConnector(this.fd, id);
  }
  /** One encoder and the CRTCs it can drive; `crtcs` (default: read from resources()) maps the kernel's possible_crtcs bits to ids. */
  encoder(id: EncoderId, crtcs: readonly CrtcId[] = this.resources().crtcs): Encoder {
    return readEncoder(this.fd, id, crtcs);
  }
  /** One CRTC's current state: its mode (if active), framebuffer and position; `crtcs` (default: from resources()) gives its index. */
  crtc(id: CrtcId, crtcs: readonly CrtcId[] = this.resources().crtcs): Crtc {
    return readCrtc(this.fd, id, crtcs);
  }
  /** Ids of all planes (primary, overlay and cursor ones with universal planes, the default since open()). */
  planes(): PlaneId[] {
    return readPlaneIds(this.fd, this.path);
  }
  /** One plane: type, current CRTC and framebuffer, formats, and the modifiers per format when the driver exposes IN_FORMATS. */
  plane(id: PlaneId, crtcs: readonly CrtcId[] = this.resources().crtcs): Plane {
    const props = this.properties("plane", id);
    const inFormats = props.has("IN_FORMATS") ? props.blob("IN_FORMATS") : undefined;
    return readPlane(this.fd, id, crtcs, {
      type: props.has("type") ? (props.enumName("type") as PlaneType | undefined) : undefined,
      modifiers: inFormats === undefined ? undefined : parseInFormats(this.blob(inFormats)),
    });
  }

  /** Definition of a property (cached: definitions do not change while the device is open). */
  propertyInfo(id: PropertyId | number): PropertyInfo {
    let info = this.propInfo.get(id);
    if (!info) this.propInfo.set(id, (info = readPropertyInfo(this.fd, id)));
    return info;
  }

  /** All properties of an object with their current values. */
  properties<K extends ObjectKind>(kind: K, id: ObjectIds[K]): PropertySet {
    const { ids, values } = readObjectProperties(this.fd, kind, id);
    const entries = new Map<string, { info: PropertyInfo; raw: bigint }>();
    ids.forEach((pid, i) => {
      const info = this.propertyInfo(pid);
      entries.set(info.name, { info, raw: values[i] });
    });
    return new PropertySet(`${kind} ${id}`, entries);
  }

  // -------------------------------------------------------------------------------------------
  // Blobs and framebuffers

  /** The bytes of a property blob (e.g. a MODE_ID or IN_FORMATS value). Throws SysError (ENOENT) for an unknown id. */
  blob(id: BlobId): Buffer {
    return readBlob(this.fd, id);
  }
  /** Creates a property blob holding a copy of data; destroy it with destroyBlob (closing the device also frees it). */
  createBlob(data: Uint8Array): BlobId {
    const buf = Buffer.from(data);
    const a = Buffer.alloc(16);
    a.writeBigUInt64LE(addr(buf), 0);
    a.writeUInt32LE(buf.length, 8);
    drmIoctl(this.fd, "MODE_CREATEPROPBLOB", a, `new blob of ${buf.length} bytes`);
    return a.readUInt32LE(12) as BlobId;
  }
  /** Destroys a blob made by createBlob. Properties that reference it keep their own reference. */
  destroyBlob(id: BlobId): void {
    destroyById(this.fd, "MODE_DESTROYPROPBLOB", id, `blob ${id}`);
  }
  /** A blob holding mode as struct drm_mode_modeinfo, to set as a CRTC's MODE_ID in an atomic commit. */
  createModeBlob(mode: Mode): BlobId {
    return this.createBlob(encodeMode(mode));
  }
  /** Decodes a mode blob (e.g. a CRTC's current MODE_ID). Throws DrmError when the blob is smaller than a mode. */
  modeFromBlob(id: BlobId): Mode {
    const b = this.blob(id);
    if (b.length < MODE_INFO_SIZE) throw new DrmError(`blob ${id}: ${b.length} bytes is not a mode`);
    return decodeMode(b);
  }

  /** Registers buffer objects as a framebuffer (DRM_IOCTL_MODE_ADDFB2, with modifiers when given); remove it with removeFramebuffer. */
  addFramebuffer(fb: Framebuffer2): FbId {
    return addFramebuffer(this.fd, fb);
  }
  /** A framebuffer over a dmabuf (PRIME import + AddFB2); the dmabuf fd stays the caller's. */
  framebufferFromDmabuf(buf: DmabufLayout): FbId {
    return framebufferFromDmabuf(this.fd, buf);
  }
  /** RMFB; nothing to do once the device is closed (closing the fd removed its framebuffers). */
  removeFramebuffer(id: FbId): void {
    if (this.closed) return;
    destroyById(this.fd, "MODE_RMFB", id, `framebuffer ${id}`);
  }
  /** Whether a framebuffer id still exists. */
  framebufferExists(id: FbId): boolean {
    return framebufferExists(this.fd, id);
  }

  // -------------------------------------------------------------------------------------------
  // Legacy modesetting (when atomic is unavailable, and restore's fallback)

  /**
   * Legacy (non-atomic) modeset (DRM_IOCTL_MODE_SETCRTC): shows fb on crtc with mode, driving connectors, scanning out from
   * pixel (x, y) of the framebuffer. No mode and no framebuffer turns the CRTC off. Needs DRM master.
   */
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

  /** Legacy SETPLANE with no framebuffer: disables the plane. */
  disablePlaneLegacy(plane: PlaneId): void {
    const a = Buffer.alloc(48);
    a.writeUInt32LE(plane, 0);
    drmIoctl(this.fd, "MODE_SETPLANE", a, `plane ${plane}`);
  }
}
