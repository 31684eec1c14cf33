// DRM timeline syncobjs (drm.h DRM_IOCTL_SYNCOBJ_*): a kernel object holding one fence per point of
// a u64 timeline. Sync files go in and out at a point through a scratch binary syncobj (TRANSFER),
// which works on every kernel with DRM_CAP_SYNCOBJ_TIMELINE. Waiting for a point runs the blocking
// TIMELINE_WAIT on a libuv pool thread, so the event loop keeps running.
import { CLOCK_MONOTONIC, clockNs, ioctlAsync, SysError } from "../sys/libc.js";
import type { DrmDevice } from "./device.js";
import { DrmError, DrmUnavailableError } from "./error.js";
import { addr, DRM_IOCTL, drmIoctl } from "./ioctl.js";

const CREATE_SIGNALED = 1; // DRM_SYNCOBJ_CREATE_SIGNALED
const IMPORT_SYNC_FILE = 1; // DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE
const EXPORT_SYNC_FILE = 1; // DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE
const WAIT_FOR_SUBMIT = 2; // DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT: a point with no fence yet is waited for, not an error

/** Options of Syncobj.create. */
export interface SyncobjOptions {
  /** Created with point 0 already signalled (a binary syncobj that is "done"). */
  signaled?: boolean;
}

/**
 * A timeline syncobj on a DRM device (a render node is enough). Points are bigints; a point is
 * signalled when its fence is, and every point up to it then counts as signalled too. Made with
 * Syncobj.create; destroy() (idempotent) frees it; the device must outlive it.
 */
export class Syncobj {
  private handleValue: number;
  /** A binary syncobj that sync files pass through on their way in or out (made on first use). */
  private scratch = 0;

  private constructor(
    private readonly dev: DrmDevice,
    handle: number,
  ) {
    this.handleValue = handle;
  }

  /** Creates a syncobj; DrmUnavailableError when the device has no timeline syncobjs. */
  static create(dev: DrmDevice, options: SyncobjOptions = {}): Syncobj {
    if (!timelineSupported(dev)) throw new DrmUnavailableError(`${dev.path} has no timeline syncobjs (DRM_CAP_SYNCOBJ_TIMELINE is 0)`);
    return new Syncobj(dev, createHandle(dev, options.signaled ? CREATE_SIGNALED : 0, `new syncobj on ${dev.path}`));
  }

  /** Wraps a handle made elsewhere on this device's fd (e.g. by a driver's submit ioctl); destroy() frees it. */
  static adopt(dev: DrmDevice, handle: number): Syncobj {
    if (!Number.isInteger(handle) || handle <= 0) throw new RangeError(`syncobj handle must be a positive integer, got ${handle}`);
    return new Syncobj(dev, handle);
  }

  /** The kernel handle (valid on this device's fd only). */
  get handle(): number {
    if (this.handleValue === 0) throw new DrmError(`syncobj on ${this.dev.path} was destroyed`);
    return this.handleValue;
  }

  /** True after destroy(). */
  get destroyed(): boolean {
    return this.handleValue === 0;
  }

  /** The syncobj as messages name it, e.g. "syncobj 3 on /dev/dri/card0". */
  toString(): string {
    return `syncobj ${this.handleValue || "(destroyed)"} on ${this.dev.path}`;
  }

  private what(point?: bigint): string {
    return point === undefined ? this.toString() : `${this} point ${point}`;
  }

  /** Signals `point` from the CPU (DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL). */
  signal(point: bigint): void {
    const a = timelineArray(this.handle, point);
    drmIoctl(this.dev.fd, "SYNCOBJ_TIMELINE_SIGNAL", a.arg, this.what(point));
  }

  /** The highest signalled point (DRM_IOCTL_SYNCOBJ_QUERY). */
  query(): bigint {
    const a = timelineArray(this.handle, 0n);
    drmIoctl(this.dev.fd, "SYNCOBJ_QUERY", a.arg, this.what());
    return a.points.readBigUInt64LE(0);
  }

  /** Makes `point` signal when the sync file does. The caller keeps (and closes) `syncFileFd`. */
  importSyncFile(syncFileFd: number, point: bigint): void {
    const h = Buffer.alloc(16); // struct drm_syncobj_handle { u32 handle, flags; s32 fd; u32 pad }
    h.writeUInt32LE(this.scratchHandle(), 0);
    h.writeUInt32LE(IMPORT_SYNC_FILE, 4);
    h.writeInt32LE(syncFileFd, 8);
    drmIoctl(this.dev.fd, "SYNCOBJ_FD_TO_HANDLE", h, `sync file fd ${syncFileFd} into ${this.what(point)}`);
    this.transfer(this.scratch, 0n, this.handle, point, 0, this.what(point));
  }

  /**
   * A sync file that signals with `point` (the caller owns and closes it). The point must have a
   * fence already (submitted or imported): an error naming the point otherwise.
   */
  exportSyncFile(point: bigint): number {
    this.transfer(this.handle, point, this.scratchHandle(), 0n, 0, this.what(point));
    const h = Buffer.alloc(16);
    h.writeUInt32LE(this.scratch, 0);
    h.writeUInt32LE(EXPORT_SYNC_FILE, 4);
    h.writeInt32LE(-1, 8);
    drmIoctl(this.dev.fd, "SYNCOBJ_HANDLE_TO_FD", h, `sync file of ${this.what(point)}`);
    return h.readInt32LE(8);
  }

  /** The syncobj itself as an fd (for another process or API to import; the caller closes it). */
  exportFd(): number {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(this.handle, 0);
    h.writeInt32LE(-1, 8);
    drmIoctl(this.dev.fd, "SYNCOBJ_HANDLE_TO_FD", h, `fd of ${this.what()}`);
    return h.readInt32LE(8);
  }

  /** Whether `point` has signalled, without waiting. */
  signalled(point: bigint): boolean {
    return this.waitUntil(point, 0n);
  }

  /**
   * Waits up to `timeoutMs` for `point` to signal (also for it to be submitted first) on a pool
   * thread; resolves false on timeout. Errors (a destroyed syncobj, a bad handle) name the point.
   */
  async wait(point: bigint, timeoutMs: number): Promise<boolean> {
    if (this.signalled(point)) return true;
    const a = timelineWait(this.handle, point, clockNs(CLOCK_MONOTONIC) + BigInt(Math.max(0, Math.round(timeoutMs * 1e6))));
    // `a` (with the arrays it points to) stays referenced until the pool thread is done with it. The
    // outcome is asked again synchronously: errno after an async call is not this thread's to read.
    await ioctlAsync(this.dev.fd, DRM_IOCTL.SYNCOBJ_TIMELINE_WAIT, a.arg).then(() => a);
    return this.signalled(point);
  }

  /** Frees the syncobj (and its scratch). Idempotent; a no-op once the device is closed (the kernel freed them). */
  destroy(): void {
    if (this.handleValue === 0) return;
    const handles = [this.handleValue, this.scratch].filter((h) => h !== 0);
    this.handleValue = this.scratch = 0;
    if (this.dev.closed) return;
    for (const h of handles) {
      const a = Buffer.alloc(8);
      a.writeUInt32LE(h, 0);
      drmIoctl(this.dev.fd, "SYNCOBJ_DESTROY", a, `syncobj ${h} on ${this.dev.path}`);
    }
  }

  private scratchHandle(): number {
    this.scratch ||= createHandle(this.dev, 0, `scratch syncobj for ${this}`);
    return this.scratch;
  }

  /** Absolute CLOCK_MONOTONIC deadline; true when signalled, false on ETIME. */
  private waitUntil(point: bigint, deadlineNs: bigint): boolean {
    const a = timelineWait(this.handle, point, deadlineNs);
    try {
      drmIoctl(this.dev.fd, "SYNCOBJ_TIMELINE_WAIT", a.arg, this.what(point));
      return true;
    } catch (e) {
      if (e instanceof SysError && e.code === "ETIME") return false;
      throw e;
    }
  }

  private transfer(src: number, srcPoint: bigint, dst: number, dstPoint: bigint, flags: number, what: string): void {
    const t = Buffer.alloc(32); // struct drm_syncobj_transfer { u32 src, dst; u64 src_point, dst_point; u32 flags, pad }
    t.writeUInt32LE(src, 0);
    t.writeUInt32LE(dst, 4);
    t.writeBigUInt64LE(srcPoint, 8);
    t.writeBigUInt64LE(dstPoint, 16);
    t.writeUInt32LE(flags, 24);
    drmIoctl(this.dev.fd, "SYNCOBJ_TRANSFER", t, what);
  }
}

/** Whether the device has timeline syncobjs (DRM_CAP_SYNCOBJ_TIMELINE); false where the cap is unknown. */
export function timelineSupported(dev: DrmDevice): boolean {
  try {
    return dev.getCap("syncobjTimeline") === 1n;
  } catch (e) {
    if (e instanceof SysError) return false;
    throw e;
  }
}

function createHandle(dev: DrmDevice, flags: number, what: string): number {
  const a = Buffer.alloc(8); // struct drm_syncobj_create { u32 handle, flags }
  a.writeUInt32LE(flags, 4);
  drmIoctl(dev.fd, "SYNCOBJ_CREATE", a, what);
  return a.readUInt32LE(0);
}

/** struct drm_syncobj_timeline_array for one handle; `points` is read back by QUERY. */
function timelineArray(handle: number, point: bigint): { arg: Buffer; points: Buffer; handles: Buffer } {
  const handles = Buffer.alloc(4);
  handles.writeUInt32LE(handle, 0);
  const points = Buffer.alloc(8);
  points.writeBigUInt64LE(point, 0);
  const arg = Buffer.alloc(24); // { u64 handles, points; u32 count_handles, flags }
  arg.writeBigUInt64LE(addr(handles), 0);
  arg.writeBigUInt64LE(addr(points), 8);
  arg.writeUInt32LE(1, 16);
  return { arg, points, handles };
}

/** struct drm_syncobj_timeline_wait for one point, waiting for submission too. */
function timelineWait(handle: number, point: bigint, deadlineNs: bigint): { arg: Buffer; keep: Buffer[] } {
  const { handles, points } = timelineArray(handle, point);
  const arg = Buffer.alloc(40); // { u64 handles, points; s64 timeout_nsec; u32 count, flags, first_signaled, pad }
  arg.writeBigUInt64LE(addr(handles), 0);
  arg.writeBigUInt64LE(addr(points), 8);
  arg.writeBigInt64LE(deadlineNs, 16);
  arg.writeUInt32LE(1, 24);
  arg.writeUInt32LE(WAIT_FOR_SUBMIT, 28);
  return { arg, keep: [handles, points] };
}
