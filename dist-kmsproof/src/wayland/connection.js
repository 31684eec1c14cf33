// A Wayland client connection: the socket, the object map (ids reused only after delete_id),
// request marshalling with batched flushes, event dispatch, protocol errors and the debug trace.
import { isAbsolute, join } from "node:path";
import { close as closeFd, dup, SysError } from "../sys/libc.js";
import { MAX_FDS_PER_SEND, UnixSocket } from "../sys/socket.js";
import { logger } from "../util/log.js";
import { interfaceClass, ReceivedFd } from "./proxy.js";
import { WlDisplay } from "./protocol/wayland.js";
import { decodeArgs, encodeMessage, HEADER_SIZE, readHeader, WireError, } from "./wire.js";
const log = logger("wayland");
/** The compositor reported a fatal error on one of our objects (wl_display.error). */
export class WaylandProtocolError extends Error {
    objectId;
    interfaceName;
    code;
    codeName;
    detail;
    constructor(objectId, interfaceName, code, codeName, detail) {
        super(`Wayland protocol error on ${interfaceName}#${objectId}: code ${code}${codeName ? ` (${codeName})` : ""}: ${detail}`);
        this.objectId = objectId;
        this.interfaceName = interfaceName;
        this.code = code;
        this.codeName = codeName;
        this.detail = detail;
        this.name = "WaylandProtocolError";
    }
}
/** The connection could not be made, was lost, or the compositor sent something malformed. */
export class WaylandConnectionError extends Error {
    constructor(message, options) {
        super(message, options);
        this.name = "WaylandConnectionError";
    }
}
const SERVER_ID_BASE = 0xff000000;
const MAX_CLIENT_ID = SERVER_ID_BASE - 1;
/** Upper bound on bytes buffered while waiting for the rest of a message. */
const MAX_INPUT_BUFFER = 1 << 20;
/** Resolves the socket path: explicit argument, else $WAYLAND_DISPLAY (name or absolute path). */
export function resolveSocketPath(socket, env = process.env) {
    const name = socket ?? env.WAYLAND_DISPLAY;
    if (!name)
        throw new WaylandConnectionError("WAYLAND_DISPLAY is not set and no socket was given: no Wayland compositor to connect to");
    if (isAbsolute(name))
        return name;
    const dir = env.XDG_RUNTIME_DIR;
    if (!dir)
        throw new WaylandConnectionError(`XDG_RUNTIME_DIR is not set, so the Wayland socket "${name}" cannot be found`);
    return join(dir, name);
}
function formatArg(spec, v, host) {
    switch (spec.type) {
        case "object": {
            if (!v)
                return "nil";
            const p = host.objects.get(v);
            return p ? p.toString() : `[unknown]#${v}`;
        }
        case "new_id":
            if (spec.interface)
                return `new id ${spec.interface}#${v}`;
            {
                const u = v;
                return `new id ${u.interface}#${u.id} v${u.version}`;
            }
        case "string":
            return v === null ? "nil" : JSON.stringify(v);
        case "array":
            return `array[${v.length}]`;
        case "fd":
            return `fd ${v}`;
        default:
            return String(v);
    }
}
export class Connection {
    socket;
    path;
    display;
    objects = new Map();
    /** Set once the connection failed; every later operation rethrows it. */
    error;
    /** Called with each trace line (default: stderr when debugging is on). */
    trace;
    nextId = 2;
    freeIds = [];
    outQueue = [];
    flushScheduled = false;
    flushing = Promise.resolve();
    input = new Uint8Array(16 * 1024);
    inputLength = 0;
    inputFds = [];
    waiters = new Set();
    closedPromise;
    resolveClosed;
    rejectClosed;
    closing = false;
    warnedUnhandled = new Set();
    /** Messages dispatched and sent, for stats. */
    stats = { sent: 0, received: 0 };
    constructor(socket, path, debug) {
        this.socket = socket;
        this.path = path;
        if (debug)
            this.trace = (line) => process.stderr.write(`[wayland] ${line}\n`);
        this.closedPromise = new Promise((resolve, reject) => {
            this.resolveClosed = resolve;
            this.rejectClosed = reject;
        });
        this.closedPromise.catch(() => { }); // observed through `closed`; never an unhandled rejection
        this.display = new WlDisplay(this, 1, 1);
        this.objects.set(1, this.display);
        this.display.listen({
            error: () => { }, // handled in dispatch, where the raw object id is still known
            delete_id: (id) => this.onDeleteId(id),
        });
        void this.readLoop();
    }
    /** Connects to the compositor; errors say which socket and why. */
    static connect(options = {}) {
        const path = resolveSocketPath(options.socket);
        let socket;
        try {
            socket = UnixSocket.connect(path);
        }
        catch (e) {
            if (e instanceof SysError) {
                const why = e.code === "ENOENT"
                    ? "no such socket (is the compositor running?)"
                    : e.code === "ECONNREFUSED"
                        ? "connection refused (stale socket? the compositor is not listening)"
                        : e.code;
                throw new WaylandConnectionError(`cannot connect to Wayland compositor at ${path}: ${why}`, { cause: e });
            }
            throw e;
        }
        const envDebug = process.env.WAYLAND_DEBUG === "1" ||
            process.env.WAYLAND_DEBUG === "client" ||
            (process.env.SCANOUT_DEBUG ?? "").split(",").includes("wayland");
        return new Connection(socket, path, options.debug ?? envDebug);
    }
    /** Wraps an already connected socket (tests, WAYLAND_SOCKET-style hand-over). */
    static fromSocket(socket, debug = false, path = "(socket)") {
        return new Connection(socket, path, debug);
    }
    /** @internal Drops buffered input and queued descriptors (parser tests reuse one connection). */
    discardInput() {
        this.inputLength = 0;
        for (const fd of this.inputFds.splice(0))
            closeFd(fd);
    }
    /** Resolves when the connection is closed by us; rejects with the error if it failed. */
    get closed() {
        return this.closedPromise;
    }
    // ---- objects ----
    allocate(cls, version) {
        this.assertOpen();
        let id = this.freeIds.pop();
        if (id === undefined) {
            if (this.nextId > MAX_CLIENT_ID)
                throw new WaylandConnectionError("client object ids exhausted");
            id = this.nextId++;
        }
        const proxy = new cls(this, id, version);
        this.objects.set(id, proxy);
        return proxy;
    }
    getRegistry() {
        return this.display.get_registry();
    }
    // ---- requests ----
    sendRequest(proxy, opcode, args, created) {
        this.assertOpen();
        const spec = proxy.spec.requests[opcode];
        if (!spec)
            throw new WaylandConnectionError(`${proxy}: no request with opcode ${opcode}`);
        if (proxy.destroyed)
            throw new WaylandConnectionError(`${proxy}.${spec.name}: object already destroyed`);
        if (spec.since > proxy.version)
            throw new WaylandConnectionError(`${proxy}.${spec.name} needs version ${spec.since}, object is bound at version ${proxy.version}`);
        const fds = [];
        let bytes;
        try {
            bytes = encodeMessage(proxy.id, opcode, spec, args, fds);
        }
        catch (e) {
            if (created)
                this.forget(created);
            throw e;
        }
        // Duplicate descriptors so the caller keeps ownership of its own; ours close after sending.
        const owned = fds.map((fd) => dup(fd));
        if (this.trace)
            this.trace(`-> ${proxy}.${spec.name}(${spec.args.map((a, i) => formatArg(a, args[i], this)).join(", ")})`);
        this.stats.sent++;
        this.outQueue.push({ bytes, fds: owned });
        if (spec.destructor)
            proxy.destroyed = true; // zombie until delete_id
        if (!this.flushScheduled) {
            this.flushScheduled = true;
            queueMicrotask(() => {
                this.flushScheduled = false;
                void this.flush().catch(() => { });
            });
        }
    }
    /** Sends everything queued; resolves when the kernel has it. */
    flush() {
        const batch = this.outQueue;
        this.outQueue = [];
        const run = async () => {
            // Chunks of consecutive messages carrying at most MAX_FDS_PER_SEND descriptors each.
            let i = 0;
            try {
                while (i < batch.length) {
                    let size = 0;
                    const fds = [];
                    let j = i;
                    while (j < batch.length && (j === i || fds.length + batch[j].fds.length <= MAX_FDS_PER_SEND) && size < 32 * 1024) {
                        size += batch[j].bytes.length;
                        fds.push(...batch[j].fds);
                        j++;
                    }
                    const data = new Uint8Array(size);
                    let off = 0;
                    for (let k = i; k < j; k++) {
                        data.set(batch[k].bytes, off);
                        off += batch[k].bytes.length;
                    }
                    if (this.error)
                        throw this.error;
                    await this.socket.send(data, fds);
                    for (let k = i; k < j; k++)
                        for (const fd of batch[k].fds)
                            closeFd(fd);
                    i = j;
                }
            }
            catch (e) {
                for (let k = i; k < batch.length; k++)
                    for (const fd of batch[k].fds)
                        closeFd(fd);
                const hangup = e instanceof SysError && (e.code === "EPIPE" || e.code === "ECONNRESET");
                this.fail(e instanceof Error && !(e instanceof SysError)
                    ? e
                    : new WaylandConnectionError(hangup
                        ? `the compositor closed the connection (${this.path}, ${e.code} on send)`
                        : `sending to the compositor failed: ${e.message}`, { cause: e }));
                throw this.error;
            }
        };
        this.flushing = this.flushing.then(run, run);
        return this.flushing;
    }
    /** Round trip: resolves once the compositor has processed everything sent so far. */
    async roundtrip() {
        await this.callbackDone(this.display.sync());
    }
    /** Resolves with the callback data of wl_callback.done; rejects if the connection fails. */
    callbackDone(cb) {
        return this.waitFor((resolve) => {
            cb.listen({ done: (data) => resolve(data) });
        });
    }
    /**
     * A promise that settles through `setup`'s resolve, or rejects when the connection fails first.
     */
    waitFor(setup) {
        if (this.error)
            return Promise.reject(this.error);
        return new Promise((resolve, reject) => {
            const onFail = (e) => reject(e);
            this.waiters.add(onFail);
            setup((v) => {
                this.waiters.delete(onFail);
                resolve(v);
            }, (e) => {
                this.waiters.delete(onFail);
                reject(e);
            });
        });
    }
    // ---- receiving ----
    async readLoop() {
        for (;;) {
            let chunk;
            try {
                chunk = await this.socket.recv();
            }
            catch (e) {
                const hangup = e instanceof SysError && e.code === "ECONNRESET";
                this.fail(new WaylandConnectionError(hangup
                    ? `the compositor closed the connection (${this.path}, ${e.code})`
                    : `receiving from the compositor failed: ${e.message}`, { cause: e }));
                return;
            }
            if (chunk.bytes.length === 0) {
                for (const fd of chunk.fds)
                    closeFd(fd);
                if (!this.closing)
                    this.fail(new WaylandConnectionError(`the compositor closed the connection (${this.path})`));
                return;
            }
            if (this.error || this.closing) {
                for (const fd of chunk.fds)
                    closeFd(fd);
                return;
            }
            try {
                this.feed(chunk.bytes, chunk.fds);
            }
            catch (e) {
                this.fail(e instanceof WaylandProtocolError || e instanceof WaylandConnectionError
                    ? e
                    : new WaylandConnectionError(`malformed message from the compositor: ${e.message}`, { cause: e }));
                return;
            }
            if (this.error)
                return;
        }
    }
    /**
     * Appends received bytes and descriptors and dispatches every complete message. Exposed for the
     * parser tests; throws WireError/WaylandConnectionError on malformed input.
     */
    feed(bytes, fds) {
        this.inputFds.push(...fds);
        if (this.inputFds.length > 1024)
            throw new WireError(`compositor queued ${this.inputFds.length} descriptors without using them`);
        if (this.inputLength + bytes.length > this.input.length) {
            const need = this.inputLength + bytes.length;
            if (need > MAX_INPUT_BUFFER)
                throw new WireError(`more than ${MAX_INPUT_BUFFER} bytes of incomplete messages`);
            const bigger = new Uint8Array(Math.max(need, this.input.length * 2));
            bigger.set(this.input.subarray(0, this.inputLength));
            this.input = bigger;
        }
        this.input.set(bytes, this.inputLength);
        this.inputLength += bytes.length;
        let off = 0;
        try {
            for (;;) {
                if (this.error)
                    return;
                const h = readHeader(this.input, off, this.inputLength);
                if (!h || this.inputLength - off < h.size)
                    break;
                const body = this.input.subarray(off + HEADER_SIZE, off + h.size);
                off += h.size;
                this.dispatch(h.id, h.opcode, body);
            }
        }
        finally {
            this.input.copyWithin(0, off, this.inputLength);
            this.inputLength -= off;
        }
    }
    dispatch(id, opcode, body) {
        const proxy = this.objects.get(id);
        if (!proxy)
            throw new WireError(`event for unknown object id ${id} (opcode ${opcode})`);
        const spec = proxy.spec.events[opcode];
        if (!spec)
            throw new WireError(`${proxy}: unknown event opcode ${opcode}`);
        const where = `${proxy}.${spec.name}`;
        const taken = [];
        let raw;
        try {
            raw = decodeArgs(spec, body, () => {
                const fd = this.inputFds.shift();
                if (fd !== undefined)
                    taken.push(fd);
                return fd;
            }, where);
        }
        catch (e) {
            for (const fd of taken)
                closeFd(fd);
            throw e;
        }
        this.stats.received++;
        if (this.trace)
            this.trace(`<- ${where}(${spec.args.map((a, i) => formatArg(a, raw[i], this)).join(", ")})`);
        if (proxy === this.display && opcode === 0) {
            this.onDisplayError(raw[0], raw[1], raw[2]);
            return;
        }
        const received = [];
        let args;
        try {
            args = spec.args.map((a, i) => {
                const v = raw[i];
                switch (a.type) {
                    case "object": {
                        if (v === 0) {
                            if (!a.nullable)
                                throw new WireError(`${where}: null for non-nullable object ${a.name}`);
                            return null;
                        }
                        const target = this.objects.get(v);
                        if (!target)
                            throw new WireError(`${where}: argument ${a.name} names unknown object ${v}`);
                        if (a.interface && target.spec.name !== a.interface)
                            throw new WireError(`${where}: argument ${a.name} is ${target}, expected ${a.interface}`);
                        return target.destroyed ? null : target;
                    }
                    case "new_id": {
                        const newId = v;
                        if (newId < SERVER_ID_BASE)
                            throw new WireError(`${where}: server new_id ${newId} is not in the server range`);
                        if (this.objects.has(newId))
                            throw new WireError(`${where}: server new_id ${newId} already in use`);
                        const cls = a.interface ? interfaceClass(a.interface) : undefined;
                        if (!cls)
                            throw new WireError(`${where}: cannot create object of interface ${a.interface ?? "(untyped)"}`);
                        const created = new cls(this, newId, proxy.version);
                        this.objects.set(newId, created);
                        return created;
                    }
                    case "fd": {
                        const r = new ReceivedFd(v);
                        received.push(r);
                        return r;
                    }
                    default:
                        return v;
                }
            });
        }
        catch (e) {
            for (const fd of taken)
                closeFd(fd);
            throw e;
        }
        try {
            if (proxy.destroyed)
                return; // zombie: events after our destructor are dropped (fds closed below)
            if (spec.since > proxy.version)
                log.warn(`${where}: event since version ${spec.since} on an object bound at ${proxy.version}`);
            if (spec.destructor)
                proxy.destroyed = true;
            const handler = proxy.handlers[spec.name];
            if (handler)
                handler.apply(proxy, args);
            else {
                const key = where.replace(/#\d+/, "");
                if (!this.warnedUnhandled.has(key)) {
                    this.warnedUnhandled.add(key);
                    log.warn(`unhandled event ${where} (further ones of this kind are logged at debug level)`);
                }
                else
                    log.debug(`unhandled event ${where}`);
            }
        }
        finally {
            for (const r of received)
                if (r.owned)
                    closeFd(r.fd);
        }
    }
    onDisplayError(objectId, code, message) {
        const object = this.objects.get(objectId);
        const iface = object?.spec.name ?? "unknown interface";
        // Codes come from the object's own error enum; the wl_display.error enum is global.
        const named = (spec) => Object.entries(spec?.enums.error ?? {}).find(([, v]) => v === code)?.[0];
        const codeName = named(object?.spec) ?? named(this.display.spec);
        this.fail(new WaylandProtocolError(objectId, iface, code, codeName, message));
    }
    onDeleteId(id) {
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
    forget(p) {
        this.objects.delete(p.id);
        this.freeIds.push(p.id);
    }
    // ---- teardown ----
    assertOpen() {
        if (this.error)
            throw this.error;
        if (this.closing)
            throw new WaylandConnectionError("connection is closed");
    }
    /** Marks the connection failed: rejects every waiter, releases descriptors, closes the socket. */
    fail(error) {
        if (this.error)
            return;
        this.error = error;
        log.debug(`connection failed: ${error.message}`);
        for (const w of [...this.waiters])
            w(error);
        this.waiters.clear();
        this.release();
        this.rejectClosed(error);
    }
    release() {
        for (const fd of this.inputFds.splice(0))
            closeFd(fd);
        for (const o of this.outQueue.splice(0))
            for (const fd of o.fds)
                closeFd(fd);
        this.socket.close();
    }
    /** Flushes pending requests (best effort) and closes the connection. Idempotent. */
    async close() {
        if (this.closing)
            return;
        if (!this.error) {
            try {
                await this.flush();
            }
            catch {
                /* failing now changes nothing: we are closing */
            }
        }
        this.closing = true;
        const err = new WaylandConnectionError("connection closed");
        for (const w of [...this.waiters])
            w(err);
        this.waiters.clear();
        this.release();
        this.resolveClosed();
    }
    async [Symbol.asyncDispose]() {
        await this.close();
    }
}
//# sourceMappingURL=connection.js.map