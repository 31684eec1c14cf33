// Public surface of the Wayland client.
export { Connection, resolveSocketPath, type ConnectOptions, type Transport } from "./connection.js";
export {
  BufferStateError,
  CompositorDataError,
  CompositorUnreachableError,
  ObjectRetiredError,
  WaylandConnectionError,
  WaylandHandlerError,
  WaylandProtocolError,
} from "./errors.js";
export { BufferRing, type AcquireOptions, type BufferState, type RingBuffer, type RingOptions, type TracingSource } from "./buffer-ring.js";
export { Globals, MissingGlobalError, type BindOptions, type GlobalInfo } from "./globals.js";
export { Proxy, ReceivedFd, type ProxyClass, type ProxyHost } from "./proxy.js";
export { ShmBuffer, ShmSwapchain, chooseShmFormat, listenShmFormats, shmFormatName, type ShmSwapchainOptions } from "./shm.js";
export { WaylandWindow, type WindowOptions, type PresentationStats, type PresentedEvent } from "./window.js";
export { PresentationFeedback } from "./presentation-feedback.js";
export { SurfaceScale, type BufferGeometry, type OutputTransform, type ScaleSource } from "./scale.js";
export { WindowDecorations, TITLE_BAR_HEIGHT, type DecorationsChoice, type DecoratedWindow, type DecorationInput } from "./decorations.js";
export type { ToplevelState, WmCapability } from "./toplevel-state.js";
export { type DmabufFormats, type DmabufTranche } from "./dmabuf.js";
export { WaylandInput, type InputSerial, type SeatExtension, type SurfaceInputHandler } from "./seat.js";
export { DesktopWindow } from "./desktop-window.js";
export { Clipboard, ClipboardError, DEFAULT_PASTE_LIMIT, TEXT_TYPES, parseUriList, type ClipboardContent, type ClipboardData, type ReadOptions } from "./clipboard.js";
export { PointerControl, type PointerConstraint } from "./pointer-lock.js";
export { TextInput, type TextPurpose, type TextRect } from "./text-input.js";
export { readIconPng, type ContentType, type IconPixels } from "./window-hints.js";
export { CursorImages, drawArrow, type CursorShape } from "./cursor.js";
export { SeatPointer, SeatTouch, type InputSink } from "./seat-pointer.js";
export { WireError, type ArgSpec, type ArgType, type InterfaceSpec, type MessageSpec, type UntypedNewId, type WireValue } from "./wire.js";
export type { SharedMemory, SharedMemoryOptions } from "../sys/memfd.js";
export * from "./protocol/index.js";
export { DrmLeaseClient, WaylandLease, LeaseRefusedError, type LeaseOffer } from "./drm-lease.js";
