// Bytes and descriptors received but not dispatched yet, cut into whole messages. The socket reads
// straight into this buffer (no copy); a message split across reads waits here for its rest, and
// limits keep a misbehaving compositor from growing it forever.
import { close as closeFd } from "../sys/libc.js";
import { NativeBytes } from "../sys/native-bytes.js";
import type { UnixSocket } from "../sys/socket.js";
import { type ByteSource, checkMessageSize, HEADER_SIZE, WireError } from "./wire.js";

const INITIAL_BYTES = 16 * 1024;
/** Free space a read is offered at least (the buffer grows or is compacted to give it). */
const MIN_READ_ROOM = 4096;
/** Upper bound on bytes buffered while waiting for the rest of a message. */
const MAX_BUFFERED_BYTES = 1 << 20;
/** Upper bound on descriptors received ahead of the messages that use them. */
const MAX_QUEUED_FDS = 1024;

/** What Incoming reads from: a socket's non-blocking receive. */
export type Receiver = Pick<UnixSocket, "receive">;

export class Incoming {
  private store = new NativeBytes(INITIAL_BYTES);
  private length = 0;
  private readonly fds: number[] = [];
  /** Bumped by discard, so a drain interrupted by one leaves the emptied buffer alone. */
  private epoch = 0;

  /** The buffer message bodies live in (valid during a `drain` callback), for decodeArgsAt. */
  get source(): ByteSource {
    return this.store;
  }

  /** Free bytes for the next read. */
  get room(): number {
    return this.store.size - this.length;
  }

  /** Descriptors received and not taken yet. */
  get queuedFds(): number {
    return this.fds.length;
  }

  /**
   * Reads once from `from` into the free space: the byte count, 0 when the peer hung up, or
   * WOULD_BLOCK. Descriptors that came along are queued (owned here from now on).
   */
  receiveFrom(from: Receiver): number {
    this.reserve(MIN_READ_ROOM);
    const n = from.receive(this.store, this.length, this.store.size - this.length, this.fds);
    if (n > 0) this.length += n;
    this.checkFds();
    return n;
  }

  /** Adds received bytes and descriptors (the queue owns the descriptors from now on). */
  append(bytes: Uint8Array, fds: readonly number[]): void {
    for (const fd of fds) this.fds.push(fd);
    this.checkFds();
    this.reserve(bytes.length);
    this.store.bytes.set(bytes, this.length);
    this.length += bytes.length;
  }

  /**
   * Hands every complete message to `each` as a body range of `source` (valid during the call only)
   * until `each` returns false; keeps what is left, even when `each` throws.
   */
  drain(each: (id: number, opcode: number, start: number, end: number) => boolean): void {
    const view = this.store.view;
    const epoch = this.epoch;
    let offset = 0;
    try {
      while (this.length - offset >= HEADER_SIZE) {
        const id = view.getUint32(offset, true);
        const word = view.getUint32(offset + 4, true);
        const size = word >>> 16;
        checkMessageSize(id, word & 0xffff, size);
        if (this.length - offset < size) break;
        const start = offset + HEADER_SIZE;
        offset += size;
        if (!each(id, word & 0xffff, start, offset)) break;
      }
    } finally {
      if (this.epoch === epoch && offset > 0) {
        // usually everything was consumed: then there is nothing to move
        if (offset < this.length) this.store.bytes.copyWithin(0, offset, this.length);
        this.length -= offset;
      }
    }
  }

  /** The next received descriptor, in order (the caller owns it), or undefined. */
  takeFd(): number | undefined {
    return this.fds.shift();
  }

  /** Drops buffered bytes and closes queued descriptors. */
  discard(): void {
    this.epoch++;
    this.length = 0;
    for (const fd of this.fds.splice(0)) closeFd(fd);
  }

  /** Makes room for `n` more bytes, growing the buffer up to MAX_BUFFERED_BYTES. */
  private reserve(n: number): void {
    const need = this.length + n;
    if (need <= this.store.size) return;
    if (need > MAX_BUFFERED_BYTES) throw new WireError(`more than ${MAX_BUFFERED_BYTES} bytes of incomplete messages`);
    const bigger = new NativeBytes(Math.min(MAX_BUFFERED_BYTES, Math.max(need, this.store.size * 2)));
    bigger.bytes.set(this.store.bytes.subarray(0, this.length));
    this.store = bigger;
  }

  private checkFds(): void {
    if (this.fds.length > MAX_QUEUED_FDS) throw new WireError(`compositor queued ${this.fds.length} descriptors without using them`);
  }
}
