// Public surface of the Wayland client.
export { Connection, resolveSocketPath, type ConnectOptions, type Transport } from "./connection.js";
export { CompositorUnreachableError, WaylandConnectionError, WaylandHandlerError, WaylandProtocolError } from "./errors.js";
export { BufferRing, type BufferState, type RingBuffer } from "./buffer-ring.js";
export { Globals, type GlobalInfo } from "./globals.js";
export { Proxy, ReceivedFd, type ProxyClass } from "./proxy.js";
export { ShmBuffer, ShmSwapchain, chooseShmFormat, listenShmFormats } from "./shm.js";
export { WaylandWindow, type WindowOptions, type PresentationStats } from "./window.js";
export { WireError } from "./wire.js";
export * from "./protocol/index.js";
