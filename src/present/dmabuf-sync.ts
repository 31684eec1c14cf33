// How the dmabuf presenter and the compositor agree on when a buffer is written and read. Chosen at
// open, best first (the option `sync` forces one; a forced path that cannot work is unavailable):
// - "drm-syncobj" (wp_linux_drm_syncobj_v1): DRM timeline syncobjs shared with the compositor
//   (a timeline per buffer) each commit's acquire point carries the render-finished sync file, its release point is waited
//   for (off the JS thread) before the buffer is rendered into again. Checked end to end with KWin 6.7
//   on virtio-gpu in the VM (test/wayland/desktop-2026.vm.test.ts).
// - "explicit-sync" (zwp_linux_explicit_synchronization_v1): every commit carries the frame's
//   render-finished sync file as its acquire fence, and asks for its own release; a buffer is
//   rendered into again only once that release's fence has signalled (polled on a pool thread).
// - "implicit sync-file": the render-finished sync file goes into the dmabuf's reservation
//   (DMA_BUF_IOCTL_IMPORT_SYNC_FILE); before reuse, the dmabuf's read fences are waited for.
// - "cpu-wait": the frame's fence is waited on the CPU before attach/commit.
// The three fence paths need VK_KHR_external_semaphore_fd (lavapipe has it in the VM, not on the host).
import type { Device, Fence } from "../vk/index.js";
import { Semaphore } from "../vk/index.js";
import { close as closeFd } from "../sys/libc.js";
import { DMA_BUF_SYNC_READ, exportSyncFile, importSyncFile, syncFileSignalled, waitDmabufFences, waitSyncFile } from "../sys/sync-file.js";
import { type CommitRelease, SurfaceExplicitSync } from "../wayland/explicit-sync.js";
import { WpLinuxDrmSyncobjManagerV1 } from "../wayland/protocol/linux-drm-syncobj-v1.js";
import { type CommitPoints, SurfaceDrmSyncobj } from "../wayland/drm-syncobj.js";
import { DrmDevice } from "../drm/device.js";
import { listDevices } from "../drm/discovery.js";
import { timelineSupported } from "../drm/syncobj.js";
import type { WaylandWindow } from "../wayland/window.js";
import { BackendUnavailableError } from "./errors.js";

/** How long the compositor's fences on a buffer may take before we call it stuck. */
const FENCE_TIMEOUT_MS = 5000;

export type SyncPath = "drm-syncobj" | "explicit-sync" | "implicit sync-file" | "cpu-wait";
/** What the `sync` option asks for: "auto" takes the best path that works here. */
export type SyncChoice = "auto" | "drm-syncobj" | "explicit" | "implicit" | "cpu-wait";

/** What a sync path needs of a buffer. */
export interface SyncedBuffer {
  readonly id: number;
  /** Our own dup of the image's dmabuf, kept when the path `needsDmabufFd` (-1 otherwise). */
  dmabufFd: number;
  /** Explicit sync: the release of the buffer's last commit, until the buffer is reused. */
  release?: CommitRelease | undefined;
  /** drm-syncobj: the points of the buffer's last commit, until the buffer is reused. */
  points?: CommitPoints | undefined;
}

export interface FrameSync {
  readonly path: SyncPath;
  /** Why this path, for the log. */
  readonly why: string;
  /** Signalled by every frame's submission; exported once per frame by beforeCommit or skipFrame. */
  readonly renderFinished: Semaphore | undefined;
  readonly needsDmabufFd: boolean;
  /** Waits (a promise, not a spin) until the compositor has finished reading the buffer. */
  beforeReuse(buffer: SyncedBuffer): Promise<void> | void;
  /** Right before the rendered buffer is attached and committed. */
  beforeCommit(buffer: SyncedBuffer, rendered: Fence): void;
  /** A rendered frame that will not be committed: consumes its render-finished signal. */
  skipFrame(): void;
  /** The buffer is being destroyed: drop what is held for it. */
  forget(buffer: SyncedBuffer): void;
  stats(): Record<string, number>;
  destroy(): void;
}

const unavailable = (reason: string) => new BackendUnavailableError("wayland-dmabuf", reason);

/** The best sync path for this device and compositor, or the one asked for (unavailable if impossible). */
export function chooseFrameSync(device: Device, window: WaylandWindow, want: SyncChoice = "auto"): FrameSync {
  const fences = device.has("VK_KHR_external_semaphore_fd");
  const noFences = `${device.physical.name} has no VK_KHR_external_semaphore_fd`;
  const syncobjOffered = window.globals.has(WpLinuxDrmSyncobjManagerV1);
  let skipped = "";
  if (want === "auto" || want === "drm-syncobj") {
    const why = !syncobjOffered ? "the compositor offers no wp_linux_drm_syncobj_manager_v1" : !fences ? `drm-syncobj: ${noFences}` : undefined;
    const timeline = why ? { dev: undefined, why } : timelineDevice();
    if (timeline.dev) {
      try {
        const surfaceSync = SurfaceDrmSyncobj.create(window.globals, window.surface, timeline.dev)!;
        return new DrmSyncobjSync(device, surfaceSync, timeline.dev, `wp_linux_drm_syncobj_v1, timeline on ${timeline.dev.path}`);
      } catch (e) {
        timeline.dev.close();
        throw e;
      }
    }
    if (want === "drm-syncobj") throw unavailable(timeline.why);
    if (syncobjOffered) skipped = `${timeline.why}; `;
  }
  if (want === "auto" || want === "explicit") {
    const surfaceSync = fences ? SurfaceExplicitSync.create(window.connection, window.globals, window.surface) : undefined;
    if (surfaceSync) return new ExplicitSync(device, surfaceSync, `${skipped}zwp_linux_explicit_synchronization_v1 + sync files`);
    if (want === "explicit") throw unavailable(fences ? "the compositor offers no zwp_linux_explicit_synchronization_v1" : `explicit sync: ${noFences}`);
  }
  if (want === "auto" || want === "implicit") {
    if (fences) return new ImplicitSync(device, `${skipped}${want === "implicit" ? "requested" : "no explicit sync offered"}; DMA_BUF_IOCTL_IMPORT_SYNC_FILE`);
    if (want === "implicit") throw unavailable(`implicit sync: ${noFences}`);
  }
  return new CpuWaitSync(want === "cpu-wait" ? "requested" : noFences);
}

/** A DRM node with timeline syncobjs to keep drm-syncobj's timeline on (render nodes first), or why there is none. */
function timelineDevice(): { dev: DrmDevice; why?: undefined } | { dev: undefined; why: string } {
  const nodes = listDevices().flatMap((d) => [d.render, d.primary]).filter((n): n is string => !!n);
  if (nodes.length === 0) return { dev: undefined, why: "drm-syncobj: no DRM device here to make a timeline syncobj on" };
  const tried: string[] = [];
  for (const node of nodes) {
    let dev: DrmDevice | undefined;
    try {
      dev = DrmDevice.open(node, { atomic: false });
      if (timelineSupported(dev)) return { dev };
      tried.push(`${node}: no timeline syncobjs`);
    } catch (e) {
      tried.push(`${node}: ${(e as Error).message}`);
    }
    dev?.close();
  }
  return { dev: undefined, why: `drm-syncobj: no usable DRM node (${tried.join("; ")})` };
}

/** The fence paths' common part: the exportable semaphore and its per-frame sync file. */
abstract class FenceSync {
  readonly renderFinished: Semaphore;
  readonly needsDmabufFd = true;
  protected readonly counts = { syncFilesExported: 0, syncFilesAlreadySignalled: 0 };
  /** Time spent in vkGetSemaphoreFdKHR: lavapipe blocks there until the frame is rendered. */
  private exportMs = 0;

  constructor(device: Device) {
    this.renderFinished = Semaphore.create(device, { exportable: true });
  }

  /** This frame's render-finished sync file, or -1 when the driver reports it already signalled. */
  protected exportRenderFinished(): number {
    const start = performance.now();
    const fd = this.renderFinished.exportSyncFile(); // a SYNC_FD export also unsignals the semaphore
    this.exportMs += performance.now() - start;
    if (fd < 0) this.counts.syncFilesAlreadySignalled++;
    else this.counts.syncFilesExported++;
    return fd;
  }

  /** Mean ms per export: near 0 where the driver hands out a pending fence, the render time where it waits first. */
  protected get syncFileExportMs(): number {
    const n = this.counts.syncFilesExported + this.counts.syncFilesAlreadySignalled;
    return n ? Number((this.exportMs / n).toFixed(3)) : 0;
  }

  skipFrame(): void {
    const fd = this.exportRenderFinished();
    if (fd >= 0) closeFd(fd);
  }

  forget(_buffer: SyncedBuffer): void {}

  destroy(): void {
    this.renderFinished.destroy();
  }
}

class ExplicitSync extends FenceSync implements FrameSync {
  readonly path = "explicit-sync" as const;
  private readonly releases = { fenced: 0, immediate: 0, fenceWaits: 0 };

  constructor(
    device: Device,
    private readonly surfaceSync: SurfaceExplicitSync,
    readonly why: string,
  ) {
    super(device);
  }

  beforeCommit(buffer: SyncedBuffer, _rendered: Fence): void {
    let fd = this.exportRenderFinished();
    // Already signalled: the acquire fence is then the dmabuf's own (signalled) write fence, so that
    // every commit still carries one.
    if (fd < 0) fd = exportSyncFile(buffer.dmabufFd, DMA_BUF_SYNC_READ);
    try {
      buffer.release?.drop();
      buffer.release = this.surfaceSync.nextCommit(fd);
    } finally {
      closeFd(fd);
    }
  }

  async beforeReuse(buffer: SyncedBuffer): Promise<void> {
    const release = buffer.release;
    if (!release) return; // never committed
    buffer.release = undefined;
    try {
      await release.done; // rejects with the connection's error if the compositor goes away
    } catch (e) {
      release.drop();
      throw e;
    }
    const fd = release.takeFence();
    if (fd < 0) return void this.releases.immediate++;
    this.releases.fenced++;
    try {
      if (syncFileSignalled(fd)) return;
      this.releases.fenceWaits++;
      if (!(await waitSyncFile(fd, FENCE_TIMEOUT_MS)))
        throw new Error(`wayland-dmabuf: the release fence of buffer ${buffer.id} did not signal within ${FENCE_TIMEOUT_MS} ms`);
    } finally {
      closeFd(fd);
    }
  }

  override forget(buffer: SyncedBuffer): void {
    buffer.release?.drop();
    buffer.release = undefined;
  }

  stats(): Record<string, number> {
    const c = this.surfaceSync.counts;
    return {
      acquireFences: c.acquireFences,
      ...this.counts,
      syncFileExportMs: this.syncFileExportMs,
      fencedReleases: this.releases.fenced,
      immediateReleases: this.releases.immediate,
      releaseFenceWaits: this.releases.fenceWaits,
      renderFenceCpuWaits: 0,
    };
  }

  override destroy(): void {
    this.surfaceSync.destroy();
    super.destroy();
  }
}

class DrmSyncobjSync extends FenceSync implements FrameSync {
  readonly path = "drm-syncobj" as const;
  private releaseWaits = 0;
  /** Reuses of a committed buffer that went ahead on its release point having signalled. */
  private releasePointReuses = 0;
  /** Commits sent while their acquire point's sync file was still pending: the GPU, not our CPU, was waited for. */
  private acquirePendingAtCommit = 0;

  constructor(
    device: Device,
    private readonly surfaceSync: SurfaceDrmSyncobj,
    private readonly dev: DrmDevice,
    readonly why: string,
  ) {
    super(device);
  }

  beforeCommit(buffer: SyncedBuffer, _rendered: Fence): void {
    const fd = this.exportRenderFinished(); // -1: already finished, the acquire point is signalled from the CPU
    if (fd >= 0 && !syncFileSignalled(fd)) this.acquirePendingAtCommit++;
    try {
      buffer.points = this.surfaceSync.nextCommit(buffer.id, fd);
    } finally {
      if (fd >= 0) closeFd(fd);
    }
  }

  async beforeReuse(buffer: SyncedBuffer): Promise<void> {
    const points = buffer.points;
    if (!points) return; // never committed
    buffer.points = undefined;
    if (!(await this.surfaceSync.released(buffer.id, points, 0))) {
      this.releaseWaits++;
      if (!(await this.surfaceSync.released(buffer.id, points, FENCE_TIMEOUT_MS)))
        throw new Error(`wayland-dmabuf: release point ${points.release} of buffer ${buffer.id} did not signal within ${FENCE_TIMEOUT_MS} ms`);
    }
    this.releasePointReuses++;
  }

  override forget(buffer: SyncedBuffer): void {
    buffer.points = undefined;
    this.surfaceSync.forget(buffer.id);
  }

  stats(): Record<string, number> {
    const c = this.surfaceSync.counts;
    return { timelines: c.timelines, acquirePoints: c.acquirePoints, releasePoints: c.releasePoints, ...this.counts, syncFileExportMs: this.syncFileExportMs, releasePointWaits: this.releaseWaits, releasePointReuses: this.releasePointReuses, acquirePendingAtCommit: this.acquirePendingAtCommit, renderFenceCpuWaits: 0 };
  }

  override destroy(): void {
    this.surfaceSync.destroy();
    this.dev.close();
    super.destroy();
  }
}

class ImplicitSync extends FenceSync implements FrameSync {
  readonly path = "implicit sync-file" as const;
  private readFenceWaits = 0;

  constructor(
    device: Device,
    readonly why: string,
  ) {
    super(device);
  }

  beforeCommit(buffer: SyncedBuffer, _rendered: Fence): void {
    const fd = this.exportRenderFinished();
    if (fd < 0) return;
    try {
      importSyncFile(buffer.dmabufFd, fd); // the compositor's import of the dmabuf waits for our writes
    } finally {
      closeFd(fd);
    }
  }

  /** The compositor may release a buffer while its GPU still reads it. */
  async beforeReuse(buffer: SyncedBuffer): Promise<void> {
    const outcome = await waitDmabufFences(buffer.dmabufFd, FENCE_TIMEOUT_MS);
    if (outcome === "waited") this.readFenceWaits++;
    if (outcome === "timeout") throw new Error(`wayland-dmabuf: the compositor's fences on buffer ${buffer.id} did not signal within ${FENCE_TIMEOUT_MS} ms`);
  }

  stats(): Record<string, number> {
    const { syncFilesExported, syncFilesAlreadySignalled } = this.counts;
    return { syncFilesImported: syncFilesExported, syncFilesSignalled: syncFilesAlreadySignalled, syncFileExportMs: this.syncFileExportMs, readFenceWaits: this.readFenceWaits, renderFenceCpuWaits: 0 };
  }
}

class CpuWaitSync implements FrameSync {
  readonly path = "cpu-wait" as const;
  readonly renderFinished = undefined;
  readonly needsDmabufFd = false;
  private waits = 0;

  constructor(readonly why: string) {}

  beforeReuse(): void {}

  beforeCommit(_buffer: SyncedBuffer, rendered: Fence): void {
    rendered.wait(); // the compositor must read a finished image
    this.waits++;
  }

  skipFrame(): void {}
  forget(): void {}

  stats(): Record<string, number> {
    return { renderFenceCpuWaits: this.waits };
  }

  destroy(): void {}
}
