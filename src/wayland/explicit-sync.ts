// zwp_linux_explicit_synchronization_v1 for one surface. Each commit carries an acquire fence (a sync
// file the compositor waits on before it reads the buffer: no CPU wait on our side, nothing put into
// the dmabuf) and asks for its own release, which comes either as a fence that signals once the
// compositor is done with the buffer (fenced_release) or as "done already" (immediate_release).
import { close } from "../sys/libc.js";
import type { Connection } from "./connection.js";
import type { Globals } from "./globals.js";
import {
  ZwpLinuxExplicitSynchronizationV1, type ZwpLinuxBufferReleaseV1, type ZwpLinuxSurfaceSynchronizationV1,
} from "./protocol/linux-explicit-synchronization-unstable-v1.js";
import type { WlSurface } from "./protocol/wayland.js";

/** How one commit's buffer came back: pending, with a fence, at once, or no longer wanted. */
export type ReleaseState = "pending" | "fenced" | "immediate" | "dropped";

/** The release of one commit. A fence received is owned here until takeFence() or drop(). */
export class CommitRelease {
  state: ReleaseState = "pending";
  private fence = -1;
  /** Settles with the release event; rejects if the connection fails or closes first. */
  readonly done: Promise<void>;

  constructor(connection: Connection, release: ZwpLinuxBufferReleaseV1) {
    this.done = connection.waitFor<void>((resolve) =>
      release.listen({
        fenced_release: (fd) => {
          if (this.state === "dropped") return; // the connection closes the unclaimed fd
          this.fence = fd.take();
          this.state = "fenced";
          resolve();
        },
        immediate_release: () => {
          if (this.state !== "dropped") this.state = "immediate";
          resolve();
        },
      }),
    );
    this.done.catch(() => {}); // a release still pending when the connection ends is not an error by itself
  }

  /** The release fence (the caller closes it), or -1 for an immediate release. */
  takeFence(): number {
    const fd = this.fence;
    this.fence = -1;
    return fd;
  }

  /** No longer wanted (its buffer is destroyed): closes a held fence and ignores a later event. */
  drop(): void {
    this.state = "dropped";
    const fd = this.takeFence();
    if (fd >= 0) close(fd);
  }
}

/** Explicit synchronization of one wl_surface (the global is bound for it and destroyed with it). */
export class SurfaceExplicitSync {
  /** Requests sent so far, for stats and tests. */
  readonly counts = { acquireFences: 0, releases: 0 };

  private constructor(
    private readonly connection: Connection,
    private readonly manager: ZwpLinuxExplicitSynchronizationV1,
    private readonly sync: ZwpLinuxSurfaceSynchronizationV1,
  ) {}

  /** Whether the compositor offers the protocol. */
  static offered(globals: Globals): boolean {
    return globals.has(ZwpLinuxExplicitSynchronizationV1);
  }

  /** Binds the global and makes the surface's synchronization object; undefined if not offered. */
  static create(connection: Connection, globals: Globals, surface: WlSurface): SurfaceExplicitSync | undefined {
    const manager = globals.tryBind(ZwpLinuxExplicitSynchronizationV1);
    if (!manager) return undefined;
    return new SurfaceExplicitSync(connection, manager, manager.get_synchronization(surface));
  }

  /**
   * For the next wl_surface.commit (call before it, with the buffer attached by then): the
   * compositor waits for `acquireFenceFd` before reading the buffer (the fd is duplicated for
   * sending; the caller keeps its own), and the returned release reports when it is done with it.
   */
  nextCommit(acquireFenceFd: number): CommitRelease {
    this.sync.set_acquire_fence(acquireFenceFd);
    this.counts.acquireFences++;
    const release = new CommitRelease(this.connection, this.sync.get_release());
    this.counts.releases++;
    return release;
  }

  /** Destroys the surface's synchronization object and the global (commits already made keep their releases). */
  destroy(): void {
    if (this.connection.error || this.sync.destroyed) return;
    this.sync.destroy();
    this.manager.destroy();
  }
}
