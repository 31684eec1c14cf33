// Keys into Mutter through its remote desktop D-Bus API (org.gnome.Mutter.RemoteDesktop: a session,
// Start, NotifyKeyboardKeycode), the way GNOME's remote desktop server injects them. Mutter makes a
// virtual keyboard for the session on its first key, so its headless seat, which has no keyboard,
// gains one, and our window gets keyboard focus and key serials. A session lives only as long as the
// D-Bus client that made it, so the client is a small Python (GLib's Gio, in the forky root) process
// run in the compositor's namespaces, taking keys through a FIFO in the runtime folder. Test-only.
import { execFileSync } from "node:child_process";
import { closeSync, constants, existsSync, openSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { ForkyBed } from "../../scripts/testbed/forky.js";

const SCRIPT = `
import sys
from gi.repository import Gio, GLib
fifo, ack = sys.argv[1], sys.argv[2]
bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
def call(path, iface, method, args=None, sig=None):
    v = GLib.Variant(sig, args) if sig else None
    return bus.call_sync("org.gnome.Mutter.RemoteDesktop", path, iface, method, v, None, 0, 5000, None)
path = call("/org/gnome/Mutter/RemoteDesktop", "org.gnome.Mutter.RemoteDesktop", "CreateSession").unpack()[0]
session = "org.gnome.Mutter.RemoteDesktop.Session"
call(path, session, "Start")
done = 0
def tell(line):
    with open(ack, "a") as f:
        f.write(line + "\\n")
tell("started")
while True:
    with open(fifo) as f:
        for line in f:
            words = line.split()
            if words == ["quit"]:
                call(path, session, "Stop")
                sys.exit(0)
            if len(words) == 3 and words[0] == "key":
                call(path, session, "NotifyKeyboardKeycode", (int(words[1]), words[2] == "1"), "(ub)")
                done += 1
                tell("done %d" % done)
`;

let started = 0;

export class MutterRemoteKeys {
  private sent = 0;

  private constructor(
    private readonly fifo: string,
    private readonly ack: string,
    private readonly exited: Promise<unknown>,
  ) {}

  /** Starts the D-Bus client in `bed` (Mutter) and its remote desktop session. */
  static async start(bed: ForkyBed): Promise<MutterRemoteKeys> {
    const dir = bed.runtimeDir;
    const name = `remote-keys-${++started}`; // one bed may see several (the names live in its runtime folder)
    writeFileSync(join(dir, `${name}.py`), SCRIPT);
    execFileSync("mkfifo", ["-m", "600", join(dir, `${name}.fifo`)]);
    let failed: Error | undefined;
    const exited = bed.exec(["python3", `${name}.py`, `${name}.fifo`, `${name}.ack`], { timeoutMs: 10 * 60_000 }).catch((e: Error) => (failed = e));
    const keys = new MutterRemoteKeys(join(dir, `${name}.fifo`), join(dir, `${name}.ack`), exited);
    await keys.until("the remote desktop session", () => keys.acks().includes("started"), () => failed);
    return keys;
  }

  private acks(): string {
    return existsSync(this.ack) ? readFileSync(this.ack, "utf8") : "";
  }

  private async until(what: string, test: () => boolean, failed: () => Error | undefined = () => undefined, ms = 15_000): Promise<void> {
    const end = performance.now() + ms;
    while (!test()) {
      const e = failed();
      if (e) throw new Error(`Mutter remote desktop: ${what}: ${e.message}`);
      if (performance.now() > end) throw new Error(`Mutter remote desktop: no ${what} within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Writes command lines to the client (non-blocking: a client that is gone is an error, not a hang). */
  private async send(lines: string[]): Promise<void> {
    let fd = -1;
    for (let i = 0; fd < 0; i++) {
      try {
        fd = openSync(this.fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENXIO" || i > 250) throw e; // ENXIO: between two opens of the reader
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    try {
      writeSync(fd, lines.map((l) => `${l}\n`).join(""));
    } finally {
      closeSync(fd);
    }
  }

  /** Taps each key (evdev codes): all pressed in order, released in reverse; resolves once Mutter took them. */
  async tap(...codes: number[]): Promise<void> {
    const lines = [...codes.map((c) => `key ${c} 1`), ...[...codes].reverse().map((c) => `key ${c} 0`)];
    await this.send(lines);
    this.sent += lines.length;
    await this.until("key acknowledgement", () => this.acks().includes(`done ${this.sent}\n`));
  }

  async close(): Promise<void> {
    try {
      await this.send(["quit"]);
    } catch {
      // already gone
    }
    await this.exited;
  }
}
