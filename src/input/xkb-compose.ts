// Dead keys and Compose sequences (´ then e: é; Compose o c: ©) through libxkbcommon's compose
// tables: the user's locale's table (LC_ALL, LC_CTYPE, LANG; "C" uses en_US.UTF-8's, as
// libxkbcommon decides), or XCOMPOSEFILE / ~/.XCompose where set. The same path on KMS and on
// Wayland, where composing is the client's job (text-input-v3 is for input methods).
import { koffi } from "../sys/libc.js";
import { logger } from "../util/log.js";
import { loadXkb } from "./xkb.js";

const log = logger("present"); // (as keyboard.ts: no "input" LogSource yet)

type Ptr = bigint;

const XKB_COMPOSE_FEED_ACCEPTED = 1;
const XKB_COMPOSE_COMPOSING = 1;
const XKB_COMPOSE_COMPOSED = 2;
const XKB_COMPOSE_CANCELLED = 3;

interface ComposeLib {
  tableFromLocale(ctx: Ptr, locale: string, flags: number): Ptr | null;
  stateNew(table: Ptr, flags: number): Ptr | null;
  stateUnref(state: Ptr): void;
  stateFeed(state: Ptr, keysym: number): number;
  stateReset(state: Ptr): void;
  stateStatus(state: Ptr): number;
  stateUtf8(state: Ptr, buf: Uint8Array, size: number): number;
}

let lib: ComposeLib | undefined;
/** The process's one table (undefined: none for this locale), made on first use. */
let table: Ptr | null | undefined;

function loadCompose(): ComposeLib {
  if (lib) return lib;
  loadXkb(); // the library is there (or XkbUnavailableError)
  const x = koffi.load("libxkbcommon.so.0");
  lib = {
    tableFromLocale: x.func("void *xkb_compose_table_new_from_locale(void *ctx, const char *locale, int flags)"),
    stateNew: x.func("void *xkb_compose_state_new(void *table, int flags)"),
    stateUnref: x.func("void xkb_compose_state_unref(void *state)"),
    stateFeed: x.func("int xkb_compose_state_feed(void *state, uint32_t keysym)"),
    stateReset: x.func("void xkb_compose_state_reset(void *state)"),
    stateStatus: x.func("int xkb_compose_state_get_status(void *state)"),
    stateUtf8: x.func("int xkb_compose_state_get_utf8(void *state, _Out_ uint8_t *buffer, size_t size)"),
  } as unknown as ComposeLib;
  return lib;
}

/** The locale whose compose table applies: LC_ALL, LC_CTYPE, LANG, else "C". */
export function composeLocale(env: NodeJS.ProcessEnv = process.env): string {
  return env.LC_ALL || env.LC_CTYPE || env.LANG || "C";
}

/** What a key press gave once composing is taken into account. */
export type ComposeResult =
  /** Not part of a sequence: the key types its own text. */
  | { kind: "none" }
  /** Part of an unfinished sequence (a dead key, Compose, ...): it types nothing yet. */
  | { kind: "composing" }
  /** It finished a sequence: it types `text` instead of its own. */
  | { kind: "composed"; text: string }
  /** It broke a sequence off: it types nothing, and the sequence is forgotten. */
  | { kind: "cancelled" };

const scratch = new Uint8Array(64);
const decoder = new TextDecoder();

/** One keyboard's compose state. */
export class XkbCompose {
  private constructor(private ptr: Ptr | null) {}

  /** A compose state for the user's locale, or undefined when it has no compose table (logged once). */
  static create(locale = composeLocale()): XkbCompose | undefined {
    const c = loadCompose();
    if (table === undefined) {
      table = c.tableFromLocale(loadXkb().context, locale, 0);
      if (!table) log.info(`no compose table for the locale '${locale}': dead keys and Compose sequences type nothing`);
    }
    if (!table) return undefined;
    const ptr = c.stateNew(table, 0);
    return ptr ? new XkbCompose(ptr) : undefined;
  }

  /** Feeds the keysym of a key press. */
  feed(keysym: number): ComposeResult {
    if (!this.ptr || keysym === 0) return { kind: "none" };
    const c = lib!;
    if (c.stateFeed(this.ptr, keysym) !== XKB_COMPOSE_FEED_ACCEPTED) return { kind: "none" }; // modifiers are ignored
    switch (c.stateStatus(this.ptr)) {
      case XKB_COMPOSE_COMPOSING:
        return { kind: "composing" };
      case XKB_COMPOSE_COMPOSED: {
        const n = c.stateUtf8(this.ptr, scratch, scratch.length);
        c.stateReset(this.ptr);
        return { kind: "composed", text: n > 0 ? decoder.decode(scratch.subarray(0, Math.min(n, scratch.length - 1))) : "" };
      }
      case XKB_COMPOSE_CANCELLED:
        c.stateReset(this.ptr);
        return { kind: "cancelled" };
      default:
        return { kind: "none" };
    }
  }

  /** Forgets an unfinished sequence (focus left). */
  reset(): void {
    if (this.ptr) lib!.stateReset(this.ptr);
  }

  destroy(): void {
    if (this.ptr) lib!.stateUnref(this.ptr);
    this.ptr = null;
  }
}
