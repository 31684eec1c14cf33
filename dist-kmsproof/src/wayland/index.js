// Public surface of the Wayland client.
export { Connection, WaylandConnectionError, WaylandProtocolError, resolveSocketPath } from "./connection.js";
export { Globals } from "./globals.js";
export { Proxy, ReceivedFd } from "./proxy.js";
export { ShmBuffer, ShmSwapchain, chooseShmFormat, listenShmFormats } from "./shm.js";
export { WaylandWindow } from "./window.js";
export { WireError } from "./wire.js";
export * from "./protocol/index.js";
//# sourceMappingURL=index.js.map