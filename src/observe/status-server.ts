// A live status page for a presenter: an HTTP server (the page at /, a JSON snapshot at
// /status.json) and a WebSocket at /ws that pushes a sample several times a second.
// The frame loop pays nothing for it: samples are read from `presenter.stats` on a timer that runs
// only while a page is connected; a client that cannot keep up is dropped, not buffered for.
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, WebSocket } from "ws";
import { logger } from "../util/log.js";
import { MAX_CLIENT_MESSAGE_BYTES } from "./limits.js";
import { LogRing, type LogLine } from "./log-ring.js";
import { STATUS_PAGE_HEADERS, STATUS_PAGE_HTML } from "./page.js";
import { StatusFeed, type PresenterInfo, type StatusSample, type StatusSource } from "./status-feed.js";
import { hostForUrl, hostOfHeader, isLoopbackHost, RemoteBindRefusedError } from "./loopback.js";

const log = logger("present");

/** Options of serveStatus: where to listen, how often to sample, and how much history, log and clients to keep. */
export interface StatusOptions {
  /** TCP port (default 0: a free port chosen by the system; read it from `port` or `url`). */
  port?: number;
  /** Address to listen on (default 127.0.0.1). Anything but loopback needs `allowRemote`. */
  host?: string;
  /** Serve on a non-loopback address: anyone who can reach it can read the page and its log lines. */
  allowRemote?: boolean;
  /** Milliseconds between updates while a page is connected (default 200: five a second). */
  intervalMs?: number;
  /** Seconds of samples kept for the graph (default 10). */
  historySeconds?: number;
  /** Log lines kept for the page (default 200). */
  logLines?: number;
  /** Connected pages at most; more get 503 (default 256). */
  maxClients?: number;
  /** A client with more than this many bytes not yet sent to it is dropped (default 1 MiB). */
  maxBufferedBytes?: number;
}


/** What a page receives: one `hello` on connecting, then one `update` per interval. */
export type StatusMessage =
  | { type: "hello"; info: PresenterInfo; samples: StatusSample[]; log: LogLine[]; intervalMs: number; historySeconds: number }
  | { type: "update"; info: PresenterInfo; sample: StatusSample; log: LogLine[] };

/** Serves a status page for `presenter` until `close()`. Rejects if the address cannot be used. */
export async function serveStatus(presenter: StatusSource, options: StatusOptions = {}): Promise<StatusServer> {
  const host = options.host ?? "127.0.0.1";
  if (!options.allowRemote && !isLoopbackHost(host)) throw new RemoteBindRefusedError(host);
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`status page: port must be 0-65535, got ${port}`);
  const server = new StatusServer(presenter, options, !isLoopbackHost(host));
  await server.listen(host, port);
  return server;
}

/**
 * A live status page for a presenter (made by serveStatus): an HTTP page plus a WebSocket feed of backend facts, frame
 * rate and timing samples, and log lines. Samples are taken on a timer only while a page is connected, never per frame.
 */
export class StatusServer implements AsyncDisposable {
  private readonly http: Server;
  private readonly sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES, perMessageDeflate: false });
  private readonly clients = new Set<WebSocket>();
  private readonly feed: StatusFeed;
  private readonly logRing: LogRing;
  private readonly samples: StatusSample[] = [];
  private readonly intervalMs: number;
  private readonly historySeconds: number;
  private readonly maxClients: number;
  private readonly maxBufferedBytes: number;
  private timer: NodeJS.Timeout | undefined;
  private sentLogSeq = 0;
  /** The presenter's facts as of the last update (what a page joining between updates is shown). */
  private info: PresenterInfo | undefined;
  private address = { host: "", port: 0 };
  private closed = false;
  /** Pages dropped because they fell behind (for tests and the log). */
  droppedClients = 0;

  /** @internal Use serveStatus (it checks the address before anything is made). */
  constructor(
    presenter: StatusSource,
    options: StatusOptions,
    private readonly remote: boolean,
  ) {
    this.intervalMs = positive(options.intervalMs ?? 200, "intervalMs");
    this.historySeconds = positive(options.historySeconds ?? 10, "historySeconds");
    this.maxClients = positive(options.maxClients ?? 256, "maxClients");
    this.maxBufferedBytes = positive(options.maxBufferedBytes ?? 1 << 20, "maxBufferedBytes");
    this.feed = new StatusFeed(presenter);
    this.logRing = new LogRing(options.logLines ?? 200);
    this.http = createServer((req, res) => this.request(req, res));
    this.http.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    this.http.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
      // unparsable, oversized or too slow requests: answer if the socket can still take it, never throw
      const code = error.code === "HPE_HEADER_OVERFLOW" ? 431 : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
      if (socket.writable && error.code !== "ECONNRESET") socket.end(`HTTP/1.1 ${code} ${statusText(code)}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    });
    this.http.headersTimeout = 10_000;
    this.http.requestTimeout = 15_000;
    this.http.maxConnections = this.maxClients + 32;
  }

  /** The page's address, e.g. http://127.0.0.1:8080/ */
  get url(): string {
    return `http://${hostForUrl(this.address.host)}:${this.address.port}/`;
  }
  /** The TCP port it listens on (the one the system chose when options.port was 0). */
  get port(): number {
    return this.address.port;
  }
  /** The address it listens on, e.g. "127.0.0.1". */
  get host(): string {
    return this.address.host;
  }
  /** Pages connected now. */
  get connectedClients(): number {
    return this.clients.size;
  }
  /** True while the sampling timer runs (only while a page is connected). */
  get sampling(): boolean {
    return this.timer !== undefined;
  }

  /** Starts listening (serveStatus calls it). Rejects with an Error naming the address when it cannot be used (e.g. EADDRINUSE). */
  listen(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const failed = (error: Error) => {
        this.logRing.close();
        reject(new Error(`status page: cannot listen on ${hostForUrl(host)}:${port}: ${error.message}`, { cause: error }));
      };
      this.http.once("error", failed);
      this.http.listen(port, host, () => {
        this.http.off("error", failed);
        this.http.on("error", (error) => log.warn(`status page: ${error.message}`));
        const address = this.http.address();
        if (address && typeof address === "object") this.address = { host: address.address, port: address.port };
        resolve();
      });
    });
  }

  /** Stops serving: pages are disconnected, the port is freed, the log sink removed. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopSampling();
    this.logRing.close();
    for (const ws of this.clients) ws.terminate();
    this.clients.clear();
    this.sockets.close();
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeAllConnections();
    await closed;
  }

  /** `await using` support: calls close(). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** The same message a page's first update carries, for one-off readers (GET /status.json). */
  snapshot(): { info: PresenterInfo; sample: StatusSample } {
    // while pages are served, the latest update (a read here would shorten the next update's interval)
    const latest = this.samples.at(-1);
    return this.timer && this.info && latest ? { info: this.info, sample: latest } : this.feed.read();
  }

  // HTTP -----------------------------------------------------------------------------------------

  private request(req: IncomingMessage, res: ServerResponse): void {
    const refusal = this.refusal(req);
    if (refusal) return void reply(res, refusal, "text/plain", `${statusText(refusal)}\n`);
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", "GET, HEAD");
      return void reply(res, 405, "text/plain", "method not allowed\n");
    }
    const path = (req.url ?? "").split("?")[0];
    if (path === "/") {
      for (const [name, value] of Object.entries(STATUS_PAGE_HEADERS)) res.setHeader(name, value);
      return void reply(res, 200, "text/html; charset=utf-8", STATUS_PAGE_HTML);
    }
    if (path === "/status.json") return void reply(res, 200, "application/json", JSON.stringify(this.snapshot()));
    reply(res, 404, "text/plain", "not found: the status page is at /\n");
  }

  /** 403 for requests not addressed to us as loopback (when bound there) or from another site's page. */
  private refusal(req: IncomingMessage): number | undefined {
    const host = req.headers.host;
    if (!host) return 400;
    if (!this.remote && !isLoopbackHost(hostOfHeader(host))) return 403;
    const origin = req.headers.origin;
    if (origin !== undefined && !sameHost(origin, host)) return 403;
    return undefined;
  }

  // WebSocket ------------------------------------------------------------------------------------

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", () => socket.destroy()); // a reset during the handshake is the client's business
    const path = (req.url ?? "").split("?")[0];
    const refusal = this.closed ? 503 : path !== "/ws" ? 404 : (this.refusal(req) ?? (this.clients.size >= this.maxClients ? 503 : undefined));
    if (refusal) {
      socket.end(`HTTP/1.1 ${refusal} ${statusText(refusal)}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
      return;
    }
    this.sockets.handleUpgrade(req, socket, head, (ws) => this.connected(ws));
  }

  private connected(ws: WebSocket): void {
    if (this.closed) return void ws.terminate();
    this.clients.add(ws);
    // ws closes the connection itself on protocol errors (1002) and oversize messages (1009);
    // the listener only keeps those errors from being thrown.
    ws.on("error", (error) => log.debug(`status page: client error: ${error.message}`));
    ws.on("close", () => this.disconnected(ws));
    const info = this.timer && this.info ? this.info : this.startSampling();
    const hello: StatusMessage = {
      type: "hello",
      info,
      samples: this.samples,
      log: this.logRing.since(0),
      intervalMs: this.intervalMs,
      historySeconds: this.historySeconds,
    };
    ws.send(JSON.stringify(hello));
  }

  private disconnected(ws: WebSocket): void {
    this.clients.delete(ws);
    if (this.clients.size === 0) this.stopSampling();
  }

  // Sampling -------------------------------------------------------------------------------------

  /** Starts the timer; returns the presenter's facts as read now. */
  private startSampling(): PresenterInfo {
    const { info, sample } = this.feed.read();
    this.info = info;
    this.samples.length = 0; // no page saw the time since the last one left: start the graph afresh
    this.samples.push(sample);
    this.sentLogSeq = this.logRing.next;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    return info;
  }

  private stopSampling(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const { info, sample } = this.feed.read();
    this.info = info;
    this.samples.push(sample);
    while (this.samples.length > 1 && sample.t - this.samples[0]!.t > this.historySeconds * 1000) this.samples.shift();
    const update: StatusMessage = { type: "update", info, sample, log: this.logRing.since(this.sentLogSeq) };
    this.sentLogSeq = this.logRing.next;
    const data = Buffer.from(JSON.stringify(update)); // encoded once for every client
    for (const ws of this.clients) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      if (ws.bufferedAmount > this.maxBufferedBytes) this.drop(ws);
      else ws.send(data, { binary: false });
    }
  }

  private drop(ws: WebSocket): void {
    this.droppedClients++;
    log.warn(`status page: dropped a client that fell behind (${ws.bufferedAmount} bytes unsent)`);
    ws.terminate();
    this.disconnected(ws);
  }
}

function positive(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`status page: ${name} must be a positive number, got ${value}`);
  return value;
}

function sameHost(origin: string, host: string): boolean {
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

function statusText(code: number): string {
  return STATUS_CODES[code] ?? "Error";
}

function reply(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(body), "Cache-Control": "no-store" });
  res.end(res.req.method === "HEAD" ? undefined : body);
}
