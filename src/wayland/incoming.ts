// Bytes and descriptors received but not dispatched yet, cut into whole messages. A message split
// across reads waits here for its rest; limits keep a misbehaving compositor from growing it forever.
import { close as closeFd } from "../sys/libc.js";
import { HEADER_SIZE, readHeader, WireError } from "./wire.js";

/** Upper bound on bytes buffered while waiting for the rest of a message. */
const MAX_BUFFERED_BYTES = 1 << 20;
/** Upper bound on descriptors received ahead of the messages that use them. */
const MAX_QUEUED_FDS = 1024;

export class Incoming {
  private bytes = new Uint8Array(16 * 1024);
  private length = 0;
  private readonly fds: number[] = [];

  /** Adds received bytes and descriptors (the queue owns the descriptors from now on). */
  append(bytes: Uint8Array, fds: readonly number[]): void {
    this.fds.push(...fds);
    if (this.fds.length > MAX_QUEUED_FDS) throw new WireError(`compositor queued ${this.fds.length} descriptors without using them`);
    const need = this.length + bytes.length;
    if (need > this.bytes.length) {
      if (need > MAX_BUFFERED_BYTES) throw new WireError(`more than ${MAX_BUFFERED_BYTES} bytes of incomplete messages`);
      const bigger = new Uint8Array(Math.max(need, this.bytes.length * 2));
      bigger.set(this.bytes.subarray(0, this.length));
      this.bytes = bigger;
    }
    this.bytes.set(bytes, this.length);
    this.length = need;
  }

  /**
   * Hands every complete message to `each` (its body is valid during the call only) until `each`
   * returns false; keeps what is left, even when `each` throws.
   */
  drain(each: (id: number, opcode: number, body: Uint8Array) => boolean): void {
    let offset = 0;
    try {
      for (;;) {
        const h = readHeader(this.bytes, offset, this.length);
        if (!h || this.length - offset < h.size) break;
        const body = this.bytes.subarray(offset + HEADER_SIZE, offset + h.size);
        offset += h.size;
        if (!each(h.id, h.opcode, body)) break;
      }
    } finally {
      this.bytes.copyWithin(0, offset, this.length);
      this.length -= offset;
    }
  }

  /** The next received descriptor, in order (the caller owns it), or undefined. */
  takeFd(): number | undefined {
    return this.fds.shift();
  }

  /** Drops buffered bytes and closes queued descriptors. */
  discard(): void {
    this.length = 0;
    for (const fd of this.fds.splice(0)) closeFd(fd);
  }
}
