// Errors of the input layer that are the caller's to fix (how the event source is used). Missing
// libraries are UnavailableErrors (LibinputUnavailableError, XkbUnavailableError), bad keymaps KeymapError.

/** Input used in a way it does not support, e.g. two iterators over one presenter's events. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}
