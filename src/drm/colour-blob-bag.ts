// Property blobs made for one atomic commit. A committed state holds its own reference to each
// blob, so ours are destroyed right after the commit (or after it failed): nothing accumulates
// frame after frame, and nothing leaks when a commit is refused.
import type { DrmDevice } from "./device.js";
import type { BlobId } from "./types.js";

/** Blobs made for one request: `make` them while building it, `release()` once it was committed (or refused). */
export class BlobBag {
  private readonly ids: BlobId[] = [];
  constructor(readonly dev: DrmDevice) {}
  /** A new blob holding a copy of `data`; released with the bag. */
  make(data: Uint8Array): BlobId {
    const id = this.dev.createBlob(data);
    this.ids.push(id);
    return id;
  }
  /** How many blobs the bag holds. */
  get size(): number {
    return this.ids.length;
  }
  /** Destroys our references (a committed state keeps its own). Idempotent; nothing to do once the device is closed. */
  release(): void {
    for (const id of this.ids.splice(0)) {
      if (this.dev.closed) continue;
      try {
        this.dev.destroyBlob(id);
      } catch {
        /* already gone with its fd */
      }
    }
  }
  /** `using` support: release(). */
  [Symbol.dispose](): void {
    this.release();
  }
}
