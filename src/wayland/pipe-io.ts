// Moving clipboard and drag-and-drop data through the pipes Wayland hands between clients, without
// ever blocking the frame loop: each end becomes a libuv pipe handle (net.Socket over the fd),
// which reads and writes non-blocking in the event loop, in chunks of 64 KiB, each its own callback.
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

/** What a text read brought: the text (UTF-8, decoded as the bytes arrived), its size in bytes, whether the limit cut it. */
export interface PipeText {
  readonly text: string;
  readonly bytes: number;
  /** True when the writer had more than the limit: `text` holds the whole characters of the first `limit` bytes. */
  readonly truncated: boolean;
}

/**
 * Reads `fd` (a pipe's read end, owned from now on and closed here) to its end, keeping at most
 * `limit` bytes; past the limit the rest is not read and the pipe is closed (the writer gets
 * EPIPE). Rejects after `timeoutMs` without an end (a writer that never closes). The chunks are
 * joined once, at the end (one copy).
 */
export async function readPipe(fd: number, limit: number, timeoutMs: number): Promise<PipeData> {
  const chunks: Buffer[] = [];
  const { size, truncated } = await drainPipe(fd, limit, timeoutMs, (chunk) => chunks.push(chunk));
  const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), truncated };
}

/**
 * Bytes decoded at a time by readPipeText: enough that each decoded piece is born in V8's large
 * object space (over 128 KB) rather than the young generation, whose scavenges would copy every
 * piece again (12-68 ms pauses for 10 MB decoded per 64 KiB here); little enough to decode in well
 * under a millisecond.
 */
const TEXT_BATCH = 256 << 10;

/**
 * readPipe for text: the bytes are decoded (UTF-8, streaming) TEXT_BATCH at a time as they arrive,
 * so the decoding is spread over the turns of the event loop the transfer takes anyway and no turn
 * decodes the whole paste (10 MB of mixed-script text took 60-120 ms in one piece here). The result
 * is the pieces joined by `+`: V8 keeps them as a rope and lays it out flat when the string is first
 * used whole (15-30 ms for that 10 MB here: the app's cost, once). A cut paste ends at its last whole character.
 */
export async function readPipeText(fd: number, limit: number, timeoutMs: number): Promise<PipeText> {
  const decoder = new TextDecoder("utf-8");
  let text = "";
  let pending: Buffer[] = [];
  let pendingSize = 0;
  const decodePending = (): void => {
    if (pendingSize === 0) return;
    text += decoder.decode(pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingSize), { stream: true });
    pending = [];
    pendingSize = 0;
  };
  const { size, truncated } = await drainPipe(fd, limit, timeoutMs, (chunk) => {
    pending.push(chunk);
    pendingSize += chunk.length;
    if (pendingSize >= TEXT_BATCH) decodePending();
  });
  decodePending();
  if (!truncated) text += decoder.decode(); // an unfinished sequence at the very end becomes U+FFFD
  return { text, bytes: size, truncated };
}

/**
 * Bytes read in one turn of the event loop at most: libuv reads a readable pipe up to 32 times
 * (2 MiB) in one go, which with decoding put 10-15 ms of work between two frames on a busy machine
 * here; past this the read pauses until the next turn (setImmediate), so timers and the compositor's
 * events (a frame) come in between.
 */
const TURN_BYTES = 256 << 10;

/** Reads `fd` to its end (or `limit` bytes), handing each chunk to `take` in the turn it arrives. */
function drainPipe(fd: number, limit: number, timeoutMs: number, take: (chunk: Buffer) => void): Promise<{ size: number; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    let size = 0;
    let thisTurn = 0;
    let settled = false;
    const sock = new Socket({ fd, readable: true, writable: false, allowHalfOpen: true });
    const finish = (err: Error | undefined, truncated = false): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve({ size, truncated });
    };
    const timer = setTimeout(() => finish(new Error(`no end of data within ${timeoutMs} ms (${size} bytes read)`)), timeoutMs);
    sock.on("data", (chunk: Buffer) => {
      if (settled) return;
      const room = limit - size;
      if (chunk.length > room) {
        if (room > 0) take(chunk.subarray(0, room));
        size = limit;
        return finish(undefined, true);
      }
      take(chunk);
      size += chunk.length;
      thisTurn += chunk.length;
      if (thisTurn >= TURN_BYTES) {
        thisTurn = 0;
        sock.pause();
        setImmediate(() => settled || sock.resume());
      }
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
