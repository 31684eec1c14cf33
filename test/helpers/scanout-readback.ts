// What a CRTC scans out right now, read from outside the compositor that drives it: the primary
// plane's framebuffer (GETFB2 hands root the GEM handles even though the compositor is DRM master),
// exported as a dmabuf (PRIME), mapped and copied. The exporter's name (fdinfo) tells whose memory
// the display reads: `udmabuf` is a client's buffer put straight on the plane (lavapipe's exports
// here), `vkms` the compositor's own composited buffer; the dma_buf inode names the very buffer.
import { fstatSync, readdirSync, readFileSync } from "node:fs";
import type { CrtcId } from "../../src/drm/types.js";
import { readCrtc, readResources } from "../../src/drm/queries.js";
import { close, ioctl, mmap, O_CLOEXEC, O_RDWR, open, PROT_READ } from "../../src/sys/libc.js";
import { formatName } from "../../src/util/fourcc.js";

// include/uapi/drm/drm.h: DRM_IOWR(0xce, struct drm_mode_fb_cmd2) (104 bytes),
// DRM_IOWR(0x2d, struct drm_prime_handle) (12 bytes), DRM_IOW(0x09, struct drm_gem_close) (8 bytes)
const iowr = (nr: number, size: number) => ((3 << 30) >>> 0) + (size << 16) + (0x64 << 8) + nr;
const MODE_GETFB2 = iowr(0xce, 104);
const PRIME_HANDLE_TO_FD = iowr(0x2d, 12);
const GEM_CLOSE = ((1 << 30) >>> 0) + (8 << 16) + (0x64 << 8) + 0x09;
const XRGB8888 = 0x34325258;

export interface ScanoutSnapshot {
  fb: number;
  width: number;
  height: number;
  /** `XR24`. */
  format: string;
  modifier: bigint;
  /** The dmabuf's exporter (fdinfo exp_name): `udmabuf`, `vkms`... */
  exporter: string;
  /** The dma_buf's inode: equal to that of a dmabuf fd we hold when the plane shows our buffer. */
  inode: number;
  /** RGBA, as a screenshot holds it (XR24 only; undefined for other formats). */
  data: Uint8Array | undefined;
}

/** The first active CRTC's primary framebuffer on `card`, or undefined when no CRTC shows one. */
export function readScanout(card = "/dev/dri/card0"): ScanoutSnapshot | undefined {
  const fd = open(card, O_RDWR | O_CLOEXEC);
  const handles = new Set<number>();
  try {
    const res = readResources(fd, card);
    const crtc = res.crtcs.map((id: CrtcId) => readCrtc(fd, id, res.crtcs)).find((c) => c.fb !== undefined);
    if (!crtc?.fb) return undefined;
    const a = Buffer.alloc(104);
    a.writeUInt32LE(crtc.fb, 0);
    ioctl(fd, MODE_GETFB2, a, `framebuffer ${crtc.fb}`, "DRM_IOCTL_MODE_GETFB2");
    const [width, height, fourcc] = [a.readUInt32LE(4), a.readUInt32LE(8), a.readUInt32LE(12)];
    const handle = a.readUInt32LE(20);
    const pitch = a.readUInt32LE(36);
    const offset = a.readUInt32LE(52);
    const modifier = a.readBigUInt64LE(72);
    for (let i = 0; i < 4; i++) if (a.readUInt32LE(20 + i * 4)) handles.add(a.readUInt32LE(20 + i * 4));
    if (!handle) throw new Error(`GETFB2 gave no GEM handle for framebuffer ${crtc.fb} (not root?)`);
    const p = Buffer.alloc(12);
    p.writeUInt32LE(handle, 0);
    p.writeUInt32LE(O_CLOEXEC, 4);
    ioctl(fd, PRIME_HANDLE_TO_FD, p, `GEM handle ${handle}`, "DRM_IOCTL_PRIME_HANDLE_TO_FD");
    const dmabuf = p.readInt32LE(8);
    try {
      const exporter = /^exp_name:\s*(\S+)/m.exec(readFileSync(`/proc/self/fdinfo/${dmabuf}`, "utf8"))?.[1] ?? "unknown";
      const inode = fstatSync(dmabuf).ino;
      let data: Uint8Array | undefined;
      if (fourcc === XRGB8888 || fourcc === 0x34325241) {
        const map = mmap(dmabuf, offset + pitch * height, PROT_READ);
        try {
          const src = new Uint8Array(map.buffer, offset);
          data = new Uint8Array(width * height * 4);
          for (let y = 0; y < height; y++)
            for (let x = 0; x < width; x++) {
              const s = y * pitch + x * 4;
              const d = (y * width + x) * 4;
              data[d] = src[s + 2]!;
              data[d + 1] = src[s + 1]!;
              data[d + 2] = src[s]!;
              data[d + 3] = 255;
            }
        } finally {
          map.unmap();
        }
      }
      return { fb: crtc.fb, width, height, format: formatName(fourcc), modifier, exporter, inode, data };
    } finally {
      close(dmabuf);
    }
  } finally {
    for (const h of handles) {
      const g = Buffer.alloc(8);
      g.writeUInt32LE(h, 0);
      ioctl(fd, GEM_CLOSE, g, `GEM handle ${h}`, "DRM_IOCTL_GEM_CLOSE");
    }
    close(fd);
  }
}

/** Inodes of the dmabuf fds this process holds (our presenter's buffers among them). */
export function heldDmabufInodes(): Set<number> {
  const out = new Set<number>();
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      if (/^exp_name:/m.test(readFileSync(`/proc/self/fdinfo/${fd}`, "utf8"))) out.add(fstatSync(Number(fd)).ino);
    } catch {
      /* closed meanwhile */
    }
  }
  return out;
}

