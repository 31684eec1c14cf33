// wp_linux_drm_syncobj_v1 for one surface: a DRM timeline syncobj per buffer, shared with the
// compositor. Every commit names two points on the buffer's timeline: the acquire point (the
// compositor reads the buffer once it has signalled; we put the frame's render-finished sync file
// there) and the release point after it (the compositor signals it once it no longer reads the
// buffer; we wait for it before rendering into that buffer again). A timeline per buffer, not one
// per surface: signalling a point counts every earlier point as signalled too, so the next frame's
// acquire point would otherwise "release" a buffer the compositor still reads.
//
// Checked against KWin 6.7's DRM backend on the VM's virtio-gpu (test/wayland/desktop-2026.vm.test.ts);
// Weston 14/16, Sway 1.7/1.12 (llvmpipe) and KWin 5.27 do not offer it. The timeline side (import,
// signal, wait) is tested on the kernel's syncobjs in the VM (test/drm/syncobj.vm.test.ts,
// test/wayland/drm-syncobj.vm.test.ts).
import { close } from "../sys/libc.js";
import type { DrmDevice } from "../drm/device.js";
import { Syncobj } from "../drm/syncobj.js";
import type { Globals } from "./globals.js";
import {
  WpLinuxDrmSyncobjManagerV1, type WpLinuxDrmSyncobjSurfaceV1, type WpLinuxDrmSyncobjTimelineV1,
} from "./protocol/linux-drm-syncobj-v1.js";
import type { WlSurface } from "./protocol/wayland.js";

/** The two points of one commit. */
export interface CommitPoints {
  readonly acquire: bigint;
  readonly release: bigint;
}

/**
 * The timeline of one buffer, with no protocol in it: hands out acquire/release point pairs, puts a
 * sync file (or a CPU signal) at an acquire point, and waits for release points. Ask for the next
 * pair only once the previous release point has signalled (the buffer is free again).
 */
export class CommitTimeline {
  private last = 0n;

  constructor(readonly syncobj: Syncobj) {}

  /** Makes a timeline syncobj on `dev` (a render node is enough). */
  static create(dev: DrmDevice): CommitTimeline {
    return new CommitTimeline(Syncobj.create(dev));
  }

  /**
   * The points of the next commit; its acquire point signals with `syncFileFd` (kept and closed by
   * the caller), or at once when it is -1 (the frame was already finished).
   */
  next(syncFileFd: number): CommitPoints {
    const acquire = ++this.last;
    const release = ++this.last;
    if (syncFileFd >= 0) this.syncobj.importSyncFile(syncFileFd, acquire);
    else this.syncobj.signal(acquire);
    return { acquire, release };
  }

  /** Waits (off the JS thread) for a release point; false when it did not signal within timeoutMs. */
  released(points: CommitPoints, timeoutMs: number): Promise<boolean> {
    return this.syncobj.wait(points.release, timeoutMs);
  }

  /** Frees the syncobj. */
  destroy(): void {
    this.syncobj.destroy();
  }
}

/** A buffer's timeline and its wp_linux_drm_syncobj_timeline_v1. */
interface BufferTimeline {
  readonly timeline: CommitTimeline;
  readonly proxy: WpLinuxDrmSyncobjTimelineV1;
}

/** drm-syncobj explicit synchronization of one wl_surface: the global, the surface object and a timeline per buffer (imported on its first commit). */
export class SurfaceDrmSyncobj {
  /** Requests sent so far, for stats. */
  readonly counts = { acquirePoints: 0, releasePoints: 0, timelines: 0 };
  private readonly timelines = new Map<number, BufferTimeline>();

  private constructor(
    private readonly manager: WpLinuxDrmSyncobjManagerV1,
    private readonly surfaceSync: WpLinuxDrmSyncobjSurfaceV1,
    private readonly dev: DrmDevice,
  ) {}

  /** Whether the compositor offers the protocol. */
  static offered(globals: Globals): boolean {
    return globals.has(WpLinuxDrmSyncobjManagerV1);
  }

  /** Binds the global and makes the surface's object (timelines live on `dev`, which outlives this); undefined if not offered. */
  static create(globals: Globals, surface: WlSurface, dev: DrmDevice): SurfaceDrmSyncobj | undefined {
    const manager = globals.tryBind(WpLinuxDrmSyncobjManagerV1);
    if (!manager) return undefined;
    return new SurfaceDrmSyncobj(manager, manager.get_surface(surface), dev);
  }

  /**
   * For the next wl_surface.commit of buffer `bufferId` (attached by then): sets both points on the
   * buffer's timeline and returns them. Call again for that buffer only after its release point.
   */
  nextCommit(bufferId: number, syncFileFd: number): CommitPoints {
    const { timeline, proxy } = this.timelineOf(bufferId);
    const points = timeline.next(syncFileFd);
    this.surfaceSync.set_acquire_point(proxy, hi(points.acquire), lo(points.acquire));
    this.surfaceSync.set_release_point(proxy, hi(points.release), lo(points.release));
    this.counts.acquirePoints++;
    this.counts.releasePoints++;
    return points;
  }

  /** Waits (off the JS thread) for a buffer's release point; false when it did not signal within timeoutMs. */
  released(bufferId: number, points: CommitPoints, timeoutMs: number): Promise<boolean> {
    const t = this.timelines.get(bufferId);
    return t ? t.timeline.released(points, timeoutMs) : Promise.resolve(true);
  }

  /** The buffer is gone: its timeline goes too. */
  forget(bufferId: number): void {
    const t = this.timelines.get(bufferId);
    if (!t) return;
    this.timelines.delete(bufferId);
    if (!t.proxy.destroyed && !this.surfaceSync.destroyed) t.proxy.destroy();
    t.timeline.destroy();
  }

  /** Destroys the protocol objects and every timeline. */
  destroy(): void {
    for (const id of [...this.timelines.keys()]) this.forget(id);
    if (!this.surfaceSync.destroyed) {
      this.surfaceSync.destroy();
      this.manager.destroy();
    }
  }

  private timelineOf(bufferId: number): BufferTimeline {
    let t = this.timelines.get(bufferId);
    if (t) return t;
    const timeline = CommitTimeline.create(this.dev);
    const fd = timeline.syncobj.exportFd();
    try {
      t = { timeline, proxy: this.manager.import_timeline(fd) };
    } catch (e) {
      timeline.destroy();
      throw e;
    } finally {
      close(fd); // the request carried a duplicate
    }
    this.timelines.set(bufferId, t);
    this.counts.timelines++;
    return t;
  }
}

const hi = (point: bigint): number => Number(point >> 32n);
const lo = (point: bigint): number => Number(point & 0xffffffffn);
