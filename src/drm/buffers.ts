// Framebuffers on a device fd: AddFB2 over GEM handles or over a dmabuf (PRIME import), removal,
// existence checks. DrmDevice wraps these as its methods.
import { SysError } from "../sys/libc.js";
import { formatName, modifierName } from "../util/fourcc.js";
import { DrmError } from "./error.js";
import { drmIoctl } from "./ioctl.js";
import type { FbId } from "./types.js";

/** A framebuffer to register with DrmDevice.addFramebuffer (AddFB2): size in pixels, fourcc format, and per memory plane (1 to 4) the GEM handle, row pitch in bytes and byte offset. */
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

const DRM_MODE_FB_MODIFIERS = 2;

export function addFramebuffer(fd: number, fb: Framebuffer2): FbId {
  const n = fb.handles.length;
  if (n < 1 || n > 4 || fb.pitches.length !== n || fb.offsets.length !== n)
    throw new DrmError(`AddFB2: handles/pitches/offsets must have 1..4 equal-length entries`);
  const a = Buffer.alloc(104);
  a.writeUInt32LE(fb.width, 4);
  a.writeUInt32LE(fb.height, 8);
  a.writeUInt32LE(fb.format, 12);
  a.writeUInt32LE(fb.modifier === undefined ? 0 : DRM_MODE_FB_MODIFIERS, 16);
  for (let i = 0; i < n; i++) {
    a.writeUInt32LE(fb.handles[i], 20 + i * 4);
    a.writeUInt32LE(fb.pitches[i], 36 + i * 4);
    a.writeUInt32LE(fb.offsets[i], 52 + i * 4);
    if (fb.modifier !== undefined) a.writeBigUInt64LE(fb.modifier, 72 + i * 8);
  }
  const modifier = fb.modifier !== undefined ? ` modifier ${modifierName(fb.modifier)}` : "";
  drmIoctl(fd, "MODE_ADDFB2", a, `${fb.width}x${fb.height} format ${formatName(fb.format)}${modifier}`);
  return a.readUInt32LE(0) as FbId;
}

/** A dmabuf with its layout, as a Vulkan image exports it. */
export interface DmabufLayout {
  fd: number;
  width: number;
  height: number;
  format: number;
  planes: readonly { offset: number; stride: number }[];
  /** Omit for an implicit layout (no AddFB2 modifiers). */
  modifier?: bigint;
}

/**
 * A framebuffer over a dmabuf: PRIME import, AddFB2, then the GEM handle is closed at once (the
 * framebuffer keeps the buffer alive). The dmabuf fd stays the caller's.
 */
export function framebufferFromDmabuf(fd: number, buf: DmabufLayout): FbId {
  const handle = importDmabuf(fd, buf.fd);
  try {
    return addFramebuffer(fd, {
      width: buf.width, height: buf.height, format: buf.format, modifier: buf.modifier,
      handles: buf.planes.map(() => handle), pitches: buf.planes.map((p) => p.stride), offsets: buf.planes.map((p) => p.offset),
    });
  } finally {
    destroyById(fd, "GEM_CLOSE", handle, `GEM handle ${handle}`);
  }
}

/** The ioctls that free an object given by its u32 id or handle. */
export function destroyById(
  fd: number, request: "MODE_RMFB" | "MODE_DESTROYPROPBLOB" | "MODE_DESTROY_DUMB" | "GEM_CLOSE", id: number, what: string,
): void {
  const a = Buffer.alloc(request === "GEM_CLOSE" ? 8 : 4);
  a.writeUInt32LE(id, 0);
  drmIoctl(fd, request, a, what);
}

/** Whether a framebuffer id still exists (GETFB; the returned GEM handle is closed at once). */
export function framebufferExists(fd: number, id: FbId): boolean {
  const a = Buffer.alloc(28);
  a.writeUInt32LE(id, 0);
  try {
    drmIoctl(fd, "MODE_GETFB", a, `framebuffer ${id}`);
  } catch (e) {
    if (e instanceof SysError && e.code === "ENOENT") return false;
    throw e;
  }
  const handle = a.readUInt32LE(24);
  if (handle) destroyById(fd, "GEM_CLOSE", handle, `GEM handle ${handle}`);
  return true;
}

/** PRIME import: a GEM handle for a dmabuf fd (the fd stays the caller's). */
function importDmabuf(fd: number, dmabuf: number): number {
  const a = Buffer.alloc(12);
  a.writeInt32LE(dmabuf, 8);
  drmIoctl(fd, "PRIME_FD_TO_HANDLE", a, `dmabuf fd ${dmabuf}`);
  return a.readUInt32LE(0);
}
