import { UnixSocket } from "../sys/socket.js";
import { Proxy, type ProxyClass, type ProxyHost } from "./proxy.js";
import { WlCallback, WlDisplay, WlRegistry } from "./protocol/wayland.js";
import { type WireValue } from "./wire.js";
/** The compositor reported a fatal error on one of our objects (wl_display.error). */
export declare class WaylandProtocolError extends Error {
    readonly objectId: number;
    readonly interfaceName: string;
    readonly code: number;
    readonly codeName: string | undefined;
    readonly detail: string;
    constructor(objectId: number, interfaceName: string, code: number, codeName: string | undefined, detail: string);
}
/** The connection could not be made, was lost, or the compositor sent something malformed. */
export declare class WaylandConnectionError extends Error {
    constructor(message: string, options?: {
        cause?: unknown;
    });
}
/** Resolves the socket path: explicit argument, else $WAYLAND_DISPLAY (name or absolute path). */
export declare function resolveSocketPath(socket?: string, env?: NodeJS.ProcessEnv): string;
export interface ConnectOptions {
    /** Socket name (relative to $XDG_RUNTIME_DIR) or absolute path; default $WAYLAND_DISPLAY. */
    socket?: string;
    /** Trace every message (default: WAYLAND_DEBUG=1 or SCANOUT_DEBUG containing "wayland"). */
    debug?: boolean;
}
export declare class Connection implements ProxyHost {
    private readonly socket;
    readonly path: string;
    readonly display: WlDisplay;
    readonly objects: Map<number, Proxy<object>>;
    /** Set once the connection failed; every later operation rethrows it. */
    error: Error | undefined;
    /** Called with each trace line (default: stderr when debugging is on). */
    trace: ((line: string) => void) | undefined;
    private nextId;
    private readonly freeIds;
    private outQueue;
    private flushScheduled;
    private flushing;
    private input;
    private inputLength;
    private readonly inputFds;
    private readonly waiters;
    private readonly closedPromise;
    private resolveClosed;
    private rejectClosed;
    private closing;
    private readonly warnedUnhandled;
    /** Messages dispatched and sent, for stats. */
    stats: {
        sent: number;
        received: number;
    };
    private constructor();
    /** Connects to the compositor; errors say which socket and why. */
    static connect(options?: ConnectOptions): Connection;
    /** Wraps an already connected socket (tests, WAYLAND_SOCKET-style hand-over). */
    static fromSocket(socket: UnixSocket, debug?: boolean, path?: string): Connection;
    /** @internal Drops buffered input and queued descriptors (parser tests reuse one connection). */
    discardInput(): void;
    /** Resolves when the connection is closed by us; rejects with the error if it failed. */
    get closed(): Promise<void>;
    allocate<T extends Proxy>(cls: ProxyClass<T>, version: number): T;
    getRegistry(): WlRegistry;
    sendRequest(proxy: Proxy, opcode: number, args: readonly WireValue[], created?: Proxy): void;
    /** Sends everything queued; resolves when the kernel has it. */
    flush(): Promise<void>;
    /** Round trip: resolves once the compositor has processed everything sent so far. */
    roundtrip(): Promise<void>;
    /** Resolves with the callback data of wl_callback.done; rejects if the connection fails. */
    callbackDone(cb: WlCallback): Promise<number>;
    /**
     * A promise that settles through `setup`'s resolve, or rejects when the connection fails first.
     */
    waitFor<T>(setup: (resolve: (v: T) => void, reject: (e: Error) => void) => void): Promise<T>;
    private readLoop;
    /**
     * Appends received bytes and descriptors and dispatches every complete message. Exposed for the
     * parser tests; throws WireError/WaylandConnectionError on malformed input.
     */
    feed(bytes: Uint8Array, fds: readonly number[]): void;
    private dispatch;
    private onDisplayError;
    private onDeleteId;
    /** Drops a proxy that never reached the compositor (its request failed to encode). */
    private forget;
    private assertOpen;
    /** Marks the connection failed: rejects every waiter, releases descriptors, closes the socket. */
    fail(error: Error): void;
    private release;
    /** Flushes pending requests (best effort) and closes the connection. Idempotent. */
    close(): Promise<void>;
    [Symbol.asyncDispose](): Promise<void>;
}
