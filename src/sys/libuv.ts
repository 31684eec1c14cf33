// libuv's own C API on the main thread's loop, loaded from the node process itself (node exports
// libuv for addons), for handles that call back into JS with plain numbers, building no objects
// per call: poll handles (uv-poll.ts) and the frame loop's event-loop turns (loop-turn.ts). Only
// the main thread's loop is uv_default_loop(); in worker threads, and wherever the process does
// not export libuv's symbols, `libuv()` is undefined and callers use node's own facilities.
import { isMainThread } from "node:worker_threads";
import { koffi } from "./libc.js";

/** uv_handle_type values of the handles opened here. */
export const UV_IDLE = 6;
export const UV_POLL = 8;

/** A handle's memory (koffi-allocated, uv_handle_size bytes) and its address, the key callbacks find it by. */
export interface UvHandleMemory {
  readonly memory: unknown;
  readonly address: number;
}

export interface Libuv {
  /** The process itself, for the handle types' own functions (uv_poll_start, uv_idle_start, ...). */
  readonly self: ReturnType<typeof koffi.load>;
  readonly loop: unknown;
  /** Memory for a handle of `type`; freed by libuv's close callback after close(). */
  allocate(type: number): UvHandleMemory;
  /** Frees memory of a handle whose init failed (never started, never closed). */
  release(handle: UvHandleMemory): void;
  /** uv_close: stops the handle; its memory is freed on a later turn, in libuv's close callback. */
  close(handle: UvHandleMemory): void;
  strerror(code: number): string;
}

/** A libuv call failed: names the call and what it acted on; `code` is libuv's (negative errno). */
export class UvError extends Error {
  constructor(
    readonly call: string,
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = "UvError";
  }
}

// Handles allocated and not yet freed, by address (tests check for leaks).
const live = new Map<number, { memory: unknown; type: number }>();

/** @internal Handles of `type` allocated and not yet released by libuv's close callback. */
export function liveUvHandles(type: number): number {
  let n = 0;
  for (const h of live.values()) if (h.type === type) n++;
  return n;
}

// What node does after each of its own I/O callbacks (MakeCallback's scope, on closing): run the
// process.nextTick queue and the microtasks the callback queued, before libuv goes on. Without it,
// they would wait for the check phase's native-immediates scope later in the same loop turn: a
// Wayland round trip's continuation (and its next request) then waited behind the rest of the turn
// (the round-trip bench: 15% more round trips per second and 13% less CPU with it).
// process._tickCallback is node's own entry to exactly that (runNextTicks); where a runtime lacks
// it, the check phase still runs them.
const tickCallback = (process as unknown as { _tickCallback?: () => void })._tickCallback;

/**
 * Calls `callback(a, b)` for libuv (a poll or idle handle's callback) and ends as node ends its own
 * I/O callbacks: an error it throws reaches 'uncaughtException', never libuv's C frame, and the
 * ticks and microtasks it queued run now. Fixed arity: a rest parameter would allocate per call.
 */
export function callFromUv(callback: ((a: number, b: number) => void) | undefined, a: number, b: number): void {
  try {
    callback?.(a, b);
  } catch (error) {
    reportUncaught(error);
  }
  afterUvCallback();
}

function afterUvCallback(): void {
  if (!tickCallback) return;
  try {
    tickCallback.call(process);
  } catch (error) {
    reportUncaught(error);
  }
}

function reportUncaught(error: unknown): void {
  setImmediate(() => {
    throw error;
  });
}

let loaded: Libuv | undefined | null = null; // null: not tried yet

/** libuv on the main thread's loop, or undefined where it is not available (see the top of this file). */
export function libuv(): Libuv | undefined {
  if (loaded === null) loaded = load();
  return loaded;
}

/**
 * A handle type's own functions (uv_poll_*, uv_idle_*), loaded from the process on first use;
 * undefined where libuv() is, or where loading them failed.
 */
export function lazyUvApi<T>(load: (uv: Libuv) => T): () => { uv: Libuv; api: T } | undefined {
  let loadedApi: { uv: Libuv; api: T } | undefined | null = null; // null: not tried yet
  return () => {
    if (loadedApi === null) {
      const uv = libuv();
      try {
        loadedApi = uv ? { uv, api: load(uv) } : undefined;
      } catch {
        loadedApi = undefined;
      }
    }
    return loadedApi;
  };
}

function load(): Libuv | undefined {
  if (!isMainThread) return undefined;
  try {
    const self = koffi.load(""); // the process itself
    const CloseCb = koffi.proto("void scanout_uv_close_cb(intptr_t handle)");
    const handleSize = self.func("size_t uv_handle_size(int type)");
    const uvClose = self.func("void uv_close(void *handle, scanout_uv_close_cb *cb)");
    const strerror = self.func("const char *uv_strerror(int err)");
    const loop = self.func("void *uv_default_loop()")();
    const onClose = koffi.register((address: number) => {
      const handle = live.get(address);
      live.delete(address);
      if (handle) koffi.free(handle.memory);
    }, koffi.pointer(CloseCb));
    const sizes = new Map<number, number>();
    const free = (h: UvHandleMemory) => {
      live.delete(h.address);
      koffi.free(h.memory);
    };
    return {
      self,
      loop,
      allocate(type) {
        let size = sizes.get(type);
        if (size === undefined) sizes.set(type, (size = Number(handleSize(type))));
        const memory = koffi.alloc("uint8_t", size);
        const address = Number(koffi.address(memory));
        live.set(address, { memory, type });
        return { memory, address };
      },
      release: free,
      close: (h) => uvClose(h.memory, onClose),
      strerror: (code) => String(strerror(code)),
    };
  } catch {
    return undefined;
  }
}
