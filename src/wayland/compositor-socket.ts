// Finding and connecting to the compositor's socket, with errors that name the path and say why.
import { isAbsolute, join } from "node:path";
import { SysError } from "../sys/libc.js";
import { UnixSocket } from "../sys/socket.js";
import { CompositorUnreachableError } from "./errors.js";

/** Resolves the socket path: explicit argument, else $WAYLAND_DISPLAY (name or absolute path). */
export function resolveSocketPath(socket?: string, env: NodeJS.ProcessEnv = process.env): string {
  const name = socket ?? env.WAYLAND_DISPLAY;
  if (!name)
    throw new CompositorUnreachableError("WAYLAND_DISPLAY is not set and no socket was given: no Wayland compositor to connect to", undefined);
  if (isAbsolute(name)) return name;
  const dir = env.XDG_RUNTIME_DIR;
  if (!dir) throw new CompositorUnreachableError(`XDG_RUNTIME_DIR is not set, so the Wayland socket "${name}" cannot be found`, undefined);
  return join(dir, name);
}

const reasons: Record<string, string> = {
  ENOENT: "no such socket (is the compositor running?)",
  ECONNREFUSED: "connection refused (stale socket? the compositor is not listening)",
  EACCES: "permission denied",
  ENAMETOOLONG: "the path is too long for a Unix socket",
};

/**
 * Connects to the socket at `path`. A failed connect() becomes CompositorUnreachableError; other
 * failures (no descriptors left, ...) are not about the compositor and stay as they are.
 */
export function connectCompositorSocket(path: string): UnixSocket {
  try {
    return UnixSocket.connect(path);
  } catch (e) {
    if (e instanceof SysError && e.call === "connect")
      throw new CompositorUnreachableError(`cannot connect to the Wayland compositor at ${path}: ${reasons[e.code] ?? e.code}`, path, { cause: e });
    throw e;
  }
}
