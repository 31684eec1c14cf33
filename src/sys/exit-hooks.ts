// Clean-ups that must run however the process ends: normal exit, SIGINT, SIGTERM, SIGHUP or an
// uncaught exception (putting the display and the terminal back). Each runs at most once, the most
// recently registered first. After a signal the signal is raised again with its default action, so
// the process still ends the way its parent expects, unless the application listens for it itself.
// The listeners are installed only while some clean-up is registered.
import { logger } from "../util/log.js";

const log = logger("sys");

/** Gets why the process ends: "exit", the signal's name, or "uncaught <error name>". */
type Cleanup = (reason: string) => void;

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
const cleanups = new Set<{ run: Cleanup }>();
let installed = false;

function runAll(reason: string): void {
  const pending = [...cleanups].reverse();
  cleanups.clear();
  uninstall();
  for (const c of pending) {
    try {
      c.run(reason);
    } catch (e) {
      log.error(`clean-up on ${reason} failed: ${e instanceof Error ? e.message : e}`);
    }
  }
}

const onExit = () => runAll("exit");
const onUncaught = (err: unknown) => runAll(`uncaught ${err instanceof Error ? err.name : "error"}`);
const onSignal = (signal: NodeJS.Signals) => {
  runAll(signal);
  // with our listener gone, a listener-less signal gets its default action again: re-raise it
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
};

function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", onExit);
  process.on("uncaughtExceptionMonitor", onUncaught);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off("exit", onExit);
  process.off("uncaughtExceptionMonitor", onUncaught);
  for (const s of SIGNALS) process.off(s, onSignal);
}

/**
 * Runs `cleanup` once when the process ends (see the file comment). It must be synchronous: on exit
 * and after a signal nothing asynchronous gets to run. Returns a function that unregisters it
 * (idempotent), for when the resource was released the ordinary way.
 */
export function onProcessExit(cleanup: Cleanup): () => void {
  const entry = { run: cleanup };
  cleanups.add(entry);
  install();
  return () => {
    if (cleanups.delete(entry) && cleanups.size === 0) uninstall();
  };
}
