// Requests waiting to be written. The connection queues each encoded message with its own
// duplicates of the descriptors it carries; a flush sends them in sendmsg-sized chunks.
import { close as closeFd } from "../sys/libc.js";
import { MAX_FDS_PER_SEND } from "../sys/socket.js";

export interface Outgoing {
  bytes: Uint8Array;
  /** Descriptors owned by the queue: closed once sent or dropped. */
  fds: number[];
}

/** Bytes per sendmsg before a chunk is cut (a few pages: fewer syscalls, bounded copies). */
const CHUNK_BYTES = 32 * 1024;

export interface Chunk {
  data: Uint8Array;
  fds: number[];
  /** How many messages of the batch the chunk holds. */
  messages: number;
}

/**
 * Consecutive messages of `batch` from `start`, as one sendmsg: at most MAX_FDS_PER_SEND
 * descriptors and about CHUNK_BYTES bytes (one message always fits, whatever its size).
 */
export function nextChunk(batch: readonly Outgoing[], start: number): Chunk {
  let size = 0;
  const fds: number[] = [];
  let end = start;
  while (end < batch.length && size < CHUNK_BYTES && (end === start || fds.length + batch[end]!.fds.length <= MAX_FDS_PER_SEND)) {
    size += batch[end]!.bytes.length;
    fds.push(...batch[end]!.fds);
    end++;
  }
  const data = new Uint8Array(size);
  let offset = 0;
  for (let k = start; k < end; k++) {
    data.set(batch[k]!.bytes, offset);
    offset += batch[k]!.bytes.length;
  }
  return { data, fds, messages: end - start };
}

/** Closes the descriptors of messages that will not be sent (or were). */
export function closeOutgoing(messages: readonly Outgoing[]): void {
  for (const m of messages) for (const fd of m.fds) closeFd(fd);
}
