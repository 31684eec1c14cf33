// DRM events (page flip, vblank/CRTC sequence) read from the device fd. A libuv poll handle
// (FdPoll) wakes the event loop when the fd is readable: no thread, no spin. The handle is only
// active while someone waits, so an idle device does not keep Node alive.
import { FdPoll } from "../sys/poll.js";
import { readNonBlocking } from "../sys/drm-libc.js";
import { UseAfterCloseError } from "../util/errors.js";
import { logger } from "../util/log.js";
import type { DrmDevice } from "./device.js";
import { DrmError } from "./error.js";
import { drmIoctl } from "./ioctl.js";
import type { CrtcId } from "./types.js";

const log = logger("drm");

const DRM_EVENT_VBLANK = 1;
const DRM_EVENT_FLIP_COMPLETE = 2;
const DRM_EVENT_CRTC_SEQUENCE = 3;

/** A page flip (or vblank) the kernel reported for a CRTC: when it happened, and the vblank counter then. */
export interface FlipEvent {
  crtc: CrtcId;
  /** Hardware vblank counter at the flip. */
  sequence: number;
  /** Flip time on CLOCK_MONOTONIC, microseconds. */
  timeUs: number;
}
/** A vblank reported after DrmEvents.vblank(); same fields as a flip. */
export type VblankEvent = FlipEvent;

interface Waiter {
  resolve(ev: FlipEvent): void;
  reject(e: Error): void;
}

/**
 * Reads a device's page-flip and vblank events and resolves the promise waiting for each. One per device (DrmEvents.of);
 * the fd is polled on the event loop only while something waits, so an idle device does not keep Node alive.
 */
export class DrmEvents {
  private readonly poll: FdPoll;
  private readonly waiters = new Map<bigint, Waiter>();
  private next = 1n;
  private readonly buf = Buffer.alloc(4096);
  private closed = false;

  private constructor(private readonly dev: DrmDevice) {
    this.poll = new FdPoll(dev.fd, () => this.drain());
    dev.onClose(() => this.close());
  }

  private static readonly byDevice = new WeakMap<DrmDevice, DrmEvents>();
  /** The event reader of a device, made on first use and closed with the device. */
  static of(dev: DrmDevice): DrmEvents {
    let e = DrmEvents.byDevice.get(dev);
    if (!e) DrmEvents.byDevice.set(dev, (e = new DrmEvents(dev)));
    return e;
  }

  /** Registers a waiter; returns the user_data to pass to the kernel and the promise of its event. */
  expect(): {
    /** The value to pass to the kernel as the event's user_data. */
    userData: bigint;
    /** Resolves when the kernel reports the event; rejects if the device closes first. */
    event: Promise<FlipEvent>;
    /** Drops the waiter when the request that would produce its event failed (the promise then never settles). */
    cancel(): void;
  } {
    if (this.closed) throw new UseAfterCloseError(`${this.dev.path} event reader`, `${this.dev.path}: event reader is closed`);
    const userData = this.next++;
    const event = new Promise<FlipEvent>((resolve, reject) => this.waiters.set(userData, { resolve, reject }));
    event.catch(() => {}); // a waiter dropped at close must not become an unhandled rejection
    this.arm();
    const cancel = () => {
      this.waiters.delete(userData);
      this.disarmIfIdle();
    };
    return { userData, event, cancel };
  }

  /** An event at the next vblank (or `relative` vblanks ahead) of crtc, via CRTC_QUEUE_SEQUENCE. */
  vblank(crtc: CrtcId, relative = 1): Promise<VblankEvent> {
    const w = this.expect();
    const a = Buffer.alloc(24);
    a.writeUInt32LE(crtc, 0);
    a.writeUInt32LE(1 | 2 /* RELATIVE | NEXT_ON_MISS */, 4);
    a.writeBigUInt64LE(BigInt(relative), 8);
    a.writeBigUInt64LE(w.userData, 16);
    try {
      drmIoctl(this.dev.fd, "CRTC_QUEUE_SEQUENCE", a, `crtc ${crtc}`);
    } catch (e) {
      w.cancel();
      throw e;
    }
    return w.event.then((ev) => ({ ...ev, crtc })); // CRTC_SEQUENCE events do not carry the CRTC
  }

  private arm(): void {
    this.poll.watch(true, false); // a no-op while it already watches
  }

  private disarmIfIdle(): void {
    if (this.waiters.size === 0) {
      this.poll.watch(false, false); // stopped: an idle device does not keep Node alive
    }
  }

  /** Reads and dispatches every complete event the fd has. */
  drain(): void {
    if (this.dev.closed) return;
    for (;;) {
      const n = readNonBlocking(this.dev.fd, this.buf, `${this.dev.path} events`);
      if (n === 0) break;
      let o = 0;
      while (o + 8 <= n) {
        const type = this.buf.readUInt32LE(o);
        const length = this.buf.readUInt32LE(o + 4);
        if (length < 8 || o + length > n) {
          log.error(`${this.dev.path}: malformed DRM event (type ${type}, length ${length}, ${n - o} bytes left)`);
          break;
        }
        if ((type === DRM_EVENT_FLIP_COMPLETE || type === DRM_EVENT_VBLANK) && length >= 32) {
          this.dispatch(this.buf.readBigUInt64LE(o + 8), {
            crtc: this.buf.readUInt32LE(o + 28) as CrtcId,
            sequence: this.buf.readUInt32LE(o + 24),
            timeUs: this.buf.readUInt32LE(o + 16) * 1e6 + this.buf.readUInt32LE(o + 20),
          });
        } else if (type === DRM_EVENT_CRTC_SEQUENCE && length >= 32) {
          this.dispatch(this.buf.readBigUInt64LE(o + 8), {
            crtc: 0 as CrtcId, // the event does not say; vblank() fills it in
            sequence: Number(this.buf.readBigUInt64LE(o + 24)),
            timeUs: Number(this.buf.readBigInt64LE(o + 16)) / 1000,
          });
        } else {
          log.debug(`${this.dev.path}: ignoring DRM event type ${type}`);
        }
        o += length;
      }
    }
    this.disarmIfIdle();
  }

  private dispatch(userData: bigint, ev: FlipEvent): void {
    const w = this.waiters.get(userData);
    if (!w) {
      log.debug(`${this.dev.path}: event for unknown user_data ${userData}`);
      return;
    }
    this.waiters.delete(userData);
    w.resolve(ev);
  }

  /** Stops reading and rejects every pending wait with a DrmError naming the device. Idempotent; called when the device closes. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.poll.close();
    const err = new DrmError(`${this.dev.path} closed while waiting for a DRM event`);
    for (const w of this.waiters.values()) w.reject(err);
    this.waiters.clear();
  }
}

/** A CRTC's vblank counter as the kernel keeps it (CRTC_GET_SEQUENCE): the count, its time (CLOCK_MONOTONIC ns), and whether the CRTC is on. */
export interface CrtcSequence {
  sequence: bigint;
  timeNs: bigint;
  active: boolean;
}

/** Reads `crtc`'s vblank counter now, without waiting for a vblank (what drmCrtcGetSequence does). */
export function crtcSequence(dev: DrmDevice, crtc: CrtcId): CrtcSequence {
  const a = Buffer.alloc(24); // struct drm_crtc_get_sequence { u32 crtc_id, active; u64 sequence; s64 sequence_ns }
  a.writeUInt32LE(crtc, 0);
  drmIoctl(dev.fd, "CRTC_GET_SEQUENCE", a, `crtc ${crtc}`);
  return { active: a.readUInt32LE(4) !== 0, sequence: a.readBigUInt64LE(8), timeNs: a.readBigInt64LE(16) };
}
