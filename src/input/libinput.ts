// libinput through koffi: keyboards, mice, touchpads and touch screens on KMS, where no compositor
// hands us input. We open the /dev/input/event* nodes ourselves (open_restricted), so running as root
// (or in the "input" group) needs no logind or seatd. Two backends:
//  - udev: libinput enumerates seat0 and follows hotplug itself (needs systemd-udevd running);
//  - path: we add every /dev/input/event* and watch /dev/input with inotify for plugs and unplugs.
// Either way libinput reads the udev database (/run/udev/data) to learn what a device is: without a
// running udevd it ignores every device ("not tagged as supported input device"), which we report.
// Events are read on Node's event loop (a libuv poll handle on libinput's epoll fd) and handed to a
// LibinputSink as plain numbers, so nothing is allocated per event here.
import { existsSync, readdirSync, statSync } from "node:fs";
import { readNonBlocking } from "../sys/drm-libc.js";
import { UnavailableError } from "../util/errors.js";
import { close as closeFd, koffi, libc, SysError } from "../sys/libc.js";
import { FdPoll } from "../sys/poll.js";
import { logger } from "../util/log.js";
import type { DeviceKind, ScrollSource } from "./events.js";

const log = logger("present"); // LogSource has no "input" yet

/** libinput could not be loaded or started (library missing, no udev). */
export class LibinputUnavailableError extends UnavailableError {
  /** @param reason what is missing and how to get it */
  constructor(reason: string, cause?: unknown) {
    super("libinput", reason, cause === undefined ? undefined : { cause });
    this.name = "LibinputUnavailableError";
  }
}

type Ptr = bigint;

interface Api {
  pathCreate(iface: Ptr, user: null): Ptr | null;
  udevCreate(iface: Ptr, user: null, udev: Ptr): Ptr | null;
  udevAssignSeat(li: Ptr, seat: string): number;
  pathAdd(li: Ptr, path: string): Ptr | null;
  pathRemove(dev: Ptr): void;
  unref(li: Ptr): Ptr | null;
  getFd(li: Ptr): number;
  dispatch(li: Ptr): number;
  getEvent(li: Ptr): Ptr | null;
  eventType(ev: Ptr): number;
  eventDevice(ev: Ptr): Ptr;
  eventDestroy(ev: Ptr): void;
  deviceRef(dev: Ptr): Ptr;
  deviceUnref(dev: Ptr): Ptr | null;
  deviceName(dev: Ptr): string;
  deviceSysname(dev: Ptr): string;
  deviceHasCap(dev: Ptr, cap: number): number;
  keyboardEvent(ev: Ptr): Ptr;
  keyboardKey(ev: Ptr): number;
  keyboardState(ev: Ptr): number;
  keyboardSeatCount(ev: Ptr): number;
  pointerEvent(ev: Ptr): Ptr;
  pointerDx(ev: Ptr): number;
  pointerDy(ev: Ptr): number;
  pointerAbsX(ev: Ptr, width: number): number;
  pointerAbsY(ev: Ptr, height: number): number;
  pointerButton(ev: Ptr): number;
  pointerButtonState(ev: Ptr): number;
  pointerSeatButtonCount(ev: Ptr): number;
  pointerHasAxis(ev: Ptr, axis: number): number;
  pointerScrollValue(ev: Ptr, axis: number): number;
  pointerScrollV120(ev: Ptr, axis: number): number;
  touchEvent(ev: Ptr): Ptr;
  touchSeatSlot(ev: Ptr): number;
  touchX(ev: Ptr, width: number): number;
  touchY(ev: Ptr, height: number): number;
  logSetHandler(li: Ptr, handler: Ptr): void;
  logSetPriority(li: Ptr, priority: number): void;
  udevNew(): Ptr | null;
  udevUnref(udev: Ptr): void;
  vsnprintf(buf: Buffer, n: number, fmt: string, ap: Ptr): number;
  inotifyInit(flags: number): number;
  inotifyAddWatch(fd: number, path: string, mask: number): number;
  suspend(li: Ptr): void;
  resume(li: Ptr): number;
  accelAvailable(dev: Ptr): number;
  accelSetProfile(dev: Ptr, profile: number): number;
  accelSetSpeed(dev: Ptr, speed: number): number;
}

const OpenCb = koffi.proto("int scanout_li_open(const char *path, int flags, void *user)");
const CloseCb = koffi.proto("void scanout_li_close(int fd, void *user)");
const LogCb = koffi.proto("void scanout_li_log(void *li, int priority, const char *format, void *args)");
const Interface = koffi.struct("scanout_libinput_interface", {
  open_restricted: koffi.pointer(OpenCb),
  close_restricted: koffi.pointer(CloseCb),
});

let api: Api | undefined;
/** Loads libinput.so.10 (and libudev.so.1) once; throws LibinputUnavailableError naming the package when missing. */
function load(): Api {
  if (api) return api;
  let li: ReturnType<typeof koffi.load>;
  try {
    li = koffi.load("libinput.so.10");
  } catch (e) {
    throw new LibinputUnavailableError("libinput.so.10 could not be loaded (install Debian's libinput10)", e);
  }
  let udev: ReturnType<typeof koffi.load> | undefined;
  try {
    udev = koffi.load("libudev.so.1");
  } catch {
    udev = undefined; // the path backend still works; libinput itself links libudev, so this is rare
  }
  const f = (decl: string) => li.func(decl) as unknown as (...a: unknown[]) => never;
  const noUdev = () => {
    throw new LibinputUnavailableError("libudev.so.1 could not be loaded (install Debian's libudev1)");
  };
  api = {
    pathCreate: f("void *libinput_path_create_context(const void *iface, void *user)"),
    udevCreate: f("void *libinput_udev_create_context(const void *iface, void *user, void *udev)"),
    udevAssignSeat: f("int libinput_udev_assign_seat(void *li, const char *seat)"),
    pathAdd: f("void *libinput_path_add_device(void *li, const char *path)"),
    pathRemove: f("void libinput_path_remove_device(void *dev)"),
    unref: f("void *libinput_unref(void *li)"),
    getFd: f("int libinput_get_fd(void *li)"),
    dispatch: f("int libinput_dispatch(void *li)"),
    getEvent: f("void *libinput_get_event(void *li)"),
    eventType: f("int libinput_event_get_type(void *ev)"),
    eventDevice: f("void *libinput_event_get_device(void *ev)"),
    eventDestroy: f("void libinput_event_destroy(void *ev)"),
    deviceRef: f("void *libinput_device_ref(void *dev)"),
    deviceUnref: f("void *libinput_device_unref(void *dev)"),
    deviceName: f("const char *libinput_device_get_name(void *dev)"),
    deviceSysname: f("const char *libinput_device_get_sysname(void *dev)"),
    deviceHasCap: f("int libinput_device_has_capability(void *dev, int cap)"),
    keyboardEvent: f("void *libinput_event_get_keyboard_event(void *ev)"),
    keyboardKey: f("uint32_t libinput_event_keyboard_get_key(void *ev)"),
    keyboardState: f("int libinput_event_keyboard_get_key_state(void *ev)"),
    keyboardSeatCount: f("uint32_t libinput_event_keyboard_get_seat_key_count(void *ev)"),
    pointerEvent: f("void *libinput_event_get_pointer_event(void *ev)"),
    pointerDx: f("double libinput_event_pointer_get_dx(void *ev)"),
    pointerDy: f("double libinput_event_pointer_get_dy(void *ev)"),
    pointerAbsX: f("double libinput_event_pointer_get_absolute_x_transformed(void *ev, uint32_t width)"),
    pointerAbsY: f("double libinput_event_pointer_get_absolute_y_transformed(void *ev, uint32_t height)"),
    pointerButton: f("uint32_t libinput_event_pointer_get_button(void *ev)"),
    pointerButtonState: f("int libinput_event_pointer_get_button_state(void *ev)"),
    pointerSeatButtonCount: f("uint32_t libinput_event_pointer_get_seat_button_count(void *ev)"),
    pointerHasAxis: f("int libinput_event_pointer_has_axis(void *ev, int axis)"),
    pointerScrollValue: f("double libinput_event_pointer_get_scroll_value(void *ev, int axis)"),
    pointerScrollV120: f("double libinput_event_pointer_get_scroll_value_v120(void *ev, int axis)"),
    touchEvent: f("void *libinput_event_get_touch_event(void *ev)"),
    touchSeatSlot: f("int32_t libinput_event_touch_get_seat_slot(void *ev)"),
    touchX: f("double libinput_event_touch_get_x_transformed(void *ev, uint32_t width)"),
    touchY: f("double libinput_event_touch_get_y_transformed(void *ev, uint32_t height)"),
    logSetHandler: f("void libinput_log_set_handler(void *li, scanout_li_log *handler)"),
    logSetPriority: f("void libinput_log_set_priority(void *li, int priority)"),
    suspend: f("void libinput_suspend(void *li)"),
    resume: f("int libinput_resume(void *li)"),
    accelAvailable: f("int libinput_device_config_accel_is_available(void *dev)"),
    accelSetProfile: f("int libinput_device_config_accel_set_profile(void *dev, int profile)"),
    accelSetSpeed: f("int libinput_device_config_accel_set_speed(void *dev, double speed)"),
    udevNew: udev ? (udev.func("void *udev_new(void)") as unknown as () => never) : noUdev,
    udevUnref: udev ? (udev.func("void *udev_unref(void *udev)") as unknown as () => never) : noUdev,
    vsnprintf: libc.func("int vsnprintf(_Out_ uint8_t *buf, size_t n, const char *fmt, void *ap)") as unknown as (...a: unknown[]) => never,
    inotifyInit: libc.func("int inotify_init1(int flags)") as unknown as (...a: unknown[]) => never,
    inotifyAddWatch: libc.func("int inotify_add_watch(int fd, const char *path, uint32_t mask)") as unknown as (...a: unknown[]) => never,
  };
  return api;
}

// enum libinput_event_type (libinput.h)
const EV = {
  DEVICE_ADDED: 1, DEVICE_REMOVED: 2, KEYBOARD_KEY: 300,
  POINTER_MOTION: 400, POINTER_MOTION_ABSOLUTE: 401, POINTER_BUTTON: 402, POINTER_AXIS: 403,
  SCROLL_WHEEL: 404, SCROLL_FINGER: 405, SCROLL_CONTINUOUS: 406,
  TOUCH_DOWN: 500, TOUCH_UP: 501, TOUCH_MOTION: 502, TOUCH_CANCEL: 503, TOUCH_FRAME: 504,
} as const;
const CAP_KEYBOARD = 0;
const CAP_POINTER = 1;
const CAP_TOUCH = 2;
const AXIS_VERTICAL = 0;
const AXIS_HORIZONTAL = 1;
const LOG_DEBUG = 10;
const LOG_INFO = 20;
const LOG_ERROR = 30;
const IN_NONBLOCK = 0o4000;
const IN_CLOEXEC = 0o2000000;
const IN_ATTRIB = 0x4;
const IN_CREATE = 0x100;
const IN_DELETE = 0x200;
const IN_MOVED_TO = 0x80;
const INPUT_MAJOR = 13;

/** A device libinput reports: its kernel name, its node's name (event5) and what it gives. */
export interface LibinputDevice {
  /** The kernel's name, e.g. "AT Translated Set 2 keyboard". */
  readonly name: string;
  /** The event node's name, e.g. "event5". */
  readonly sysname: string;
  /** What it gives; empty for devices we do not use (a power button, a lid switch). */
  readonly kinds: readonly DeviceKind[];
}

/** What a touch point did (see LibinputSink.touch). */
export type TouchAction = "down" | "motion" | "up" | "cancel" | "frame";

/**
 * Receives libinput's events, already decoded into numbers. Positions are in the pixels of the
 * `size` the Libinput was given (absolute devices and touch screens map their whole range onto it).
 */
export interface LibinputSink {
  /** A device was added (at start or plugged in). */
  deviceAdded(device: LibinputDevice): void;
  /** A device went away (unplugged, or the context closed). */
  deviceRemoved(device: LibinputDevice): void;
  /** A key (evdev code) changed state; `seatCount` is how many devices hold it down now (forward only 0→1 and 1→0). */
  key(code: number, pressed: boolean, seatCount: number): void;
  /** Relative motion (a mouse, a touchpad), accelerated, in pixel-like units. */
  motion(dx: number, dy: number): void;
  /** Absolute motion (a tablet, a VM's absolute pointer) mapped onto the size. */
  motionAbsolute(x: number, y: number): void;
  /** A button (evdev code, BTN_LEFT = 0x110) changed state; `seatCount` as for key(). */
  button(code: number, pressed: boolean, seatCount: number): void;
  /** Scrolling: amounts per axis (wheel: 15 per click), and 120-per-click wheel values (NaN when not a wheel). */
  scroll(source: ScrollSource, dx: number, dy: number, v120x: number, v120y: number, hasX: boolean, hasY: boolean): void;
  /** A touch point (seat slot) went down, moved or up; "cancel" and "frame" carry no point (slot -1). */
  touch(action: TouchAction, slot: number, x: number, y: number): void;
}

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
  private readonly api: Api;
  private readonly li: Ptr;
  private udev: Ptr | null = null;
  private readonly callbacks: bigint[] = [];
  private readonly ifaceMem: Ptr;
  private readonly poll: FdPoll;
  private readonly devices = new Map<bigint, LibinputDevice & { ptr: Ptr }>();
  private readonly logBuf = Buffer.alloc(1024);
  private watch: { fd: number; poll: FdPoll; pending: Map<string, number>; timer: NodeJS.Timeout | undefined } | undefined;
  private readonly inotifyBuf = Buffer.alloc(4096);
  private closed = false;
  private inDispatch = false;
  private isSuspended = false;

  /** @param sink receives every event; @param options backend, seat, devices and the size absolute positions map onto */
  constructor(
    private readonly sink: LibinputSink,
    private readonly options: LibinputOptions,
  ) {
    this.api = load();
    const a = this.api;
    const want = options.backend ?? "auto";
    this.backend = want === "auto" ? (udevRunning() && !options.devices ? "udev" : "path") : want;
    if (this.backend === "udev" && !udevRunning())
      throw new LibinputUnavailableError("libinput udev backend: systemd-udevd is not running (/run/udev/control is missing); use the path backend");
    if (!udevRunning() && !warnedNoUdev) {
      warnedNoUdev = true;
      log.warn("systemd-udevd is not running: libinput ignores devices that udev has not tagged (/run/udev/data), so there may be no input");
    }

    const open = koffi.register((path: string, flags: number) => this.openRestricted(path, flags), koffi.pointer(OpenCb));
    const close = koffi.register((fd: number) => this.closeRestricted(fd), koffi.pointer(CloseCb));
    const logger = koffi.register((_li: Ptr, prio: number, fmt: string, ap: Ptr) => this.log(prio, fmt, ap), koffi.pointer(LogCb));
    this.callbacks.push(open, close, logger);
    // libinput keeps the interface pointer: the struct lives as long as the context
    this.ifaceMem = koffi.alloc(Interface, 1) as Ptr;
    koffi.encode(this.ifaceMem, Interface, { open_restricted: open, close_restricted: close });
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
    a.logSetHandler(li, logger);
    a.logSetPriority(li, process.env.SCANOUT_LIBINPUT_DEBUG ? LOG_DEBUG : LOG_INFO);
    if (this.backend === "udev") {
      const seat = options.seat ?? "seat0";
      if (a.udevAssignSeat(li, seat) !== 0) {
        a.unref(li);
        throw this.fail(new LibinputUnavailableError(`libinput_udev_assign_seat(${seat}) failed`));
      }
    } else {
      if (!options.devices) this.startWatch();
      for (const p of options.devices ?? listEventNodes()) this.addPath(p);
    }
    this.poll = new FdPoll(a.getFd(li), () => this.dispatch());
    this.poll.watch(true, false);
    this.dispatch(); // devices added above queued their DEVICE_ADDED events already
    log.info(`libinput (${this.backend} backend): ${this.devices.size} device(s): ${[...this.devices.values()].map(describe).join("; ") || "none"}`);
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
    this.api.suspend(this.li);
    this.dispatch();
  }

  /** Opens the devices again after suspend() (they are reported added). */
  resume(): void {
    if (this.closed || !this.isSuspended) return;
    this.isSuspended = false;
    if (this.api.resume(this.li) !== 0) log.warn("libinput_resume failed: input devices may be missing");
    this.dispatch();
    if (this.watch?.pending.size) this.retryPending();
  }

  private handle(ev: Ptr): void {
    const a = this.api;
    const s = this.sink;
    const type = a.eventType(ev);
    switch (type) {
      case EV.KEYBOARD_KEY: {
        const k = a.keyboardEvent(ev);
        s.key(a.keyboardKey(k), a.keyboardState(k) === 1, a.keyboardSeatCount(k));
        return;
      }
      case EV.POINTER_MOTION: {
        const p = a.pointerEvent(ev);
        s.motion(a.pointerDx(p), a.pointerDy(p));
        return;
      }
      case EV.POINTER_MOTION_ABSOLUTE: {
        const p = a.pointerEvent(ev);
        const [w, h] = this.options.size();
        s.motionAbsolute(a.pointerAbsX(p, w), a.pointerAbsY(p, h));
        return;
      }
      case EV.POINTER_BUTTON: {
        const p = a.pointerEvent(ev);
        s.button(a.pointerButton(p), a.pointerButtonState(p) === 1, a.pointerSeatButtonCount(p));
        return;
      }
      case EV.SCROLL_WHEEL:
      case EV.SCROLL_FINGER:
      case EV.SCROLL_CONTINUOUS: {
        const p = a.pointerEvent(ev);
        const hasX = a.pointerHasAxis(p, AXIS_HORIZONTAL) !== 0;
        const hasY = a.pointerHasAxis(p, AXIS_VERTICAL) !== 0;
        const wheel = type === EV.SCROLL_WHEEL;
        s.scroll(
          wheel ? "wheel" : type === EV.SCROLL_FINGER ? "finger" : "continuous",
          hasX ? a.pointerScrollValue(p, AXIS_HORIZONTAL) : 0,
          hasY ? a.pointerScrollValue(p, AXIS_VERTICAL) : 0,
          wheel && hasX ? a.pointerScrollV120(p, AXIS_HORIZONTAL) : NaN,
          wheel && hasY ? a.pointerScrollV120(p, AXIS_VERTICAL) : NaN,
          hasX, hasY,
        );
        return;
      }
      case EV.POINTER_AXIS:
        return; // the deprecated event libinput sends alongside the three above
      case EV.TOUCH_DOWN:
      case EV.TOUCH_MOTION: {
        const t = a.touchEvent(ev);
        const [w, h] = this.options.size();
        s.touch(type === EV.TOUCH_DOWN ? "down" : "motion", a.touchSeatSlot(t), a.touchX(t, w), a.touchY(t, h));
        return;
      }
      case EV.TOUCH_UP:
        s.touch("up", a.touchSeatSlot(a.touchEvent(ev)), 0, 0);
        return;
      case EV.TOUCH_CANCEL:
        s.touch("cancel", -1, 0, 0);
        return;
      case EV.TOUCH_FRAME:
        s.touch("frame", -1, 0, 0);
        return;
      case EV.DEVICE_ADDED: {
        const ptr = a.deviceRef(a.eventDevice(ev));
        const kinds: DeviceKind[] = [];
        if (a.deviceHasCap(ptr, CAP_KEYBOARD)) kinds.push("keyboard");
        if (a.deviceHasCap(ptr, CAP_POINTER)) kinds.push("pointer");
        if (a.deviceHasCap(ptr, CAP_TOUCH)) kinds.push("touch");
        const d = { ptr, name: a.deviceName(ptr), sysname: a.deviceSysname(ptr), kinds };
        if (this.options.pointerAccel === "flat" && a.accelAvailable(ptr)) {
          if (a.accelSetProfile(ptr, 1 /* FLAT */) !== 0 || a.accelSetSpeed(ptr, 0) !== 0) log.warn(`${d.sysname}: cannot set a flat acceleration profile`);
        }
        this.devices.set(ptr, d);
        log.debug(`device added: ${describe(d)}`);
        s.deviceAdded(d);
        return;
      }
      case EV.DEVICE_REMOVED: {
        const ptr = a.eventDevice(ev);
        const d = this.devices.get(ptr);
        if (!d) return;
        this.devices.delete(ptr);
        log.debug(`device removed: ${describe(d)}`);
        s.deviceRemoved(d);
        a.deviceUnref(d.ptr);
        return;
      }
      default:
        return; // tablets, gestures, switches: not delivered
    }
  }

  private openRestricted(path: string, flags: number): number {
    // libinput asks for O_RDWR|O_NONBLOCK; a negative errno tells it why we could not
    const fd = c_open(path, flags | 0o2000000 /* O_CLOEXEC */, 0);
    if (fd >= 0) return fd;
    const errno = koffi.errno();
    log.warn(`cannot open ${path}: ${new SysError("open", errno).code}${errno === 13 ? " (run as root or join the 'input' group)" : ""}`);
    return -errno;
  }

  private closeRestricted(fd: number): void {
    try {
      closeFd(fd);
    } catch (e) {
      log.debug(`close_restricted: ${e instanceof Error ? e.message : e}`);
    }
  }

  private log(priority: number, fmt: string, ap: Ptr): void {
    const n = this.api.vsnprintf(this.logBuf, this.logBuf.length, fmt, ap);
    const text = this.logBuf.toString("utf8", 0, Math.max(0, Math.min(n, this.logBuf.length - 1))).trimEnd();
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

  /** inotify on /dev/input: new event nodes are added once udev has recorded them; removed ones are removed. */
  private startWatch(): void {
    const a = this.api;
    if (!existsSync("/dev/input")) {
      log.info("no /dev/input (no input devices, or the evdev module is not loaded): no input");
      return;
    }
    const fd = a.inotifyInit(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
      log.warn(`inotify_init1 failed (${new SysError("inotify_init1", koffi.errno()).code}): devices plugged in later are not seen`);
      return;
    }
    if (a.inotifyAddWatch(fd, "/dev/input", IN_CREATE | IN_DELETE | IN_ATTRIB | IN_MOVED_TO) < 0) {
      log.warn(`inotify_add_watch(/dev/input) failed (${new SysError("inotify_add_watch", koffi.errno()).code}): no hotplug`);
      closeFd(fd);
      return;
    }
    const poll = new FdPoll(fd, () => this.readWatch());
    poll.watch(true, false);
    this.watch = { fd, poll, pending: new Map(), timer: undefined };
  }

  private readWatch(): void {
    const w = this.watch;
    if (!w || this.closed) return;
    const b = this.inotifyBuf;
    for (;;) {
      let n: number;
      try {
        n = readNonBlocking(w.fd, b, "inotify /dev/input");
      } catch (e) {
        log.warn(`reading inotify: ${e instanceof Error ? e.message : e}`);
        return;
      }
      if (n === 0) break;
      // struct inotify_event { int wd; uint32_t mask, cookie, len; char name[len]; }
      for (let o = 0; o + 16 <= n; ) {
        const mask = b.readUInt32LE(o + 4);
        const len = b.readUInt32LE(o + 12);
        const nul = b.indexOf(0, o + 16);
        const name = b.toString("latin1", o + 16, nul < 0 || nul > o + 16 + len ? o + 16 + len : nul);
        o += 16 + len;
        if (!/^event\d+$/.test(name)) continue;
        const path = `/dev/input/${name}`;
        if (mask & IN_DELETE) {
          w.pending.delete(path);
          this.removeSysname(name);
        } else if (!this.hasSysname(name)) {
          w.pending.set(path, 0);
        }
      }
    }
    this.retryPending();
  }

  /** Adds pending nodes whose udev record exists (or after ~2 s regardless), retrying every 50 ms. */
  private retryPending(): void {
    const w = this.watch;
    if (!w || this.closed || this.isSuspended) return;
    if (w.timer) clearTimeout(w.timer);
    w.timer = undefined;
    for (const [path, tries] of w.pending) {
      const name = path.slice("/dev/input/".length);
      if (this.hasSysname(name) || !existsSync(path)) {
        w.pending.delete(path);
        continue;
      }
      if (!udevRecorded(path) && tries < 40) {
        w.pending.set(path, tries + 1);
        continue;
      }
      w.pending.delete(path);
      this.addPath(path);
    }
    this.dispatch();
    if (w.pending.size) {
      w.timer = setTimeout(() => this.retryPending(), 50);
      w.timer.unref();
    }
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
    if (this.watch) {
      if (this.watch.timer) clearTimeout(this.watch.timer);
      this.watch.poll.close();
      closeFd(this.watch.fd);
      this.watch = undefined;
    }
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

const c_open = libc.func("int open(const char *path, int flags, int mode)") as (path: string, flags: number, mode: number) => number;

function describe(d: LibinputDevice): string {
  return `${d.sysname} "${d.name}" (${d.kinds.join(", ") || "not used"})`;
}

/** /dev/input/event* in numeric order. */
function listEventNodes(): string[] {
  if (!existsSync("/dev/input")) return [];
  try {
    return readdirSync("/dev/input")
      .filter((n) => /^event\d+$/.test(n))
      .sort((x, y) => Number(x.slice(5)) - Number(y.slice(5)))
      .map((n) => `/dev/input/${n}`);
  } catch (e) {
    log.warn(`cannot list /dev/input: ${e instanceof Error ? e.message : e}`);
    return [];
  }
}

/** Whether udev has written its record for an input node (where libinput reads the device's tags). */
function udevRecorded(path: string): boolean {
  if (!existsSync("/run/udev/data")) return true; // no udev at all: waiting would not help
  try {
    const rdev = statSync(path).rdev;
    const major = ((rdev >> 8) & 0xfff) | 0;
    const minor = (rdev & 0xff) | ((rdev >> 12) & 0xfff00);
    return major === INPUT_MAJOR && existsSync(`/run/udev/data/c${major}:${minor}`);
  } catch {
    return false;
  }
}

