// Who may reach the status page. It has no login, so by default it listens on loopback only and
// answers only requests addressed to a loopback name (a page on another site that re-points its
// DNS name at 127.0.0.1 gets 403, not our log lines).
import { isIP } from "node:net";

/** Thrown by serveStatus for a non-loopback address without `allowRemote: true`. */
export class RemoteBindRefusedError extends Error {
  /** @param host the address that was refused */
  constructor(readonly host: string) {
    super(
      `status page: refusing to listen on ${host}: it is not a loopback address, so other machines could read the page ` +
        `(it has no login); listen on 127.0.0.1, or pass allowRemote: true to serve it beyond this machine`,
    );
    this.name = "RemoteBindRefusedError";
  }
}

/** 127.0.0.0/8, ::1 (bracketed or not) and localhost. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (bare.toLowerCase() === "localhost") return true;
  if (isIP(bare) === 4) return bare.split(".")[0] === "127";
  // the URL parser writes every spelling of an IPv6 address in one canonical form
  return isIP(bare) === 6 && new URL(`http://[${bare}]/`).hostname === "[::1]";
}

/** The host part of an HTTP Host header ("127.0.0.1:8080" → "127.0.0.1", "[::1]:80" → "[::1]"). */
export function hostOfHeader(header: string): string {
  const bracket = /^(\[[^\]]*\])(:\d+)?$/.exec(header);
  if (bracket) return bracket[1]!;
  return header.replace(/:\d+$/, "");
}

/** The host as it goes into a URL (IPv6 literals in brackets). */
export function hostForUrl(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}
