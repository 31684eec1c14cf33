// "Let the event loop run its other phases, then call me back": what setImmediate does, at a
// fraction of its heap cost. A frame loop whose backend never waits on I/O (headless) yields this
// way every few milliseconds; at low frame rates that is nearly every frame, and each setImmediate
// allocated ~500 heap bytes (its Immediate, its async ids, and node's async-context stack, whose
// array V8 empties at every pop back to depth 0 and reallocates at the next push): the room at
// 1920x1080 allocated ~390 heap bytes a frame with them, ~115 with this.
//
// On the main thread a libuv idle handle does the job for ~60 bytes a turn (numbers boxed on the
// way through koffi and node's tick queue, against ~370 for setImmediate): while it is active, libuv
// polls for I/O without blocking, and its callback comes once per loop iteration, after timers and
// before I/O, immediates and close callbacks. A callback straight from libuv runs in no async
// context, so the idle handle serves only a request made in none; one made under a callback's
// async id, or by an owner that started in an AsyncLocalStorage store (inAsyncContext(), asked once
// when it starts), goes through setImmediate, whose callback runs in the context it was made in
// (entering that context again is what costs). In worker threads, whose loop is not libuv's
// default one, it is setImmediate too.
import { AsyncResource, executionAsyncId } from "node:async_hooks";
import { koffi } from "./libc.js";
import { callFromUv, lazyUvApi, UV_IDLE, type Libuv, type UvHandleMemory } from "./libuv.js";

/** A reusable request for one event-loop turn, made once per owner (a presenter's frame loop). */
export interface LoopTurn {
  /**
   * Calls back once after the event loop's other phases have run; a second request before then is
   * the same turn. `keepContext`: the callback must run in the caller's async context (the owner
   * started in one: inAsyncContext()); a request under a callback's async id keeps it anyway.
   */
  request(keepContext: boolean): void;
  /** Drops a pending request: the callback does not come. */
  cancel(): void;
  /** Cancels and releases the handle; request() does nothing after it. */
  close(): void;
  /** @internal How the pending or last request was made: libuv's idle handle or setImmediate. */
  readonly lastKind: "libuv" | "immediate" | "none";
}

interface IdleApi {
  init(loop: unknown, handle: unknown): number;
  start(handle: unknown, cb: unknown): number;
  stop(handle: unknown): number;
  onIdle: unknown;
}

/**
 * Whether AsyncLocalStorage may be kept in AsyncContextFrame (node 24 by default, 22 and 23 with a
 * flag): its stores are then invisible from here, so every request counts as made in a context.
 */
const ASYNC_CONTEXT_FRAME = ((): boolean => {
  const flags = `${process.execArgv.join(" ")} ${process.env.NODE_OPTIONS ?? ""}`;
  const major = Number(process.versions.node.split(".")[0]);
  if (major >= 24) return !flags.includes("--no-async-context-frame");
  return flags.includes("--experimental-async-context-frame");
})();

/**
 * Whether code running now has an async context that a callback straight from libuv would not: an
 * async id of node's (inside a callback, or after an await once async hooks are on) or an
 * AsyncLocalStorage store (als.run() or enterWith() outside any callback). The store shows on a new
 * AsyncResource, which AsyncLocalStorage's own hook gives the current stores; without it, nothing
 * does. It allocates that resource: ask once per run, not per turn. (executionAsyncResource() would
 * show the stores without one, but switches node's callbacks to its slower JS trampoline for good.)
 */
export function inAsyncContext(): boolean {
  if (ASYNC_CONTEXT_FRAME || executionAsyncId() !== 0) return true;
  const probe = new AsyncResource("scanout.LoopTurn.probe");
  const ids = [probe.asyncId(), probe.triggerAsyncId()];
  const fields = probe as unknown as Record<symbol, unknown>;
  // its own symbols: its two async ids, and one per AsyncLocalStorage in use holding that store
  for (const key of Object.getOwnPropertySymbols(probe)) {
    const value = fields[key];
    if (value !== undefined && !ids.includes(value as number)) return true;
  }
  return false;
}

// Open handles' callbacks by address: the one registered callback finds its handle's owner here.
const callbacks = new Map<number, () => void>();
const idleApi = lazyUvApi((uv): IdleApi => {
  const IdleCb = koffi.proto("void scanout_uv_idle_cb(intptr_t handle)");
  return {
    init: uv.self.func("int uv_idle_init(void *loop, void *handle)"),
    start: uv.self.func("int uv_idle_start(void *handle, scanout_uv_idle_cb *cb)"),
    stop: uv.self.func("int uv_idle_stop(void *handle)"),
    onIdle: koffi.register((address: number) => callFromUv(callbacks.get(address), 0, 0), koffi.pointer(IdleCb)),
  };
});

/** An idle handle for `callback`, or undefined where libuv's API is not available (see libuv.ts). */
function openIdle(callback: () => void): { uv: Libuv; idle: IdleApi; handle: UvHandleMemory } | undefined {
  const loaded = idleApi();
  if (!loaded) return undefined;
  const { uv, api: idle } = loaded;
  const handle = uv.allocate(UV_IDLE);
  const ret = idle.init(uv.loop, handle.memory);
  if (ret !== 0) {
    uv.release(handle);
    return undefined;
  }
  callbacks.set(handle.address, callback);
  return { uv, idle, handle };
}

let turnsStarted = 0;

/** @internal Turns started by every LoopTurn in this thread so far (tests count a frame loop's turns). */
export function loopTurnsStarted(): number {
  return turnsStarted;
}

/** A LoopTurn calling `callback`; an error it throws reaches 'uncaughtException'. */
export function openLoopTurn(callback: () => void): LoopTurn {
  return new Turn(callback);
}

class Turn implements LoopTurn {
  private native: ReturnType<typeof openIdle> | null = null; // null: not opened yet
  private immediate: NodeJS.Immediate | undefined;
  private idlePending = false;
  private closed = false;
  lastKind: "libuv" | "immediate" | "none" = "none";
  private readonly fromIdle = (): void => {
    // one turn per request: stopped before the callback, which may request the next one
    this.cancel();
    this.callback();
  };
  private readonly fromImmediate = (): void => {
    this.immediate = undefined;
    this.callback();
  };

  constructor(private readonly callback: () => void) {}

  request(keepContext: boolean): void {
    if (this.closed || this.idlePending || this.immediate) return;
    if (!keepContext && !ASYNC_CONTEXT_FRAME && executionAsyncId() === 0) {
      if (this.native === null) this.native = openIdle(this.fromIdle);
      const n = this.native;
      if (n && n.idle.start(n.handle.memory, n.idle.onIdle) === 0) {
        this.idlePending = true;
        this.lastKind = "libuv";
        turnsStarted++;
        return;
      }
    }
    this.immediate = setImmediate(this.fromImmediate);
    this.lastKind = "immediate";
    turnsStarted++;
  }

  cancel(): void {
    if (this.idlePending && this.native) this.native.idle.stop(this.native.handle.memory);
    this.idlePending = false;
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = undefined;
  }

  close(): void {
    if (this.closed) return;
    this.cancel();
    this.closed = true;
    const n = this.native;
    this.native = undefined;
    if (!n) return;
    callbacks.delete(n.handle.address);
    n.uv.close(n.handle);
  }
}
