// Shared by the status page tests: a frame loop running in the background, and a WebSocket client
// written by hand for the frames a well-behaved client library would never send.
import { connect, type Socket } from "node:net";
import { randomBytes } from "node:crypto";
import { WebSocket } from "ws";
import { type FrameStats, type Presenter, type Scene, type StatusMessage } from "../../src/index.js";

export interface BackgroundRun {
  /** Ends the loop and resolves with its stats. */
  stop(): Promise<FrameStats>;
  readonly done: Promise<FrameStats>;
  /** Frames drawn so far (counted by the loop body, so it does not depend on presenter.stats). */
  readonly frames: number;
}

/** Runs `scene` on `out` until stopped; the loop gives the event loop a turn every few ms (headless never waits on I/O). */
export function runInBackground(out: Presenter, scene: Scene, options: { limit?: number } = {}): BackgroundRun {
  let stopping = false;
  let frames = 0;
  const done = (async () => {
    for await (const frame of out.frames({ limit: options.limit })) {
      scene.update(frame);
      frame.record((cmd) => scene.draw(cmd, frame));
      frames++;
      if (stopping) break;
    }
    return out.stats;
  })();
  return {
    done,
    get frames() {
      return frames;
    },
    stop: () => {
      stopping = true;
      return done;
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Connects a ws client to the server at `url` and keeps every message it gets. */
export async function statusClient(url: string): Promise<{ ws: WebSocket; messages: StatusMessage[]; arrivals: number[] }> {
  const ws = new WebSocket(url.replace(/^http/, "ws") + "ws");
  const messages: StatusMessage[] = [];
  const arrivals: number[] = [];
  ws.on("message", (data) => {
    messages.push(JSON.parse(String(data)) as StatusMessage);
    arrivals.push(performance.now());
  });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  return { ws, messages, arrivals };
}

/** Sends `request` verbatim and returns everything the server answers until it closes the connection. */
export function rawExchange(port: number, request: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on("data", (c) => chunks.push(c));
    socket.on("error", reject);
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("latin1")));
  });
}

/** A TCP connection that has completed the WebSocket handshake on /ws; nothing more is read unless asked. */
export function rawWebSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      const key = randomBytes(16).toString("base64");
      socket.write(
        `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      socket.off("data", onData);
      socket.pause();
      if (!head.subarray(0, end).toString().startsWith("HTTP/1.1 101")) return reject(new Error(`handshake refused: ${head.toString()}`));
      const rest = head.subarray(end + 4);
      if (rest.length) socket.unshift(rest);
      resolve(socket);
    };
    socket.on("data", onData);
    socket.on("error", reject);
  });
}

/** One WebSocket frame; `declaredLength` lets a test claim a length it does not send. */
export function wsFrame(opcode: number, payload: Buffer, options: { mask?: boolean; declaredLength?: number } = {}): Buffer {
  const mask = options.mask ?? true;
  const length = options.declaredLength ?? payload.length;
  const head: number[] = [0x80 | opcode];
  const maskBit = mask ? 0x80 : 0;
  if (length < 126) head.push(maskBit | length);
  else if (length < 65536) head.push(maskBit | 126, length >> 8, length & 0xff);
  else {
    head.push(maskBit | 127);
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(BigInt(length));
    head.push(...big);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), payload]);
  const key = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ key[i % 4]!));
  return Buffer.concat([Buffer.from(head), key, masked]);
}

/** Reads server frames until a close frame; resolves with its status code (or -1 if the socket ended without one). */
export function closeCode(socket: Socket): Promise<number> {
  return new Promise((resolve) => {
    let buffer = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (buffer.length < 2) return;
        let length = buffer[1]! & 0x7f;
        let offset = 2;
        if (length === 126) ((length = buffer.readUInt16BE(2)), (offset = 4));
        else if (length === 127) ((length = Number(buffer.readBigUInt64BE(2))), (offset = 10));
        if (buffer.length < offset + length) return;
        if ((buffer[0]! & 0x0f) === 0x8) return resolve(length >= 2 ? buffer.readUInt16BE(offset) : 1005);
        buffer = buffer.subarray(offset + length);
      }
    });
    socket.on("close", () => resolve(-1));
    socket.resume();
  });
}
