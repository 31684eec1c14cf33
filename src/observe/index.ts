// scanout's status page: a live view of a presenter in the browser (see serveStatus).
export { serveStatus } from "./serve.js";
export { MAX_CLIENT_MESSAGE_BYTES } from "./limits.js";
export type { StatusServer, StatusOptions, StatusMessage } from "./status-server.js";
export type { StatusSource, PresenterInfo, StatusSample } from "./status-feed.js";
export type { LogLine } from "./log-ring.js";
export { RemoteBindRefusedError, isLoopbackHost } from "./loopback.js";
