// The DRM layer's errors: DrmError for failures a user can act on (bad mode, unknown connector,
// rejected commit), and DrmUnavailableError for "KMS cannot work on this machine as it is" (no DRM
// device, no permission on the node, another process is DRM master, no display connected), which
// lets automatic backend choice move on instead of failing (an UnavailableError, util/errors.ts).
import { UnavailableError } from "../util/errors.js";

/** Failure that a user can act on (no device, not master, bad mode...). */
export class DrmError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "DrmError";
  }
}

/** KMS cannot be used here; the reason says why (naming the node and errno where there is one). */
export class DrmUnavailableError extends UnavailableError {
  constructor(reason: string, cause?: unknown) {
    super("kms", reason, cause === undefined ? undefined : { cause });
    this.name = "DrmUnavailableError";
  }
}

/** A property value that cannot be encoded (wrong type, out of range, unknown enum name) or a property blob the kernel gave that cannot be read; names the property. */
export class PropertyError extends DrmError {
  constructor(message: string) {
    super(message);
    this.name = "PropertyError";
  }
}
