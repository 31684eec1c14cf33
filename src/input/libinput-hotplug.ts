// Hotplug for libinput's path backend, which does not follow devices by itself: inotify on
// /dev/input (sys/inotify.ts) reports event nodes appearing and going away. A new node is handed to
// libinput only once udev has written its record (libinput reads the device's tags from it, and
// refuses a node without one: "udev device never initialized"), looked for every 50 ms: for up to
// 30 s while udevd runs (a busy machine may take seconds to process an add), else about 2 s. A
// removed node is taken out at once.
import { existsSync, readdirSync, statSync } from "node:fs";
import { devMajorMinor } from "../sys/dev.js";
import { type DirectoryChange, DirectoryWatch, IN_ATTRIB, IN_CREATE, IN_DELETE, IN_MOVED_TO } from "../sys/inotify.js";
import { SysError } from "../sys/libc.js";
import { logger } from "../util/log.js";

const log = logger("present"); // LogSource has no "input" yet

const INPUT_DIR = "/dev/input";
const INPUT_MAJOR = 13;
const RETRY_MS = 50;
/** Tries before a node is handed over without its udev record: 2 s, or 30 s while udevd runs (it will come). */
const maxTries = (): number => (existsSync("/run/udev/control") ? 600 : 40);

/** What the hotplug watch does to the libinput context it serves. */
export interface HotplugTarget {
  /** Whether a device with node name `sysname` (event5) is in the context. */
  has(sysname: string): boolean;
  /** Hands node `path` to libinput. */
  add(path: string): void;
  /** Takes the device with node name `sysname` out of the context. */
  remove(sysname: string): void;
  /** Lets libinput report what add() and remove() did. */
  dispatch(): void;
}

/** Watches /dev/input for a path-backend context; start() returns undefined (logged) where it cannot. */
export class InputHotplug {
  /** Nodes seen but not added yet, with how often we looked for their udev record. */
  private readonly pending = new Map<string, number>();
  private watch: DirectoryWatch | undefined;
  private timer: NodeJS.Timeout | undefined;
  private paused = false;
  private closed = false;

  private constructor(private readonly target: HotplugTarget) {}

  /** Starts watching /dev/input; undefined (with a log line saying what is lost) when there is none or inotify fails. */
  static start(target: HotplugTarget): InputHotplug | undefined {
    if (!existsSync(INPUT_DIR)) {
      log.info("no /dev/input (no input devices, or the evdev module is not loaded): no input");
      return undefined;
    }
    const hotplug = new InputHotplug(target);
    try {
      hotplug.watch = new DirectoryWatch(INPUT_DIR, IN_CREATE | IN_DELETE | IN_ATTRIB | IN_MOVED_TO,
        (changes) => hotplug.changed(changes),
        (e) => log.warn(`reading inotify: ${e instanceof Error ? e.message : e}`));
    } catch (e) {
      if (!(e instanceof SysError)) throw e;
      if (e.call === "inotify_init1") log.warn(`inotify_init1 failed (${e.code}): devices plugged in later are not seen`);
      else log.warn(`${e.call}(${INPUT_DIR}) failed (${e.code}): no hotplug`);
      return undefined;
    }
    return hotplug;
  }

  /** While paused (devices suspended) nodes are only noted; resume() adds them. */
  pause(): void {
    this.paused = true;
  }

  /** Adds what was plugged in while paused. */
  resume(): void {
    this.paused = false;
    if (this.pending.size) this.retryPending();
  }

  private changed(changes: readonly DirectoryChange[]): void {
    if (this.closed) return;
    for (const { mask, name } of changes) {
      if (!/^event\d+$/.test(name)) continue;
      const path = `${INPUT_DIR}/${name}`;
      if (mask & IN_DELETE) {
        this.pending.delete(path);
        this.target.remove(name);
      } else if (!this.target.has(name)) {
        this.pending.set(path, 0);
      }
    }
    this.retryPending();
  }

  /** Adds pending nodes whose udev record exists (or after ~2 s regardless), retrying every 50 ms. */
  private retryPending(): void {
    if (this.closed || this.paused) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const [path, tries] of this.pending) {
      const name = path.slice(INPUT_DIR.length + 1);
      if (this.target.has(name) || !existsSync(path)) {
        this.pending.delete(path);
        continue;
      }
      if (!udevRecorded(path) && tries < maxTries()) {
        this.pending.set(path, tries + 1);
        continue;
      }
      this.pending.delete(path);
      this.target.add(path);
    }
    this.target.dispatch();
    if (this.pending.size) {
      this.timer = setTimeout(() => this.retryPending(), RETRY_MS);
      this.timer.unref();
    }
  }

  /** Stops watching. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.watch?.close();
  }
}

/** /dev/input/event* in numeric order. */
export function listEventNodes(): string[] {
  if (!existsSync(INPUT_DIR)) return [];
  try {
    return readdirSync(INPUT_DIR)
      .filter((n) => /^event\d+$/.test(n))
      .sort((x, y) => Number(x.slice(5)) - Number(y.slice(5)))
      .map((n) => `${INPUT_DIR}/${n}`);
  } catch (e) {
    log.warn(`cannot list /dev/input: ${e instanceof Error ? e.message : e}`);
    return [];
  }
}

/** Whether udev has written its record for an input node (where libinput reads the device's tags). */
function udevRecorded(path: string): boolean {
  if (!existsSync("/run/udev/data")) return true; // no udev at all: waiting would not help
  try {
    const [major, minor] = devMajorMinor(statSync(path).rdev);
    return major === INPUT_MAJOR && existsSync(`/run/udev/data/c${major}:${minor}`);
  } catch {
    return false;
  }
}
