// Requests waiting to be written. Each is encoded straight into one buffer that sendmsg reads in
// place; the descriptors it carries (our own duplicates) wait beside it with the offset of their
// message, so they leave with the chunk that holds that message's first byte (or an earlier one).
import { close as closeFd } from "../sys/libc.js";
import { NativeBytes } from "../sys/native-bytes.js";
import { MAX_FDS_PER_SEND, type UnixSocket, WOULD_BLOCK } from "../sys/socket.js";
import { WaylandConnectionError } from "./errors.js";
import { messageSize, type MessageSpec, WireError, type WireValue, writeMessage } from "./wire.js";

const INITIAL_BYTES = 16 * 1024;
/**
 * Bytes queued before the connection gives up on a compositor that stopped reading (far more than
 * any frame's requests; the kernel buffer in front of it holds a few hundred KiB more).
 */
export const MAX_QUEUED_BYTES = 16 << 20;

/** What Outgoing writes to: a socket's non-blocking send. */
export type Sender = Pick<UnixSocket, "sendSome">;

export class Outgoing {
  private store = new NativeBytes(INITIAL_BYTES);
  private head = 0;
  private tail = 0;
  /** Queued descriptors, and for each the offset of the message carrying it. */
  private readonly fds: number[] = [];
  private readonly fdAt: number[] = [];
  private fdHead = 0;
  private readonly scratchFds: number[] = [];

  get empty(): boolean {
    return this.head === this.tail;
  }

  /**
   * Encodes a message at the end of the queue. Its descriptors are duplicated with `dup` (the
   * queue owns the duplicates). Nothing is queued when encoding or duplicating fails (WireError for
   * bad arguments; WaylandConnectionError when MAX_QUEUED_BYTES are already waiting).
   */
  push(objectId: number, opcode: number, spec: MessageSpec, args: readonly WireValue[], dup: (fd: number) => number): void {
    const size = messageSize(spec, args);
    this.reserve(size);
    const fds = this.scratchFds;
    if (fds.length) fds.length = 0; // (setting length is a runtime call even when 0)
    writeMessage(this.store, this.tail, size, objectId, opcode, spec, args, fds);
    if (fds.length > MAX_FDS_PER_SEND) throw new WireError(`${spec.name}: ${fds.length} descriptors in one message (at most ${MAX_FDS_PER_SEND})`);
    const first = this.fds.length;
    try {
      for (const fd of fds) {
        this.fds.push(dup(fd));
        this.fdAt.push(this.tail);
      }
    } catch (e) {
      for (const fd of this.fds.splice(first)) closeFd(fd);
      this.fdAt.length = first;
      throw e;
    }
    this.tail += size;
  }

  /**
   * Writes as much as `to` takes without waiting: true when the queue is empty, false when the
   * socket is full (try again once it is writable). Throws what the socket throws.
   */
  writeTo(to: Sender): boolean {
    while (this.head < this.tail) {
      let fdCount = this.fds.length - this.fdHead;
      let end = this.tail;
      if (fdCount > MAX_FDS_PER_SEND) {
        // stop before the message of the first descriptor that does not fit; it leads the next chunk
        fdCount = MAX_FDS_PER_SEND;
        end = this.fdAt[this.fdHead + MAX_FDS_PER_SEND]!;
      }
      const sent = to.sendSome(this.store, this.head, end - this.head, this.fds, this.fdHead, fdCount);
      if (sent === WOULD_BLOCK) return false;
      for (let i = 0; i < fdCount; i++) closeFd(this.fds[this.fdHead + i]!);
      this.fdHead += fdCount;
      this.head += sent;
    }
    this.forget();
    return true;
  }

  /** Closes the queued descriptors and forgets the queued bytes. */
  discard(): void {
    for (let i = this.fdHead; i < this.fds.length; i++) closeFd(this.fds[i]!);
    this.forget();
  }

  private forget(): void {
    this.head = this.tail = 0;
    if (this.fds.length) this.fds.length = this.fdAt.length = 0;
    this.fdHead = 0;
  }

  /** Room for `size` more bytes at the tail: moves the unsent bytes to the front, or grows. */
  private reserve(size: number): void {
    if (this.tail + size <= this.store.size) return;
    const unsent = this.tail - this.head;
    if (unsent + size > MAX_QUEUED_BYTES)
      throw new WaylandConnectionError(`${unsent} bytes of requests are waiting and the compositor is not reading them`);
    const target = unsent + size <= this.store.size / 2 ? this.store : new NativeBytes(Math.max(this.store.size * 2, unsent + size));
    if (target === this.store) this.store.bytes.copyWithin(0, this.head, this.tail);
    else target.bytes.set(this.store.bytes.subarray(this.head, this.tail));
    for (let i = this.fdHead; i < this.fdAt.length; i++) this.fdAt[i] = this.fdAt[i]! - this.head;
    this.store = target;
    this.tail = unsent;
    this.head = 0;
  }
}
