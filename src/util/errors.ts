// The one error that means "this part cannot work on this machine as it is" (no compositor socket,
// no DRM card or no permission on it, no Vulkan device, libinput missing). Automatic backend choice
// moves on past it; anything else is a bug or a real failure and reaches the caller. Each layer
// subclasses it with its own name (DrmUnavailableError, CompositorUnreachableError, ...), so a caller
// can tell them apart, and one `instanceof UnavailableError` catches them all.

/** A part that cannot work here, naming it and the reason a user can act on. */
export class UnavailableError extends Error {
  constructor(
    /** What cannot work: a backend ("kms", "wayland-dmabuf"), or a part ("libinput", "vulkan"). */
    readonly backend: string,
    /** Why, in words a user can act on (naming the file, device or global involved). */
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${backend}: ${reason}`, options);
    this.name = "UnavailableError";
  }
}

/** An object used after its close() or destroy(): names the object, for the layers below vk/ (whose resources have UseAfterDestroyError). */
export class UseAfterCloseError extends Error {
  constructor(
    /** What was used, e.g. "SharedMemory", "xkb keymap (names: layout us)". */
    readonly object: string,
    message = `${object} used after close`,
  ) {
    super(message);
    this.name = "UseAfterCloseError";
  }
}
