// A compositor that dies of SIGSEGV in the VM leaves a core file, read with gdb -batch, so a test can
// say where it died (for the report upstream). VM only: it sets the guest's kernel.core_pattern, which
// on the host would change the machine's. The forky root has no debug symbols, so frames name the
// exported functions (wlroots' API, libc, Mesa's entry points) and "??" elsewhere.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Where cores go, inside the crashing process's root (the forky root's /tmp for a chrooted compositor). */
const PATTERN = "/tmp/core.%e.%p";

/** In the VM: sends cores to /tmp/core.COMM.PID. Returns why it cannot (not the VM, not root), or undefined. */
export function armCoreDumps(): string | undefined {
  if (!existsSync("/dev/udmabuf")) return "not in the VM (core_pattern is the machine's)";
  try {
    if (readFileSync("/proc/sys/kernel/core_pattern", "utf8").trim() !== PATTERN) writeFileSync("/proc/sys/kernel/core_pattern", PATTERN);
    // KWin and Hyprland carry file capabilities (cap_sys_nice), which make a process undumpable otherwise
    writeFileSync("/proc/sys/fs/suid_dumpable", "2");
    return undefined;
  } catch (e) {
    return `cannot set core_pattern: ${(e as Error).message}`;
  }
}

/** Raises the core size limit of every process whose command is `comm` (prlimit); returns their pids. */
export function allowCores(comm: string): number[] {
  const pids: number[] = [];
  for (const p of readdirSync("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readFileSync(`/proc/${p}/comm`, "utf8").trim() !== comm) continue;
    } catch {
      continue;
    }
    if (spawnSync("prlimit", ["--pid", p, "--core=unlimited"]).status === 0) pids.push(Number(p));
  }
  return pids;
}

/** gdb's backtrace of the newest core of `comm` under `root`/tmp (binary `root`/`binary`), or why there is none. */
export function coreBacktrace(root: string, comm: string, binary: string): string {
  const dir = join(root, "tmp");
  const cores = readdirSync(dir)
    .filter((f) => f.startsWith(`core.${comm.slice(0, 15)}.`))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!cores.length) return `no core of ${comm} in ${dir}`;
  if (spawnSync("sh", ["-c", "command -v gdb"]).status !== 0) return `a core (${cores[0]}), but no gdb to read it`;
  try {
    const out = execFileSync("gdb", ["-batch", "-nx", "-ex", `set sysroot ${root}`, "-ex", "set print frame-arguments none", "-ex", "bt 25", join(root, binary), cores[0]!], {
      encoding: "utf8",
      timeout: 180_000,
      stdio: ["ignore", "pipe", "pipe"],
    });
    return out.split("\n").filter((l) => /^#\d+|signal|SIGSEGV|Program terminated/.test(l)).join("\n");
  } catch (e) {
    return `gdb failed on ${cores[0]}: ${(e as Error).message.split("\n").slice(0, 4).join(" | ")}`;
  }
}

/** gdb attached to a running compositor: on a fatal signal it prints the backtrace, then lets the signal kill it as it would have. */
export interface AttachedGdb {
  /** Resolves once gdb has attached and the compositor runs on (false: gdb could not attach within the time). */
  readonly ready: Promise<boolean>;
  /** What gdb printed so far: its backtrace lines once the compositor took a fatal signal. */
  backtrace(): string;
  /** Whether the compositor took a fatal signal (gdb holds it while it prints the backtrace, then lets it die). */
  sawSignal(): boolean;
  /** Detaches (ends gdb; the compositor runs on). */
  stop(): void;
}

/** Attaches host gdb (`root` as its sysroot) to the process named `comm`, or undefined when there is none or no gdb. */
export function attachGdb(root: string, comm: string, timeoutMs = 180_000): AttachedGdb | undefined {
  if (spawnSync("sh", ["-c", "command -v gdb"]).status !== 0) return undefined;
  const pid = readdirSync("/proc").find((p) => {
    try {
      return /^\d+$/.test(p) && readFileSync(`/proc/${p}/comm`, "utf8").trim() === comm;
    } catch {
      return false;
    }
  });
  if (!pid) return undefined;
  let out = "";
  // continue; on the fatal signal: the libraries' symbols (read only then: all of Mesa and LLVM take minutes under
  // emulation), the backtrace, then continue again so the signal does what it would have
  const gdb = spawn("gdb", ["-batch", "-nx", "-ex", `set sysroot ${root}`, "-ex", "set pagination off", "-ex", "set print frame-arguments none", "-ex", "set auto-solib-add off", "-ex", "handle SIGPIPE SIGUSR1 SIGUSR2 SIGCHLD nostop noprint pass", "-ex", "continue", "-ex", "sharedlibrary", "-ex", "bt 30", "-ex", "info registers rip", "-ex", "x/6i $pc", "-ex", "thread apply all bt 14", "-ex", "continue", "-p", pid], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  gdb.stdout.on("data", (d: Buffer) => (out += d.toString()));
  gdb.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const ready = new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), timeoutMs);
    const check = () => {
      if (/Continuing\./.test(out)) {
        clearTimeout(t);
        resolve(true);
      }
    };
    gdb.stdout.on("data", check);
    gdb.once("exit", () => (clearTimeout(t), resolve(/Continuing\./.test(out))));
  });
  return {
    ready,
    sawSignal: () => /received signal SIG(SEGV|BUS|ABRT|ILL|FPE)/.test(out),
    backtrace: () => out.split("\n").filter((l) => /^#\d+|signal SIG|^rip|^=> |^ {3}0x|^Thread \d/.test(l)).join("\n"),
    stop: () => {
      if (gdb.exitCode === null) gdb.kill("SIGKILL"); // the kernel detaches the compositor, which runs on
    },
  };
}
