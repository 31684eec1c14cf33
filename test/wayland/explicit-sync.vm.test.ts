// zwp_linux_explicit_synchronization_v1 end to end (VM: udmabuf + Weston headless GL, which offers
// v2): each commit carries the frame's render-finished sync file as its acquire fence, buffers come
// back through per-commit releases, the frame loop never waits for the render fence on the CPU, and
// the screenshot equals the headless render. Also: the compositor killed mid-run, and one run of
// submit-to-presentation latency per sync path (the bench the issue asks for, printed).
import { existsSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Instance, type Pixels } from "../../src/index.js";
import { openWaylandPresenter, type WaylandPresenterOptions } from "../../src/present/wayland-open.js";
import { Connection } from "../../src/wayland/connection.js";
import { WaylandConnectionError } from "../../src/wayland/errors.js";
import { startWeston, type Weston, westonAvailable, westonFresh } from "../../scripts/testbed/weston.js";
import { compare, coverage, dmabufRejection, fdsLeakedSince, openFds, renderHeadless, runScene, type SceneName } from "./vm-present.js";

/**
 * Under emulation Weston GL can take over a second for a frame callback; the default 1 Hz heartbeat
 * would then render a frame it does not commit, and these tests count commits exactly.
 */
const HEARTBEAT_HZ = 0.1;

const SIZE = [640, 480] as const;
const FRAMES = 6;
const inVm = existsSync("/dev/udmabuf");

const validationErrors = (gpu: Instance) => gpu.validationMessages.filter((m) => m.severity !== "info" && m.severity !== "verbose");

// Each test gets a Weston of its own (westonFresh: without a seat, Weston 14's kiosk shell crashed on
// the first commit of a client after another's window was destroyed). One retry stays for what
// emulation still does now and then (a client dropped mid-test, ECONNRESET); a failure of ours fails twice.
describe.skipIf(!inVm || !westonAvailable)("explicit sync with Weston GL (VM)", { retry: 1 }, () => {
  let weston: Weston;
  let gpu: Instance;
  const refs = new Map<SceneName, Pixels>();
  /** Why this compositor does not import our dmabufs (then nothing here can run), if it does not. */
  let rejected: string | undefined;

  beforeAll(async () => {
    weston = await startWeston({ renderer: "gl" });
    gpu = await Instance.create({ validation: true, requireValidation: true });
    rejected = await dmabufRejection(gpu, weston.path);
    if (rejected) return console.warn(`[explicit-sync.vm.test] skipped: ${rejected}`);
    for (const scene of ["triangle", "mesh"] as const) refs.set(scene, await renderHeadless(gpu, scene, SIZE, FRAMES));
  });
  beforeEach(async () => {
    if (weston) weston = await westonFresh(weston); // see westonFresh: a Weston per window
  });
  afterAll(async () => {
    gpu?.destroy();
    await weston?.stop();
  });

  /** Presents on a connection of ours, so its trace (every message, in order) can be read. */
  async function presentTraced(scene: SceneName, options: Partial<WaylandPresenterOptions>) {
    const fdsBefore = openFds();
    const connection = Connection.connect({ socket: weston.path });
    const trace: string[] = [];
    connection.trace = (line) => trace.push(line);
    try {
      const out = await openWaylandPresenter(gpu.createDevice(), { size: SIZE, connection, title: scene, mode: "dmabuf", ...options, heartbeatHz: HEARTBEAT_HZ }, true);
      let shot;
      try {
        await runScene(out, scene, FRAMES);
        shot = await weston.screenshot();
      } finally {
        await out.close();
      }
      return { out, trace, shot, stats: out.stats.extra, fdsBefore };
    } finally {
      await connection.close();
    }
  }

  for (const scene of ["triangle", "mesh"] as const) {
    it(`${scene}: an acquire fence on every commit, release events, no CPU wait; the screenshot equals the headless render`, async (ctx) => {
      if (rejected) ctx.skip(rejected);
      const { trace, shot, stats, fdsBefore } = await presentTraced(scene, {});
      const ref = refs.get(scene)!;
      const diff = compare(shot, ref);
      console.log(`explicit sync, ${scene}: ${JSON.stringify({ stats, ...diff })}`);
      expect(coverage(ref)).toBeGreaterThan(SIZE[0] * SIZE[1] * 0.02);
      expect(diff.differing).toBeLessThan((SIZE[0] * SIZE[1]) / 100);
      expect(stats.sync).toBe("explicit-sync");
      expect(stats.presented).toBe(FRAMES);
      expect(stats.renderFenceCpuWaits).toBe(0);
      // Between two commits that attach a buffer: exactly one set_acquire_fence and one get_release.
      const commits: { attach: number; fence: number; release: number }[] = [];
      let pending = { attach: 0, fence: 0, release: 0 };
      for (const line of trace) {
        if (!line.startsWith("->")) continue;
        if (/\.attach\(wl_buffer#/.test(line)) pending.attach++;
        if (/zwp_linux_surface_synchronization_v1#\d+\.set_acquire_fence\(fd \d+\)/.test(line)) pending.fence++;
        if (/zwp_linux_surface_synchronization_v1#\d+\.get_release\(new id zwp_linux_buffer_release_v1#\d+\)/.test(line)) pending.release++;
        if (/wl_surface#\d+\.commit\(\)/.test(line) && pending.attach) {
          commits.push(pending);
          pending = { attach: 0, fence: 0, release: 0 };
        }
      }
      expect(commits).toEqual(Array.from({ length: FRAMES }, () => ({ attach: 1, fence: 1, release: 1 })));
      // Every commit but the last (still on screen when we stopped) was released, with or without a fence.
      const released = trace.filter((l) => /^<- zwp_linux_buffer_release_v1#\d+\.(fenced_release\(fd \d+\)|immediate_release\(\))/.test(l));
      expect(released.length).toBeGreaterThanOrEqual(FRAMES - 1);
      expect(Number(stats.fencedReleases) + Number(stats.immediateReleases)).toBeGreaterThanOrEqual(FRAMES - 3); // the ring reuses all but the last 3
      expect(validationErrors(gpu)).toEqual([]);
      await new Promise((r) => setTimeout(r, 200)); // the screenshooter's stdio sockets
      expect(fdsLeakedSince(fdsBefore)).toEqual([]);
    });
  }

  it("the compositor killed mid-run: a clear error, no hang, no descriptor left open", async (ctx) => {
    if (rejected) ctx.skip(rejected);
    const doomed = await startWeston({ renderer: "gl" });
    const fdsBefore = openFds();
    try {
      const out = await openWaylandPresenter(gpu.createDevice(), { size: SIZE, socket: doomed.path, mode: "dmabuf" }, true);
      let error: unknown;
      const started = performance.now();
      try {
        expect(out.backend).toBe("wayland-dmabuf");
        await runScene(out, "triangle", 1000, { onFrame: (i) => i === 3 && doomed.process.kill("SIGKILL") });
      } catch (e) {
        error = e;
      } finally {
        await out.close();
      }
      expect(error).toBeInstanceOf(WaylandConnectionError);
      expect((error as Error).message).toMatch(/the compositor closed the connection/);
      expect(out.stats.extra.sync).toBe("explicit-sync");
      expect(performance.now() - started).toBeLessThan(60_000);
      await doomed.stop();
      await new Promise((r) => setTimeout(r, 200));
      expect(fdsLeakedSince(fdsBefore)).toEqual([]);
    } finally {
      await doomed.stop();
    }
  });

  // A measurement, not a check: it runs six clients in a row against one Weston 14, which has been
  // seen to drop a client after several (as it crashes after ~6 unpaced shm clients in the bench).
  // SCANOUT_VM_BENCH=1 runs it; its figures are in the issue notes.
  it.skipIf(process.env.SCANOUT_VM_BENCH !== "1")("bench: submit-to-presentation latency per sync path, on the same compositor, each order once (printed)", async (ctx) => {
    if (rejected) ctx.skip(rejected);
    const rows: Record<string, string | number>[] = [];
    for (const sync of ["explicit", "implicit", "cpu-wait", "cpu-wait", "implicit", "explicit"] as const) {
      const out = await openWaylandPresenter(gpu.createDevice(), { size: SIZE, socket: weston.path, mode: "dmabuf", sync, heartbeatHz: HEARTBEAT_HZ }, true);
      try {
        await runScene(out, "triangle", 20);
      } catch (e) {
        throw new Error(`${sync}: ${(e as Error).message}; Weston's log ends:\n${weston.log().split("\n").slice(-30).join("\n")}`, { cause: e });
      } finally {
        await out.close();
      }
      const s = out.stats.extra;
      const present = Number(s.presentLatencyMs);
      const row = {
        sync: String(s.sync), frames: out.stats.frames, fps: Number(out.stats.fps.toFixed(2)), submitToCommitMs: s.submitToCommitMs!,
        syncFileExportMs: s.syncFileExportMs ?? "-", commitToPresentMs: present, submitToPresentMs: Number((Number(s.submitToCommitMs) + present).toFixed(3)), cpuWaits: s.renderFenceCpuWaits!,
      };
      console.log(`bench row: ${JSON.stringify(row)}`);
      rows.push(row);
    }
    console.log(`bench (Weston GL headless, lavapipe, VM under TCG):\n${rows.map((r) => JSON.stringify(r)).join("\n")}`);
    expect(rows.map((r) => r.sync)).toEqual(["explicit-sync", "implicit sync-file", "cpu-wait", "cpu-wait", "implicit sync-file", "explicit-sync"]);
    for (const r of rows) expect(Number.isFinite(r.submitToPresentMs)).toBe(true);
    expect(validationErrors(gpu)).toEqual([]);
  });
});
