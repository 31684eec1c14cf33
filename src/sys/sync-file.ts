// Sync files and dmabuf fences (<linux/dma-buf.h>, <linux/sync_file.h>): putting a sync file into a
// dmabuf's reservation, taking one out, and waiting for one to signal (it polls readable then).
import { c_poll, check, close, ioctl, pollfdIn } from "./libc.js";

/** Fence kinds of DMA_BUF_IOCTL_{EXPORT,IMPORT}_SYNC_FILE. */
export const DMA_BUF_SYNC_READ = 1;
export const DMA_BUF_SYNC_WRITE = 2;

// struct dma_buf_{export,import}_sync_file { __u32 flags; __s32 fd; }
const DMA_BUF_IOCTL_EXPORT_SYNC_FILE = 0xc0086202; // _IOWR('b', 2, 8 bytes)
const DMA_BUF_IOCTL_IMPORT_SYNC_FILE = 0x40086203; // _IOW('b', 3, 8 bytes)

function syncFileArg(flags: number, fd: number): Buffer {
  const arg = Buffer.alloc(8);
  arg.writeUInt32LE(flags, 0);
  arg.writeInt32LE(fd, 4);
  return arg;
}

/** Adds a sync file to a dmabuf's reservation as a fence of kind `flags` (write: we render into it). */
export function importSyncFile(dmabufFd: number, syncFd: number, flags = DMA_BUF_SYNC_WRITE): void {
  ioctl(dmabufFd, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, syncFileArg(flags, syncFd), `dmabuf fd ${dmabufFd}: DMA_BUF_IOCTL_IMPORT_SYNC_FILE`);
}

/**
 * A sync file of the dmabuf's fences: with DMA_BUF_SYNC_WRITE all of them (readers included),
 * which is what a writer must wait for. The caller owns the returned descriptor.
 */
export function exportSyncFile(dmabufFd: number, flags = DMA_BUF_SYNC_WRITE): number {
  const arg = syncFileArg(flags, -1);
  ioctl(dmabufFd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, arg, `dmabuf fd ${dmabufFd}: DMA_BUF_IOCTL_EXPORT_SYNC_FILE`);
  return arg.readInt32LE(4);
}

/** Whether a sync file has signalled, without waiting. */
export function syncFileSignalled(fd: number): boolean {
  return check("poll", c_poll(pollfdIn(fd), 1, 0) as number, `sync file fd ${fd}`) > 0;
}

/** Waits up to timeoutMs for a sync file on a pool thread (the event loop keeps running); false on timeout. */
export function waitSyncFile(fd: number, timeoutMs: number): Promise<boolean> {
  const pfd = pollfdIn(fd);
  return new Promise((resolve, reject) =>
    c_poll.async(pfd, 1, timeoutMs, (err: unknown, r: number) => {
      if (err) return reject(err);
      try {
        resolve(check("poll", r, `sync file fd ${fd}`) > 0);
      } catch (e) {
        reject(e);
      }
    }),
  );
}

/** Waits for a dmabuf's fences of kind `flags` (by default every reader and writer) to signal. */
export async function waitDmabufFences(dmabufFd: number, timeoutMs: number, flags = DMA_BUF_SYNC_WRITE): Promise<"idle" | "waited" | "timeout"> {
  const fd = exportSyncFile(dmabufFd, flags);
  try {
    if (syncFileSignalled(fd)) return "idle";
    return (await waitSyncFile(fd, timeoutMs)) ? "waited" : "timeout";
  } finally {
    close(fd);
  }
}
