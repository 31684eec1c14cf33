// The keymap of a wl_keyboard.keymap event, with the fall-backs that keep keys typing.
import { XkbKeymap, loadXkb } from "../input/xkb.js";
import { logger } from "../util/log.js";
import { WlKeyboardKeymapFormat } from "./protocol/wayland.js";

const log = logger("wayland");

/**
 * The keymap the compositor sent (`fd`, `size`). A keymap that cannot be read (bad size, garbage)
 * falls back to the system default, so keys still type; without libxkbcommon, keys come with
 * keycodes only (said once per `warned` holder).
 */
export function keymapFrom(format: number, fd: number, size: number, warned: { xkb: boolean }): XkbKeymap | undefined {
  try {
    loadXkb();
  } catch (e) {
    if (!warned.xkb) log.warn(`keyboard: ${(e as Error).message}; key events carry keycodes only`);
    warned.xkb = true;
    return undefined;
  }
  if (format !== WlKeyboardKeymapFormat.xkb_v1) {
    log.info(`keyboard: the compositor sends no XKB keymap (format ${format}); using the system default layout`);
    return XkbKeymap.systemDefault();
  }
  try {
    return XkbKeymap.fromFd(fd, size);
  } catch (e) {
    log.warn(`keyboard: ${(e as Error).message}; using the system default layout instead`);
    try {
      return XkbKeymap.systemDefault();
    } catch (e2) {
      log.warn(`keyboard: no default keymap either (${(e2 as Error).message}); key events carry keycodes only`);
      return undefined;
    }
  }
}
