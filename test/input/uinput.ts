// Virtual input devices through /dev/uinput (module `uinput`), for the KMS input tests in the VM: the
// kernel makes a real /dev/input/eventN that udev tags and libinput reads like any keyboard or mouse.
// Struct layouts and ioctl numbers are linux/uinput.h and linux/input.h (x86_64).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { check, close, koffi, libc, open, O_RDWR, O_NONBLOCK } from "../../src/sys/libc.js";

const c_ioctl_int = libc.func("int ioctl(int fd, unsigned long request, unsigned long arg)");
const c_ioctl_buf = libc.func("int ioctl(int fd, unsigned long request, void *arg)");
const c_write = libc.func("long write(int fd, const void *buf, size_t n)");

const UI_DEV_CREATE = 0x5501;
const UI_DEV_DESTROY = 0x5502;
const UI_DEV_SETUP = 0x405c5503; // _IOW('U', 3, struct uinput_setup) (92 bytes)
const UI_GET_SYSNAME_64 = 0x8040552c; // _IOC(READ, 'U', 44, 64)
const UI_SET_EVBIT = 0x40045564;
const UI_SET_KEYBIT = 0x40045565;
const UI_SET_RELBIT = 0x40045566;

export const EV_SYN = 0;
export const EV_KEY = 1;
export const EV_REL = 2;
export const REL_X = 0;
export const REL_Y = 1;
export const REL_HWHEEL = 6;
export const REL_WHEEL = 8;
export const REL_WHEEL_HI_RES = 0x0b;
export const BTN_LEFT = 0x110;
export const BTN_RIGHT = 0x111;
export const BTN_MIDDLE = 0x112;

/** evdev key codes by the character they type on a US layout (unshifted), for typing text. */
export const KEY: Record<string, number> = {
  esc: 1, "1": 2, "2": 3, "3": 4, "4": 5, "5": 6, "6": 7, "7": 8, "8": 9, "9": 10, "0": 11, "-": 12, "=": 13, backspace: 14, tab: 15,
  q: 16, w: 17, e: 18, r: 19, t: 20, y: 21, u: 22, i: 23, o: 24, p: 25, "[": 26, "]": 27, enter: 28, leftctrl: 29,
  a: 30, s: 31, d: 32, f: 33, g: 34, h: 35, j: 36, k: 37, l: 38, ";": 39, "'": 40, "`": 41, leftshift: 42, "\\": 43,
  z: 44, x: 45, c: 46, v: 47, b: 48, n: 49, m: 50, ",": 51, ".": 52, "/": 53, rightshift: 54, leftalt: 56, " ": 57,
  f1: 59, f2: 60, f3: 61, f4: 62, f5: 63, f6: 64, f7: 65, f8: 66, f9: 67, f10: 68, f11: 87, f12: 88, rightctrl: 97, rightalt: 100,
};

/** Loads the uinput and evdev modules (the VM boots without udev to load them); returns why uinput cannot be used, or undefined. */
export function uinputUnavailable(): string | undefined {
  for (const m of ["uinput", "evdev"]) {
    if (existsSync(`/sys/module/${m}`)) continue;
    try {
      execFileSync("modprobe", [m], { stdio: "pipe" });
    } catch (e) {
      return `modprobe ${m} failed: ${(e as { stderr?: Buffer }).stderr?.toString().trim() || e}`;
    }
  }
  return existsSync("/dev/uinput") ? undefined : "no /dev/uinput after modprobe uinput";
}

/** One virtual device: send events, then destroy() it (the kernel removes its event node). */
export class UinputDevice {
  private readonly ev = Buffer.alloc(24);
  private destroyed = false;
  /** The device's event node, e.g. /dev/input/event3. */
  readonly node: string;

  private constructor(private readonly fd: number, readonly name: string) {
    const b = Buffer.alloc(64);
    check("ioctl(UI_GET_SYSNAME)", c_ioctl_buf(fd, UI_GET_SYSNAME_64, b), name);
    const sys = b.toString("latin1", 0, b.indexOf(0)); // "input12"
    const event = readdirSync(`/sys/devices/virtual/input/${sys}`).find((n) => /^event\d+$/.test(n));
    if (!event) throw new Error(`uinput ${name}: no event node under /sys/devices/virtual/input/${sys}`);
    this.node = `/dev/input/${event}`;
  }

  /** A keyboard with every key of a standard one (codes 1..248), so udev tags it ID_INPUT_KEYBOARD. */
  static keyboard(name = "scanout test keyboard"): UinputDevice {
    return UinputDevice.create(name, (fd) => {
      ioctl(fd, UI_SET_EVBIT, EV_KEY);
      for (let k = 1; k < 249; k++) ioctl(fd, UI_SET_KEYBIT, k);
    });
  }

  /** A wheel mouse: relative X/Y, three buttons, vertical and horizontal wheels (whole clicks). */
  static mouse(name = "scanout test mouse"): UinputDevice {
    return UinputDevice.create(name, (fd) => {
      ioctl(fd, UI_SET_EVBIT, EV_KEY);
      ioctl(fd, UI_SET_EVBIT, EV_REL);
      for (const b of [BTN_LEFT, BTN_RIGHT, BTN_MIDDLE]) ioctl(fd, UI_SET_KEYBIT, b);
      for (const r of [REL_X, REL_Y, REL_WHEEL, REL_HWHEEL]) ioctl(fd, UI_SET_RELBIT, r);
    });
  }

  private static create(name: string, setBits: (fd: number) => void): UinputDevice {
    const fd = open("/dev/uinput", O_RDWR | O_NONBLOCK);
    try {
      setBits(fd);
      const setup = Buffer.alloc(92); // struct uinput_setup { struct input_id id; char name[80]; u32 ff_effects_max; }
      setup.writeUInt16LE(0x06 /* BUS_VIRTUAL */, 0);
      setup.writeUInt16LE(0x1234, 2);
      setup.writeUInt16LE(0x5678, 4);
      setup.writeUInt16LE(1, 6);
      setup.write(name.slice(0, 79), 8, "latin1");
      check("ioctl(UI_DEV_SETUP)", c_ioctl_buf(fd, UI_DEV_SETUP, setup), name);
      ioctl(fd, UI_DEV_CREATE, 0);
      return new UinputDevice(fd, name);
    } catch (e) {
      close(fd);
      throw e;
    }
  }

  /** Writes one input_event (no SYN_REPORT: call sync() after a group). */
  emit(type: number, code: number, value: number): void {
    const e = this.ev;
    e.fill(0, 0, 16); // the kernel stamps the time
    e.writeUInt16LE(type, 16);
    e.writeUInt16LE(code, 18);
    e.writeInt32LE(value, 20);
    const n = Number(c_write(this.fd, e, 24));
    if (n !== 24) throw new Error(`uinput ${this.name}: write returned ${n} (errno ${koffi.errno()})`);
  }

  /** Ends a group of events (SYN_REPORT): what the reader sees as one frame. */
  sync(): void {
    this.emit(EV_SYN, 0, 0);
  }

  /** Presses (true) or releases a key or button and syncs. */
  key(code: number, pressed: boolean): void {
    this.emit(EV_KEY, code, pressed ? 1 : 0);
    this.sync();
  }

  /** Presses and releases a key. */
  tap(code: number): void {
    this.key(code, true);
    this.key(code, false);
  }

  /** Relative motion and sync. */
  move(dx: number, dy: number): void {
    if (dx) this.emit(EV_REL, REL_X, dx);
    if (dy) this.emit(EV_REL, REL_Y, dy);
    this.sync();
  }

  /** Wheel clicks: positive turns the wheel up (away from the user), as evdev counts them. */
  wheel(clicks: number): void {
    this.emit(EV_REL, REL_WHEEL, clicks);
    this.sync();
  }

  /** Removes the device (its event node disappears). Idempotent. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    try {
      ioctl(this.fd, UI_DEV_DESTROY, 0);
    } finally {
      close(this.fd);
    }
  }
}

function ioctl(fd: number, req: number, arg: number): void {
  check(`ioctl(0x${req.toString(16)})`, c_ioctl_int(fd, req, arg));
}

let startedUdevd = false;

/** Starts systemd-udevd when it is installed and not running (the VM boots without it); returns why not, or undefined. */
export function ensureUdevd(): string | undefined {
  if (existsSync("/run/udev/control")) return undefined;
  startedUdevd = true;
  const udevd = ["/lib/systemd/systemd-udevd", "/usr/lib/systemd/systemd-udevd"].find((p) => existsSync(p));
  if (!udevd) return "systemd-udevd is not installed (Debian package udev; scripts/setup-system.sh --test installs it)";
  execFileSync(udevd, ["--daemon"], { stdio: "pipe" });
  execFileSync("udevadm", ["trigger", "--subsystem-match=input", "--action=add"], { stdio: "pipe" });
  execFileSync("udevadm", ["settle", "--timeout=20"], { stdio: "pipe" });
  return existsSync("/run/udev/control") ? undefined : "systemd-udevd started but /run/udev/control did not appear";
}

/** Waits until udev has recorded a node (libinput needs its tags). */
export async function udevSettled(node: string, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  const minor = Number(readFileSync(`/sys/class/input/${node.split("/").pop()}/dev`, "utf8").trim().split(":")[1]);
  while (!existsSync(`/run/udev/data/c13:${minor}`)) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`udev did not record ${node} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Stops the systemd-udevd that ensureUdevd started (later test files in the same VM find the machine as booted). */
export function stopUdevd(): void {
  if (!startedUdevd) return;
  startedUdevd = false;
  try {
    execFileSync("udevadm", ["control", "--exit"], { stdio: "pipe" });
  } catch {
    /* already gone */
  }
}
