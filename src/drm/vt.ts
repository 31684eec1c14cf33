// Virtual terminal handling: when we run on a Linux VT, switch it to graphics mode (no text cursor
// drawn over our frames) and take over VT switching (VT_PROCESS) so we drop/regain DRM master on
// switches. Both are undone by release() and, should the process end first, on exit, SIGINT/SIGTERM/
// SIGHUP and uncaught errors (a console left in graphics mode shows no text). Without a VT (ssh,
// serial console, the test VM) this is skipped with a log line.
import { readlinkSync } from "node:fs";
import { onProcessExit } from "../sys/exit-hooks.js";
import { close, ioctl, open, O_RDWR } from "../sys/libc.js";
import { logger } from "../util/log.js";
import type { DrmDevice } from "./device.js";

const log = logger("drm");

const KDSETMODE = 0x4b3a;
const KD_TEXT = 0;
const KD_GRAPHICS = 1;
const VT_SETMODE = 0x5602;
const VT_RELDISP = 0x5605;
const VT_AUTO = 0;
const VT_PROCESS = 1;
const VT_ACKACQ = 2;
const SIGUSR1 = 10;
const SIGUSR2 = 12;

/** The VT device our stdin is on (/dev/ttyN), if any. */
export function currentVt(): string | undefined {
  for (const fd of [0, 1, 2]) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (/^\/dev\/tty\d+$/.test(target) && target !== "/dev/tty0") return target;
    } catch {
      /* no such fd */
    }
  }
  return undefined;
}

function vtMode(mode: number, relsig = 0, acqsig = 0): Buffer {
  // struct vt_mode { char mode, waitv; short relsig, acqsig, frsig; }
  const b = Buffer.alloc(8);
  b.writeUInt8(mode, 0);
  b.writeInt16LE(relsig, 2);
  b.writeInt16LE(acqsig, 4);
  return b;
}

/** What happens when the user switches away from our VT and back (see VtGuard.onSwitch). */
export interface VtSwitchHandlers {
  /** Switching away: stop using the display (no more commits); the switch completes, and master is dropped, once this resolves. */
  release(): Promise<void> | void;
  /** Back on our VT: master has been taken again; restore the display and resume. */
  acquire(): void;
}

/** What takeVt returns: the VT it took over and how to hand it back. */
export interface VtGuard {
  /** The VT device (e.g. /dev/tty2), or undefined when not running on a VT (nothing was changed). */
  vt: string | undefined;
  /** Whether our VT is the one shown (false between a switch away and the switch back). */
  readonly active: boolean;
  /** Completed switches away and back, for logs and tests. */
  readonly switches: { away: number; back: number };
  /** Replaces what happens on a switch (by default master is only dropped and taken again). */
  onSwitch(handlers: VtSwitchHandlers): void;
  /**
   * Stops the kernel from reading the keyboard on our VT (KDSKBMODE K_OFF), for when we read it
   * through libinput: keys then neither reach the console nor switch VTs by themselves. Undone by release().
   */
  muteKeyboard(): void;
  /** Asks the kernel to show VT number `n` (VT_ACTIVATE); we get the release signal if it is not ours. */
  activate(n: number): void;
  /** Puts the VT back in text mode with automatic switching. Idempotent; also runs at process exit. */
  release(): void;
}

const VT_ACTIVATE = 0x5606;
const KDGKBMODE = 0x4b44;
const KDSKBMODE = 0x4b45;
const K_OFF = 0x04;

/** Puts the VT into graphics mode with process-controlled switching; release() undoes both. */
export function takeVt(dev: DrmDevice): VtGuard {
  const vt = currentVt();
  if (!vt) {
    log.info("not on a virtual terminal (serial console, ssh or pipe): skipping KDSETMODE/VT_SETMODE");
    return {
      vt: undefined, active: true, switches: { away: 0, back: 0 }, onSwitch() {}, muteKeyboard() {}, release() {},
      activate(n: number) {
        activateVt(n);
      },
    };
  }
  const fd = open(vt, O_RDWR);
  try {
    setKdMode(fd, KD_GRAPHICS, vt);
    ioctl(fd, VT_SETMODE, vtMode(VT_PROCESS, SIGUSR1, SIGUSR2), vt, "VT_SETMODE");
  } catch (e) {
    try {
      setKdMode(fd, KD_TEXT, vt);
    } catch {
      /* the first error says more */
    }
    close(fd);
    throw e;
  }
  let handlers: VtSwitchHandlers | undefined;
  let savedKbMode: number | undefined;
  const switches = { away: 0, back: 0 };
  let released = false;
  const guard: VtGuard = {
    vt, active: true, switches,
    onSwitch(h) {
      handlers = h;
    },
    muteKeyboard() {
      if (savedKbMode !== undefined || released) return;
      const b = Buffer.alloc(4);
      ioctl(fd, KDGKBMODE, b, vt, "KDGKBMODE");
      savedKbMode = b.readInt32LE(0);
      ioctl(fd, KDSKBMODE, K_OFF, vt, "KDSKBMODE");
      log.info(`${vt}: keyboard read through libinput (console keyboard off until exit)`);
    },
    activate(n) {
      ioctl(fd, VT_ACTIVATE, n, `${vt} -> tty${n}`, "VT_ACTIVATE");
    },
    release: () => release(),
  };
  const setActive = (v: boolean) => ((guard as { active: boolean }).active = v);
  // The kernel waits for VT_RELDISP before switching away: the handler may take its time (a flip in
  // flight), but every path must end in it.
  const onRelease = () => {
    if (released) return;
    setActive(false);
    const finish = () => {
      if (released) return;
      try {
        dev.dropMaster();
      } catch (e) {
        log.warn(`VT switch away: dropMaster failed: ${e instanceof Error ? e.message : e}`);
      }
      try {
        relDisp(fd, 1, vt);
        switches.away++;
        log.info(`${vt}: switched away (DRM master dropped)`);
      } catch (e) {
        log.warn(`VT switch away: ${e instanceof Error ? e.message : e}`);
      }
    };
    let pending: Promise<void> | void = undefined;
    try {
      pending = handlers?.release();
    } catch (e) {
      log.warn(`VT switch away: ${e instanceof Error ? e.message : e}`);
    }
    if (pending) pending.then(finish, (e: unknown) => {
      log.warn(`VT switch away: ${e instanceof Error ? e.message : e}`);
      finish();
    });
    else finish();
  };
  const onAcquire = () => {
    if (released) return;
    try {
      relDisp(fd, VT_ACKACQ, vt);
    } catch (e) {
      log.warn(`VT switch back: ${e instanceof Error ? e.message : e}`);
    }
    try {
      dev.setMaster();
    } catch (e) {
      log.warn(`VT switch back: ${e instanceof Error ? e.message : e}`);
    }
    setActive(true);
    switches.back++;
    log.info(`${vt}: switched back (DRM master taken)`);
    try {
      handlers?.acquire();
    } catch (e) {
      log.warn(`VT switch back: ${e instanceof Error ? e.message : e}`);
    }
  };
  process.on("SIGUSR1", onRelease);
  process.on("SIGUSR2", onAcquire);
  log.info(`${vt}: graphics mode, VT switching under our control`);
  const release = () => {
    if (released) return;
    released = true;
    unregister();
    process.off("SIGUSR1", onRelease);
    process.off("SIGUSR2", onAcquire);
    try {
      if (savedKbMode !== undefined) ioctl(fd, KDSKBMODE, savedKbMode, vt, "KDSKBMODE");
      ioctl(fd, VT_SETMODE, vtMode(VT_AUTO), vt, "VT_SETMODE");
      setKdMode(fd, KD_TEXT, vt);
    } finally {
      close(fd);
    }
  };
  const unregister = onProcessExit(release);
  return guard;
}

/** Shows VT `n` through /dev/tty0 (VT_ACTIVATE), as `chvt n` does; with `wait`, returns once it is shown (VT_WAITACTIVE). */
export function activateVt(n: number, wait = false): void {
  const fd = open("/dev/tty0", O_RDWR);
  try {
    ioctl(fd, VT_ACTIVATE, n, `/dev/tty0 -> tty${n}`, "VT_ACTIVATE");
    if (wait) ioctl(fd, VT_WAITACTIVE, n, `/dev/tty0 -> tty${n}`, "VT_WAITACTIVE");
  } finally {
    close(fd);
  }
}

/** The VT shown now (VT_GETSTATE on /dev/tty0), e.g. 1 for /dev/tty1. */
export function activeVt(): number {
  const fd = open("/dev/tty0", O_RDWR);
  try {
    const b = Buffer.alloc(6); // struct vt_stat { ushort v_active, v_signal, v_state; }
    ioctl(fd, VT_GETSTATE, b, "/dev/tty0", "VT_GETSTATE");
    return b.readUInt16LE(0);
  } finally {
    close(fd);
  }
}

const VT_WAITACTIVE = 0x5607;
const VT_GETSTATE = 0x5603;

// KDSETMODE, KDSKBMODE, VT_ACTIVATE and VT_RELDISP take an integer argument, not a pointer: sys/libc's
// ioctl passes a number by value.
function setKdMode(fd: number, mode: number, vt: string): void {
  ioctl(fd, KDSETMODE, mode, vt, "KDSETMODE");
}
function relDisp(fd: number, arg: number, vt: string): void {
  ioctl(fd, VT_RELDISP, arg, vt, "VT_RELDISP");
}
