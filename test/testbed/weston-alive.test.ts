// The test bed's westonAlive: a VM file that shares one Weston across tests relies on it to replace
// a compositor that crashed, including one whose process still looks alive (dumping core, unreaped)
// while its socket no longer answers. A stopped (SIGSTOP) Weston stands in for the latter.
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startWeston, type Weston, westonAlive, westonAvailable } from "../../scripts/testbed/weston.js";

const answers = (path: string) =>
  new Promise<boolean>((resolve) => {
    const s = connect(path, () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });

describe.skipIf(!westonAvailable)("westonAlive", () => {
  const started: Weston[] = [];
  afterEach(async () => {
    for (const w of started.splice(0)) await w.stop();
  });

  it("keeps a Weston that answers", async () => {
    const w = await startWeston();
    started.push(w);
    expect(await westonAlive(w, 5000)).toBe(w);
  });

  it("replaces a Weston that crashed, at once, before its exit is seen", async () => {
    const w = await startWeston();
    started.push(w);
    w.process.kill("SIGSEGV");
    const fresh = await westonAlive(w, 5000);
    started.push(fresh);
    expect(fresh).not.toBe(w);
    expect(await answers(fresh.path)).toBe(true);
  });

  it("replaces a Weston whose process lives but does not answer", async () => {
    const w = await startWeston();
    started.push(w);
    w.process.kill("SIGSTOP");
    const fresh = await westonAlive(w, 500);
    started.push(fresh);
    expect(w.process.signalCode).toBe("SIGKILL");
    expect(fresh).not.toBe(w);
    expect(await answers(fresh.path)).toBe(true);
  });
});
