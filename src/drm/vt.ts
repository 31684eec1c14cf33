// Virtual terminal handling: when we run on a Linux VT, switch it to graphics mode (no text cursor
// drawn over our frames) and take over VT switching (VT_PROCESS) so we drop/regain DRM master on
// switches. Both are undone by release() and, should the process end first, on exit, SIGINT/SIGTERM/
// SIGHUP and uncaught errors (a console left in graphics mode shows no text). Without a VT (ssh,
// serial console, the test VM) this is skipped with a log line.
import { readlinkSync } from "node:fs";
import { onProcessExit } from "../sys/exit-hooks.js";
import { check, close, ioctl, libc, open, O_RDWR } from "../sys/libc.js";
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

/** What takeVt returns: the VT it took over and how to hand it back. */
export interface VtGuard {
  /** The VT device (e.g. /dev/tty2), or undefined when not running on a VT (nothing was changed). */
  vt: string | undefined;
  /** Puts the VT back in text mode with automatic switching. Idempotent; also runs at process exit. */
  release(): void;
}

/** Puts the VT into graphics mode with process-controlled switching; release() undoes both. */
export function takeVt(dev: DrmDevice): VtGuard {
  const vt = currentVt();
  if (!vt) {
    log.info("not on a virtual terminal (serial console, ssh or pipe): skipping KDSETMODE/VT_SETMODE");
    return { vt: undefined, release() {} };
  }
  const fd = open(vt, O_RDWR);
  try {
    setKdMode(fd, KD_GRAPHICS, vt);
    ioctl(fd, VT_SETMODE, vtMode(VT_PROCESS, SIGUSR1, SIGUSR2), vt);
  } catch (e) {
    try {
      setKdMode(fd, KD_TEXT, vt);
    } catch {
      /* the first error says more */
    }
    close(fd);
    throw e;
  }
  const onRelease = () => {
    try {
      dev.dropMaster();
    } catch (e) {
      log.warn(`VT switch away: dropMaster failed: ${e instanceof Error ? e.message : e}`);
    }
    relDisp(fd, 1, vt);
  };
  const onAcquire = () => {
    relDisp(fd, VT_ACKACQ, vt);
    try {
      dev.setMaster();
    } catch (e) {
      log.warn(`VT switch back: ${e instanceof Error ? e.message : e}`);
    }
  };
  process.on("SIGUSR1", onRelease);
  process.on("SIGUSR2", onAcquire);
  log.info(`${vt}: graphics mode, VT switching under our control`);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    unregister();
    process.off("SIGUSR1", onRelease);
    process.off("SIGUSR2", onAcquire);
    try {
      ioctl(fd, VT_SETMODE, vtMode(VT_AUTO), vt);
      setKdMode(fd, KD_TEXT, vt);
    } finally {
      close(fd);
    }
  };
  const unregister = onProcessExit(release);
  return { vt, release };
}

// KDSETMODE and VT_RELDISP take an integer argument, not a pointer: pass it through an ioctl
// declared with an integer third parameter.
const c_ioctl_int = libc.func("int ioctl(int fd, unsigned long request, unsigned long arg)");
function setKdMode(fd: number, mode: number, vt: string): void {
  check("ioctl(KDSETMODE)", c_ioctl_int(fd, KDSETMODE, mode), vt);
}
function relDisp(fd: number, arg: number, vt: string): void {
  check("ioctl(VT_RELDISP)", c_ioctl_int(fd, VT_RELDISP, arg), vt);
}
