// Public surface of the Wayland client.
export { Connection, resolveSocketPath, type ConnectOptions, type Transport } from "./connection.js";
export { CompositorUnreachableError, WaylandConnectionError, WaylandHandlerError, WaylandProtocolError } from "./errors.js";
export { BufferRing, type AcquireOptions, type BufferState, type RingBuffer } from "./buffer-ring.js";
export { Globals, type GlobalInfo } from "./globals.js";
export { Proxy, ReceivedFd, type ProxyClass, type ProxyHost } from "./proxy.js";
export { ShmBuffer, ShmSwapchain, chooseShmFormat, listenShmFormats } from "./shm.js";
export { WaylandWindow, type WindowOptions, type PresentationStats } from "./window.js";
export { WireError, type ArgSpec, type ArgType, type InterfaceSpec, type MessageSpec, type UntypedNewId, type WireValue } from "./wire.js";
export type { SharedMemory } from "../sys/memfd.js";
export * from "./protocol/index.js";
