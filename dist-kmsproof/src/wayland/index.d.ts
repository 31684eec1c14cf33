export { Connection, WaylandConnectionError, WaylandProtocolError, resolveSocketPath, type ConnectOptions } from "./connection.js";
export { Globals, type GlobalInfo } from "./globals.js";
export { Proxy, ReceivedFd, type ProxyClass } from "./proxy.js";
export { ShmBuffer, ShmSwapchain, chooseShmFormat, listenShmFormats } from "./shm.js";
export { WaylandWindow, type WindowOptions, type PresentationStats } from "./window.js";
export { WireError } from "./wire.js";
export * from "./protocol/index.js";
