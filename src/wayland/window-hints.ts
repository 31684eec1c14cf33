// What a window tells the desktop about itself, each through its own optional protocol: keep the
// screen awake (idle-inhibit), what its content is (content-type), focus me with this token
// (xdg-activation), its icon (xdg-toplevel-icon, from a PNG), a stable tag (xdg-toplevel-tag) and
// modal-dialog state (xdg-dialog). Each setter returns whether the compositor offers the protocol;
// without it nothing is sent and the window works as before.
import { readFileSync } from "node:fs";
import { SharedMemory } from "../sys/memfd.js";
import { logger } from "../util/log.js";
import { pngjs } from "../util/pngjs.js";
import { WpContentTypeManagerV1, WpContentTypeV1Type, type WpContentTypeV1 } from "./protocol/content-type-v1.js";
import { ZwpIdleInhibitManagerV1, type ZwpIdleInhibitorV1 } from "./protocol/idle-inhibit-unstable-v1.js";
import { WlShm, WlShmFormat, type WlBuffer } from "./protocol/wayland.js";
import { XdgActivationV1 } from "./protocol/xdg-activation-v1.js";
import { XdgWmDialogV1, type XdgDialogV1 } from "./protocol/xdg-dialog-v1.js";
import { XdgToplevelIconManagerV1, type XdgToplevelIconV1 } from "./protocol/xdg-toplevel-icon-v1.js";
import { XdgToplevelTagManagerV1 } from "./protocol/xdg-toplevel-tag-v1.js";
import type { WaylandWindow } from "./window.js";

const log = logger("wayland");

/** What the window shows, for the compositor's choices (wp_content_type_v1): "none", "photo", "video", "game". */
export type ContentType = keyof typeof WpContentTypeV1Type;

/** RGBA8 pixels, rows top to bottom (a decoded PNG). */
export interface IconPixels {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Decodes a PNG file or bytes into RGBA pixels; errors name the file. */
export function readIconPng(source: string | Uint8Array): IconPixels {
  const what = typeof source === "string" ? source : "the icon PNG";
  let bytes: Buffer;
  try {
    bytes = typeof source === "string" ? readFileSync(source) : Buffer.from(source);
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`);
  }
  try {
    const png = pngjs().sync.read(bytes);
    return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
  } catch (e) {
    throw new Error(`${what}: not a readable PNG (${(e as Error).message})`);
  }
}

/** The window's hints; made by DesktopWindow, destroyed with it. */
export class WindowHints {
  private idleManager: ZwpIdleInhibitManagerV1 | undefined | null = null;
  private inhibitor: ZwpIdleInhibitorV1 | undefined;
  private contentType: WpContentTypeV1 | undefined;
  private icon: { icon: XdgToplevelIconV1; buffer: WlBuffer; memory: SharedMemory } | undefined;
  private iconManager: XdgToplevelIconManagerV1 | undefined | null = null;
  private dialog: XdgDialogV1 | undefined;
  /** Sizes the compositor prefers for icons (xdg_toplevel_icon_manager_v1.icon_size), once told. */
  readonly iconSizes: number[] = [];

  constructor(private readonly window: WaylandWindow) {}

  private get globals() {
    return this.window.globals;
  }

  /** Keeps the screen from blanking or locking while the window is visible (true), or lets it again. */
  inhibitIdle(on: boolean): boolean {
    this.idleManager ??= this.globals.tryBind(ZwpIdleInhibitManagerV1, { fallback: "the screen may blank while we run" });
    if (!this.idleManager) return false;
    if (on && !this.inhibitor) this.inhibitor = this.idleManager.create_inhibitor(this.window.surface);
    if (!on && this.inhibitor) {
      this.inhibitor.destroy();
      this.inhibitor = undefined;
    }
    this.window.surface.commit(); // the inhibitor is surface state
    return true;
  }

  /** Whether an idle inhibitor is active. */
  get idleInhibited(): boolean {
    return this.inhibitor !== undefined;
  }

  /** Says what the window shows ("game", "video", "photo", "none"); applied with the next frame. */
  setContentType(type: ContentType): boolean {
    if (!(type in WpContentTypeV1Type)) throw new RangeError(`setContentType: unknown type ${JSON.stringify(type)} (none, photo, video, game)`);
    if (!this.contentType) {
      const m = this.globals.tryBind(WpContentTypeManagerV1, { fallback: "no content-type hint" });
      if (!m) return false;
      this.contentType = m.get_surface_content_type(this.window.surface);
      m.destroy();
    }
    this.contentType.set_content_type(WpContentTypeV1Type[type]);
    return true;
  }

  /**
   * Asks for focus with an activation token: `token`, else $XDG_ACTIVATION_TOKEN (what a launcher
   * gives the app it starts; then removed from the environment, as the protocol asks). Returns
   * false without xdg-activation or a token.
   */
  activate(token: string | undefined = process.env.XDG_ACTIVATION_TOKEN): boolean {
    if (token === undefined || token === "") return false;
    if (token === process.env.XDG_ACTIVATION_TOKEN) delete process.env.XDG_ACTIVATION_TOKEN;
    const a = this.globals.tryBind(XdgActivationV1, { fallback: "the compositor decides focus by itself" });
    if (!a) return false;
    a.activate(token, this.window.surface);
    a.destroy();
    return true;
  }

  /**
   * Sets the window's icon from a PNG (path or bytes) or RGBA pixels (square); undefined goes back
   * to the default. Returns false where the compositor offers no xdg-toplevel-icon.
   */
  setIcon(source: string | Uint8Array | IconPixels | undefined): boolean {
    this.iconManager ??= this.bindIconManager();
    const m = this.iconManager;
    if (!m) return false;
    const px = source === undefined ? undefined : typeof source === "string" || source instanceof Uint8Array ? readIconPng(source) : source;
    if (px && px.width !== px.height) throw new RangeError(`setIcon: an icon must be square, got ${px.width}x${px.height}`);
    const old = this.icon;
    this.icon = px ? this.makeIcon(m, px) : undefined;
    m.set_icon(this.window.toplevel, this.icon?.icon ?? null);
    this.dropIcon(old);
    return true;
  }

  private bindIconManager(): XdgToplevelIconManagerV1 | undefined {
    const m = this.globals.tryBind(XdgToplevelIconManagerV1, { fallback: "the window keeps the desktop's default icon" });
    m?.listen({ icon_size: (s) => this.iconSizes.push(s), done: () => {} });
    return m;
  }

  private makeIcon(m: XdgToplevelIconManagerV1, px: IconPixels): NonNullable<WindowHints["icon"]> {
    const shm = this.globals.bind(WlShm, { purpose: "for the window icon" });
    shm.listen({ format: () => {} });
    const stride = px.width * 4;
    const memory = SharedMemory.create("scanout-icon", stride * px.height);
    const dst = new Uint8Array(memory.buffer);
    // RGBA -> premultiplied ARGB8888 (B, G, R, A bytes)
    for (let i = 0; i < px.width * px.height * 4; i += 4) {
      const a = px.data[i + 3]!;
      dst[i] = Math.round((px.data[i + 2]! * a) / 255);
      dst[i + 1] = Math.round((px.data[i + 1]! * a) / 255);
      dst[i + 2] = Math.round((px.data[i]! * a) / 255);
      dst[i + 3] = a;
    }
    const pool = shm.create_pool(memory.fd, memory.size);
    const buffer = pool.create_buffer(0, px.width, px.height, stride, WlShmFormat.argb8888);
    buffer.listen({ release: () => {} });
    pool.destroy();
    if (shm.version >= WlShm.since.release) shm.release();
    const icon = m.create_icon();
    icon.add_buffer(buffer, 1);
    return { icon, buffer, memory };
  }

  private dropIcon(i: WindowHints["icon"]): void {
    if (!i) return;
    try {
      i.icon.destroy();
      i.buffer.destroy();
    } catch {
      // connection gone
    }
    i.memory.close();
  }

  /** A tag that names this window among the app's (xdg-toplevel-tag: kept across restarts), and its description. */
  setTag(tag: string, description?: string): boolean {
    const m = this.globals.tryBind(XdgToplevelTagManagerV1, { fallback: "no toplevel tag" });
    if (!m) return false;
    m.set_toplevel_tag(this.window.toplevel, tag);
    if (description !== undefined) m.set_toplevel_description(this.window.toplevel, description);
    m.destroy();
    return true;
  }

  /** Marks the window as a modal dialog (xdg-dialog) or not. */
  setModal(on: boolean): boolean {
    if (!this.dialog) {
      const m = this.globals.tryBind(XdgWmDialogV1, { fallback: "no dialog hints" });
      if (!m) return false;
      this.dialog = m.get_xdg_dialog(this.window.toplevel);
      m.destroy();
    }
    if (on) this.dialog.set_modal();
    else this.dialog.unset_modal();
    return true;
  }

  /** Destroys what the hints made (the connection may be gone). */
  destroy(): void {
    try {
      this.inhibitor?.destroy();
      this.contentType?.destroy();
      this.dialog?.destroy();
      this.idleManager?.destroy();
      this.iconManager?.destroy();
    } catch {
      log.debug("window hints: connection already gone");
    }
    this.dropIcon(this.icon);
    this.icon = undefined;
  }
}
