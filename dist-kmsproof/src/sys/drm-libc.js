// libc calls the DRM layer needs beyond src/sys/libc.ts: non-blocking read of event records and
// fstat-free helpers. Kept here (not in libc.ts, which is shared) per the working agreement.
import { libc, koffi, SysError } from "./libc.js";
const c_read = libc.func("long read(int fd, void *buf, size_t count)");
/** Non-blocking read: the number of bytes read, or 0 when the fd has nothing (EAGAIN). */
export function readNonBlocking(fd, buf, what) {
    for (;;) {
        const n = Number(c_read(fd, buf, buf.length));
        if (n >= 0)
            return n;
        const errno = koffi.errno();
        if (errno === 4 /* EINTR */)
            continue;
        if (errno === 11 /* EAGAIN */)
            return 0;
        throw new SysError("read", errno, what);
    }
}
//# sourceMappingURL=drm-libc.js.map