export declare const MSG_DONTWAIT = 64;
export declare const MSG_NOSIGNAL = 16384;
export declare const MSG_CMSG_CLOEXEC = 1073741824;
/** Most descriptors one sendmsg carries (libwayland uses the same bound). */
export declare const MAX_FDS_PER_SEND = 28;
/** Descriptors one recvmsg can accept; more are truncated by the kernel and reported as an error. */
export declare const MAX_FDS_PER_RECV = 60;
export interface Received {
    /** Bytes read; a view valid until the next recv call. Empty means the peer closed. */
    bytes: Uint8Array;
    /** Descriptors received with these bytes (close-on-exec); the caller owns them. */
    fds: number[];
}
/** A connected AF_UNIX stream socket that passes descriptors. Owns its fd. */
export declare class UnixSocket {
    private fd;
    private readonly rx;
    private readonly tx;
    private receiving;
    private sending;
    private shut;
    private closeRequested;
    private constructor();
    /** Connects to the socket at `path` (must fit sun_path: 107 bytes). */
    static connect(path: string): UnixSocket;
    get descriptor(): number;
    get closed(): boolean;
    /**
     * Sends all of `data` with `fds` attached to its first byte. Non-blocking first; when the socket
     * buffer is full the rest goes through a blocking send on a pool thread.
     */
    send(data: Uint8Array, fds?: readonly number[]): Promise<void>;
    /**
     * Waits (on a pool thread) for the next chunk of bytes and descriptors. Resolves with empty
     * bytes when the peer hung up or the socket was shut down.
     */
    recv(): Promise<Received>;
    /** Reads SCM_RIGHTS descriptors out of the control buffer, validating every length. */
    private parseControl;
    /** Wakes a pending recv (it resolves empty) without closing the descriptor yet. */
    shutdown(): void;
    /** Shuts the socket down and closes it once no pool thread is using it. Idempotent. */
    close(): void;
    private release;
}
/** Creates a connected socket pair (for tests): both ends are UnixSockets. */
export declare function socketPair(): [UnixSocket, UnixSocket];
