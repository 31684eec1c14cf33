// Debian's chromium, headless, driven over the DevTools protocol: open a page, evaluate expressions
// in it, take a screenshot. Only what the status page browser test needs.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebSocket } from "ws";

/** The chromium binary on PATH, or undefined (Debian package: chromium). */
export function findChromium(): string | undefined {
  for (const name of [process.env.CHROMIUM, "chromium", "chromium-browser"]) {
    if (name && spawnSync("sh", ["-c", `command -v "${name}"`]).status === 0) return name;
  }
  return undefined;
}

export interface BrowserPage {
  /** Evaluates `expression` in the page and returns its value (JSON-serialisable results only). */
  evaluate<T>(expression: string): Promise<T>;
  /** PNG of the viewport. */
  screenshot(): Promise<Buffer>;
  close(): Promise<void>;
}

export async function openInChromium(binary: string, url: string, size: [number, number] = [1280, 900]): Promise<BrowserPage> {
  const profile = mkdtempSync(join(tmpdir(), "scanout-chromium-"));
  // its own process group, so that closing ends its helper processes too (they kept writing into
  // the profile after the main process exited: ENOTEMPTY removing it); no background networking,
  // which writes into the profile and is refused on a closed network anyway
  const browser = spawn(
    binary,
    ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars", "--remote-debugging-port=0",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
      `--user-data-dir=${profile}`, `--window-size=${size[0]},${size[1]}`, url],
    { stdio: ["ignore", "ignore", "pipe"], detached: true },
  );
  const killGroup = (): void => {
    try {
      process.kill(-browser.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  };
  process.once("exit", killGroup);
  const exited = new Promise((resolve) => (browser.exitCode !== null ? resolve(undefined) : browser.once("exit", resolve)));
  const removeProfile = async (): Promise<void> => {
    killGroup();
    await exited;
    process.removeListener("exit", killGroup);
    rmSync(profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
  };
  try {
    const endpoint = await devToolsEndpoint(browser);
    const targets = (await (await fetch(`http://${endpoint}/json/list`)).json()) as { type: string; url: string; webSocketDebuggerUrl: string }[];
    const page = targets.find((t) => t.type === "page" && t.url.startsWith(url));
    if (!page) throw new Error(`chromium did not open ${url} (targets: ${targets.map((t) => t.url).join(", ")})`);
    const ws = new WebSocket(page.webSocketDebuggerUrl, { maxPayload: 64 << 20 });
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    return devToolsPage(ws, async () => {
      // the close handshake first: killing chromium under it resets the socket, an 'error' event
      await new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        const timer = setTimeout(resolve, 2000);
        ws.once("close", () => (clearTimeout(timer), resolve()));
        ws.close();
      });
      await removeProfile();
    });
  } catch (error) {
    await removeProfile();
    throw error;
  }
}

/** host:port of the browser's DevTools server, from the line chromium prints on start. */
function devToolsEndpoint(browser: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`chromium printed no DevTools address within 30 s:\n${text}`)), 30_000);
    browser.stderr!.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const m = /DevTools listening on ws:\/\/([^/]+)\//.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    browser.once("exit", (code) => reject(new Error(`chromium exited (${code}) before it listened:\n${text}`)));
  });
}

function devToolsPage(ws: WebSocket, close: () => Promise<void>): BrowserPage {
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  ws.on("message", (data) => {
    const reply = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
    const waiter = reply.id === undefined ? undefined : pending.get(reply.id);
    if (!waiter) return; // events
    pending.delete(reply.id!);
    if (reply.error) waiter.reject(new Error(`DevTools: ${reply.error.message}`));
    else waiter.resolve(reply.result);
  });
  // A connection that fails or closes fails the calls waiting on it; with no 'error' listener, ws
  // would throw its error (a reset when chromium goes) as an uncaught exception into the test run.
  const failPending = (error: Error): void => {
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  ws.on("error", (error) => failPending(new Error(`DevTools connection: ${error.message}`)));
  ws.on("close", () => failPending(new Error("DevTools connection closed")));
  const call = <T>(method: string, params: object): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    async evaluate<T>(expression: string): Promise<T> {
      const r = await call<{ result: { value: T }; exceptionDetails?: { text: string } }>("Runtime.evaluate", { expression, returnByValue: true });
      if (r.exceptionDetails) throw new Error(`in the page: ${r.exceptionDetails.text} (${expression})`);
      return r.result.value;
    },
    async screenshot(): Promise<Buffer> {
      const r = await call<{ data: string }>("Page.captureScreenshot", { format: "png" });
      return Buffer.from(r.data, "base64");
    },
    close,
  };
}
