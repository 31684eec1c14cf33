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

/**
 * The compositor sent well-formed messages whose content cannot be used: a dmabuf format table of a
 * bad size or an index outside it, a wl_shm without the formats every compositor must offer.
 */
export class CompositorDataError extends Error {
  constructor(
    /** The event or object it came from, e.g. "zwp_linux_dmabuf_feedback_v1.format_table". */
    readonly source: string,
    readonly detail: string,
  ) {
    super(`${source}: ${detail}`);
    this.name = "CompositorDataError";
  }
}

/** A buffer was used in the wrong state of its cycle (free, rendering, attached): a bug in the caller. */
export class BufferStateError extends Error {
  constructor(
    /** The buffer, e.g. "wl_buffer#12". */
    readonly buffer: string,
    /** The call made on it, e.g. "markAttached". */
    readonly call: string,
    readonly state: string,
  ) {
    super(`${call}: ${buffer} is ${state}`);
    this.name = "BufferStateError";
  }
}

/** A call on an object that can no longer serve it: a retired shm swapchain, a received fd already taken. */
export class ObjectRetiredError extends Error {
  constructor(
    /** The object, e.g. "shm swapchain 640x480" or "received fd 12". */
    readonly object: string,
    /** The call made on it, e.g. "acquire". */
    readonly call: string,
    /** Why it cannot, e.g. "retired". */
    why: string,
  ) {
    super(`${object}.${call}: ${why}`);
    this.name = "ObjectRetiredError";
  }
}
