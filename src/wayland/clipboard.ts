// Copy and paste for a window: the clipboard (wl_data_device_manager) and the primary selection
// (zwp_primary_selection_device_manager_v1, where offered), any MIME type, through non-blocking
// pipes with a size limit (pipe-io.ts). Also turns drags onto the window into drag and drop events.
// One data device per seat (data-device.ts); reads and writes go through the seat of the latest
// input (the one whose serial set_selection carries).
import type { DropEvent, SelectionKind } from "../input/events.js";
import { close as closeFd } from "../sys/libc.js";
import { logger } from "../util/log.js";
import { SeatDataDevices, DROP_TYPES, type Offer } from "./data-device.js";
import { readPipe, readPipeText, transferPipe, writePipe } from "./pipe-io.js";
import { ZwpPrimarySelectionDeviceManagerV1, type ZwpPrimarySelectionSourceV1 } from "./protocol/primary-selection-unstable-v1.js";
import { WlDataDeviceManager, WlDataDeviceManagerDndAction, type WlDataSource, type WlSeat } from "./protocol/wayland.js";
import type { SeatExtension, WaylandInput } from "./seat.js";

const log = logger("wayland");

/** MIME types of text, best first: what readText() asks for and writeText() offers. */
export const TEXT_TYPES = ["text/plain;charset=utf-8", "text/plain", "UTF8_STRING", "STRING", "TEXT"];

/** Default largest paste kept (bytes): more is cut, with a warning. */
export const DEFAULT_PASTE_LIMIT = 64 << 20;

/** Options of Clipboard.read / readText. */
export interface ReadOptions {
  /** Keep at most this many bytes (default DEFAULT_PASTE_LIMIT); a larger paste is cut and says so. */
  limit?: number;
  /** Give up when the other client has not finished sending within this many ms (default 10 s). */
  timeoutMs?: number;
}

/** A paste: the bytes, their MIME type, and whether the limit cut them. */
export interface ClipboardData {
  readonly type: string;
  readonly data: Uint8Array;
  readonly truncated: boolean;
}

/** What we offer: bytes (or text, sent as UTF-8) per MIME type. */
export type ClipboardContent = Readonly<Record<string, Uint8Array | string>>;

/** Thrown when the window cannot set a selection: no seat, or no input serial yet. */
export class ClipboardError extends Error {
  override name = "ClipboardError";
}

/**
 * One selection of a window (the clipboard, or the primary selection): what it offers, reading it
 * in any offered type, and setting it to content of ours. Made by WindowSelections.
 */
export class Clipboard {
  /** Our content while we hold the selection (read locally, sent to other clients). */
  private owned: { source: WlDataSource | ZwpPrimarySelectionSourceV1; content: Map<string, Uint8Array> } | undefined;

  /** @internal */
  constructor(
    readonly kind: SelectionKind,
    private readonly selections: WindowSelections,
  ) {}

  /** The MIME types the selection offers now (ours while we hold it; empty when it is empty or unknown). */
  get types(): readonly string[] {
    if (this.owned) return [...this.owned.content.keys()];
    return this.selections.offer(this.kind)?.types ?? [];
  }

  /**
   * Reads the selection as `mime`. A type nobody offers gives empty data; a paste larger than
   * options.limit is cut there (truncated: true, and a warning says so).
   */
  async read(mime: string, options: ReadOptions = {}): Promise<ClipboardData> {
    const limit = checkLimit(options);
    const mine = this.owned?.content.get(mime);
    if (this.owned) {
      const data = mine ?? new Uint8Array(0);
      return { type: mime, data: data.subarray(0, limit), truncated: data.length > limit };
    }
    const offer = this.selections.offer(this.kind);
    if (!offer || !offer.types.includes(mime)) return { type: mime, data: new Uint8Array(0), truncated: false };
    const got = await receive(offer, mime, (fd) => readPipe(fd, limit, options.timeoutMs ?? 10_000));
    if (got.truncated) warnCut(this.kind, mime, limit);
    return { type: mime, ...got };
  }

  /**
   * The selection as text (the best text type offered, UTF-8); "" when it holds no text. The text
   * is decoded piece by piece while it arrives, so a large paste does not hold up frames; a paste
   * larger than options.limit bytes is cut at the last whole character before it (and a warning says so).
   */
  async readText(options: ReadOptions = {}): Promise<string> {
    const limit = checkLimit(options);
    const types = this.types;
    const mime = TEXT_TYPES.find((t) => types.includes(t)) ?? types.find((t) => t.startsWith("text/plain"));
    if (!mime) return "";
    const mine = this.owned?.content.get(mime);
    if (this.owned) return new TextDecoder().decode((mine ?? new Uint8Array(0)).subarray(0, limit));
    const offer = this.selections.offer(this.kind);
    if (!offer || !offer.types.includes(mime)) return "";
    const got = await receive(offer, mime, (fd) => readPipeText(fd, limit, options.timeoutMs ?? 10_000));
    if (got.truncated) warnCut(this.kind, mime, limit);
    return got.text;
  }

  /**
   * Sets the selection to `content` (bytes or text per MIME type), for the seat of the latest
   * input. Compositors take it only from the focused window, and wlroots only with the serial of
   * input it sent us (keyboard focus, a key, a click) newer than the current selection's: call it
   * in answer to input (Ctrl+C), or it may be ignored.
   * ClipboardError when the compositor has no clipboard or seat.
   */
  write(content: ClipboardContent): void {
    const entries = new Map<string, Uint8Array>();
    for (const [mime, v] of Object.entries(content)) entries.set(mime, typeof v === "string" ? Buffer.from(v, "utf8") : v);
    if (entries.size === 0) throw new RangeError("Clipboard.write: no MIME types given (use clear() to empty it)");
    const source = this.selections.setSelection(this.kind, [...entries.keys()], (mime, fd) => {
      const data = this.owned?.source === source ? this.owned.content.get(mime) : undefined;
      void writePipe(fd, data ?? new Uint8Array(0), 30_000);
    }, () => {
      if (this.owned?.source === source) this.owned = undefined;
      source.destroy();
    });
    this.dropOwned();
    this.owned = { source, content: entries };
  }

  /** Sets the selection to `text`, offered in every text type (TEXT_TYPES). */
  writeText(text: string): void {
    const bytes = Buffer.from(text, "utf8");
    this.write(Object.fromEntries(TEXT_TYPES.map((t) => [t, bytes])));
  }

  /** Empties the selection (if the compositor lets us: see write()). */
  clear(): void {
    this.selections.setSelection(this.kind, undefined, () => {}, () => {});
    this.dropOwned();
  }

  /** Whether we hold the selection now. */
  get owner(): boolean {
    return this.owned !== undefined;
  }

  /** @internal another client took the selection: forget ours */
  dropOwned(): void {
    const o = this.owned;
    this.owned = undefined;
    try {
      if (o && !o.source.destroyed) o.source.destroy();
    } catch {
      // connection gone
    }
  }
}

/** The read limit of `options`, checked. */
function checkLimit(options: ReadOptions): number {
  const limit = options.limit ?? DEFAULT_PASTE_LIMIT;
  if (!(limit >= 0)) throw new RangeError(`Clipboard.read: limit must be >= 0, got ${limit}`);
  return limit;
}

function warnCut(kind: SelectionKind, mime: string, limit: number): void {
  log.warn(`${kind}: the ${mime} paste is larger than the limit of ${limit} bytes; cut there`);
}

/** Asks `offer` for `mime` through a fresh pipe and reads its read end with `read`. */
async function receive<T>(offer: Offer, mime: string, read: (fd: number) => Promise<T>): Promise<T> {
  const { readFd, writeFd } = transferPipe();
  try {
    offer.receive(mime, writeFd); // the request keeps a duplicate until it is sent
  } catch (e) {
    closeFd(readFd);
    throw e;
  } finally {
    closeFd(writeFd); // ours must go, or the read never sees the end
  }
  return read(readFd);
}

/** Parses a text/uri-list: URIs without comments, and the local paths of file:// ones. */
export function parseUriList(text: string): { uris: string[]; paths: string[] } {
  const uris = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  const paths: string[] = [];
  for (const u of uris) {
    if (!u.startsWith("file://")) continue;
    try {
      paths.push(decodeURIComponent(new URL(u).pathname));
    } catch {
      // a malformed URI: kept in uris, no path
    }
  }
  return { uris, paths };
}

/**
 * A window's selections and drag-and-drop: a data device per seat (and primary selection device
 * where offered), the clipboard and primary Clipboards, drag and drop events into the input stream.
 */
export class WindowSelections implements SeatExtension {
  /** Copy and paste (Ctrl+C / Ctrl+V). */
  readonly clipboard: Clipboard;
  /** Select and middle-click paste; undefined when the compositor offers no primary selection. */
  readonly primary: Clipboard | undefined;
  private readonly manager: WlDataDeviceManager | undefined;
  private readonly primaryManager: ZwpPrimarySelectionDeviceManagerV1 | undefined;
  private readonly devices = new Map<WlSeat, SeatDataDevices>();
  private readonly removeExtension: () => void;

  constructor(private readonly input: WaylandInput) {
    const globals = input.target.globals;
    this.manager = globals.tryBind(WlDataDeviceManager, { max: 3, fallback: "no clipboard or drag-and-drop" });
    this.primaryManager = globals.tryBind(ZwpPrimarySelectionDeviceManagerV1, { fallback: "no primary selection" });
    this.clipboard = new Clipboard("clipboard", this);
    this.primary = this.primaryManager ? new Clipboard("primary", this) : undefined;
    this.removeExtension = input.extend(this);
  }

  /** SeatExtension: each seat gets its data devices. */
  seatAdded(seat: WlSeat): void {
    if (!this.manager || this.devices.has(seat)) return;
    const window = this.input.target;
    this.devices.set(
      seat,
      new SeatDataDevices(seat, this.manager, this.primaryManager, {
        selectionChanged: (s, kind, offer) => {
          if (s !== this.seat()) return;
          // (our own source comes back as an offer too; we stop serving it locally only once cancelled)
          this.input.queue.push({ type: "selection-changed", time: performance.now(), selection: kind, types: offer?.types.slice() ?? [] });
        },
        isWindow: (surface) => surface === window.surface,
        drag: (type, x, y, types) => this.input.queue.push({ type, time: performance.now(), ...this.at(x, y), types: types.slice() }),
        drop: (offer, x, y, finish) => void this.readDrop(offer, x, y).finally(finish),
      }),
    );
  }

  /** SeatExtension: a seat going away destroys its data devices and their offers. */
  seatRemoved(seat: WlSeat): void {
    this.devices.get(seat)?.destroy();
    this.devices.delete(seat);
  }

  /** The seat selections go through: the latest input's, else the first bound. */
  private seat(): WlSeat | undefined {
    return this.input.lastSerial?.seat ?? this.devices.keys().next().value;
  }

  /** @internal The current offer of `kind` on the active seat. */
  offer(kind: SelectionKind): Offer | undefined {
    const s = this.seat();
    return s ? this.devices.get(s)?.current[kind] : undefined;
  }

  /**
   * @internal Makes a source offering `types` (undefined: clears) and sets it as the selection of
   * `kind` with the latest input serial; `send` answers requests for data, `cancelled` its end.
   */
  setSelection<S extends WlDataSource | ZwpPrimarySelectionSourceV1>(
    kind: SelectionKind,
    types: readonly string[] | undefined,
    send: (mime: string, fd: number) => void,
    cancelled: () => void,
  ): S {
    // the serial of the latest input: wlroots takes only one it gave us; without input yet, 0 (some compositors check focus instead)
    const last = this.input.lastSerial ?? (this.devices.size ? { seat: this.devices.keys().next().value!, serial: 0 } : undefined);
    const dev = last && this.devices.get(last.seat);
    if (!last || !dev) throw new ClipboardError(`cannot set the ${kind}: ${this.manager ? "the compositor offers no seat" : "the compositor offers no wl_data_device_manager"}`);
    if (!this.input.lastSerial) log.debug(`${kind}: no input serial yet; set with serial 0`);
    let source: WlDataSource | ZwpPrimarySelectionSourceV1 | null = null;
    if (kind === "clipboard") {
      if (types) {
        const s = this.manager!.create_data_source();
        s.listen({ target: () => {}, send: (mime, fd) => send(mime, fd.take()), cancelled, dnd_drop_performed: () => {}, dnd_finished: () => {}, action: () => {} });
        for (const t of types) s.offer(t); // before set_selection: its types are read then
        source = s;
      }
      dev.device.set_selection(source as WlDataSource | null, last.serial);
    } else {
      if (!dev.primary || !this.primaryManager) throw new ClipboardError("the compositor offers no primary selection");
      if (types) {
        const s = this.primaryManager.create_source();
        s.listen({ send: (mime, fd) => send(mime, fd.take()), cancelled });
        for (const t of types) s.offer(t);
        source = s;
      }
      dev.primary.set_selection(source as ZwpPrimarySelectionSourceV1 | null, last.serial);
    }
    return source as S;
  }

  /**
   * Starts dragging `content` (bytes or text per MIME type; "text/uri-list" for files) from the
   * window, for the button press being held now (its serial): the compositor moves the drag, the
   * target reads what it wants on drop. Returns a promise that settles when the drag ends: true when
   * it was dropped and taken, false when cancelled.
   */
  startDrag(content: ClipboardContent): Promise<boolean> {
    const last = this.input.lastSerial;
    const dev = last && this.devices.get(last.seat);
    if (!this.manager || !last || !dev) throw new ClipboardError("cannot start a drag: no data device, or no button press on this window yet");
    const data = new Map(Object.entries(content).map(([m, v]) => [m, typeof v === "string" ? Buffer.from(v, "utf8") : v] as const));
    const source = this.manager.create_data_source();
    return new Promise<boolean>((resolve) => {
      const end = (taken: boolean) => {
        if (!source.destroyed) source.destroy();
        resolve(taken);
      };
      source.listen({
        target: () => {},
        send: (mime, fd) => void writePipe(fd.take(), data.get(mime) ?? new Uint8Array(0), 30_000),
        cancelled: () => end(false),
        dnd_drop_performed: () => {},
        dnd_finished: () => end(true),
        action: () => {},
      });
      for (const t of data.keys()) source.offer(t);
      if (source.version >= 3) source.set_actions(WlDataDeviceManagerDndAction.copy);
      dev.device.start_drag(source, this.input.target.surface, null, last.serial);
    });
  }

  private at(x: number, y: number): { x: number; y: number; bufferX: number; bufferY: number } {
    const s = this.input.sink.scaleOf(this.input.target.surface);
    return { x, y, bufferX: x * s, bufferY: y * s };
  }

  private async readDrop(offer: Offer, x: number, y: number): Promise<void> {
    const mime = DROP_TYPES.find((t) => offer.types.includes(t));
    let text = "";
    try {
      if (mime) text = (await receive(offer, mime, (fd) => readPipeText(fd, DEFAULT_PASTE_LIMIT, 10_000))).text;
    } catch (e) {
      log.warn(`drop: reading ${mime} failed: ${(e as Error).message}`);
    }
    const list = mime === "text/uri-list" ? parseUriList(text) : { uris: [], paths: [] };
    const event: DropEvent = { type: "drop", time: performance.now(), ...this.at(x, y), types: offer.types.slice(), ...list, text: mime === "text/uri-list" ? "" : text };
    this.input.queue.push(event);
  }

  /** Releases the devices, our sources and the managers (the connection may be gone). */
  destroy(): void {
    this.removeExtension();
    this.clipboard.dropOwned();
    this.primary?.dropOwned();
    try {
      this.primaryManager?.destroy(); // (wl_data_device_manager has no destructor)
    } catch {
      // connection gone
    }
  }
}
