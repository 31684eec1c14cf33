// scanout/input: the typed input events a presenter delivers (Presenter.input / pollInput), the
// queue they travel through, and keyboard layouts through libxkbcommon.
export * from "./events.js";
export { InputQueue, type InputSource } from "./queue.js";
export { InputError } from "./errors.js";
export { KeyboardDecoder, DEFAULT_REPEAT, type KeyboardDecoderOptions, type RepeatInfo } from "./keyboard.js";
export {
  XkbKeymap,
  XkbState,
  KeymapError,
  XkbUnavailableError,
  keysymName,
  systemKeymapNames,
  xkbUnavailableReason,
  EVDEV_OFFSET,
  MAX_KEYMAP_BYTES,
  type KeymapNames,
} from "./xkb.js";
// KMS input (helper "kinput"): libinput, its translation into InputEvents, the KMS presenter's seat.
export { Libinput, udevRunning, type LibinputOptions } from "./libinput.js";
export { LibinputUnavailableError } from "./libinput-ffi.js";
export type { LibinputDevice, LibinputSink, TouchAction } from "./libinput-decode.js";
export { KmsInput, type KmsInputOptions, type KmsInputHooks } from "./kms-input.js";
export { KmsSeat, type KmsSeatHost, type KmsSeatOptions } from "./kms-seat.js";
