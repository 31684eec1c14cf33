// Keyboard layouts through libxkbcommon (loaded with koffi on first use): keymaps from rule names
// (the system default or XKB_DEFAULT_*), from a keymap text, or from the fd a Wayland compositor
// sends; key state, keysyms, their names and UTF-8 text, and the modifier state.
import { fstatSync, readFileSync } from "node:fs";
import { free, koffi, MAP_PRIVATE, type Mapping, mmap, PROT_READ, SysError } from "../sys/libc.js";
import { UnavailableError, UseAfterCloseError } from "../util/errors.js";
import { NO_MODIFIERS, type Modifiers } from "./events.js";

/** libxkbcommon could not be loaded (not installed): install libxkbcommon0 (and xkb-data for layouts). */
export class XkbUnavailableError extends UnavailableError {
  constructor(reason: string, options?: ErrorOptions) {
    super("xkb", reason, options);
    this.name = "XkbUnavailableError";
  }
}

/** A keymap could not be made: names an unknown layout, or its text (or fd) is not a valid keymap. */
export class KeymapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeymapError";
  }
}

/** XKB rule names (RMLVO) a keymap is compiled from; each one left out comes from XKB_DEFAULT_* or the built-in default (evdev, pc105, us). */
export interface KeymapNames {
  rules?: string;
  model?: string;
  layout?: string;
  variant?: string;
  options?: string;
}

/** Wayland keycodes and xkb keycodes are evdev codes plus 8 (the X11 offset). */
export const EVDEV_OFFSET = 8;
/** Largest keymap text accepted from a compositor (real ones are ~60 KiB). */
export const MAX_KEYMAP_BYTES = 16 << 20;

const XKB_KEYMAP_FORMAT_TEXT_V1 = 1;
const XKB_LOG_LEVEL_CRITICAL = 10;
const XKB_KEY_UP = 0;
const XKB_KEY_DOWN = 1;
const XKB_STATE_MODS_EFFECTIVE = 1 << 3;
const XKB_STATE_LAYOUT_EFFECTIVE = 1 << 7;
const XKB_MOD_INVALID = 0xffffffff;

type Ptr = bigint;

/** The libxkbcommon functions we use, loaded once. */
interface XkbLib {
  contextNew(flags: number): Ptr | null;
  contextSetLogLevel(ctx: Ptr, level: number): void;
  keymapFromNames(ctx: Ptr, names: Record<string, string | null>, flags: number): Ptr | null;
  keymapFromBuffer(ctx: Ptr, buffer: ArrayBuffer | Uint8Array, length: number, format: number, flags: number): Ptr | null;
  keymapUnref(keymap: Ptr): void;
  keymapModIndex(keymap: Ptr, name: string): number;
  keymapKeyRepeats(keymap: Ptr, key: number): number;
  keymapLayoutName(keymap: Ptr, index: number): string | null;
  keymapAsString(keymap: Ptr, format: number): Ptr | null;
  stateNew(keymap: Ptr): Ptr | null;
  stateUnref(state: Ptr): void;
  stateUpdateKey(state: Ptr, key: number, direction: number): number;
  stateUpdateMask(state: Ptr, dep: number, lat: number, lock: number, depLayout: number, latLayout: number, lockLayout: number): number;
  stateOneSym(state: Ptr, key: number): number;
  stateUtf8(state: Ptr, key: number, buf: Uint8Array, size: number): number;
  stateSerializeMods(state: Ptr, components: number): number;
  stateSerializeLayout(state: Ptr, components: number): number;
  stateModIndexActive(state: Ptr, index: number, type: number): number;
  keysymName(sym: number, buf: Uint8Array, size: number): number;
  keysymUtf8(sym: number, buf: Uint8Array, size: number): number;
  context: Ptr;
}

let lib: XkbLib | undefined;
let loadError: Error | undefined;

/** Loads libxkbcommon (once) and makes the process's one xkb context; throws XkbUnavailableError when it is missing. */
export function loadXkb(): XkbLib {
  if (lib) return lib;
  if (loadError) throw loadError;
  let x: ReturnType<typeof koffi.load>;
  try {
    x = koffi.load("libxkbcommon.so.0");
  } catch (e) {
    throw (loadError = new XkbUnavailableError(`libxkbcommon.so.0 could not be loaded (install libxkbcommon0): ${(e as Error).message}`, { cause: e }));
  }
  const names = koffi.struct("scanout_xkb_rule_names", {
    rules: "const char *",
    model: "const char *",
    layout: "const char *",
    variant: "const char *",
    options: "const char *",
  });
  const f = {
    contextNew: x.func("void *xkb_context_new(int flags)"),
    contextSetLogLevel: x.func("void xkb_context_set_log_level(void *ctx, int level)"),
    keymapFromNames: x.func("void *xkb_keymap_new_from_names(void *ctx, const scanout_xkb_rule_names *names, int flags)"),
    keymapFromBuffer: x.func("void *xkb_keymap_new_from_buffer(void *ctx, const void *buffer, size_t length, int format, int flags)"),
    keymapUnref: x.func("void xkb_keymap_unref(void *keymap)"),
    keymapModIndex: x.func("uint32_t xkb_keymap_mod_get_index(void *keymap, const char *name)"),
    keymapKeyRepeats: x.func("int xkb_keymap_key_repeats(void *keymap, uint32_t key)"),
    keymapLayoutName: x.func("const char *xkb_keymap_layout_get_name(void *keymap, uint32_t idx)"),
    keymapAsString: x.func("void *xkb_keymap_get_as_string(void *keymap, int format)"),
    stateNew: x.func("void *xkb_state_new(void *keymap)"),
    stateUnref: x.func("void xkb_state_unref(void *state)"),
    stateUpdateKey: x.func("int xkb_state_update_key(void *state, uint32_t key, int direction)"),
    stateUpdateMask: x.func("int xkb_state_update_mask(void *state, uint32_t dep, uint32_t lat, uint32_t lock, uint32_t depLayout, uint32_t latLayout, uint32_t lockLayout)"),
    stateOneSym: x.func("uint32_t xkb_state_key_get_one_sym(void *state, uint32_t key)"),
    stateUtf8: x.func("int xkb_state_key_get_utf8(void *state, uint32_t key, _Out_ uint8_t *buffer, size_t size)"),
    stateSerializeMods: x.func("uint32_t xkb_state_serialize_mods(void *state, int components)"),
    stateSerializeLayout: x.func("uint32_t xkb_state_serialize_layout(void *state, int components)"),
    stateModIndexActive: x.func("int xkb_state_mod_index_is_active(void *state, uint32_t idx, int type)"),
    keysymName: x.func("int xkb_keysym_get_name(uint32_t keysym, _Out_ uint8_t *buffer, size_t size)"),
    keysymUtf8: x.func("int xkb_keysym_to_utf8(uint32_t keysym, _Out_ uint8_t *buffer, size_t size)"),
  } as unknown as Omit<XkbLib, "context">;
  const context = f.contextNew(0);
  if (!context) throw (loadError = new XkbUnavailableError("xkb_context_new failed (is xkb-data installed?)"));
  // Our own errors name the keymap; libxkbcommon's messages on stderr would only repeat them.
  f.contextSetLogLevel(context, XKB_LOG_LEVEL_CRITICAL);
  lib = { ...f, context };
  return lib;
}

/** The reason libxkbcommon cannot be used here, or undefined when it can (for tests that skip). */
export function xkbUnavailableReason(): string | undefined {
  try {
    loadXkb();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * The system's keyboard layout names: XKB_DEFAULT_* where set, else Debian's /etc/default/keyboard
 * (XKBLAYOUT, XKBMODEL, XKBVARIANT, XKBOPTIONS), else libxkbcommon's defaults.
 */
export function systemKeymapNames(file = "/etc/default/keyboard"): KeymapNames {
  const env = process.env;
  if (env.XKB_DEFAULT_LAYOUT || env.XKB_DEFAULT_RULES || env.XKB_DEFAULT_MODEL) return {}; // libxkbcommon reads them itself
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return {};
  }
  const get = (key: string): string | undefined => {
    const m = new RegExp(`^\\s*${key}\\s*=\\s*"?([^"\\n]*)"?`, "m").exec(text);
    return m?.[1] ? m[1] : undefined;
  };
  return { model: get("XKBMODEL"), layout: get("XKBLAYOUT"), variant: get("XKBVARIANT"), options: get("XKBOPTIONS") };
}

/** A compiled keymap (xkb_keymap). Keys are evdev codes throughout. destroy() releases it. */
export class XkbKeymap {
  private ptr: Ptr | null;
  /** Modifier indices in this keymap (XKB_MOD_INVALID when it lacks one). */
  readonly modIndex: Readonly<Record<keyof Modifiers, number>>;

  private constructor(
    ptr: Ptr,
    /** Where it came from, for messages: "names us", "compositor keymap (fd 12, 61234 bytes)". */
    readonly source: string,
  ) {
    this.ptr = ptr;
    const x = loadXkb();
    const idx = (name: string): number => x.keymapModIndex(ptr, name);
    this.modIndex = { shift: idx("Shift"), ctrl: idx("Control"), alt: idx("Mod1"), logo: idx("Mod4"), altGr: idx("Mod5"), capsLock: idx("Lock"), numLock: idx("Mod2") };
  }

  /** Compiles the keymap named by RMLVO names (left-out ones: XKB_DEFAULT_* or the defaults). Throws KeymapError for unknown names. */
  static fromNames(names: KeymapNames = {}): XkbKeymap {
    const x = loadXkb();
    const n = { rules: names.rules ?? null, model: names.model ?? null, layout: names.layout ?? null, variant: names.variant ?? null, options: names.options ?? null };
    const what = Object.entries(names).filter(([, v]) => v).map(([k, v]) => `${k} ${v}`).join(", ") || "the default names";
    const ptr = x.keymapFromNames(x.context, n, 0);
    if (!ptr) throw new KeymapError(`xkb: no keymap for ${what} (unknown layout, variant or option? is xkb-data installed?)`);
    return new XkbKeymap(ptr, `names: ${what}`);
  }

  /** The system default keymap (see systemKeymapNames), as the KMS path uses. */
  static systemDefault(): XkbKeymap {
    return XkbKeymap.fromNames(systemKeymapNames());
  }

  /** Compiles a keymap from its text (XKB_KEYMAP_FORMAT_TEXT_V1; what `xkbcomp -xkb` writes). Throws KeymapError when it is not valid. */
  static fromString(text: string, what = "keymap text"): XkbKeymap {
    return XkbKeymap.fromBytes(Buffer.from(text, "utf8"), what);
  }

  /** Compiles a keymap from bytes (a trailing NUL and anything after it are ignored). */
  static fromBytes(bytes: Uint8Array, what = "keymap"): XkbKeymap {
    const x = loadXkb();
    let length = bytes.indexOf(0);
    if (length < 0) length = bytes.length;
    if (length === 0) throw new KeymapError(`${what}: empty keymap`);
    const ptr = x.keymapFromBuffer(x.context, bytes, length, XKB_KEYMAP_FORMAT_TEXT_V1, 0);
    if (!ptr) throw new KeymapError(`${what}: not a valid XKB keymap (${length} bytes)`);
    return new XkbKeymap(ptr, what);
  }

  /**
   * Compiles the keymap a Wayland compositor sent (wl_keyboard.keymap): maps `size` bytes of fd
   * privately and read-only after checking the file really has them (a short file would fault on
   * read), then compiles it. The fd is not closed. Throws KeymapError for a bad size or text.
   */
  static fromFd(fd: number, size: number): XkbKeymap {
    const what = `compositor keymap (fd ${fd}, ${size} bytes)`;
    if (!Number.isInteger(size) || size <= 0) throw new KeymapError(`${what}: size must be positive`);
    if (size > MAX_KEYMAP_BYTES) throw new KeymapError(`${what}: larger than ${MAX_KEYMAP_BYTES} bytes`);
    let fileSize: number;
    try {
      fileSize = fstatSync(fd).size;
    } catch (e) {
      throw new KeymapError(`${what}: fstat failed: ${(e as Error).message}`);
    }
    if (fileSize < size) throw new KeymapError(`${what}: the file has only ${fileSize} bytes`);
    let mapping: Mapping;
    try {
      mapping = mmap(fd, size, PROT_READ, 0, MAP_PRIVATE);
    } catch (e) {
      if (e instanceof SysError) throw new KeymapError(`${what}: mmap: ${e.code}`);
      throw e;
    }
    try {
      return XkbKeymap.fromBytes(new Uint8Array(mapping.buffer), what);
    } finally {
      mapping.unmap();
    }
  }

  /** The native xkb_keymap pointer (for XkbState). Throws after destroy(). */
  get handle(): Ptr {
    if (!this.ptr) throw new UseAfterCloseError(`xkb keymap (${this.source})`, `xkb keymap (${this.source}) has been destroyed`);
    return this.ptr;
  }

  /** The name of layout `index` ("German", "English (US)"), if the keymap names it. */
  layoutName(index = 0): string | undefined {
    return loadXkb().keymapLayoutName(this.handle, index) ?? undefined;
  }

  /** The keymap as text (what a compositor sends in wl_keyboard.keymap). */
  text(): string {
    const ptr = loadXkb().keymapAsString(this.handle, XKB_KEYMAP_FORMAT_TEXT_V1);
    if (!ptr) throw new KeymapError(`xkb: could not write ${this.source} as text`);
    try {
      return koffi.decode(ptr, "char", -1) as string;
    } finally {
      free(ptr);
    }
  }

  /** Whether holding the key repeats it (modifiers do not). */
  keyRepeats(evdevCode: number): boolean {
    return loadXkb().keymapKeyRepeats(this.handle, evdevCode + EVDEV_OFFSET) === 1;
  }

  /** Releases the keymap (states made from it keep their own reference). Idempotent. */
  destroy(): void {
    if (!this.ptr) return;
    loadXkb().keymapUnref(this.ptr);
    this.ptr = null;
  }
}

const names = new Map<number, string>();
const texts = new Map<number, string>();
const scratch = new Uint8Array(64);
const decoder = new TextDecoder();

/** The keysym's name ("a", "Escape", "adiaeresis"), cached: no allocation after the first time. */
export function keysymName(keysym: number): string {
  let name = names.get(keysym);
  if (name === undefined) {
    const n = loadXkb().keysymName(keysym, scratch, scratch.length);
    name = n > 0 ? decoder.decode(scratch.subarray(0, Math.min(n, scratch.length - 1))) : "";
    names.set(keysym, name);
  }
  return name;
}

/** The text a keysym types without Control ("" for none), cached. */
function keysymText(keysym: number): string {
  let text = texts.get(keysym);
  if (text === undefined) {
    const n = loadXkb().keysymUtf8(keysym, scratch, scratch.length);
    text = n > 1 ? decoder.decode(scratch.subarray(0, n - 1)) : ""; // n counts the NUL
    texts.set(keysym, text);
  }
  return text;
}

/** Keyboard state for one keymap (xkb_state): which keys and modifiers are down, what a key gives now. */
export class XkbState {
  private ptr: Ptr | null;
  private modsMask = -1;
  private layout = -1;
  private mods: Modifiers = NO_MODIFIERS;

  constructor(readonly keymap: XkbKeymap) {
    const ptr = loadXkb().stateNew(keymap.handle);
    if (!ptr) throw new KeymapError(`xkb_state_new failed for ${keymap.source}`);
    this.ptr = ptr;
    this.refreshModifiers();
  }

  private get handle(): Ptr {
    if (!this.ptr) throw new UseAfterCloseError("xkb state", "xkb state has been destroyed");
    return this.ptr;
  }

  /** Presses or releases a key (KMS: every key event). Returns true when the modifiers changed. */
  updateKey(evdevCode: number, down: boolean): boolean {
    loadXkb().stateUpdateKey(this.handle, evdevCode + EVDEV_OFFSET, down ? XKB_KEY_DOWN : XKB_KEY_UP);
    return this.refreshModifiers();
  }

  /** Sets the modifier and layout state the compositor sent (wl_keyboard.modifiers). Returns true when the modifiers changed. */
  updateMask(depressed: number, latched: number, locked: number, group: number): boolean {
    loadXkb().stateUpdateMask(this.handle, depressed, latched, locked, 0, 0, group);
    return this.refreshModifiers();
  }

  /** The keysym the key gives now (0 when none or several). */
  keysym(evdevCode: number): number {
    return loadXkb().stateOneSym(this.handle, evdevCode + EVDEV_OFFSET);
  }

  /** The UTF-8 text the key types now ("" for none); with Control held, the control character xkb gives (Ctrl+C: "\u0003"). */
  text(evdevCode: number, keysym = this.keysym(evdevCode)): string {
    if (!this.mods.ctrl) return keysymText(keysym);
    const n = loadXkb().stateUtf8(this.handle, evdevCode + EVDEV_OFFSET, scratch, scratch.length);
    return n > 0 ? decoder.decode(scratch.subarray(0, Math.min(n, scratch.length - 1))) : "";
  }

  /**
   * The state as wl_keyboard.modifiers sends it: depressed, latched and locked modifier masks and
   * the effective layout (what a compositor, or a virtual keyboard, sends after each key).
   */
  serialize(): [depressed: number, latched: number, locked: number, group: number] {
    const x = loadXkb();
    const h = this.handle;
    return [x.stateSerializeMods(h, 1), x.stateSerializeMods(h, 2), x.stateSerializeMods(h, 4), x.stateSerializeLayout(h, XKB_STATE_LAYOUT_EFFECTIVE)];
  }

  /** The effective modifiers (the same object until they change). */
  get modifiers(): Modifiers {
    return this.mods;
  }

  /** Releases the state. Idempotent. */
  destroy(): void {
    if (!this.ptr) return;
    loadXkb().stateUnref(this.ptr);
    this.ptr = null;
  }

  /** Rebuilds `modifiers` when the effective mask or layout changed; true if it did. */
  private refreshModifiers(): boolean {
    const x = loadXkb();
    const mask = x.stateSerializeMods(this.handle, XKB_STATE_MODS_EFFECTIVE);
    const layout = x.stateSerializeLayout(this.handle, XKB_STATE_LAYOUT_EFFECTIVE);
    if (mask === this.modsMask && layout === this.layout) return false;
    const first = this.modsMask === -1;
    this.modsMask = mask;
    this.layout = layout;
    const idx = this.keymap.modIndex;
    const on = (i: number): boolean => i !== XKB_MOD_INVALID && x.stateModIndexActive(this.handle, i, XKB_STATE_MODS_EFFECTIVE) === 1;
    const next: Modifiers = Object.freeze({
      shift: on(idx.shift),
      ctrl: on(idx.ctrl),
      alt: on(idx.alt),
      logo: on(idx.logo),
      altGr: on(idx.altGr),
      capsLock: on(idx.capsLock),
      numLock: on(idx.numLock),
    });
    const same = (Object.keys(next) as (keyof Modifiers)[]).every((k) => next[k] === this.mods[k]);
    if (!same) this.mods = next;
    return !first && !same;
  }
}
