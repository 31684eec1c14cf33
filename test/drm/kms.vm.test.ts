// KMS on a real kernel: vkms in the test VM (test/vm/run-suite.sh), or virtio-gpu (VMTEST_GPU=virtio).
// Skips elsewhere, saying why. What differs between drivers (writeback, modifiers, a vblank counter,
// plane rotation) is probed, never inferred from the driver's name; names and modes are checked
// against independent sources (debugfs, sysfs, modetest).
// The test process keeps its own fd open all along (so closing a child's fd never triggers the
// kernel's "last close" fbdev restore, which would hide a restore bug) and drops master before
// spawning children, so they become master.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, readlinkSync } from "node:fs";
import { basename } from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AtomicError, AtomicRequest, chooseOutput, DrmDevice, DrmEvents, DumbBuffer, fixed16, fourccName, listDevices, modeRefresh,
  restoreState, saveState, summarizeState, takeVt, type CrtcId, type KmsState, type StateSummary,
} from "../../src/drm/index.js";
import { addLogSink, setLogLevel, type LogRecord } from "../../src/util/log.js";
import { openFdCount, SysError } from "../../src/sys/libc.js";
import { runDumbFlips } from "../../bench/kms-flips.js";

const CARD = "/dev/dri/card0";
const hasCard = existsSync(CARD);
const DEBUGFS_NAME = "/sys/kernel/debug/dri/0/name";
/** The driver's name as debugfs gives it ("vkms unique=vkms", "virtio_gpu dev=... unique=..."): a source independent of our ioctls. */
const driverName = hasCard && existsSync(DEBUGFS_NAME) ? readFileSync(DEBUGFS_NAME, "utf8").split(" ")[0]! : "";
const skipWhy = !hasCard
  ? "no /dev/dri/card0 on this machine: run the KMS suite in the VM with test/vm/run-suite.sh"
  : !driverName ? "no debugfs for card0: these tests drive the display and read the kernel's atomic state there" : "";
if (skipWhy) console.warn(`[kms.vm.test] skipped: ${skipWhy}`);

const CHILD = "dist/bench/kms-flips.js";
const DEBUGFS_STATE = "/sys/kernel/debug/dri/0/state";

/** One section of `modetest -M vkms` output, as rows of tab/space separated cells. */
function modetestRows(out: string, section: string): string[][] {
  const lines = out.split("\n");
  const start = lines.findIndex((l) => l.startsWith(`${section}:`));
  expect(start, `modetest has a ${section} section`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const l of lines.slice(start + 2)) {
    if (/^\S.*:$/.test(l)) break; // next section
    if (/^\d/.test(l)) rows.push(l.trim().split(/\s+/));
  }
  return rows;
}

/** The plane block of the debugfs atomic state, e.g. "plane[32]: plane-0 ... fb=52". */
function debugfsPlane(id: number): string {
  const state = readFileSync(DEBUGFS_STATE, "utf8");
  const m = new RegExp(`^plane\\[${id}\\]:[^]*?(?=^\\S)`, "m").exec(state + "\nend");
  expect(m, `debugfs state has plane ${id}`).not.toBeNull();
  return m![0];
}

/** modetest's first mode line of the first connector, as we print modes: "1024x768@60.00". */
function modetestFirstMode(): string {
  const out = execFileSync("modetest", ["-M", driverName, "-c"], { encoding: "utf8" });
  const m = /^\s+#0 (\S+) ([\d.]+) /m.exec(out);
  expect(m, "modetest lists a mode").not.toBeNull();
  return `${m![1]}@${m![2]}`;
}

describe.skipIf(!!skipWhy)(`KMS on ${driverName || "card0"} (VM)`, () => {
  let dev: DrmDevice;
  let initial: StateSummary;
  let initialSaved: KmsState;
  /** Whether the CRTC counts vblanks: flips then carry sequence numbers and come at the refresh rate. */
  let vblankCounter = true;

  beforeAll(async () => {
    dev = DrmDevice.open(CARD);
    initial = summarizeState(dev);
    initialSaved = saveState(dev);
    try {
      await DrmEvents.of(dev).vblank(initial.crtcs.find((c) => c.active)!.id as CrtcId);
    } catch (e) {
      if (!(e instanceof SysError && e.code === "EOPNOTSUPP")) throw e;
      vblankCounter = false; // virtio-gpu: no vblank interrupt to count
    }
  });
  afterAll(() => dev?.close());

  it("opens the device: version, master, atomic, bus info", () => {
    const card = listDevices().find((d) => d.primary === CARD);
    expect(card?.bus.type).toBe(basename(readlinkSync("/sys/class/drm/card0/device/subsystem"))); // "faux" (vkms on 6.15+), "platform" (older vkms), "pci" (virtio-gpu)
    expect(dev.version().name).toBe(driverName);
    expect(dev.version().description).not.toBe("");
    expect(dev.isMaster()).toBe(true);
    expect(dev.atomic).toBe(true);
    expect(dev.getCap("dumbBuffer")).toBe(1n);
    // fbcon lit the display at boot: that is the state every test must leave behind
    expect(initial.crtcs[0]).toMatchObject({ active: true });
    expect(initial.planes.find((p) => p.fb !== undefined)).toBeDefined();
  });

  it("prints the device and its KMS objects usefully in the REPL", () => {
    expect(inspect(dev)).toBe(`DrmDevice /dev/dri/card0 (${driverName})`);
    const res = dev.resources();
    const connector = dev.connector(res.connectors[0]);
    expect(connector.modes.length).toBeGreaterThan(1);
    expect(inspect(connector)).toBe(`Connector Virtual-1 connected ${connector.modes.length} modes`);
    expect(inspect(connector.modes[0])).toBe(modetestFirstMode());
    // fbcon's picture: the CRTC, the encoder feeding the connector from it and the primary plane showing it
    const crtc = dev.crtc(res.crtcs[0], res.crtcs);
    expect(crtc.fb).toBeDefined();
    expect(inspect(crtc)).toBe(`Crtc ${crtc.id} ${inspect(crtc.mode)} fb ${crtc.fb}`);
    expect(inspect(crtc.mode)).toMatch(/^\d+x\d+@\d+\.\d\d$/);
    expect(inspect(dev.encoder(connector.encoder!, res.crtcs))).toBe(`Encoder ${connector.encoder} Virtual crtc ${crtc.id}`);
    const primary = dev.planes().map((id) => dev.plane(id, res.crtcs)).find((p) => p.type === "Primary")!;
    const n = primary.formats.length;
    expect(inspect(primary)).toBe(`Plane ${primary.id} Primary crtc ${crtc.id} fb ${crtc.fb}, ${n} format${n === 1 ? "" : "s"}`);
    expect(inspect(chooseOutput(dev))).toBe(`Output Virtual-1 ${modetestFirstMode()} crtc ${crtc.id} plane ${primary.id}`);
    expect(inspect(dev.properties("crtc", crtc.id))).toMatch(new RegExp(`^PropertySet crtc ${crtc.id} \\{ACTIVE=1, MODE_ID=blob \\d+, OUT_FENCE_PTR=0`));
    const other = DrmDevice.open(CARD);
    other.close();
    expect(inspect(other)).toBe("DrmDevice /dev/dri/card0 (closed)");
  });

  it("lists the same objects as modetest -M <driver>", () => {
    // -a: an atomic client, as we are (virtio-gpu hides its cursor plane from atomic clients without
    // DRM_CLIENT_CAP_CURSOR_PLANE_HOTSPOT, and shows it to the others)
    const out = execFileSync("modetest", ["-M", driverName, "-a", "-e", "-c", "-p"], { encoding: "utf8" });
    const res = dev.resources();

    const encoders = modetestRows(out, "Encoders");
    expect(encoders.map((r) => Number(r[0]))).toEqual(res.encoders);
    for (const r of encoders) {
      const e = dev.encoder(Number(r[0]) as never, res.crtcs);
      expect([e.crtc ?? 0, e.type]).toEqual([Number(r[1]), r[2]]);
      expect(e.possibleCrtcs.length).toBe(Number(r[3]).toString(2).split("1").length - 1);
    }

    // modetest -a also asks for writeback connectors (vkms has one); this device did not
    const connectors = modetestRows(out, "Connectors").filter((r) => !r[3]!.startsWith("Writeback"));
    expect(connectors.map((r) => Number(r[0]))).toEqual(res.connectors);
    for (const r of connectors) {
      const c = dev.connector(Number(r[0]) as never);
      expect([c.encoder ?? 0, c.connection, c.name, c.modes.length]).toEqual([Number(r[1]), r[2], r[3], Number(r[5])]);
    }
    // the mode lines too: "#0 1024x768 60.00 1024 1048 1184 1344 768 771 777 806 65000 ..."
    const modeLines = [...out.matchAll(/^\s+#(\d+) (\S+) ([\d.]+) ((?:\d+ ){8})(\d+)/gm)];
    const ours = dev.connector(res.connectors[0]).modes;
    const firstBlock = modeLines.slice(0, ours.length); // the connector's list comes before the CRTCs' modes
    expect(firstBlock.map((m) => `${m[2]} ${m[3]} ${m[4]}${m[5]}`)).toEqual(
      ours.map((m) => `${m.name} ${modeRefresh(m).toFixed(2)} ${[m.hdisplay, m.hsyncStart, m.hsyncEnd, m.htotal, m.vdisplay, m.vsyncStart, m.vsyncEnd, m.vtotal].join(" ")} ${m.clock}`),
    );

    const crtcs = modetestRows(out, "CRTCs");
    expect(crtcs.map((r) => Number(r[0]))).toEqual(res.crtcs);
    for (const r of crtcs) {
      const c = dev.crtc(Number(r[0]) as CrtcId, res.crtcs);
      expect(c.fb ?? 0).toBe(Number(r[1]));
      expect(`(${c.mode?.hdisplay ?? 0}x${c.mode?.vdisplay ?? 0})`).toBe(r[3]);
    }

    const planes = modetestRows(out, "Planes");
    expect(planes.map((r) => Number(r[0]))).toEqual(dev.planes());
    // (modetest pads short codes such as R8, listed by 7.x's vkms, to four characters: spacing varies)
    const formatLines = [...out.matchAll(/^\s+formats: (.*)$/gm)].map((m) => m[1].trim().split(/\s+/).join(" "));
    planes.forEach((r, i) => {
      const p = dev.plane(Number(r[0]) as never, res.crtcs);
      expect([p.crtc ?? 0, p.fb ?? 0]).toEqual([Number(r[1]), Number(r[2])]);
      expect(p.formats.map(fourccName).join(" ")).toBe(formatLines[i]);
      // with modifier support (IN_FORMATS), LINEAR is listed for the first format; without it, no list at all
      if (dev.getCap("addFb2Modifiers") === 1n) expect(p.modifiers?.get(p.formats[0])).toContain(0n);
      else expect(p.modifiers).toBeUndefined();
    });
  });

  it("a test-only commit with a bad value fails in words and changes nothing", () => {
    const out = chooseOutput(dev);
    const small = DumbBuffer.create(dev, 64, 64);
    try {
      const before = summarizeState(dev);
      // SRC_W/H beyond the 64x64 framebuffer
      const req = new AtomicRequest(dev).plane(out.plane.id, {
        FB_ID: small.fb, CRTC_ID: out.crtc,
        SRC_X: fixed16(0), SRC_Y: fixed16(0), SRC_W: fixed16(128), SRC_H: fixed16(128),
        CRTC_X: 0, CRTC_Y: 0, CRTC_W: 1024, CRTC_H: 768,
      });
      let err: unknown;
      try {
        req.commit({ testOnly: true });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(AtomicError);
      const a = err as AtomicError;
      expect(a.code).toBe("ENOSPC");
      expect(a.testOnly).toBe(true);
      expect(a.message).toMatch(/^test-only atomic commit failed with ENOSPC: a plane's source rectangle lies outside its framebuffer/);
      expect(a.message).toContain(`plane ${out.plane.id} {FB_ID=framebuffer ${small.fb}, CRTC_ID=crtc ${out.crtc}`);
      expect(a.message).toContain("SRC_W=128");
      // an active CRTC without a mode: EINVAL
      expect(() => new AtomicRequest(dev).crtc(out.crtc, { ACTIVE: true, MODE_ID: undefined }).commit({ testOnly: true, allowModeset: true }))
        .toThrow(new RegExp(`^test-only atomic commit failed with EINVAL: the driver rejected .*; it was setting crtc ${out.crtc} \\{ACTIVE=1, MODE_ID=none\\}$`));
      // a real (non test-only) commit is refused by its preflight before anything changes
      expect(() => req.commit({ allowModeset: true })).toThrow(/^test-only atomic commit failed with ENOSPC/);
      expect(summarizeState(dev)).toEqual(before);
      expect(debugfsPlane(out.plane.id)).not.toContain(`fb=${small.fb}\n`);
      // mistakes caught before the kernel sees them: at compile time in TypeScript (test/drm/
      // property-types.check.ts), and at run time for JavaScript callers, checked here
      // @ts-expect-error ACTIVE is a boolean
      expect(() => new AtomicRequest(dev).crtc(out.crtc, { ACTIVE: 2 })).toThrow(/ACTIVE of crtc \d+: 2 is outside \[0, 1\]/);
      // @ts-expect-error no such CRTC property
      expect(() => new AtomicRequest(dev).crtc(out.crtc, { BRIGHTNESS: 1 })).toThrow(/crtc \d+ has no property BRIGHTNESS \(it has ACTIVE, MODE_ID/);
      // @ts-expect-error no such rotation
      expect(() => new AtomicRequest(dev).plane(out.plane.id, { rotation: ["rotate-45"] }))
        .toThrow(dev.properties("plane", out.plane.id).has("rotation") ? /"rotate-45" is not one of rotate-0/ : /plane \d+ has no property rotation/);
      // @ts-expect-error SRC_* take fixed16(pixels)
      expect(() => new AtomicRequest(dev).plane(out.plane.id, { SRC_W: 64 })).toThrow(/SRC_W of plane \d+ wants 16.16 fixed point: fixed16\(x\)/);
    } finally {
      small.destroy();
    }
  });

  it("a real modeset shows our framebuffer on the primary plane (debugfs state)", async () => {
    const out = chooseOutput(dev, { mode: "800x600@60" });
    expect(out.mode.name).toBe("800x600");
    const buf = DumbBuffer.create(dev, 800, 600);
    try {
      buf.fillPattern();
      const blob = dev.createModeBlob(out.mode);
      const c = new AtomicRequest(dev)
        .connector(out.connector.id, { CRTC_ID: out.crtc })
        .crtc(out.crtc, { ACTIVE: true, MODE_ID: blob })
        .plane(out.plane.id, {
          FB_ID: buf.fb, CRTC_ID: out.crtc, SRC_X: fixed16(0), SRC_Y: fixed16(0), SRC_W: fixed16(800),
          SRC_H: fixed16(600), CRTC_X: 0, CRTC_Y: 0, CRTC_W: 800, CRTC_H: 600,
        })
        .commit({ allowModeset: true, pageFlipEvent: true });
      dev.destroyBlob(blob);
      const ev = await c.flip!;
      expect(ev.crtc).toBe(out.crtc);
      const plane = debugfsPlane(out.plane.id);
      expect(plane).toContain(`fb=${buf.fb}\n`);
      expect(plane).toMatch(/format=XR24/);
      expect(plane).toMatch(/size=800x600/);
      expect(plane).toMatch(/crtc-pos=800x600\+0\+0/);
      expect(readFileSync(DEBUGFS_STATE, "utf8")).toMatch(/mode: "800x600": 60 40000 800 840 968 1056 600 601 605 628/);
      const s = summarizeState(dev);
      expect(s.planes.find((p) => p.id === out.plane.id)).toMatchObject({ fb: buf.fb, src: [0, 0, 800, 600], dst: [0, 0, 800, 600] });
      expect(s.crtcs[0].mode).toMatch(/^800x600 40000/);
    } finally {
      // put fbcon back before our fb goes away
      restoreState(dev, initialSaved);
      buf.destroy();
    }
    expect(summarizeState(dev)).toEqual(initial);
  });

  it("page flips: N frames, N events in order, at the mode's refresh rate (given a vblank counter), no fd leak", async () => {
    const fds = openFdCount();
    dev.dropMaster(); // runDumbFlips opens its own fd and must be master
    try {
      const r = await runDumbFlips({ device: CARD, frames: 60 });
      expect(r.events).toHaveLength(61); // the modeset's flip + 60
      const seq = r.events.map((e) => e.sequence);
      for (let i = 1; i < seq.length; i++) {
        expect(r.events[i].timeUs).toBeGreaterThan(r.events[i - 1].timeUs);
        if (!vblankCounter) continue; // no counter: sequence stays 0 and flips are not paced by vblanks
        expect(seq[i]).toBeGreaterThan(seq[i - 1]);
        // timestamps agree with the vblank counter at the mode's period (±2 ms)
        const period = 1e6 / r.refresh;
        expect(Math.abs(r.events[i].timeUs - r.events[i - 1].timeUs - (seq[i] - seq[i - 1]) * period)).toBeLessThan(2000);
      }
      // emulated VM: allow a few missed vblanks, but mostly one flip per refresh
      if (vblankCounter) expect(r.flipsPerSecond).toBeGreaterThan(r.refresh * 0.6);
      if (vblankCounter) expect(r.flipsPerSecond).toBeLessThan(r.refresh * 1.05);
      console.log(`[kms.vm.test] flips: ${r.flipsPerSecond.toFixed(1)}/s at ${r.refresh.toFixed(2)} Hz, ${r.cpuMsPerFrame.toFixed(2)} ms CPU/frame, vblanks ${seq[0]}..${seq[seq.length - 1]}`);
    } finally {
      dev.setMaster();
    }
    expect(openFdCount()).toBe(fds);
    expect(summarizeState(dev)).toEqual(initial);
  });

  it("vblank events arrive once per refresh", async (ctx) => {
    if (!vblankCounter) ctx.skip("the driver has no vblank counter (CRTC_QUEUE_SEQUENCE: EOPNOTSUPP)");
    const crtc = dev.resources().crtcs[0];
    const a = await DrmEvents.of(dev).vblank(crtc);
    const b = await DrmEvents.of(dev).vblank(crtc, 3);
    expect(b.sequence - a.sequence).toBeGreaterThanOrEqual(3);
    expect(a.crtc).toBe(crtc);
    const period = 1e6 / modeRefresh(dev.crtc(crtc).mode!);
    expect(Math.abs(b.timeUs - a.timeUs - (b.sequence - a.sequence) * period)).toBeLessThan(2000);
  });

  it("VT: without a virtual terminal (the VM's serial console) VT handling is skipped with a log line", () => {
    const seen: LogRecord[] = [];
    const remove = addLogSink((r) => seen.push(r));
    setLogLevel("info");
    try {
      const vt = takeVt(dev);
      expect(vt.vt).toBeUndefined();
      vt.release();
    } finally {
      setLogLevel("warn");
      remove();
    }
    expect(seen.map((r) => r.message)).toContain("not on a virtual terminal (serial console, ssh or pipe): skipping KDSETMODE/VT_SETMODE");
  });

  describe("restore after a child program", () => {
    beforeAll(() => dev.dropMaster());
    afterAll(() => dev.setMaster());

    /** Runs the flip child; `stop` decides how it ends once it reports ready. */
    async function runChild(args: string[], stop?: NodeJS.Signals) {
      const child = spawn(process.execPath, [CHILD, ...args], { stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      let during: StateSummary | undefined;
      let ready: { fbs: number[]; plane: number } | undefined;
      child.stderr.on("data", (d) => (stderr += d));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on("exit", (code, signal) => resolve({ code, signal })));
      try {
        let look: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          child.stdout.on("data", (d) => {
            stdout += d;
            const line = stdout.split("\n").find((l) => l.includes('"ready"'));
            if (line && !ready) {
              ready = JSON.parse(line);
              // let it flip a little, then look at the screen while it runs
              look = setTimeout(() => {
                during = summarizeState(dev);
                if (stop) child.kill(stop);
                resolve();
              }, 300);
            }
          });
          child.on("exit", () => {
            clearTimeout(look); // exited before we looked: `during` stays unset, which the test reports
            resolve();
          });
        });
        return { ...(await exited), stdout, stderr, during, ready };
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }
    }

    it.skipIf(!existsSync(CHILD))("after a normal exit", async () => {
      // enough frames to still run when we look after 300 ms: ~0.7 s at 60 Hz; without a vblank
      // counter (virtio-gpu) flips are not paced, so many more
      const r = await runChild(["--device", CARD, "--frames", vblankCounter ? "40" : "400"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.during, "the child was still running 300 ms after its first frame").toBeDefined();
      expect(r.during!.planes.some((p) => r.ready!.fbs.includes(p.fb ?? -1))).toBe(true);
      expect(summarizeState(dev)).toEqual(initial);
    });

    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      it.skipIf(!existsSync(CHILD))(`after ${signal} mid-run`, async () => {
        const r = await runChild(["--device", CARD, "--frames", "0"], signal);
        expect(r.signal).toBe(signal);
        // it was showing its own frames when the signal came...
        const shown = r.during!.planes.find((p) => p.id === r.ready!.plane);
        expect(r.ready!.fbs).toContain(shown!.fb);
        // ...and fbcon's framebuffer and mode are back
        expect(summarizeState(dev)).toEqual(initial);
      });
    }

    it.skipIf(!existsSync(CHILD))("after an uncaught error", async () => {
      const r = await runChild(["--device", CARD, "--frames", "0", "--throw-after", "15"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/deliberate uncaught error after 15 frames/);
      expect(summarizeState(dev)).toEqual(initial);
    });
  });

  it("errors: a second opener is not master, commits say so; unsupported mode and connector are named", () => {
    const second = DrmDevice.open(CARD);
    try {
      expect(dev.isMaster()).toBe(true);
      expect(second.isMaster()).toBe(false);
      const out = chooseOutput(second);
      expect(() => new AtomicRequest(second).crtc(out.crtc, { ACTIVE: true }).commit({ allowModeset: true }))
        .toThrow(/^test-only atomic commit failed with EACCES: not DRM master: another process .* owns the display, modeset allowed; it was setting crtc \d+ \{ACTIVE=1\}$/);
      expect(() => second.setMaster()).toThrow(/cannot become DRM master of \/dev\/dri\/card0: (EINVAL|EACCES|EPERM|EBUSY)/);
    } finally {
      second.close();
    }
    const modes = dev.connector(dev.resources().connectors[0]).modes.slice(0, 2).map((m) => inspect(m));
    expect(() => chooseOutput(dev, { mode: "1234x567" })).toThrow(`mode 1234x567 is not supported by Virtual-1; it offers ${modes.join(", ")}`);
    expect(() => chooseOutput(dev, { connector: "HDMI-A-1" })).toThrow(/no connector named HDMI-A-1 on \/dev\/dri\/card0 \(it has Virtual-1\)/);
    expect(() => DrmDevice.open("/dev/dri/card7")).toThrow(/cannot open DRM device \/dev\/dri\/card7: no such device \(ENOENT\)/);
  });
});

