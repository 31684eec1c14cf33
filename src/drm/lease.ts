// DRM leases: the master of a device hands a set of its objects (a connector, a CRTC, planes) to
// another client as a new DRM fd on which that client is master of those objects only; the lessor
// lists and revokes its leases. The kernel answers a refused lease with a bare errno, so the request
// is checked first against the device's objects and our own leases, and the error names the object.
import { close, O_CLOEXEC, O_NONBLOCK, SysError } from "../sys/libc.js";
import type { DrmDevice } from "./device.js";
import { DrmError } from "./error.js";
import { addr, checkCount, drmIoctl, u32s } from "./ioctl.js";
import type { ConnectorId, CrtcId, PlaneId } from "./types.js";

/** What to lease: at least one connector and one CRTC, and (with universal planes, our default) a plane for that CRTC. */
export interface LeaseRequest {
  connectors: readonly ConnectorId[];
  crtcs: readonly CrtcId[];
  planes: readonly PlaneId[];
}

/** A lease made by DrmLease.create: the lessee id, the objects, and the lessee's fd until handed on. */
export class DrmLease {
  private fdValue: number;
  private revokedValue = false;

  private constructor(
    private readonly lessor: DrmDevice,
    /** The kernel's id of the lessee (what listLessees returns and revoke takes). */
    readonly lesseeId: number,
    fd: number,
    /** The leased objects. */
    readonly objects: LeaseRequest,
  ) {
    this.fdValue = fd;
  }

  /**
   * Leases `req`'s objects of `lessor` (which must be DRM master). Throws DrmError naming the object
   * and the reason when the request cannot be granted (unknown id, wrong kind, already leased, no
   * plane for the CRTC), and the kernel's errno for anything it refuses beyond that.
   */
  static create(lessor: DrmDevice, req: LeaseRequest): DrmLease {
    checkLeaseRequest(lessor, req);
    const ids = [...req.connectors, ...req.crtcs, ...req.planes];
    const list = Buffer.alloc(ids.length * 4);
    ids.forEach((id, i) => list.writeUInt32LE(id, i * 4));
    const a = Buffer.alloc(24);
    a.writeBigUInt64LE(addr(list), 0);
    a.writeUInt32LE(ids.length, 8);
    a.writeUInt32LE(O_CLOEXEC | O_NONBLOCK, 12);
    try {
      drmIoctl(lessor.fd, "MODE_CREATE_LEASE", a, `lease of ${describeRequest(req)}`);
    } catch (e) {
      if (!(e instanceof SysError)) throw e;
      const why = e.code === "EACCES" ? "this fd is not DRM master of the device" : e.code === "EBUSY" ? "an object is already leased" : e.code;
      throw new DrmError(`${lessor.path}: the kernel refused the lease of ${describeRequest(req)}: ${why}`, e);
    }
    const lease = new DrmLease(lessor, a.readUInt32LE(16), a.readUInt32LE(20), req);
    leasesOf(lessor).add(lease);
    lessor.onClose(() => lease.closeFd());
    return lease;
  }

  /** The lessee's DRM fd while this process still owns it (see takeFd). */
  get fd(): number {
    if (this.fdValue < 0) throw new DrmError(`lease ${this.lesseeId}: its fd was handed on or closed`);
    return this.fdValue;
  }

  /** Hands the fd to the caller (e.g. to send it to another process, then close it); this lease no longer closes it. */
  takeFd(): number {
    const fd = this.fd;
    this.fdValue = -1;
    return fd;
  }

  /** Whether revoke() ran. */
  get revoked(): boolean {
    return this.revokedValue;
  }

  /**
   * Ends the lease (DRM_IOCTL_MODE_REVOKE_LEASE): the lessee loses the objects at once (its commits
   * fail from then on) and they return to the lessor. Idempotent; nothing to do once the lessor is closed.
   */
  revoke(): void {
    if (this.revokedValue) return;
    this.revokedValue = true;
    leasesOf(this.lessor).delete(this);
    this.closeFd();
    if (this.lessor.closed) return;
    const a = Buffer.alloc(4);
    a.writeUInt32LE(this.lesseeId, 0);
    try {
      drmIoctl(this.lessor.fd, "MODE_REVOKE_LEASE", a, `lessee ${this.lesseeId}`);
    } catch (e) {
      // ENOENT: the lessee already closed its fd, which ended the lease
      if (!(e instanceof SysError && e.code === "ENOENT")) throw e;
    }
  }

  private closeFd(): void {
    if (this.fdValue < 0) return;
    close(this.fdValue);
    this.fdValue = -1;
  }
}

const leases = new WeakMap<DrmDevice, Set<DrmLease>>();
function leasesOf(dev: DrmDevice): Set<DrmLease> {
  let set = leases.get(dev);
  if (!set) leases.set(dev, (set = new Set()));
  return set;
}

function describeRequest(req: LeaseRequest): string {
  const part = (what: string, ids: readonly number[]) => (ids.length ? [`${what} ${ids.join(",")}`] : []);
  return [...part("connector", req.connectors), ...part("crtc", req.crtcs), ...part("plane", req.planes)].join(", ") || "nothing";
}

/** The checks the kernel makes, done first so the error can name the object at fault. */
function checkLeaseRequest(dev: DrmDevice, req: LeaseRequest): void {
  const res = dev.resources();
  const planes = dev.planes();
  const fail = (why: string) => {
    throw new DrmError(`${dev.path}: cannot lease ${describeRequest(req)}: ${why}`);
  };
  if (req.connectors.length === 0) fail("a lease needs at least one connector");
  if (req.crtcs.length === 0) fail("a lease needs at least one CRTC");
  if (req.planes.length === 0) fail("with universal planes a lease needs at least one plane (the CRTC's primary plane)");
  for (const c of req.connectors) if (!res.connectors.includes(c)) fail(`connector ${c} does not exist (connectors: ${res.connectors.join(", ")})`);
  for (const c of req.crtcs) if (!res.crtcs.includes(c)) fail(`crtc ${c} does not exist (CRTCs: ${res.crtcs.join(", ")})`);
  for (const p of req.planes) if (!planes.includes(p)) fail(`plane ${p} does not exist (planes: ${planes.join(", ")})`);
  const dup = [...req.connectors, ...req.crtcs, ...req.planes].find((id, i, all) => all.indexOf(id) !== i);
  if (dup !== undefined) fail(`object ${dup} is listed twice`);
  for (const lease of leasesOf(dev)) {
    const o = lease.objects;
    const taken = [...o.connectors, ...o.crtcs, ...o.planes].find((id) => [...req.connectors, ...req.crtcs, ...req.planes].includes(id as never));
    if (taken !== undefined) fail(`object ${taken} is already leased to lessee ${lease.lesseeId}`);
  }
  for (const c of req.crtcs) {
    const serving = req.planes.some((p) => dev.plane(p, res.crtcs).possibleCrtcs.includes(c));
    if (!serving) fail(`none of planes ${req.planes.join(", ")} can serve crtc ${c}`);
  }
}

/** The lessee ids of the device's active leases (DRM_IOCTL_MODE_LIST_LESSEES; the lessor's view). */
export function listLessees(dev: DrmDevice): number[] {
  const a = Buffer.alloc(16);
  drmIoctl(dev.fd, "MODE_LIST_LESSEES", a, dev.path);
  const n = checkCount("lessees", a.readUInt32LE(0));
  if (n === 0) return [];
  const ids = Buffer.alloc(n * 4);
  a.writeBigUInt64LE(addr(ids), 8);
  drmIoctl(dev.fd, "MODE_LIST_LESSEES", a, dev.path);
  return u32s(ids, Math.min(n, a.readUInt32LE(0)));
}

/** The object ids this fd may use (DRM_IOCTL_MODE_GET_LEASE): a lessee's leased objects; [] once revoked. */
export function leasedObjects(dev: DrmDevice): number[] {
  const a = Buffer.alloc(16);
  drmIoctl(dev.fd, "MODE_GET_LEASE", a, dev.path);
  const n = checkCount("leased objects", a.readUInt32LE(0));
  if (n === 0) return [];
  const ids = Buffer.alloc(n * 4);
  a.writeBigUInt64LE(addr(ids), 8);
  drmIoctl(dev.fd, "MODE_GET_LEASE", a, dev.path);
  return u32s(ids, Math.min(n, a.readUInt32LE(0)));
}

/** Whether the kernel has DRM leases (4.15+): LIST_LESSEES answers rather than failing with EINVAL/ENOTTY. */
export function leasesSupported(dev: DrmDevice): boolean {
  try {
    listLessees(dev);
    return true;
  } catch (e) {
    if (e instanceof SysError && (e.code === "EACCES" || e.code === "EPERM")) return true; // exists, but not for us
    return false;
  }
}
