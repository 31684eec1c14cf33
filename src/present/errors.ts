// The one error that lets automatic backend choice move on to the next backend: the backend cannot
// work on this machine (no compositor socket, no DRM card, no permission). Anything else is a bug
// or a real failure and reaches the caller.

/** A backend that cannot open here, with the reason a user can act on. */
export class BackendUnavailableError extends Error {
  constructor(
    readonly backend: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${backend}: ${reason}`, options);
    this.name = "BackendUnavailableError";
  }
}
