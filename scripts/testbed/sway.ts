// Test bed: a private headless Sway 1.7 (wlroots 0.15, pixman renderer) for tests and benchmarks.
// Sway refuses to run as root, so it runs as an unprivileged user (created once with useradd) in a
// fresh 0700 XDG_RUNTIME_DIR that user owns; our root client connects through the socket's absolute
// path. swaymsg runs as that user; screenshots come from grim.
import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { createConnection, type Socket } from "node:net";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";

/** The unprivileged user Sway runs as. */
export const SWAY_USER = "scanout-wl";

function has(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
}

/** Why Sway cannot run here, or undefined when it can (sway, swaymsg and grim installed, we are root). */
export const swaySkipReason: string | undefined = !has("sway")
  ? "sway is not installed (scripts/setup-system.sh installs Debian's sway)"
  : !has("swaymsg")
    ? "swaymsg is not installed (comes with Debian's sway)"
    : !has("grim")
      ? "grim is not installed (scripts/setup-system.sh installs it)"
      : process.getuid?.() !== 0
        ? "starting Sway as an unprivileged user needs root (useradd, setuid)"
        : undefined;

/** True when {@link startSway} can run here. */
export const swayAvailable = swaySkipReason === undefined;

/** Options for {@link startSway}. */
export interface SwayOptions {
  /** Output mode width in pixels (default 640). */
  width?: number;
  /** Output mode height in pixels (default 480). */
  height?: number;
  /** Output scale (default 1; 2 for HiDPI tests; fractional values are allowed by Sway). */
  scale?: number;
  /**
   * Border of our (floating) windows: "none" (default: the screenshot holds only our pixels), "normal"
   * (Sway's title bar, what server-side decorations look like) or "pixel".
   */
  border?: "none" | "normal" | "pixel";
  /** More config lines, appended as they are. */
  extraConfig?: string[];
}

/** A running Sway. */
export interface Sway {
  /** Its XDG_RUNTIME_DIR (owned by {@link SWAY_USER}). */
  runtimeDir: string;
  /** Absolute WAYLAND_DISPLAY socket path: set WAYLAND_DISPLAY to this to connect. */
  path: string;
  /** The IPC socket swaymsg talks to. */
  ipcPath: string;
  /** The config file we wrote. */
  configPath: string;
  process: ChildProcess;
  /** Everything Sway wrote to stdout/stderr so far. */
  log(): string;
  /** Runs `swaymsg CMD` as the Sway user; resolves to its output, rejects when it fails. */
  swaymsg(cmd: string): Promise<string>;
  /**
   * Runs a sway command over one persistent IPC connection (no process per call: for resize storms).
   * Resolves when Sway has run it; rejects when Sway reports it failed.
   */
  command(cmd: string): Promise<void>;
  /** `swaymsg -r -t TYPE` (get_outputs, get_tree, get_seats...) as the Sway user, parsed from JSON. */
  query(type: string): Promise<unknown>;
  /** `swaymsg -t get_tree` parsed: find our window's rect there (see {@link swayWindows}). */
  tree(): Promise<SwayNode>;
  /** Screenshot of the whole output through grim; also written to `path` when given. */
  screenshot(path?: string): Promise<PNG>;
  /** SIGTERM (SIGKILL after 5 s), waits for exit, removes the runtime dir. Safe to call twice. */
  stop(): Promise<void>;
}

/** A node of Sway's layout tree (the fields our tests read). */
export interface SwayNode {
  id: number;
  type: string;
  name: string | null;
  app_id?: string | null;
  pid?: number;
  rect: { x: number; y: number; width: number; height: number };
  window_rect?: { x: number; y: number; width: number; height: number };
  fullscreen_mode?: number;
  nodes: SwayNode[];
  floating_nodes?: SwayNode[];
  [key: string]: unknown;
}

/** Every node with an app_id (client windows), depth first. */
export function swayWindows(root: SwayNode): SwayNode[] {
  const out: SwayNode[] = [];
  const walk = (n: SwayNode): void => {
    if (n.app_id !== undefined && n.pid !== undefined) out.push(n);
    for (const c of n.nodes ?? []) walk(c);
    for (const c of n.floating_nodes ?? []) walk(c);
  };
  walk(root);
  return out;
}

function ensureUser(): { uid: number; gid: number; home: string } {
  let id = spawnSync("id", ["-u", SWAY_USER], { encoding: "utf8" });
  if (id.status !== 0) {
    const add = spawnSync("useradd", ["-m", "-s", "/usr/sbin/nologin", SWAY_USER], { encoding: "utf8" });
    // a parallel test may have created it meanwhile (exit 9: user exists)
    if (add.status !== 0 && add.status !== 9) throw new Error(`useradd ${SWAY_USER} failed: ${add.stderr}`);
    id = spawnSync("id", ["-u", SWAY_USER], { encoding: "utf8" });
  }
  const gid = spawnSync("id", ["-g", SWAY_USER], { encoding: "utf8" });
  const uid = Number(id.stdout.trim());
  if (!Number.isInteger(uid) || gid.status !== 0) throw new Error(`cannot find user ${SWAY_USER}: ${id.stderr}`);
  return { uid, gid: Number(gid.stdout.trim()), home: `/home/${SWAY_USER}` };
}

function config(opts: SwayOptions): string {
  const w = opts.width ?? 640;
  const h = opts.height ?? 480;
  const border = opts.border ?? "none";
  return [
    "xwayland disable",
    `output HEADLESS-1 resolution ${w}x${h} position 0 0 scale ${opts.scale ?? 1}`,
    // floating so `resize set` resizes exactly; centred on the output
    'for_window [app_id=".*"] floating enable',
    `default_border ${border}`,
    `default_floating_border ${border}`,
    "focus_on_window_activation focus",
    // virtual keyboard/pointer and every other protocol are open to all clients by default
    "seat * fallback true",
    ...(opts.extraConfig ?? []),
    "",
  ].join("\n");
}

/** Starts a private headless Sway; skip the test first when {@link swayAvailable} is false. */
export async function startSway(opts: SwayOptions = {}): Promise<Sway> {
  if (swaySkipReason) throw new Error(`cannot start Sway: ${swaySkipReason}`);
  const user = ensureUser();
  const runtimeDir = mkdtempSync(join(tmpdir(), "scanout-sway-"));
  chownSync(runtimeDir, user.uid, user.gid);
  chmodSync(runtimeDir, 0o700);
  const configPath = join(runtimeDir, "config");
  writeFileSync(configPath, config(opts));
  chownSync(configPath, user.uid, user.gid);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: user.home,
    USER: SWAY_USER,
    XDG_RUNTIME_DIR: runtimeDir,
    WLR_BACKENDS: "headless",
    WLR_HEADLESS_OUTPUTS: "1",
    WLR_LIBINPUT_NO_DEVICES: "1",
    WLR_RENDERER: "pixman",
  };
  let output = "";
  const child = spawn("sway", ["-c", configPath], { env, uid: user.uid, gid: user.gid, cwd: runtimeDir, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((r) => child.once("close", () => r()));
  const find = (pred: (f: string) => boolean): string | undefined => readdirSync(runtimeDir).find(pred);
  const deadline = Date.now() + 20_000;
  let socket: string | undefined;
  let ipc: string | undefined;
  while (!(socket && ipc)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGTERM");
      await exited;
      rmSync(runtimeDir, { recursive: true, force: true });
      throw new Error(`sway did not start (no wayland socket and IPC socket in ${runtimeDir}):\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 20));
    socket = find((f) => /^wayland-\d+$/.test(f));
    ipc = find((f) => f.startsWith("sway-ipc.") && f.endsWith(".sock"));
  }
  const path = join(runtimeDir, socket);
  const ipcPath = join(runtimeDir, ipc);
  const swaymsg = (cmd: string, type?: string): Promise<string> =>
    new Promise((resolve, reject) =>
      execFile(
        "swaymsg",
        ["-s", ipcPath, ...(type ? ["-r", "-t", type] : []), ...(cmd ? [cmd] : [])],
        { env, uid: user.uid, gid: user.gid, timeout: 10_000, maxBuffer: 16 << 20 },
        (err, stdout, stderr) => (err ? reject(new Error(`swaymsg ${type ?? ""} ${cmd} failed: ${err.message}\n${stdout}${stderr}`)) : resolve(stdout)),
      ),
    );
  // IPC answers once the config has been applied
  for (;;) {
    try {
      await swaymsg("", "get_version");
      break;
    } catch (e) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill("SIGTERM");
        await exited;
        rmSync(runtimeDir, { recursive: true, force: true });
        throw new Error(`sway IPC did not answer: ${(e as Error).message}\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const ipcClient = new IpcClient(ipcPath);
  let stopped = false;
  return {
    runtimeDir,
    path,
    ipcPath,
    configPath,
    process: child,
    log: () => output,
    swaymsg: (cmd) => swaymsg(cmd),
    command: (cmd) => ipcClient.run(cmd),
    query: async (type) => JSON.parse(await swaymsg("", type)) as unknown,
    tree: async () => JSON.parse(await swaymsg("", "get_tree")) as SwayNode,
    screenshot: (file) =>
      new Promise<PNG>((resolve, reject) =>
        execFile(
          "grim",
          ["-t", "png", "-"],
          { env: { PATH: process.env.PATH, XDG_RUNTIME_DIR: runtimeDir, WAYLAND_DISPLAY: path }, encoding: "buffer", timeout: 15_000, maxBuffer: 64 << 20 },
          (err, stdout, stderr) => {
            if (err) return reject(new Error(`grim failed: ${err.message}\n${stderr.toString()}`));
            if (file) writeFileSync(file, stdout);
            resolve(PNG.sync.read(stdout));
          },
        ),
      ),
    async stop() {
      if (stopped) return exited;
      stopped = true;
      ipcClient.close();
      let t: NodeJS.Timeout | undefined;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        t = setTimeout(() => child.kill("SIGKILL"), 5000);
      }
      await exited;
      clearTimeout(t);
      if (existsSync(runtimeDir)) rmSync(runtimeDir, { recursive: true, force: true });
    },
  };
}

/** Sway's IPC (i3 format: "i3-ipc", u32 length, u32 type, JSON payload) over one connection. */
class IpcClient {
  private socket: Socket | undefined;
  private buffered = Buffer.alloc(0);
  private readonly waiting: ((payload: string) => void)[] = [];

  constructor(private readonly path: string) {}

  private connect(): Socket {
    if (this.socket) return this.socket;
    const s = createConnection(this.path);
    s.on("data", (d: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, d]);
      while (this.buffered.length >= 14) {
        const len = this.buffered.readUInt32LE(6);
        if (this.buffered.length < 14 + len) break;
        const payload = this.buffered.subarray(14, 14 + len).toString();
        this.buffered = this.buffered.subarray(14 + len);
        this.waiting.shift()?.(payload);
      }
    });
    s.on("error", () => {});
    return (this.socket = s);
  }

  run(cmd: string): Promise<void> {
    const body = Buffer.from(cmd);
    const header = Buffer.alloc(14);
    header.write("i3-ipc", 0);
    header.writeUInt32LE(body.length, 6);
    header.writeUInt32LE(0, 10); // RUN_COMMAND
    return new Promise((resolve, reject) => {
      this.waiting.push((payload) => {
        const results = JSON.parse(payload) as { success: boolean; error?: string }[];
        const bad = results.find((r) => !r.success);
        if (bad) reject(new Error(`sway command "${cmd}" failed: ${bad.error ?? payload}`));
        else resolve();
      });
      this.connect().write(Buffer.concat([header, body]));
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }
}
