// A Wayland client connection: the socket, the object map (ids reused only after delete_id),
// request marshalling with batched flushes, event dispatch, protocol errors and the debug trace.
//
// Failures and what they leave behind:
// - malformed bytes (WireError), a lost socket, wl_display.error (WaylandProtocolError): the
//   connection is failed for good; every waiter and later call rejects with that error.
// - an event handler that throws: the message was fine, so the connection stays usable. The error,
//   wrapped as WaylandHandlerError (interface, event, the handler's error as `cause`), rejects the
//   promises waiting on the connection then (roundtrip, callbackDone, waitFor), or the next one
//   made if none is waiting; dispatch goes on with the next message.
import { close as closeFd, dup, SysError } from "../sys/libc.js";
import type { UnixSocket } from "../sys/socket.js";
import { logger } from "../util/log.js";
import { connectCompositorSocket, resolveSocketPath } from "./compositor-socket.js";
import { WaylandConnectionError, WaylandHandlerError, WaylandProtocolError } from "./errors.js";
import { eventArgs, SERVER_ID_BASE } from "./event-args.js";
import { Incoming } from "./incoming.js";
import { closeOutgoing, nextChunk, type Outgoing } from "./outgoing.js";
import type { Proxy, ProxyClass, ProxyHost, ReceivedFd } from "./proxy.js";
import { WlCallback, WlDisplay, WlRegistry } from "./protocol/wayland.js";
import { traceLine } from "./trace.js";
import { Waiters } from "./waiters.js";
import { decodeArgs, encodeMessage, WireError, type WireValue } from "./wire.js";

export { CompositorUnreachableError, WaylandConnectionError, WaylandHandlerError, WaylandProtocolError } from "./errors.js";
export { resolveSocketPath } from "./compositor-socket.js";

const log = logger("wayland");

const MAX_CLIENT_ID = SERVER_ID_BASE - 1;

/** What the connection talks through: a Unix socket, or anything that moves bytes and descriptors alike. */
export type Transport = Pick<UnixSocket, "send" | "recv" | "close">;

export interface ConnectOptions {
  /** Socket name (relative to $XDG_RUNTIME_DIR) or absolute path; default $WAYLAND_DISPLAY. */
  socket?: string;
  /** Trace every message (default: WAYLAND_DEBUG=1 or SCANOUT_DEBUG containing "wayland"). */
  debug?: boolean;
}

export class Connection implements ProxyHost {
  readonly display: WlDisplay;
  readonly objects = new Map<number, Proxy>();
  /** Set once the connection failed; every later operation rethrows it. */
  error: Error | undefined;
  /** Called with each trace line (default: stderr when debugging is on). */
  trace: ((line: string) => void) | undefined;
  private nextId = 2;
  private readonly freeIds: number[] = [];
  private outQueue: Outgoing[] = [];
  private flushScheduled = false;
  private flushing: Promise<void> = Promise.resolve();
  private readonly incoming = new Incoming();
  private readonly waiters = new Waiters();
  private readonly closedPromise: Promise<void>;
  private resolveClosed!: () => void;
  private rejectClosed!: (e: Error) => void;
  private closing = false;
  private readonly warnedUnhandled = new Set<string>();
  /** Messages dispatched and sent, for stats. */
  stats = { sent: 0, received: 0 };

  private constructor(
    private readonly socket: Transport,
    readonly path: string,
    debug: boolean,
  ) {
    if (debug) this.trace = (line) => process.stderr.write(`[wayland] ${line}\n`);
    this.closedPromise = new Promise<void>((resolve, reject) => {
      this.resolveClosed = resolve;
      this.rejectClosed = reject;
    });
    this.closedPromise.catch(() => {}); // observed through `closed`; never an unhandled rejection
    this.display = new WlDisplay(this, 1, 1);
    this.objects.set(1, this.display);
    this.display.listen({
      error: () => {}, // handled in dispatch, where the raw object id is still known
      delete_id: (id) => this.onDeleteId(id),
    });
    void this.readLoop();
  }

  /**
   * Connects to the compositor; errors say which socket and why. CompositorUnreachableError when
   * there is none to reach (WAYLAND_DISPLAY unset, no socket, refused).
   */
  static connect(options: ConnectOptions = {}): Connection {
    const path = resolveSocketPath(options.socket);
    const socket = connectCompositorSocket(path);
    const envDebug =
      process.env.WAYLAND_DEBUG === "1" ||
      process.env.WAYLAND_DEBUG === "client" ||
      (process.env.SCANOUT_DEBUG ?? "").split(",").includes("wayland");
    return new Connection(socket, path, options.debug ?? envDebug);
  }

  /** Wraps an already connected socket or other transport (tests, WAYLAND_SOCKET-style hand-over). */
  static fromSocket(socket: Transport, debug = false, path = "(socket)"): Connection {
    return new Connection(socket, path, debug);
  }

  /** @internal Drops buffered input and queued descriptors (parser tests reuse one connection). */
  discardInput(): void {
    this.incoming.discard();
  }

  /** Resolves when the connection is closed by us; rejects with the error if it failed. */
  get closed(): Promise<void> {
    return this.closedPromise;
  }

  // ---- objects ----

  allocate<T extends Proxy>(cls: ProxyClass<T>, version: number): T {
    this.assertOpen();
    let id = this.freeIds.pop();
    if (id === undefined) {
      if (this.nextId > MAX_CLIENT_ID) throw new WaylandConnectionError("client object ids exhausted");
      id = this.nextId++;
    }
    const proxy = new cls(this, id, version);
    this.objects.set(id, proxy);
    return proxy;
  }

  getRegistry(): WlRegistry {
    return this.display.get_registry();
  }

  // ---- requests ----

  sendRequest(proxy: Proxy, opcode: number, args: readonly WireValue[], created?: Proxy): void {
    this.assertOpen();
    const spec = proxy.spec.requests[opcode];
    if (!spec) throw new WaylandConnectionError(`${proxy}: no request with opcode ${opcode}`);
    if (proxy.destroyed) throw new WaylandConnectionError(`${proxy}.${spec.name}: object already destroyed`);
    if (spec.since > proxy.version)
      throw new WaylandConnectionError(`${proxy}.${spec.name} needs version ${spec.since}, object is bound at version ${proxy.version}`);
    const fds: number[] = [];
    let bytes: Uint8Array;
    try {
      bytes = encodeMessage(proxy.id, opcode, spec, args, fds);
    } catch (e) {
      if (created) this.forget(created);
      throw e;
    }
    // Duplicate descriptors so the caller keeps ownership of its own; ours close after sending.
    const owned = fds.map((fd) => dup(fd));
    if (this.trace) this.trace(traceLine("->", `${proxy}.${spec.name}`, spec.args, args, (id) => this.objects.get(id)));
    this.stats.sent++;
    this.outQueue.push({ bytes, fds: owned });
    if (spec.destructor) proxy.destroyed = true; // zombie until delete_id
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => {
        this.flushScheduled = false;
        void this.flush().catch(() => {});
      });
    }
  }

  /** Sends everything queued; resolves when the kernel has it. */
  flush(): Promise<void> {
    const batch = this.outQueue;
    this.outQueue = [];
    const run = async () => {
      let sent = 0;
      try {
        while (sent < batch.length) {
          const chunk = nextChunk(batch, sent);
          if (this.error) throw this.error;
          await this.socket.send(chunk.data, chunk.fds);
          closeOutgoing(batch.slice(sent, sent + chunk.messages));
          sent += chunk.messages;
        }
      } catch (e) {
        closeOutgoing(batch.slice(sent));
        const hangup = e instanceof SysError && (e.code === "EPIPE" || e.code === "ECONNRESET");
        this.fail(
          e instanceof Error && !(e instanceof SysError)
            ? e
            : new WaylandConnectionError(
                hangup
                  ? `the compositor closed the connection (${this.path}, ${(e as SysError).code} on send)`
                  : `sending to the compositor failed: ${(e as Error).message}`,
                { cause: e },
              ),
        );
        throw this.error;
      }
    };
    this.flushing = this.flushing.then(run, run);
    return this.flushing;
  }

  /** Round trip: resolves once the compositor has processed everything sent so far. */
  async roundtrip(): Promise<void> {
    await this.callbackDone(this.display.sync());
  }

  /** Resolves with the callback data of wl_callback.done; rejects if the connection fails. */
  callbackDone(cb: WlCallback): Promise<number> {
    return this.waitFor<number>((resolve) => {
      cb.listen({ done: (data) => resolve(data) });
    });
  }

  /**
   * A promise that settles through `setup`'s resolve, or rejects when the connection fails first
   * (or an event handler throws: see the top of this file).
   */
  waitFor<T>(setup: (resolve: (v: T) => void, reject: (e: Error) => void) => void): Promise<T> {
    if (this.error) return Promise.reject(this.error);
    if (this.closing) return Promise.reject(new WaylandConnectionError("connection is closed"));
    return this.waiters.wait(setup);
  }

  // ---- receiving ----

  private async readLoop(): Promise<void> {
    for (;;) {
      let chunk;
      try {
        chunk = await this.socket.recv();
      } catch (e) {
        const hangup = e instanceof SysError && e.code === "ECONNRESET";
        this.fail(
          new WaylandConnectionError(
            hangup
              ? `the compositor closed the connection (${this.path}, ${e.code})`
              : `receiving from the compositor failed: ${(e as Error).message}`,
            { cause: e },
          ),
        );
        return;
      }
      if (chunk.bytes.length === 0) {
        for (const fd of chunk.fds) closeFd(fd);
        if (!this.closing) this.fail(new WaylandConnectionError(`the compositor closed the connection (${this.path})`));
        return;
      }
      if (this.error || this.closing) {
        for (const fd of chunk.fds) closeFd(fd);
        return;
      }
      try {
        this.feed(chunk.bytes, chunk.fds);
      } catch (e) {
        // Only bytes that made no sense are "malformed"; anything else is itself (a bug shows as one).
        this.fail(e instanceof WireError ? new WaylandConnectionError(`malformed message from the compositor: ${e.message}`, { cause: e }) : (e as Error));
        return;
      }
      if (this.error) return;
    }
  }

  /**
   * Appends received bytes and descriptors and dispatches every complete message. Exposed for the
   * parser tests; throws WireError on malformed input. A throwing handler does not make it throw
   * (see the top of this file).
   */
  feed(bytes: Uint8Array, fds: readonly number[]): void {
    this.incoming.append(bytes, fds);
    this.incoming.drain((id, opcode, body) => {
      if (this.error) return false;
      this.dispatch(id, opcode, body);
      return true;
    });
  }

  private dispatch(id: number, opcode: number, body: Uint8Array): void {
    const proxy = this.objects.get(id);
    if (!proxy) throw new WireError(`event for unknown object id ${id} (opcode ${opcode})`);
    const spec = proxy.spec.events[opcode];
    if (!spec) throw new WireError(`${proxy}: unknown event opcode ${opcode}`);
    const where = `${proxy}.${spec.name}`;
    const taken: number[] = [];
    let raw: WireValue[];
    try {
      raw = decodeArgs(spec, body, () => {
        const fd = this.incoming.takeFd();
        if (fd !== undefined) taken.push(fd);
        return fd;
      }, where);
    } catch (e) {
      for (const fd of taken) closeFd(fd);
      throw e;
    }
    this.stats.received++;
    if (this.trace) this.trace(traceLine("<-", where, spec.args, raw, (oid) => this.objects.get(oid)));
    if (proxy === this.display && opcode === 0) {
      this.onDisplayError(raw[0] as number, raw[1] as number, raw[2] as string);
      return;
    }
    const received: ReceivedFd[] = [];
    let args: unknown[];
    try {
      args = eventArgs({ proxy, spec, where }, raw, this.objects, this, received);
    } catch (e) {
      for (const fd of taken) closeFd(fd);
      throw e;
    }
    try {
      if (proxy.destroyed) return; // zombie: events after our destructor are dropped (fds closed below)
      if (spec.since > proxy.version) log.warn(`${where}: event since version ${spec.since} on an object bound at ${proxy.version}`);
      if (spec.destructor) proxy.destroyed = true;
      const handler = (proxy.handlers as Record<string, ((...a: unknown[]) => void) | undefined>)[spec.name];
      if (!handler) return this.warnUnhandled(where);
      try {
        handler.apply(proxy, args);
      } catch (e) {
        this.waiters.handlerFailed(new WaylandHandlerError(proxy.spec.name, proxy.id, spec.name, e));
      }
    } finally {
      for (const r of received) if (r.owned) closeFd(r.fd);
    }
  }

  private warnUnhandled(where: string): void {
    const key = where.replace(/#\d+/, "");
    if (this.warnedUnhandled.has(key)) return log.debug(`unhandled event ${where}`);
    this.warnedUnhandled.add(key);
    log.warn(`unhandled event ${where} (further ones of this kind are logged at debug level)`);
  }

  private onDisplayError(objectId: number, code: number, message: string): void {
    const object = this.objects.get(objectId);
    const iface = object?.spec.name ?? "unknown interface";
    // Codes come from the object's own error enum; the wl_display.error enum is global.
    const named = (spec: Proxy["spec"] | undefined) => Object.entries(spec?.enums.error ?? {}).find(([, v]) => v === code)?.[0];
    const codeName = named(object?.spec) ?? named(this.display.spec);
    this.fail(new WaylandProtocolError(objectId, iface, code, codeName, message));
  }

  private onDeleteId(id: number): void {
    const proxy = this.objects.get(id);
    if (!proxy || id >= SERVER_ID_BASE || id === 1) {
      log.warn(`wl_display.delete_id(${id}) for an id we do not hold`);
      return;
    }
    proxy.destroyed = true;
    this.objects.delete(id);
    this.freeIds.push(id);
  }

  /** Drops a proxy that never reached the compositor (its request failed to encode). */
  private forget(p: Proxy): void {
    this.objects.delete(p.id);
    this.freeIds.push(p.id);
  }

  // ---- teardown ----

  private assertOpen(): void {
    if (this.error) throw this.error;
    if (this.closing) throw new WaylandConnectionError("connection is closed");
  }

  /** Marks the connection failed: rejects every waiter, releases descriptors, closes the socket. */
  fail(error: Error): void {
    if (this.error) return;
    this.error = error;
    log.debug(`connection failed: ${error.message}`);
    this.waiters.rejectAll(error);
    this.release();
    this.rejectClosed(error);
  }

  private release(): void {
    this.incoming.discard();
    closeOutgoing(this.outQueue.splice(0));
    this.socket.close();
  }

  /** Flushes pending requests (best effort) and closes the connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closing) return;
    if (!this.error) {
      try {
        await this.flush();
      } catch {
        /* failing now changes nothing: we are closing */
      }
    }
    this.closing = true;
    this.waiters.rejectAll(new WaylandConnectionError("connection closed"));
    this.release();
    this.resolveClosed();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
