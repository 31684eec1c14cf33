// The kernel's device events (uevents) from a NETLINK_KOBJECT_UEVENT socket, on Node's event loop:
// the socket is non-blocking and read when libuv says it is readable. Only the kernel's own
// multicast group is joined (not udev's re-broadcast), and a message whose sender is not the kernel
// (nl_pid 0) is dropped, so another process cannot fake a hotplug. No privilege is needed.
import { check, close, koffi, libc, SysError } from "./libc.js";
import { FdPoll } from "./poll.js";

const AF_NETLINK = 16;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const NETLINK_KOBJECT_UEVENT = 15;
const KERNEL_GROUP = 1;
const SOCKADDR_NL_SIZE = 12;
const EAGAIN = 11;
const EINTR = 4;
const ENOBUFS = 105;

const c_socket = libc.func("int socket(int domain, int type, int protocol)");
const c_bind = libc.func("int bind(int fd, const uint8_t *addr, uint32_t len)");
const c_recvfrom = libc.func("intptr_t recvfrom(int fd, _Out_ uint8_t *buf, size_t len, int flags, _Out_ uint8_t *from, _Inout_ uint32_t *fromlen)");

/** One kernel uevent: `ACTION@DEVPATH` and its KEY=VALUE pairs (SUBSYSTEM, DEVNAME, HOTPLUG, CONNECTOR, ...). */
export interface Uevent {
  action: string;
  devpath: string;
  vars: ReadonlyMap<string, string>;
}

/** Parses one kernel uevent datagram (`add@/devices/...\0KEY=VALUE\0...`); undefined for anything else (udev's own format). */
export function parseUevent(bytes: Uint8Array): Uevent | undefined {
  const parts = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1").split("\0");
  const head = parts[0] ?? "";
  const at = head.indexOf("@");
  if (at <= 0) return undefined;
  const vars = new Map<string, string>();
  for (const p of parts.slice(1)) {
    const eq = p.indexOf("=");
    if (eq > 0) vars.set(p.slice(0, eq), p.slice(eq + 1));
  }
  return { action: head.slice(0, at), devpath: head.slice(at + 1), vars };
}

/** A netlink socket receiving the kernel's uevents; close() stops it (it keeps Node alive while open). */
export class UeventSocket {
  private readonly fd: number;
  private readonly poll: FdPoll;
  private readonly buf = Buffer.alloc(16384);
  private readonly from = Buffer.alloc(SOCKADDR_NL_SIZE);
  private readonly fromLen = [SOCKADDR_NL_SIZE];
  private closed = false;

  /**
   * Opens and binds the socket. Throws SysError naming socket() or bind() where netlink uevents are
   * not available (e.g. a container's network namespace gets none, or seccomp forbids it).
   * `onError` hears a failed read, including ENOBUFS (events were lost: re-read the state).
   */
  constructor(
    private readonly onEvent: (e: Uevent) => void,
    private readonly onError: (e: SysError) => void = () => {},
  ) {
    this.fd = check("socket", c_socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT) as number,
      "AF_NETLINK NETLINK_KOBJECT_UEVENT");
    try {
      const addr = Buffer.alloc(SOCKADDR_NL_SIZE);
      addr.writeUInt16LE(AF_NETLINK, 0);
      addr.writeUInt32LE(KERNEL_GROUP, 8); // nl_groups; nl_pid 0 lets the kernel pick our port id
      check("bind", c_bind(this.fd, addr, SOCKADDR_NL_SIZE) as number, "netlink uevent group 1");
    } catch (e) {
      close(this.fd);
      throw e;
    }
    this.poll = new FdPoll(this.fd, () => this.read());
    this.poll.watch(true, false);
  }

  private read(): void {
    for (let i = 0; i < 256 && !this.closed; i++) {
      this.fromLen[0] = SOCKADDR_NL_SIZE;
      const n = Number(c_recvfrom(this.fd, this.buf, this.buf.length, 0, this.from, this.fromLen));
      if (n < 0) {
        const errno = koffi.errno();
        if (errno === EINTR) continue;
        if (errno === EAGAIN) return;
        this.onError(new SysError("recvfrom", errno, errno === ENOBUFS ? "uevents lost: the socket buffer overflowed" : "netlink uevent"));
        if (errno !== ENOBUFS) return;
        continue;
      }
      if (this.from.readUInt32LE(4) !== 0) continue; // not from the kernel
      const ev = parseUevent(this.buf.subarray(0, n));
      if (ev) this.onEvent(ev);
    }
  }

  /** Stops watching and closes the socket. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.poll.close();
    close(this.fd);
  }
}
