// Test bed: a private KWin 5.27 (virtual backend) for tests. Debian's kwin_wayland carries file
// capabilities that exec refuses here, so a copy in a folder of ours runs instead; it must keep the
// name kwin_wayland (its Qt platform plugin checks). It runs in its own dbus session
// (dbus-run-session) and process group, so stop() ends KWin, dbus and their helpers together.
// KWin offers no wl_shm here and no screenshot tool; in the VM (udmabuf) dmabuf v4 works.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function which(cmd: string): string | undefined {
  const r = spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

const kwinBinary = which("kwin_wayland");

/** Why KWin cannot run here, or undefined when it can. */
export const kwinSkipReason: string | undefined = !kwinBinary
  ? "kwin_wayland is not installed (scripts/setup-system.sh installs Debian's kwin-wayland)"
  : !which("dbus-run-session")
    ? "dbus-run-session is not installed (Debian's dbus)"
    : undefined;

/** True when {@link startKwin} can run here. */
export const kwinAvailable = kwinSkipReason === undefined;

/** Options for {@link startKwin}. */
export interface KwinOptions {
  /** Virtual output width in pixels (default 640). */
  width?: number;
  /** Virtual output height in pixels (default 480). */
  height?: number;
  /** Output scale (`--scale`, e.g. 1.5 for fractional-scale tests; default 1). */
  scale?: number;
  /** Start-up limit in ms (default 60 s: ~3 s in the VM, more under load). */
  timeoutMs?: number;
  /** Extra environment (e.g. WAYLAND_DEBUG for KWin itself). */
  env?: NodeJS.ProcessEnv;
}

/** A running KWin. */
export interface Kwin {
  /** Its XDG_RUNTIME_DIR. */
  runtimeDir: string;
  /** Socket name within runtimeDir. */
  socket: string;
  /** Absolute WAYLAND_DISPLAY socket path. */
  path: string;
  process: ChildProcess;
  /** Everything KWin and dbus wrote so far. */
  log(): string;
  /** SIGTERM to KWin (its dbus session then ends; the whole group gets SIGKILL after 5 s), waits, removes the runtime dir. Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts a private KWin on the virtual backend; skip the test first when {@link kwinAvailable} is false. */
export async function startKwin(opts: KwinOptions = {}): Promise<Kwin> {
  if (kwinSkipReason || !kwinBinary) throw new Error(`cannot start KWin: ${kwinSkipReason}`);
  const runtimeDir = mkdtempSync(join(tmpdir(), "scanout-kwin-"));
  chmodSync(runtimeDir, 0o700);
  const bin = join(runtimeDir, "bin");
  mkdirSync(bin);
  const exe = join(bin, "kwin_wayland");
  copyFileSync(kwinBinary, exe); // a copy carries no file capabilities
  chmodSync(exe, 0o755);
  const socket = `scanout-kwin-${process.pid}`;
  const args = [
    "--",
    exe,
    "--virtual",
    "--width",
    String(opts.width ?? 640),
    "--height",
    String(opts.height ?? 480),
    ...(opts.scale && opts.scale !== 1 ? ["--scale", String(opts.scale)] : []),
    "--socket",
    socket,
    "--no-lockscreen",
    "--no-global-shortcuts",
  ];
  let output = "";
  const env = { ...process.env, XDG_RUNTIME_DIR: runtimeDir, WAYLAND_DISPLAY: "", DISPLAY: "", QT_QPA_PLATFORM: "", ...opts.env };
  const child = spawn("dbus-run-session", args, { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((r) => child.once("close", () => r()));
  const killGroup = (sig: NodeJS.Signals): void => {
    try {
      if (child.pid) process.kill(-child.pid, sig);
    } catch {
      // group already gone
    }
  };
  const path = join(runtimeDir, socket);
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  while (!existsSync(path)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      killGroup("SIGKILL");
      await exited;
      rmSync(runtimeDir, { recursive: true, force: true });
      throw new Error(`kwin_wayland did not start (no socket ${path}):\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  // the socket appears at bind(); KWin announces its globals once its platform is up
  await new Promise((r) => setTimeout(r, 300));
  let stopped = false;
  return {
    runtimeDir,
    socket,
    path,
    process: child,
    log: () => output,
    async stop() {
      if (!stopped) {
        stopped = true;
        let t: NodeJS.Timeout | undefined;
        if (child.exitCode === null && child.signalCode === null) {
          // SIGTERM to KWin alone: dbus-run-session then ends its bus and reaps both, leaving no orphans
          const kids = spawnSync("pgrep", ["-P", String(child.pid)], { encoding: "utf8" }).stdout.trim().split("\n").filter(Boolean).map(Number);
          for (const k of kids) {
            try {
              process.kill(k, "SIGTERM");
            } catch {
              // gone already
            }
          }
          if (!kids.length) killGroup("SIGTERM");
          t = setTimeout(() => killGroup("SIGKILL"), 5000);
        }
        await exited;
        // dbus-run-session may exit before KWin's helpers: end whatever is left of the group
        killGroup("SIGKILL");
        clearTimeout(t);
      }
      rmSync(runtimeDir, { recursive: true, force: true });
    },
  };
}
