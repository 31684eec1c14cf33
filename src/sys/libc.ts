// libc through koffi: the one place the process loads libc. Other sys/ modules declare their own
// functions on `libc` and report failures through `check`, so every errno becomes a SysError.
import koffi from "koffi";
import { readdirSync } from "node:fs";
import { constants } from "node:os";
import { UseAfterCloseError } from "../util/errors.js";

export { koffi };
export const libc = koffi.load("libc.so.6");

const errnoNames = new Map<number, string>(
  Object.entries(constants.errno).map(([name, value]) => [value, name]),
);

export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `errno ${errno}`;
}

/** A failed system call: names the call, the errno and, where given, what it was acting on. */
export class SysError extends Error {
  readonly code: string;
  constructor(
    readonly call: string,
    readonly errno: number,
    what?: string,
  ) {
    const code = errnoName(errno);
    super(`${call}${what ? ` (${what})` : ""}: ${code}`);
    this.name = "SysError";
    this.code = code;
  }
}

/** Throws a SysError when a libc call returned a negative value. */
export function check(call: string, ret: number, what?: string): number {
  if (ret < 0) throw new SysError(call, koffi.errno(), what);
  return ret;
}

export const O_RDONLY = 0;
export const O_RDWR = 2;
export const O_NONBLOCK = 0o4000;
export const O_CLOEXEC = 0o2000000;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const MAP_SHARED = 1;
export const MAP_PRIVATE = 2;
export const MAP_FAILED = 0xffffffffffffffffn;

const c_open = libc.func("int open(const char *path, int flags, int mode)");
const c_close = libc.func("int close(int fd)");
const c_fcntl = libc.func("int fcntl(int fd, int cmd, int arg)");
// Declared once with a pointer argument: koffi passes a number there as the pointer-sized integer, which
// is how the ioctls that take their argument by value (KDSETMODE, VT_ACTIVATE) want it.
const c_ioctl = libc.func("int ioctl(int fd, unsigned long request, void *arg)");
const c_mmap = libc.func("void *mmap(void *addr, size_t len, int prot, int flags, int fd, int64_t off)");
const c_munmap = libc.func("int munmap(void *addr, size_t len)");
const c_clock_gettime = libc.func("int clock_gettime(int clk, _Out_ int64_t *ts)");
const c_free = libc.func("void free(void *ptr)");
const c_pipe2 = libc.func("int pipe2(_Out_ int *fds, int flags)");
const c_vsnprintf = libc.func("int vsnprintf(_Out_ uint8_t *buf, size_t n, const char *fmt, void *ap)");

export function open(path: string, flags: number, mode = 0): number {
  return check("open", c_open(path, flags | O_CLOEXEC, mode), path);
}

export function close(fd: number): void {
  check("close", c_close(fd), `fd ${fd}`);
}

/** A pipe, close-on-exec, with `flags` (e.g. O_NONBLOCK) added: [read end, write end]. */
export function pipe(flags = 0): [number, number] {
  const fds = [0, 0];
  check("pipe2", c_pipe2(fds, O_CLOEXEC | flags));
  return [fds[0]!, fds[1]!];
}

/** Duplicates fd with close-on-exec (F_DUPFD_CLOEXEC). */
export function dup(fd: number): number {
  return fcntl(fd, 1030, 0, "F_DUPFD_CLOEXEC", `fd ${fd}`);
}

/** fcntl(2) with an integer argument; `name` (the command's, e.g. "F_ADD_SEALS") is for the error. */
export function fcntl(fd: number, cmd: number, arg: number, name = String(cmd), what = `fd ${fd}`): number {
  return check(`fcntl(${name})`, c_fcntl(fd, cmd, arg), what);
}

/**
 * ioctl with an in/out argument buffer (struct layouts are built by the caller), or an integer for the
 * requests that take their argument by value. `name` (e.g. "VT_ACTIVATE") is for the error; without
 * it the request number is given in hex.
 */
export function ioctl(fd: number, request: number | bigint, arg: Buffer | number | null, what?: string, name?: string): number {
  const ret = c_ioctl(fd, request, arg) as number;
  return ret < 0 ? check(`ioctl(${name ?? `0x${BigInt(request).toString(16)}`})`, ret, what) : ret;
}

/**
 * The same ioctl run on a libuv pool thread, for a request that blocks (a syncobj wait): resolves
 * with its return value. errno is not reported (after an async call it is not this thread's to
 * read): callers that need the outcome ask again synchronously. `arg`, and whatever memory it points
 * to, must stay referenced by the caller until the promise settles.
 */
export function ioctlAsync(fd: number, request: number | bigint, arg: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    c_ioctl.async(fd, request, arg, (err: unknown, ret: number) => (err ? reject(err) : resolve(ret)));
  });
}

/** poll(2) on an array of struct pollfd (pollfdIn); `.async` runs it on a pool thread. */
export const c_poll = libc.func("int poll(_Inout_ int16_t *fds, unsigned long nfds, int timeout)");

/** One struct pollfd { int fd; short events; short revents; } asking whether `fd` is readable. */
export function pollfdIn(fd: number): Int16Array {
  const pfd = new Int16Array(4);
  new Int32Array(pfd.buffer, 0, 1)[0] = fd;
  pfd[2] = 1; // POLLIN
  return pfd;
}

export const CLOCK_MONOTONIC = 1;
const timespec = new BigInt64Array(2); // struct timespec { time_t tv_sec; long tv_nsec; } on LP64

/** Now on clock `clockId` (a clockid_t, e.g. the one wp_presentation reports) in ns. */
export function clockNs(clockId: number): bigint {
  check("clock_gettime", c_clock_gettime(clockId, timespec), `clock ${clockId}`);
  return timespec[0]! * 1_000_000_000n + timespec[1]!;
}

/** Maps len bytes of fd (shared unless `flags` says MAP_PRIVATE); the returned view stays valid until `unmap` is called. */
export function mmap(fd: number, len: number, prot = PROT_READ | PROT_WRITE, offset = 0, flags = MAP_SHARED): Mapping {
  const address = c_mmap(null, len, prot, flags, fd, offset) as bigint;
  if (address === MAP_FAILED) throw new SysError("mmap", koffi.errno(), `fd ${fd}, ${len} bytes`);
  return new Mapping(address, len);
}

/** A region mapped with mmap (e.g. a dumb buffer's pixels): `length` bytes at `address`, read and written through `buffer`; unmap() releases it. */
export class Mapping {
  private view: ArrayBuffer | undefined;
  constructor(
    readonly address: bigint,
    readonly length: number,
  ) {}
  /** One ArrayBuffer over the mapping, created once (see DESIGN: never two views of one address). */
  get buffer(): ArrayBuffer {
    if (!this.view) {
      if (this.length === 0) throw new UseAfterCloseError("mapping", "mapping has been unmapped");
      this.view = koffi.view(this.address, this.length) as ArrayBuffer;
    }
    return this.view;
  }
  /** Releases the mapping (munmap); `buffer` must not be used afterwards. Idempotent. Throws SysError if munmap fails. */
  unmap(): void {
    if (this.length === 0) return;
    check("munmap", c_munmap(this.address, this.length));
    (this as { length: number }).length = 0;
    this.view = undefined;
  }
}

/** Frees memory a C library allocated with malloc and handed to us (e.g. a string it wrote). */
export function free(ptr: bigint): void {
  c_free(ptr);
}

/**
 * Formats a C library's printf-style message from its format and va_list (what a log callback gets)
 * into `buf`, returning the text (cut to the buffer's size).
 */
export function formatVaList(buf: Buffer, fmt: string, ap: bigint): string {
  const n = c_vsnprintf(buf, buf.length, fmt, ap) as number;
  return buf.toString("utf8", 0, Math.max(0, Math.min(n, buf.length - 1)));
}

/** Number of open descriptors of this process, for leak checks in tests. */
export function openFdCount(): number {
  // readdirSync's own directory fd is counted; callers compare two counts, so it cancels out.
  return readdirSync("/proc/self/fd").length;
}
