// Unix stream sockets with SCM_RIGHTS through koffi. Node's `net` cannot carry descriptors, so we
// call socket/connect/sendmsg/recvmsg ourselves, all on the main thread and all non-blocking
// (MSG_DONTWAIT): `receive` and `sendSome` return WOULD_BLOCK instead of waiting, and `watch`
// says when to try again (a libuv poll handle, see poll.ts). Data moves straight between the
// kernel and the caller's NativeBytes; the msghdr, iovec and control buffers are written once per
// socket and only their lengths change per call, so a call allocates nothing.
import { check, close as closeFd, koffi, libc, SysError } from "./libc.js";
import { NativeBytes, setPointer, setSize } from "./native-bytes.js";
import { FdPoll, type Readiness } from "./poll.js";
import { UseAfterCloseError } from "../util/errors.js";

export type { Readiness } from "./poll.js";

const AF_UNIX = 1;
const SOCK_STREAM = 1;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SCM_RIGHTS = 1;
export const MSG_DONTWAIT = 0x40;
export const MSG_NOSIGNAL = 0x4000;
export const MSG_CMSG_CLOEXEC = 0x40000000;
const MSG_CTRUNC = 0x8;
const EAGAIN = 11;
const EINTR = 4;
const ENAMETOOLONG = 36;

/** Returned by `receive` and `sendSome` when the call would have had to wait. */
export const WOULD_BLOCK = -1;
/** Most descriptors one sendmsg carries (libwayland uses the same bound). */
export const MAX_FDS_PER_SEND = 28;
/** Descriptors one recvmsg can accept; more are truncated by the kernel and reported as an error. */
export const MAX_FDS_PER_RECV = 60;

/** A Unix socket used in a way it does not support, or a message it cannot carry (too many descriptors). */
export class SocketError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SocketError";
  }
}

const c_socket = libc.func("int socket(int domain, int type, int protocol)");
const c_connect = libc.func("int connect(int fd, void *addr, uint32_t len)");
const c_sendmsg = libc.func("intptr_t sendmsg(int fd, void *msg, int flags)");
const c_recvmsg = libc.func("intptr_t recvmsg(int fd, void *msg, int flags)");
const c_socketpair = libc.func("int socketpair(int domain, int type, int protocol, _Out_ int *sv)");

// x86_64 / aarch64 Linux layouts (LP64): struct msghdr, struct iovec, struct cmsghdr.
const MSGHDR_SIZE = 56;
const MSG_IOV = 16;
const MSG_IOVLEN = 24;
const MSG_CONTROL = 32;
const MSG_CONTROLLEN = 40;
const MSG_FLAGS = 48;
const IOVEC_SIZE = 16;
const CMSG_HDR = 16;
const cmsgSpace = (n: number) => CMSG_HDR + ((n * 4 + 7) & ~7);

// One scratch area per socket: a msghdr + iovec for each direction, then the two control buffers.
const RX_HDR = 0;
const TX_HDR = MSGHDR_SIZE + IOVEC_SIZE;
const RX_CONTROL = 2 * TX_HDR;
const RX_CONTROL_SIZE = cmsgSpace(MAX_FDS_PER_RECV);
const TX_CONTROL = RX_CONTROL + RX_CONTROL_SIZE;
const SCRATCH_SIZE = TX_CONTROL + cmsgSpace(MAX_FDS_PER_SEND);

export interface Received {
  /** Bytes read; a view valid until the next recv call. Empty means the peer closed. */
  bytes: Uint8Array;
  /** Descriptors received with these bytes (close-on-exec); the caller owns them. */
  fds: number[];
}

/** A connected AF_UNIX stream socket that passes descriptors. Owns its fd. */
export class UnixSocket {
  private fd: number;
  private readonly scratch = new NativeBytes(SCRATCH_SIZE);
  private readonly rxHeader: bigint;
  private readonly txHeader: bigint;
  private poll: FdPoll | undefined;
  /** What `watch` reports besides readability, and whether readability is paused (pauseReading). */
  private writableWanted = false;
  private readingPaused = false;
  private listener: ((ready: Readiness) => void) | undefined;
  private wakeOnce: (() => void) | undefined;
  /** Buffers of the promise helpers (send/recv), made on first use. */
  private peerBuffers: { rx: NativeBytes; tx: NativeBytes } | undefined;

  private constructor(fd: number) {
    this.fd = fd;
    const s = this.scratch;
    for (const [hdr, control] of [
      [RX_HDR, RX_CONTROL],
      [TX_HDR, TX_CONTROL],
    ] as const) {
      setPointer(s.view, hdr + MSG_IOV, s.address + hdr + MSGHDR_SIZE);
      setSize(s.view, hdr + MSG_IOVLEN, 1);
      setPointer(s.view, hdr + MSG_CONTROL, s.address + control);
    }
    this.rxHeader = BigInt(s.address + RX_HDR);
    this.txHeader = BigInt(s.address + TX_HDR);
  }

  /** Connects to the socket at `path` (must fit sun_path: 107 bytes). */
  static connect(path: string): UnixSocket {
    const pathBytes = Buffer.from(path, "utf8");
    // what connect() itself would say, so callers see one kind of failure for a path that cannot work
    if (pathBytes.length > 107) throw new SysError("connect", ENAMETOOLONG, `${path} (${pathBytes.length} > 107 bytes)`);
    const addr = Buffer.alloc(110);
    addr.writeUInt16LE(AF_UNIX, 0);
    pathBytes.copy(addr, 2);
    const fd = check("socket(AF_UNIX)", c_socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (c_connect(fd, addr, 2 + pathBytes.length + 1) < 0) {
      const errno = koffi.errno();
      closeFd(fd);
      throw new SysError("connect", errno, path);
    }
    return new UnixSocket(fd);
  }

  /** Wraps a connected AF_UNIX socket inherited from a parent (e.g. a socketpair end passed as stdio fd 3); takes ownership. */
  static adopt(fd: number): UnixSocket {
    return new UnixSocket(fd);
  }

  get descriptor(): number {
    return this.fd;
  }

  get closed(): boolean {
    return this.fd < 0;
  }

  /**
   * Reads what is there into `into` [offset, offset + length) without waiting: the byte count,
   * 0 when the peer hung up, or WOULD_BLOCK. Received descriptors (close-on-exec) are appended to
   * `fds`; the caller owns them. A read stops after a message that carried descriptors.
   */
  receive(into: NativeBytes, offset: number, length: number, fds: number[]): number {
    if (this.fd < 0) return 0;
    const v = this.scratch.view;
    setPointer(v, RX_HDR + MSGHDR_SIZE, into.address + offset);
    // lengths: the high halves of these size_t fields stay zero from the constructor on
    v.setUint32(RX_HDR + MSGHDR_SIZE + 8, length, true);
    v.setUint32(RX_HDR + MSG_CONTROLLEN, RX_CONTROL_SIZE, true);
    let n: number;
    for (;;) {
      n = c_recvmsg(this.fd, this.rxHeader, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) as number;
      if (n >= 0) break;
      const errno = koffi.errno();
      if (errno === EAGAIN) return WOULD_BLOCK;
      if (errno !== EINTR) throw new SysError("recvmsg", errno, `fd ${this.fd}`);
    }
    const controlLength = v.getUint32(RX_HDR + MSG_CONTROLLEN, true);
    if (controlLength === 0 && !(v.getInt32(RX_HDR + MSG_FLAGS, true) & MSG_CTRUNC)) return n;
    const first = fds.length;
    this.parseRights(controlLength, fds);
    if (v.getInt32(RX_HDR + MSG_FLAGS, true) & MSG_CTRUNC) {
      for (const fd of fds.splice(first)) closeFd(fd);
      throw new SocketError(`recvmsg: peer sent more than ${MAX_FDS_PER_RECV} descriptors at once (control truncated)`);
    }
    return n;
  }

  /**
   * Writes from `from` [offset, offset + length) without waiting, with `fdCount` descriptors of
   * `fds` from `fdStart` attached to the first byte: the byte count written (the descriptors went
   * with them), or WOULD_BLOCK (nothing went). Throws SysError (EPIPE when the peer is gone).
   */
  sendSome(from: NativeBytes, offset: number, length: number, fds: readonly number[] = [], fdStart = 0, fdCount = 0): number {
    if (this.fd < 0) throw new UseAfterCloseError("UnixSocket", "send on a closed socket");
    if (fdCount > MAX_FDS_PER_SEND) throw new SocketError(`too many fds for one sendmsg: ${fdCount}`);
    const v = this.scratch.view;
    setPointer(v, TX_HDR + MSGHDR_SIZE, from.address + offset);
    // lengths: the high halves of these size_t fields stay zero from the constructor on; with a
    // zero msg_controllen the kernel ignores msg_control, which keeps pointing at our buffer
    v.setUint32(TX_HDR + MSGHDR_SIZE + 8, length, true);
    if (fdCount > 0) {
      const controlLength = cmsgSpace(fdCount);
      this.scratch.bytes.fill(0, TX_CONTROL, TX_CONTROL + controlLength);
      setSize(v, TX_CONTROL, CMSG_HDR + fdCount * 4);
      v.setInt32(TX_CONTROL + 8, SOL_SOCKET, true);
      v.setInt32(TX_CONTROL + 12, SCM_RIGHTS, true);
      for (let i = 0; i < fdCount; i++) v.setInt32(TX_CONTROL + CMSG_HDR + i * 4, fds[fdStart + i]!, true);
      v.setUint32(TX_HDR + MSG_CONTROLLEN, controlLength, true);
    } else v.setUint32(TX_HDR + MSG_CONTROLLEN, 0, true);
    for (;;) {
      const n = c_sendmsg(this.fd, this.txHeader, MSG_DONTWAIT | MSG_NOSIGNAL) as number;
      if (n >= 0) return n;
      const errno = koffi.errno();
      if (errno === EAGAIN) return WOULD_BLOCK;
      if (errno !== EINTR) throw new SysError("sendmsg", errno, `fd ${this.fd}`);
    }
  }

  /**
   * Calls `listener` on the main thread whenever the socket is readable (always watched) or, while
   * `wantWritable(true)`, writable. The listener must not throw.
   */
  watch(listener: (ready: Readiness) => void): void {
    if (this.fd < 0) return;
    this.listener = listener;
    this.pollFor(true, false);
  }

  /** Adds or removes writability to what `watch` reports (while output waits for room). */
  wantWritable(on: boolean): void {
    this.writableWanted = on;
    if (this.listener && this.fd >= 0) this.pollFor(!this.readingPaused, on);
  }

  /**
   * Stops (or starts again) reporting readability to the `watch` listener, so bytes that arrive
   * meanwhile wake nobody; the owner reads them later (Wayland's read batching, socket-io.ts).
   */
  pauseReading(paused: boolean): void {
    this.readingPaused = paused;
    if (this.listener && this.fd >= 0) this.pollFor(!paused, this.writableWanted);
  }

  /**
   * Sends all of `data` with `fds` attached to its first byte, waiting for room on the event loop
   * when the socket buffer is full. For simple peers (tests); a watched socket is driven by its owner.
   */
  async send(data: Uint8Array, fds: readonly number[] = []): Promise<void> {
    const tx = this.buffers().tx;
    let offset = 0;
    let pendingFds = fds.length;
    while (offset < data.length || pendingFds > 0) {
      const n = Math.min(data.length - offset, tx.size);
      tx.bytes.set(data.subarray(offset, offset + n));
      const sent = this.sendSome(tx, 0, n, fds, 0, pendingFds);
      if (sent === WOULD_BLOCK) {
        await this.nextReady(false, true);
        continue;
      }
      offset += sent;
      pendingFds = 0;
      if (n === 0) break;
    }
  }

  /**
   * The next bytes and descriptors, waiting on the event loop until some arrive. Resolves with
   * empty bytes when the peer hung up or the socket was closed. For simple peers (tests).
   */
  async recv(): Promise<Received> {
    const rx = this.buffers().rx;
    for (;;) {
      const fds: number[] = [];
      const n = this.receive(rx, 0, rx.size, fds);
      if (n !== WOULD_BLOCK) return { bytes: rx.bytes.subarray(0, n), fds };
      await this.nextReady(true, false);
    }
  }

  /** Stops watching and closes the descriptor; a pending recv resolves empty. Idempotent. */
  close(): void {
    if (this.fd < 0) return;
    this.poll?.close();
    this.poll = undefined;
    this.listener = undefined;
    const fd = this.fd;
    this.fd = -1;
    closeFd(fd);
    this.wake();
  }

  private buffers(): { rx: NativeBytes; tx: NativeBytes } {
    return (this.peerBuffers ??= { rx: new NativeBytes(64 * 1024), tx: new NativeBytes(64 * 1024) });
  }

  private nextReady(readable: boolean, writable: boolean): Promise<void> {
    if (this.listener) return Promise.reject(new SocketError("UnixSocket: send/recv on a socket driven through watch()"));
    if (this.wakeOnce) return Promise.reject(new SocketError("UnixSocket: a send or recv is already waiting"));
    if (this.fd < 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.wakeOnce = resolve;
      this.pollFor(readable, writable);
    });
  }

  private pollFor(readable: boolean, writable: boolean): void {
    this.poll ??= new FdPoll(this.fd, (ready) => this.onReady(ready));
    this.poll.watch(readable, writable);
  }

  private onReady(ready: Readiness): void {
    if (this.listener) return this.listener(ready);
    this.poll?.watch(false, false);
    this.wake();
  }

  private wake(): void {
    const wake = this.wakeOnce;
    this.wakeOnce = undefined;
    wake?.();
  }

  /** Appends the SCM_RIGHTS descriptors of the control buffer to `fds`, validating every length. */
  private parseRights(controlLength: number, fds: number[]): void {
    const v = this.scratch.view;
    const end = Math.min(controlLength, RX_CONTROL_SIZE);
    let off = 0;
    while (off + CMSG_HDR <= end) {
      const len = v.getUint32(RX_CONTROL + off, true);
      const level = v.getInt32(RX_CONTROL + off + 8, true);
      const type = v.getInt32(RX_CONTROL + off + 12, true);
      if (len < CMSG_HDR || off + len > end) break;
      if (level === SOL_SOCKET && type === SCM_RIGHTS) {
        const n = Math.floor((len - CMSG_HDR) / 4);
        for (let i = 0; i < n; i++) fds.push(v.getInt32(RX_CONTROL + off + CMSG_HDR + i * 4, true));
      }
      off += (len + 7) & ~7;
    }
  }
}

/** Creates a connected socket pair (for tests): both ends are UnixSockets. */
export function socketPair(): [UnixSocket, UnixSocket] {
  const sv = new Int32Array(2);
  check("socketpair", c_socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
  const make = UnixSocket as unknown as { new (fd: number): UnixSocket };
  return [new make(sv[0]!), new make(sv[1]!)];
}
