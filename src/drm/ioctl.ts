// Raw DRM ioctls: request numbers and the little helpers that build their argument structs.
// Layouts follow include/uapi/drm/drm.h and drm_mode.h (x86_64/aarch64: LP64, natural alignment).
import { koffi, ioctl, SysError } from "../sys/libc.js";
import { DrmError } from "./error.js";

const IOC_WRITE = 1;
const IOC_READ = 2;
const ioc = (dir: number, nr: number, size: number): number => ((dir << 30) >>> 0) + (size << 16) + (0x64 << 8) + nr;
const IO = (nr: number) => ioc(0, nr, 0);
const IOW = (nr: number, size: number) => ioc(IOC_WRITE, nr, size);
const IOWR = (nr: number, size: number) => ioc(IOC_READ | IOC_WRITE, nr, size);

export const DRM_IOCTL = {
  VERSION: IOWR(0x00, 64),
  GEM_CLOSE: IOW(0x09, 8),
  AUTH_MAGIC: IOW(0x11, 4),
  GET_CAP: IOWR(0x0c, 16),
  SET_CLIENT_CAP: IOW(0x0d, 16),
  SET_MASTER: IO(0x1e),
  DROP_MASTER: IO(0x1f),
  PRIME_FD_TO_HANDLE: IOWR(0x2e, 12),
  CRTC_GET_SEQUENCE: IOWR(0x3b, 24),
  CRTC_QUEUE_SEQUENCE: IOWR(0x3c, 24),
  MODE_GETRESOURCES: IOWR(0xa0, 64),
  MODE_GETCRTC: IOWR(0xa1, 104),
  MODE_SETCRTC: IOWR(0xa2, 104),
  MODE_GETENCODER: IOWR(0xa6, 20),
  MODE_GETCONNECTOR: IOWR(0xa7, 80),
  MODE_GETPROPERTY: IOWR(0xaa, 64),
  MODE_GETPROPBLOB: IOWR(0xac, 16),
  MODE_GETFB: IOWR(0xad, 28),
  MODE_RMFB: IOWR(0xaf, 4),
  MODE_CREATE_DUMB: IOWR(0xb2, 32),
  MODE_MAP_DUMB: IOWR(0xb3, 16),
  MODE_DESTROY_DUMB: IOWR(0xb4, 4),
  MODE_GETPLANERESOURCES: IOWR(0xb5, 16),
  MODE_GETPLANE: IOWR(0xb6, 32),
  MODE_SETPLANE: IOWR(0xb7, 48),
  MODE_ADDFB2: IOWR(0xb8, 104),
  MODE_OBJ_GETPROPERTIES: IOWR(0xb9, 32),
  MODE_ATOMIC: IOWR(0xbc, 56),
  MODE_CREATEPROPBLOB: IOWR(0xbd, 16),
  MODE_CREATE_LEASE: IOWR(0xc6, 24),
  MODE_LIST_LESSEES: IOWR(0xc7, 16),
  MODE_GET_LEASE: IOWR(0xc8, 16),
  MODE_REVOKE_LEASE: IOWR(0xc9, 4),
  MODE_DESTROYPROPBLOB: IOWR(0xbe, 4),
  SYNCOBJ_CREATE: IOWR(0xbf, 8),
  SYNCOBJ_DESTROY: IOWR(0xc0, 8),
  SYNCOBJ_HANDLE_TO_FD: IOWR(0xc1, 16),
  SYNCOBJ_FD_TO_HANDLE: IOWR(0xc2, 16),
  SYNCOBJ_TIMELINE_WAIT: IOWR(0xca, 40),
  SYNCOBJ_QUERY: IOWR(0xcb, 24),
  SYNCOBJ_TRANSFER: IOWR(0xcc, 32),
  SYNCOBJ_TIMELINE_SIGNAL: IOWR(0xcd, 24),
} as const;

/** Runs one DRM ioctl; failures become SysError naming the ioctl and what it acted on. */
export function drmIoctl(fd: number, name: keyof typeof DRM_IOCTL, arg: Buffer | null, what?: string): void {
  try {
    // EINTR/EAGAIN retries, as libdrm's drmIoctl does: a signal during a blocking commit must not fail it.
    for (;;) {
      try {
        ioctl(fd, DRM_IOCTL[name], arg, what);
        return;
      } catch (e) {
        if (e instanceof SysError && (e.code === "EINTR" || e.code === "EAGAIN")) continue;
        throw e;
      }
    }
  } catch (e) {
    if (e instanceof SysError) throw new SysError(`DRM_IOCTL_${name}`, e.errno, what);
    throw e;
  }
}

/** Address of a buffer for a u64 pointer field (0 for an empty one; the kernel reads no bytes then). */
export function addr(buf: Buffer | null | undefined): bigint {
  return buf && buf.length > 0 ? (koffi.address(buf) as bigint) : 0n;
}

export function u32s(buf: Buffer, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(buf.readUInt32LE(i * 4));
  return out;
}

export function u64s(buf: Buffer, count: number): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < count; i++) out.push(buf.readBigUInt64LE(i * 8));
  return out;
}

export function cstr(buf: Buffer, offset: number, max: number): string {
  const end = buf.indexOf(0, offset);
  return buf.toString("latin1", offset, end < 0 || end > offset + max ? offset + max : end);
}

/** Upper bound for counts the kernel reports, so a corrupt answer cannot make us allocate gigabytes. */
const MAX_OBJECTS = 4096;
export function checkCount(what: string, n: number, max = MAX_OBJECTS): number {
  if (!Number.isInteger(n) || n < 0 || n > max) throw new DrmError(`${what}: implausible count ${n} from the kernel`);
  return n;
}
