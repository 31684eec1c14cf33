// Test bed: a private headless Weston for tests and benchmarks (fresh 0700 XDG_RUNTIME_DIR, stale
// sockets removed, SIGTERM on stop), with screenshots through weston-screenshooter (needs --debug).
import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { createConnection } from "node:net";
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
  /** What it was started with (for a restart). */
  options: WestonOptions;
  log(): string;
  stop(): Promise<void>;
  screenshot(): Promise<PNG>;
}

export interface WestonOptions {
  width?: number;
  height?: number;
  renderer?: "pixman" | "gl";
  shell?: string;
  /** Output scale (headless backend): width and height stay logical, the output has scale times as many pixels. */
  scale?: number;
  /**
   * "headless" (default), or "drm": the first KMS device through a private seatd (Debian's `seatd`;
   * as root, no input devices needed). The output's mode then decides the size, not width/height.
   */
  backend?: "headless" | "drm";
}

/** seatd (socket at its built-in /run/seatd.sock) for a DRM-backend Weston, unless one runs already. */
async function startSeatd(): Promise<{ stop(): void }> {
  const socket = "/run/seatd.sock";
  if (existsSync(socket)) return { stop: () => {} };
  const child = spawn("seatd", ["-g", "root"], { stdio: "ignore" });
  const deadline = Date.now() + 10_000;
  while (!existsSync(socket)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGTERM");
      throw new Error("seatd did not start (is Debian's seatd installed, and are we root?)");
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { stop: () => child.kill("SIGTERM") };
}

/**
 * `w` if it still runs, else a fresh Weston with the same options (its log is printed when it died);
 * a file that shares one Weston across tests calls this before each, so one crash fails one test,
 * not every later one.
 */
export async function westonAlive(w: Weston, answerWithinMs = 15_000): Promise<Weston> {
  const running = w.process.exitCode === null && w.process.signalCode === null;
  if (running && (await answersSync(w.path, answerWithinMs))) return w;
  // A crashed Weston may still be dumping core or unreaped (its exit event not yet seen): the
  // process looks alive while its socket refuses. Kill what is left, then start afresh.
  if (running) console.warn(`[weston] does not answer wl_display.sync; restarting it`);
  await w.stop();
  return startWeston(w.options);
}

/**
 * A new Weston with `w`'s options, `w` stopped: for tests that each map a window. Headless Weston has
 * no seat, and Weston 14's kiosk shell then keeps its output's active window tree pointing at a window
 * after a client destroys it (it resets that pointer only where a seat's focus was on the window):
 * the next client's first commit walks freed memory, and Weston dies with SIGSEGV whenever the
 * allocator has reused it. Core dumps from the VM show exactly that (kiosk-shell.so moving the freed
 * tree's views to another layer, from a client's request); the GL renderer's allocations made it
 * likely there, pixman's have not so far.
 */
export async function westonFresh(w: Weston): Promise<Weston> {
  await w.stop();
  return startWeston(w.options);
}

/**
 * One wl_display.sync round trip on a raw connection: true when wl_callback.done comes back within
 * `ms`. Written on the wire by hand so the test bed does not depend on the library it tests.
 */
function answersSync(path: string, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection(path);
    let got = Buffer.alloc(0);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), ms);
    sock.once("error", () => done(false));
    sock.once("close", () => done(false));
    sock.on("connect", () => {
      const sync = Buffer.alloc(12);
      sync.writeUInt32LE(1, 0); // wl_display
      sync.writeUInt32LE((12 << 16) | 0, 4); // size 12, opcode 0: sync
      sync.writeUInt32LE(2, 8); // new wl_callback id
      sock.write(sync);
    });
    sock.on("data", (d: Buffer) => {
      got = Buffer.concat([got, d]);
      // messages: [object id, size << 16 | opcode, ...]; wl_callback#2 event 0 is done
      for (let off = 0; off + 8 <= got.length; ) {
        const size = got.readUInt32LE(off + 4) >>> 16;
        if (got.readUInt32LE(off) === 2 && (got.readUInt32LE(off + 4) & 0xffff) === 0) return done(true);
        if (size < 8) return done(false);
        off += size;
      }
    });
  });
}

export async function startWeston(opts: WestonOptions = {}): Promise<Weston> {
  const runtimeDir = mkdtempSync(join(tmpdir(), "scanout-wl-"));
  chmodSync(runtimeDir, 0o700);
  const socket = `scanout-test-${process.pid}`;
  for (const f of readdirSync(runtimeDir)) if (f.startsWith(socket)) rmSync(join(runtimeDir, f), { force: true });
  let output = "";
  const drm = opts.backend === "drm";
  const seatd = drm ? await startSeatd() : undefined;
  const backendArgs = drm ? ["--backend=drm", "--continue-without-input"] : ["--backend=headless", `--width=${opts.width ?? 640}`, `--height=${opts.height ?? 480}`, ...(opts.scale ? [`--scale=${opts.scale}`] : [])];
  const seatEnv = seatd ? { LIBSEAT_BACKEND: "seatd" } : {};
  const child = spawn(
    "weston",
    [...backendArgs, `--renderer=${opts.renderer ?? "pixman"}`, `--shell=${opts.shell ?? "kiosk"}`, "--no-config", "--debug", `--socket=${socket}`],
    { env: { ...process.env, ...seatEnv, XDG_RUNTIME_DIR: runtimeDir, WAYLAND_DISPLAY: "" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const path = join(runtimeDir, socket);
  // "close": exited and its stdio pipes are closed, so descriptor counts are settled
  const exited = new Promise<void>((r) => child.once("close", () => r()));
  let stopping = false;
  // A compositor that dies under a test is the test's first clue: say how, with the end of its log
  // (SIGKILL is a test killing it on purpose).
  child.once("exit", (code, signal) => {
    if (!stopping && signal !== "SIGKILL") console.warn(`[weston] exited on its own (${signal ?? `code ${code}`}); its log ends:\n${output.split("\n").slice(-25).join("\n")}`);
  });
  if (seatd) void exited.then(() => seatd.stop());
  // GL start-up takes 5-20 s under TCG (llvmpipe compiles its shaders), DRM a little more
  const deadline = Date.now() + (drm || opts.renderer === "gl" ? 90_000 : 15_000);
  while (!existsSync(path)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGTERM");
      seatd?.stop();
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
    options: opts,
    log: () => output,
    async stop() {
      stopping = true;
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
