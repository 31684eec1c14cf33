// DRM leases on a real kernel (the VM's vkms or virtio-gpu): this process (the lessor, DRM master)
// leases the whole display path (connector, CRTC, primary plane) to a child process, passing the
// lease fd over a unix socket (SCM_RIGHTS); the child (dist/examples/kms-lessee.js) sees only the
// leased objects, modesets and flips; revoking ends it cleanly, and the display state the lessor
// saved is restored afterwards. Refused leases name the object. Skips without /dev/dri/card0.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DrmDevice, DrmLease, leasesSupported, listLessees, listOutputs, restoreState, saveState, summarizeState, type ConnectorId,
  type CrtcId, type KmsState, type OutputInfo, type PlaneId, type StateSummary,
} from "../../src/drm/index.js";
import { close as closeFd, openFdCount } from "../../src/sys/libc.js";
import { socketPair } from "../../src/sys/socket.js";

const CARD = "/dev/dri/card0";
const skipWhy = existsSync(CARD) ? "" : "no /dev/dri/card0: run in the VM with test/vm/run-suite.sh test/drm/lease.vm.test.ts";
if (skipWhy) console.warn(`[lease.vm.test] skipped: ${skipWhy}`);

describe.skipIf(!!skipWhy)("DRM leases", () => {
  let dev: DrmDevice;
  let out: OutputInfo;
  let saved: KmsState;
  let initial: StateSummary;
  let crtc: CrtcId;
  let primary: PlaneId;
  beforeAll(() => {
    dev = DrmDevice.open(CARD);
    dev.setMaster();
    out = listOutputs(dev).outputs.find((o) => o.connected)!;
    crtc = out.crtcs[0]!;
    primary = out.planes.primary.find((p) => dev.plane(p).possibleCrtcs.includes(crtc))!;
    saved = saveState(dev);
    initial = summarizeState(dev);
  });
  afterAll(() => dev?.close());

  it("the kernel has leases", () => {
    expect(leasesSupported(dev)).toBe(true);
    expect(listLessees(dev)).toEqual([]);
  });

  it("a refused lease names the object and why", () => {
    const c = out.connector.id;
    expect(() => DrmLease.create(dev, { connectors: [9999 as ConnectorId], crtcs: [crtc], planes: [primary] }))
      .toThrow(new RegExp(`connector 9999 does not exist \\(connectors: .*${c}`));
    expect(() => DrmLease.create(dev, { connectors: [c], crtcs: [crtc], planes: [] })).toThrow(/needs at least one plane/);
    expect(() => DrmLease.create(dev, { connectors: [c], crtcs: [], planes: [primary] })).toThrow(/needs at least one CRTC/);
    expect(() => DrmLease.create(dev, { connectors: [c], crtcs: [c as unknown as CrtcId], planes: [primary] }))
      .toThrow(new RegExp(`crtc ${c} does not exist`));
    const lease = DrmLease.create(dev, { connectors: [c], crtcs: [crtc], planes: [primary] });
    try {
      expect(listLessees(dev)).toEqual([lease.lesseeId]);
      expect(() => DrmLease.create(dev, { connectors: [c], crtcs: [crtc], planes: [primary] }))
        .toThrow(new RegExp(`object ${c} is already leased to lessee ${lease.lesseeId}`));
    } finally {
      lease.revoke();
    }
    expect(listLessees(dev)).toEqual([]);
  });

  it("a child flips on the leased connector through the fd it received; revoking ends it cleanly", async () => {
    const fds = openFdCount();
    const lease = DrmLease.create(dev, { connectors: [out.connector.id], crtcs: [crtc], planes: [primary] });
    const [mine, theirs] = socketPair();
    const child = spawn(process.execPath, ["dist/examples/kms-lessee.js", "--socket-fd", "3"], {
      stdio: ["ignore", "pipe", "pipe", theirs.descriptor],
    });
    theirs.close();
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const lines: Record<string, unknown>[] = [];
    const waiters: [string, (l: Record<string, unknown>) => void][] = [];
    createInterface({ input: child.stdout! }).on("line", (l) => {
      const msg = JSON.parse(l) as Record<string, unknown>;
      lines.push(msg);
      for (const [event, resolve] of waiters) if (msg.event === event) resolve(msg);
    });
    const next = (event: string) => {
      const seen = lines.find((l) => l.event === event);
      return seen ? Promise.resolve(seen) : new Promise<Record<string, unknown>>((r) => waiters.push([event, r]));
    };
    // "close": the exit status and the end of its stdio pipes, so they do not count as open fds below
    const exited = new Promise<number | null>((r) => child.on("close", (code) => r(code)));

    const leaseFd = lease.takeFd();
    await mine.send(Uint8Array.of(1), [leaseFd]);
    closeFd(leaseFd); // the child has its own copy now
    mine.close();
    // the lessee sees exactly the leased objects, and nothing else of the device
    const leased = await next("leased");
    expect([...(leased.objects as number[])].sort()).toEqual([out.connector.id, crtc, primary].sort());
    expect(leased.connectors).toEqual([out.connector.id]);
    expect(leased.crtcs).toEqual([crtc]);
    expect(leased.planes).toEqual([primary]);
    const ready = await next("ready");
    expect(ready).toMatchObject({ connector: out.name, crtc, plane: primary });
    // the lessee's framebuffer is on the lessor's CRTC now (the lessor reads the state of all objects)
    await new Promise((r) => setTimeout(r, 1500));
    const during = summarizeState(dev);
    expect(during.planes.find((p) => p.id === primary)?.fb).toBeDefined();
    expect(listLessees(dev)).toEqual([lease.lesseeId]);

    lease.revoke();
    const code = await exited;
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const end = lines.at(-1)!;
    expect(end.event).toBe("revoked");
    expect(end.frames as number).toBeGreaterThan(10);
    console.log(`lessee flipped ${end.frames} frames before the revoke`);
    expect(listLessees(dev)).toEqual([]);
    // the objects are the lessor's again: it restores its display state
    restoreState(dev, saved);
    expect(summarizeState(dev)).toEqual(initial);
    expect(openFdCount()).toBe(fds);
  });
});
