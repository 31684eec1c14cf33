// The 2026 desktop as a test bed: one compositor from the Debian forky root that
// scripts/forky-root.sh builds (Weston 16, Sway 1.12, KWin 6.7, Mutter 50, labwc 0.20), run with chroot while our
// client stays on the host and connects through the socket's host path.
//
// Each compositor gets private mount and PID namespaces (unshare): proc, /sys, /dev and a fresh
// host runtime folder (bound onto ROOT/run/NAME, its XDG_RUNTIME_DIR) are mounted only there, so no
// mount can outlive it or show in the host's table, and when it ends the kernel ends everything it
// started (dbus-daemon, Xwayland). stop() ends it; if this process exits first, an exit hook kills
// it, and if this process dies, setpriv's parent-death signal and unshare's --kill-child do.
// Tools that need the compositor (swaymsg, grim, weston-screenshooter) run in its namespaces
// through nsenter.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";

/** The compositors the forky root has recipes for. */
export type ForkyCompositor = "weston" | "sway" | "kwin" | "mutter" | "labwc" | "hyprland";

/** The unprivileged user Sway and Hyprland run as inside the root (both refuse root). */
export const FORKY_USER = "scanout-wl";

const cacheDir = process.env.SCANOUT_CACHE ?? join(homedir(), ".cache", "scanout");

function has(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** The ready forky root, or why there is none (the reason scripts/forky-root.sh recorded, when it ran). */
function findRoot(): { root: string } | { reason: string } {
  if (process.getuid?.() !== 0) return { reason: "the forky compositors need root (chroot, mounts, namespaces)" };
  for (const tool of ["unshare", "nsenter", "setpriv", "chroot"]) if (!has(tool)) return { reason: `${tool} is missing (util-linux / coreutils)` };
  const root = readText(join(cacheDir, "forky.path"));
  if (root && existsSync(join(root, ".scanout-ready"))) return { root };
  const skipped = readText(join(cacheDir, "forky.skip"));
  if (skipped) return { reason: `no forky root: ${skipped}` };
  return { reason: `no forky root in ${cacheDir}: run 'bash scripts/forky-root.sh' (npm test's setup does)` };
}

const found = findRoot();

/** The forky root's path, when it is built and usable here. */
export const forkyRoot: string | undefined = "root" in found ? found.root : undefined;

/** Why no forky compositor can run here, or undefined. */
export const forkySkipReason: string | undefined = "reason" in found ? found.reason : undefined;

const binaries: Record<ForkyCompositor, string[]> = {
  weston: ["usr/bin/weston", "usr/bin/weston-screenshooter"],
  sway: ["usr/bin/sway", "usr/bin/swaymsg", "usr/bin/grim", "usr/sbin/useradd"],
  kwin: ["usr/bin/kwin_wayland", "usr/bin/dbus-run-session"],
  mutter: ["usr/bin/mutter", "usr/bin/dbus-run-session"],
  labwc: ["usr/bin/labwc", "usr/bin/grim"], // optional in the root: forky has it today
  hyprland: ["usr/bin/Hyprland", "usr/bin/hyprctl", "usr/bin/grim", "usr/sbin/useradd"], // optional too
};

/** Why this compositor cannot start here, or undefined when it can. */
export function forkyCompositorSkipReason(kind: ForkyCompositor): string | undefined {
  if (forkySkipReason) return forkySkipReason;
  const missing = binaries[kind].filter((b) => !existsSync(join(forkyRoot!, b)));
  return missing.length ? `the forky root lacks ${missing.map((m) => `/${m}`).join(", ")}` : undefined;
}

/** Options for {@link startForky}. */
export interface ForkyOptions {
  /** Output size in pixels (default 640x480; labwc ignores it: wlroots' headless output is 1280x720). */
  width?: number;
  height?: number;
  /** Weston: its shell (default "kiosk"; on DRM too). */
  shell?: "kiosk" | "desktop";
  /** Weston: its renderer (default "pixman" headless, "gl" on DRM; "gl" is llvmpipe, without a render node headless). */
  renderer?: "pixman" | "gl";
  /** Weston: an ini with [core] color-management=true (it then offers wp_color_manager_v1). */
  colorManagement?: boolean;
  /**
   * "headless" (default), or "drm": the first KMS device (the VM's virtio-gpu), seated through a
   * seatd of its own started inside the root (Weston, Sway) or KWin's own session (root, no logind).
   * Weston and KWin then render with GL (llvmpipe), Sway with wlroots' default renderer; width and
   * height are the connector's; labwc renders with pixman (WLR_DRM_DEVICES in `env` picks its card). Mutter has no DRM
   * recipe here; Hyprland has only that one
   * (it needs a DRM device and runs as {@link FORKY_USER} with seatd).
   */
  backend?: "headless" | "drm";
  /** More environment for the compositor (KWIN_COMPOSE=Q, say). */
  env?: Record<string, string>;
  /** More arguments at the end of the compositor's command line (Sway's -d, say). */
  args?: readonly string[];
  /** Weston headless: the output's transform (`--transform`: "90", "flipped-270"...; default normal). */
  transform?: string;
}

/** A running forky compositor. */
export interface ForkyBed {
  readonly kind: ForkyCompositor;
  /** WAYLAND_DISPLAY for a client on the host: the socket's absolute host path. */
  readonly path: string;
  /** The host runtime folder (its XDG_RUNTIME_DIR inside the root is /run/NAME). */
  readonly runtimeDir: string;
  readonly process: ChildProcess;
  /** Everything the compositor (and dbus) wrote so far. */
  log(): string;
  /** Still running? */
  alive(): boolean;
  /**
   * Runs a program inside the root, in the compositor's namespaces, with its XDG_RUNTIME_DIR and
   * WAYLAND_DISPLAY (as the compositor's user), and its session bus where it has one (KWin, Mutter);
   * resolves to stdout, rejects with stderr.
   */
  exec(argv: string[], options?: { cwd?: string; timeoutMs?: number }): Promise<Buffer>;
  /** `swaymsg CMD` (Sway only). */
  swaymsg(cmd: string, type?: string): Promise<string>;
  /**
   * Asks the compositor to close the windows of `appId` (xdg_toplevel.close): Sway through
   * `swaymsg kill`, KWin through a KWin script loaded over D-Bus; rejects for Weston and Mutter,
   * which have no way to ask for it here (no seat, no scripting).
   */
  closeWindow(appId: string): Promise<void>;
  /** KWin: the size it gives our window (clientGeometry, read by a KWin script); rejects elsewhere. */
  kwinWindowSize(appId: string): Promise<[number, number]>;
  /** KWin: minimises the windows of `appId` (true) or restores them (false) through a KWin script; rejects elsewhere. */
  kwinSetMinimized(appId: string, minimized: boolean): Promise<void>;
  /** The output as an image (Weston: weston-screenshooter, Sway: grim); rejects elsewhere. */
  screenshot(): Promise<PNG>;
  /**
   * KWin: the active window's content (no decoration) through org.kde.KWin.ScreenShot2 over its
   * session bus (KWIN_SCREENSHOT_NO_PERMISSION_CHECKS is set); rejects elsewhere.
   */
  kwinActiveWindowShot(): Promise<PNG>;
  /** SIGTERM (SIGKILL after 5 s), waits for it and everything it started, removes the runtime folder. Safe twice. */
  stop(): Promise<void>;
}

const live = new Set<{ kill(): void }>();
process.once("exit", () => {
  for (const bed of live) bed.kill();
});

let counter = 0;

/** Removes what a test process killed outright left behind: its runtime folders and mount points (never mounted out here). */
function sweepStale(root: string): void {
  const dead = (pid: string) => pid !== String(process.pid) && !existsSync(`/proc/${pid}`);
  for (const [dir, re] of [[join(root, "run"), /^scanout-(\d+)-\d+$/], [tmpdir(), /^scanout-forky-(\d+)-/]] as const) {
    for (const f of readdirSync(dir)) {
      const pid = re.exec(f)?.[1];
      if (pid && dead(pid)) rmSync(join(dir, f), { recursive: true, force: true });
    }
  }
}

/** The root's uid and gid of {@link FORKY_USER}, made once with the root's own useradd. */
function ensureUser(root: string): { uid: number; gid: number } {
  const lookup = () => readFileSync(join(root, "etc/passwd"), "utf8").split("\n").find((l) => l.startsWith(`${FORKY_USER}:`));
  if (!lookup()) {
    const add = spawnSync("chroot", [root, "useradd", "-m", "-s", "/usr/sbin/nologin", FORKY_USER], { encoding: "utf8" });
    if (add.status !== 0 && add.status !== 9) throw new Error(`useradd ${FORKY_USER} in ${root} failed: ${add.stderr}`);
  }
  const fields = lookup()?.split(":");
  if (!fields) throw new Error(`${FORKY_USER} is not in ${root}/etc/passwd`);
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

function swayConfig(w: number, h: number): string {
  return [
    "xwayland disable",
    `output HEADLESS-1 resolution ${w}x${h} position 0 0`,
    // floating, so `resize set` sets exactly the size asked for
    'for_window [app_id=".*"] floating enable',
    "default_border none",
    "default_floating_border none",
    "",
  ].join("\n");
}

// One tiled window fills the output (no gaps, borders or animations), so a screenshot's origin is the
// window's; no logo or splash under it; the onboarding and update notices off.
const HYPRLAND_CONFIG = [
  "monitor = , preferred, 0x0, 1",
  "general {\n  gaps_in = 0\n  gaps_out = 0\n  border_size = 0\n}",
  "decoration {\n  rounding = 0\n  shadow {\n    enabled = false\n  }\n  blur {\n    enabled = false\n  }\n}",
  "animations {\n  enabled = false\n}",
  "misc {\n  disable_hyprland_logo = true\n  disable_splash_rendering = true\n}",
  "ecosystem {\n  no_update_news = true\n  no_donation_nag = true\n}",
  "",
].join("\n");

// A session bus of its own, whose address is left in the runtime folder for exec() (dbus-send to KWin).
const sessionBus = ["dbus-run-session", "--", "sh", "-c", 'printf %s "$DBUS_SESSION_BUS_ADDRESS" > "$XDG_RUNTIME_DIR/bus-address"; exec "$@"', "sh"];

/**
 * Runs the rest of the command line once a seatd of its own (socket owned by `user`) is listening;
 * seatd is a child of the namespace's PID 1 and ends with it. forky's seatd listens only at its
 * built-in /run/seatd.sock (it ignores SEATD_SOCK), inside the root: one DRM bed at a time.
 */
function withSeatd(user: string): string[] {
  const sock = "/run/seatd.sock";
  const script = `rm -f ${sock}; seatd -u ${user} -g ${user} -l error & i=0; while [ ! -S ${sock} ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; exec "$@"`;
  return ["env", "LIBSEAT_BACKEND=seatd", "sh", "-c", script, "seatd-then"];
}

/** The DRM-backend recipes (see ForkyOptions.backend). */
function drmRecipe(kind: ForkyCompositor, run: string, shell: "kiosk" | "desktop", renderer: "pixman" | "gl"): { argv: string[]; env: Record<string, string> } {
  switch (kind) {
    case "weston":
      return {
        argv: [...withSeatd("root"), "weston", "--backend=drm", `--renderer=${renderer}`, `--shell=${shell}`, "--continue-without-input", "--no-config", "--debug", "--socket=wl"],
        env: {},
      };
    case "sway":
      return {
        argv: [...withSeatd(FORKY_USER), "runuser", "-u", FORKY_USER, "--", "env", `HOME=/home/${FORKY_USER}`, `USER=${FORKY_USER}`, "LIBSEAT_BACKEND=seatd", "sway", "-c", `${run}/config`],
        // llvmpipe is a software renderer, which wlroots refuses unless told
        env: { WLR_BACKENDS: "drm", WLR_LIBINPUT_NO_DEVICES: "1", WLR_RENDERER_ALLOW_SOFTWARE: "1" },
      };
    case "kwin":
      return {
        argv: [...sessionBus, "kwin_wayland", "--drm", "--socket", "wl", "--no-lockscreen", "--no-global-shortcuts"],
        env: { KWIN_WAYLAND_NO_PERMISSION_CHECKS: "1", KWIN_SCREENSHOT_NO_PERMISSION_CHECKS: "1", QT_QPA_PLATFORM: "wayland" },
      };
    case "labwc":
      // offers every DRM output for lease (wp_drm_lease_device_v1); pixman renders into dumb buffers, so a card without a render node (vkms) does
      return {
        argv: [...withSeatd("root"), "labwc"],
        env: { WLR_BACKENDS: "drm", WLR_LIBINPUT_NO_DEVICES: "1", WLR_RENDERER: "pixman" },
      };
    case "hyprland":
      return {
        argv: [...withSeatd(FORKY_USER), "runuser", "-u", FORKY_USER, "--", "env", `HOME=/home/${FORKY_USER}`, `USER=${FORKY_USER}`, "LIBSEAT_BACKEND=seatd", "Hyprland", "--config", `${run}/hyprland.conf`],
        env: {},
      };
    default:
      throw new Error(`no DRM recipe for ${kind} in the forky bed`);
  }
}

/** The compositor's command line inside the root, and what it needs in its environment. */
function recipe(kind: ForkyCompositor, o: Required<Pick<ForkyOptions, "width" | "height">> & ForkyOptions, run: string): { argv: string[]; env: Record<string, string> } {
  const { width: w, height: h } = o;
  if (o.backend === "drm") return drmRecipe(kind, run, o.shell ?? "kiosk", o.renderer ?? "gl");
  switch (kind) {
    case "weston":
      return {
        argv: [
          "weston",
          "--backend=headless",
          `--renderer=${o.renderer ?? "pixman"}`,
          `--shell=${o.shell ?? "kiosk"}`,
          o.colorManagement ? `--config=${run}/weston.ini` : "--no-config",
          "--debug", // weston_capture_v1, for weston-screenshooter
          `--width=${w}`,
          `--height=${h}`,
          ...(o.transform ? [`--transform=${o.transform}`] : []),
          "--socket=wl",
        ],
        env: {},
      };
    case "sway":
      return {
        argv: ["runuser", "-u", FORKY_USER, "--", "env", `HOME=/home/${FORKY_USER}`, `USER=${FORKY_USER}`, "sway", "-c", `${run}/config`],
        env: { WLR_BACKENDS: "headless", WLR_HEADLESS_OUTPUTS: "1", WLR_LIBINPUT_NO_DEVICES: "1", WLR_RENDERER: "pixman" },
      };
    case "kwin":
      return {
        argv: [...sessionBus, "kwin_wayland", "--virtual", "--width", `${w}`, "--height", `${h}`, "--socket", "wl", "--no-lockscreen", "--no-global-shortcuts"],
        env: { KWIN_WAYLAND_NO_PERMISSION_CHECKS: "1", KWIN_SCREENSHOT_NO_PERMISSION_CHECKS: "1", QT_QPA_PLATFORM: "wayland" },
      };
    case "labwc":
      return {
        argv: ["labwc"],
        env: { WLR_BACKENDS: "headless", WLR_HEADLESS_OUTPUTS: "1", WLR_LIBINPUT_NO_DEVICES: "1", WLR_RENDERER: "pixman" },
      };
    case "hyprland":
      throw new Error("Hyprland needs a DRM device (its aquamarine backend has no headless-only mode): start it with backend \"drm\" in the VM");
    case "mutter":
      return {
        argv: [...sessionBus, "mutter", "--headless", "--wayland", "--no-x11", "--virtual-monitor", `${w}x${h}`, "--wayland-display=wl"],
        env: { GSETTINGS_BACKEND: "memory" },
      };
  }
}

// Runs as PID 1 of the new namespaces: mounts, then the compositor as its child, so that SIGTERM
// (which PID 1 gets only through a handler) reaches it; when this shell exits, the kernel ends every
// other process in the namespace and the namespace's mounts go with it.
const launcher = `
set -e
mount -t proc proc "$ROOT/proc"
mount --rbind /sys "$ROOT/sys"
mount --rbind /dev "$ROOT/dev"
mount --bind "$HOSTRUN" "$ROOT$RUN"
set +e
chroot "$ROOT" "$@" &
child=$!
trap 'kill -TERM $child 2>/dev/null' TERM INT
while kill -0 $child 2>/dev/null; do wait $child; status=$?; done
exit $status
`;

/** Starts a compositor inside the forky root; check {@link forkyCompositorSkipReason} first. */
export async function startForky(kind: ForkyCompositor, options: ForkyOptions = {}): Promise<ForkyBed> {
  const why = forkyCompositorSkipReason(kind);
  if (why) throw new Error(`cannot start ${kind} from the forky root: ${why}`);
  const root = forkyRoot!;
  const o = { width: 640, height: 480, ...options };
  const name = `scanout-${process.pid}-${++counter}`;
  const run = `/run/${name}`;
  const user = kind === "sway" || kind === "hyprland" ? ensureUser(root) : undefined;
  if (counter === 1) sweepStale(root);
  const hostRun = mkdtempSync(join(tmpdir(), `scanout-forky-${process.pid}-${kind}-`));
  chmodSync(hostRun, 0o700);
  if (user) chownSync(hostRun, user.uid, user.gid);
  mkdirSync(join(root, run), { recursive: true });
  if (kind === "sway") writeFileSync(join(hostRun, "config"), swayConfig(o.width, o.height));
  if (kind === "hyprland") writeFileSync(join(hostRun, "hyprland.conf"), HYPRLAND_CONFIG);
  if (o.colorManagement) writeFileSync(join(hostRun, "weston.ini"), "[core]\ncolor-management=true\n");
  const { argv, env } = recipe(kind, o, run);
  const baseEnv = { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", HOME: "/root", XDG_RUNTIME_DIR: run };
  const inner = ["env", "-i", ...Object.entries({ ...baseEnv, ...env, ...o.env }).map(([k, v]) => `${k}=${v}`), ...argv, ...(o.args ?? [])];
  const child = spawn("setpriv", ["--pdeathsig", "KILL", "--", "unshare", "--mount", "--pid", "--fork", "--kill-child=SIGKILL", "--propagation", "private", "sh", "-c", launcher, "launcher", ...inner], {
    env: { PATH: process.env.PATH, ROOT: root, RUN: run, HOSTRUN: hostRun },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((r) => child.once("close", () => r()));
  const running = () => child.exitCode === null && child.signalCode === null;
  // The namespace's PID 1 (the launcher shell) is unshare's only child.
  const nsInit = (): number | undefined => {
    const kids = readText(`/proc/${child.pid}/task/${child.pid}/children`);
    const pid = Number(kids?.split(/\s+/)[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  };
  const killAll = () => {
    const pid = nsInit();
    try {
      if (pid) process.kill(pid, "SIGKILL");
      else if (child.pid) process.kill(child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  const handle = { kill: killAll };
  live.add(handle);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return exited;
    stopped = true;
    let t: NodeJS.Timeout | undefined;
    if (running()) {
      const pid = nsInit();
      if (pid) process.kill(pid, "SIGTERM");
      t = setTimeout(killAll, 5000);
    }
    await exited;
    clearTimeout(t);
    live.delete(handle);
    rmSync(hostRun, { recursive: true, force: true });
    try {
      rmdirSync(join(root, run));
    } catch {
      // a mount point another run still uses, or already gone
    }
  };

  const exec = (cmd: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<Buffer> => {
    const pid = nsInit();
    if (!pid || !running()) return Promise.reject(new Error(`${kind} is not running (cannot run ${cmd[0]}):\n${tail(output)}`));
    const socket = readdirSync(hostRun).find((f) => f === "wl" || /^wayland-\d+$/.test(f)) ?? "wl";
    const bus = readText(join(hostRun, "bus-address"));
    const envs = [`PATH=${baseEnv.PATH}`, `XDG_RUNTIME_DIR=${run}`, `WAYLAND_DISPLAY=${socket}`, ...(bus ? [`DBUS_SESSION_BUS_ADDRESS=${bus}`] : [])];
    const asUser = user ? ["runuser", "-u", FORKY_USER, "--"] : [];
    const script = `cd "$1" && shift && exec "$@"`;
    // -r: setns into a mount namespace resets the root to the namespace's own, which in the VM (tests run chrooted
    // from its initramfs) is not ours; take the target's root instead
    const argv = ["-t", `${pid}`, "-m", "-p", "-r", "--", "chroot", root, ...asUser, "env", "-i", ...envs, `HOME=${user ? `/home/${FORKY_USER}` : "/root"}`, "sh", "-c", script, "sh", opts.cwd ?? run, ...cmd];
    return runToExit("nsenter", argv, opts.timeoutMs ?? 15_000, `${cmd.join(" ")} (in the forky root, ${kind})`);
  };

  try {
    // GL start-up on a DRM device takes several seconds under emulation
    await waitReady(kind, hostRun, running, () => output, o.backend === "drm" ? 120_000 : 60_000);
  } catch (e) {
    await stop();
    throw e;
  }
  const path = join(hostRun, readdirSync(hostRun).find((f) => f === "wl" || /^wayland-\d+$/.test(f))!);
  const ipc = () => readdirSync(hostRun).find((f) => f.startsWith("sway-ipc.") && f.endsWith(".sock"));
  // A KWin script, loaded over D-Bus (busctl) from the runtime folder, run once, unloaded.
  const runKwinScript = async (name: string, body: string): Promise<void> => {
    writeFileSync(join(hostRun, `${name}.js`), `${body}\n`);
    const call = (...args: string[]) => exec(["busctl", "--user", "call", "org.kde.KWin", "/Scripting", "org.kde.kwin.Scripting", ...args]);
    await call("loadScript", "ss", `${run}/${name}.js`, name);
    await call("start"); // runs the scripts loaded since the last start
    await call("unloadScript", "s", name);
  };
  const swaymsg = async (cmd: string, type?: string): Promise<string> => {
    if (kind !== "sway") throw new Error("swaymsg needs Sway");
    const sock = ipc();
    if (!sock) throw new Error(`Sway has no IPC socket in ${hostRun}`);
    return (await exec(["swaymsg", "-s", `${run}/${sock}`, ...(type ? ["-r", "-t", type] : []), ...(cmd ? [cmd] : [])])).toString();
  };
  return {
    kind,
    path,
    runtimeDir: hostRun,
    process: child,
    log: () => output,
    alive: running,
    exec,
    swaymsg,
    async closeWindow(appId) {
      if (!/^[\w.-]+$/.test(appId)) throw new Error(`closeWindow: app id ${JSON.stringify(appId)} is not a plain name`);
      if (kind === "sway") {
        await swaymsg(`[app_id="${appId}"] kill`);
      } else if (kind === "kwin") {
        await runKwinScript(`scanout-close-${++counter}`, `for (const w of workspace.windowList()) if (w.resourceClass === "${appId}") w.closeWindow();`);
      } else throw new Error(`no way to make ${kind} close a window here`);
    },
    async kwinWindowSize(appId) {
      if (kind !== "kwin") throw new Error("kwinWindowSize needs KWin");
      const tag = `scanout-size-${++counter}`;
      await runKwinScript(tag, `for (const w of workspace.windowList()) if (w.resourceClass === "${appId}") print("${tag} " + w.clientGeometry.width + "x" + w.clientGeometry.height);`);
      // the script's print() lands in KWin's log as "js: TAG WxH"
      const deadline = Date.now() + 5000;
      for (;;) {
        const m = new RegExp(`${tag} (\\d+)x(\\d+)`).exec(output);
        if (m) return [Number(m[1]), Number(m[2])];
        if (Date.now() > deadline) throw new Error(`KWin's script printed no size for ${appId}:\n${tail(output)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async kwinSetMinimized(appId, minimized) {
      if (kind !== "kwin") throw new Error("kwinSetMinimized needs KWin");
      if (!/^[\w.-]+$/.test(appId)) throw new Error(`kwinSetMinimized: app id ${JSON.stringify(appId)} is not a plain name`);
      await runKwinScript(`scanout-minimize-${++counter}`, `for (const w of workspace.windowList()) if (w.resourceClass === "${appId}") w.minimized = ${minimized};`);
    },
    async kwinActiveWindowShot() {
      if (kind !== "kwin") throw new Error("kwinActiveWindowShot needs KWin");
      // KWin writes the raw pixels into the fd passed as `h` (a file here) and answers with their layout
      const name = `shot-${++counter}.raw`;
      const call = `exec busctl --user --json=short call org.kde.KWin /org/kde/KWin/ScreenShot2 org.kde.KWin.ScreenShot2 CaptureActiveWindow 'a{sv}h' 1 include-decoration b false 3 3>"$1"`;
      const reply = JSON.parse((await exec(["sh", "-c", call, "sh", `${run}/${name}`])).toString()) as { data: [Record<string, { data: unknown }>] };
      const meta = Object.fromEntries(Object.entries(reply.data[0]).map(([k, v]) => [k, v.data]));
      const [width, height, stride, format] = [meta.width, meta.height, meta.stride, meta.format].map(Number) as [number, number, number, number];
      if (meta.type !== "raw" || !(width > 0 && height > 0 && stride >= width * 4)) throw new Error(`KWin's screenshot answer is not raw pixels: ${JSON.stringify(meta)}`);
      const file = join(hostRun, name);
      const deadline = Date.now() + 10_000;
      let raw = Buffer.alloc(0);
      while ((raw = readFileSync(file)).length < stride * height) {
        if (Date.now() > deadline) throw new Error(`KWin wrote ${raw.length} of ${stride * height} screenshot bytes within 10 s`);
        await new Promise((r) => setTimeout(r, 50));
      }
      rmSync(file, { force: true });
      // QImage formats: RGB32/ARGB32/ARGB32_Premultiplied (4-6) are B,G,R,A bytes here; RGBX/RGBA8888 (16-18) R,G,B,A
      const bgra = format >= 4 && format <= 6;
      if (!bgra && !(format >= 16 && format <= 18)) throw new Error(`KWin's screenshot has QImage format ${format}, which this reader does not know`);
      const img = new PNG({ width, height });
      for (let y = 0; y < height; y++)
        for (let x = 0; x < width; x++) {
          const i = y * stride + x * 4;
          const o = (y * width + x) * 4;
          img.data[o] = raw[bgra ? i + 2 : i]!;
          img.data[o + 1] = raw[i + 1]!;
          img.data[o + 2] = raw[bgra ? i : i + 2]!;
          img.data[o + 3] = 255;
        }
      return img;
    },
    async screenshot() {
      if (kind === "weston") {
        // weston-screenshooter writes wayland-screenshot-*.png into its working folder
        const dir = mkdtempSync(join(hostRun, "shot-"));
        await exec(["weston-screenshooter"], { cwd: `${run}/${dir.split("/").pop()}` });
        const png = readdirSync(dir).find((f) => f.endsWith(".png"));
        if (!png) throw new Error(`weston-screenshooter wrote no PNG in ${dir}`);
        const img = PNG.sync.read(readFileSync(join(dir, png)));
        rmSync(dir, { recursive: true, force: true });
        return img;
      }
      if (kind === "sway" || kind === "labwc" || kind === "hyprland") return PNG.sync.read(await exec(["grim", "-t", "png", "-"]));
      throw new Error(`no screenshot tool for ${kind} in the forky root`);
    },
    stop,
  };
}

function tail(log: string, lines = 30): string {
  return log.split("\n").slice(-lines).join("\n");
}

/** Waits for the socket, one answered round trip, and (for the outputs' sake) a wl_output global. */
async function waitReady(kind: ForkyCompositor, hostRun: string, running: () => boolean, log: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!running()) throw new Error(`${kind} (forky) exited during start-up:\n${tail(log())}`);
    if (Date.now() > deadline) throw new Error(`${kind} (forky) did not come up within ${timeoutMs / 1000} s:\n${tail(log())}`);
    const sock = readdirSync(hostRun).find((f) => f === "wl" || /^wayland-\d+$/.test(f));
    const ipcReady = kind !== "sway" || readdirSync(hostRun).some((f) => f.startsWith("sway-ipc."));
    if (sock && ipcReady) {
      const globals = await listGlobals(join(hostRun, sock), 2000).catch(() => undefined);
      if (globals?.some((g) => g.interface === "wl_output")) return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One global a compositor offers. */
export interface GlobalEntry {
  name: number;
  interface: string;
  version: number;
}

/**
 * The compositor's globals, read on a raw connection (wl_display.get_registry, then a sync): written
 * on the wire by hand so that the table does not depend on the library it tests.
 */
export function listGlobals(path: string, ms = 5000): Promise<GlobalEntry[]> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(path);
    const globals: GlobalEntry[] = [];
    let got = Buffer.alloc(0);
    const done = (err?: Error) => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(globals);
    };
    const timer = setTimeout(() => done(new Error(`no answer from ${path} within ${ms} ms`)), ms);
    sock.once("error", (e) => done(e));
    sock.once("close", () => done(new Error(`${path} closed the connection`)));
    sock.on("connect", () => {
      const msg = Buffer.alloc(24);
      msg.writeUInt32LE(1, 0); // wl_display
      msg.writeUInt32LE((12 << 16) | 1, 4); // get_registry
      msg.writeUInt32LE(2, 8); // new wl_registry id
      msg.writeUInt32LE(1, 12); // wl_display
      msg.writeUInt32LE((12 << 16) | 0, 16); // sync
      msg.writeUInt32LE(3, 20); // new wl_callback id
      sock.write(msg);
    });
    sock.on("data", (d: Buffer) => {
      got = Buffer.concat([got, d]);
      let off = 0;
      while (off + 8 <= got.length) {
        const id = got.readUInt32LE(off);
        const word = got.readUInt32LE(off + 4);
        const size = word >>> 16;
        const opcode = word & 0xffff;
        if (size < 8) return done(new Error(`bad message size ${size} from ${path}`));
        if (off + size > got.length) break;
        if (id === 2 && opcode === 0) {
          // wl_registry.global(name: uint, interface: string, version: uint)
          const name = got.readUInt32LE(off + 8);
          const len = got.readUInt32LE(off + 12);
          const iface = got.toString("utf8", off + 16, off + 16 + len - 1);
          const version = got.readUInt32LE(off + 16 + ((len + 3) & ~3));
          globals.push({ name, interface: iface, version });
        } else if (id === 3 && opcode === 0) return done();
        else if (id === 1 && opcode === 0) return done(new Error(`protocol error from ${path}`));
        off += size;
      }
      got = got.subarray(off);
    });
  });
}

/**
 * Runs a command and resolves with its stdout once it exits, not once its stdout closes: a tool that
 * leaves a child serving in the background (wl-copy) keeps the pipes open after it exits. Output
 * still in the pipe at exit is read for a moment longer; the pipes are then let go.
 */
function runToExit(file: string, argv: string[], timeoutMs: number, what: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`${what} failed: ${e.message}`));
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      let settled = false;
      const settle = () => {
        if (settled) return;
        settled = true;
        child.stdout.destroy();
        child.stderr.destroy();
        if (code === 0) resolve(Buffer.concat(out));
        else reject(new Error(`${what} failed: ${signal ? `killed by ${signal}${signal === "SIGKILL" ? ` (timeout ${timeoutMs} ms?)` : ""}` : `exit code ${code}`}\n${Buffer.concat(err).toString()}`));
      };
      child.on("close", settle);
      setTimeout(settle, 200).unref();
    });
  });
}
