// A one-shot timer on the main thread's libuv loop (libuv.ts), called back through one koffi callback
// the way poll handles are (uv-poll.ts), so its wake-up runs the same code as a socket's rather than
// node's timer lists (processTimers, listOnTimeout): the Wayland connection's read batching
// (socket-io.ts) wakes this way once a frame. Where libuv() is unavailable (worker threads) it is a
// setTimeout.
import { koffi } from "./libc.js";
import { callFromUv, lazyUvApi, liveUvHandles } from "./libuv.js";

/** libuv's uv_handle_type of a timer. */
const UV_TIMER = 13;

/** A re-armable one-shot timer. */
export interface UvTimer {
  /** Calls back once in `ms` milliseconds (libuv's millisecond clock, read anew now); replaces a pending start. */
  start(ms: number): void;
  /** The pending call back does not come. */
  stop(): void;
  /** Stops and releases the timer; start() does nothing after it. */
  close(): void;
  /** @internal libuv's own timer, or setTimeout. */
  readonly kind: "libuv" | "timeout";
}

interface TimerApi {
  init(loop: unknown, handle: unknown): number;
  start(handle: unknown, cb: unknown, timeout: number, repeat: number): number;
  stop(handle: unknown): number;
  updateTime(loop: unknown): void;
  onTimer: unknown;
}

// Open timers' callbacks by address: the one registered callback finds its timer's owner here.
const callbacks = new Map<number, () => void>();
const fireByAddress = (address: number): void => callbacks.get(address)?.();

/** @internal Timers opened and not yet released by libuv's close callback (tests check for leaks). */
export function liveUvTimers(): number {
  return liveUvHandles(UV_TIMER);
}

const timerApi = lazyUvApi((uv): TimerApi => {
  const TimerCb = koffi.proto("void scanout_uv_timer_cb(intptr_t handle)");
  return {
    init: uv.self.func("int uv_timer_init(void *loop, void *handle)"),
    start: uv.self.func("int uv_timer_start(void *handle, scanout_uv_timer_cb *cb, uint64_t timeout, uint64_t repeat)"),
    stop: uv.self.func("int uv_timer_stop(void *handle)"),
    updateTime: uv.self.func("void uv_update_time(void *loop)"),
    onTimer: koffi.register((handle: number) => callFromUv(fireByAddress, handle, 0), koffi.pointer(TimerCb)),
  };
});

/** A timer calling `callback` on the main thread (see the top of this file); an error it throws reaches 'uncaughtException'. */
export function openUvTimer(callback: () => void): UvTimer {
  const loaded = timerApi();
  if (!loaded) return timeoutTimer(callback);
  const { uv, api } = loaded;
  const handle = uv.allocate(UV_TIMER);
  const ret = api.init(uv.loop, handle.memory);
  if (ret !== 0) {
    uv.release(handle);
    return timeoutTimer(callback);
  }
  callbacks.set(handle.address, callback);
  let closed = false;
  return {
    kind: "libuv",
    start(ms) {
      if (closed) return;
      // the loop's clock was read when this turn began; the time spent in it since would make the timer early
      api.updateTime(uv.loop);
      api.start(handle.memory, api.onTimer, Math.max(0, Math.ceil(ms)), 0);
    },
    stop() {
      if (!closed) api.stop(handle.memory);
    },
    close() {
      if (closed) return;
      closed = true;
      callbacks.delete(handle.address);
      uv.close(handle); // stops it; the close callback frees the memory
    },
  };
}

function timeoutTimer(callback: () => void): UvTimer {
  let pending: NodeJS.Timeout | undefined;
  let closed = false;
  const run = (): void => {
    pending = undefined;
    callback();
  };
  return {
    kind: "timeout",
    start(ms) {
      if (closed) return;
      clearTimeout(pending);
      pending = setTimeout(run, Math.max(0, ms));
    },
    stop() {
      clearTimeout(pending);
      pending = undefined;
    },
    close() {
      closed = true;
      this.stop();
    },
  };
}
