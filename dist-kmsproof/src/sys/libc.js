// libc through koffi: the one place the process loads libc. Other sys/ modules declare their own
// functions on `libc` and report failures through `check`, so every errno becomes a SysError.
import koffi from "koffi";
import { readdirSync } from "node:fs";
import { constants } from "node:os";
export { koffi };
export const libc = koffi.load("libc.so.6");
const errnoNames = new Map(Object.entries(constants.errno).map(([name, value]) => [value, name]));
export function errnoName(errno) {
    return errnoNames.get(errno) ?? `errno ${errno}`;
}
/** A failed system call: names the call, the errno and, where given, what it was acting on. */
export class SysError extends Error {
    call;
    errno;
    code;
    constructor(call, errno, what) {
        const code = errnoName(errno);
        super(`${call}${what ? ` (${what})` : ""}: ${code}`);
        this.call = call;
        this.errno = errno;
        this.name = "SysError";
        this.code = code;
    }
}
/** Throws a SysError when a libc call returned a negative value. */
export function check(call, ret, what) {
    if (ret < 0)
        throw new SysError(call, koffi.errno(), what);
    return ret;
}
export const O_RDONLY = 0;
export const O_RDWR = 2;
export const O_NONBLOCK = 0o4000;
export const O_CLOEXEC = 0o2000000;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const MAP_SHARED = 1;
export const MAP_FAILED = 0xffffffffffffffffn;
const c_open = libc.func("int open(const char *path, int flags, int mode)");
const c_close = libc.func("int close(int fd)");
const c_dup = libc.func("int fcntl(int fd, int cmd, int arg)");
const c_ioctl = libc.func("int ioctl(int fd, unsigned long request, void *arg)");
const c_mmap = libc.func("void *mmap(void *addr, size_t len, int prot, int flags, int fd, int64_t off)");
const c_munmap = libc.func("int munmap(void *addr, size_t len)");
export function open(path, flags, mode = 0) {
    return check("open", c_open(path, flags | O_CLOEXEC, mode), path);
}
export function close(fd) {
    check("close", c_close(fd), `fd ${fd}`);
}
/** Duplicates fd with close-on-exec (F_DUPFD_CLOEXEC). */
export function dup(fd) {
    return check("fcntl(F_DUPFD_CLOEXEC)", c_dup(fd, 1030, 0), `fd ${fd}`);
}
/** ioctl with an in/out argument buffer (struct layouts are built by the caller). */
export function ioctl(fd, request, arg, what) {
    return check(`ioctl(0x${BigInt(request).toString(16)})`, c_ioctl(fd, request, arg), what);
}
/** Maps len bytes of fd shared; the returned view stays valid until `unmap` is called. */
export function mmap(fd, len, prot = PROT_READ | PROT_WRITE, offset = 0) {
    const address = c_mmap(null, len, prot, MAP_SHARED, fd, offset);
    if (address === MAP_FAILED)
        throw new SysError("mmap", koffi.errno(), `fd ${fd}, ${len} bytes`);
    return new Mapping(address, len);
}
export class Mapping {
    address;
    length;
    view;
    constructor(address, length) {
        this.address = address;
        this.length = length;
    }
    /** One ArrayBuffer over the mapping, created once (see DESIGN: never two views of one address). */
    get buffer() {
        if (!this.view) {
            if (this.length === 0)
                throw new Error("mapping has been unmapped");
            this.view = koffi.view(this.address, this.length);
        }
        return this.view;
    }
    unmap() {
        if (this.length === 0)
            return;
        check("munmap", c_munmap(this.address, this.length));
        this.length = 0;
        this.view = undefined;
    }
}
/** Number of open descriptors of this process, for leak checks in tests. */
export function openFdCount() {
    // readdirSync's own directory fd is counted; callers compare two counts, so it cancels out.
    return readdirSync("/proc/self/fd").length;
}
//# sourceMappingURL=libc.js.map