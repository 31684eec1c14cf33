// Test bed: a private headless Weston for tests and benchmarks (fresh 0700 XDG_RUNTIME_DIR, stale
// sockets removed, SIGTERM on stop), with screenshots through weston-screenshooter (needs --debug).
import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";

export const westonAvailable =
  spawnSync("weston", ["--version"], { encoding: "utf8" }).status === 0 &&
  spawnSync("sh", ["-c", "command -v weston-screenshooter"]).status === 0;

export interface Weston {
  runtimeDir: string;
  socket: string;
  /** Absolute socket path. */
  path: string;
  process: ChildProcess;
  log(): string;
  stop(): Promise<void>;
  screenshot(): Promise<PNG>;
}

export interface WestonOptions {
  width?: number;
  height?: number;
  renderer?: "pixman" | "gl";
  shell?: string;
}

export async function startWeston(opts: WestonOptions = {}): Promise<Weston> {
  const runtimeDir = mkdtempSync(join(tmpdir(), "scanout-wl-"));
  chmodSync(runtimeDir, 0o700);
  const socket = `scanout-test-${process.pid}`;
  for (const f of readdirSync(runtimeDir)) if (f.startsWith(socket)) rmSync(join(runtimeDir, f), { force: true });
  let output = "";
  const child = spawn(
    "weston",
    [
      "--backend=headless",
      `--renderer=${opts.renderer ?? "pixman"}`,
      `--shell=${opts.shell ?? "kiosk"}`,
      "--no-config",
      "--debug",
      `--width=${opts.width ?? 640}`,
      `--height=${opts.height ?? 480}`,
      `--socket=${socket}`,
    ],
    { env: { ...process.env, XDG_RUNTIME_DIR: runtimeDir, WAYLAND_DISPLAY: "" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const path = join(runtimeDir, socket);
  // "close": exited and its stdio pipes are closed, so descriptor counts are settled
  const exited = new Promise<void>((r) => child.once("close", () => r()));
  const deadline = Date.now() + 15_000;
  while (!existsSync(path)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGTERM");
      rmSync(runtimeDir, { recursive: true, force: true });
      throw new Error(`weston did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  // The socket file appears at bind(); give weston a moment to listen and finish start-up.
  await new Promise((r) => setTimeout(r, 100));
  const w: Weston = {
    runtimeDir,
    socket,
    path,
    process: child,
    log: () => output,
    async stop() {
      let t: NodeJS.Timeout | undefined;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        t = setTimeout(() => child.kill("SIGKILL"), 5000);
      }
      await exited;
      clearTimeout(t);
      rmSync(runtimeDir, { recursive: true, force: true });
    },
    async screenshot() {
      const dir = mkdtempSync(join(runtimeDir, "shot-"));
      await new Promise<void>((resolve, reject) =>
        execFile(
          "weston-screenshooter",
          [],
          { cwd: dir, env: { ...process.env, XDG_RUNTIME_DIR: runtimeDir, WAYLAND_DISPLAY: socket }, timeout: 15_000 },
          (err, _stdout, stderr) => (err ? reject(new Error(`weston-screenshooter failed: ${err.message}\n${stderr}`)) : resolve()),
        ),
      );
      const png = readdirSync(dir).find((f) => f.endsWith(".png"));
      if (!png) throw new Error(`weston-screenshooter wrote no PNG in ${dir}`);
      const img = PNG.sync.read(readFileSync(join(dir, png)));
      rmSync(dir, { recursive: true, force: true });
      return img;
    },
  };
  return w;
}
