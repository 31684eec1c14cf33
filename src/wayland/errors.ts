// What can go wrong on a Wayland connection, one class per kind, so callers can tell a compositor
// that is not there from one that rejected us, from bytes that made no sense, from a bug in an
// event handler. Malformed bytes are WireError (wire.ts), thrown by the decoder.
import { UnavailableError } from "../util/errors.js";

/** The compositor reported a fatal error on one of our objects (wl_display.error). */
export class WaylandProtocolError extends Error {
  constructor(
    readonly objectId: number,
    readonly interfaceName: string,
    readonly code: number,
    readonly codeName: string | undefined,
    readonly detail: string,
  ) {
    super(`Wayland protocol error on ${interfaceName}#${objectId}: code ${code}${codeName ? ` (${codeName})` : ""}: ${detail}`);
    this.name = "WaylandProtocolError";
  }
}

/** The connection could not be made, was lost, or the compositor sent something malformed. */
export class WaylandConnectionError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "WaylandConnectionError";
  }
}

/**
 * No compositor can be reached here: WAYLAND_DISPLAY (or XDG_RUNTIME_DIR) is not set, or connecting
 * to the socket failed (not there, refused, no permission). Nothing was sent, so nothing is broken.
 */
export class CompositorUnreachableError extends UnavailableError {
  constructor(
    reason: string,
    /** The socket path tried, when one could be resolved. */
    readonly socketPath: string | undefined,
    options?: ErrorOptions,
  ) {
    super("wayland", reason, options);
    this.name = "CompositorUnreachableError";
  }
}

/**
 * An event handler threw. The message was well formed and fully consumed, so the connection stays
 * usable; the handler's own error is the `cause`.
 */
export class WaylandHandlerError extends Error {
  constructor(
    readonly interfaceName: string,
    readonly objectId: number,
    readonly event: string,
    cause: unknown,
  ) {
    super(`${interfaceName}.${event} handler threw: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "WaylandHandlerError";
  }
}
