// libinput's C API through koffi: the function table, loaded once from libinput.so.10 (and
// libudev.so.1 for the udev backend), the callback and struct types the context needs, and the
// constants of libinput.h that we use. Nothing here keeps state besides the loaded table.
import { koffi } from "../sys/libc.js";
import { UnavailableError } from "../util/errors.js";

/** libinput could not be loaded or started (library missing, no udev). */
export class LibinputUnavailableError extends UnavailableError {
  /** @param reason what is missing and how to get it */
  constructor(reason: string, cause?: unknown) {
    super("libinput", reason, cause === undefined ? undefined : { cause });
    this.name = "LibinputUnavailableError";
  }
}

/** A native pointer (struct libinput *, struct libinput_event *, ...). */
export type Ptr = bigint;

/** The libinput (and libudev) functions we call, named without their prefixes. */
export interface LibinputApi {
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
  suspend(li: Ptr): void;
  resume(li: Ptr): number;
  accelAvailable(dev: Ptr): number;
  accelSetProfile(dev: Ptr, profile: number): number;
  accelSetSpeed(dev: Ptr, speed: number): number;
}

/** int open_restricted(path, flags, user): libinput asks us to open a device node. */
export const OpenCb = koffi.proto("int scanout_li_open(const char *path, int flags, void *user)");
/** void close_restricted(fd, user). */
export const CloseCb = koffi.proto("void scanout_li_close(int fd, void *user)");
/** The log handler: priority, printf format and its va_list. */
export const LogCb = koffi.proto("void scanout_li_log(void *li, int priority, const char *format, void *args)");
/** struct libinput_interface, which libinput keeps a pointer to for the context's life. */
export const Interface = koffi.struct("scanout_libinput_interface", {
  open_restricted: koffi.pointer(OpenCb),
  close_restricted: koffi.pointer(CloseCb),
});

let api: LibinputApi | undefined;
/** Loads libinput.so.10 (and libudev.so.1) once; throws LibinputUnavailableError naming the package when missing. */
export function loadLibinput(): LibinputApi {
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
  };
  return api;
}

// enum libinput_event_type (libinput.h)
export const EV = {
  DEVICE_ADDED: 1, DEVICE_REMOVED: 2, KEYBOARD_KEY: 300,
  POINTER_MOTION: 400, POINTER_MOTION_ABSOLUTE: 401, POINTER_BUTTON: 402, POINTER_AXIS: 403,
  SCROLL_WHEEL: 404, SCROLL_FINGER: 405, SCROLL_CONTINUOUS: 406,
  TOUCH_DOWN: 500, TOUCH_UP: 501, TOUCH_MOTION: 502, TOUCH_CANCEL: 503, TOUCH_FRAME: 504,
} as const;
export const CAP_KEYBOARD = 0;
export const CAP_POINTER = 1;
export const CAP_TOUCH = 2;
export const AXIS_VERTICAL = 0;
export const AXIS_HORIZONTAL = 1;
export const LOG_DEBUG = 10;
export const LOG_INFO = 20;
export const LOG_ERROR = 30;
export const ACCEL_PROFILE_FLAT = 1;
