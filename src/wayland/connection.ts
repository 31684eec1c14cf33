// A Wayland client connection: the object map (ids reused only after delete_id), requests, event
// dispatch, protocol errors and the debug trace. Socket I/O (main thread, never blocking) is in
// socket-io.ts.
//
// Failures and what they leave behind:
// - malformed bytes (WireError), a lost socket, wl_display.error (WaylandProtocolError): the
//   connection is failed for good; every waiter and later call rejects with that error.
// - an event handler that throws: the message was fine, so the connection stays usable. The error,
//   wrapped as WaylandHandlerError (interface, event, the handler's error as `cause`), rejects the
//   promises waiting on the connection then (roundtrip, callbackDone, waitFor), or the next one
//   made if none is waiting; dispatch goes on with the next message.
import { close as closeFd, dup } from "../sys/libc.js";
import { logger } from "../util/log.js";
import { connectCompositorSocket, resolveSocketPath } from "./compositor-socket.js";
import { WaylandConnectionError, WaylandHandlerError, WaylandProtocolError } from "./errors.js";
import { eventArgs, SERVER_ID_BASE } from "./event-args.js";
import type { Proxy, ProxyClass, ProxyHost, ReceivedFd } from "./proxy.js";
import { WlCallback, type WlCallbackEvents, WlDisplay, WlRegistry } from "./protocol/wayland.js";
import { SocketIo, type Transport } from "./socket-io.js";
import { traceLine } from "./trace.js";
import { type Pending, Waiters } from "./waiters.js";
import { decodeArgsAt, type MessageSpec, WireError, type WireValue } from "./wire.js";

export { CompositorUnreachableError, WaylandConnectionError, WaylandHandlerError, WaylandProtocolError } from "./errors.js";
export { resolveSocketPath } from "./compositor-socket.js";
export type { Transport } from "./socket-io.js";

const log = logger("wayland");

const MAX_CLIENT_ID = SERVER_ID_BASE - 1;

/** Options of Connection.connect. */
export interface ConnectOptions {
  /** Socket name (relative to $XDG_RUNTIME_DIR) or absolute path; default $WAYLAND_DISPLAY. */
  socket?: string;
  /** Trace every message (default: WAYLAND_DEBUG=1 or SCANOUT_DEBUG containing "wayland"). */
  debug?: boolean;
}

/** True when an event's handler arguments differ from its wire values (objects, new ids, fds). */
function needsConversion(spec: MessageSpec): boolean {
  const args = spec.args;
  for (let i = 0; i < args.length; i++) {
    const t = args[i]!.type;
    if (t === "object" || t === "new_id" || t === "fd") return true;
  }
  return false;
}

/** handler.apply, with direct calls for the usual few arguments (apply spreads through a slow builtin). */
function callHandler(handler: (...a: unknown[]) => void, proxy: Proxy, args: unknown[]): void {
  switch (args.length) {
    case 0:
      return handler.call(proxy);
    case 1:
      return handler.call(proxy, args[0]);
    case 2:
      return handler.call(proxy, args[0], args[1]);
    case 3:
      return handler.call(proxy, args[0], args[1], args[2]);
    default:
      return handler.apply(proxy, args);
  }
}

/** Handler table of the wl_callback of every roundtrip(): settles the Pending in its userData. */
const roundtripDone: Partial<WlCallbackEvents> = {
  done(this: WlCallback) {
    (this.userData as Pending<void>).resolve();
  },
};

/**
 * A Wayland client connection speaking the wire protocol directly (no libwayland): the socket, the object ids, request
 * batching (flushed once per event-loop turn), event dispatch to proxy handlers, and protocol errors. A malformed
 * message, a lost socket or wl_display.error fail it for good (every waiting promise rejects with that error); a
 * throwing event handler does not. Made with Connection.connect.
 */
export class Connection implements ProxyHost {
  readonly display: WlDisplay;
  readonly objects = new Map<number, Proxy>();
  /** Set once the connection failed; every later operation rethrows it. */
  error: Error | undefined;
  /** Called with each trace line (default: stderr when debugging is on). */
  trace: ((line: string) => void) | undefined;
  private nextId = 2;
  private readonly freeIds: number[] = [];
  private readonly io: SocketIo;
  private readonly waiters = new Waiters();
  private readonly closedPromise: Promise<void>;
  private resolveClosed!: () => void;
  private rejectClosed!: (e: Error) => void;
  private closing = false;
  private readonly warnedUnhandled = new Set<string>();
  /** Messages dispatched and sent, for stats. */
  stats = { sent: 0, received: 0 };
  // The message being decoded, and descriptors it took so far (closed if it turns out malformed).
  private decodingProxy: Proxy | undefined;
  private decodingSpec: MessageSpec | undefined;
  private readonly taken: number[] = [];
  private readonly takeFd = (): number | undefined => {
    const fd = this.io.incoming.takeFd();
    if (fd !== undefined) this.taken.push(fd);
    return fd;
  };
  private readonly decodingWhere = () => `${this.decodingProxy}.${this.decodingSpec!.name}`;
  private readonly dispatchEach = (id: number, opcode: number, start: number, end: number): boolean => {
    if (this.error || this.closing) return false;
    this.dispatch(id, opcode, start, end);
    return true;
  };

  private constructor(
    socket: Transport,
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
    this.io = new SocketIo(socket, path, {
      dispatchAvailable: () => this.io.incoming.drain(this.dispatchEach),
      fail: (e) => this.fail(e),
    });
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

  /** @internal Wraps an already connected socket or other transport (tests, WAYLAND_SOCKET-style hand-over). */
  static fromSocket(socket: Transport, debug = false, path = "(socket)"): Connection {
    return new Connection(socket, path, debug);
  }

  /** @internal Drops buffered input and queued descriptors (parser tests reuse one connection). */
  discardInput(): void {
    this.io.incoming.discard();
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

  /** Sends wl_display.get_registry: the registry announces every global (see Globals, which collects them). */
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
    try {
      // Descriptors are duplicated so the caller keeps its own; ours close once sent.
      this.io.outgoing.push(proxy.id, opcode, spec, args, dup);
    } catch (e) {
      if (created) this.forget(created);
      if (e instanceof WaylandConnectionError) this.fail(e); // the compositor stopped reading
      throw e;
    }
    if (this.trace) this.trace(traceLine("->", `${proxy}.${spec.name}`, spec.args, args, (id) => this.objects.get(id)));
    this.stats.sent++;
    if (spec.destructor) proxy.destroyed = true; // zombie until delete_id
    this.io.scheduleFlush();
  }

  /** Sends everything queued; resolves when the kernel has it. */
  flush(): Promise<void> {
    if (this.error) return Promise.reject(this.error);
    return this.io.flush();
  }

  /**
   * Reads nothing for `ms`, then everything that arrived meanwhile in one wake-up, and watches the
   * socket again (socket-io.ts: for a frame loop that knows when its next event comes, fifo's
   * `presented`). The caller bounds `ms`: events wait through it. A round trip ends it, and none is
   * taken while a round trip or callback is awaited. False then, where the transport cannot pause,
   * or when the connection is over.
   */
  pauseReads(ms: number): boolean {
    return !this.error && !this.closing && this.waiters.waiting === 0 && this.io.pauseReads(ms);
  }

  /** Ends a pauseReads now: reads what came and watches the socket again. */
  resumeReads(): void {
    this.io.resumeReads();
  }

  /** Pauses taken (pauseReads), and resumes that found nothing to read yet. */
  get readPauses(): { readonly pauses: number; readonly emptyResumes: number } {
    return this.io.pauseCounts;
  }

  /** Round trip: resolves once the compositor has processed everything sent so far. */
  roundtrip(): Promise<void> {
    const refused = this.unusable();
    if (refused) return Promise.reject(refused);
    this.io.resumeReads(); // a caller waits for the reply: no pause may hold it back
    const pending = this.waiters.add<void>();
    if (pending.slot < 0) return pending.promise; // an undelivered handler error
    try {
      // The callback is ours alone: it carries its promise in userData and shares one handler
      // table, so a round trip allocates no closures.
      const cb = this.display.sync();
      cb.userData = pending;
      cb.handlers = roundtripDone;
    } catch (e) {
      pending.reject(e as Error);
    }
    return pending.promise;
  }

  /** Resolves with the callback data of wl_callback.done; rejects if the connection fails. */
  callbackDone(cb: WlCallback): Promise<number> {
    return this.waitFor<number>((resolve) => {
      cb.listen({ done: resolve });
    });
  }

  /**
   * A promise that settles through `setup`'s resolve, or rejects when the connection fails first
   * (or an event handler throws: see the top of this file).
   */
  waitFor<T>(setup: (resolve: (v: T) => void, reject: (e: Error) => void) => void): Promise<T> {
    const refused = this.unusable();
    if (refused) return Promise.reject(refused);
    return this.waiters.wait(setup);
  }

  // ---- receiving ----

  /**
   * Appends received bytes and descriptors and dispatches every complete message. Exposed for the
   * parser tests; throws WireError on malformed input. A throwing handler does not make it throw
   * (see the top of this file).
   */
  feed(bytes: Uint8Array, fds: readonly number[]): void {
    this.io.incoming.append(bytes, fds);
    this.io.incoming.drain(this.dispatchEach);
  }

  private dispatch(id: number, opcode: number, start: number, end: number): void {
    const proxy = this.objects.get(id);
    if (!proxy) throw new WireError(`event for unknown object id ${id} (opcode ${opcode})`);
    const spec = proxy.spec.events[opcode];
    if (!spec) throw new WireError(`${proxy}: unknown event opcode ${opcode}`);
    this.decodingProxy = proxy;
    this.decodingSpec = spec;
    if (this.taken.length) this.taken.length = 0; // (setting length is a runtime call even when 0)
    let raw: WireValue[];
    try {
      raw = decodeArgsAt(spec, this.io.incoming.source, start, end, this.takeFd, this.decodingWhere);
    } catch (e) {
      for (const fd of this.taken) closeFd(fd);
      throw e;
    }
    this.stats.received++;
    if (this.trace) this.trace(traceLine("<-", `${proxy}.${spec.name}`, spec.args, raw, (oid) => this.objects.get(oid)));
    if (proxy === this.display && opcode === 0) {
      this.onDisplayError(raw[0] as number, raw[1] as number, raw[2] as string);
      return;
    }
    let args: unknown[] = raw;
    let received: ReceivedFd[] | undefined;
    if (needsConversion(spec)) {
      const taken = this.taken.slice();
      received = [];
      try {
        args = eventArgs({ proxy, spec, where: `${proxy}.${spec.name}` }, raw, this.objects, this, received);
      } catch (e) {
        for (const fd of taken) closeFd(fd);
        throw e;
      }
    }
    try {
      if (proxy.destroyed) return; // zombie: events after our destructor are dropped (fds closed below)
      if (spec.since > proxy.version) log.warn(`${proxy}.${spec.name}: event since version ${spec.since} on an object bound at ${proxy.version}`);
      if (spec.destructor) proxy.destroyed = true;
      const handler = (proxy.handlers as Record<string, ((...a: unknown[]) => void) | undefined>)[spec.name];
      if (!handler) return this.warnUnhandled(`${proxy}.${spec.name}`);
      try {
        callHandler(handler, proxy, args);
      } catch (e) {
        this.waiters.handlerFailed(new WaylandHandlerError(proxy.spec.name, proxy.id, spec.name, e));
      }
    } finally {
      if (received) for (const r of received) if (r.owned) closeFd(r.fd);
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

  /** Why nothing more can be done on the connection, or undefined while it is open. */
  private unusable(): Error | undefined {
    return this.error ?? (this.closing ? new WaylandConnectionError("connection is closed") : undefined);
  }

  private assertOpen(): void {
    const refused = this.unusable();
    if (refused) throw refused;
  }

  /** Marks the connection failed: rejects every waiter, releases descriptors, closes the socket. */
  fail(error: Error): void {
    if (this.error) return;
    this.error = error;
    log.debug(`connection failed: ${error.message}`);
    this.waiters.rejectAll(error);
    this.io.stop(error);
    this.rejectClosed(error);
  }

  /**
   * Writes pending requests as far as the socket takes them without waiting (a compositor that
   * stopped reading cannot make this hang) and closes the connection. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    if (!this.error) this.io.writeNow(); // a failure here fails the connection; we close either way
    this.closing = true;
    const closed = new WaylandConnectionError("connection closed");
    this.waiters.rejectAll(closed);
    this.io.stop(closed);
    this.resolveClosed();
  }

  /** `await using` support: calls close(). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
