// A libinput context on Node's event loop: keyboards, mice, touchpads and touch screens on KMS, where
// no compositor hands us input. We open the /dev/input/event* nodes ourselves (open_restricted), so
// running as root (or in the "input" group) needs no logind or seatd. Two backends:
//  - udev: libinput enumerates seat0 and follows hotplug itself (needs systemd-udevd running);
//  - path: we add every /dev/input/event* and follow plugs and unplugs (libinput-hotplug.ts).
// Either way libinput reads the udev database (/run/udev/data) to learn what a device is: without a
// running udevd it ignores every device ("not tagged as supported input device"), which we report.
// Events are read when libinput's epoll fd is readable (a libuv poll handle) and decoded by
// libinput-decode.ts for a LibinputSink; the C API itself is in libinput-ffi.ts.
import { existsSync } from "node:fs";
import { close as closeFd, formatVaList, koffi, open, SysError } from "../sys/libc.js";
import { FdPoll } from "../sys/poll.js";
import { logger } from "../util/log.js";
import { deliverInputEvent, describeDevice, readDevice, type LibinputDevice, type LibinputSink } from "./libinput-decode.js";
import {
  ACCEL_PROFILE_FLAT, CloseCb, EV, Interface, LibinputUnavailableError, loadLibinput, LOG_DEBUG, LOG_ERROR, LOG_INFO, LogCb, OpenCb,
  type LibinputApi, type Ptr,
} from "./libinput-ffi.js";
import { type HotplugTarget, InputHotplug, listEventNodes } from "./libinput-hotplug.js";

const log = logger("present"); // LogSource has no "input" yet

/** How to open libinput. */
export interface LibinputOptions {
  /** "udev" needs a running systemd-udevd; "path" opens /dev/input/event* itself; "auto" (default) picks udev when udevd runs. */
  backend?: "auto" | "udev" | "path";
  /** udev seat to assign (default "seat0"). */
  seat?: string;
  /** Path backend: device nodes to add instead of every /dev/input/event* (no hotplug watch then). */
  devices?: readonly string[];
  /**
   * Pointer acceleration of mice and touchpads: "adaptive" (libinput's default) or "flat" (motion
   * passed on 1:1, e.g. for games and tests).
   */
  pointerAccel?: "adaptive" | "flat";
  /** Width and height absolute positions map onto (the display mode); read at each event. */
  size: () => readonly [number, number];
}

let warnedNoUdev = false;

/** Whether udevd seems to run (its control socket exists), which the udev backend and libinput's device tags need. */
export function udevRunning(): boolean {
  return existsSync("/run/udev/control");
}

/**
 * A libinput context on Node's event loop: call `new Libinput(sink, options)`, events reach the
 * sink as they arrive; close() releases every device. Throws LibinputUnavailableError when the
 * library is missing or the udev backend cannot start.
 */
export class Libinput {
  /** "udev" or "path": the backend in use. */
  readonly backend: "udev" | "path";
  private readonly api: LibinputApi;
  private readonly li: Ptr;
  private udev: Ptr | null = null;
  private readonly callbacks: bigint[] = [];
  private readonly ifaceMem: Ptr;
  private readonly poll: FdPoll;
  private readonly devices = new Map<bigint, LibinputDevice & { ptr: Ptr }>();
  private readonly logBuf = Buffer.alloc(1024);
  private hotplug: InputHotplug | undefined;
  private closed = false;
  private inDispatch = false;
  private isSuspended = false;

  /** @param sink receives every event; @param options backend, seat, devices and the size absolute positions map onto */
  constructor(
    private readonly sink: LibinputSink,
    private readonly options: LibinputOptions,
  ) {
    this.api = loadLibinput();
    const a = this.api;
    const want = options.backend ?? "auto";
    this.backend = want === "auto" ? (udevRunning() && !options.devices ? "udev" : "path") : want;
    if (this.backend === "udev" && !udevRunning())
      throw new LibinputUnavailableError("libinput udev backend: systemd-udevd is not running (/run/udev/control is missing); use the path backend");
    if (!udevRunning() && !warnedNoUdev) {
      warnedNoUdev = true;
      log.warn("systemd-udevd is not running: libinput ignores devices that udev has not tagged (/run/udev/data), so there may be no input");
    }

    const openCb = koffi.register((path: string, flags: number) => this.openRestricted(path, flags), koffi.pointer(OpenCb));
    const closeCb = koffi.register((fd: number) => this.closeRestricted(fd), koffi.pointer(CloseCb));
    const logCb = koffi.register((_li: Ptr, prio: number, fmt: string, ap: Ptr) => this.log(prio, fmt, ap), koffi.pointer(LogCb));
    this.callbacks.push(openCb, closeCb, logCb);
    // libinput keeps the interface pointer: the struct lives as long as the context
    this.ifaceMem = koffi.alloc(Interface, 1) as Ptr;
    koffi.encode(this.ifaceMem, Interface, { open_restricted: openCb, close_restricted: closeCb });
    let li: Ptr | null;
    if (this.backend === "udev") {
      this.udev = a.udevNew();
      if (!this.udev) throw this.fail(new LibinputUnavailableError("udev_new failed"));
      li = a.udevCreate(this.ifaceMem, null, this.udev);
    } else {
      li = a.pathCreate(this.ifaceMem, null);
    }
    if (!li) throw this.fail(new LibinputUnavailableError(`libinput_${this.backend}_create_context failed`));
    this.li = li;
    a.logSetHandler(li, logCb);
    a.logSetPriority(li, process.env.SCANOUT_LIBINPUT_DEBUG ? LOG_DEBUG : LOG_INFO);
    if (this.backend === "udev") {
      const seat = options.seat ?? "seat0";
      if (a.udevAssignSeat(li, seat) !== 0) {
        a.unref(li);
        throw this.fail(new LibinputUnavailableError(`libinput_udev_assign_seat(${seat}) failed`));
      }
    } else {
      if (!options.devices) this.hotplug = InputHotplug.start(this.hotplugTarget());
      for (const p of options.devices ?? listEventNodes()) this.addPath(p);
    }
    this.poll = new FdPoll(a.getFd(li), () => this.dispatch());
    this.poll.watch(true, false);
    this.dispatch(); // devices added above queued their DEVICE_ADDED events already
    log.info(`libinput (${this.backend} backend): ${this.devices.size} device(s): ${[...this.devices.values()].map(describeDevice).join("; ") || "none"}`);
  }

  /** The devices libinput has now (ours to read, not to keep). */
  get deviceList(): readonly LibinputDevice[] {
    return [...this.devices.values()];
  }

  /** Reads and dispatches everything libinput has queued. Safe to call any time (it does nothing after close()). */
  dispatch(): void {
    if (this.closed || this.inDispatch) return;
    this.inDispatch = true;
    const a = this.api;
    try {
      if (a.dispatch(this.li) < 0) log.warn("libinput_dispatch failed");
      for (let ev = a.getEvent(this.li); ev; ev = a.getEvent(this.li)) {
        try {
          this.handle(ev);
        } catch (e) {
          log.error(`input event handler threw: ${e instanceof Error ? e.stack : e}`);
        } finally {
          a.eventDestroy(ev);
        }
      }
    } finally {
      this.inDispatch = false;
    }
  }

  /** Whether suspend() closed the devices. */
  get suspended(): boolean {
    return this.isSuspended;
  }

  /** Closes every device (they are reported removed), e.g. while another VT is shown. */
  suspend(): void {
    if (this.closed || this.isSuspended) return;
    this.isSuspended = true;
    this.hotplug?.pause();
    this.api.suspend(this.li);
    this.dispatch();
  }

  /** Opens the devices again after suspend() (they are reported added). */
  resume(): void {
    if (this.closed || !this.isSuspended) return;
    this.isSuspended = false;
    if (this.api.resume(this.li) !== 0) log.warn("libinput_resume failed: input devices may be missing");
    this.dispatch();
    this.hotplug?.resume();
  }

  private handle(ev: Ptr): void {
    const a = this.api;
    const type = a.eventType(ev);
    if (type === EV.DEVICE_ADDED) {
      const ptr = a.deviceRef(a.eventDevice(ev));
      const d = { ptr, ...readDevice(a, ptr) };
      if (this.options.pointerAccel === "flat" && a.accelAvailable(ptr)) {
        if (a.accelSetProfile(ptr, ACCEL_PROFILE_FLAT) !== 0 || a.accelSetSpeed(ptr, 0) !== 0) log.warn(`${d.sysname}: cannot set a flat acceleration profile`);
      }
      this.devices.set(ptr, d);
      log.debug(`device added: ${describeDevice(d)}`);
      this.sink.deviceAdded(d);
    } else if (type === EV.DEVICE_REMOVED) {
      const ptr = a.eventDevice(ev);
      const d = this.devices.get(ptr);
      if (!d) return;
      this.devices.delete(ptr);
      log.debug(`device removed: ${describeDevice(d)}`);
      this.sink.deviceRemoved(d);
      a.deviceUnref(d.ptr);
    } else {
      deliverInputEvent(a, ev, type, this.sink, this.options.size);
    }
  }

  private openRestricted(path: string, flags: number): number {
    // libinput asks for O_RDWR|O_NONBLOCK (sys/libc adds O_CLOEXEC); a negative errno tells it why we could not
    try {
      return open(path, flags);
    } catch (e) {
      if (!(e instanceof SysError)) throw e;
      log.warn(`cannot open ${path}: ${e.code}${e.errno === 13 ? " (run as root or join the 'input' group)" : ""}`);
      return -e.errno;
    }
  }

  private closeRestricted(fd: number): void {
    try {
      closeFd(fd);
    } catch (e) {
      log.debug(`close_restricted: ${e instanceof Error ? e.message : e}`);
    }
  }

  private log(priority: number, fmt: string, ap: Ptr): void {
    const text = formatVaList(this.logBuf, fmt, ap).trimEnd();
    if (priority >= LOG_ERROR && !/lagging behind/.test(text)) log.warn(`libinput: ${text}`);
    else if (priority >= LOG_INFO && /not tagged|never initialized|not using|failed/.test(text)) log.info(`libinput: ${text}`);
    else log.debug(`libinput: ${text}`);
  }

  // ---- path backend: devices and hotplug -----------------------------------------------------

  private addPath(path: string): boolean {
    const ptr = this.api.pathAdd(this.li, path);
    if (!ptr) {
      log.debug(`libinput did not take ${path} (see its message above)`);
      return false;
    }
    return true;
  }

  /** What the hotplug watch may do: look devices up by node name, add and remove nodes. */
  private hotplugTarget(): HotplugTarget {
    return {
      has: (sysname: string) => this.hasSysname(sysname),
      add: (path: string) => void this.addPath(path),
      remove: (sysname: string) => this.removeSysname(sysname),
      dispatch: () => this.dispatch(),
    };
  }

  private hasSysname(name: string): boolean {
    for (const d of this.devices.values()) if (d.sysname === name) return true;
    return false;
  }

  private removeSysname(name: string): void {
    for (const d of this.devices.values()) if (d.sysname === name) this.api.pathRemove(d.ptr);
    this.dispatch();
  }

  private fail(e: Error): Error {
    this.releaseNative();
    return e;
  }

  private releaseNative(): void {
    for (const cb of this.callbacks.splice(0)) koffi.unregister(cb);
    if (this.udev) this.api.udevUnref(this.udev);
    this.udev = null;
  }

  /** Reports every device removed, then frees the context. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.poll?.close();
    this.hotplug?.close();
    this.hotplug = undefined;
    for (const d of [...this.devices.values()]) {
      try {
        this.sink.deviceRemoved(d);
      } catch (e) {
        log.warn(`deviceRemoved handler threw: ${e instanceof Error ? e.message : e}`);
      }
      this.api.deviceUnref(d.ptr);
    }
    this.devices.clear();
    this.api.unref(this.li); // closes the device fds through close_restricted
    this.releaseNative();
    koffi.free(this.ifaceMem);
  }
}
