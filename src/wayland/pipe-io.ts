// Moving clipboard and drag-and-drop data through the pipes Wayland hands between clients, without
// ever blocking the frame loop: each end becomes a libuv pipe handle (net.Socket over the fd),
// which reads and writes non-blocking in the event loop, a chunk (64 KiB) per turn at most.
import { Socket } from "node:net";
import { close as closeFd, O_NONBLOCK, pipe } from "../sys/libc.js";

/** What a read brought: the bytes and whether the size limit cut them. */
export interface PipeData {
  readonly data: Uint8Array;
  /** True when the writer had more than the limit: `data` holds the first `limit` bytes. */
  readonly truncated: boolean;
}

/** A fresh pipe for a transfer: the read end stays with us, the write end goes to the compositor (and is closed here once sent). */
export function transferPipe(): { readFd: number; writeFd: number } {
  const [readFd, writeFd] = pipe(O_NONBLOCK);
  return { readFd, writeFd };
}

/**
 * Reads `fd` (a pipe's read end, owned from now on and closed here) to its end, keeping at most
 * `limit` bytes; past the limit the rest is not read and the pipe is closed (the writer gets
 * EPIPE). Rejects after `timeoutMs` without an end (a writer that never closes).
 */
export function readPipe(fd: number, limit: number, timeoutMs: number): Promise<PipeData> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const sock = new Socket({ fd, readable: true, writable: false, allowHalfOpen: true });
    const finish = (err: Error | undefined, truncated = false): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) return reject(err);
      const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      resolve({ data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), truncated });
    };
    const timer = setTimeout(() => finish(new Error(`no end of data within ${timeoutMs} ms (${size} bytes read)`)), timeoutMs);
    sock.on("data", (chunk: Buffer) => {
      const room = limit - size;
      if (chunk.length > room) {
        if (room > 0) chunks.push(chunk.subarray(0, room));
        size = limit;
        return finish(undefined, true);
      }
      chunks.push(chunk);
      size += chunk.length;
    });
    sock.on("end", () => finish(undefined));
    sock.on("error", (e) => finish(e));
  });
}

/**
 * Writes `data` into `fd` (a pipe's write end, owned from now on) and closes it. A reader that
 * goes away early (EPIPE) or never reads within `timeoutMs` ends the write quietly: resolves true
 * when every byte was taken, false otherwise.
 */
export function writePipe(fd: number, data: Uint8Array, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let sock: Socket;
    try {
      sock = new Socket({ fd, readable: false, writable: true });
    } catch {
      closeFd(fd); // not a pipe or socket libuv can drive: nothing can be written
      return resolve(false);
    }
    let done = false;
    const finish = (complete: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(complete);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    sock.on("error", () => finish(false));
    sock.on("close", () => finish(false));
    sock.end(data, (err?: Error | null) => finish(!err));
  });
}
