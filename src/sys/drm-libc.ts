// The read(2) of descriptors read when libuv says they are readable (the DRM event reader, the
// inotify watch): non-blocking, EAGAIN meaning "nothing yet". Declared on libc.ts's one libc handle.
import { libc, koffi, SysError } from "./libc.js";

const c_read = libc.func("long read(int fd, void *buf, size_t count)");

/** Non-blocking read: the number of bytes read, or 0 when the fd has nothing (EAGAIN). */
export function readNonBlocking(fd: number, buf: Buffer, what: string): number {
  for (;;) {
    const n = Number(c_read(fd, buf, buf.length));
    if (n >= 0) return n;
    const errno = koffi.errno();
    if (errno === 4 /* EINTR */) continue;
    if (errno === 11 /* EAGAIN */) return 0;
    throw new SysError("read", errno, what);
  }
}
