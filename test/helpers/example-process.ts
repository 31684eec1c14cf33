// An example program (dist/examples/*.js) run as a process of its own against a compositor, with
// its output so far and a wait for a line: for tests that drive the examples as a user would.
import { spawn, type ChildProcess } from "node:child_process";

export interface ExampleProcess {
  readonly child: ChildProcess;
  /** Everything it wrote so far (stdout and stderr). */
  output(): string;
  /** Resolves once the output matches `re` (rejects if it exits first, or after `ms`). */
  line(re: RegExp, ms?: number): Promise<void>;
  readonly exit: Promise<number | null>;
}

/** Starts `node ARGS` with WAYLAND_DISPLAY (an absolute socket path, or a name in runtimeDir) set. */
export function example(display: { socket: string; runtimeDir: string }, args: string[]): ExampleProcess {
  const child = spawn(process.execPath, args, { env: { ...process.env, XDG_RUNTIME_DIR: display.runtimeDir, WAYLAND_DISPLAY: display.socket } });
  let output = "";
  const waiters: (() => void)[] = [];
  const onData = (d: Buffer) => {
    output += d.toString();
    waiters.forEach((w) => w());
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const line = (re: RegExp, ms = 30_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no output matching ${re} within ${ms} ms:\n${output}`)), ms);
      const check = () => re.test(output) && (clearTimeout(timer), resolve());
      waiters.push(check);
      check();
      void exit.then(() => (clearTimeout(timer), reject(new Error(`exited before printing ${re}:\n${output}`))));
    });
  return { child, output: () => output, line, exit };
}
