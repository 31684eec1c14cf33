// libuv poll handles on the main thread's loop, started through libuv's own C API and called back
// through one koffi callback with plain numbers. koffi.node.poll does the same job, but builds a
// { readable, writable, disconnect } object for every wake-up with three napi_set_named_property
// calls (each a string lookup and a map transition in V8's runtime): about 2.5 µs per wake-up
// under `perf` in the Wayland round-trip bench, where the round trip's whole user-space share is
// about 12 µs. Only the main thread's loop is uv_default_loop(); elsewhere (worker threads), and
// wherever the process does not export libuv's symbols, `openUvPoll` returns undefined and the
// caller uses koffi.node.poll.
import { isMainThread } from "node:worker_threads";
import { koffi } from "./libc.js";

/** libuv's uv_poll_event bits. */
export const UV_READABLE = 1;
export const UV_WRITABLE = 2;

/** A started-or-stopped libuv poll handle; `close` releases it (libuv frees it on a later turn). */
export interface UvPoll {
  /** Watches for `events` (UV_READABLE | UV_WRITABLE); replaces what it watched before. */
  start(events: number): void;
  stop(): void;
  close(): void;
}

/** status < 0 is a negated errno (libuv has stopped the handle); events are uv_poll_event bits. */
export type UvPollCallback = (status: number, events: number) => void;

const UV_POLL_HANDLE_TYPE = 8; // uv_handle_type's UV_POLL

interface Libuv {
  loop: unknown;
  handleSize: number;
  init(loop: unknown, handle: unknown, fd: number): number;
  start(handle: unknown, events: number, cb: unknown): number;
  stop(handle: unknown): number;
  close(handle: unknown, cb: unknown): void;
  strerror(code: number): string;
  onPoll: unknown;
  onClose: unknown;
}

// Live handles by address: the one registered callback finds its handle's owner here.
const byAddress = new Map<number, { callback: UvPollCallback; memory: unknown }>();

/** @internal Handles opened and not yet released by libuv's close callback (tests check for leaks). */
export function liveUvPolls(): number {
  return byAddress.size;
}

let libuv: Libuv | undefined | null = null; // null: not tried yet

// What node does after each of its own I/O callbacks (MakeCallback's scope, on closing): run the
// process.nextTick queue and the microtasks the callback queued, before libuv goes on. Without it,
// they would wait for the check phase's native-immediates scope later in the same loop turn: a
// Wayland round trip's continuation (and its next request) then waited behind the rest of the turn
// (the round-trip bench: 15% more round trips per second and 13% less CPU with it).
// process._tickCallback is node's own entry to exactly that (runNextTicks); where a runtime lacks
// it, the check phase still runs them.
const tickCallback = (process as unknown as { _tickCallback?: () => void })._tickCallback;

function runTicksAndMicrotasks(): void {
  if (!tickCallback) return;
  try {
    tickCallback.call(process);
  } catch (error) {
    reportUncaught(error);
  }
}

/** An error thrown in a callback from libuv reaches 'uncaughtException', as one in node's own I/O callbacks does. */
function reportUncaught(error: unknown): void {
  setImmediate(() => {
    throw error;
  });
}

function loadLibuv(): Libuv | undefined {
  if (!isMainThread) return undefined;
  try {
    const self = koffi.load(""); // the process itself: node exports libuv for addons
    const PollCb = koffi.proto("void scanout_uv_poll_cb(intptr_t handle, int status, int events)");
    const CloseCb = koffi.proto("void scanout_uv_close_cb(intptr_t handle)");
    const uvDefaultLoop = self.func("void *uv_default_loop()");
    const uvHandleSize = self.func("size_t uv_handle_size(int type)");
    const onPoll = koffi.register((handle: number, status: number, events: number) => {
      try {
        byAddress.get(handle)?.callback(status, events);
      } catch (error) {
        reportUncaught(error); // never into libuv's C frame
      }
      runTicksAndMicrotasks();
    }, koffi.pointer(PollCb));
    const onClose = koffi.register((handle: number) => {
      const owner = byAddress.get(handle);
      byAddress.delete(handle);
      if (owner) koffi.free(owner.memory);
    }, koffi.pointer(CloseCb));
    const strerror = self.func("const char *uv_strerror(int err)");
    return {
      loop: uvDefaultLoop(),
      handleSize: Number(uvHandleSize(UV_POLL_HANDLE_TYPE)),
      init: self.func("int uv_poll_init(void *loop, void *handle, int fd)"),
      start: self.func("int uv_poll_start(void *handle, int events, scanout_uv_poll_cb *cb)"),
      stop: self.func("int uv_poll_stop(void *handle)"),
      close: self.func("void uv_close(void *handle, scanout_uv_close_cb *cb)"),
      strerror: (code) => String(strerror(code)),
      onPoll,
      onClose,
    };
  } catch {
    return undefined;
  }
}

/**
 * A poll handle for `fd` on the main thread's libuv loop, or undefined where that is not available
 * (see the top of this file). `callback` runs straight from libuv; an error it throws reaches
 * 'uncaughtException' on the next turn.
 */
export function openUvPoll(fd: number, callback: UvPollCallback): UvPoll | undefined {
  if (libuv === null) libuv = loadLibuv();
  const uv = libuv;
  if (!uv) return undefined;
  const memory = koffi.alloc("uint8_t", uv.handleSize);
  const ret = uv.init(uv.loop, memory, fd);
  if (ret !== 0) {
    koffi.free(memory);
    throw new Error(`uv_poll_init (fd ${fd}): ${uv.strerror(ret)}`);
  }
  const address = Number(koffi.address(memory));
  byAddress.set(address, { callback, memory });
  let closed = false;
  return {
    start(events) {
      if (closed) return;
      const r = uv.start(memory, events, uv.onPoll);
      if (r !== 0) throw new Error(`uv_poll_start (fd ${fd}): ${uv.strerror(r)}`);
    },
    stop() {
      if (!closed) uv.stop(memory);
    },
    close() {
      if (closed) return;
      closed = true;
      uv.close(memory, uv.onClose); // stops it; the close callback frees the memory
    },
  };
}
