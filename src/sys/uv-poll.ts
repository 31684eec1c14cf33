// libuv poll handles on the main thread's loop (libuv.ts), called back through one koffi callback
// with plain numbers. koffi.node.poll does the same job, but builds a { readable, writable,
// disconnect } object for every wake-up with three napi_set_named_property calls (each a string
// lookup and a map transition in V8's runtime): about 2.5 µs per wake-up under `perf` in the
// Wayland round-trip bench, where the round trip's whole user-space share is about 12 µs. Where
// libuv() is unavailable (worker threads), `openUvPoll` returns undefined and the caller uses
// koffi.node.poll.
import { koffi } from "./libc.js";
import { callFromUv, lazyUvApi, liveUvHandles, UV_POLL, UvError } from "./libuv.js";

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

interface PollApi {
  init(loop: unknown, handle: unknown, fd: number): number;
  start(handle: unknown, events: number, cb: unknown): number;
  stop(handle: unknown): number;
  onPoll: unknown;
}

// Open handles' callbacks by address: the one registered callback finds its handle's owner here.
const callbacks = new Map<number, UvPollCallback>();

/** @internal Poll handles opened and not yet released by libuv's close callback (tests check for leaks). */
export function liveUvPolls(): number {
  return liveUvHandles(UV_POLL);
}

const pollApi = lazyUvApi((uv): PollApi => {
  const PollCb = koffi.proto("void scanout_uv_poll_cb(intptr_t handle, int status, int events)");
  return {
    init: uv.self.func("int uv_poll_init(void *loop, void *handle, int fd)"),
    start: uv.self.func("int uv_poll_start(void *handle, int events, scanout_uv_poll_cb *cb)"),
    stop: uv.self.func("int uv_poll_stop(void *handle)"),
    onPoll: koffi.register(
      (handle: number, status: number, events: number) => callFromUv(callbacks.get(handle), status, events),
      koffi.pointer(PollCb),
    ),
  };
});

/**
 * A poll handle for `fd` on the main thread's libuv loop, or undefined where that is not available
 * (see libuv.ts). `callback` runs straight from libuv; an error it throws reaches
 * 'uncaughtException' on the next turn.
 */
export function openUvPoll(fd: number, callback: UvPollCallback): UvPoll | undefined {
  const loaded = pollApi();
  if (!loaded) return undefined;
  const { uv, api: poll } = loaded;
  const handle = uv.allocate(UV_POLL);
  const ret = poll.init(uv.loop, handle.memory, fd);
  if (ret !== 0) {
    uv.release(handle);
    throw new UvError("uv_poll_init", ret, `uv_poll_init (fd ${fd}): ${uv.strerror(ret)}`);
  }
  callbacks.set(handle.address, callback);
  let closed = false;
  return {
    start(events) {
      if (closed) return;
      const r = poll.start(handle.memory, events, poll.onPoll);
      if (r !== 0) throw new UvError("uv_poll_start", r, `uv_poll_start (fd ${fd}): ${uv.strerror(r)}`);
    },
    stop() {
      if (!closed) poll.stop(handle.memory);
    },
    close() {
      if (closed) return;
      closed = true;
      callbacks.delete(handle.address);
      uv.close(handle); // stops it; the close callback frees the memory
    },
  };
}
