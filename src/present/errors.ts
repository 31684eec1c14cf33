// A presenter backend that cannot open here: the UnavailableError (util/errors.ts) that
// openPresenter's automatic choice sees. A part's own UnavailableError (no DRM card, no compositor
// socket) reaches it as this error's cause, named after the backend that was being opened.
import { UnavailableError } from "../util/errors.js";

export { UnavailableError };

/** A backend that cannot open here, with the reason a user can act on. */
export class BackendUnavailableError extends UnavailableError {
  constructor(backend: string, reason: string, options?: ErrorOptions) {
    super(backend, reason, options);
    this.name = "BackendUnavailableError";
  }
}

/** A presenter or frame used the wrong way (a frame recorded twice, a second loop at once, a call the backend cannot serve); the message names the call. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
