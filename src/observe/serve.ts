// serveStatus for the package root: the HTTP/WebSocket server (and `ws`) load on first call, so
// importing scanout costs nothing for an app that never serves a status page.
import type { StatusOptions, StatusServer } from "./status-server.js";
import type { StatusSource } from "./status-feed.js";

/** Serves a status page for `presenter` until `close()`. Rejects if the address cannot be used (see StatusOptions). */
export async function serveStatus(presenter: StatusSource, options: StatusOptions = {}): Promise<StatusServer> {
  const { serveStatus: serve } = await import("./status-server.js");
  return serve(presenter, options);
}
