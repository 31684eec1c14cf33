// Unix stream sockets with SCM_RIGHTS through koffi. Node's `net` cannot carry descriptors, so we
// call socket/connect/sendmsg/recvmsg ourselves. Receiving is a blocking recvmsg run with koffi's
// `.async` on a pool thread, so the event loop never blocks while we wait for the peer; sending is
// non-blocking (MSG_DONTWAIT) and falls back to a blocking pool-thread send only when the socket
// buffer is full. All msghdr/iovec/cmsg memory is allocated once per socket with koffi.alloc so
// its address is stable while a pool thread uses it.
import { check, close as closeFd, koffi, libc, SysError } from "./libc.js";

const AF_UNIX = 1;
const SOCK_STREAM = 1;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SCM_RIGHTS = 1;
const SHUT_RDWR = 2;
export const MSG_DONTWAIT = 0x40;
export const MSG_NOSIGNAL = 0x4000;
export const MSG_CMSG_CLOEXEC = 0x40000000;
const MSG_CTRUNC = 0x8;
const EAGAIN = 11;
const EINTR = 4;
const ENAMETOOLONG = 36;

/** Most descriptors one sendmsg carries (libwayland uses the same bound). */
export const MAX_FDS_PER_SEND = 28;
/** Descriptors one recvmsg can accept; more are truncated by the kernel and reported as an error. */
export const MAX_FDS_PER_RECV = 60;

const c_socket = libc.func("int socket(int domain, int type, int protocol)");
const c_connect = libc.func("int connect(int fd, void *addr, uint32_t len)");
const c_sendmsg = libc.func("intptr_t sendmsg(int fd, void *msg, int flags)");
const c_recvmsg = libc.func("intptr_t recvmsg(int fd, void *msg, int flags)");
const c_shutdown = libc.func("int shutdown(int fd, int how)");

// x86_64 / aarch64 Linux layouts (LP64).
const MSGHDR_SIZE = 56;
const IOVEC_SIZE = 16;
const CMSG_HDR = 16;
const cmsgSpace = (n: number) => CMSG_HDR + ((n * 4 + 7) & ~7);

/** A fixed native scratch area: msghdr + iovec + control + data, at a stable address. */
class NativeMsg {
  readonly ptr: bigint;
  readonly view: DataView;
  readonly bytes: Uint8Array;
  readonly dataOffset: number;
  constructor(
    readonly dataCapacity: number,
    readonly controlCapacity: number,
  ) {
    const total = MSGHDR_SIZE + IOVEC_SIZE + controlCapacity + dataCapacity;
    this.ptr = koffi.alloc("uint8", total) as bigint;
    const ab = koffi.view(this.ptr, total) as ArrayBuffer;
    this.view = new DataView(ab);
    this.bytes = new Uint8Array(ab);
    this.dataOffset = MSGHDR_SIZE + IOVEC_SIZE + controlCapacity;
  }
  /** Fills msghdr for `dataLen` bytes and `controlLen` control bytes. */
  prepare(dataLen: number, controlLen: number): void {
    const v = this.view;
    const base = this.ptr;
    v.setBigUint64(0, 0n, true); // msg_name
    v.setUint32(8, 0, true); // msg_namelen
    v.setUint32(12, 0, true);
    v.setBigUint64(16, base + BigInt(MSGHDR_SIZE), true); // msg_iov
    v.setBigUint64(24, 1n, true); // msg_iovlen
    v.setBigUint64(32, controlLen ? base + BigInt(MSGHDR_SIZE + IOVEC_SIZE) : 0n, true);
    v.setBigUint64(40, BigInt(controlLen), true);
    v.setInt32(48, 0, true); // msg_flags
    v.setBigUint64(MSGHDR_SIZE, base + BigInt(this.dataOffset), true); // iov_base
    v.setBigUint64(MSGHDR_SIZE + 8, BigInt(dataLen), true); // iov_len
  }
  free(): void {
    koffi.free(this.ptr);
  }
}

export interface Received {
  /** Bytes read; a view valid until the next recv call. Empty means the peer closed. */
  bytes: Uint8Array;
  /** Descriptors received with these bytes (close-on-exec); the caller owns them. */
  fds: number[];
}

/** A connected AF_UNIX stream socket that passes descriptors. Owns its fd. */
export class UnixSocket {
  private fd: number;
  private readonly rx: NativeMsg;
  private readonly tx: NativeMsg;
  private receiving = false;
  private sending = false;
  private shut = false;
  private closeRequested = false;

  private constructor(fd: number) {
    this.fd = fd;
    this.rx = new NativeMsg(64 * 1024, cmsgSpace(MAX_FDS_PER_RECV));
    this.tx = new NativeMsg(64 * 1024, cmsgSpace(MAX_FDS_PER_SEND));
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

  get descriptor(): number {
    return this.fd;
  }

  get closed(): boolean {
    return this.fd < 0;
  }

  /**
   * Sends all of `data` with `fds` attached to its first byte. Non-blocking first; when the socket
   * buffer is full the rest goes through a blocking send on a pool thread.
   */
  async send(data: Uint8Array, fds: readonly number[] = []): Promise<void> {
    if (this.fd < 0) throw new Error("send on a closed socket");
    if (fds.length > MAX_FDS_PER_SEND) throw new Error(`too many fds for one sendmsg: ${fds.length}`);
    if (this.sending) throw new Error("UnixSocket.send: a send is already in progress");
    this.sending = true;
    try {
      let offset = 0;
      let pendingFds = fds;
      let blocking = false;
      while (offset < data.length || pendingFds.length) {
        const n = Math.min(data.length - offset, this.tx.dataCapacity);
        this.tx.bytes.set(data.subarray(offset, offset + n), this.tx.dataOffset);
        let controlLen = 0;
        if (pendingFds.length) {
          const c = MSGHDR_SIZE + IOVEC_SIZE;
          controlLen = cmsgSpace(pendingFds.length);
          this.tx.bytes.fill(0, c, c + controlLen);
          this.tx.view.setBigUint64(c, BigInt(CMSG_HDR + pendingFds.length * 4), true);
          this.tx.view.setInt32(c + 8, SOL_SOCKET, true);
          this.tx.view.setInt32(c + 12, SCM_RIGHTS, true);
          pendingFds.forEach((fd, i) => this.tx.view.setInt32(c + CMSG_HDR + i * 4, fd, true));
        }
        this.tx.prepare(n, controlLen);
        const fd = this.fd;
        if (fd < 0) throw new Error("socket closed during send");
        let sent: number;
        if (!blocking) {
          sent = Number(c_sendmsg(fd, this.tx.ptr, MSG_DONTWAIT | MSG_NOSIGNAL));
          if (sent < 0) {
            const errno = koffi.errno();
            if (errno === EAGAIN) {
              blocking = true;
              continue;
            }
            if (errno === EINTR) continue;
            throw new SysError("sendmsg", errno, `fd ${fd}`);
          }
        } else {
          const [ret, errno] = await new Promise<[number, number]>((resolve, reject) =>
            c_sendmsg.async(fd, this.tx.ptr, MSG_NOSIGNAL, (err: unknown, r: number | bigint) =>
              err ? reject(err) : resolve([Number(r), Number(r) < 0 ? koffi.errno() : 0]),
            ),
          );
          if (ret < 0) {
            if (errno === EINTR) continue;
            throw new SysError("sendmsg", errno, `fd ${fd}`);
          }
          sent = ret;
          blocking = false;
        }
        offset += sent;
        pendingFds = [];
        if (sent === 0 && n === 0) break;
      }
    } finally {
      this.sending = false;
      if (this.closeRequested && !this.receiving) this.release();
    }
  }

  /**
   * Waits (on a pool thread) for the next chunk of bytes and descriptors. Resolves with empty
   * bytes when the peer hung up or the socket was shut down.
   */
  recv(): Promise<Received> {
    if (this.fd < 0 || this.shut) return Promise.resolve({ bytes: new Uint8Array(0), fds: [] });
    if (this.receiving) return Promise.reject(new Error("UnixSocket.recv: a receive is already in progress"));
    this.receiving = true;
    const controlCap = this.rx.controlCapacity;
    this.rx.prepare(this.rx.dataCapacity, controlCap);
    const fd = this.fd;
    return new Promise<Received>((resolve, reject) => {
      const start = (cb: (err: unknown, r: number | bigint) => void) => {
        try {
          c_recvmsg.async(fd, this.rx.ptr, MSG_CMSG_CLOEXEC, cb);
        } catch (e) {
          // koffi refuses when too many async calls are pending: not receiving after all
          this.receiving = false;
          if (this.closeRequested && !this.sending) this.release();
          reject(e);
        }
      };
      start((err: unknown, r: number | bigint) => {
        const ret = Number(r);
        const errno = ret < 0 ? koffi.errno() : 0;
        this.receiving = false;
        try {
          if (err) throw err;
          if (ret < 0) {
            if (errno === EINTR || errno === EAGAIN) {
              resolve(this.recv());
              return;
            }
            throw new SysError("recvmsg", errno, `fd ${fd}`);
          }
          const fds = this.parseControl();
          const flags = this.rx.view.getInt32(48, true);
          if (flags & MSG_CTRUNC) {
            for (const f of fds) closeFd(f);
            throw new Error(`recvmsg: peer sent more than ${MAX_FDS_PER_RECV} descriptors at once (control truncated)`);
          }
          const bytes = this.rx.bytes.subarray(this.rx.dataOffset, this.rx.dataOffset + ret);
          resolve({ bytes, fds });
        } catch (e) {
          reject(e);
        } finally {
          if (this.closeRequested && !this.sending) this.release();
        }
      });
    });
  }

  /** Reads SCM_RIGHTS descriptors out of the control buffer, validating every length. */
  private parseControl(): number[] {
    const v = this.rx.view;
    const start = MSGHDR_SIZE + IOVEC_SIZE;
    const controlLen = Number(v.getBigUint64(40, true));
    const fds: number[] = [];
    let off = 0;
    while (off + CMSG_HDR <= controlLen && off + CMSG_HDR <= this.rx.controlCapacity) {
      const len = Number(v.getBigUint64(start + off, true));
      const level = v.getInt32(start + off + 8, true);
      const type = v.getInt32(start + off + 12, true);
      if (len < CMSG_HDR || off + len > controlLen) break;
      if (level === SOL_SOCKET && type === SCM_RIGHTS) {
        const n = Math.floor((len - CMSG_HDR) / 4);
        for (let i = 0; i < n; i++) fds.push(v.getInt32(start + off + CMSG_HDR + i * 4, true));
      }
      off += (len + 7) & ~7;
    }
    return fds;
  }

  /** Wakes a pending recv (it resolves empty) without closing the descriptor yet. */
  shutdown(): void {
    if (this.fd < 0 || this.shut) return;
    this.shut = true;
    c_shutdown(this.fd, SHUT_RDWR);
  }

  /** Shuts the socket down and closes it once no pool thread is using it. Idempotent. */
  close(): void {
    if (this.fd < 0) return;
    this.shutdown();
    this.closeRequested = true;
    if (!this.receiving && !this.sending) this.release();
  }

  private release(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    closeFd(fd);
    this.rx.free();
    this.tx.free();
  }
}

/** Creates a connected socket pair (for tests): both ends are UnixSockets. */
export function socketPair(): [UnixSocket, UnixSocket] {
  const sv = new Int32Array(2);
  check("socketpair", c_socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
  const make = (UnixSocket as unknown as { new (fd: number): UnixSocket });
  return [new make(sv[0]!), new make(sv[1]!)];
}
const c_socketpair = libc.func("int socketpair(int domain, int type, int protocol, _Out_ int *sv)");
