// Whether node's event loop has something to run now, asked without running it. A headless frame
// loop never waits on I/O, so it yields to the event loop every few milliseconds (loop-turn.ts);
// with nothing waiting, that turn was pure cost: ~40 µs of CPU each inside a 1920x1080 loop, whose
// rasterizer threads leave the JS thread's caches cold (the torus: ~22 µs a frame of ~144), and the
// heap bytes of the turn and its wait. Asking first costs three libuv calls and one poll(2) with no
// wait (~0.8 µs warm, nothing allocated).
//
// Something waits when libuv would not block: a timer is due, an immediate or a callback is pending
// (uv_backend_timeout is 0 while the loop is alive), or a descriptor it watches is ready (its epoll
// descriptor polls readable: sockets, signals, the thread pool's and V8's task wake-ups). Not seen:
// timers and immediates that do not keep the process alive (unref'd), when nothing else does;
// process.nextTick callbacks queued by the frame loop's own body; and a descriptor watched only
// since the last turn (libuv adds it to its epoll set on its next poll). The frame loop still turns
// every QUIET_TURN_MS for those. Code continuing inside an immediate's callback (the frame loop's
// turns through setImmediate) always reads as work waiting: node keeps its immediates' idle handle
// active until the callback returns, so those loops turn every few milliseconds, as before.
import { c_poll, pollfdIn } from "./libc.js";
import { lazyUvApi, UvError } from "./libuv.js";

interface LoopStateApi {
  updateTime(loop: unknown): void;
  backendTimeout(loop: unknown): number;
  alive(loop: unknown): number;
  /** libuv's epoll descriptor, as a struct pollfd asking for readability. */
  pollfd: Int16Array;
}

const loopStateApi = lazyUvApi((uv): LoopStateApi => {
  const backendFd = uv.self.func("int uv_backend_fd(void *loop)")(uv.loop) as number;
  if (backendFd < 0) throw new UvError("uv_backend_fd", backendFd, "libuv has no backend descriptor");
  return {
    updateTime: uv.self.func("void uv_update_time(void *loop)"),
    backendTimeout: uv.self.func("int uv_backend_timeout(void *loop)"),
    alive: uv.self.func("int uv_loop_alive(void *loop)"),
    pollfd: pollfdIn(backendFd),
  };
});

/**
 * Whether the main thread's event loop has work waiting (see the top of this file); true wherever
 * that cannot be known (worker threads, no libuv API), so callers then turn as they would anyway.
 */
export function loopHasWork(): boolean {
  const loaded = loopStateApi();
  if (!loaded) return true;
  const { uv, api } = loaded;
  // The loop's clock stands where its last iteration left it: bring it to now, so a timer due
  // since then reads as due (uv_update_time only sets the loop's idea of now).
  api.updateTime(uv.loop);
  if (api.backendTimeout(uv.loop) === 0 && api.alive(uv.loop) !== 0) return true;
  api.pollfd[3] = 0;
  return c_poll(api.pollfd, 1, 0) !== 0; // ready, or poll failed: turn and let libuv see
}
