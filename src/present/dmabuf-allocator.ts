// Makes the dmabuf backend's ring: exportable Vulkan images of one kind (format + modifier), each
// turned into a wl_buffer. The first image of a kind is sent with `create`, whose `failed` event is
// not fatal: a rejected kind is dropped and the next one the compositor listed is tried. Once a kind
// has imported, later images use `create_immed` (unless the option says otherwise).
import { type Device, Format, Image, ImageLayout, ImageUsage, Scope } from "../vk/index.js";
import { close as closeFd, dup } from "../sys/libc.js";
import { logger } from "../util/log.js";
import { BufferRing, type RingBuffer } from "../wayland/buffer-ring.js";
import { WaylandProtocolError } from "../wayland/errors.js";
import type { ZwpLinuxDmabufV1 } from "../wayland/protocol/linux-dmabuf-v1.js";
import type { WlBuffer } from "../wayland/protocol/wayland.js";
import type { OutputTransform } from "../wayland/scale.js";
import type { WaylandWindow } from "../wayland/window.js";
import { type BufferKind, createBuffer, createBufferImmed, imageModifiers, kindName } from "./dmabuf-buffers.js";
import type { FrameSync, SyncedBuffer } from "./dmabuf-sync.js";
import { BackendUnavailableError } from "./errors.js";
import type { RenderTarget } from "./presenter.js";

const log = logger("present");
let nextId = 1_000_000;

/** A BackendUnavailableError of the dmabuf backend. */
export const unavailable = (reason: string, cause?: unknown) => new BackendUnavailableError("wayland-dmabuf", reason, cause === undefined ? undefined : { cause });

/** One image of the ring, with its wl_buffer. */
export interface DmabufTarget extends RenderTarget, RingBuffer, SyncedBuffer {
  wlBuffer: WlBuffer;
  readonly kind: BufferKind;
  /** Owns the image, its view, the wl_buffer and the dmabuf fd kept for sync. */
  readonly scope: Scope;
}

/** A ring of targets and the scope that owns them (retired whole on resize or re-allocation). */
export interface DmabufGeneration {
  readonly ring: BufferRing<DmabufTarget>;
  readonly scope: Scope;
}

/** How wl_buffers are made: see WaylandDmabufOptions.bufferCreation. */
export type BufferCreation = "auto" | "create" | "immed";

/** Makes generations of dmabuf targets, and remembers which kinds import and which were refused. */
export class DmabufAllocator {
  /** Kinds still worth trying, best first. */
  kinds: BufferKind[];
  /** The kind that imported (undefined until one has, and again after useKinds). */
  accepted: BufferKind | undefined;
  /** Kinds the compositor failed to import (`XR24/LINEAR`). */
  readonly rejected: string[] = [];

  constructor(
    private readonly device: Device,
    private readonly window: WaylandWindow,
    private readonly dmabuf: ZwpLinuxDmabufV1,
    private readonly sync: FrameSync,
    private readonly format: Format,
    private readonly finalLayout: ImageLayout,
    readonly creation: BufferCreation,
    kinds: BufferKind[],
  ) {
    this.kinds = kinds;
  }

  /** Switches to other kinds (surface feedback): the first image of the new kind is sent with `create` again. */
  useKinds(kinds: BufferKind[]): void {
    this.kinds = kinds;
    this.accepted = undefined;
  }

  /** Whether the compositor failed to import this kind before. */
  refused(kind: BufferKind): boolean {
    return this.rejected.includes(kindName(kind));
  }

  /** `count` images of `width`x`height` in the buffer `transform`, all imported; throws unavailable when none could be. */
  async allocate(width: number, height: number, count: number, transform: OutputTransform): Promise<DmabufGeneration> {
    const ring = new BufferRing<DmabufTarget>(this.window.connection, { tracing: this.window });
    const made: DmabufTarget[] = [];
    let failure: Error | undefined;
    const onFailed = (t: DmabufTarget) => () =>
      (failure ??= unavailable(`zwp_linux_buffer_params_v1.failed: the compositor could not import dmabuf ${t.id} (${width}x${height} ${kindName(t.kind)})`));
    try {
      made.push(await this.firstTarget(width, height, transform, onFailed));
      for (let i = 1; i < count; i++) {
        const t = this.createTarget(width, height, transform, this.accepted!);
        made.push(t);
        const buffer = await this.importTarget(t, this.creation === "create" ? "create" : "immed", onFailed(t));
        if (!buffer) onFailed(t)();
        else t.wlBuffer = buffer;
      }
      // create_immed: a round trip surfaces a `failed` before the first frame is rendered
      if (this.creation !== "create" && !failure) await this.window.connection.roundtrip();
      if (failure) throw failure;
    } catch (e) {
      for (const t of made) t.scope.close();
      // create_immed: a compositor may answer an import it cannot do with this protocol error (Weston does)
      if (e instanceof WaylandProtocolError && e.interfaceName === "zwp_linux_buffer_params_v1")
        throw unavailable(`the compositor could not import our dmabufs (${e.message})`, e);
      throw e;
    }
    const scope = new Scope(`wayland-dmabuf targets ${width}x${height}`);
    for (const t of made) {
      ring.add(t);
      scope.add(t.scope);
    }
    log.debug(`wayland-dmabuf: ${count} images ${width}x${height}, ${kindName(this.accepted!)}`);
    return { ring, scope };
  }

  /** The first image: of the accepted kind, or the first kind the compositor actually imports. */
  private async firstTarget(width: number, height: number, transform: OutputTransform, onFailed: (t: DmabufTarget) => () => void): Promise<DmabufTarget> {
    for (const kind of this.accepted ? [this.accepted] : [...this.kinds]) {
      const how = this.creation === "immed" || (this.creation === "auto" && this.accepted) ? "immed" : "create";
      const t = this.createTarget(width, height, transform, kind);
      const buffer = await this.importTarget(t, how, onFailed(t)).catch((e: unknown) => {
        t.scope.close();
        throw e;
      });
      if (buffer) {
        t.wlBuffer = buffer;
        if (!this.accepted) log.debug(`wayland-dmabuf: ${kindName(kind)} imports`);
        this.accepted = kind;
        return t;
      }
      t.scope.close();
      this.kinds = this.kinds.filter((k) => k !== kind);
      this.rejected.push(kindName(kind));
      log.debug(`wayland-dmabuf: the compositor failed to import a ${width}x${height} ${kindName(kind)} buffer; trying the next kind`);
    }
    throw unavailable(`the compositor failed to import every dmabuf kind it listed and we can make (${this.rejected.join(", ")}; ${width}x${height})`);
  }

  /** An exportable image of `kind` and its view; the wl_buffer comes from importTarget. */
  private createTarget(width: number, height: number, transform: OutputTransform, kind: BufferKind): DmabufTarget {
    const id = nextId++;
    return Scope.build(`wayland-dmabuf target ${id}`, (scope) => {
      const image = scope.add(Image.create(this.device, {
        width,
        height,
        format: this.format,
        usage: ImageUsage.colorAttachment | ImageUsage.transferSrc,
        exportDmabuf: { modifiers: imageModifiers(kind) },
        what: `wayland-dmabuf image ${id}`,
      }));
      const view = scope.add(image.createView());
      const t: DmabufTarget = { id, image, view, width, height, format: this.format, finalLayout: this.finalLayout, transform, kind, wlBuffer: undefined!, state: "free", dmabufFd: -1, scope };
      // last made, first undone: the protocol object and the sync state go before the image
      scope.defer(() => {
        if (t.wlBuffer && !t.wlBuffer.destroyed && !this.window.connection.error) t.wlBuffer.destroy();
        this.sync.forget(t);
        if (t.dmabufFd >= 0) closeFd(t.dmabufFd);
        t.dmabufFd = -1;
      });
      return t;
    });
  }

  /** Hands the target's dmabuf to the compositor; with "create", undefined when it failed to import. */
  private async importTarget(t: DmabufTarget, how: "create" | "immed", onFailed: () => void): Promise<WlBuffer | undefined> {
    const exported = t.image.exportDmabuf();
    try {
      if (this.sync.needsDmabufFd) t.dmabufFd = dup(exported.fd);
      const request = { dmabuf: this.dmabuf, exported, kind: t.kind, width: t.width, height: t.height };
      return how === "create" ? await createBuffer(this.window.connection, request) : createBufferImmed(request, onFailed);
    } finally {
      closeFd(exported.fd); // the connection holds its own duplicate until the request is sent
    }
  }
}
